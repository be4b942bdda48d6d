"""Business actions on applications. Each is atomic, takes the acting user as ``by=`` and records
the status change; side effects (tasks) are enqueued only after commit."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from applications.integrity import open_flags_by_member, open_flags_problem
from applications.models import (
    PADAT_KARYA,
    REFERENCE_CODES,
    Application,
    ApplicationDocument,
    ApplicationStatusChange,
    Flag,
    ReferenceCounter,
    RejectionReason,
    RevisionReason,
    Scheme,
    SchemeQuota,
    TransitionError,
)
from applications.money import format_rupiah
from applications.uploads import SUFFIXES, upload_content_type
from groups.models import Group, Member
from groups.nik import check_nik
from jps_portal.celery import enqueue_on_commit
from regions.scope import region_scope_of
from regions.services import known_nik_prefixes

Status = Application.Status
REQUIRED_DOCUMENTS = {
    "TKM": [ApplicationDocument.Kind.PROPOSAL, ApplicationDocument.Kind.SK, ApplicationDocument.Kind.BANK_BOOK],
    "PK": [
        ApplicationDocument.Kind.PROPOSAL,
        ApplicationDocument.Kind.SK,
        ApplicationDocument.Kind.BANK_BOOK,
        ApplicationDocument.Kind.SITE_PHOTO,
    ],
}


class ApplicationRuleError(ValidationError):
    """The application breaks a scheme rule; ``messages`` lists every problem in Indonesian."""


# --- references ------------------------------------------------------------------------------


def reference_next(*, year: int, programme: str, province_id: str) -> str:
    """The next human reference for year × programme × province, e.g. ``JPS-2020-TKM-32-000123``.

    The counter row is locked, so concurrent submissions in one province never share a number. The lock
    lasts until the surrounding transaction commits: a long transaction should reserve its number
    first, in a transaction of its own (a rolled-back one then leaves a gap, never a duplicate)."""
    with transaction.atomic():
        counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(
            year=year, programme=programme, province_id=province_id
        )
        counter.last_number = F("last_number") + 1
        counter.save(update_fields=["last_number"])
        counter.refresh_from_db(fields=["last_number"])
    return f"JPS-{year}-{REFERENCE_CODES[programme]}-{province_id}-{counter.last_number:06d}"


# --- creating and submitting ---------------------------------------------------------------------


@transaction.atomic
def application_create(
    *,
    group: Group,
    scheme: Scheme,
    by: AbstractBaseUser | None,
    requested_amount: int | None = None,
    reference: str | None = None,
    **proposal: object,
) -> Application:
    """A draft application of ``group`` for ``scheme``, numbered by ``reference`` if one was reserved
    beforehand (see ``reference_next``), else by the next number."""
    if scheme.year != group.year:
        raise ValidationError(
            _("Skema tahun %(scheme)d tidak sesuai dengan tahun kelompok (%(group)d).")
            % {"scheme": scheme.year, "group": group.year}
        )
    application = Application(
        group=group,
        scheme=scheme,
        province_id=group.regency.province_id,
        requested_amount=requested_amount or scheme.amount_per_group,
        reference=reference
        or reference_next(year=scheme.year, programme=scheme.programme, province_id=group.regency.province_id),
        **proposal,
    )
    application.full_clean(validate_unique=False, validate_constraints=False)  # the database enforces those
    application._history_user = by  # the audit trail's "who", also outside a request
    application.save()
    ApplicationStatusChange.objects.create(
        application=application, from_status="", to_status=Status.DRAFT, changed_by=by, changed_at=timezone.now()
    )
    return application


def submission_problems(application: Application, *, today: datetime.date | None = None) -> list[str]:
    """Every scheme rule the application breaks, one plain-Indonesian line each (empty = may submit)."""
    scheme, group = application.scheme, application.group
    today = today or timezone.localdate()
    problems: list[str] = []
    if not scheme.opens_on <= today <= scheme.closes_on:
        problems.append(_("Pendaftaran skema ini tidak sedang dibuka."))
    if application.requested_amount > scheme.amount_per_group:
        problems.append(_("Nilai yang diajukan melebihi bantuan per kelompok skema ini."))
    members = list(group.members.order_by("pk"))
    problems.extend(_member_count_problems(len(members), scheme))
    problems.extend(_officer_problems(members))
    for member in members:
        problems.extend(_member_problems(member, scheme))
    if not group.has_bank_account:
        problems.append(_("Rekening bank kelompok belum diisi."))
    problems.extend(_document_problems(application))
    problems.extend(_proposal_problems(application))
    return problems


def _member_count_problems(count: int, scheme: Scheme) -> list[str]:
    if scheme.members_min <= count <= scheme.members_max:
        return []
    if scheme.members_min == scheme.members_max:
        expected = str(scheme.members_min)
    else:
        expected = f"{scheme.members_min}–{scheme.members_max}"
    return [
        _("Jumlah anggota %(count)d; skema ini mensyaratkan %(expected)s orang.")
        % {"count": count, "expected": expected}
    ]


def _officer_problems(members: list[Member]) -> list[str]:
    problems = []
    for role in Member.OFFICER_ROLES:
        if sum(1 for member in members if member.role == role) != 1:
            problems.append(_("Kelompok harus punya tepat satu %(role)s.") % {"role": Member.Role(role).label.lower()})
    return problems


def _member_problems(member: Member, scheme: Scheme) -> list[str]:
    label = f"{member.name} ({member.nik})"
    check = check_nik(member.nik, known_prefixes=known_nik_prefixes())
    problems = [f"{label}: {error}" for error in check.errors]
    age = member.age_on(scheme.opens_on)
    if not scheme.age_min <= age <= scheme.age_max:
        problems.append(
            _("%(member)s: usia %(age)d tahun, skema mensyaratkan %(min)d–%(max)d tahun.")
            % {"member": label, "age": age, "min": scheme.age_min, "max": scheme.age_max}
        )
    return problems


def _document_problems(application: Application) -> list[str]:
    required = REQUIRED_DOCUMENTS["PK" if application.scheme.programme in PADAT_KARYA else "TKM"]
    present = set(application.documents.values_list("kind", flat=True))
    return [
        _("Dokumen belum diunggah: %(kind)s.") % {"kind": ApplicationDocument.Kind(kind).label}
        for kind in required
        if kind not in present
    ]


def _proposal_problems(application: Application) -> list[str]:
    if application.scheme.programme in PADAT_KARYA:
        return _padat_karya_problems(application)
    problems = []
    if not application.business_type or not application.business_plan:
        problems.append(_("Jenis usaha dan rencana usaha wajib diisi."))
    if application.equipment_budget + application.materials_budget != application.requested_amount:
        problems.append(_("Anggaran peralatan dan bahan harus berjumlah sama dengan nilai yang diajukan."))
    return problems


def _padat_karya_problems(application: Application) -> list[str]:
    if not application.work_site or not application.planned_days:
        return [_("Lokasi pekerjaan dan jumlah hari kerja wajib diisi.")]
    problems = []
    days_allowed = application.scheme.duration_days
    if application.planned_days > days_allowed:
        problems.append(_("Jumlah hari kerja melebihi %(days)d hari yang diatur skema.") % {"days": days_allowed})
    if application_wage_budget(application) > application.requested_amount:
        problems.append(_("Anggaran upah (HOK) melebihi nilai yang diajukan."))
    return problems


def application_submit(*, application: Application, by: AbstractBaseUser | None) -> ApplicationStatusChange:
    """Submit a draft (or a revised) application once it meets every scheme rule, then run the
    integrity checks in the background.

    The rules are checked with the row locked, so an edit landing between the check and the status
    change cannot slip an application that no longer passes them into review."""
    with transaction.atomic():
        Application.objects.select_for_update().filter(pk=application.pk).first()
        problems = submission_problems(application)
        if problems:
            raise ApplicationRuleError(problems)
        change = application.transition_to(Status.SUBMITTED, by=by)
        group_checks_request(group=application.group)
        _status_announce(change)
    return change


# --- officer decisions ------------------------------------------------------------------------------


VERIFY_PERMISSION = "applications.verify_application"
APPROVE_PERMISSION = "applications.approve_application"


def _require_officer(application: Application, by: AbstractBaseUser, *permissions: str) -> None:
    """The acting officer holds one of ``permissions`` and the application is in their region scope.

    The admin already filters by scope; checking again here keeps every other caller (a shell, a
    future API) inside the same rule."""
    if not any(by.has_perm(permission) for permission in permissions):
        raise TransitionError(_("Anda tidak berwenang mengambil keputusan ini."))
    group = application.group
    if not region_scope_of(by).covers(province_code=application.province_id, regency_code=group.regency_id):
        raise TransitionError(_("Pengajuan ini di luar wilayah tugas Anda."))


def application_request_revision(
    *, application: Application, by: AbstractBaseUser, reason_codes: Sequence[str], note: str
) -> ApplicationStatusChange:
    """Send the application back to the group with what to fix: one or more reasons and a note."""
    _require_officer(application, by, VERIFY_PERMISSION)
    codes = list(dict.fromkeys(reason_codes))
    if not codes:
        raise ValidationError(_("Pilih sedikitnya satu alasan perbaikan."))
    if unknown := [code for code in codes if code not in RevisionReason.values]:
        raise ValidationError(_("Alasan perbaikan tidak dikenal: %(codes)s.") % {"codes": ", ".join(unknown)})
    if not note.strip():
        raise ValidationError(_("Tuliskan apa yang harus diperbaiki kelompok."))
    return _status_announce(
        application.transition_to(Status.REVISION_REQUESTED, by=by, reason_code=",".join(codes), note=note.strip())
    )


def application_verify(*, application: Application, by: AbstractBaseUser, note: str = "") -> ApplicationStatusChange:
    """Verify once no flag is open: blocks fixed, warnings and reviews acknowledged. Checks still
    pending do not stop verification (approval waits for them, and approval re-reads the flags)."""
    _require_officer(application, by, VERIFY_PERMISSION)
    _refuse_on_open_flags(application)
    return _status_announce(application.transition_to(Status.VERIFIED, by=by, note=note))


def application_reject(
    *, application: Application, by: AbstractBaseUser, reason_code: str, note: str = ""
) -> ApplicationStatusChange:
    _require_officer(application, by, VERIFY_PERMISSION, APPROVE_PERMISSION)
    if not reason_code:
        raise ValidationError(_("Pilih alasan penolakan."))
    if reason_code not in RejectionReason.values:
        raise ValidationError(_("Alasan penolakan tidak dikenal: %(code)s.") % {"code": reason_code})
    return _status_announce(application.transition_to(Status.REJECTED, by=by, reason_code=reason_code, note=note))


def application_withdraw(*, application: Application, by: AbstractBaseUser, note: str = "") -> ApplicationStatusChange:
    return _status_announce(application.transition_to(Status.WITHDRAWN, by=by, note=note))


@transaction.atomic
def application_approve(*, application: Application, by: AbstractBaseUser, note: str = "") -> ApplicationStatusChange:
    """Approve within the province's quota (groups and rupiah) for the scheme.

    The quota row is locked first: concurrent approvals in one province queue on it, so the count
    each of them reads already includes the approvals committed before it."""
    _require_officer(application, by, APPROVE_PERMISSION)
    quota = (
        SchemeQuota.objects.select_for_update()
        .filter(scheme_id=application.scheme_id, province_id=application.province_id)
        .first()
    )
    if quota is None:
        raise TransitionError(_("Belum ada kuota skema ini untuk provinsi kelompok."))
    if _verified_by(application) == by.pk:
        raise TransitionError(_("Pengajuan tidak dapat disetujui oleh petugas yang memverifikasinya."))
    if group_checks_pending(application.group):
        raise TransitionError(
            _("Pemeriksaan otomatis belum selesai untuk kelompok ini; coba lagi setelah pemeriksaan selesai.")
        )
    _refuse_on_open_flags(application)
    used = _quota_used(quota)
    if used["groups"] + 1 > quota.groups:
        raise TransitionError(_("Kuota kelompok provinsi ini untuk skema tersebut sudah penuh."))
    if used["amount"] + application.requested_amount > quota.budget:
        raise TransitionError(_("Pagu anggaran provinsi ini untuk skema tersebut tidak mencukupi."))
    change = application.transition_to(
        Status.APPROVED, by=by, note=note, extra_fields={"approved_amount": application.requested_amount}
    )
    # Imported here, not at the top: disbursements depends on applications, never the reverse.
    from disbursements.services import tranches_create_for_approval

    tranches_create_for_approval(application=application, by=by)
    return _status_announce(change)


def _refuse_on_open_flags(application: Application) -> None:
    problem = open_flags_problem(application.group)
    if problem:
        raise TransitionError(problem)


APPROVED_OR_LATER = [Status.APPROVED, Status.IN_DISBURSEMENT, Status.REPORTING, Status.COMPLETED]


def _quota_used(quota: SchemeQuota) -> dict[str, int]:
    used = Application.objects.filter(
        scheme_id=quota.scheme_id, province_id=quota.province_id, status__in=APPROVED_OR_LATER
    ).aggregate(groups=Count("pk"), amount=Sum("approved_amount"))
    return {"groups": used["groups"], "amount": used["amount"] or 0}


# The scheme's rules the approved grants were computed from: the tranche split and amounts, the
# equipment share the receipts are read against, the HOK wages and the project period of the reports.
SCHEME_MONEY_FIELDS = (
    "programme",
    "year",
    "amount_per_group",
    "tranche_plan",
    "equipment_percent",
    "wage_pekerja",
    "wage_tukang",
    "wage_ketua",
    "duration_days",
)


def scheme_frozen_fields(scheme: Scheme) -> tuple[str, ...]:
    """The fields of ``scheme`` no one may edit any more: its money rules, once an application under
    it has been approved (the admin shows them read-only)."""
    approved = Application.objects.filter(scheme=scheme, status__in=APPROVED_OR_LATER).exists()
    return SCHEME_MONEY_FIELDS if approved else ()


def scheme_quota_below_use(quota: SchemeQuota, *, groups: int | None, budget: int | None) -> str | None:
    """Why ``groups`` / ``budget`` cannot be the quota's new values (below what is already
    approved against it), or None."""
    used = _quota_used(quota)
    if groups is not None and groups < used["groups"]:
        return _("Kuota kelompok tidak dapat kurang dari %(count)d kelompok yang sudah disetujui.") % {
            "count": used["groups"]
        }
    if budget is not None and budget < used["amount"]:
        return _("Pagu anggaran tidak dapat kurang dari %(amount)s yang sudah disetujui.") % {
            "amount": format_rupiah(used["amount"])
        }
    return None


def _verified_by(application: Application) -> int | None:
    change = application.status_changes.filter(to_status=Status.VERIFIED).order_by("-changed_at", "-pk").first()
    return change.changed_by_id if change else None


# --- integrity checks in the background -------------------------------------------------------------


def group_checks_request(*, group: Group) -> None:
    """Mark the group's checks as pending and enqueue them after commit.

    The mark is the outbox: if the broker is down at commit time, the periodic sweep finds the row
    still pending and enqueues it again."""
    from applications.tasks import recompute_group_checks

    Group.objects.filter(pk=group.pk).update(checks_requested_at=timezone.now())
    enqueue_on_commit(recompute_group_checks, group.pk)


def pending_group_checks_sweep(*, older_than: datetime.timedelta) -> list[int]:
    """Re-enqueue the checks of groups that have been waiting longer than ``older_than``.

    A group whose task is merely slow in a long queue may be enqueued twice; the task is idempotent,
    so the cost is a repeated check, never a wrong flag."""
    from applications.tasks import recompute_group_checks

    cutoff = timezone.now() - older_than
    group_ids = list(
        Group.objects.filter(checks_requested_at__lt=cutoff)
        .order_by("checks_requested_at")
        .values_list("pk", flat=True)[:5000]
    )
    for group_id in group_ids:
        enqueue_on_commit(recompute_group_checks, group_id)
    return group_ids


def group_checks_run(*, group_id: int) -> int:
    """Run the rules for one group and clear its pending mark. Returns the number of open flags."""
    from applications.integrity import group_checks_recompute

    started = timezone.now()
    group = Group.objects.filter(pk=group_id).select_related("regency").first()
    if group is None:  # deleted since it was enqueued: nothing to do
        return 0
    flags = group_checks_recompute(group=group)
    # Only a request made before this run started is satisfied by it.
    Group.objects.filter(pk=group_id, checks_requested_at__lte=started).update(
        checks_requested_at=None, checks_completed_at=started
    )
    return len(flags)


def all_groups_checks_request(*, year: int | None = None) -> int:
    """Mark every group (of ``year``) for re-checking; the sweep picks them up in chunks."""
    groups = Group.objects.all() if year is None else Group.objects.filter(year=year)
    # Backdated past the sweep's grace period, so the next sweeps take them at once, 5,000 a time.
    # A group checked before is marked as of its last check, not later: a routine re-check is not
    # "pending" (group_checks_pending), so it does not hold up approvals for the night; a group never
    # checked is pending, as it should be.
    return groups.filter(checks_requested_at__isnull=True).update(
        checks_requested_at=Coalesce(F("checks_completed_at"), Value(timezone.now() - datetime.timedelta(days=1)))
    )


def group_checks_pending(group: Group) -> bool:
    """Whether checks asked for since the group's last completed run (a submission, a resubmission)
    have not run yet; read from the database, as the task updates the row behind this object."""
    requested_after_last_run = Q(checks_completed_at__isnull=True) | Q(checks_requested_at__gt=F("checks_completed_at"))
    return Group.objects.filter(Q(pk=group.pk, checks_requested_at__isnull=False) & requested_after_last_run).exists()


# --- the group's portal: schemes, proposal, documents, checklist -------------------------------------

TKM_PROPOSAL_FIELDS = ("business_type", "business_plan", "requested_amount", "equipment_budget", "materials_budget")
# Enough for a KTP scan of every member of the largest group, and a bound on what one account can store.
MAX_DOCUMENTS = 60
PADAT_KARYA_PROPOSAL_FIELDS = (
    "work_site",
    "work_plan",
    "requested_amount",
    "planned_days",
    "workers_pekerja",
    "workers_tukang",
    "workers_ketua",
)


def schemes_open_for(group: Group, *, today: datetime.date | None = None) -> QuerySet[Scheme]:
    """The schemes of the group's year whose application window contains ``today``."""
    today = today or timezone.localdate()
    return Scheme.objects.filter(year=group.year, opens_on__lte=today, closes_on__gte=today).order_by("programme")


