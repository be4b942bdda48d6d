"""Business actions on groups and their members. Each is atomic and takes the acting user as ``by=``."""

import uuid

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from groups.models import Group, Member, MemberDraft
from groups.nik import normalize_nik

NIK_TAKEN = _("NIK ini sudah terdaftar di kelompok lain pada tahun program yang sama.")


class GroupLockedError(ValidationError):
    """The group's data is under review (or funded) and cannot be changed by the group now."""


def programme_year() -> int:
    """The programme year a group registering today belongs to: the calendar year in Jakarta."""
    return timezone.localdate().year


def group_is_editable(group: Group) -> bool:
    """A group may change its data while it has no application under review or funded."""
    from_statuses = {"draft", "revision_requested", "rejected", "withdrawn", "cancelled"}
    return not group.applications.exclude(status__in=from_statuses).exists()


def group_is_funded(group: Group) -> bool:
    """The group has an approved grant (approved, being paid, reporting or completed): who the money is
    for and where it goes change only through a confirmed correction (``corrections``)."""
    funded = {"approved", "in_disbursement", "reporting", "completed"}
    return group.applications.filter(status__in=funded).exists()


def _ensure_editable(group: Group) -> None:
    if not group_is_editable(group):
        raise GroupLockedError(_("Data kelompok tidak dapat diubah selama pengajuan sedang diproses."))


@transaction.atomic
def group_create(*, by: AbstractBaseUser, **fields: object) -> Group:
    """The group of ``by`` (a ketua's account), for this programme year."""
    year = programme_year()
    group = Group(user=by, year=year, code=f"ONL-{year}-{uuid.uuid4().hex[:10].upper()}", **fields)
    group._history_user = by  # the audit trail's "who", also outside a request
    # Field validation only: each unique or check constraint validated in Python costs a query, and
    # the database enforces them all on save anyway.
    group.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            group.save()
    except IntegrityError as error:  # the same form sent twice at once: Group.user is unique
        raise ValidationError(_("Akun ini sudah punya kelompok.")) from error
    return group


@transaction.atomic
def group_update(*, group: Group, by: AbstractBaseUser, **fields: object) -> Group:
    _ensure_editable(group)
    for name, value in fields.items():
        setattr(group, name, value)
    group.full_clean(validate_unique=False, validate_constraints=False)  # the database enforces those
    group._history_user = by
    group.save(update_fields=[*fields, "updated_at"])
    return group


@transaction.atomic
def group_bank_account_update(
    *,
    group: Group,
    by: AbstractBaseUser,
    bank_id: str,
    account_number: str,
    account_holder: str,
    change_reason: str = "",
) -> Group:
    """Change only the bank account, even while the group's application is funded. The caller decides
    when that is allowed (``corrections.services.correction_confirm``: a confirmed correction); the
    change is in the group's history like any other, with ``change_reason`` saying why."""
    group.bank_id = bank_id or None
    group.account_number = (account_number or "").strip()
    group.account_holder = (account_holder or "").strip()
    group._history_user = by  # simple-history records who changed it
    group._change_reason = change_reason[:100]
    group.full_clean(validate_unique=False, validate_constraints=False)
    if not group.has_bank_account or not group.account_holder:
        raise ValidationError(_("Lengkapi bank, nomor rekening dan nama pemilik rekening."))
    group.save(update_fields=["bank", "account_number", "account_holder", "updated_at"])
    return group


@transaction.atomic
def member_identity_correct(*, member: Member, by: AbstractBaseUser, change_reason: str, **fields: object) -> Member:
    """NIK, name or birth date of a member of a funded group, as a confirmed correction says
    (``corrections.services``): the same checks as any member save — NIK shape and region, once per
    programme year — without the group's editing lock."""
    for name, value in fields.items():
        setattr(member, name, value)
    member._change_reason = change_reason[:100]
    return _member_save(member, by=by)


def member_add(*, group: Group, by: AbstractBaseUser, **fields: object) -> Member:
    _ensure_editable(group)
    member = Member(group=group, year=group.year, **fields)
    return _member_save(member, by=by)


def member_update(*, member: Member, by: AbstractBaseUser, **fields: object) -> Member:
    _ensure_editable(member.group)
    for name, value in fields.items():
        setattr(member, name, value)
    return _member_save(member, by=by)


@transaction.atomic
def member_remove(*, member: Member, by: AbstractBaseUser) -> None:
    _ensure_editable(member.group)
    member._history_user = by
    member.delete()


def _member_save(member: Member, *, by: AbstractBaseUser) -> Member:
    member._history_user = by  # the audit trail's "who", also outside a request
    member.nik = normalize_nik(member.nik)
    member.full_clean(validate_unique=False, validate_constraints=False)
    _check_unique_in_database(member)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as error:  # a race with another group saving the same NIK
        raise _integrity_message(member, error) from error
    return member


