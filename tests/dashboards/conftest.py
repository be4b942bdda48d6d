"""A small, hand-countable world for the dashboard: two provinces, both programmes, every status."""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from applications.models import Application
from disbursements.models import LedgerEntry, Tranche
from disbursements.services import ledger_record
from tests.factories import (
    ApplicationFactory,
    GroupFactory,
    MemberFactory,
    PadatKaryaSchemeFactory,
    SchemeFactory,
    SchemeQuotaFactory,
)

Status = Application.Status
JAKARTA = datetime.timezone(datetime.timedelta(hours=7))


@dataclass
class World:
    tkm: object
    padat_karya: object
    applications: dict[str, Application]


def make_application(
    *,
    scheme,
    regency: str,
    status: str,
    members: int = 3,
    women: int = 1,
    disabled: int = 0,
    submitted: datetime.datetime | None = None,
    days_to_decision: float | None = None,
    approved_amount: int | None = None,
    name: str | None = None,
) -> Application:
    group = GroupFactory(regency_id=regency, **({"name": name} if name else {}))
    for index in range(members):
        MemberFactory(
            group=group,
            sex="P" if index < women else "L",
            has_disability=index < disabled,
            role="ketua" if index == 0 else "anggota",
        )
    submitted = submitted or datetime.datetime(2020, 8, 3, 9, 0, tzinfo=JAKARTA)
    decided = submitted + datetime.timedelta(days=days_to_decision) if days_to_decision is not None else None
    return ApplicationFactory(
        group=group,
        scheme=scheme,
        status=status,
        submitted_at=submitted if status != Status.DRAFT else None,
        decided_at=decided,
        approved_amount=approved_amount,
        requested_amount=scheme.amount_per_group,
    )


def pay(application: Application, amount: int, *, number: int = 1) -> Tranche:
    """A paid tranche with its ledger row, as reconciliation leaves it (the dashboard reads the ledger)."""
    tranche = Tranche.objects.create(
        application=application,
        number=number,
        percentage=100 if number == 1 else 30,
        amount=amount,
        status=Tranche.Status.PAID,
        paid_at=timezone.now(),
    )
    ledger_record(tranche=tranche, kind=LedgerEntry.Kind.PAID, amount=amount, by=None)
    return tranche


@pytest.fixture
def world(db) -> World:
    """Jawa Barat (32.04 Bandung, 32.73 Kota Bandung) and Banten (36.01), TKM and Padat Karya."""
    tkm = SchemeFactory()
    padat_karya = PadatKaryaSchemeFactory()
    SchemeQuotaFactory(scheme=tkm, province_id="32", groups=10, budget=400_000_000)
    SchemeQuotaFactory(scheme=tkm, province_id="36", groups=4, budget=160_000_000)
    # A quota for a province with no application yet: it still gets a row (quota, nothing used).
    SchemeQuotaFactory(scheme=tkm, province_id="18", groups=2, budget=80_000_000)
    SchemeQuotaFactory(scheme=padat_karya, province_id="32", groups=5, budget=500_000_000)
    apps = {
        "draft": make_application(scheme=tkm, regency="32.04", status=Status.DRAFT),
        "submitted": make_application(scheme=tkm, regency="32.04", status=Status.SUBMITTED, members=4, women=2),
        "revision": make_application(scheme=tkm, regency="32.73", status=Status.REVISION_REQUESTED),
        "verified": make_application(scheme=tkm, regency="32.73", status=Status.VERIFIED, members=5),
        "approved_2": make_application(
            scheme=tkm, regency="32.04", status=Status.APPROVED, members=3, women=2, disabled=1,
            days_to_decision=2, approved_amount=40_000_000,
        ),
        "approved_10": make_application(
            scheme=tkm, regency="32.73", status=Status.IN_DISBURSEMENT, members=3, women=3,
            days_to_decision=10, approved_amount=40_000_000,
        ),
        "approved_4": make_application(
            scheme=tkm, regency="32.73", status=Status.COMPLETED, members=2, women=0, disabled=2,
            days_to_decision=4, approved_amount=35_000_000,
        ),
        "rejected": make_application(scheme=tkm, regency="32.04", status=Status.REJECTED, days_to_decision=3),
        "withdrawn": make_application(scheme=tkm, regency="32.04", status=Status.WITHDRAWN),
        "banten": make_application(
            scheme=tkm, regency="36.01", status=Status.APPROVED, members=6, women=3,
            days_to_decision=7, approved_amount=40_000_000,
        ),
        "pk": make_application(
            scheme=padat_karya, regency="32.04", status=Status.APPROVED, members=4, women=1,
            days_to_decision=5, approved_amount=100_000_000,
        ),
    }  # fmt: skip
    pay(apps["approved_10"], 40_000_000)
    pay(apps["approved_4"], 35_000_000)
    pay(apps["pk"], 70_000_000)
    # Not paid: scheduled and failed tranches never count.
    Tranche.objects.create(application=apps["pk"], number=2, percentage=30, amount=30_000_000)
    Tranche.objects.create(
        application=apps["banten"], number=1, percentage=100, amount=40_000_000, status=Tranche.Status.FAILED
    )
    return World(tkm=tkm, padat_karya=padat_karya, applications=apps)