def scheme_fit_problems(*, group: Group, scheme: Scheme, members: Sequence[Member] | None = None) -> list[str]:
    """Why ``group`` does not fit ``scheme`` as it stands, in the ketua's words (empty: it fits):
    its head count, members outside the age range, a province the scheme has no quota for. Shown
    on the scheme list and before a draft is made, so a 10-member group sees why Padat Karya (30
    members) is not for it before it taps."""
    members = list(group.members.all()) if members is None else members
    problems = _member_count_problems(len(members), scheme)
    outside = sum(1 for member in members if not scheme.age_min <= member.age_on(scheme.opens_on) <= scheme.age_max)
    if outside:
        problems.append(
            ngettext(
                "%(count)d anggota berusia di luar %(min)d–%(max)d tahun.",
                "%(count)d anggota berusia di luar %(min)d–%(max)d tahun.",
                outside,
            )
            % {"count": outside, "min": scheme.age_min, "max": scheme.age_max}
        )
    province_id = group.regency.province_id
    if not any(quota.province_id == province_id for quota in scheme.quotas.all()):
        problems.append(_("Skema ini tidak punya kuota untuk provinsi kelompok Anda."))
    return problems


def live_application_of(group: Group) -> Application | None:
    return Application.objects.filter(group=group).exclude(status__in=Application.CLOSED).first()


