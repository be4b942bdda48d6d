"""Every write about training events: create and open an event, invite groups, register members,
record attendance (organiser's grid, an imported list, a member's check-in code).

Each function is atomic, takes the acting user as ``by`` and refuses bad input with a
``ValidationError`` in Bahasa Indonesia that leaves the database as it was."""

import datetime
import hashlib
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from applications.member_lists import FileRefusedError, file_format_of, iter_rows
from applications.models import Application
from groups.models import Group, Member
from groups.nik import NIK_SEARCH
from jps_portal.bulk_history import insert_rows_with_history
from jps_portal.celery import enqueue_on_commit
from regions.scope import region_scope_of
from training.models import (
    Attendance,
    AttendanceImport,
    Invitation,
    Mode,
    Participant,
    TrainingEvent,
    TrainingSession,
)

Status = TrainingEvent.Status
_QUERY_CHUNK = 5_000
_WRITE_BATCH = 2_000
ERRORS_KEPT = 200
MAX_IMPORT_ROWS = 100_000
MAX_IMPORT_BYTES = 20 * 1024 * 1024

# --- events ---------------------------------------------------------------------------------------------


@transaction.atomic
def event_create(
    *,
    year: int,
    title: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    format: str,  # noqa: A002 — the field's name
    venue: str = "",
    regency_id: str | None = None,
    online_link: str = "",
    capacity_offline: int | None = None,
    capacity_online: int | None = None,
    description: str = "",
    sessions_per_day: int = 1,
    by: AbstractBaseUser | None,
) -> TrainingEvent:
    """A new event in draft, with ``sessions_per_day`` sessions on each of its days."""
    if not 1 <= sessions_per_day <= 6:
        raise ValidationError(_("Jumlah sesi per hari 1–6."))
    if (ends_on - starts_on).days > 30:
        raise ValidationError(_("Satu acara paling lama 31 hari; buat acara terpisah."))
    event = TrainingEvent(
        year=year,
        title=title.strip(),
        description=description.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        format=format,
        venue=venue.strip(),
        regency_id=regency_id,
        online_link=online_link.strip(),
        capacity_offline=capacity_offline,
        capacity_online=capacity_online,
        created_by=by,
    )
    event.full_clean()
    event._history_user = by
    event.save()
    sessions = []
    day, number = starts_on, 0
    while day <= ends_on:
        for part in range(1, sessions_per_day + 1):
            number += 1
            label = date_format(day, "j F Y")
            title_text = label if sessions_per_day == 1 else f"{label} — {_('sesi')} {part}"
            sessions.append(TrainingSession(event=event, number=number, day=day, title=title_text))
        day += datetime.timedelta(days=1)
    TrainingSession.objects.bulk_create(sessions)
    return event


def event_open(*, event: TrainingEvent, by: AbstractBaseUser | None) -> TrainingEvent:
    """Open the event: invitations can go out and ketua can register members."""
    event.transition_to(Status.OPEN, by=by)
    return event


def event_mark_held(*, event: TrainingEvent, by: AbstractBaseUser | None, note: str = "") -> TrainingEvent:
    event.transition_to(Status.HELD, by=by, note=note)
    return event


def event_cancel(*, event: TrainingEvent, by: AbstractBaseUser | None, note: str) -> TrainingEvent:
    if not note.strip():
        raise ValidationError(_("Tulis alasan pembatalan."))
    event.transition_to(Status.CANCELLED, by=by, note=note.strip())
    return event


# --- invitations ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InviteCriteria:
    """Which groups of the event's year to invite. Empty lists mean "any"."""

    province_codes: list[str] = field(default_factory=list)
    regency_codes: list[str] = field(default_factory=list)
    programmes: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    group_codes: list[str] = field(default_factory=list)


