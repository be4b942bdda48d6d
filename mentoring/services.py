"""Every write about mentoring: the caseload (balanced assignment, reassignment when a mentor
leaves), visits (plan, record done with checklist, problems and photos), location review, problems
resolved, and the visit form's server-side draft.

Each function is atomic, takes the acting user as ``by`` and refuses bad input with a
``ValidationError`` in Bahasa Indonesia that leaves the database as it was."""

import datetime
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts.models import Role
from applications.models import Application
from applications.uploads import SUFFIXES, upload_content_type
from groups.models import Group
from mentoring import geo
from mentoring.models import CaseAssignment, ChecklistItem, Visit, VisitDraft, VisitPhoto, VisitProblem
from regions.models import Regency

# Groups a mentor looks after: their application was approved (the grant is theirs to use).
FUNDED = (
    Application.Status.APPROVED,
    Application.Status.IN_DISBURSEMENT,
    Application.Status.REPORTING,
    Application.Status.COMPLETED,
)
MAX_PHOTOS = 10
MAX_PROBLEMS = 10


def visit_interval_days() -> int:
    """How often each group in a caseload is visited (a visit is due this many days after the last)."""
    return getattr(settings, "MENTORING_VISIT_INTERVAL_DAYS", 30)


# --- who is a mentor, and whose -------------------------------------------------------------------------


def is_mentor(user: AbstractBaseUser) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    cached = getattr(user, "_is_mentor", None)
    if cached is None:
        cached = user.groups.filter(name=Role.MENTOR.value).exists()
        user._is_mentor = cached
    return cached


def mentors_for(regency: Regency) -> QuerySet:
    """Active mentors whose region scope covers ``regency``."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.MENTOR.value)
        .filter(Q(scope_national=True) | Q(scope_provinces=regency.province_id) | Q(scope_regencies=regency.code))
        .distinct()
    )


def caseload_groups(mentor: AbstractBaseUser) -> QuerySet:
    """The groups in ``mentor``'s caseload now: the only groups a mentor's pages show."""
    return Group.objects.filter(case_assignments__mentor=mentor, case_assignments__ended_at__isnull=True)


def caseload_group_or_404(mentor: AbstractBaseUser, group_id: int) -> Group:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(caseload_groups(mentor).select_related("regency"), pk=group_id)


def group_programme(group: Group) -> str | None:
    return (
        Application.objects.filter(group=group, status__in=FUNDED)
        .order_by("-pk")
        .values_list("scheme__programme", flat=True)
        .first()
    )


def funded_programme_subquery() -> Subquery:
    return Subquery(
        Application.objects.filter(group=OuterRef("pk"), status__in=FUNDED)
        .order_by("-pk")
        .values("scheme__programme")[:1]
    )


# --- the caseload ---------------------------------------------------------------------------------------


def _worklist_changed(mentor_ids: Iterable[int] | None = None) -> None:
    from mentoring.worklist import worklist_changed  # the work list reads these services

    worklist_changed(mentor_ids)


def _require(by: AbstractBaseUser | None, permission: str) -> None:
    if by is not None and not by.has_perm(permission):
        raise PermissionDenied


@transaction.atomic
def caseload_balance(*, regency_code: str, by: AbstractBaseUser | None) -> int:
    """Give every funded group of the regency that has no mentor to the regency's mentors, each
    time to the one with the smallest caseload in that regency (ties: the longest-serving). Returns
    the number of groups assigned; 0 when the regency has no mentor (the groups wait)."""
    _require(by, "mentoring.assign_mentors")
    regency = Regency.objects.select_related("province").get(code=regency_code)
    mentors = list(mentors_for(regency).order_by("pk").values_list("pk", flat=True))
    if not mentors:
        return 0
    waiting = list(
        Group.objects.filter(regency=regency, applications__status__in=FUNDED)
        .exclude(pk__in=CaseAssignment.objects.filter(ended_at__isnull=True).values("group_id"))
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return _assign(waiting, mentors=mentors, regency=regency, by=by, reason=CaseAssignment.Reason.BALANCE)


def _assign(
    group_ids: Sequence[int], *, mentors: list[int], regency: Regency, by: AbstractBaseUser | None, reason: str
) -> int:
    if not group_ids or not mentors:
        return 0
    load = Counter(
        dict(
            CaseAssignment.objects.filter(regency=regency, ended_at__isnull=True, mentor_id__in=mentors)
            .values_list("mentor_id")
            .annotate(n=Count("pk"))
            .values_list("mentor_id", "n")
        )
    )
    now = timezone.now()
    rows = []
    for group_id in group_ids:
        mentor_id = min(mentors, key=lambda pk: (load[pk], pk))
        load[mentor_id] += 1
        rows.append(
            CaseAssignment(
                group_id=group_id, mentor_id=mentor_id, regency=regency, reason=reason, assigned_at=now,
                assigned_by=by,
            )
        )  # fmt: skip
    try:
        with transaction.atomic():
            bulk_create_with_history(rows, CaseAssignment, default_user=by, default_date=now)
    except IntegrityError as error:
        raise ValidationError(_("Sebagian kelompok baru saja diberi pendamping lain. Ulangi pembagian.")) from error
    _worklist_changed(set(mentors))
    return len(rows)


@transaction.atomic
def caseload_assign(*, group: Group, mentor: AbstractBaseUser, by: AbstractBaseUser | None) -> CaseAssignment:
    """Put ``group`` in ``mentor``'s caseload (ending the current assignment, if any)."""
    _require(by, "mentoring.assign_mentors")
    if not mentors_for(group.regency).filter(pk=mentor.pk).exists():
        raise ValidationError(_("Pendamping ini tidak bertugas di kabupaten/kota kelompok."))
    now = timezone.now()
    for current in CaseAssignment.objects.select_for_update().filter(group=group, ended_at__isnull=True):
        if current.mentor_id == mentor.pk:
            return current
        _end(current, by=by, at=now, reason=CaseAssignment.EndReason.MANUAL)
    assignment = CaseAssignment(
        group=group, mentor=mentor, regency_id=group.regency_id, reason=CaseAssignment.Reason.MANUAL,
        assigned_at=now, assigned_by=by,
    )  # fmt: skip
    assignment._history_user = by
    assignment.save()
    _worklist_changed(None)  # the new mentor's list and the previous one's
    return assignment


