"""A failed transfer is re-issued after the account is fixed, with a new payment reference; and the
whole path end to end."""

import pytest
from django.core.exceptions import ValidationError

from applications.models import Application
from corrections.services import correction_propose_bank_account
from disbursements import bankfiles, services
from disbursements.models import LedgerEntry, PaymentBatch, Tranche
from groups.models import Group
from tests.corrections.helpers import account_fix
from tests.disbursements.conftest import failed_row, paid_row, result_file

pytestmark = pytest.mark.django_db
TS = Tranche.Status


def _import(rows, by, name="hasil.csv"):
    return services.bank_results_import(
        rows=bankfiles.read_bank_results(result_file(rows, name=name)), file_name=name, by=by
    )


@pytest.fixture
def failed_tranche(approve, finance):
    application = approve()
    batch = services.payment_batch_create(tranches=Tranche.objects.all(), by=finance)
    _import([failed_row(batch.lines.get(), reason="account_closed")], finance)
    return application.tranches.get()


def test_a_failed_tranche_is_not_reissued_before_the_account_changes(failed_tranche, finance):
    with pytest.raises(services.TransitionError, match="belum diubah"):
        services.tranche_reissue(tranche=failed_tranche, by=finance)


def test_an_officer_fixes_the_account_and_finance_reissues(failed_tranche, finance, verifier):
    group = failed_tranche.application.group
    group.account_number = "9876543210"
    group.save()

    services.tranche_reissue(tranche=failed_tranche, by=finance)

    failed_tranche.refresh_from_db()
    assert failed_tranche.status == TS.SCHEDULED
    assert list(failed_tranche.ledger.order_by("pk").values_list("kind", flat=True)) == [
        "scheduled",
        "batched",
        "failed",
        "reissued",
    ]


def test_the_group_proposes_a_new_account_and_an_officer_confirms_it(failed_tranche, applicant, verifier):
    group = failed_tranche.application.group
    group.user = applicant
    group.save(update_fields=["user"])

    account_fix(group, proposer=applicant, checker=verifier, account_number="1122334455")

    failed_tranche.refresh_from_db()
    assert failed_tranche.status == TS.SCHEDULED
    history = Group.history.filter(id=group.pk).order_by("-history_id").first()
    assert (history.account_number, history.history_user) == ("1122334455", verifier)


def test_the_group_cannot_propose_a_new_funded_account_without_a_failure(approve, applicant):
    group = approve().group
    group.user = applicant
    group.save(update_fields=["user"])
    with pytest.raises(ValidationError, match="gagal"):
        correction_propose_bank_account(
            group=group, by=applicant, bank_id="008", account_number="1122334455", account_holder="X", reason="x"
        )
    group.refresh_from_db()
    assert group.account_number != "1122334455"


def test_approve_batch_export_import_fix_reissue_pay_end_to_end(approve, finance, verifier, second_verifier):
    applications = [approve(plan=[70, 30]) for _ in range(4)]
    batch = services.payment_batch_create(tranches=Tranche.objects.all(), by=finance)
    batch = services.payment_batch_export(batch=batch, by=finance)
    exported = "".join(bankfiles.transfer_csv_stream(services.payment_batch_transfer_lines(batch)))
    assert exported.count("JPS-PAY-") == 4
    lines = list(batch.lines.order_by("pk"))
    _import([paid_row(line) for line in lines[:3]] + [failed_row(lines[3], reason="name_mismatch")], finance)
    failed_application = applications[3]
    account_fix(
        failed_application.group,
        proposer=verifier,
        checker=second_verifier,
        bank_id="002",
        account_number="5550001112",
        account_holder="Kelompok Maju",
    )

    second = services.payment_batch_create(tranches=Tranche.objects.all(), by=finance)
    services.payment_batch_export(batch=second, by=finance)
    retry = second.lines.get()
    assert retry.payment_reference != lines[3].payment_reference
    assert (retry.attempt, retry.account_number) == (2, "5550001112")
    _import([paid_row(retry)], finance, name="hasil-2.csv")

    assert all(Tranche.objects.get(application=application, number=1).status == TS.PAID for application in applications)
    assert set(Application.objects.values_list("status", flat=True)) == {Application.Status.IN_DISBURSEMENT}
    assert set(PaymentBatch.objects.values_list("status", flat=True)) == {PaymentBatch.Status.RECONCILED}
    paid_total = sum(LedgerEntry.objects.filter(kind="paid").values_list("amount", flat=True))
    assert paid_total == sum(Tranche.objects.filter(number=1).values_list("amount", flat=True))

    # The report on tahap 1 is accepted (the other engineer's service calls this): tahap 2 is payable.
    services.tranche_unlock(tranche=Tranche.objects.get(application=applications[0], number=2), by=finance)
    third = services.payment_batch_create(tranches=Tranche.objects.all(), by=finance)
    services.payment_batch_export(batch=third, by=finance)
    _import([paid_row(third.lines.get())], finance, name="hasil-3.csv")
    applications[0].refresh_from_db()
    assert applications[0].status == Application.Status.REPORTING
