"""The group's reports on a paid tahap (laporan penggunaan dana), the final LPJ and the officer's
decision on them: an accepted report unlocks the next tahap; an accepted LPJ completes the application
and books any unspent money returned to the Kas Negara in the ledger.

Views, admin actions and tasks call these; every refusal is a ``ValidationError`` (or
``TransitionError``) in Bahasa Indonesia and leaves the database as it was."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from applications.models import Application, Scheme, TransitionError
from applications.money import format_rupiah, split_by_percentages
from applications.services import wage_lines
from applications.uploads import SUFFIXES, upload_content_type
from disbursements.models import (
    AttendanceDay,
    LedgerEntry,
    ReportPhoto,
    ReportReceipt,
    StoredFile,
    Tranche,
    TreasuryReturn,
    UsageReport,
    WageRole,
)
from disbursements.services import ledger_record, tranche_unlock
from groups.models import Member
from regions.scope import region_scope_of

ReportStatus = UsageReport.Status

# --- reading a report ---------------------------------------------------------------------------------


def project_period(application: Application) -> tuple[datetime.date, datetime.date]:
    """The days on which grant money may be spent and HOK worked: from the approval date through
    the approval date plus the scheme's duration (``Scheme.duration_days``), both included.

    The Padat Karya planned days are at most the scheme's duration (the proposal checks it), so the
    scheme's duration is the outer bound for both programmes."""
    if application.decided_at is None:
        raise ValidationError(_("Tanggal persetujuan pengajuan belum tercatat; hubungi petugas."))
    start = timezone.localdate(application.decided_at)
    return start, start + datetime.timedelta(days=application.scheme.duration_days)


@dataclass(frozen=True)
class ReportTotals:
    tranche_amount: int
    equipment: int = 0
    materials: int = 0
    wage_lines: list = field(default_factory=list)
    # TKM: the tranche split by the scheme's equipment share (None when the scheme sets none).
    planned_equipment: int | None = None
    planned_materials: int | None = None

    @property
    def receipts(self) -> int:
        return self.equipment + self.materials

    @property
    def wages(self) -> int:
        return sum(line.subtotal for line in self.wage_lines)

    @property
    def spent(self) -> int:
        return self.receipts + self.wages

    @property
    def remaining(self) -> int:
        return self.tranche_amount - self.spent

    @property
    def equipment_over_plan(self) -> bool:
        return self.planned_equipment is not None and self.equipment > self.planned_equipment

    @property
    def hok(self) -> int:
        return sum(line.workers for line in self.wage_lines)


def _hok_wage_lines(scheme: Scheme, hok_by_role: dict[str, int]) -> list:
    """HOK counted per role, priced at the scheme's rates (``applications.services.wage_lines`` with
    one "day" per HOK)."""
    return wage_lines(
        scheme,
        days=1,
        pekerja=hok_by_role.get(WageRole.PEKERJA, 0),
        tukang=hok_by_role.get(WageRole.TUKANG, 0),
        ketua=hok_by_role.get(WageRole.KETUA, 0),
    )


def report_totals(report: UsageReport | None, *, tranche: Tranche) -> ReportTotals:
    """Spending in a report against its tranche: receipts by category, HOK wages from the scheme's
    rates, and (TKM) the scheme's equipment / materials split of the tranche. Three queries."""
    scheme = tranche.application.scheme
    by_category: dict[str, int] = {}
    hok_by_role: dict[str, int] = {}
    if report is not None and report.pk:
        by_category = dict(report.receipts.values_list("category").annotate(total=Sum("amount")).order_by())
        hok_by_role = dict(report.attendance.values_list("role").annotate(count=Count("pk")).order_by())
    planned: list[int | None] = [None, None]
    if not scheme.is_padat_karya and scheme.equipment_percent is not None:
        planned = split_by_percentages(tranche.amount, [scheme.equipment_percent, 100 - scheme.equipment_percent])
    return ReportTotals(
        tranche_amount=tranche.amount,
        equipment=by_category.get(ReportReceipt.Category.EQUIPMENT, 0),
        materials=by_category.get(ReportReceipt.Category.MATERIALS, 0),
        wage_lines=_hok_wage_lines(scheme, hok_by_role) if scheme.is_padat_karya else [],
        planned_equipment=planned[0],
        planned_materials=planned[1],
    )


