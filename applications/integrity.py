"""Integrity rules (temuan) over a group and its members, written as Flag rows.

Re-running the rules is idempotent: an open flag is kept (evidence refreshed), a flag whose cause
is gone is resolved, and a warning an officer acknowledged stays quiet while its evidence is unchanged.

The rules: NIK shape, region, sex, birth date and age per scheme (per member); one bank account on
several groups of a year (block); an account holder named unlike the group and its ketua (warn);
clusters of groups of one year in one village sharing a phone, an address, a leader or a bank
account (review). "NIK already in another group this year" has no rule: the database refuses it
(``member_nik_once_per_year``), so such a member can never be stored, let alone flagged.

Officers acknowledge warn and review flags with a note (``flag_acknowledge``); a block is resolved
only by fixing the data. Every change to a flag is in its simple-history trail.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, Flag, Scheme
from groups.models import Group, Member
from groups.names import address_key, group_name_key, name_similarity, person_name_key, village_key
from groups.nik import check_nik
from regions.models import RegencyRecode
from regions.scope import region_scope_of
from regions.services import known_nik_prefixes

Severity = Flag.Severity
Rule = Flag.Rule
# Flags raised outside these rules (grievances: an upheld objection); a recompute never closes them.
EXTERNAL_RULES = frozenset({Rule.OBJECTION_UPHELD})

# An account holder whose normalised name is less alike than this to both the group's name and the
# ketua's name is worth a look (0–1, difflib ratio; see groups.names.name_similarity).
NAME_SIMILARITY_MIN = 0.8
# This many groups (counting the one checked) of one year and village sharing something form a cluster.
CLUSTER_MIN_GROUPS = 2
# Evidence names at most this many other groups.
EVIDENCE_MAX_GROUPS = 10


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    evidence: str
    member_id: int | None = None

    @property
    def key(self) -> tuple[int | None, str]:
        return (self.member_id, self.rule)


def group_checks_recompute(*, group: Group) -> list[Flag]:
    """Run every rule on ``group`` and bring its flags in line. Returns the open flags."""
    findings = {finding.key: finding for finding in _findings(group)}
    with transaction.atomic():
        # Lock the group so two runs for the same group (a retry racing the sweep) serialise.
        Group.objects.select_for_update().get(pk=group.pk)
        _apply_findings(group, findings)
    return list(group.flags.filter(resolved_at__isnull=True).order_by("pk"))


def _findings(group: Group) -> list[Finding]:
    scheme = _live_scheme(group)
    home_regencies = _home_regency_codes(group.regency_id)
    members = list(group.members.all())
    findings = [finding for member in members for finding in _member_findings(member, home_regencies, scheme)]
    ketua = next((member for member in members if member.role == Member.Role.KETUA), None)
    findings.extend(_shared_bank_account_findings(group))
    findings.extend(_account_holder_findings(group, ketua))
    findings.extend(_cluster_findings(group, ketua))
    return findings


def _live_scheme(group: Group) -> Scheme | None:
    application = (
        group.applications.exclude(status__in=Application.CLOSED).select_related("scheme").order_by("-pk").first()
    )
    return application.scheme if application else None


def _member_findings(member: Member, home_regencies: set[str], scheme: Scheme | None) -> list[Finding]:
    check = check_nik(member.nik, known_prefixes=known_nik_prefixes())
    if not check.is_valid:
        return [Finding(Rule.NIK_INVALID, Severity.BLOCK, " ".join(check.errors), member.pk)]
    findings: list[Finding] = []
    nik_regency = f"{check.district_prefix[:2]}.{check.district_prefix[2:4]}"
    if nik_regency not in home_regencies:
        evidence = _("NIK diterbitkan di kabupaten/kota %(nik)s; kelompok berada di %(group)s.") % {
            "nik": nik_regency,
            "group": min(home_regencies),
        }
        findings.append(Finding(Rule.NIK_REGION, Severity.WARN, evidence, member.pk))
    if check.sex != member.sex:
        evidence = _("NIK menunjukkan jenis kelamin %(nik)s; tercatat %(typed)s.") % {
            "nik": check.sex,
            "typed": member.sex,
        }
        findings.append(Finding(Rule.NIK_SEX, Severity.WARN, evidence, member.pk))
    if check.birth_date != member.birth_date:
        evidence = _("NIK menunjukkan tanggal lahir %(nik)s; tercatat %(typed)s.") % {
            "nik": check.birth_date.strftime("%d-%m-%Y"),
            "typed": member.birth_date.strftime("%d-%m-%Y"),
        }
        findings.append(Finding(Rule.NIK_BIRTH_DATE, Severity.WARN, evidence, member.pk))
    if scheme is not None:
        findings.extend(_age_findings(member, scheme))
    return findings


def _age_findings(member: Member, scheme: Scheme) -> list[Finding]:
    # Age counts on the day the scheme's window opens, so the same person is eligible all window long.
    age = member.age_on(scheme.opens_on)
    if scheme.age_min <= age <= scheme.age_max:
        return []
    evidence = _("Usia %(age)d tahun pada %(date)s; skema mensyaratkan %(min)d–%(max)d tahun.") % {
        "age": age,
        "date": scheme.opens_on.strftime("%d-%m-%Y"),
        "min": scheme.age_min,
        "max": scheme.age_max,
    }
    return [Finding(Rule.AGE, Severity.BLOCK, evidence, member.pk)]


def _home_regency_codes(regency_code: str) -> set[str]:
    """The regency codes a NIK of this group's home may carry: its own, and the pre-2022 code it
    had if Papua's split recoded it (a NIK keeps the code of the place where it was issued)."""
    recodes = RegencyRecode.objects.filter(Q(new_regency_id=regency_code) | Q(old_regency_id=regency_code))
    return {regency_code, *(code for pair in recodes.values_list("old_regency_id", "new_regency_id") for code in pair)}