def _end(assignment: CaseAssignment, *, by: AbstractBaseUser | None, at: datetime.datetime, reason: str) -> None:
    assignment.ended_at, assignment.ended_by, assignment.end_reason = at, by, reason
    assignment._history_user = by
    assignment.save(update_fields=["ended_at", "ended_by", "end_reason"])


@dataclass(frozen=True)
class LeaveResult:
    ended: int
    reassigned: int
    waiting: int  # groups left without a mentor: no other mentor serves their regency


@transaction.atomic
def mentor_leave(*, mentor: AbstractBaseUser, by: AbstractBaseUser | None) -> LeaveResult:
    """A mentor stops: their account is closed, their caseload ends ("pendamping berhenti") and each
    group goes, balanced, to the other mentors of its regency."""
    _require(by, "mentoring.assign_mentors")
    user_model = get_user_model()
    user_model.objects.filter(pk=mentor.pk).update(is_active=False)
    mentor.is_active = False
    open_rows = list(CaseAssignment.objects.select_for_update().filter(mentor=mentor, ended_at__isnull=True))
    now = timezone.now()
    for row in open_rows:
        _end(row, by=by, at=now, reason=CaseAssignment.EndReason.MENTOR_LEFT)
    reassigned = 0
    by_regency: dict[str, list[int]] = {}
    for row in open_rows:
        by_regency.setdefault(row.regency_id, []).append(row.group_id)
    for regency in Regency.objects.filter(code__in=by_regency).select_related("province"):
        mentors = list(mentors_for(regency).exclude(pk=mentor.pk).order_by("pk").values_list("pk", flat=True))
        reassigned += _assign(
            sorted(by_regency[regency.code]), mentors=mentors, regency=regency, by=by,
            reason=CaseAssignment.Reason.REASSIGNED,
        )  # fmt: skip
    _worklist_changed(None)
    return LeaveResult(ended=len(open_rows), reassigned=reassigned, waiting=len(open_rows) - reassigned)


# --- visits ---------------------------------------------------------------------------------------------


def checklist_items(programme: str | None) -> list[ChecklistItem]:
    if programme is None:
        return []
    return list(ChecklistItem.objects.filter(programme=programme, active=True).order_by("order", "pk"))


