"""Business actions on objections and complaints: file, assign, investigate, resolve, reject, appeal,
reassign, escalate. Each is atomic, takes the actor as ``by=`` (None for the public or the system),
writes a ``TicketHistory`` row and queues the complainant's message in the same transaction (the
outbox delivers it after commit: a gateway that is down delays it, never loses it)."""

import datetime
import secrets
from collections.abc import Sequence
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, Flag
from applications.uploads import SUFFIXES, upload_content_type
from disbursements import services as disbursement_services
from disbursements.models import Tranche
from grievances.models import Category, Ticket, TicketAttachment, TicketHistory
from grievances.sla import add_working_days
from groups.models import Group
from notifications.links import absolute_url
from notifications.models import Message
from notifications.phones import phone_normalise
from notifications.services import MessageDraft, message_queue, messages_queue_bulk
from regions.models import Regency

HANDLE_PERMISSION = "grievances.handle_ticket"
SENSITIVE_PERMISSION = "grievances.view_sensitive_ticket"
DESCRIPTION_MAX = 4000
MAX_ATTACHMENTS = 3


def _today() -> datetime.date:
    return timezone.localdate()


# --- filing ----------------------------------------------------------------------------------------


@transaction.atomic
def ticket_file(
    *,
    category: Category,
    description: str,
    filed_by: str,
    application: Application | None = None,
    group: Group | None = None,
    tranche: Tranche | None = None,
    regency: Regency | None = None,
    name: str = "",
    phone: str = "",
    email: str = "",
    user: AbstractBaseUser | None = None,
    attachments: Sequence[UploadedFile] = (),
) -> Ticket:
    """Store a ticket (before anything is sent), give it its number and due date, assign it to an
    officer of its region (or the integrity team) and tell the complainant the number. A ticket about a
    ``tranche`` is about its application and group too; in a category that holds, the group's next
    unpaid tahap is held until the ticket closes. ``attachments`` (a photo, a letter) pass the same
    content checks as application documents; one refused refuses the ticket, and nothing is stored."""
    checked = _attachments_checked(attachments)
    description = description.strip()
    if not description:
        raise ValidationError({"description": _("Tuliskan uraian pengaduan Anda.")})
    if len(description) > DESCRIPTION_MAX:
        raise ValidationError({"description": _("Uraian terlalu panjang (paling banyak 4.000 karakter).")})
    if not category.is_active:
        raise ValidationError({"category": _("Kategori ini tidak dipakai lagi.")})
    if filed_by == Ticket.Filer.ANONYMOUS:
        if not category.is_sensitive:
            raise ValidationError(
                {"category": _("Pengaduan tanpa identitas hanya untuk pungli atau pelanggaran petugas.")}
            )
        name, phone, email, user = "", "", "", None
    if tranche is not None:
        application = tranche.application
    if category.about_group and application is None:
        raise ValidationError({"category": _("Sanggahan ini diajukan dari daftar kelompok penerima.")})
    if application is not None:
        group = application.group
    if group is not None:
        regency = group.regency
    if regency is None:
        raise ValidationError({"regency": _("Pilih kabupaten/kota tempat kejadian.")})
    if phone:
        try:
            phone = phone_normalise(phone)
        except ValueError as error:
            raise ValidationError({"phone": _("Nomor HP tidak valid.")}) from error
    ticket = Ticket.objects.create(
        number=f"TMP-{secrets.token_hex(8)}",  # replaced by the numbered one below, same transaction
        category=category,
        is_sensitive=category.is_sensitive,
        filed_by=filed_by,
        application=application,
        group=group,
        tranche=tranche,
        province_id=regency.province_id,
        regency=regency,
        description=description,
        complainant_name=name.strip()[:150],
        complainant_phone=phone,
        complainant_email=email.strip(),
        complainant_user=user,
        due_on=add_working_days(_today(), category.sla_working_days),
    )
    ticket.number = f"ADU-{ticket.filed_at.year}-{ticket.pk:07d}"
    ticket.save(update_fields=["number"])
    TicketHistory.objects.create(
        ticket=ticket, kind=TicketHistory.Kind.FILED, to_status=ticket.status, level=ticket.level, changed_by=user
    )
    _hold_place(ticket, by=user)
    _auto_assign(ticket, by=None)
    _notify(ticket)
    # Files last: storage is not transactional, so nothing that can still refuse comes after them.
    for upload, content_type in checked:
        _attachment_store(ticket, upload, content_type)
    return ticket