def _later_tranche_exists(tranche: Tranche) -> bool:
    return Tranche.objects.filter(application_id=tranche.application_id, number__gt=tranche.number).exists()


# --- the group writes its report ------------------------------------------------------------------


REPORTING_STATUSES = (Application.Status.IN_DISBURSEMENT, Application.Status.REPORTING)


def _require_group(tranche: Tranche, by: AbstractBaseUser) -> None:
    # Views look tranches up through the user's own group already; a shell or a future API must too.
    if tranche.application.group.user_id != by.pk:
        raise ValidationError(_("Laporan ini hanya dapat diisi oleh akun kelompok penerima."))


@transaction.atomic
def report_open(*, tranche: Tranche, by: AbstractBaseUser) -> UsageReport:
    """The report of a paid tranche, created on first use, locked for the change that follows.

    The tranche row is locked first, so two first taps create one report, not two (the one-to-one
    column refuses a second row anyway)."""
    _require_group(tranche, by)
    locked_tranche = Tranche.objects.select_for_update().select_related("application__scheme").get(pk=tranche.pk)
    if not locked_tranche.is_reportable:
        raise ValidationError(_("Laporan dapat diisi setelah dana tahap ini dibayarkan."))
    if locked_tranche.application.status not in REPORTING_STATUSES:
        raise ValidationError(_("Pengajuan ini tidak sedang dalam masa pelaporan."))
    kind = UsageReport.Kind.PROGRESS if _later_tranche_exists(locked_tranche) else UsageReport.Kind.FINAL
    report, _created = UsageReport.objects.get_or_create(tranche=locked_tranche, defaults={"kind": kind})
    report = UsageReport.objects.select_for_update().select_related("tranche__application__scheme").get(pk=report.pk)
    if not report.is_editable_by_group:
        raise ValidationError(
            _("Laporan berstatus “%(status)s” dan tidak dapat diubah.") % {"status": report.get_status_display()}
        )
    return report


def _check_within_tranche(report: UsageReport, spent: int) -> None:
    limit = report.tranche.amount
    if spent > limit:
        raise ValidationError(
            _("Jumlah pengeluaran menjadi %(spent)s, melebihi dana tahap ini (%(limit)s). Periksa kembali nilainya.")
            % {"spent": format_rupiah(spent), "limit": format_rupiah(limit)}
        )


def tranche_paid_on(tranche: Tranche) -> datetime.date | None:
    """The day (WIB) the tahap's money reached the group's account: its payment, not the approval."""
    return timezone.localdate(tranche.paid_at) if tranche.paid_at else None


def _check_after_payment(tranche: Tranche, day: datetime.date, *, what: str) -> None:
    """Money cannot be spent, nor returned, before it arrived: ``day`` on or after the tahap's payment."""
    paid_on = tranche_paid_on(tranche)
    if paid_on is None:
        raise ValidationError(_("Laporan dapat diisi setelah dana tahap ini dibayarkan."))
    if day < paid_on:
        raise ValidationError(
            _(
                "%(what)s %(day)s lebih awal dari tanggal dana tahap %(number)s diterima (%(paid)s). "
                "Pengeluaran dan setoran hanya dapat dicatat sejak dana dibayarkan; periksa kembali tanggalnya."
            )
            % {
                "what": what,
                "day": date_format(day, "j F Y"),
                "number": tranche.number,
                "paid": date_format(paid_on, "j F Y"),
            }
        )