def application_start(*, group: Group, scheme: Scheme, by: AbstractBaseUser) -> Application:
    """A new draft of ``group`` for an open ``scheme``.

    One live application per group is the database's rule (a partial unique index). Two taps on a
    slow phone can both pass the check below before either commits; the loser's IntegrityError
    becomes the same plain message instead of a 500."""
    if not schemes_open_for(group).filter(pk=scheme.pk).exists():
        raise ValidationError(_("Pendaftaran skema ini tidak sedang dibuka."))
    already = _("Kelompok ini sudah memiliki pengajuan yang masih berjalan.")
    if live_application_of(group) is not None:
        raise ValidationError(already)
    try:
        return application_create(group=group, scheme=scheme, by=by)
    except IntegrityError as error:
        raise ValidationError(already) from error


@dataclass(frozen=True)
class WageLine:
    role: str
    workers: int
    days: int
    rate: int

    @property
    def subtotal(self) -> int:
        return self.workers * self.days * self.rate


def wage_lines(scheme: Scheme, *, days: int, pekerja: int, tukang: int, ketua: int) -> list[WageLine]:
    """Padat Karya wages by role: workers × days × the scheme's wage per HOK (one 8-hour person-day)."""
    return [
        WageLine(_("Pekerja"), pekerja, days, scheme.wage_pekerja),
        WageLine(_("Tukang"), tukang, days, scheme.wage_tukang),
        WageLine(_("Ketua"), ketua, days, scheme.wage_ketua),
    ]


