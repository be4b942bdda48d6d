"""The demo's outcomes: the demo pendamping's caseload was paid its tahap 1 on 15 October 2020 (written as
history, like the rest of the 2020 demo: the paid tranche and its ledger row dated that day; the
applications stay "disetujui", as the launch story leaves them), the monitoring rounds follow from that
date, and the first group reports: at 3 months the business
runs with its members, at 6 months (reported by the mentor on a visit) it runs with two people from
outside the group at work. Its 12-month round is left overdue, on the mentor's work list.
``seed_demo`` calls ``outcomes_demo_seed`` after ``mentoring_demo_seed``."""

import datetime
import uuid
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from applications.demo_data import JAKARTA
from applications.models import Programme, Scheme
from disbursements.models import LedgerEntry, Tranche
from mentoring import services as mentoring
from mentoring.demo import DEMO_MENTOR
from outcomes import services
from outcomes.models import MonitoringRound, OutcomeTerms

PAID_AT = datetime.datetime(2020, 10, 15, 10, 0, tzinfo=JAKARTA)


@dataclass(frozen=True)
class OutcomesDemoResult:
    created: bool
    paid: int = 0
    rounds: int = 0
    group_id: int | None = None


def terms_ensure() -> int:
    """Every scheme has its monitoring terms (3, 6, 12 months; starting inclusion targets)."""
    created = 0
    for scheme in Scheme.objects.filter(outcome_terms__isnull=True):
        OutcomeTerms.objects.create(scheme=scheme, round_months="3, 6, 12", women_target_percent=30,
                                    disability_target_percent=2)  # fmt: skip
        created += 1
    return created


@transaction.atomic
def outcomes_demo_seed() -> OutcomesDemoResult:
    """Idempotent: once the demo rounds exist nothing is done again."""
    terms_ensure()
    users = get_user_model().objects
    mentor = users.filter(username=DEMO_MENTOR, is_active=True).first()
    if mentor is None or MonitoringRound.objects.exists():
        return OutcomesDemoResult(created=False)
    caseload = mentoring.caseload_groups(mentor)
    tranches = list(Tranche.objects.filter(application__group__in=caseload, number=1, status=Tranche.Status.SCHEDULED))
    if not tranches:
        return OutcomesDemoResult(created=False)
    Tranche.objects.filter(pk__in=[t.pk for t in tranches]).update(status=Tranche.Status.PAID, paid_at=PAID_AT)
    LedgerEntry.objects.bulk_create(
        LedgerEntry(tranche=t, kind=LedgerEntry.Kind.PAID, amount=t.amount, note="Demo: dibayar 15 Oktober 2020",
                    created_at=PAID_AT)
        for t in tranches
    )  # fmt: skip
    created = services.rounds_schedule()
    group = caseload.filter(applications__scheme__programme=Programme.TKM).order_by("pk").first()
    if group is None:
        group = caseload.order_by("pk").first()
    _report_first_group(group, mentor=mentor)
    return OutcomesDemoResult(created=True, paid=len(tranches), rounds=created, group_id=group.pk)


def _report_first_group(group: object, *, mentor: object) -> None:
    rounds = {r.months: r for r in MonitoringRound.objects.filter(group=group).select_related("group")}
    members = group.members.count()
    tkm = rounds[3].programme == Programme.TKM
    reporter = group.user if group.user is not None else mentor
    services.round_report(
        round_=rounds[3], by=reporter, token=uuid.uuid4(),
        answers=services.Answers(
            operating=True, monthly_revenue=4_500_000 if tkm else None, members_working=members, others_working=0,
            facility_state="" if tkm else "good", note="Usaha berjalan; penjualan di pasar desa.",
        ),
    )  # fmt: skip
    services.round_report(
        round_=rounds[6], by=mentor, token=uuid.uuid4(),
        answers=services.Answers(
            operating=True, monthly_revenue=7_200_000 if tkm else None, members_working=members, others_working=2,
            online_link="https://shopee.co.id/", facility_state="" if tkm else "good",
            note=f"Dicatat saat kunjungan {timezone.localdate():%d-%m-%Y}: dua tetangga kini ikut bekerja.",
        ),
    )  # fmt: skip