def _check_in_period(report: UsageReport, day: datetime.date, *, what: str, after_payment: bool = False) -> None:
    start, end = project_period(report.tranche.application)
    today = timezone.localdate()
    if day > today:
        raise ValidationError(
            _("%(what)s %(day)s belum terjadi; isi tanggal yang sudah lewat.")
            % {"what": what, "day": date_format(day, "j F Y")}
        )
    if after_payment:
        _check_after_payment(report.tranche, day, what=what)
    if not start <= day <= end:
        raise ValidationError(
            _("%(what)s %(day)s di luar masa kegiatan (%(start)s – %(end)s).")
            % {
                "what": what,
                "day": date_format(day, "j F Y"),
                "start": date_format(start, "j F Y"),
                "end": date_format(end, "j F Y"),
            }
        )


def _store(instance: StoredFile, upload: UploadedFile, *, label: str, allowed: Iterable[str] | None = None) -> None:
    """Fill the file fields of ``instance`` from a checked upload (type judged by content)."""
    content_type = upload_content_type(upload)
    if allowed is not None and content_type not in allowed:
        raise ValidationError(_("Foto harus berupa JPG atau PNG."))
    # Shown back and sent in a download header: printable characters only.
    instance.original_name = "".join(ch for ch in upload.name or "" if ch.isprintable())[:255] or label
    upload.name = f"{label}{SUFFIXES[content_type]}"
    instance.file = upload
    instance.content_type = content_type
    instance.size = upload.size


@transaction.atomic
def report_receipt_add(
    *,
    tranche: Tranche,
    category: str,
    amount: int,
    spent_on: datetime.date,
    description: str,
    upload: UploadedFile,
    by: AbstractBaseUser,
) -> ReportReceipt:
    """Add one receipt; refused when its date is outside the project or the receipts would add up
    to more than the tranche."""
    report = report_open(tranche=tranche, by=by)
    if category not in ReportReceipt.Category.values:
        raise ValidationError(_("Pilih kategori peralatan atau bahan."))
    if amount <= 0:
        raise ValidationError(_("Nilai kuitansi harus lebih dari Rp0."))
    _check_in_period(report, spent_on, what=_("Tanggal kuitansi"), after_payment=True)
    _check_within_tranche(report, report_totals(report, tranche=report.tranche).spent + amount)
    receipt = ReportReceipt(
        report=report,
        category=category,
        amount=amount,
        spent_on=spent_on,
        description=description.strip(),
        uploaded_by=by,
    )
    _store(receipt, upload, label="kuitansi")
    receipt.full_clean(validate_unique=False, validate_constraints=False)  # the database enforces those
    receipt.save()
    return receipt


@transaction.atomic
def report_receipt_delete(*, receipt: ReportReceipt, by: AbstractBaseUser) -> None:
    report_open(tranche=receipt.report.tranche, by=by)
    _delete_with_file(receipt)


@transaction.atomic
def report_photo_add(*, tranche: Tranche, upload: UploadedFile, caption: str, by: AbstractBaseUser) -> ReportPhoto:
    report = report_open(tranche=tranche, by=by)
    if report.photos.count() >= MAX_PHOTOS:
        raise ValidationError(_("Paling banyak %(count)d foto per laporan.") % {"count": MAX_PHOTOS})
    photo = ReportPhoto(report=report, caption=caption.strip(), uploaded_by=by)
    _store(photo, upload, label="foto", allowed={"image/jpeg", "image/png"})
    photo.full_clean(validate_unique=False, validate_constraints=False)
    photo.save()
    return photo


MAX_PHOTOS = 20


@transaction.atomic
def report_photo_delete(*, photo: ReportPhoto, by: AbstractBaseUser) -> None:
    report_open(tranche=photo.report.tranche, by=by)
    _delete_with_file(photo)


def _delete_with_file(instance: StoredFile) -> None:
    storage, name = instance.file.storage, instance.file.name
    instance.delete()
    # The file goes only once the row is gone for good: a rolled-back delete must still find it.
    transaction.on_commit(lambda: storage.delete(name))


@dataclass(frozen=True)
class AttendanceEntry:
    member_id: int
    worked_on: datetime.date
    role: str