def application_wage_budget(application: Application) -> int:
    lines = wage_lines(
        application.scheme,
        days=application.planned_days or 0,
        pekerja=application.workers_pekerja,
        tukang=application.workers_tukang,
        ketua=application.workers_ketua,
    )
    return sum(line.subtotal for line in lines)


def _lock_editable(application: Application) -> Application:
    """The application's row, locked, if the group may still change it.

    The lock queues an edit behind a submit or an officer's decision on the same row, so the status
    read here is the one the change is saved under."""
    locked = Application.objects.select_for_update().select_related("scheme").get(pk=application.pk)
    if not locked.is_editable_by_group:
        raise ValidationError(_("Pengajuan ini sedang diproses atau sudah selesai; datanya tidak dapat diubah."))
    return locked


@transaction.atomic
def application_proposal_update(*, application: Application, by: AbstractBaseUser, **fields: object) -> Application:
    """Save the group's proposal. A draft may be saved half-filled (submitting checks that it is
    complete), but never with numbers that contradict each other or the scheme."""
    allowed = PADAT_KARYA_PROPOSAL_FIELDS if application.scheme.is_padat_karya else TKM_PROPOSAL_FIELDS
    if set(fields) - set(allowed):
        raise TypeError(f"not proposal fields of this programme: {sorted(set(fields) - set(allowed))}")
    locked = _lock_editable(application)
    for name, value in fields.items():
        setattr(locked, name, value)
    errors = _proposal_errors(locked)
    if errors:
        raise ValidationError(errors)
    locked.full_clean(validate_unique=False, validate_constraints=False)  # the database enforces those
    locked._history_user = by  # the audit trail's "who", also outside a request
    locked.save(update_fields=[*fields, "updated_at"])
    return locked


