"""Tranches are created with the approval, add up exactly, and later tahap wait for a report."""

import pytest

from disbursements import services
from disbursements.models import LedgerEntry, Tranche

pytestmark = pytest.mark.django_db
TS = Tranche.Status


@pytest.mark.parametrize(
    ("plan", "amount", "expected"),
    [
        ([100], 40_000_000, [40_000_000]),
        ([70, 30], 100_000_001, [70_000_000, 30_000_001]),
        ([33, 33, 34], 20_000_003, [6_600_000, 6_600_000, 6_800_003]),
        ([33, 33, 34], 99_999_999, [32_999_999, 32_999_999, 34_000_001]),
    ],
)
def test_it_splits_the_approved_amount_by_the_plan_to_the_last_rupiah(approve, plan, amount, expected):
    application = approve(plan=plan, amount=amount)

    tranches = list(application.tranches.order_by("number"))

    assert [t.amount for t in tranches] == expected
    assert sum(t.amount for t in tranches) == application.approved_amount
    assert [t.percentage for t in tranches] == plan


def test_it_makes_tahap_one_payable_and_locks_the_later_ones(approve):
    application = approve(plan=[70, 30])

    assert list(application.tranches.order_by("number").values_list("status", flat=True)) == [TS.SCHEDULED, TS.LOCKED]
    assert Tranche.objects.payable().filter(application=application).count() == 1
    assert LedgerEntry.objects.filter(tranche__application=application, kind=LedgerEntry.Kind.SCHEDULED).count() == 2


def test_it_unlocks_the_next_tahap_once_and_records_it(approve, verifier):
    application = approve(plan=[70, 30])
    second = application.tranches.get(number=2)

    services.tranche_unlock(tranche=second, by=verifier)

    second.refresh_from_db()
    assert second.status == TS.SCHEDULED
    assert LedgerEntry.objects.filter(tranche=second, kind=LedgerEntry.Kind.UNLOCKED).count() == 1
    with pytest.raises(services.TransitionError):
        services.tranche_unlock(tranche=second, by=verifier)


def test_a_refused_approval_creates_no_tranche(approve, approver):
    from applications import services as application_services
    from applications.models import Application
    from tests.factories import ApplicationFactory

    application = ApplicationFactory(status=Application.Status.VERIFIED)  # no quota for its province
    with pytest.raises(application_services.TransitionError):
        application_services.application_approve(application=application, by=approver)
    assert not Tranche.objects.filter(application=application).exists()


def test_bulk_loaded_approved_applications_get_their_tranches_once():
    from applications.models import Application
    from disbursements.models import LedgerEntry
    from tests.factories import ApplicationFactory, SchemeFactory

    scheme = SchemeFactory(year=2021, tranche_plan=[33, 33, 34])
    approved = ApplicationFactory(
        scheme=scheme, status=Application.Status.APPROVED, requested_amount=40_000_001, approved_amount=40_000_001
    )
    ApplicationFactory(scheme=scheme, status=Application.Status.SUBMITTED)

    assert services.tranches_create_missing() == 3
    assert services.tranches_create_missing() == 0  # idempotent

    tranches = list(approved.tranches.order_by("number").values_list("amount", "status"))
    assert sum(amount for amount, _status in tranches) == 40_000_001
    assert [status for _amount, status in tranches] == ["scheduled", "locked", "locked"]
    assert LedgerEntry.objects.filter(tranche__application=approved, kind="scheduled").count() == 3