@transaction.atomic
def report_attendance_save(
    *, tranche: Tranche, days: list[datetime.date], entries: list[AttendanceEntry], by: AbstractBaseUser
) -> int:
    """Replace the report's attendance on ``days`` with ``entries`` (the grid of one form post:
    members × days), in one bulk insert. Returns the number of HOK now recorded on those days.

    Refused as a whole — nothing saved — when a day is outside the project, a member is not in the
    group, a member appears twice on one day (here or in another tahap's report), or the wages
    would exceed the tranche."""
    report = report_open(tranche=tranche, by=by)
    application = report.tranche.application
    if not application.scheme.is_padat_karya:
        raise ValidationError(_("Daftar hadir HOK hanya untuk Padat Karya."))
    day_set = set(days)
    for day in sorted(day_set):
        _check_in_period(report, day, what=_("Tanggal kerja"))
    if stray := sorted({entry.worked_on for entry in entries} - day_set):
        raise ValidationError(_("Tanggal %(day)s tidak ada di daftar.") % {"day": date_format(stray[0], "j F Y")})
    if any(entry.role not in WageRole.values for entry in entries):
        raise ValidationError(_("Pilih peran upah pekerja, tukang atau ketua."))
    keys = [(entry.member_id, entry.worked_on) for entry in entries]
    if len(keys) != len(set(keys)):
        raise ValidationError(_("Seorang anggota hanya dapat tercatat sekali dalam sehari."))
    members = dict(
        Member.objects.filter(group_id=application.group_id, pk__in={e.member_id for e in entries}).values_list(
            "pk", "name"
        )
    )
    if len(members) != len({entry.member_id for entry in entries}):
        raise ValidationError(_("Daftar hadir hanya untuk anggota kelompok ini."))
    elsewhere = (
        AttendanceDay.objects.filter(member_id__in=members, worked_on__in=day_set)
        .exclude(report=report)
        .select_related("member")
        .first()
    )
    if elsewhere is not None:
        raise ValidationError(
            _("%(name)s sudah tercatat hadir pada %(day)s di laporan tahap lain.")
            % {"name": elsewhere.member.name, "day": date_format(elsewhere.worked_on, "j F Y")}
        )
    report.attendance.filter(worked_on__in=day_set).delete()
    totals = report_totals(report, tranche=report.tranche)
    added = dict.fromkeys(WageRole.values, 0)
    for entry in entries:
        added[entry.role] += 1
    added_wages = sum(line.subtotal for line in _hok_wage_lines(application.scheme, added))
    _check_within_tranche(report, totals.spent + added_wages)
    rows = [AttendanceDay(report=report, member_id=e.member_id, worked_on=e.worked_on, role=e.role) for e in entries]
    try:
        with transaction.atomic():  # a savepoint: a concurrent save of the same member-day loses cleanly
            AttendanceDay.objects.bulk_create(rows)
    except IntegrityError as error:
        raise ValidationError(_("Seorang anggota hanya dapat tercatat sekali dalam sehari.")) from error
    return len(rows)