def _shared_bank_account_findings(group: Group) -> list[Finding]:
    if not group.has_bank_account:
        return []
    others = list(
        Group.objects.filter(year=group.year, bank_id=group.bank_id, account_number=group.account_number)
        .exclude(pk=group.pk)
        .values_list("code", flat=True)[:10]
    )
    if not others:
        return []
    evidence = _("Rekening %(bank)s %(account)s juga dipakai kelompok: %(groups)s.") % {
        "bank": group.bank_id,
        "account": group.account_number,
        "groups": ", ".join(others),
    }
    return [Finding(Rule.SHARED_BANK_ACCOUNT, Severity.BLOCK, evidence)]


def _account_holder_findings(group: Group, ketua: Member | None) -> list[Finding]:
    if not group.has_bank_account:
        return []
    to_group = name_similarity(group_name_key(group.account_holder), group_name_key(group.name))
    to_ketua = name_similarity(person_name_key(group.account_holder), person_name_key(ketua.name)) if ketua else 0.0
    if max(to_group, to_ketua) >= NAME_SIMILARITY_MIN:
        return []
    evidence = _(
        "Pemilik rekening “%(holder)s” tidak mirip nama kelompok “%(group)s” (kemiripan %(to_group)d%%) "
        "maupun nama ketua “%(ketua)s” (kemiripan %(to_ketua)d%%)."
    ) % {
        "holder": group.account_holder,
        "group": group.name,
        "to_group": round(to_group * 100),
        "ketua": ketua.name if ketua else _("belum ada ketua"),
        "to_ketua": round(to_ketua * 100),
    }
    return [Finding(Rule.ACCOUNT_HOLDER_NAME, Severity.WARN, evidence)]


@dataclass(frozen=True)
class _Neighbour:
    """What the cluster rules compare of a group, normalised."""

    code: str
    phone: str
    address: str
    account: tuple[str, str] | None
    leader: tuple[str, object] | None  # (ketua name, birth date)
    leader_phone: str


