"""Business actions of payment verification: draw a batch's sample, invite its respondents by SMS,
take an answer from a signed link, open the complaint on a discrepancy, move non-responders to the
follow-up list, record a field officer's call or visit. Each is atomic; the actor is ``by=`` (None
for a respondent or the system); every status change writes a ``SampleStatusChange`` row.

The draw is set-based: one aggregate for the provinces' populations, then one INSERT … SELECT that
numbers each province's paid tranches in random order and keeps the first n of each — a 100,000-line
batch is drawn by the database in well under the 2 s target, never row by row in Python."""

import datetime
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from applications.money import format_rupiah
from disbursements.models import PaymentBatch, PaymentBatchLine, Tranche
from grievances import services as grievance_services
from grievances.models import Category, Ticket
from groups.models import Group, Member
from jps_portal.celery import enqueue_on_commit
from notifications.links import absolute_url
from notifications.models import Message
from notifications.phones import phone_normalise
from notifications.services import MessageDraft, messages_queue_bulk
from payment_checks.models import (
    Answer,
    DrawStratum,
    FollowUpRecord,
    Respondent,
    SampledPayment,
    SampleStatusChange,
    SamplingPlan,
    VerificationDraw,
)
from payment_checks.sampling import cochran_sample_size
from regions.models import Regency
from regions.scope import region_scope_of

Status = SampledPayment.Status
TOKEN_SALT = "payment_checks.respondent"
TICKET_CATEGORY = "pembayaran"
INVITE_TEMPLATE = "payment_check_invite"
FOLLOW_UP_PERMISSION = "payment_checks.record_follow_up"
NOTE_MAX = 2000


class LinkError(Exception):
    """A /cek-bantuan/ link that cannot be used; ``message`` says why, in words for the respondent."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- the plan and the draw ---------------------------------------------------------------------------


def active_plan() -> SamplingPlan:
    """The plan in use; a default one (95 % ± 5 %, p = 0.5) if the administrator removed them all."""
    plan = SamplingPlan.objects.filter(is_active=True).first()
    if plan is None:
        plan = SamplingPlan.objects.create(name=_("Rencana standar"), is_active=True)
    return plan


def _table(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _paid_by_province(batch_id: int) -> dict[str, int]:
    """The batch's paid tranches per province, counted by the database."""
    rows = (
        PaymentBatchLine.objects.filter(batch_id=batch_id, outcome=PaymentBatchLine.Outcome.PAID)
        .values(province=F("tranche__application__group__regency__province_id"))
        .annotate(count=Count("pk"))
        .values_list("province", "count")
    )
    return dict(rows)


@transaction.atomic
def verification_draw(*, batch_id: int) -> VerificationDraw | None:
    """Draw the sample of a reconciled batch, once. Returns the draw (the existing one when drawn
    before: nothing new is drawn), or None while the batch is not reconciled."""
    batch = PaymentBatch.objects.select_for_update().filter(pk=batch_id).first()
    if batch is None or batch.status != PaymentBatch.Status.RECONCILED:
        return None
    existing = VerificationDraw.objects.filter(batch_id=batch_id).first()
    if existing is not None:
        return existing
    plan = active_plan()
    populations = _paid_by_province(batch_id)
    sizes = {
        province: cochran_sample_size(
            population,
            confidence_level=plan.confidence_level,
            margin_of_error=plan.margin_of_error,
            expected_proportion=plan.expected_proportion,
            minimum=plan.minimum_per_province,
        )
        for province, population in populations.items()
    }
    draw = VerificationDraw.objects.create(
        batch=batch,
        plan=plan,
        confidence_level=plan.confidence_level,
        margin_of_error=plan.margin_of_error,
        expected_proportion=plan.expected_proportion,
        minimum_per_province=plan.minimum_per_province,
        follow_up_after_days=plan.follow_up_after_days,
        link_valid_days=plan.link_valid_days,
        population=sum(populations.values()),
        sample_size=sum(sizes.values()),
    )
    DrawStratum.objects.bulk_create(
        [
            DrawStratum(draw=draw, province_id=province, population=populations[province], sample_size=size)
            for province, size in sorted(sizes.items())
        ]
    )
    _samples_insert(draw)
    _respondents_insert(draw)
    from payment_checks.tasks import invite_respondents

    enqueue_on_commit(invite_respondents, draw.pk)
    return draw