def _attachments_checked(attachments: Sequence[UploadedFile]) -> list[tuple[UploadedFile, str]]:
    """Each upload with its content type (by its first bytes: ``applications.uploads``), or the
    refusal, in Indonesian, naming the file."""
    if len(attachments) > MAX_ATTACHMENTS:
        raise ValidationError(
            {"attachments": _("Paling banyak %(count)d lampiran per pengaduan.") % {"count": MAX_ATTACHMENTS}}
        )
    checked = []
    for upload in attachments:
        try:
            checked.append((upload, upload_content_type(upload)))
        except ValidationError as error:
            name = _printable(upload.name or "")[:80]
            raise ValidationError({"attachments": [f"{name}: {message}" for message in error.messages]}) from error
    return checked


def _printable(name: str) -> str:
    return "".join(character for character in name if character.isprintable())


def _attachment_store(ticket: Ticket, upload: UploadedFile, content_type: str) -> TicketAttachment:
    original_name = _printable(upload.name or "")[:255] or "lampiran"
    size = upload.size
    # The stored name is random (``_attachment_path``); its suffix follows the content, not the name sent.
    upload.name = f"lampiran{SUFFIXES[content_type]}"
    return TicketAttachment.objects.create(
        ticket=ticket, file=upload, original_name=original_name, content_type=content_type, size=size
    )


def attachment_for_tracking(*, number: str, token: str, pk: int) -> TicketAttachment | None:
    """An attachment of the ticket behind a tracking link, or None (the same for any wrong part)."""
    ticket = ticket_for_tracking(number=number, token=token)
    if ticket is None:
        return None
    return ticket.attachments.filter(pk=pk).first()


def attachment_for_officer(*, user: AbstractBaseUser, pk: int) -> TicketAttachment | None:
    """An attachment of a ticket ``user`` sees in the admin (their region's; sensitive ones only for
    the integrity team), or None."""
    may_open = user.has_perm("grievances.view_ticket") or user.has_perm("grievances.change_ticket")
    if not user.is_active or not user.is_staff or not may_open:  # what the ticket admin asks
        return None
    return TicketAttachment.objects.filter(pk=pk, ticket__in=Ticket.objects.visible_to(user)).first()


# --- the hold on the next tahap --------------------------------------------------------------------


def hold_source(ticket: Ticket) -> str:
    """The key of the ticket's holds in ``disbursements`` (which never imports grievances)."""
    return f"grievances.ticket:{ticket.pk}"


def _hold_place(ticket: Ticket, *, by: AbstractBaseUser | None) -> None:
    """An open ticket of a holding category about a group: hold each of the group's applications that
    has a tahap (the ticket's own one if it names it). The reason names no complaint detail: finance
    reads it, and the ticket itself is for the officers who may see it."""
    if not ticket.category.holds_next_tranche or ticket.group_id is None:
        return
    applications = (
        [ticket.application]
        if ticket.application_id
        else list(Application.objects.filter(group_id=ticket.group_id, tranches__isnull=False).distinct())
    )
    reason = _("Pengaduan pembayaran %(number)s belum selesai.") % {"number": ticket.number}
    for application in applications:
        disbursement_services.tranche_hold_place(
            application=application, source=hold_source(ticket), reason=reason, by=by
        )


def _hold_release(ticket: Ticket, *, by: AbstractBaseUser | None) -> None:
    disbursement_services.tranche_holds_release(
        source=hold_source(ticket),
        by=by,
        note=_("Pengaduan %(number)s selesai: %(status)s.")
        % {"number": ticket.number, "status": ticket.get_status_display()},
    )


def _auto_assign(ticket: Ticket, *, by: AbstractBaseUser | None, start_level: int | None = None) -> None:
    """Give the ticket to the least-loaded officer who may handle it, from its level upwards
    (regency → province → national); sensitive ones to the integrity team. Nobody found: it waits,
    received, in the queue of whoever is added later."""
    officer, level = _pick_officer(ticket, start_level or ticket.level)
    if officer is None:
        return
    ticket.transition_to(
        Ticket.Status.ASSIGNED,
        by=by,
        note=_("Ditugaskan otomatis menurut wilayah dan kategori."),
        assigned_to=officer,
        level=level,
    )


