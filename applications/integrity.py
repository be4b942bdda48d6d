"""Integrity rules (temuan) over a group and its members, written as Flag rows.

Re-running the rules is idempotent: an open flag is kept (evidence refreshed), a flag whose cause
is gone is resolved, and a warning an officer acknowledged stays quiet while its evidence is unchanged.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, Flag, Scheme
from groups.models import Group, Member
from groups.nik import check_nik
from regions.models import RegencyRecode
from regions.services import known_nik_prefixes

Severity = Flag.Severity
Rule = Flag.Rule


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
    findings = [
        finding for member in group.members.all() for finding in _member_findings(member, home_regencies, scheme)
    ]
    findings.extend(_shared_bank_account_findings(group))
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


def _apply_findings(group: Group, findings: dict[tuple[int | None, str], Finding]) -> None:
    now = timezone.now()
    open_flags = {(flag.member_id, flag.rule): flag for flag in group.flags.filter(resolved_at__isnull=True)}
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