def _cluster_findings(group: Group, ketua: Member | None) -> list[Finding]:
    """Groups of the same year in the same village (regency + normalised village name) that share
    a phone, an address, a leader or a bank account. Two queries, both on indexes: the regency's
    groups of the year (``group_regency_year_idx``), then their ketua (``member_one_ketua_per_group``)."""
    village = village_key(group.village)
    if not village:
        return []  # no village typed: "the same village" cannot be told
    rows = (
        Group.objects.filter(regency_id=group.regency_id, year=group.year)
        .exclude(pk=group.pk)
        .order_by()  # no sort: the rows are grouped in Python
        .values_list("pk", "code", "village", "phone", "address", "bank_id", "account_number")
    )
    same_village = {row[0]: row for row in rows if village_key(row[2]) == village}
    if not same_village:
        return []
    ketua_of = {
        row[0]: row[1:]
        for row in Member.objects.filter(group_id__in=same_village, role=Member.Role.KETUA)
        .order_by()
        .values_list("group_id", "name", "birth_date", "phone")
    }
    me = _neighbour(
        group.code,
        group.phone,
        group.address,
        group.bank_id,
        group.account_number,
        (ketua.name, ketua.birth_date, ketua.phone) if ketua else None,
    )
    others = [_neighbour(*row[1:2], *row[3:], ketua_of.get(pk)) for pk, row in same_village.items()]
    return [
        finding
        for rule, shares, label in _cluster_tests(me)
        for finding in _cluster_finding(rule, label, [other.code for other in others if shares(other)])
    ]


def _neighbour(
    code: str, phone: str, address: str, bank_id: str | None, account_number: str, ketua: tuple | None
) -> _Neighbour:
    name, birth_date, ketua_phone = ketua if ketua else ("", None, "")
    leader_key = person_name_key(name)
    return _Neighbour(
        code=code,
        phone=_phone_key(phone),
        address=address_key(address),
        account=(bank_id, account_number) if bank_id and account_number else None,
        leader=(leader_key, birth_date) if leader_key else None,
        leader_phone=_phone_key(ketua_phone),
    )


def _cluster_tests(me: _Neighbour) -> list[tuple[str, Callable[[_Neighbour], bool], str]]:
    """(rule, does this other group share it with ``me``, what is shared) for each cluster rule."""
    return [
        (Rule.CLUSTER_PHONE, lambda other: bool(me.phone) and other.phone == me.phone, me.phone),
        (Rule.CLUSTER_ADDRESS, lambda other: bool(me.address) and other.address == me.address, me.address),
        (
            Rule.CLUSTER_LEADER,
            lambda other: (
                (me.leader is not None and other.leader == me.leader)
                or (bool(me.leader_phone) and other.leader_phone == me.leader_phone)
            ),
            me.leader[0] if me.leader else me.leader_phone,
        ),
        (
            Rule.CLUSTER_BANK_ACCOUNT,
            lambda other: me.account is not None and other.account == me.account,
            " ".join(me.account) if me.account else "",
        ),
    ]


def _cluster_finding(rule: str, shared: str, codes: list[str]) -> list[Finding]:
    if len(codes) + 1 < CLUSTER_MIN_GROUPS:
        return []
    codes = sorted(codes)
    listed = ", ".join(codes[:EVIDENCE_MAX_GROUPS])
    if len(codes) > EVIDENCE_MAX_GROUPS:
        listed += " " + _("(dan %(count)d lainnya)") % {"count": len(codes) - EVIDENCE_MAX_GROUPS}
    evidence = _("%(rule)s (%(shared)s): %(groups)s.") % {
        "rule": Rule(rule).label,
        "shared": shared,
        "groups": listed,
    }
    return [Finding(rule, Severity.REVIEW, evidence)]


def _phone_key(phone: str) -> str:
    digits = "".join(character for character in phone if character.isdigit())
    return "0" + digits[2:] if digits.startswith("62") else digits