def _officers() -> QuerySet:
    user_model = get_user_model()
    return (
        user_model.objects.filter(is_active=True, is_staff=True)
        .filter(
            Q(groups__permissions__codename="handle_ticket", groups__permissions__content_type__app_label="grievances")
        )
        .distinct()
    )


def _pick_officer(ticket: Ticket, level: int) -> tuple[AbstractBaseUser | None, int]:
    if ticket.is_sensitive:
        candidates = _officers().filter(
            groups__permissions__codename="view_sensitive_ticket",
            groups__permissions__content_type__app_label="grievances",
        )
        return _least_loaded(candidates), Ticket.Level.NATIONAL
    tiers = {
        Ticket.Level.REGENCY: Q(scope_regencies=ticket.regency_id) if ticket.regency_id else Q(pk__in=[]),
        Ticket.Level.PROVINCE: Q(scope_provinces=ticket.province_id),
        Ticket.Level.NATIONAL: Q(scope_national=True),
    }
    for tier in range(level, Ticket.Level.NATIONAL + 1):
        officer = _least_loaded(_officers().filter(tiers[tier]))
        if officer is not None:
            return officer, tier
    return None, level


def _least_loaded(candidates: QuerySet) -> AbstractBaseUser | None:
    user_model = get_user_model()
    ids = list(candidates.values_list("pk", flat=True)[:200])
    if not ids:
        return None
    return (
        user_model.objects.filter(pk__in=ids)
        .annotate(load=Count("assigned_tickets", filter=~Q(assigned_tickets__status__in=Ticket.CLOSED)))
        .order_by("load", "pk")
        .first()
    )


# --- officers' actions -------------------------------------------------------------------------------


def _require_handler(ticket: Ticket, by: AbstractBaseUser) -> None:
    """Refused unless ``by`` may handle tickets and sees this one (region; integrity for sensitive)."""
    if not by.has_perm(HANDLE_PERMISSION) or not Ticket.objects.visible_to(by).filter(pk=ticket.pk).exists():
        raise PermissionDenied(_("Tiket ini di luar wewenang Anda."))


def _required_note(note: str) -> str:
    note = note.strip()
    if not note:
        raise ValidationError(_("Tuliskan catatan pemeriksaan."))
    return note


@transaction.atomic
def ticket_investigate(*, ticket: Ticket, by: AbstractBaseUser, note: str = "") -> Ticket:
    _require_handler(ticket, by)
    ticket.transition_to(Ticket.Status.INVESTIGATING, by=by, note=note.strip(), assigned_to=ticket.assigned_to or by)
    _notify(ticket)
    return ticket


@transaction.atomic
def ticket_resolve(*, ticket: Ticket, by: AbstractBaseUser, upheld: bool, note: str) -> Ticket:
    """Close an investigated ticket. An upheld objection whose category blocks opens a blocking flag on
    the group (approval and verification refuse while it is open); one found not upheld after an
    appeal closes the flag it had opened."""
    _require_handler(ticket, by)
    note = _required_note(note)
    status = Ticket.Status.UPHELD if upheld else Ticket.Status.NOT_UPHELD
    fields: dict[str, object] = {"closed_at": timezone.now(), "resolution_note": note}
    if upheld and ticket.category.blocks_when_upheld and ticket.group_id:
        fields["flag"] = _open_block_flag(ticket, note)
    ticket.transition_to(status, by=by, note=note, **fields)
    _hold_release(ticket, by=by)
    if not upheld and ticket.flag_id:
        Flag.objects.filter(pk=ticket.flag_id, resolved_at__isnull=True).update(
            resolved_at=timezone.now(),
            clear_note=_("Sanggahan %(number)s tidak terbukti setelah banding.") % {"number": ticket.number},
        )
    _notify(ticket)
    return ticket


