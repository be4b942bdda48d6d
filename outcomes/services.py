"""Every write about business outcomes: scheduling each funded group's monitoring rounds from its
first payment, reminding the ketua when a round is due, recording a round's answers (validated, once
per form token) and the form's server-side draft; and the reads that decide who sees which round.

Each function is atomic where it writes, takes the acting user as ``by`` and refuses bad input with a
``ValidationError`` in Bahasa Indonesia that leaves the database as it was."""

import datetime
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from applications.models import Programme, Scheme
from disbursements.models import PaymentBatchLine, Tranche
from groups.models import Member
from jps_portal.celery import enqueue_on_commit
from mentoring import services as mentoring
from mentoring.models import CaseAssignment
from mentoring.worklist import worklist_changed
from outcomes.models import MonitoringRound, OutcomeTerms, RoundDraft, months_parse

# A round may be reported from this many days before it is due (a visit shortly before counts).
REPORT_EARLY_DAYS = 14
# Answers beyond these are typing mistakes, not businesses: refused with a message saying so.
MAX_MONTHLY_REVENUE = 10_000_000_000  # Rp 10 miliar a month
MAX_OTHERS_WORKING = 1_000
# A monthly revenue this many times the previous round's asks the reporter to confirm it.
REVENUE_JUMP_FACTOR = 100
REMIND_BATCH = 2_000
_http_url = URLValidator(schemes=["http", "https"])


def default_round_months() -> str:
    return getattr(settings, "OUTCOME_DEFAULT_ROUND_MONTHS", "3, 6, 12")


def round_months_by_scheme() -> dict[int, list[int]]:
    """Each scheme's round months: its ``OutcomeTerms`` row, else the settings' default."""
    terms = dict(OutcomeTerms.objects.values_list("scheme_id", "round_months"))
    default = months_parse(default_round_months())
    return {
        pk: months_parse(terms[pk]) if pk in terms else default for pk in Scheme.objects.values_list("pk", flat=True)
    }


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (the month's last day when it is shorter: 31 Aug + 6 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return min(day.replace(year=year, month=month, day=1) + datetime.timedelta(days=day.day - 1),
               following - datetime.timedelta(days=1))  # fmt: skip


# --- each scheme's terms ---------------------------------------------------------------------------------


@transaction.atomic
def outcome_terms_save(*, terms: OutcomeTerms, by: AbstractBaseUser) -> OutcomeTerms:
    """Save a scheme's monitoring months and inclusion targets (validated: months 1–60, targets
    0–100%). Rounds already scheduled keep their months; rounds for months newly added are scheduled
    after commit (the same idempotent job the beat runs), so no funded group waits for the next night."""
    if not by.has_perm("outcomes.change_outcometerms" if terms.pk else "outcomes.add_outcometerms"):
        raise PermissionDenied(_("Anda tidak berwenang mengubah ketentuan pemantauan."))
    terms.full_clean()
    terms._history_user = by
    terms.save()
    from outcomes.tasks import schedule_and_remind_rounds

    # Broker down: the nightly beat schedules them anyway (the job is idempotent).
    enqueue_on_commit(schedule_and_remind_rounds)
    return terms


# --- scheduling and reminders ----------------------------------------------------------------------------