@transaction.atomic
def report_treasury_return_record(
    *,
    tranche: Tranche,
    amount: int,
    ntpn: str,
    billing_code: str,
    paid_on: datetime.date,
    upload: UploadedFile,
    by: AbstractBaseUser,
) -> TreasuryReturn:
    """Record (or replace, while the LPJ can still be changed) the deposit of the unspent money into
    Kas Negara: the amount on the proof, its NTPN, date and the proof itself.

    The amount typed from the proof must equal the unspent money as the LPJ stands now (the refusal
    shows how that figure is reached), and the deposit cannot be dated before the last tahap's money
    arrived."""
    report = report_open(tranche=tranche, by=by)
    if report.kind != UsageReport.Kind.FINAL:
        raise ValidationError(_("Setoran sisa dana dicatat pada laporan akhir (LPJ)."))
    figure = unspent_figure(report)
    if figure.unspent <= 0:
        raise ValidationError(_("Tidak ada sisa dana yang perlu disetor ke Kas Negara."))
    if amount != figure.unspent:
        raise ValidationError(
            {
                "amount": _(
                    "Nilai setoran %(amount)s tidak sama dengan sisa dana %(unspent)s (%(computation)s). "
                    "Periksa nilai pada bukti setor; bila pengeluaran belum lengkap, lengkapi dulu kuitansinya."
                )
                % {
                    "amount": format_rupiah(amount),
                    "unspent": format_rupiah(figure.unspent),
                    "computation": figure.computation,
                }
            }
        )
    ntpn = ntpn.strip().upper()
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("Tanggal setor tidak boleh di masa depan.")})
    try:
        _check_after_payment(report.tranche, paid_on, what=_("Tanggal setor"))
    except ValidationError as error:
        raise ValidationError({"paid_on": error.messages}) from error
    application = report.tranche.application
    taken = TreasuryReturn.objects.filter(ntpn=ntpn).exclude(application=application).exists()
    if taken:
        raise ValidationError({"ntpn": _("NTPN ini sudah dipakai untuk setoran lain.")})
    treasury_return = TreasuryReturn.objects.filter(application=application).first() or TreasuryReturn(
        application=application
    )
    old_file = treasury_return.file.name if treasury_return.pk else None
    treasury_return.amount = amount
    treasury_return.ntpn = ntpn
    treasury_return.billing_code = billing_code.strip()
    treasury_return.paid_on = paid_on
    treasury_return.recorded_by = by
    _store(treasury_return, upload, label="bukti-setor")
    treasury_return.full_clean(validate_unique=False, validate_constraints=False)
    treasury_return.save()
    if old_file:
        storage = treasury_return.file.storage
        transaction.on_commit(lambda: storage.delete(old_file))
    return treasury_return


@transaction.atomic
def report_treasury_return_delete(*, tranche: Tranche, by: AbstractBaseUser) -> None:
    """Remove a deposit recorded by mistake (e.g. the receipts later used up the money), while the
    LPJ can still be changed; once the LPJ is accepted the report is locked and so is this."""
    report = report_open(tranche=tranche, by=by)
    treasury_return = TreasuryReturn.objects.filter(application_id=report.tranche.application_id).first()
    if treasury_return is None:
        raise ValidationError(_("Belum ada setoran ke Kas Negara yang tercatat."))
    _delete_with_file(treasury_return)


@dataclass(frozen=True)
class UnspentLine:
    """One tahap in the unspent-money computation: what was paid, and what its report spent."""

    number: int
    paid: int
    paid_on: datetime.date | None
    spent: int
    counted: bool  # its report's spending counts (accepted, or the LPJ being written / checked)
    report_status: str


@dataclass(frozen=True)
class UnspentFigure:
    """How the unspent money of an application is reached: paid tahap minus the spending of their
    reports (accepted ones, plus the LPJ in hand). Shown to the group and to the verifier."""

    lines: list[UnspentLine]

    @property
    def paid(self) -> int:
        return sum(line.paid for line in self.lines)

    @property
    def spent(self) -> int:
        return sum(line.spent for line in self.lines if line.counted)

    @property
    def unspent(self) -> int:
        return self.paid - self.spent

    @property
    def computation(self) -> str:
        """``dibayar Rp40.000.000 − dibelanjakan Rp39.000.000 = Rp1.000.000``."""
        return _("dibayar %(paid)s − dibelanjakan %(spent)s = %(unspent)s") % {
            "paid": format_rupiah(self.paid),
            "spent": format_rupiah(self.spent),
            "unspent": format_rupiah(self.unspent),
        }


def unspent_figure(report: UsageReport) -> UnspentFigure:
    """Paid tranches minus spending: of every accepted report of the application, plus ``report``.

    A fixed number of queries per tahap (a grant has two or three)."""
    application_id = report.tranche.application_id
    tranches = Tranche.objects.filter(application_id=application_id).order_by("number")
    reports_by_tranche = {
        other.tranche_id: other
        for other in UsageReport.objects.filter(tranche__application_id=application_id).select_related(
            "tranche__application__scheme"
        )
    }
    reports_by_tranche[report.tranche_id] = report
    lines = []
    for tranche in tranches:
        if tranche.status != Tranche.Status.PAID:
            continue
        other = reports_by_tranche.get(tranche.pk)
        counted = other is not None and (other.pk == report.pk or other.status == ReportStatus.ACCEPTED)
        spent = report_totals(other, tranche=other.tranche).spent if counted else 0
        lines.append(
            UnspentLine(
                number=tranche.number,
                paid=tranche.amount,
                paid_on=tranche_paid_on(tranche),
                spent=spent,
                counted=counted,
                report_status=other.get_status_display() if other is not None else "",
            )
        )
    return UnspentFigure(lines=lines)