def groups_matching(*, event: TrainingEvent, criteria: InviteCriteria, by: AbstractBaseUser) -> QuerySet:
    """The groups of the event's year that meet ``criteria``, within the inviter's region scope."""
    groups = Group.objects.filter(year=event.year)
    groups = groups.filter(region_scope_of(by).q(province="regency__province", regency="regency"))
    if criteria.province_codes:
        groups = groups.filter(regency__province_id__in=criteria.province_codes)
    if criteria.regency_codes:
        groups = groups.filter(regency_id__in=criteria.regency_codes)
    if criteria.group_codes:
        groups = groups.filter(code__in=criteria.group_codes)
    if criteria.programmes or criteria.statuses:
        applications = Application.objects.exclude(status__in=Application.CLOSED)
        if criteria.programmes:
            applications = applications.filter(scheme__programme__in=criteria.programmes)
        if criteria.statuses:
            applications = applications.filter(status__in=criteria.statuses)
        groups = groups.filter(pk__in=applications.values("group_id"))
    return groups


@transaction.atomic
def event_invite(*, event: TrainingEvent, criteria: InviteCriteria, by: AbstractBaseUser) -> int:
    """Invite every matching group not invited yet; the messages go out after commit. Returns how
    many groups were newly invited (inviting the same groups again invites nobody twice)."""
    event = TrainingEvent.objects.select_for_update().get(pk=event.pk)
    if event.status != Status.OPEN:
        raise ValidationError(_("Undangan hanya dapat dikirim untuk acara yang sudah dibuka."))
    already = Invitation.objects.filter(event=event).values("group_id")
    group_ids = list(
        groups_matching(event=event, criteria=criteria, by=by).exclude(pk__in=already).values_list("pk", flat=True)
    )
    now = timezone.now()
    Invitation.objects.bulk_create(
        [Invitation(event=event, group_id=pk, invited_by=by, invited_at=now) for pk in group_ids],
        batch_size=_WRITE_BATCH,
    )
    if group_ids:
        from training.tasks import send_invitations

        enqueue_on_commit(send_invitations, event.pk)
    return len(group_ids)


def invitations_send(*, event_id: int, limit: int = 2_000) -> int:
    """Queue the invitation message of every invitation of the event not sent yet (e-mail to the
    group's account, SMS to the group's phone). Idempotent: a sent invitation is marked, and the
    outbox's dedupe key stops a repeat of a half-finished run. Returns how many were sent."""
    pending = (
        Invitation.objects.filter(event_id=event_id, notified_at__isnull=True)
        .select_related("event", "group__user")
        .order_by("pk")[:limit]
    )
    sent = 0
    for invitation in pending:
        with transaction.atomic():
            _queue_invitation(invitation)
            Invitation.objects.filter(pk=invitation.pk).update(notified_at=timezone.now())
        sent += 1
    return sent


def invitations_pending(*, event_id: int) -> bool:
    return Invitation.objects.filter(event_id=event_id, notified_at__isnull=True).exists()


def _queue_invitation(invitation: Invitation) -> None:
    from jps_portal.messages import message_send

    event, group = invitation.event, invitation.group
    context = {
        "event_title": event.title,
        "group_name": group.name,
        "dates": _date_range(event.starts_on, event.ends_on),
        "venue": event.venue,
        "online": event.format != TrainingEvent.Format.OFFLINE,
        "path": f"/pelatihan/{invitation.pk}/",
    }
    key = f"training-invitation:{invitation.pk}"
    if group.user is not None and group.user.email:
        message_send(channel="email", to=group.user.email, template="training_invitation", context=context, key=key)
    if group.phone:
        message_send(channel="sms", to=group.phone, template="training_invitation", context=context, key=key)


def _date_range(start: datetime.date, end: datetime.date) -> str:
    if start == end:
        return date_format(start, "j F Y")
    return f"{date_format(start, 'j F')} – {date_format(end, 'j F Y')}"


# --- registration by the ketua ----------------------------------------------------------------------------