def checklist_clean(items: Iterable[ChecklistItem], answers: dict[str, str]) -> dict[str, str]:
    """The answers kept for ``items``: each checked against its kind; a required one must be there."""
    cleaned, missing = {}, []
    for item in items:
        value = (answers.get(item.code) or "").strip()
        if not value:
            if item.required:
                missing.append(item.label)
            continue
        if item.kind == ChecklistItem.Kind.YES_NO and value not in ("ya", "tidak"):
            raise ValidationError(_("Jawaban “%(label)s” harus ya atau tidak.") % {"label": item.label})
        if item.kind == ChecklistItem.Kind.CHOICE and value not in dict(item.choices()):
            raise ValidationError(_("Pilih jawaban yang tersedia untuk “%(label)s”.") % {"label": item.label})
        cleaned[item.code] = value[:500]
    if missing:
        raise ValidationError(_("Lengkapi daftar periksa: %(items)s.") % {"items": "; ".join(missing)})
    return cleaned


@transaction.atomic
def visit_plan(*, group: Group, planned_on: datetime.date, by: AbstractBaseUser) -> Visit:
    """A planned visit by the group's mentor."""
    if not caseload_groups(by).filter(pk=group.pk).exists():
        raise PermissionDenied
    programme = group_programme(group)
    if programme is None:
        raise ValidationError(_("Kelompok ini belum menerima bantuan."))
    if Visit.objects.filter(group=group, mentor=by, status=Visit.Status.PLANNED).exists():
        raise ValidationError(_("Sudah ada rencana kunjungan untuk kelompok ini."))
    visit = Visit(group=group, mentor=by, programme=programme, planned_on=planned_on)
    visit._history_user = by
    visit.save()
    _worklist_changed([by.pk])
    return visit


@dataclass(frozen=True)
class ProblemInput:
    description: str
    follow_up_on: datetime.date


@dataclass(frozen=True)
class VisitOutcome:
    visit: Visit
    created: bool  # False: the same form was submitted before, nothing recorded twice


def visit_record(
    *,
    group: Group,
    by: AbstractBaseUser,
    token: uuid.UUID,
    done_on: datetime.date,
    checklist: dict[str, str],
    notes: str,
    problems: Sequence[ProblemInput] = (),
    photos: Sequence[UploadedFile] = (),
) -> VisitOutcome:
    """Record a visit as done (the group's planned visit, or a new one), once per form ``token``.

    Refused as a whole when the mentor does not hold the group, the date is in the future or long
    past, the checklist is incomplete, a problem has no follow-up date after the visit, or a photo is
    not a JPG/PNG. Photo positions are compared with the group's regency (``mentoring.geo``)."""
    existing = Visit.objects.filter(submit_token=token).first()
    if existing is not None:
        if existing.mentor_id != by.pk:
            raise PermissionDenied
        return VisitOutcome(existing, created=False)
    try:
        with transaction.atomic():
            return VisitOutcome(
                _visit_record(group=group, by=by, token=token, done_on=done_on, checklist=checklist, notes=notes,
                              problems=problems, photos=photos),
                created=True,
            )  # fmt: skip
    except IntegrityError:
        # The same token committed by a concurrent submit in the meantime: that one counts.
        existing = Visit.objects.filter(submit_token=token).first()
        if existing is None:
            raise
        return VisitOutcome(existing, created=False)


def _visit_record(
    *,
    group: Group,
    by: AbstractBaseUser,
    token: uuid.UUID,
    done_on: datetime.date,
    checklist: dict[str, str],
    notes: str,
    problems: Sequence[ProblemInput],
    photos: Sequence[UploadedFile],
) -> Visit:
    if not caseload_groups(by).filter(pk=group.pk).exists():
        raise PermissionDenied
    programme = group_programme(group)
    if programme is None:
        raise ValidationError(_("Kelompok ini belum menerima bantuan."))
    today = timezone.localdate()
    if done_on > today:
        raise ValidationError(_("Tanggal kunjungan tidak boleh di masa depan."))
    if (today - done_on).days > 60:
        raise ValidationError(_("Kunjungan lebih dari 60 hari lalu tidak dapat dicatat lagi."))
    answers = checklist_clean(checklist_items(programme), checklist)
    if len(problems) > MAX_PROBLEMS or len(photos) > MAX_PHOTOS:
        raise ValidationError(_("Terlalu banyak masalah atau foto dalam satu kunjungan."))
    for problem in problems:
        if not problem.description.strip():
            raise ValidationError(_("Tuliskan masalahnya."))
        if problem.follow_up_on <= done_on:
            raise ValidationError(_("Tanggal tindak lanjut harus setelah tanggal kunjungan."))
        if (problem.follow_up_on - done_on).days > 180:
            raise ValidationError(_("Tindak lanjut paling lambat 180 hari setelah kunjungan."))
    visit = (
        Visit.objects.select_for_update()
        .filter(group=group, mentor=by, status=Visit.Status.PLANNED)
        .order_by("planned_on", "pk")
        .first()
    )
    if visit is None:
        visit = Visit(group=group, mentor=by, programme=programme, planned_on=done_on)
        visit._history_user = by
        visit.save()
    visit.done_on, visit.checklist, visit.notes = done_on, answers, notes.strip()[:5000]
    visit.submit_token = token
    visit.transition_to(Visit.Status.DONE, by=by)
    bulk_create_with_history(
        [
            VisitProblem(
                visit=visit, group=group, description=p.description.strip()[:2000], follow_up_on=p.follow_up_on
            )
            for p in problems
        ],
        VisitProblem,
        default_user=by,
    )
    stored = [_photo(visit, upload, group=group, by=by) for upload in photos]
    if stored:
        visit.location = _visit_location([p.location for p in stored])
        visit._history_user = by
        visit.save(update_fields=["location"])
    VisitDraft.objects.filter(mentor=by, group=group).delete()
    _worklist_changed([by.pk])
    return visit


