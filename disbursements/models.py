"""Tranches (tahap) of approved grants, paid to the group's bank account."""

import uuid
from pathlib import PurePath
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from applications.models import Application, TransitionError
from groups.models import Member


class Tranche(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Terjadwal")
        IN_BATCH = "in_batch", _("Dalam batch")
        PAID = "paid", _("Dibayar")
        FAILED = "failed", _("Gagal")
        RETURNED = "returned", _("Dikembalikan bank")
        LOCKED = "locked", _("Menunggu laporan tahap sebelumnya")

    # A failed or returned tranche is re-issued after the bank account is fixed; a paid one
    # never moves again, so it can never be paid twice.
    TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        Status.SCHEDULED: frozenset({Status.IN_BATCH}),
        Status.IN_BATCH: frozenset({Status.PAID, Status.FAILED, Status.RETURNED, Status.SCHEDULED}),
        Status.FAILED: frozenset({Status.SCHEDULED}),
        Status.RETURNED: frozenset({Status.SCHEDULED}),
        Status.PAID: frozenset(),
        # A later tahap waits for the report of the one before it (disbursements.services.tranche_unlock).
        Status.LOCKED: frozenset({Status.SCHEDULED}),
    }

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="tranches", verbose_name=_("pengajuan")
    )
    number = models.PositiveSmallIntegerField(_("tahap ke"))
    percentage = models.PositiveSmallIntegerField(_("persentase"))
    amount = models.PositiveBigIntegerField(_("nilai (Rp)"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    paid_at = models.DateTimeField(_("dibayar pada"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tahap")
        verbose_name_plural = _("tahap")
        ordering = ["application", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "number"],
                name="tranche_number_unique_per_application",
                violation_error_message=_("Tahap dengan nomor ini sudah ada untuk pengajuan tersebut."),
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="tranche_number_positive"),
            models.CheckConstraint(
                condition=Q(percentage__gte=1) & Q(percentage__lte=100), name="tranche_percentage_range"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="tranche_amount_positive"),
            models.CheckConstraint(
                condition=Q(status__in=["scheduled", "in_batch", "paid", "failed", "returned", "locked"]),
                name="tranche_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="paid", paid_at__isnull=False) | (~Q(status="paid") & Q(paid_at__isnull=True)),
                name="tranche_paid_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} tahap {self.number}"

    @property
    def is_reportable(self) -> bool:
        """Money reached the group, so the group reports how it was used."""
        return self.status == self.Status.PAID


# --- reports on the use of a paid tranche (laporan penggunaan dana) and the final LPJ ----------------


def _report_file_path(instance: models.Model, filename: str) -> str:
    # Unguessable names, as for application documents: a file URL must not be enumerable.
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"reports/{uuid.uuid4().hex}{suffix}"


UPLOAD_CONTENT_TYPES = ["application/pdf", "image/jpeg", "image/png"]


class UsageReport(models.Model):
    """What the group did with one paid tranche. The report of a tahap that has a next one is a
    progress report whose acceptance unlocks that next tahap; the report of the last tahap is the
    final accountability report (LPJ), whose acceptance completes the application."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", _("Laporan kemajuan tahap")
        FINAL = "final", _("Laporan pertanggungjawaban akhir (LPJ)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        SUBMITTED = "submitted", _("Diajukan")
        ACCEPTED = "accepted", _("Diterima")
        RETURNED = "returned", _("Dikembalikan untuk perbaikan")

    # A returned report is the group's draft again, with the officer's reason shown above it.
    TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        Status.DRAFT: frozenset({Status.SUBMITTED}),
        Status.SUBMITTED: frozenset({Status.ACCEPTED, Status.RETURNED}),
        Status.RETURNED: frozenset({Status.SUBMITTED}),
        Status.ACCEPTED: frozenset(),
    }
    EDITABLE: ClassVar[frozenset[str]] = frozenset({Status.DRAFT, Status.RETURNED})

    tranche = models.OneToOneField(Tranche, on_delete=models.PROTECT, related_name="report", verbose_name=_("tahap"))
    kind = models.CharField(_("jenis laporan"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # The officer's latest reason for returning it; the full story is in the status changes.
    return_reason = models.TextField(_("alasan dikembalikan"), blank=True)
    submitted_at = models.DateTimeField(_("diajukan pada"), null=True, blank=True)
    decided_at = models.DateTimeField(_("diputuskan pada"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diputuskan oleh"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("laporan penggunaan dana")
        verbose_name_plural = _("laporan penggunaan dana")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted", "accepted", "returned"]), name="usage_report_status_valid"
            ),
            models.CheckConstraint(condition=Q(kind__in=["progress", "final"]), name="usage_report_kind_valid"),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(return_reason=""), name="usage_report_returned_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"], name="usage_report_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.tranche}"

    @property
    def is_editable_by_group(self) -> bool:
        return self.status in self.EDITABLE

    @transaction.atomic
    def transition_to(self, status: "UsageReport.Status", *, by: AbstractBaseUser | None, note: str = "") -> None:
        """Move to ``status`` if the table allows it, on the locked row, and write the history row."""
        locked = UsageReport.objects.select_for_update().get(pk=self.pk)
        if status not in self.TRANSITIONS[locked.status]:
            raise TransitionError(
                _("Status laporan tidak dapat diubah dari “%(from)s” ke “%(to)s”.")
                % {"from": locked.get_status_display(), "to": UsageReport.Status(status).label}
            )
        now = timezone.now()
        previous = locked.status
        fields: dict[str, object] = {"status": status}
        if status == self.Status.SUBMITTED:
            fields["submitted_at"] = now
        else:
            fields |= {"decided_at": now, "decided_by": by}
        if status == self.Status.RETURNED:
            fields["return_reason"] = note
        for name, value in fields.items():
            setattr(self, name, value)
        self.save(update_fields=[*fields, "updated_at"])
        UsageReportStatusChange.objects.create(
            report=self, from_status=previous, to_status=status, changed_by=by, changed_at=now, note=note
        )


class UsageReportStatusChange(models.Model):
    """One row per report status change: who, when, from, to and why. Never edited."""

    report = models.ForeignKey(UsageReport, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=10, choices=UsageReport.Status.choices)
    to_status = models.CharField(max_length=10, choices=UsageReport.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField()
    note = models.TextField(_("catatan"), blank=True)

    class Meta:
        verbose_name = _("riwayat status laporan")
        verbose_name_plural = _("riwayat status laporan")
        ordering = ["report", "changed_at", "pk"]
        indexes = [models.Index(fields=["report", "changed_at"], name="report_change_report_idx")]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.from_status} → {self.to_status}"


class StoredFile(models.Model):
    """A stored file checked by content (applications.uploads), under a random name."""

    file = models.FileField(_("berkas"), upload_to=_report_file_path)
    original_name = models.CharField(_("nama berkas asli"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    class Meta:
        abstract = True


class ReportUpload(StoredFile):
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class ReportReceipt(ReportUpload):
    """One kuitansi / nota: what was bought, when, for how much, with its photo."""

    class Category(models.TextChoices):
        EQUIPMENT = "equipment", _("Peralatan")
        MATERIALS = "materials", _("Bahan")

    report = models.ForeignKey(UsageReport, on_delete=models.CASCADE, related_name="receipts")
    category = models.CharField(_("kategori"), max_length=10, choices=Category.choices)
    amount = models.PositiveBigIntegerField(_("nilai (Rp)"))
    spent_on = models.DateField(_("tanggal kuitansi"))
    description = models.CharField(_("uraian"), max_length=300)

    class Meta:
        verbose_name = _("kuitansi")
        verbose_name_plural = _("kuitansi")
        ordering = ["report", "spent_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="receipt_amount_positive"),
            models.CheckConstraint(condition=Q(category__in=["equipment", "materials"]), name="receipt_category_valid"),
            models.CheckConstraint(condition=Q(size__gt=0), name="receipt_file_not_empty"),
            models.CheckConstraint(
                condition=Q(content_type__in=UPLOAD_CONTENT_TYPES), name="receipt_file_allowed_type"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.spent_on} {self.description}"


class ReportPhoto(ReportUpload):
    """A photo of the site (Padat Karya) or of what was bought (TKM)."""

    report = models.ForeignKey(UsageReport, on_delete=models.CASCADE, related_name="photos")
    caption = models.CharField(_("keterangan"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("foto laporan")
        verbose_name_plural = _("foto laporan")
        ordering = ["report", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="report_photo_not_empty"),
            models.CheckConstraint(
                condition=Q(content_type__in=["image/jpeg", "image/png"]), name="report_photo_is_image"
            ),
        ]

    def __str__(self) -> str:
        return self.caption or self.original_name


class WageRole(models.TextChoices):
    PEKERJA = "pekerja", _("Pekerja")
    TUKANG = "tukang", _("Tukang")
    KETUA = "ketua", _("Ketua")


class AttendanceDay(models.Model):
    """One member's HOK (an 8-hour person-day) on one day of a Padat Karya project, in a wage role.
    The wage is never stored: it is the scheme's rate for the role, so the total is always derived."""

    report = models.ForeignKey(UsageReport, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("anggota"))
    worked_on = models.DateField(_("tanggal"))
    role = models.CharField(_("peran upah"), max_length=10, choices=WageRole.choices)

    class Meta:
        verbose_name = _("kehadiran (HOK)")
        verbose_name_plural = _("kehadiran (HOK)")
        ordering = ["report", "worked_on", "member"]
        constraints = [
            # One HOK per person per day, whichever tahap's report claims it.
            models.UniqueConstraint(
                fields=["member", "worked_on"],
                name="attendance_member_once_per_day",
                violation_error_message=_("Anggota ini sudah tercatat hadir pada tanggal tersebut."),
            ),
            models.CheckConstraint(condition=Q(role__in=WageRole.values), name="attendance_role_valid"),
        ]
        indexes = [models.Index(fields=["report", "worked_on"], name="attendance_report_day_idx")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.worked_on} {self.role}"


class TreasuryReturn(StoredFile):
    """Unspent grant money paid back into the state treasury (Kas Negara), with its NTPN — the
    state receipt number the treasury prints once the deposit is booked — and the proof of payment."""

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="treasury_return", verbose_name=_("pengajuan")
    )
    amount = models.PositiveBigIntegerField(_("nilai disetor (Rp)"))
    ntpn = models.CharField(
        _("NTPN"), max_length=16, help_text=_("Nomor Transaksi Penerimaan Negara, 16 huruf/angka pada bukti setor.")
    )
    billing_code = models.CharField(_("kode billing"), max_length=15, blank=True)
    paid_on = models.DateField(_("tanggal setor"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("dicatat oleh")
    )
    recorded_at = models.DateTimeField(_("dicatat pada"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("setoran ke Kas Negara")
        verbose_name_plural = _("setoran ke Kas Negara")
        ordering = ["-paid_on"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="treasury_return_amount_positive"),
            models.CheckConstraint(condition=Q(ntpn__regex=r"^[0-9A-Z]{16}$"), name="treasury_return_ntpn_format"),
            models.CheckConstraint(
                condition=Q(billing_code="") | Q(billing_code__regex=r"^[0-9]{15}$"),
                name="treasury_return_billing_format",
            ),
            models.CheckConstraint(condition=Q(size__gt=0), name="treasury_return_proof_not_empty"),
            models.CheckConstraint(
                condition=Q(content_type__in=UPLOAD_CONTENT_TYPES), name="treasury_return_proof_allowed_type"
            ),
            models.UniqueConstraint(fields=["ntpn"], name="treasury_return_ntpn_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.application} NTPN {self.ntpn}"