@transaction.atomic
def participants_register(
    *, invitation: Invitation, choices: dict[int, str | None], by: AbstractBaseUser
) -> list[Participant]:
    """The ketua's registration: ``choices`` maps each member of the group to a mode, or ``None``
    for "not coming". Members already seen at a session stay registered. Refused as a whole when a
    member is not in the group, a mode is not offered by the event, or a mode is over capacity."""
    invitation = Invitation.objects.select_for_update().select_related("event", "group").get(pk=invitation.pk)
    event = invitation.event
    if invitation.group.user_id != by.pk:
        raise ValidationError(_("Pendaftaran hanya dapat diisi oleh akun kelompok yang diundang."))
    if event.status != Status.OPEN:
        raise ValidationError(_("Pendaftaran acara ini sudah ditutup."))
    members = set(Member.objects.filter(group_id=invitation.group_id).values_list("pk", flat=True))
    if not set(choices) <= members:
        raise ValidationError(_("Hanya anggota kelompok ini yang dapat didaftarkan."))
    allowed = event.modes()
    if any(mode is not None and mode not in allowed for mode in choices.values()):
        raise ValidationError(_("Cara ikut tidak tersedia untuk acara ini."))
    existing = {p.member_id: p for p in invitation.participants.all()}
    attended = set(Attendance.objects.filter(participant__invitation=invitation).values_list("member_id", flat=True))
    now = timezone.now()
    for member_id, mode in choices.items():
        participant = existing.get(member_id)
        if mode is None:
            if participant is not None and member_id not in attended:
                participant._history_user = by
                participant.delete()
        elif participant is None:
            participant = Participant(
                event=event, invitation=invitation, member_id=member_id, mode=mode, registered_by=by, registered_at=now
            )
            participant._history_user = by
            participant.save()
        elif participant.mode != mode:
            participant.mode = mode
            participant._history_user = by
            participant.save(update_fields=["mode"])
    _check_capacity(event)
    Invitation.objects.filter(pk=invitation.pk).update(registered_at=now)
    return list(invitation.participants.select_related("member"))


def _check_capacity(event: TrainingEvent) -> None:
    """Refuse (rolling back the caller) when a mode holds more participants than the event seats."""
    # The event row is locked by the caller's invitation lock chain only per group; lock the event so
    # two ketua registering at once cannot both take the last seat.
    TrainingEvent.objects.select_for_update().filter(pk=event.pk).exists()
    counts = dict(event.participants.values_list("mode").annotate(n=Count("pk")).order_by())
    for mode in event.modes():
        capacity = event.capacity(mode)
        if capacity is not None and counts.get(mode, 0) > capacity:
            raise ValidationError(
                _("Kuota peserta %(mode)s sudah penuh (%(capacity)d orang).")
                % {"mode": Mode(mode).label.lower(), "capacity": capacity}
            )


# --- attendance ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Invitee:
    """A member of an invited group, as attendance needs them."""

    member_id: int
    nik: str
    name: str
    invitation_id: int
    province_id: str
    regency_id: str


def _invitees(event: TrainingEvent, *, niks: Iterable[str] | None = None, member_ids: Iterable[int] | None = None):
    """Members of the event's invited groups, by NIK or by id: ``{nik or id: Invitee}``."""
    found: dict[object, Invitee] = {}
    keys = list(niks if niks is not None else member_ids or [])
    lookup = "nik__in" if niks is not None else "pk__in"
    for start in range(0, len(keys), _QUERY_CHUNK):
        rows = (
            Member.objects.filter(
                year=event.year,
                group__training_invitations__event=event,
                **{lookup: keys[start : start + _QUERY_CHUNK]},
            )
            .order_by()
            .values_list(
                "pk",
                "nik",
                "name",
                "group__training_invitations__pk",
                "group__regency__province_id",
                "group__regency_id",
            )
        )
        for pk, nik, name, invitation_id, province, regency in rows:
            invitee = Invitee(pk, nik, name, invitation_id, province, regency)
            found[nik if niks is not None else pk] = invitee
    return found