def _proposal_errors(application: Application) -> dict[str, list[str]]:
    scheme, errors = application.scheme, {}
    if application.requested_amount > scheme.amount_per_group:
        errors["requested_amount"] = [
            _("Nilai yang diajukan paling banyak %(max)s.") % {"max": format_rupiah(scheme.amount_per_group)}
        ]
    if scheme.is_padat_karya:
        if (application.planned_days or 0) > scheme.duration_days:
            errors["planned_days"] = [
                _("Jumlah hari kerja paling banyak %(days)d hari.") % {"days": scheme.duration_days}
            ]
        wages = application_wage_budget(application)
        if wages > application.requested_amount:
            errors[NON_FIELD_ERRORS] = [
                _("Anggaran upah %(wages)s melebihi nilai yang diajukan (%(amount)s). Kurangi jumlah orang atau hari.")
                % {"wages": format_rupiah(wages), "amount": format_rupiah(application.requested_amount)}
            ]
        return errors
    budgets = application.equipment_budget + application.materials_budget
    # Both budgets left empty is a half-filled draft; once filled they must account for every rupiah.
    if budgets and budgets != application.requested_amount:
        errors["materials_budget"] = [
            _("Peralatan + bahan berjumlah %(sum)s; harus sama dengan nilai yang diajukan (%(amount)s).")
            % {"sum": format_rupiah(budgets), "amount": format_rupiah(application.requested_amount)}
        ]
    return errors


