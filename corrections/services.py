"""Corrections with maker–checker: propose (reason, old and new values, who), then a second officer
confirms — which applies the change through the groups services — or rejects. Every step is atomic,
takes the actor as ``by=`` and checks the actor's role and region scope.

Who may propose: an officer with ``corrections.add_correction`` whose scope covers the group, for a
funded group; and the group's own account, for its bank account only, after the bank refused a
transfer (the portal's "Perbaiki rekening" page). Who may decide: an officer with
``corrections.confirm_correction`` whose scope covers the group, never the proposer (the database
refuses that too)."""

import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import TransitionError
from corrections.models import Correction, CorrectionStatusChange
from disbursements import services as disbursements
from groups import services as groups
from groups.models import Bank, Group, Member, account_number_validator
from groups.nik import check_nik, normalize_nik
from regions.scope import region_scope_of
from regions.services import known_nik_prefixes

PROPOSE_PERMISSION = "corrections.add_correction"
CONFIRM_PERMISSION = "corrections.confirm_correction"
Kind = Correction.Kind
Status = Correction.Status


# --- who may do what -------------------------------------------------------------------------------


def _covers(by: AbstractBaseUser, group: Group) -> bool:
    return region_scope_of(by).covers(province_code=group.regency.province_id, regency_code=group.regency_id)


def correction_may_propose(*, group: Group, by: AbstractBaseUser) -> bool:
    """Whether ``by`` may propose a correction for this group as an officer (permission and scope)."""
    return bool(by.is_active and by.is_staff and by.has_perm(PROPOSE_PERMISSION) and _covers(by, group))


def correction_may_decide(*, correction: Correction, by: AbstractBaseUser) -> bool:
    """Whether ``by`` may confirm or reject this correction: permission, scope, and not its maker."""
    return bool(
        by.is_active
        and by.is_staff
        and by.has_perm(CONFIRM_PERMISSION)
        and _covers(by, correction.group)
        and by.pk != correction.proposed_by_id
    )


def _ensure_may_propose(group: Group, by: AbstractBaseUser, kind: str) -> None:
    if group.user_id is not None and group.user_id == by.pk:
        if kind != Kind.BANK_ACCOUNT or not disbursements.tranches_awaiting_account_fix(group).exists():
            raise ValidationError(_("Rekening hanya dapat diubah bila ada pembayaran yang gagal."))
        return
    if not correction_may_propose(group=group, by=by):
        raise PermissionDenied(_("Anda tidak berwenang mengusulkan koreksi untuk kelompok ini."))
    if not groups.group_is_funded(group):
        raise ValidationError(
            _(
                "Koreksi hanya untuk kelompok yang pengajuannya sudah disetujui. Sebelumnya, kelompok "
                "memperbaiki datanya sendiri di portal (kembalikan pengajuan untuk revisi bila sedang diperiksa)."
            )
        )


def _ensure_no_unsettled_transfer(group: Group) -> None:
    if disbursements.group_has_unsettled_transfer(group):
        raise ValidationError(
            _(
                "Rekening tidak dapat diubah: ada tahap kelompok ini dalam batch pembayaran yang belum "
                "selesai direkonsiliasi. Tunggu hasil bank untuk batch itu."
            )
        )


# --- values -----------------------------------------------------------------------------------------


def _bank_account_values(group: Group) -> dict[str, str]:
    return {"bank": group.bank_id or "", "account_number": group.account_number, "account_holder": group.account_holder}


def _identity_values(member: Member) -> dict[str, str]:
    return {"nik": member.nik, "name": member.name, "birth_date": member.birth_date.isoformat()}


def _clean_bank_account(bank_id: str, account_number: str, account_holder: str) -> dict[str, str]:
    values = {"bank": (bank_id or "").strip(), "account_number": (account_number or "").strip()}
    values["account_holder"] = " ".join((account_holder or "").split())
    errors: dict[str, list[str]] = {}
    if not Bank.objects.filter(pk=values["bank"], is_active=True).exists():
        errors["bank"] = [_("Pilih bank yang aktif.")]
    try:
        account_number_validator(values["account_number"])
    except ValidationError as error:
        errors["account_number"] = error.messages
    if not values["account_holder"] or len(values["account_holder"]) > 200:
        errors["account_holder"] = [_("Tuliskan nama pemilik rekening (paling banyak 200 huruf).")]
    if errors:
        raise ValidationError(errors)
    return values


def _clean_identity(member: Member, nik: str, name: str, birth_date: datetime.date) -> dict[str, str]:
    values = {"nik": normalize_nik(nik or ""), "name": " ".join((name or "").split())}
    errors: dict[str, list[str]] = {}
    check = check_nik(values["nik"], known_prefixes=known_nik_prefixes())
    if not check.is_valid:
        errors["nik"] = check.errors
    elif Member.objects.filter(nik=check.nik, year=member.year).exclude(pk=member.pk).exists():
        errors["nik"] = [groups.NIK_TAKEN]
    values["nik"] = check.nik
    if not values["name"] or len(values["name"]) > 150:
        errors["name"] = [_("Tuliskan nama sesuai KTP (paling banyak 150 huruf).")]
    if not isinstance(birth_date, datetime.date):
        errors["birth_date"] = [_("Tanggal lahir tidak valid.")]
    if errors:
        raise ValidationError(errors)
    values["birth_date"] = birth_date.isoformat()
    return values