def _open_block_flag(ticket: Ticket, note: str) -> Flag:
    existing = Flag.objects.filter(
        group_id=ticket.group_id, member__isnull=True, rule=Flag.Rule.OBJECTION_UPHELD, resolved_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    evidence = _("Sanggahan %(number)s (%(category)s) terbukti: %(note)s") % {
        "number": ticket.number,
        "category": ticket.category.name,
        "note": note[:1000],
    }
    return Flag.objects.create(
        group_id=ticket.group_id,
        rule=Flag.Rule.OBJECTION_UPHELD,
        severity=Flag.Severity.BLOCK,
        evidence=evidence,
        raised_at=timezone.now(),
    )


@transaction.atomic
def ticket_reject(*, ticket: Ticket, by: AbstractBaseUser, note: str) -> Ticket:
    """Not a matter for this programme, or not enough to act on: closed with the reason."""
    _require_handler(ticket, by)
    note = _required_note(note)
    ticket.transition_to(Ticket.Status.REJECTED, by=by, note=note, closed_at=timezone.now(), resolution_note=note)
    _hold_release(ticket, by=by)
    _notify(ticket)
    return ticket


@transaction.atomic
def ticket_reassign(*, ticket: Ticket, by: AbstractBaseUser, to: AbstractBaseUser, note: str) -> Ticket:
    """Hand an open ticket to another officer who may handle it; recorded with who, when and why."""
    _require_handler(ticket, by)
    note = _required_note(note)
    if ticket.is_closed:
        raise ValidationError(_("Tiket yang sudah selesai tidak dapat dialihkan."))
    if (
        not to.is_active
        or not to.has_perm(HANDLE_PERMISSION)
        or not Ticket.objects.visible_to(to).filter(pk=ticket.pk).exists()
    ):
        raise ValidationError(_("Petugas tujuan tidak berwenang atas tiket ini."))
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    ticket.assigned_to = to
    fields = ["assigned_to"]
    if locked.status in (Ticket.Status.RECEIVED, Ticket.Status.REOPENED):
        ticket.transition_to(Ticket.Status.ASSIGNED, by=by, note=note, assigned_to=to)
        return ticket
    ticket.save(update_fields=fields)
    TicketHistory.objects.create(
        ticket=ticket,
        kind=TicketHistory.Kind.ASSIGNMENT,
        from_status=locked.status,
        to_status=locked.status,
        assigned_to=to,
        level=ticket.level,
        changed_by=by,
        note=note,
    )
    return ticket


# --- the complainant ---------------------------------------------------------------------------------


@transaction.atomic
def ticket_appeal(*, ticket: Ticket, reason: str) -> Ticket:
    """The complainant disagrees with the outcome: reopened once, one level up."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Tuliskan alasan banding.")})
    if not ticket.can_appeal:
        raise ValidationError(_("Tiket ini tidak dapat dibanding lagi."))
    next_level = min(ticket.level + 1, Ticket.Level.NATIONAL)
    ticket.transition_to(
        Ticket.Status.REOPENED,
        by=None,
        note=reason[:DESCRIPTION_MAX],
        appeals=ticket.appeals + 1,
        closed_at=None,
        level=next_level,
        due_on=add_working_days(_today(), ticket.category.sla_working_days),
    )
    _hold_place(ticket, by=None)  # open again: so is the hold
    _auto_assign(ticket, by=None, start_level=next_level)
    _notify(ticket)
    return ticket


def ticket_for_tracking(*, number: str, token: str) -> Ticket | None:
    """The ticket behind a tracking link, or None; the same answer for a wrong number or token."""
    from django.utils.crypto import constant_time_compare

    ticket = Ticket.objects.select_related("category").filter(number=number[:24]).first()
    if ticket is None or not constant_time_compare(ticket.tracking_token, token[:64]):
        return None
    return ticket


def tracking_path(ticket: Ticket) -> str:
    from django.urls import reverse

    return reverse("grievances:track", args=[ticket.number, ticket.tracking_token])


# --- escalation ------------------------------------------------------------------------------------


def tickets_escalate_overdue(*, today: datetime.date | None = None) -> int:
    """Open tickets past their due date go one level up (regency → province → national), to an
    officer there, with a new due date, each with one history row; each receiving officer gets one
    e-mail saying how many came. Idempotent for a day: an escalated ticket is due again only after its
    new service level.

    Set-based: one small read (which levels × provinces are overdue), one officer chosen per
    destination, then the move itself. No row-lock pass first: every condition that makes a ticket
    overdue is re-checked by the UPDATE's own WHERE, and PostgreSQL re-evaluates it on the newest
    version of a row an officer changed meanwhile (it waits for that officer's transaction), so a
    ticket closed, appealed or escalated concurrently is left as the officer made it."""
    today = today or _today()
    overdue = Ticket.objects.overdue(today)
    sources = sorted(overdue.order_by().values_list("level", "province_id").distinct())
    if not sources:
        return 0
    plan = _destinations(sources)
    sla = dict(Category.objects.values_list("pk", "sla_working_days"))
    due = {category_id: add_working_days(today, days) for category_id, days in sla.items()}
    with transaction.atomic():
        if connection.vendor == "postgresql":
            received = _escalate_in_one_statement(today, plan, due)
        else:
            received = _escalate_row_by_row(today, plan, due)
        _escalation_digests(today, {officer_id: batch for officer_id, batch in received.items() if officer_id})
    return sum(count for count, _first in received.values())


class Move(NamedTuple):
    """Where the overdue tickets of one level × province go: the level above, to this officer (None:
    nobody found there or higher; the ticket keeps its officer and waits at the new level)."""

    from_level: int
    province_id: str
    to_level: int
    officer_id: int | None


def _escalation_notes() -> dict[int, str]:
    return {
        level: _("Melewati batas waktu: dinaikkan ke tingkat %(level)s.") % {"level": Ticket.Level(level).label}
        for level in (Ticket.Level.PROVINCE, Ticket.Level.NATIONAL)
    }


def _escalate_in_one_statement(
    today: datetime.date, plan: list[Move], due: dict[int, datetime.date]
) -> dict[int | None, tuple[int, int]]:
    """The move, the history rows and the count per receiving officer in one statement: an UPDATE …
    FROM two small lists (destinations, new due dates) whose RETURNING feeds the history INSERT. Each
    ticket is rewritten once (every index on the table pays for each rewrite). Returns officer id →
    (tickets received, lowest ticket id)."""
    tickets, history = Ticket._meta.db_table, TicketHistory._meta.db_table
    notes = _escalation_notes()
    moves = ", ".join(["(%s::smallint, %s::varchar, %s::smallint, %s::integer)"] * len(plan))
    dues = ", ".join(["(%s::integer, %s::date)"] * len(due))
    closed = ", ".join(["%s"] * len(Ticket.CLOSED))
    sql = (
        f"WITH destination (from_level, province_id, to_level, officer_id) AS (VALUES {moves}), "  # noqa: S608 - names from the models, values as parameters
        f"new_due (category_id, due_on) AS (VALUES {dues}), "
        f"moved AS (UPDATE {tickets} AS t SET level = d.to_level, due_on = n.due_on, "
        "assigned_to_id = COALESCE(d.officer_id, t.assigned_to_id) "
        "FROM destination AS d, new_due AS n "
        "WHERE t.level = d.from_level AND t.province_id = d.province_id AND t.category_id = n.category_id "
        f"AND t.due_on < %s AND t.level < %s AND t.status NOT IN ({closed}) "
        "RETURNING t.id, t.status, t.assigned_to_id, t.level, d.officer_id), "
        f"recorded AS (INSERT INTO {history} "
        "(ticket_id, kind, from_status, to_status, assigned_to_id, level, changed_at, note) "
        "SELECT id, %s, status, status, assigned_to_id, level, %s, CASE WHEN level = %s THEN %s ELSE %s END "
        "FROM moved) "
        "SELECT officer_id, COUNT(*), MIN(id) FROM moved GROUP BY officer_id"
    )
    params: list[object] = [value for move in plan for value in move]
    params += [value for item in due.items() for value in item]
    params += [today, int(Ticket.Level.NATIONAL), *sorted(Ticket.CLOSED)]
    params += [str(TicketHistory.Kind.ESCALATION), timezone.now(), int(Ticket.Level.PROVINCE)]
    params += [notes[Ticket.Level.PROVINCE], notes[Ticket.Level.NATIONAL]]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {officer_id: (count, first) for officer_id, count, first in cursor.fetchall()}


def _escalate_row_by_row(
    today: datetime.date, plan: list[Move], due: dict[int, datetime.date]
) -> dict[int | None, tuple[int, int]]:
    """The same move for databases without data-modifying WITH (SQLite in development and tests):
    the overdue rows locked and read, then one UPDATE per destination × category."""
    notes, now = _escalation_notes(), timezone.now()
    received: dict[int | None, tuple[int, int]] = {}
    for move in plan:
        rows = list(
            Ticket.objects.overdue(today)
            .filter(level=move.from_level, province_id=move.province_id)
            .select_for_update()
            .values_list("pk", "category_id", "status", "assigned_to_id")
        )
        if not rows:
            continue
        by_category: dict[int, list[int]] = {}
        for pk, category_id, _status, _officer in rows:
            by_category.setdefault(category_id, []).append(pk)
        fields: dict[str, object] = {"level": move.to_level}
        if move.officer_id is not None:
            fields["assigned_to_id"] = move.officer_id
        for category_id, ids in by_category.items():
            Ticket.objects.filter(pk__in=ids).update(due_on=due[category_id], **fields)
        TicketHistory.objects.bulk_create(
            TicketHistory(
                ticket_id=pk,
                kind=TicketHistory.Kind.ESCALATION,
                from_status=status,
                to_status=status,
                assigned_to_id=move.officer_id or officer_id,
                level=move.to_level,
                changed_at=now,
                note=notes[move.to_level],
            )
            for pk, _category, status, officer_id in rows
        )
        first = min(pk for pk, *_rest in rows)
        count, earlier = received.get(move.officer_id, (0, first))
        received[move.officer_id] = (count + len(rows), min(first, earlier))
    return received


def _destinations(sources: list[tuple[int, str]]) -> list[Move]:
    """Where each overdue level × province goes: the province's least-loaded officer for a regency
    ticket, else (and for a province ticket) the least-loaded national one, else nobody. Three queries
    for the whole country, whatever the number of provinces."""
    provinces = {province_id for level, province_id in sources if level < Ticket.Level.PROVINCE}
    by_province: dict[str, list[int]] = {}
    for officer_id, province_id in (
        _officers().filter(scope_provinces__in=provinces).values_list("pk", "scope_provinces").distinct()
    ):
        by_province.setdefault(province_id, []).append(officer_id)
    national = list(_officers().filter(scope_national=True).values_list("pk", flat=True)[:200])
    loads = _loads({officer_id for ids in by_province.values() for officer_id in ids} | set(national))

    def least_loaded(ids: list[int]) -> int | None:
        return min(ids, key=lambda officer_id: (loads.get(officer_id, 0), officer_id), default=None)

    top = least_loaded(national)
    plan = []
    for level, province_id in sources:
        officer = least_loaded(by_province.get(province_id, [])) if level < Ticket.Level.PROVINCE else None
        if officer is not None:
            plan.append(Move(level, province_id, Ticket.Level.PROVINCE, officer))
        else:
            plan.append(Move(level, province_id, Ticket.Level.NATIONAL if top else level + 1, top))
    return plan


def _loads(officer_ids: set[int]) -> dict[int, int]:
    """Open tickets held, per officer (what ``_least_loaded`` counts), in one query."""
    return dict(
        Ticket.objects.open()
        .filter(assigned_to__in=officer_ids)
        .order_by()
        .values_list("assigned_to")
        .annotate(n=Count("pk"))
    )


def _escalation_digests(today: datetime.date, received: dict[int, tuple[int, int]]) -> None:
    """One e-mail per officer who received escalated tickets (not one per ticket): how many. Queued in
    one bulk insert, delivered after commit. Keyed by the sweep's first ticket for that officer, so a
    second sweep on the same day that moves other tickets tells the officer again, and a sweep that
    is retried after it committed (it moves nothing more) tells nobody twice."""
    from django.urls import reverse

    url = absolute_url(reverse("admin:grievances_ticket_changelist") + "?status__exact=assigned")
    officers = get_user_model().objects.filter(pk__in=list(received)).exclude(email="").only("pk", "email")
    messages_queue_bulk(
        drafts=[
            MessageDraft(
                Message.Channel.EMAIL,
                officer.email,
                "tickets_escalated",
                f"tickets-escalated:{officer.pk}:{today.isoformat()}:{received[officer.pk][1]}",
                {"count": received[officer.pk][0], "url": url},
            )
            for officer in officers
        ]
    )


# --- messages --------------------------------------------------------------------------------------


def _notify(ticket: Ticket) -> None:
    """The complainant's message for the ticket's current state (none for an anonymous one)."""
    context = {
        "number": ticket.number,
        "status": str(ticket.get_status_display()),
        "url": absolute_url(tracking_path(ticket)),
    }
    step = ticket.history.count()
    if ticket.complainant_phone:
        message_queue(
            channel=Message.Channel.SMS,
            to=ticket.complainant_phone,
            template="ticket_update",
            context=context,
            dedupe_key=f"ticket:{ticket.pk}:{step}:sms",
        )
    if ticket.complainant_email:
        message_queue(
            channel=Message.Channel.EMAIL,
            to=ticket.complainant_email,
            template="ticket_update",
            context=context,
            dedupe_key=f"ticket:{ticket.pk}:{step}:email",
        )