def application_unspent(report: UsageReport) -> int:
    """Paid tranches minus spending: of every accepted report of the application, plus ``report``."""
    return unspent_figure(report).unspent


def _treasury_problem(report: UsageReport) -> str | None:
    """Why the LPJ cannot close the grant yet, as far as the unspent money goes."""
    unspent = application_unspent(report)
    treasury_return = TreasuryReturn.objects.filter(application_id=report.tranche.application_id).first()
    if unspent <= 0:
        if treasury_return is not None:
            return _("Tidak ada sisa dana, tetapi tercatat setoran ke Kas Negara; hapus catatan setoran itu.")
        return None
    if treasury_return is None:
        return _("Sisa dana %(unspent)s harus disetor ke Kas Negara; catat NTPN dan bukti setornya.") % {
            "unspent": format_rupiah(unspent)
        }
    if treasury_return.amount != unspent:
        return _("Setoran tercatat %(recorded)s, sedangkan sisa dana %(unspent)s; catat ulang bukti setornya.") % {
            "recorded": format_rupiah(treasury_return.amount),
            "unspent": format_rupiah(unspent),
        }
    return None


def report_problems(report: UsageReport) -> list[str]:
    """What keeps the report from being submitted (shown on the report page as a to-do list)."""
    problems = []
    totals = report_totals(report, tranche=report.tranche)
    is_padat_karya = report.tranche.application.scheme.is_padat_karya
    if is_padat_karya and not totals.hok:
        problems.append(_("Isi daftar hadir HOK."))
    if not is_padat_karya and not totals.receipts:
        problems.append(_("Tambahkan sedikitnya satu kuitansi."))
    if is_padat_karya and not report.photos.exists():
        problems.append(_("Unggah sedikitnya satu foto lokasi pekerjaan."))
    if totals.spent > totals.tranche_amount:
        problems.append(_("Pengeluaran melebihi dana tahap ini."))
    if report.kind == UsageReport.Kind.FINAL and (problem := _treasury_problem(report)):
        problems.append(problem)
    return problems


@transaction.atomic
def report_submit(*, report: UsageReport, by: AbstractBaseUser) -> UsageReport:
    """Send the report to the verifier once it is complete."""
    report = report_open(tranche=report.tranche, by=by)
    if problems := report_problems(report):
        raise ValidationError(problems)
    report.transition_to(ReportStatus.SUBMITTED, by=by)
    return report


# --- the officer decides ------------------------------------------------------------------------------

REVIEW_PERMISSION = "disbursements.change_usagereport"


def _locked_for_decision(report: UsageReport, by: AbstractBaseUser) -> UsageReport:
    """The report's row, locked, after checking that ``by`` may decide on it (role and region)."""
    if not by.has_perm(REVIEW_PERMISSION):
        raise TransitionError(_("Anda tidak berwenang memeriksa laporan."))
    locked = (
        UsageReport.objects.select_for_update()
        .select_related("tranche__application__scheme", "tranche__application__group")
        .get(pk=report.pk)
    )
    application = locked.tranche.application
    if not region_scope_of(by).covers(province_code=application.province_id, regency_code=application.group.regency_id):
        raise TransitionError(_("Laporan ini di luar wilayah tugas Anda."))
    if locked.status in (ReportStatus.ACCEPTED, ReportStatus.RETURNED) and locked.decided_at:
        # Typically the same decision confirmed twice (a double click, an old tab): nothing to do.
        raise TransitionError(
            _("Laporan ini sudah diputuskan “%(status)s” pada %(when)s; tidak ada yang diubah.")
            % {
                "status": locked.get_status_display(),
                "when": date_format(timezone.localtime(locked.decided_at), "j F Y H:i"),
            }
        )
    if locked.status != ReportStatus.SUBMITTED:
        raise TransitionError(
            _("Laporan berstatus “%(status)s”; hanya laporan yang diajukan dapat diperiksa. Tidak ada yang diubah.")
            % {"status": locked.get_status_display()}
        )
    return locked