@transaction.atomic
def document_add(
    *, application: Application, kind: str, upload: UploadedFile, by: AbstractBaseUser
) -> ApplicationDocument:
    """Store one document, typed by what its content is — never by what its name claims."""
    locked = _lock_editable(application)
    if locked.documents.count() >= MAX_DOCUMENTS:
        raise ValidationError(
            _("Paling banyak %(count)d dokumen per pengajuan; hapus dulu yang tidak diperlukan.")
            % {"count": MAX_DOCUMENTS}
        )
    content_type = upload_content_type(upload)
    # The name is shown back and sent in a download header: keep printable characters only.
    original_name = "".join(ch for ch in upload.name or "" if ch.isprintable())[:255] or kind
    # The stored name is random (``_document_path``); its suffix follows the content, not the name sent.
    upload.name = f"{kind}{SUFFIXES[content_type]}"
    document = ApplicationDocument(
        application=locked,
        kind=kind,
        file=upload,
        original_name=original_name,
        content_type=content_type,
        size=upload.size,
        uploaded_by=by,
    )
    document.full_clean(validate_unique=False, validate_constraints=False)  # the database enforces those
    document.save()
    return document


@transaction.atomic
def document_delete(*, document: ApplicationDocument, by: AbstractBaseUser) -> None:
    _lock_editable(document.application)
    storage, name = document.file.storage, document.file.name
    document.delete()
    # The file goes only once the row is gone for good: a rolled-back delete must still find it.
    transaction.on_commit(lambda: storage.delete(name))