def _check_unique_in_database(member: Member) -> None:
    """The database constraints say it last; this says it first, in words a ketua understands —
    and never which other group holds the NIK."""
    others = Member.objects.exclude(pk=member.pk)
    if others.filter(nik=member.nik, year=member.year).exists():
        raise ValidationError({"nik": NIK_TAKEN})
    if member.role in Member.OFFICER_ROLES and others.filter(group=member.group, role=member.role).exists():
        raise ValidationError(
            {"role": _("Kelompok sudah punya %(role)s.") % {"role": Member.Role(member.role).label.lower()}}
        )


def _integrity_message(member: Member, error: IntegrityError) -> ValidationError:
    if "nik" in str(error).lower():
        return ValidationError({"nik": NIK_TAKEN})
    return ValidationError({"role": _("Kelompok sudah punya %(role)s.") % {"role": member.get_role_display().lower()}})


class MemberRowError(ValidationError):
    """A refusal about one row of a member list; ``row`` is its index in the list given."""

    def __init__(self, row: int, error: ValidationError) -> None:
        super().__init__(error.error_dict if hasattr(error, "error_dict") else error.messages)
        self.row = row


MemberChange = tuple[Member | None, dict[str, object] | None]


@transaction.atomic
def members_save_set(*, group: Group, by: AbstractBaseUser, changes: list[MemberChange]) -> None:
    """Apply a whole member list at once: ``(member, fields)`` updates, ``(None, fields)`` adds,
    ``(member, None)`` removes. All or nothing: one refused row leaves every row as it was, and
    the error says which row (``MemberRowError.row``).

    Removals go first and officers step down before anyone steps up, so two members may swap roles
    in one save without ever holding two ketua at once."""
    _ensure_editable(group)
    for member, fields in changes:
        if member is not None and fields is None:
            member._history_user = by
            member.delete()
    # A plain update, not bulk_update_with_history: the step-down is a moment inside this
    # transaction, and every member in it is saved again below (with history) in its final role.
    stepping_down = [m.pk for m, fields in changes if m is not None and fields and m.role in Member.OFFICER_ROLES]
    Member.objects.filter(pk__in=stepping_down).update(role=Member.Role.ANGGOTA)
    for row, (member, fields) in enumerate(changes):
        if fields is None:
            continue
        try:
            if member is None:
                member_add(group=group, by=by, **fields)
            else:
                member_update(member=member, by=by, **fields)
        except ValidationError as error:
            raise MemberRowError(row, error) from error
    MemberDraft.objects.filter(group=group).delete()  # saved: nothing typed is left to keep


# A draft keeps the member list's own fields only, and no more than a full list of them holds.
DRAFT_PREFIX = "members-"
DRAFT_MAX_KEYS = 100 * 14
DRAFT_MAX_VALUE = 200


def member_draft_save(*, group: Group, by: AbstractBaseUser, data: dict[str, str], failed: bool = False) -> MemberDraft:
    """Keep what the ketua typed on the member list (``data``: the form's fields as sent) until the
    list is saved. Only ``members-…`` string fields are kept, each cut to a sane length."""
    _ensure_editable(group)
    kept = {
        key[:60]: value[:DRAFT_MAX_VALUE]
        for key, value in list(data.items())[: DRAFT_MAX_KEYS * 2]
        if isinstance(key, str) and key.startswith(DRAFT_PREFIX) and isinstance(value, str) and "\x00" not in value
    }
    kept = dict(list(kept.items())[:DRAFT_MAX_KEYS])
    draft, _created = MemberDraft.objects.update_or_create(
        group=group, defaults={"data": kept, "from_failed_save": failed}
    )
    return draft


def member_draft_discard(*, group: Group, by: AbstractBaseUser) -> None:
    """Throw away the unsaved member list (the ketua chose to start again from the saved one)."""
    MemberDraft.objects.filter(group=group).delete()


def members_add_bulk(*, group: Group, by: AbstractBaseUser, rows: list[dict[str, object]]) -> list[Member]:
    """Add a whole member list in one insert (the online surge path). Rows are validated forms'
    data; this checks what needs the database — NIKs used this year by any group — in one query,
    and names the refused rows (``MemberRowError``) without naming the other group."""
    _ensure_editable(group)
    niks = [normalize_nik(str(row["nik"])) for row in rows]
    taken = set(Member.objects.filter(year=group.year, nik__in=niks).order_by().values_list("nik", flat=True))
    for index, nik in enumerate(niks):
        if nik in taken or nik in niks[:index]:
            raise MemberRowError(index, ValidationError({"nik": NIK_TAKEN}))
    for role in Member.OFFICER_ROLES:
        holders = [index for index, row in enumerate(rows) if row.get("role") == role]
        if len(holders) > 1:
            message = _("Kelompok hanya boleh punya satu %(role)s.") % {"role": Member.Role(role).label.lower()}
            raise MemberRowError(holders[1], ValidationError({"role": message}))
    members = [Member(group=group, year=group.year, **{**row, "nik": nik}) for row, nik in zip(rows, niks, strict=True)]
    try:
        with transaction.atomic():
            # The history rows go in with the members: bulk inserts bypass save(), not the audit trail.
            return bulk_create_with_history(members, Member, batch_size=500, default_user=by)
    except IntegrityError as error:  # another group saved one of these NIKs a moment ago
        raise ValidationError({"nik": NIK_TAKEN}) from error