def _photo(visit: Visit, upload: UploadedFile, *, group: Group, by: AbstractBaseUser) -> VisitPhoto:
    content_type = upload_content_type(upload)
    if content_type not in ("image/jpeg", "image/png"):
        raise ValidationError(_("Foto harus berupa JPG atau PNG."))
    position = geo.exif_position(upload)
    photo = VisitPhoto(visit=visit, content_type=content_type, size=upload.size, uploaded_by=by)
    photo.original_name = "".join(ch for ch in upload.name or "" if ch.isprintable())[:255] or "foto"
    if position is None:
        photo.location = Visit.Location.MISSING
    else:
        placement = geo.place(position, regency_code=group.regency_id)
        photo.latitude, photo.longitude = position.latitude, position.longitude
        photo.distance_km = placement.distance_km
        photo.location = Visit.Location.NEAR if placement.near else Visit.Location.FAR
    upload.name = f"foto{SUFFIXES[content_type]}"
    photo.file = upload
    photo.save()
    return photo


def _visit_location(locations: list[str]) -> str:
    """A far-off photo puts the whole visit under review; a photo without position marks it
    "tanpa lokasi"; only photos that are all near say the visit was in the group's area."""
    if Visit.Location.FAR in locations:
        return Visit.Location.FAR
    if Visit.Location.MISSING in locations:
        return Visit.Location.MISSING
    return Visit.Location.NEAR


@transaction.atomic
def visit_location_accept(*, visit: Visit, by: AbstractBaseUser, note: str) -> Visit:
    """An officer reviewed a visit whose photos were far off or had no position, and accepts it."""
    _require(by, "mentoring.review_location")
    if not note.strip():
        raise ValidationError(_("Tulis alasan lokasi diterima."))
    locked = Visit.objects.select_for_update().get(pk=visit.pk)
    if locked.location not in (Visit.Location.FAR, Visit.Location.MISSING):
        raise ValidationError(_("Lokasi kunjungan ini tidak perlu ditinjau."))
    locked.location = Visit.Location.ACCEPTED
    locked._history_user = by
    locked._change_reason = note.strip()[:100]
    locked.save(update_fields=["location"])
    return locked


@transaction.atomic
def problem_resolve(*, problem: VisitProblem, by: AbstractBaseUser, resolution: str) -> VisitProblem:
    if not caseload_groups(by).filter(pk=problem.group_id).exists():
        raise PermissionDenied
    if not resolution.strip():
        raise ValidationError(_("Tuliskan bagaimana masalah diselesaikan."))
    locked = VisitProblem.objects.select_for_update().get(pk=problem.pk)
    if locked.resolved_on is not None:
        return locked
    locked.resolved_on, locked.resolution = timezone.localdate(), resolution.strip()[:2000]
    locked._history_user = by
    locked.save(update_fields=["resolved_on", "resolution"])
    _worklist_changed([by.pk])
    return locked


# --- the form's draft -----------------------------------------------------------------------------------


def draft_save(*, mentor: AbstractBaseUser, group: Group, data: dict) -> None:
    """Keep what was typed (text fields only; files cannot be kept) for the next open of the form."""
    kept = {key: str(value)[:5000] for key, value in data.items() if key not in ("csrfmiddlewaretoken",)}
    VisitDraft.objects.update_or_create(mentor=mentor, group=group, defaults={"data": kept, "saved_at": timezone.now()})


def draft_of(*, mentor: AbstractBaseUser, group: Group) -> dict | None:
    draft = VisitDraft.objects.filter(mentor=mentor, group=group).first()
    return draft.data if draft is not None else None