def _apply_findings(group: Group, findings: dict[tuple[int | None, str], Finding]) -> None:
    now = timezone.now()
    # Only the rules' own flags: a flag raised elsewhere (an upheld objection) is not theirs to close.
    own_open = group.flags.filter(resolved_at__isnull=True).exclude(rule__in=EXTERNAL_RULES)
    open_flags = {(flag.member_id, flag.rule): flag for flag in own_open}
    for key, flag in open_flags.items():
        if key not in findings:
            flag.resolved_at = now
            flag.clear_note = _("Otomatis: data sudah diperbaiki.")
            flag.save(update_fields=["resolved_at", "clear_note"])
        elif flag.evidence != findings[key].evidence:
            flag.evidence = findings[key].evidence
            flag.save(update_fields=["evidence"])
    acknowledged = set(
        group.flags.filter(cleared_by__isnull=False).values_list("member_id", "rule", "evidence").distinct()
    )
    Flag.objects.bulk_create(
        Flag(
            group=group,
            member_id=finding.member_id,
            rule=finding.rule,
            severity=finding.severity,
            evidence=finding.evidence,
            raised_at=now,
        )
        for key, finding in findings.items()
        if key not in open_flags and (finding.member_id, finding.rule, finding.evidence) not in acknowledged
    )


def group_has_blocking_flags(group: Group) -> bool:
    return group.flags.filter(resolved_at__isnull=True, severity=Severity.BLOCK).exists()


def open_flags_by_member(group: Group) -> dict[int | None, list[Flag]]:
    """The group's open flags keyed by member id (``None`` for flags on the group itself), in one query."""
    by_member: dict[int | None, list[Flag]] = defaultdict(list)
    for flag in group.flags.filter(resolved_at__isnull=True).order_by("member_id", "severity", "rule"):
        by_member[flag.member_id].append(flag)
    return dict(by_member)


def open_flags_problem(group: Group) -> str | None:
    """Why the group's application cannot be decided while flags are open, or ``None`` (one query).

    An open flag is a block whose data is not fixed yet, or a warning / review an officer has not
    acknowledged (acknowledging closes it)."""
    counts = list(
        group.flags.filter(resolved_at__isnull=True)
        .values_list("severity", "rule")
        .annotate(count=Count("pk"))
        .order_by("severity", "rule")
    )
    if not counts:
        return None
    listed = "; ".join(
        f"{Rule(rule).label} ({Severity(severity).label.lower()}, {count})" for severity, rule, count in counts
    )
    return _(
        "Masih ada %(count)d temuan terbuka: %(rules)s. Temuan blokir selesai bila datanya diperbaiki; "
        "peringatan dan temuan perlu ditinjau harus diakui petugas dengan catatan."
    ) % {"count": sum(count for _severity, _rule, count in counts), "rules": listed}


def flag_acknowledge(*, flag: Flag, by: AbstractBaseUser, note: str) -> Flag:
    """An officer acknowledges a warn or review flag with a note, which closes it.

    Refused (ValidationError, in Indonesian, nothing changed) without a note, outside the officer's
    region, for a block (only fixing the data resolves it) and for a flag already closed. The row is
    locked, so two officers acknowledging at once record one acknowledgement."""
    note = note.strip()
    if not note:
        raise ValidationError(_("Tuliskan catatan: mengapa temuan ini dapat diterima."))
    with transaction.atomic():
        locked = Flag.objects.select_for_update(of=("self",)).select_related("group__regency").get(pk=flag.pk)
        regency = locked.group.regency
        if not region_scope_of(by).covers(province_code=regency.province_id, regency_code=regency.pk):
            raise ValidationError(_("Temuan ini di luar wilayah kerja Anda."))
        if locked.severity == Severity.BLOCK:
            raise ValidationError(
                _("Temuan blokir tidak dapat diakui; perbaiki datanya, pemeriksaan otomatis akan menutupnya.")
            )
        if locked.resolved_at is not None:
            raise ValidationError(_("Temuan ini sudah selesai."))
        locked.resolved_at = locked.cleared_at = timezone.now()
        locked.cleared_by, locked.clear_note = by, note
        locked._history_user = by  # the audit row names the officer even outside a request
        locked.save(update_fields=["resolved_at", "cleared_at", "cleared_by", "clear_note"])
    return locked


def flags_acknowledge(*, flags: Iterable[Flag], by: AbstractBaseUser, note: str) -> dict[int, str]:
    """Acknowledge each flag on its own; returns the refusal message per flag id that was refused."""
    refused: dict[int, str] = {}
    for flag in flags:
        try:
            flag_acknowledge(flag=flag, by=by, note=note)
        except ValidationError as error:
            refused[flag.pk] = "; ".join(error.messages)
    return refused