def _samples_insert(draw: VerificationDraw) -> None:
    """One INSERT … SELECT: each province's paid tranches numbered in random order, the first n kept."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table(SampledPayment)} (draw_id, tranche_id, group_id, province_id, regency_id, "  # noqa: S608 - table names from the models, values as parameters
            "amount, status, answered_via, updated_at) "
            "SELECT %s, s.tranche_id, s.group_id, s.province_id, s.regency_id, s.amount, %s, '', %s FROM ("
            "SELECT l.tranche_id AS tranche_id, g.id AS group_id, r.province_id AS province_id, "
            "g.regency_id AS regency_id, l.amount AS amount, "
            "ROW_NUMBER() OVER (PARTITION BY r.province_id ORDER BY RANDOM()) AS position "
            f"FROM {_table(PaymentBatchLine)} AS l "
            f"JOIN {_table(Tranche)} AS t ON t.id = l.tranche_id "
            f"JOIN {_table(Tranche._meta.get_field('application').related_model)} AS a ON a.id = t.application_id "
            f"JOIN {_table(Group)} AS g ON g.id = a.group_id "
            f"JOIN {_table(Regency)} AS r ON r.code = g.regency_id "
            "WHERE l.batch_id = %s AND l.outcome = %s) AS s "
            f"JOIN {_table(DrawStratum)} AS st ON st.draw_id = %s AND st.province_id = s.province_id "
            "WHERE s.position <= st.sample_size",
            [draw.pk, Status.AWAITING, now, draw.batch_id, PaymentBatchLine.Outcome.PAID, draw.pk],
        )


def _respondents_insert(draw: VerificationDraw) -> None:
    """The ketua and the bendahara of each sampled group (those with a phone; the bendahara only when
    the phone is not the ketua's), and the group's registered phone when there is no such bendahara
    and it is not the ketua's either: three INSERT … SELECT."""
    samples, members, respondents = _table(SampledPayment), _table(Member), _table(Respondent)
    common = f"INSERT INTO {respondents} (sample_id, role, member_id, name, phone, answer) "  # noqa: S608
    ketua_phone = f"(SELECT k.phone FROM {members} AS k WHERE k.group_id = s.group_id AND k.role = %s)"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(
            common + f"SELECT s.id, %s, m.id, m.name, m.phone, '' FROM {samples} AS s "  # noqa: S608
            f"JOIN {members} AS m ON m.group_id = s.group_id AND m.role = %s WHERE s.draw_id = %s AND m.phone <> ''",
            [Respondent.Role.KETUA, Member.Role.KETUA, draw.pk],
        )
        cursor.execute(
            common + f"SELECT s.id, %s, m.id, m.name, m.phone, '' FROM {samples} AS s "  # noqa: S608
            f"JOIN {members} AS m ON m.group_id = s.group_id AND m.role = %s WHERE s.draw_id = %s AND m.phone <> '' "
            f"AND m.phone <> COALESCE({ketua_phone}, '')",
            [Respondent.Role.BENDAHARA, Member.Role.BENDAHARA, draw.pk, Member.Role.KETUA],
        )
        cursor.execute(
            common + f"SELECT s.id, %s, NULL, g.name, g.phone, '' FROM {samples} AS s "  # noqa: S608
            f"JOIN {_table(Group)} AS g ON g.id = s.group_id WHERE s.draw_id = %s AND g.phone <> '' "
            f"AND g.phone <> COALESCE({ketua_phone}, '') "
            f"AND NOT EXISTS (SELECT 1 FROM {respondents} AS x WHERE x.sample_id = s.id AND x.role = %s)",
            [Respondent.Role.GROUP_PHONE, draw.pk, Member.Role.KETUA, Respondent.Role.BENDAHARA],
        )


# --- the invitations ---------------------------------------------------------------------------------


def respondent_token(respondent_id: int) -> str:
    """The signed, timestamped part of a respondent's link: no account needed, not forgeable."""
    return signing.dumps(respondent_id, salt=TOKEN_SALT)


def respondent_link(respondent_id: int) -> str:
    return absolute_url(reverse("payment_checks:answer", args=[respondent_token(respondent_id)]))


@dataclass(frozen=True)
class _Invitee:
    respondent_id: int
    phone: str
    group_name: str
    number: int
    amount: int
    drawn_at: datetime.datetime
    valid_days: int


def draw_invite(*, draw_id: int) -> int:
    """Queue one SMS per respondent of the draw through the outbox; returns how many were new.
    Keyed per respondent, so running it again sends nothing twice."""
    rows = (
        Respondent.objects.filter(sample__draw_id=draw_id)
        .order_by("pk")
        .values_list(
            "pk",
            "phone",
            "sample__group__name",
            "sample__tranche__number",
            "sample__amount",
            "sample__draw__drawn_at",
            "sample__draw__link_valid_days",
        )
    )
    drafts = []
    with translation.override("id"):
        for invitee in (_Invitee(*row) for row in rows.iterator(chunk_size=2000)):
            try:
                phone = phone_normalise(invitee.phone)
            except ValueError:
                continue  # no SMS can reach it: the sample goes to the officers' follow-up list in time
            valid_until = invitee.drawn_at + datetime.timedelta(days=invitee.valid_days)
            drafts.append(
                MessageDraft(
                    Message.Channel.SMS,
                    phone,
                    INVITE_TEMPLATE,
                    f"payment-check:{invitee.respondent_id}",
                    {
                        "group": invitee.group_name[:60],
                        "number": invitee.number,
                        "amount": format_rupiah(invitee.amount),
                        "url": respondent_link(invitee.respondent_id),
                        "until": date_format(timezone.localtime(valid_until), "j F Y"),
                    },
                )
            )
    with transaction.atomic():
        created = messages_queue_bulk(drafts=drafts)
        VerificationDraw.objects.filter(pk=draw_id, invited_at__isnull=True).update(invited_at=timezone.now())
    return created


# --- the answer from the link ------------------------------------------------------------------------


def respondent_from_token(token: str) -> Respondent:
    """The respondent behind a link; ``LinkError`` with a clear reason for a forged, mangled or
    expired one (expiry: the draw's ``link_valid_days`` since the link was made)."""
    try:
        respondent_id = signing.loads(token[:200], salt=TOKEN_SALT)
    except signing.BadSignature as error:
        raise LinkError(_("Tautan ini tidak valid. Periksa kembali tautan di SMS Anda.")) from error
    respondent = (
        Respondent.objects.select_related("sample__draw__batch", "sample__tranche", "sample__group")
        .filter(pk=respondent_id if isinstance(respondent_id, int) else None)
        .first()
    )
    if respondent is None:
        raise LinkError(_("Tautan ini tidak valid. Periksa kembali tautan di SMS Anda."))
    max_age = datetime.timedelta(days=respondent.sample.draw.link_valid_days)
    try:
        signing.loads(token[:200], salt=TOKEN_SALT, max_age=max_age)
    except signing.SignatureExpired as error:
        raise LinkError(_("Tautan ini sudah kedaluwarsa. Petugas Disnaker akan menghubungi kelompok Anda.")) from error
    return respondent


def _clean_amount(amount: int | None, *, answer: str, tranche_amount: int) -> int | None:
    if answer != Answer.PARTIAL:
        return None
    if amount is None:
        raise ValidationError({"amount": _("Tuliskan berapa rupiah yang diterima.")})
    if amount < 0 or amount > tranche_amount:
        raise ValidationError(
            {
                "amount": _("Nilai harus antara Rp0 dan %(max)s (nilai yang ditransfer).")
                % {"max": format_rupiah(tranche_amount)}
            }
        )
    return amount


def _is_discrepancy(answer: str, amount: int | None, tranche_amount: int) -> bool:
    return answer == Answer.NONE or (answer == Answer.PARTIAL and (amount or 0) < tranche_amount)


@transaction.atomic
def respondent_answer(*, respondent: Respondent, answer: str, amount: int | None = None) -> tuple[Respondent, bool]:
    """Record a respondent's answer, once. Returns (respondent, recorded): a second answer changes
    nothing and says so. "Not received", or less than the transfer, opens the complaint (once)."""
    if answer not in Answer.values:
        raise ValidationError({"answer": _("Pilih salah satu jawaban.")})
    locked = Respondent.objects.select_for_update().select_related("sample").get(pk=respondent.pk)
    if locked.answer:
        return locked, False
    sample = locked.sample
    amount = _clean_amount(amount, answer=answer, tranche_amount=sample.amount)
    locked.answer = answer
    locked.amount_received = amount
    locked.answered_at = timezone.now()
    locked.save(update_fields=["answer", "amount_received", "answered_at"])
    discrepancy = _is_discrepancy(answer, amount, sample.amount)
    received = sample.amount if answer == Answer.FULL else (amount if answer == Answer.PARTIAL else 0)
    note = _("%(role)s menjawab: %(answer)s") % {
        "role": locked.get_role_display(),
        "answer": locked.get_answer_display(),
    }
    _sample_settle(
        sample,
        discrepancy=discrepancy,
        received=received,
        channel=SampledPayment.Channel.SMS_LINK,
        by=None,
        note=note,
        complainant=(locked.name, locked.phone, Ticket.Filer.VERIFIED_PHONE),
    )
    return locked, True


def _sample_settle(
    sample: SampledPayment,
    *,
    discrepancy: bool,
    received: int | None,
    channel: str,
    by: AbstractBaseUser | None,
    note: str,
    complainant: tuple[str, str, str],
) -> None:
    """Move the sample to confirmed or discrepancy (if its table allows), with the history row; a
    discrepancy opens the payment complaint on its tranche, once."""
    locked = SampledPayment.objects.select_for_update().get(pk=sample.pk)
    target = Status.DISCREPANCY if discrepancy else Status.CONFIRMED
    if locked.can_move_to(target):
        _transition(locked, target, by=by, channel=channel, note=note, amount_received=received, answered_via=channel)
    elif (
        locked.status == Status.DISCREPANCY
        and received is not None
        and (locked.amount_received is None or received < locked.amount_received)
    ):
        # Another respondent reported less still: keep the lowest figure.
        locked.amount_received = received
        locked.save(update_fields=["amount_received"])
    if discrepancy:
        _ticket_open_once(locked, complainant=complainant, note=note)
    sample.refresh_from_db()


def _transition(
    sample: SampledPayment,
    status: str,
    *,
    by: AbstractBaseUser | None,
    channel: str = "",
    note: str = "",
    **fields: object,
) -> None:
    previous = sample.status
    now = timezone.now()
    sample.status = status
    sample.updated_at = now
    for name, value in fields.items():
        setattr(sample, name, value)
    sample.save(update_fields=["status", "updated_at", *fields])
    SampleStatusChange.objects.create(
        sample=sample, from_status=previous, to_status=status, channel=channel, changed_by=by, changed_at=now, note=note
    )


def _ticket_open_once(sample: SampledPayment, *, complainant: tuple[str, str, str], note: str) -> Ticket | None:
    """The payment complaint of a sample, filed through grievances' own service once (the sample row
    is locked by the caller, and its ``ticket`` is one-to-one)."""
    if sample.ticket_id is not None:
        return sample.ticket
    category = Category.objects.filter(code=TICKET_CATEGORY).first()
    if category is None:
        return None  # the administrator retired the category: the discrepancy stays in the results
    name, phone, filer = complainant
    tranche = Tranche.objects.select_related("application").get(pk=sample.tranche_id)
    reference = (
        PaymentBatchLine.objects.filter(batch_id=sample.draw.batch_id, tranche_id=tranche.pk)
        .values_list("payment_reference", flat=True)
        .first()
    )
    description = _(
        "Verifikasi pembayaran batch %(batch)s: tahap %(number)d senilai %(amount)s (referensi %(reference)s) "
        "dilaporkan tidak diterima sesuai nilai. %(note)s. Nilai diterima menurut laporan: %(received)s."
    ) % {
        "batch": sample.draw.batch.reference,
        "number": tranche.number,
        "amount": format_rupiah(sample.amount),
        "reference": reference or "-",
        "note": note,
        "received": format_rupiah(sample.amount_received or 0),
    }
    try:
        phone_ok = phone_normalise(phone) if phone else ""
    except ValueError:
        phone_ok = ""
    ticket = grievance_services.ticket_file(
        category=category,
        description=description,
        filed_by=filer if phone_ok else Ticket.Filer.PUBLIC,
        tranche=tranche,
        name=name,
        phone=phone_ok,
    )
    sample.ticket = ticket
    sample.save(update_fields=["ticket"])
    return ticket


# --- non-responders and the field officers ---------------------------------------------------------


def samples_move_to_follow_up(*, now: datetime.datetime | None = None) -> int:
    """Samples still unanswered the plan's days after their draw go to the follow-up list, with a
    history row each. Set-based per draw; rows being answered right now are skipped (``skip_locked``)
    and picked up by the next run."""
    now = now or timezone.now()
    moved = 0
    draws = (
        VerificationDraw.objects.filter(samples__status=Status.AWAITING)
        .distinct()
        .values_list("pk", "drawn_at", "follow_up_after_days")
    )
    note = _("Belum ada jawaban dari SMS: masuk daftar tindak lanjut petugas.")
    for draw_id, drawn_at, days in list(draws):
        if drawn_at + datetime.timedelta(days=days) > now:
            continue
        with transaction.atomic():
            ids = list(
                SampledPayment.objects.filter(draw_id=draw_id, status=Status.AWAITING)
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)
            )
            SampleStatusChange.objects.bulk_create(
                [
                    SampleStatusChange(
                        sample_id=pk, from_status=Status.AWAITING, to_status=Status.FOLLOW_UP, changed_at=now, note=note
                    )
                    for pk in ids
                ],
                batch_size=2000,
            )
            for start in range(0, len(ids), 5000):
                SampledPayment.objects.filter(pk__in=ids[start : start + 5000]).update(
                    status=Status.FOLLOW_UP, follow_up_since=now, updated_at=now
                )
            moved += len(ids)
    return moved