def _require_recorder(event: TrainingEvent, by: AbstractBaseUser) -> None:
    if not by.has_perm("training.record_attendance"):
        raise ValidationError(_("Anda tidak berwenang mencatat kehadiran."))
    if event.status not in (Status.OPEN, Status.HELD):
        raise ValidationError(_("Kehadiran hanya dicatat untuk acara yang dibuka atau sudah terlaksana."))


@dataclass
class _AttendanceWrite:
    event: TrainingEvent
    by: AbstractBaseUser | None
    source: str
    participants: dict[int, tuple[int, str]] = field(default_factory=dict)  # member → (participant, mode)
    present: set[tuple[int, int]] = field(default_factory=set)  # (session, member) already recorded

    def load(self, member_ids: Iterable[int]) -> None:
        ids = list(member_ids)
        for start in range(0, len(ids), _QUERY_CHUNK):
            chunk = ids[start : start + _QUERY_CHUNK]
            for pk, member_id, mode in Participant.objects.filter(event=self.event, member_id__in=chunk).values_list(
                "pk", "member_id", "mode"
            ):
                self.participants[member_id] = (pk, mode)
            self.present.update(
                Attendance.objects.filter(event=self.event, member_id__in=chunk).values_list("session_id", "member_id")
            )

    def write(self, rows: list[tuple[int, Invitee, str]]) -> tuple[int, int]:
        """``rows`` of (session id, invitee, mode); returns (added, already recorded).

        Rows are written as plain tuples with their history rows (``jps_portal.bulk_history``): an
        import of 20,000 people spent most of its time building model and history instances."""
        now = timezone.now()
        by_id = getattr(self.by, "pk", None)
        new: dict[int, tuple[int, str]] = {}  # member → (invitation, mode)
        for _session, invitee, mode in rows:
            if invitee.member_id not in self.participants and invitee.member_id not in new:
                new[invitee.member_id] = (invitee.invitation_id, mode)
        members = list(new)
        ids = insert_rows_with_history(
            Participant,
            ["event_id", "invitation_id", "member_id", "mode", "registered_by_id", "registered_at"],
            [(self.event.pk, new[m][0], m, new[m][1], by_id, now) for m in members],
            by=self.by,
            now=now,
        )
        for member_id, pk in zip(members, ids, strict=True):
            self.participants[member_id] = (pk, new[member_id][1])
        attendance = []
        existing = 0
        for session_id, invitee, mode in rows:
            key = (session_id, invitee.member_id)
            if key in self.present:
                existing += 1
                continue
            self.present.add(key)
            participant = self.participants[invitee.member_id][0]
            attendance.append(
                (session_id, self.event.pk, participant, invitee.member_id, mode, self.source, by_id, now)
            )
        try:
            with transaction.atomic():  # a concurrent recorder of the same person loses cleanly
                insert_rows_with_history(
                    Attendance,
                    ["session_id", "event_id", "participant_id", "member_id", "mode", "source", "recorded_by_id",
                     "recorded_at"],
                    attendance,
                    by=self.by,
                    now=now,
                )  # fmt: skip
        except IntegrityError as error:
            raise ValidationError(_("Sebagian kehadiran baru saja dicatat petugas lain; ulangi.")) from error
        return len(attendance), existing