@transaction.atomic
def rounds_schedule() -> int:
    """Create the missing rounds of every funded application whose first tahap has been paid: one per
    month of its scheme's terms, due that many months after the payment (Jakarta date). Idempotent:
    a second run creates nothing. Returns the number of rounds created."""
    months_of = round_months_by_scheme()
    existing = set(MonitoringRound.objects.values_list("application_id", "months"))
    # The day the money reached the group: the bank's transfer date of the paid line, else the day the
    # payment was settled in the portal.
    transferred = PaymentBatchLine.objects.filter(tranche=OuterRef("pk"), outcome=PaymentBatchLine.Outcome.PAID)
    first_payments = (
        Tranche.objects.filter(number=1, status=Tranche.Status.PAID, application__status__in=mentoring.FUNDED)
        .annotate(transferred_on=Subquery(transferred.order_by("transfer_date").values("transfer_date")[:1]))
        .order_by("application_id")
        .values_list(
            "application_id", "application__group_id", "application__scheme_id", "application__scheme__programme",
            "application__group__regency_id", "paid_at", "transferred_on",
        )
    )  # fmt: skip
    rows = []
    for application_id, group_id, scheme_id, programme, regency_id, paid_at, transferred_on in first_payments.iterator(
        2_000
    ):
        paid_on = transferred_on or timezone.localdate(paid_at)
        for months in months_of.get(scheme_id, []):
            if (application_id, months) in existing:
                continue
            rows.append(
                MonitoringRound(
                    application_id=application_id, group_id=group_id, programme=programme, regency_id=regency_id,
                    months=months, first_paid_on=paid_on, due_on=add_months(paid_on, months),
                )
            )  # fmt: skip
    if rows:
        bulk_create_with_history(rows, MonitoringRound, batch_size=2_000)
        worklist_changed(None)
    return len(rows)


def rounds_remind(*, today: datetime.date | None = None, limit: int = REMIND_BATCH) -> int:
    """Tell the ketua of each group with a round now due (not reported, not reminded yet), by e-mail
    and SMS through the outbox; each message is queued on commit, once per round."""
    from jps_portal.messages import message_send

    today = today or timezone.localdate()
    sent = 0
    with transaction.atomic():
        due = list(
            MonitoringRound.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=MonitoringRound.Status.SCHEDULED, reminded_at__isnull=True, due_on__lte=today)
            .select_related("group__user")
            .order_by("due_on", "pk")[:limit]
        )
        now = timezone.now()
        for round_ in due:
            group = round_.group
            context = {
                "group_name": group.name,
                "months": round_.months,
                "due_on": round_.due_on,
                "path": reverse("outcomes:report", args=[round_.pk]),
            }
            key = f"outcome-round:{round_.pk}"
            if group.user is not None and group.user.email:
                message_send(channel="email", to=group.user.email, template="outcome_round_due", context=context,
                             key=key)  # fmt: skip
            if group.phone:
                message_send(channel="sms", to=group.phone, template="outcome_round_due", context=context, key=key)
            sent += 1
        MonitoringRound.objects.filter(pk__in=[r.pk for r in due]).update(reminded_at=now)
    return sent


# --- who sees which round ----------------------------------------------------------------------------


def rounds_of_group_user(user: AbstractBaseUser) -> QuerySet:
    """The rounds of the ketua's own group."""
    return MonitoringRound.objects.filter(group__user=user)


def round_for_user_or_404(user: AbstractBaseUser, pk: int) -> MonitoringRound:
    """A round the user may see: their own group's (ketua) or one of their caseload's (mentor)."""
    rounds = MonitoringRound.objects.select_related("group", "application__scheme")
    if mentoring.is_mentor(user):
        return get_object_or_404(rounds.filter(group__in=mentoring.caseload_groups(user)), pk=pk)
    return get_object_or_404(rounds.filter(group__user=user), pk=pk)


def reporter_of(round_: MonitoringRound, user: AbstractBaseUser) -> str:
    """The reporter role ``user`` has for ``round_``; PermissionDenied when neither."""
    if round_.group.user_id is not None and round_.group.user_id == user.pk:
        return MonitoringRound.Reporter.KETUA
    if mentoring.is_mentor(user) and mentoring.caseload_groups(user).filter(pk=round_.group_id).exists():
        return MonitoringRound.Reporter.MENTOR
    raise PermissionDenied