def document_visible_to(document: ApplicationDocument, user: AbstractBaseUser) -> bool:
    """Who may open an uploaded document: the owning group's account, or staff allowed to view
    applications whose region scope covers the group."""
    if not user.is_authenticated or not user.is_active:
        return False
    group = document.application.group
    if group.user_id == user.pk:
        return True
    if not (user.is_staff and user.has_perm("applications.view_application")):
        return False
    return region_scope_of(user).covers(province_code=document.application.province_id, regency_code=group.regency_id)


@dataclass(frozen=True)
class ChecklistStep:
    key: str
    label: str
    problems: list[str]

    @property
    def done(self) -> bool:
        return not self.problems


def submission_checklist(application: Application, *, today: datetime.date | None = None) -> list[ChecklistStep]:
    """What ``submission_problems`` finds, grouped into the steps a ketua works through."""
    scheme, group = application.scheme, application.group
    today = today or timezone.localdate()
    members = list(group.members.order_by("pk"))
    member_problems = [*_member_count_problems(len(members), scheme), *_officer_problems(members)]
    for member in members:
        member_problems.extend(_member_problems(member, scheme))
    proposal_problems = list(_proposal_problems(application))
    if application.requested_amount > scheme.amount_per_group:
        proposal_problems.insert(0, _("Nilai yang diajukan melebihi bantuan per kelompok skema ini."))
    steps = [
        ChecklistStep("proposal", _("Proposal diisi"), proposal_problems),
        ChecklistStep("members", _("Data anggota lengkap"), member_problems),
        ChecklistStep(
            "bank",
            _("Rekening bank kelompok"),
            [] if group.has_bank_account else [_("Rekening bank kelompok belum diisi.")],
        ),
        ChecklistStep("documents", _("Dokumen lengkap"), _document_problems(application)),
    ]
    if not scheme.opens_on <= today <= scheme.closes_on:
        steps.append(ChecklistStep("window", _("Masa pendaftaran"), [_("Pendaftaran skema ini tidak sedang dibuka.")]))
    return steps