def reconciled_batches_without_draw() -> list[int]:
    """Batches reconciled whose draw never ran (the broker was down when they closed)."""
    return list(
        PaymentBatch.objects.filter(status=PaymentBatch.Status.RECONCILED, verification_draw__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:100]
    )


@transaction.atomic
def follow_up_record(
    *, sample: SampledPayment, by: AbstractBaseUser, method: str, outcome: str, note: str, amount: int | None = None
) -> FollowUpRecord:
    """A field officer's call or visit to a group on the follow-up list, and what it found."""
    if not by.has_perm(FOLLOW_UP_PERMISSION):
        raise PermissionDenied(_("Anda tidak berwenang mencatat tindak lanjut."))
    locked = SampledPayment.objects.select_for_update().select_related("draw__batch").get(pk=sample.pk)
    if not region_scope_of(by).covers(province_code=locked.province_id, regency_code=locked.regency_id):
        raise PermissionDenied(_("Kelompok ini di luar wilayah Anda."))
    if locked.status not in (Status.FOLLOW_UP, Status.UNREACHABLE):
        raise ValidationError(_("Sampel ini tidak ada di daftar tindak lanjut (sudah dijawab)."))
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Tuliskan catatan hasil telepon atau kunjungan.")})
    if method not in FollowUpRecord.Method.values or outcome not in FollowUpRecord.Outcome.values:
        raise ValidationError(_("Pilih cara dan hasil tindak lanjut."))
    amount = _clean_amount(amount, answer=outcome, tranche_amount=locked.amount)
    record = FollowUpRecord.objects.create(
        sample=locked, method=method, outcome=outcome, amount_received=amount, note=note[:NOTE_MAX], recorded_by=by
    )
    channel = SampledPayment.Channel.CALL if method == FollowUpRecord.Method.CALL else SampledPayment.Channel.VISIT
    text = f"{record.get_method_display()}: {record.get_outcome_display()}. {note[:NOTE_MAX]}"
    if outcome == FollowUpRecord.Outcome.UNREACHABLE:
        if locked.can_move_to(Status.UNREACHABLE):
            _transition(locked, Status.UNREACHABLE, by=by, channel=channel, note=text)
        return record
    received = locked.amount if outcome == Answer.FULL else (amount if outcome == Answer.PARTIAL else 0)
    ketua = locked.respondents.filter(role=Respondent.Role.KETUA).values_list("name", "phone").first() or ("", "")
    _sample_settle(
        locked,
        discrepancy=_is_discrepancy(outcome, amount, locked.amount),
        received=received,
        channel=channel,
        by=by,
        note=text,
        complainant=(ketua[0], ketua[1], Ticket.Filer.PUBLIC),
    )
    return record