@transaction.atomic
def attendance_grid_save(
    *, session: TrainingSession, shown: set[int], present: dict[int, str], by: AbstractBaseUser
) -> tuple[int, int]:
    """The organiser's grid for one session: of the members ``shown`` on the page, those in
    ``present`` (member → mode) attended and the others did not. Returns (added, removed).

    Refused as a whole when a member is not in an invited group or outside the organiser's region."""
    event = session.event
    _require_recorder(event, by)
    if not set(present) <= shown:
        raise ValidationError(_("Daftar hadir tidak cocok dengan halaman; muat ulang halaman."))
    if any(mode not in event.modes() for mode in present.values()):
        raise ValidationError(_("Cara ikut tidak tersedia untuk acara ini."))
    invitees = _invitees(event, member_ids=shown)
    if len(invitees) != len(shown):
        raise ValidationError(_("Hanya anggota kelompok yang diundang yang dapat dicatat hadir."))
    scope = region_scope_of(by)
    if not all(scope.covers(province_code=i.province_id, regency_code=i.regency_id) for i in invitees.values()):
        raise ValidationError(_("Sebagian peserta di luar wilayah tugas Anda."))
    absent = Attendance.objects.filter(session=session, member_id__in=shown - set(present))
    removed = 0
    for row in absent:  # one by one: each removal leaves its history row (who took it back, when)
        row._history_user = by
        row.delete()
        removed += 1
    write = _AttendanceWrite(event=event, by=by, source=Attendance.Source.GRID)
    write.load(present)
    added, _existing = write.write([(session.pk, invitees[m], mode) for m, mode in present.items()])
    return added, removed


CODE_TRIES_PER_MINUTE = 10


@transaction.atomic
def attendance_checkin(*, code: str, nik: str, mode: str | None = None) -> Attendance:
    """A member's own check-in with the session's code, on the session's day. The same person
    checking in twice is recorded once (the first record is returned)."""
    code = code.strip().upper()
    nik = "".join(ch for ch in nik if ch.isdigit())
    session = TrainingSession.objects.select_related("event").filter(checkin_code=code).first()
    if session is None or session.day != timezone.localdate() or session.event.status != Status.OPEN:
        raise ValidationError(_("Kode hadir tidak berlaku hari ini. Periksa kode dari panitia."))
    if not NIK_SEARCH.fullmatch(nik):
        raise ValidationError(_("NIK harus 16 angka."))
    event = session.event
    invitee = _invitees(event, niks=[nik]).get(nik)
    if invitee is None:
        raise ValidationError(_("NIK ini tidak terdaftar di kelompok yang diundang ke acara ini."))
    recorded = Attendance.objects.filter(session=session, member_id=invitee.member_id).first()
    if recorded is not None:
        return recorded
    write = _AttendanceWrite(event=event, by=None, source=Attendance.Source.CODE)
    write.load([invitee.member_id])
    registered = write.participants.get(invitee.member_id)
    chosen = registered[1] if registered else (mode or event.modes()[-1])
    if chosen not in event.modes():
        raise ValidationError(_("Cara ikut tidak tersedia untuk acara ini."))
    write.write([(session.pk, invitee, chosen)])
    return Attendance.objects.get(session=session, member_id=invitee.member_id)


# --- attendance lists (CSV / XLSX) -----------------------------------------------------------------------

IMPORT_COLUMNS = ("nik", "tanggal", "cara_ikut")
OPTIONAL_COLUMNS = ("sesi",)
_MODES_TYPED = {
    "luring": Mode.OFFLINE, "offline": Mode.OFFLINE, "tatap muka": Mode.OFFLINE,
    "daring": Mode.ONLINE, "online": Mode.ONLINE,
}  # fmt: skip


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    value: str
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}