# --- status e-mails -------------------------------------------------------------------------------


def _status_announce(change: ApplicationStatusChange) -> ApplicationStatusChange:
    """E-mail the group about ``change`` once it is committed (a rolled-back change sends nothing).

    ``notification_due`` is written with the change: if the broker is down at commit, the sweep
    below finds the e-mail still due and enqueues it again."""
    from applications.tasks import send_status_email

    ApplicationStatusChange.objects.filter(pk=change.pk).update(notification_due=True)
    enqueue_on_commit(send_status_email, change.pk)
    return change


def pending_status_emails_sweep(*, older_than: datetime.timedelta) -> list[int]:
    """Re-enqueue status e-mails still due after ``older_than`` (committed, never delivered)."""
    from applications.tasks import send_status_email

    cutoff = timezone.now() - older_than
    change_ids = list(
        ApplicationStatusChange.objects.filter(notification_due=True, changed_at__lt=cutoff)
        .order_by("changed_at")
        .values_list("pk", flat=True)[:5000]
    )
    for change_id in change_ids:
        enqueue_on_commit(send_status_email, change_id)
    return change_ids


# --- the whole application in one request (the registration-surge path) -----------------------------


@dataclass(frozen=True)
class CompleteSubmission:
    application: Application
    created: bool


def application_submit_complete(
    *,
    by: AbstractBaseUser,
    scheme: Scheme,
    group_fields: dict[str, object],
    members: list[dict[str, object]],
    proposal: dict[str, object],
    documents: dict[str, UploadedFile],
) -> CompleteSubmission:
    """Create the ketua's group, its members and its application, upload the documents and submit —
    all or nothing, in one transaction.

    Sent twice (a double tap, a retry after a timeout), the second call finds the first one's
    submitted application and returns it (``created=False``): one person, one application."""
    from groups import services as group_services

    existing = _submitted_application_of(by)
    if existing is not None:
        return CompleteSubmission(existing, created=False)
    if Group.objects.filter(user=by).exists():
        raise ValidationError(_("Akun ini sudah punya kelompok; lanjutkan pengajuannya di portal."))
    # Reserved before the long transaction below, so concurrent submissions in one province do not
    # queue on the counter row for the whole of each other's transactions.
    reference = reference_next(
        year=scheme.year, programme=scheme.programme, province_id=group_fields["regency"].province_id
    )
    try:
        with transaction.atomic():
            group = group_services.group_create(by=by, **group_fields)
            group_services.members_add_bulk(group=group, by=by, rows=members)
            application = application_create(group=group, scheme=scheme, by=by, reference=reference)
            application = application_proposal_update(application=application, by=by, **proposal)
            for kind, upload in documents.items():
                document_add(application=application, kind=kind, upload=upload, by=by)
            application_submit(application=application, by=by)
    except (IntegrityError, ValidationError):
        # The twin request created the group first (Group.user is unique); answer with its result.
        existing = _submitted_application_of(by)
        if existing is None:
            raise
        return CompleteSubmission(existing, created=False)
    return CompleteSubmission(application, created=True)


def _submitted_application_of(user: AbstractBaseUser) -> Application | None:
    return (
        Application.objects.filter(group__user=user)
        .exclude(status__in=[*Application.CLOSED, Status.DRAFT])
        .select_related("scheme")
        .first()
    )


# --- what an officer reads on an application ----------------------------------------------------------


@dataclass(frozen=True)
class MemberRow:
    member: Member
    age: int
    flags: list[Flag]


def application_members_panel(application: Application) -> dict[str, object]:
    """The group's members with their open flags, and the group-level flags: two queries in all."""
    members = list(application.group.members.order_by("pk"))
    flags_by_member = open_flags_by_member(application.group)
    opens_on = application.scheme.opens_on
    return {
        "rows": [MemberRow(member, member.age_on(opens_on), flags_by_member.get(member.pk, [])) for member in members],
        "group_flags": flags_by_member.get(None, []),
        "women": sum(1 for member in members if member.sex == Member.Sex.FEMALE),
    }