# --- propose ----------------------------------------------------------------------------------------


def _propose(
    *, kind: str, group: Group, member: Member | None, old: dict, new: dict, reason: str, by: AbstractBaseUser
) -> Correction:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Tuliskan alasan koreksi.")]})
    if old == new:
        raise ValidationError(_("Nilai baru sama dengan nilai sekarang; tidak ada yang dikoreksi."))
    now = timezone.now()
    try:
        with transaction.atomic():
            correction = Correction.objects.create(
                kind=kind,
                group=group,
                member=member,
                old_values=old,
                new_values=new,
                reason=reason[:2000],
                proposed_by=by,
                proposed_at=now,
            )
    except IntegrityError as error:  # correction_one_open_per_account / _per_member
        raise ValidationError(_("Sudah ada usulan koreksi yang sama yang menunggu konfirmasi.")) from error
    CorrectionStatusChange.objects.create(
        correction=correction, from_status="", to_status=Status.PROPOSED, changed_by=by, changed_at=now, note=reason
    )
    return correction


@transaction.atomic
def correction_propose_bank_account(
    *, group: Group, by: AbstractBaseUser, bank_id: str, account_number: str, account_holder: str, reason: str
) -> Correction:
    group = Group.objects.select_for_update(of=("self",)).select_related("regency").get(pk=group.pk)
    _ensure_may_propose(group, by, Kind.BANK_ACCOUNT)
    _ensure_no_unsettled_transfer(group)
    new = _clean_bank_account(bank_id, account_number, account_holder)
    if new == _bank_account_values(group):
        raise ValidationError(_("Rekening baru sama dengan rekening sekarang; tidak ada yang dikoreksi."))
    return _propose(
        kind=Kind.BANK_ACCOUNT, group=group, member=None, old=_bank_account_values(group), new=new, reason=reason, by=by
    )


@transaction.atomic
def correction_propose_member_identity(
    *, member: Member, by: AbstractBaseUser, nik: str, name: str, birth_date: datetime.date, reason: str
) -> Correction:
    member = Member.objects.select_for_update(of=("self",)).select_related("group__regency").get(pk=member.pk)
    _ensure_may_propose(member.group, by, Kind.MEMBER_IDENTITY)
    new = _clean_identity(member, nik, name, birth_date)
    return _propose(
        kind=Kind.MEMBER_IDENTITY,
        group=member.group,
        member=member,
        old=_identity_values(member),
        new=new,
        reason=reason,
        by=by,
    )


# --- decide -----------------------------------------------------------------------------------------


def _locked_for_decision(correction: Correction, by: AbstractBaseUser) -> Correction:
    locked = (
        Correction.objects.select_for_update(of=("self",))
        .select_related("group__regency", "member")
        .get(pk=correction.pk)
    )
    if by.pk == locked.proposed_by_id:
        raise PermissionDenied(_("Pengusul koreksi tidak dapat memutuskan usulannya sendiri; minta petugas lain."))
    if not correction_may_decide(correction=locked, by=by):
        raise PermissionDenied(_("Anda tidak berwenang memutuskan koreksi ini."))
    if locked.status != Status.PROPOSED:
        raise TransitionError(_("Koreksi ini sudah diputuskan (%(status)s).") % {"status": locked.get_status_display()})
    return locked


@transaction.atomic
def correction_confirm(*, correction: Correction, by: AbstractBaseUser, note: str = "") -> Correction:
    """Apply the correction through the groups services and close it as confirmed. Refused when the
    data changed since it was proposed (the checker would confirm something else than they read), and
    for a bank account while a tahap of the group waits in an unsettled batch."""
    locked = _locked_for_decision(correction, by)
    reason = _("Koreksi #%(pk)s") % {"pk": locked.pk}
    new = locked.new_values
    if locked.kind == Kind.BANK_ACCOUNT:
        group = Group.objects.select_for_update().get(pk=locked.group_id)
        _ensure_no_unsettled_transfer(group)
        _ensure_unchanged(locked, _bank_account_values(group))
        groups.group_bank_account_update(
            group=group,
            by=by,
            bank_id=new["bank"],
            account_number=new["account_number"],
            account_holder=new["account_holder"],
            change_reason=reason,
        )
        locked.transition_to(Status.CONFIRMED, by=by, note=note.strip())
        disbursements.tranches_reissue_after_account_change(group=group, by=by)
    else:
        member = Member.objects.select_for_update().get(pk=locked.member_id)
        _ensure_unchanged(locked, _identity_values(member))
        groups.member_identity_correct(
            member=member,
            by=by,
            change_reason=reason,
            nik=new["nik"],
            name=new["name"],
            birth_date=datetime.date.fromisoformat(new["birth_date"]),
        )
        locked.transition_to(Status.CONFIRMED, by=by, note=note.strip())
    return locked


def _ensure_unchanged(correction: Correction, current: dict[str, str]) -> None:
    if current != correction.old_values:
        raise ValidationError(
            _("Data sudah berubah sejak koreksi ini diusulkan; tolak usulan ini dan usulkan lagi dari data terbaru.")
        )


@transaction.atomic
def correction_reject(*, correction: Correction, by: AbstractBaseUser, note: str) -> Correction:
    if not note.strip():
        raise ValidationError(_("Tuliskan alasan penolakan."))
    locked = _locked_for_decision(correction, by)
    locked.transition_to(Status.REJECTED, by=by, note=note.strip())
    return locked