def attendance_import(*, event: TrainingEvent, upload: UploadedFile, by: AbstractBaseUser) -> AttendanceImport:
    """Import an attendance list (one row per person per session): all of it, or — when any row has
    an error — none of it, with every error by row and column. Rows already recorded are counted,
    never doubled, so importing the same file again adds nothing."""
    started = time.perf_counter()
    _require_recorder(event, by)
    if not upload.size:
        raise FileRefusedError(_("Berkas kosong."))
    if upload.size > MAX_IMPORT_BYTES:
        raise FileRefusedError(_("Berkas terlalu besar; paling besar 20 MB."))
    file_format = file_format_of(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    rows, errors = _parse_attendance(event, upload, file_format, by=by)
    record = AttendanceImport(
        event=event,
        uploaded_by=by,
        uploaded_at=timezone.now(),
        original_name="".join(ch for ch in upload.name or "" if ch.isprintable())[:255] or "daftar-hadir",
        file_sha256=digest.hexdigest(),
        rows_total=len(rows) + len({e.row for e in errors}),
    )
    with transaction.atomic():
        if errors:
            record.outcome = AttendanceImport.Outcome.REFUSED
            record.error_count = len(errors)
            record.errors = [error.as_dict() for error in errors[:ERRORS_KEPT]]
        else:
            write = _AttendanceWrite(event=event, by=by, source=Attendance.Source.IMPORT)
            write.load({invitee.member_id for _s, invitee, _m in rows})
            record.rows_added, record.rows_existing = write.write(rows)
            record.outcome = AttendanceImport.Outcome.IMPORTED
        record.seconds = round(time.perf_counter() - started, 3)
        record.save()
    return record


def _parse_attendance(
    event: TrainingEvent, upload: UploadedFile, file_format: str, *, by: AbstractBaseUser
) -> tuple[list[tuple[int, Invitee, str]], list[RowProblem]]:
    sessions = {(s.day, s.number): s.pk for s in event.sessions.all()}
    first_of_day: dict[datetime.date, int] = {}
    for s in event.sessions.order_by("number"):
        first_of_day.setdefault(s.day, s.number)
    numbers_by_day: dict[datetime.date, list[int]] = {}
    for day, number in sorted(sessions):
        numbers_by_day.setdefault(day, []).append(number)
    errors: list[RowProblem] = []
    typed: list[tuple[int, str, int, str]] = []  # (row, nik, session id, mode)
    lines = iter_rows(upload, file_format)
    header = next(lines, None)
    if header is None:
        raise FileRefusedError(_("Berkas kosong."))
    positions = _attendance_header(header[1])
    seen: dict[tuple[str, int], int] = {}
    for number, cells in lines:
        if len(typed) + len(errors) >= MAX_IMPORT_ROWS:
            raise FileRefusedError(_("Paling banyak %(max)d baris per berkas.") % {"max": MAX_IMPORT_ROWS})
        values = {name: (cells[p] if p is not None and p < len(cells) else "") for name, p in positions.items()}
        before = len(errors)
        nik = "".join(ch for ch in values["nik"] if not ch.isspace())
        if not NIK_SEARCH.fullmatch(nik):
            message = _("NIK harus 16 angka (format kolom sebagai Teks di Excel).")
            errors.append(RowProblem(number, "nik", values["nik"][:30], message))
        try:
            day = datetime.date.fromisoformat(values["tanggal"][:10])
        except ValueError:
            day = None
        session_id = None
        if day is None or day not in numbers_by_day:
            message = _("Tanggal harus salah satu hari acara (TTTT-BB-HH).")
            errors.append(RowProblem(number, "tanggal", values["tanggal"][:30], message))
        else:
            part = values.get("sesi") or "1"
            index = int(part) if part.isdigit() else 0
            day_numbers = numbers_by_day[day]
            if not 1 <= index <= len(day_numbers):
                message = _("Sesi ke-%(part)s tidak ada pada hari itu.") % {"part": part[:5]}
                errors.append(RowProblem(number, "sesi", part[:10], message))
            else:
                session_id = sessions[(day, day_numbers[index - 1])]
        mode = _MODES_TYPED.get(values["cara_ikut"].strip().lower())
        if mode is None or mode not in event.modes():
            message = _("Cara ikut harus luring atau daring (sesuai bentuk acara).")
            errors.append(RowProblem(number, "cara_ikut", values["cara_ikut"][:30], message))
        if len(errors) == before:
            first = seen.setdefault((nik, session_id), number)
            if first != number:
                message = _("Orang yang sama di sesi yang sama sudah ada di baris %(row)d.") % {"row": first}
                errors.append(RowProblem(number, "nik", nik, message))
            else:
                typed.append((number, nik, session_id, mode))
    invitees = _invitees(event, niks={nik for _r, nik, _s, _m in typed})
    scope = region_scope_of(by)
    rows = []
    for number, nik, session_id, mode in typed:
        invitee = invitees.get(nik)
        if invitee is None:
            message = _("NIK ini bukan anggota kelompok yang diundang ke acara ini.")
            errors.append(RowProblem(number, "nik", nik, message))
        elif not scope.covers(province_code=invitee.province_id, regency_code=invitee.regency_id):
            errors.append(RowProblem(number, "nik", nik, _("Kelompok orang ini di luar wilayah tugas Anda.")))
        else:
            rows.append((session_id, invitee, mode))
    errors.sort(key=lambda error: error.row)
    return rows, errors


def _attendance_header(cells: list[str]) -> dict[str, int | None]:
    names = [cell.strip().lower().lstrip("\ufeff") for cell in cells]
    missing = [name for name in IMPORT_COLUMNS if name not in names]
    if missing:
        raise FileRefusedError(
            _("Kolom tidak ada: %(missing)s. Gunakan kolom: %(columns)s.")
            % {"missing": ", ".join(missing), "columns": ", ".join((*IMPORT_COLUMNS, *OPTIONAL_COLUMNS))}
        )
    return {name: (names.index(name) if name in names else None) for name in (*IMPORT_COLUMNS, *OPTIONAL_COLUMNS)}


# --- reading ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventSummary:
    groups_invited: int
    groups_registered: int
    registered_offline: int
    registered_online: int
    attended_offline: int
    attended_online: int
    sessions: list[tuple[TrainingSession, int, int]]  # (session, offline, online)

    @property
    def registered(self) -> int:
        return self.registered_offline + self.registered_online

    @property
    def attended(self) -> int:
        return self.attended_offline + self.attended_online


def event_summary(*, event: TrainingEvent, user: AbstractBaseUser) -> EventSummary:
    """The event's funnel as far as ``user``'s region scope reaches. Four queries."""
    scope = region_scope_of(user)
    invited = Invitation.objects.filter(event=event).filter(
        scope.q(province="group__regency__province", regency="group__regency")
    )
    counts = invited.aggregate(groups=Count("pk"), registered=Count("pk", filter=Q(registered_at__isnull=False)))
    in_scope = scope.q(province="invitation__group__regency__province", regency="invitation__group__regency")
    registered = dict(
        Participant.objects.filter(event=event).filter(in_scope).values_list("mode").annotate(n=Count("pk")).order_by()
    )
    # A person counts once for the event: offline if they were at the venue for any session.
    attended_scope = scope.q(
        province="participant__invitation__group__regency__province", regency="participant__invitation__group__regency"
    )
    attendance = Attendance.objects.filter(event=event).filter(attended_scope)
    people_counts = _people_counts(attendance)
    per_session = {
        row["session_id"]: row
        for row in attendance.values("session_id")
        .annotate(
            offline=Count("pk", filter=Q(mode=Mode.OFFLINE)),
            online=Count("pk", filter=Q(mode=Mode.ONLINE)),
        )
        .order_by()
    }
    sessions = [
        (s, per_session.get(s.pk, {}).get("offline", 0), per_session.get(s.pk, {}).get("online", 0))
        for s in event.sessions.all()
    ]
    return EventSummary(
        groups_invited=counts["groups"],
        groups_registered=counts["registered"],
        registered_offline=registered.get(Mode.OFFLINE, 0),
        registered_online=registered.get(Mode.ONLINE, 0),
        attended_offline=people_counts[0],
        attended_online=people_counts[1],
        sessions=sessions,
    )


def _people_counts(attendance: QuerySet) -> tuple[int, int]:
    """(offline, online) distinct people: offline when present at the venue at least once."""
    offline = attendance.filter(mode=Mode.OFFLINE).values("member_id").distinct().count()
    total = attendance.values("member_id").distinct().count()
    return offline, total - offline