def rounds_due_for_groups(names: dict[int, str], *, today: datetime.date) -> list[MonitoringRound]:
    """Rounds of these groups (id → name: a mentor's caseload) not reported yet and due within a
    week or overdue: one query on the rounds' (group, due) index."""
    rounds = list(
        MonitoringRound.objects.filter(
            group_id__in=list(names),
            status=MonitoringRound.Status.SCHEDULED,
            due_on__lte=today + datetime.timedelta(days=7),
        )
        .only("pk", "group_id", "months", "due_on")
        .order_by("due_on", "pk")
    )
    for round_ in rounds:
        round_.group_name = names[round_.group_id]
        round_.report_url = reverse("outcomes:report", args=[round_.pk])
    return rounds


def previous_report(round_: MonitoringRound) -> MonitoringRound | None:
    """The group's latest reported round before this one."""
    return (
        MonitoringRound.objects.filter(
            application_id=round_.application_id, status=MonitoringRound.Status.REPORTED, months__lt=round_.months
        )
        .order_by("-months")
        .first()
    )


# --- reporting ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answers:
    operating: bool
    monthly_revenue: int | None
    members_working: int
    others_working: int
    online_link: str = ""
    facility_state: str = ""
    facility_use: str = ""
    note: str = ""


class RevenueJumpError(ValidationError):
    """The revenue is ``REVENUE_JUMP_FACTOR`` times the previous round's or more: confirm it first."""


@dataclass(frozen=True)
class ReportOutcome:
    round: MonitoringRound
    created: bool  # False: the same form was submitted before, nothing recorded twice


def round_report(
    *, round_: MonitoringRound, by: AbstractBaseUser, token: uuid.UUID, answers: Answers, confirm_jump: bool = False
) -> ReportOutcome:
    """Record the answers of ``round_`` once per form ``token`` (a resubmit returns the first record).

    Refused as a whole when ``by`` is neither the group's ketua nor its mentor, the round is not due
    yet or already reported, an answer is out of range, or the revenue jumped 100× without
    ``confirm_jump``."""
    existing = MonitoringRound.objects.filter(submit_token=token).first()
    if existing is not None:
        if existing.reported_by_id != by.pk:
            raise PermissionDenied
        return ReportOutcome(existing, created=False)
    try:
        with transaction.atomic():
            _round_report(round_=round_, by=by, token=token, answers=answers, confirm_jump=confirm_jump)
            return ReportOutcome(round_, created=True)
    except IntegrityError:
        existing = MonitoringRound.objects.filter(submit_token=token).first()
        if existing is None:
            raise
        return ReportOutcome(existing, created=False)


def _round_report(
    *, round_: MonitoringRound, by: AbstractBaseUser, token: uuid.UUID, answers: Answers, confirm_jump: bool
) -> None:
    reporter = reporter_of(round_, by)
    today = timezone.localdate()
    if round_.status != MonitoringRound.Status.SCHEDULED:
        raise ValidationError(_("Pemantauan ini sudah dilaporkan."))
    if today < round_.due_on - datetime.timedelta(days=REPORT_EARLY_DAYS):
        raise ValidationError(
            _("Pemantauan bulan ke-%(m)d baru dapat diisi mulai %(day)s.")
            % {"m": round_.months, "day": (round_.due_on - datetime.timedelta(days=REPORT_EARLY_DAYS)).isoformat()}
        )
    cleaned = answers_clean(round_, answers)
    _check_jump(round_, cleaned, confirm_jump=confirm_jump)
    for name, value in cleaned.items():
        setattr(round_, name, value)
    round_.revenue_jump_confirmed = bool(confirm_jump and _is_jump(round_, cleaned))
    round_.reported_at, round_.reported_by, round_.reporter = timezone.now(), by, reporter
    round_.submit_token = token
    round_.transition_to(MonitoringRound.Status.REPORTED, by=by)
    RoundDraft.objects.filter(round=round_).delete()
    worklist_changed(
        CaseAssignment.objects.filter(group_id=round_.group_id, ended_at__isnull=True).values_list(
            "mentor_id", flat=True
        )
    )