@transaction.atomic
def report_return(*, report: UsageReport, by: AbstractBaseUser, reason: str) -> UsageReport:
    """Send the report back to the group with what to fix; the group edits it and submits again."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Tuliskan alasan laporan dikembalikan."))
    locked = _locked_for_decision(report, by)
    locked.transition_to(ReportStatus.RETURNED, by=by, note=reason)
    return locked


@transaction.atomic
def report_accept(*, report: UsageReport, by: AbstractBaseUser, note: str = "") -> UsageReport:
    """Accept the report. A progress report makes the next tahap payable; the final LPJ completes the
    application, after checking that any unspent money went back to Kas Negara with its NTPN."""
    locked = _locked_for_decision(report, by)
    totals = report_totals(locked, tranche=locked.tranche)
    if totals.spent > totals.tranche_amount:
        raise ValidationError(_("Pengeluaran melebihi dana tahap ini; kembalikan laporan untuk diperbaiki."))
    if locked.kind == UsageReport.Kind.PROGRESS:
        locked.transition_to(ReportStatus.ACCEPTED, by=by, note=note)
        following = (
            Tranche.objects.filter(application_id=locked.tranche.application_id, number=locked.tranche.number + 1)
            .select_for_update()
            .first()
        )
        if following is not None and following.status == Tranche.Status.LOCKED:
            tranche_unlock(tranche=following, by=by)
        return locked
    return _accept_final(locked, by=by, note=note)


def _accept_final(report: UsageReport, *, by: AbstractBaseUser, note: str) -> UsageReport:
    application = report.tranche.application
    tranches = Tranche.objects.filter(application=application)
    if tranches.exclude(status=Tranche.Status.PAID).exists():
        raise ValidationError(_("Masih ada tahap yang belum dibayar; LPJ belum dapat diterima."))
    others = UsageReport.objects.filter(tranche__application=application).exclude(pk=report.pk)
    if others.exclude(status=ReportStatus.ACCEPTED).exists():
        raise ValidationError(_("Laporan tahap sebelumnya belum diterima."))
    if problem := _treasury_problem(report):
        raise ValidationError(problem)
    if application.status != Application.Status.REPORTING:
        raise TransitionError(
            _("Pengajuan berstatus “%(status)s”, belum masuk masa pelaporan akhir.")
            % {"status": application.get_status_display()}
        )
    report.transition_to(ReportStatus.ACCEPTED, by=by, note=note)
    treasury_return = TreasuryReturn.objects.filter(application=application).first()
    if treasury_return is not None:
        # The ledger books money per tahap; the deposit goes against the last one, as a negative
        # amount (money back to the state).
        ledger_record(
            tranche=tranches.order_by("-number").first(),
            kind=LedgerEntry.Kind.RETURNED_TO_TREASURY,
            amount=-treasury_return.amount,
            by=by,
            note=f"NTPN {treasury_return.ntpn}",
        )
    application.transition_to(Application.Status.COMPLETED, by=by, note=note or _("LPJ diterima."))
    return report


# --- who may open a stored file -------------------------------------------------------------------


def report_file_visible_to(instance: ReportReceipt | ReportPhoto | TreasuryReturn, user: AbstractBaseUser) -> bool:
    """The owning group's account, or staff allowed to view reports whose scope covers the group."""
    if not user.is_authenticated or not user.is_active:
        return False
    application = instance.application if isinstance(instance, TreasuryReturn) else instance.report.tranche.application
    group = application.group
    if group.user_id == user.pk:
        return True
    if not (user.is_staff and user.has_perm("disbursements.view_usagereport")):
        return False
    return region_scope_of(user).covers(province_code=application.province_id, regency_code=group.regency_id)
