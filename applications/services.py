"""Business actions on applications. Each is atomic, takes the acting user as ``by=`` and records
the status change; side effects (tasks) are enqueued only after commit."""

import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import (
    PADAT_KARYA,
    REFERENCE_CODES,
    Application,
    ApplicationDocument,
    ApplicationStatusChange,
    Flag,
    ReferenceCounter,
    Scheme,
    SchemeQuota,
    TransitionError,
)
from groups.models import Group, Member
from groups.nik import check_nik
from jps_portal.celery import enqueue_on_commit
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

    The counter row is locked, so concurrent submissions in one province never share a number."""
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
    **proposal: object,
) -> Application:
    """A draft application of ``group`` for ``scheme``."""
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
        reference=reference_next(year=scheme.year, programme=scheme.programme, province_id=group.regency.province_id),
        **proposal,
    )
    application.full_clean()
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
        if not application.work_site or not application.planned_days:
            return [_("Lokasi pekerjaan dan jumlah hari kerja wajib diisi.")]
        return []
    problems = []
    if not application.business_type or not application.business_plan:
        problems.append(_("Jenis usaha dan rencana usaha wajib diisi."))
    if application.equipment_budget + application.materials_budget != application.requested_amount:
        problems.append(_("Anggaran peralatan dan bahan harus berjumlah sama dengan nilai yang diajukan."))
    return problems


def application_submit(*, application: Application, by: AbstractBaseUser | None) -> ApplicationStatusChange:
    """Submit a draft (or a revised) application once it meets every scheme rule, then run the
    integrity checks in the background."""
    problems = submission_problems(application)
    if problems:
        raise ApplicationRuleError(problems)
    with transaction.atomic():
        change = application.transition_to(Status.SUBMITTED, by=by)
        group_checks_request(group=application.group)
    return change


# --- officer decisions ------------------------------------------------------------------------------


def application_request_revision(
    *, application: Application, by: AbstractBaseUser, reason_code: str, note: str
) -> ApplicationStatusChange:
    if not note.strip():
        raise ValidationError(_("Tuliskan apa yang harus diperbaiki kelompok."))
    return application.transition_to(Status.REVISION_REQUESTED, by=by, reason_code=reason_code, note=note)


def application_verify(*, application: Application, by: AbstractBaseUser, note: str = "") -> ApplicationStatusChange:
    if application.group.flags.filter(resolved_at__isnull=True, severity=Flag.Severity.BLOCK).exists():
        raise TransitionError(_("Masih ada temuan berstatus blokir; perbaiki datanya lebih dulu."))
    return application.transition_to(Status.VERIFIED, by=by, note=note)


def application_reject(
    *, application: Application, by: AbstractBaseUser, reason_code: str, note: str = ""
) -> ApplicationStatusChange:
    if not reason_code:
        raise ValidationError(_("Pilih alasan penolakan."))
    return application.transition_to(Status.REJECTED, by=by, reason_code=reason_code, note=note)


def application_withdraw(*, application: Application, by: AbstractBaseUser, note: str = "") -> ApplicationStatusChange:
    return application.transition_to(Status.WITHDRAWN, by=by, note=note)


@transaction.atomic
def application_approve(*, application: Application, by: AbstractBaseUser, note: str = "") -> ApplicationStatusChange:
    """Approve within the province's quota (groups and rupiah) for the scheme.

    The quota row is locked first: concurrent approvals in one province queue on it, so the count
    each of them reads already includes the approvals committed before it."""
    quota = (
        SchemeQuota.objects.select_for_update()
        .filter(scheme_id=application.scheme_id, province_id=application.province_id)
        .first()
    )
    if quota is None:
        raise TransitionError(_("Belum ada kuota skema ini untuk provinsi kelompok."))
    if _verified_by(application) == by.pk:
        raise TransitionError(_("Pengajuan tidak dapat disetujui oleh petugas yang memverifikasinya."))
    if application.group.flags.filter(resolved_at__isnull=True, severity=Flag.Severity.BLOCK).exists():
        raise TransitionError(_("Masih ada temuan berstatus blokir; pengajuan belum dapat disetujui."))
    used = _quota_used(quota)
    if used["groups"] + 1 > quota.groups:
        raise TransitionError(_("Kuota kelompok provinsi ini untuk skema tersebut sudah penuh."))
    if used["amount"] + application.requested_amount > quota.budget:
        raise TransitionError(_("Pagu anggaran provinsi ini untuk skema tersebut tidak mencukupi."))
    return application.transition_to(
        Status.APPROVED, by=by, note=note, extra_fields={"approved_amount": application.requested_amount}
    )


APPROVED_OR_LATER = [Status.APPROVED, Status.IN_DISBURSEMENT, Status.REPORTING, Status.COMPLETED]


def _quota_used(quota: SchemeQuota) -> dict[str, int]:
    used = Application.objects.filter(
        scheme_id=quota.scheme_id, province_id=quota.province_id, status__in=APPROVED_OR_LATER
    ).aggregate(groups=Count("pk"), amount=Sum("approved_amount"))
    return {"groups": used["groups"], "amount": used["amount"] or 0}


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
    """Re-enqueue the checks of groups that have been waiting longer than ``older_than``."""
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
    return groups.filter(checks_requested_at__isnull=True).update(
        checks_requested_at=timezone.now() - datetime.timedelta(days=1)
    )