def answers_clean(round_: MonitoringRound, answers: Answers) -> dict[str, object]:
    """The answers as stored, or a ValidationError listing every answer that is wrong."""
    errors: list[str] = []
    members = Member.objects.filter(group_id=round_.group_id).count()
    tkm = round_.programme == Programme.TKM
    revenue = answers.monthly_revenue
    if tkm and answers.operating and revenue is None:
        errors.append(_("Isi omzet sebulan (Rp); tulis 0 bila belum ada penjualan."))
    if revenue is not None and not 0 <= revenue <= MAX_MONTHLY_REVENUE:
        errors.append(_("Omzet sebulan harus antara Rp 0 dan Rp 10 miliar."))
    if not 0 <= answers.members_working <= members:
        errors.append(_("Anggota yang bekerja harus antara 0 dan %(n)d (jumlah anggota kelompok).") % {"n": members})
    if not 0 <= answers.others_working <= MAX_OTHERS_WORKING:
        errors.append(_("Pekerja bukan anggota harus antara 0 dan %(n)d.") % {"n": MAX_OTHERS_WORKING})
    if not answers.operating and (answers.members_working or answers.others_working):
        errors.append(_("Usaha tidak berjalan: jumlah orang yang bekerja di usaha ini harus 0."))
    link = answers.online_link.strip()
    if link:
        try:
            _http_url(link)
        except ValidationError:
            errors.append(_("Tautan toko daring harus alamat lengkap, mis. https://shopee.co.id/nama-toko."))
    if not tkm and not answers.facility_state:
        errors.append(_("Pilih keadaan sarana."))
    if errors:
        raise ValidationError(errors)
    return {
        "operating": answers.operating,
        "monthly_revenue": revenue if revenue is not None else (0 if tkm else None),
        "members_working": answers.members_working,
        "others_working": answers.others_working,
        "online_link": link[:300],
        "facility_state": "" if tkm else answers.facility_state,
        "facility_use": "" if tkm else answers.facility_use.strip()[:500],
        "note": answers.note.strip()[:5000],
    }


def _is_jump(round_: MonitoringRound, cleaned: dict[str, object]) -> bool:
    revenue = cleaned.get("monthly_revenue")
    previous = previous_report(round_)
    if not revenue or previous is None or not previous.monthly_revenue:
        return False
    return revenue >= REVENUE_JUMP_FACTOR * previous.monthly_revenue


def _check_jump(round_: MonitoringRound, cleaned: dict[str, object], *, confirm_jump: bool) -> None:
    if confirm_jump or not _is_jump(round_, cleaned):
        return
    previous = previous_report(round_)
    raise RevenueJumpError(
        _(
            "Omzet Rp %(new)s sebulan adalah 100 kali lipat atau lebih dari laporan bulan ke-%(m)d (Rp %(old)s). "
            "Periksa angkanya; bila benar, centang konfirmasi lalu kirim lagi."
        )
        % {
            "new": f"{cleaned['monthly_revenue']:,}".replace(",", "."),
            "m": previous.months,
            "old": f"{previous.monthly_revenue:,}".replace(",", "."),
        },
        code="revenue_jump",
    )


# --- the form's draft -----------------------------------------------------------------------------------


def draft_save(*, user: AbstractBaseUser, round_: MonitoringRound, data: dict) -> None:
    """Keep what was typed for the next open of the form."""
    kept = {key: str(value)[:5000] for key, value in data.items() if key != "csrfmiddlewaretoken"}
    RoundDraft.objects.update_or_create(user=user, round=round_, defaults={"data": kept, "saved_at": timezone.now()})


def draft_of(*, user: AbstractBaseUser, round_: MonitoringRound) -> dict | None:
    draft = RoundDraft.objects.filter(user=user, round=round_).first()
    return draft.data if draft is not None else None
