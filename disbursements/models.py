"""Tranches (tahap) of approved grants, the payment batches sent to the bank, the bank's results
reconciled against them, and the append-only ledger of every money movement."""

import datetime
import uuid
from pathlib import PurePath
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from applications.models import Application, Scheme, TransitionError
from groups.models import Bank, Member
from jps_portal import events
from regions.models import Province


class TrancheQuerySet(models.QuerySet):
    def payable(self) -> "TrancheQuerySet":
        """Tranches finance may put in a batch now: scheduled, and their application not on hold."""
        return self.filter(status=Tranche.Status.SCHEDULED).exclude(models.Exists(TrancheHold.active_for_tranche()))

    def held(self) -> "TrancheQuerySet":
        """Scheduled tranches that would be payable but for a hold on their application."""
        return self.filter(status=Tranche.Status.SCHEDULED).filter(models.Exists(TrancheHold.active_for_tranche()))


class Tranche(models.Model):
    class Status(models.TextChoices):
        LOCKED = "locked", _("Menunggu laporan tahap sebelumnya")
        SCHEDULED = "scheduled", _("Terjadwal")
        IN_BATCH = "in_batch", _("Dalam batch")
        PAID = "paid", _("Dibayar")
        FAILED = "failed", _("Gagal")
        RETURNED = "returned", _("Dikembalikan bank")

    # A later tahap waits (locked) for the report on the one before; a failed or returned tranche
    # is re-issued after the bank account is fixed; a paid one never moves again, so it can never
    # be paid twice.
    TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        Status.LOCKED: frozenset({Status.SCHEDULED}),
        Status.SCHEDULED: frozenset({Status.IN_BATCH}),
        Status.IN_BATCH: frozenset({Status.PAID, Status.FAILED, Status.RETURNED, Status.SCHEDULED}),
        Status.FAILED: frozenset({Status.SCHEDULED}),
        Status.RETURNED: frozenset({Status.SCHEDULED}),
        Status.PAID: frozenset(),
    }

    # No index of its own: the unique (application, number) leads with it, and every index is one more
    # write per tranche the reconciliation settles.
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="tranches", verbose_name=_("pengajuan"), db_index=False
    )
    number = models.PositiveSmallIntegerField(_("tahap ke"))
    percentage = models.PositiveSmallIntegerField(_("persentase"))
    amount = models.PositiveBigIntegerField(_("nilai (Rp)"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    paid_at = models.DateTimeField(_("dibayar pada"), null=True, blank=True)
    # Written with the payment by the reconciliation's UPDATE; cleared when the "your money arrived"
    # message is in the outbox (disbursements.notifications.paid_tranche_notices_queue).
    paid_notice_due = models.BooleanField(_("kabar pembayaran belum dikirim"), default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("dibuat pada"))

    history = HistoricalRecords()
    objects = TrancheQuerySet.as_manager()

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
                condition=Q(status__in=["locked", "scheduled", "in_batch", "paid", "failed", "returned"]),
                name="tranche_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="paid", paid_at__isnull=False) | (~Q(status="paid") & Q(paid_at__isnull=True)),
                name="tranche_paid_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "application"], name="tranche_status_app_idx"),
            models.Index(fields=["id"], condition=Q(paid_notice_due=True), name="tranche_paid_notice_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.application} tahap {self.number}"

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.status]

    @property
    def is_reportable(self) -> bool:
        """Money reached the group, so the group reports how it was used."""
        return self.status == self.Status.PAID


class TrancheHoldQuerySet(models.QuerySet):
    def active(self) -> "TrancheHoldQuerySet":
        return self.filter(released_at__isnull=True)


class TrancheHold(models.Model):
    """A reason, placed by another part of the portal (a payment complaint), why the application's next
    unpaid tahap must not be paid yet. Kept after release (who, when, why): the hold is its own history.
    Its ``source`` is the placer's key (``grievances.ticket:<id>``): one active hold per source, and the
    placer releases only its own. Disbursements knows nothing of the placer beyond these strings."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="tranche_holds", verbose_name=_("pengajuan"), db_index=False
    )
    source = models.CharField(_("sumber"), max_length=60)
    reason = models.CharField(_("alasan penahanan"), max_length=300)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ditahan oleh"),
        db_index=False,
    )
    placed_at = models.DateTimeField(_("ditahan pada"), default=timezone.now)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dilepas oleh"),
        db_index=False,
    )
    released_at = models.DateTimeField(_("dilepas pada"), null=True, blank=True)
    release_note = models.CharField(_("catatan pelepasan"), max_length=300, blank=True)

    objects = TrancheHoldQuerySet.as_manager()

    class Meta:
        verbose_name = _("penahanan tahap")
        verbose_name_plural = _("penahanan tahap")
        ordering = ["application", "placed_at", "pk"]
        constraints = [
            # A source holds an application once at a time: placing again while active changes nothing.
            models.UniqueConstraint(
                fields=["application", "source"], condition=Q(released_at__isnull=True), name="tranche_hold_once"
            ),
        ]
        indexes = [
            # The payable selection asks "any active hold on this application?" for every scheduled tranche.
            models.Index(fields=["application"], condition=Q(released_at__isnull=True), name="tranche_hold_active_idx"),
            models.Index(fields=["source"], condition=Q(released_at__isnull=True), name="tranche_hold_source_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.reason}"

    @classmethod
    def active_for_tranche(cls) -> "TrancheHoldQuerySet":
        """The active holds of the outer tranche's application (for ``Exists``)."""
        return cls.objects.active().filter(application=models.OuterRef("application"))


class BankReason(models.TextChoices):
    """Why the bank did not credit a transfer (the codes of the bank result file)."""

    INVALID_ACCOUNT = "invalid_account", _("Nomor rekening tidak valid")
    ACCOUNT_CLOSED = "account_closed", _("Rekening sudah ditutup")
    DORMANT = "dormant", _("Rekening pasif (dormant)")
    NAME_MISMATCH = "name_mismatch", _("Nama pemilik rekening tidak sesuai")


class PaymentBatchQuerySet(models.QuerySet):
    def with_totals(self) -> "PaymentBatchQuerySet":
        """Counts and rupiah totals per outcome, computed by the database from the lines."""
        outcome = PaymentBatchLine.Outcome

        def total(*outcomes: str) -> Coalesce:
            return Coalesce(Sum("lines__amount", filter=Q(lines__outcome__in=outcomes)), Value(0))

        return self.annotate(
            line_count=Count("lines"),
            total_amount=Coalesce(Sum("lines__amount"), Value(0)),
            paid_amount=total(outcome.PAID),
            failed_amount=total(outcome.FAILED, outcome.RETURNED),
            open_amount=total(outcome.PENDING),
            paid_count=Count("lines", filter=Q(lines__outcome=outcome.PAID)),
            failed_count=Count("lines", filter=Q(lines__outcome__in=[outcome.FAILED, outcome.RETURNED])),
            open_count=Count("lines", filter=Q(lines__outcome=outcome.PENDING)),
        )


class PaymentBatch(models.Model):
    """Tranches sent to the bank in one transfer file. Exporting the file locks the batch: the
    bank holds exactly these lines, so none may be added or removed afterwards."""

    class Status(models.TextChoices):
        OPEN = "open", _("Terbuka")
        EXPORTED = "exported", _("Sudah diekspor (terkunci)")
        RECONCILED = "reconciled", _("Selesai direkonsiliasi")

    reference = models.CharField(_("nomor batch"), max_length=32, unique=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    # The filter finance used to pick the tranches (empty = all).
    scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("skema")
    )
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("provinsi")
    )
    bank = models.ForeignKey(
        Bank, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("bank")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("dibuat oleh")
    )
    created_at = models.DateTimeField(_("dibuat pada"), default=timezone.now)
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diekspor oleh"),
    )
    exported_at = models.DateTimeField(_("diekspor pada"), null=True, blank=True)
    reconciled_at = models.DateTimeField(_("direkonsiliasi pada"), null=True, blank=True)

    objects = PaymentBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("batch pembayaran")
        verbose_name_plural = _("batch pembayaran")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "exported", "reconciled"]), name="batch_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(exported_at__isnull=False), name="batch_exported_has_date"
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class PaymentBatchLine(models.Model):
    """One transfer attempt of one tranche: its own payment reference, the account it was sent to
    (copied when the line was made, so the file and the audit show what the bank received) and the
    bank's outcome."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Menunggu hasil bank")
        PAID = "paid", _("Dibayar")
        FAILED = "failed", _("Gagal")
        RETURNED = "returned", _("Dikembalikan bank")

    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, related_name="lines", verbose_name=_("batch"))
    # No index of its own: the unique (tranche, attempt) leads with it (one write less per settled line).
    tranche = models.ForeignKey(
        Tranche, on_delete=models.PROTECT, related_name="payment_lines", verbose_name=_("tahap"), db_index=False
    )
    attempt = models.PositiveSmallIntegerField(_("percobaan ke"))
    payment_reference = models.CharField(_("referensi pembayaran"), max_length=32, unique=True)
    amount = models.PositiveBigIntegerField(_("nilai (Rp)"))
    bank_code = models.CharField(_("kode bank"), max_length=3)
    account_number = models.CharField(_("nomor rekening"), max_length=20)
    account_holder = models.CharField(_("nama pemilik rekening"), max_length=200)
    description = models.CharField(_("keterangan"), max_length=140)
    outcome = models.CharField(_("hasil"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    reason_code = models.CharField(_("kode alasan bank"), max_length=20, choices=BankReason.choices, blank=True)
    bank_transaction_id = models.CharField(_("ID transaksi bank"), max_length=64, blank=True)
    transfer_date = models.DateField(_("tanggal transfer"), null=True, blank=True)
    settled_at = models.DateTimeField(_("direkonsiliasi pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("baris batch")
        verbose_name_plural = _("baris batch")
        ordering = ["batch", "pk"]
        constraints = [
            # At most one transfer of a tranche in flight: a tranche sits in at most one open (or
            # exported, unreconciled) batch.
            models.UniqueConstraint(
                fields=["tranche"], condition=Q(outcome="pending"), name="batch_line_one_pending_per_tranche"
            ),
            models.UniqueConstraint(fields=["tranche", "attempt"], name="batch_line_attempt_unique"),
            models.UniqueConstraint(
                fields=["bank_transaction_id"], condition=~Q(bank_transaction_id=""), name="batch_line_bank_txn_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="batch_line_amount_positive"),
            models.CheckConstraint(
                condition=Q(outcome__in=["pending", "paid", "failed", "returned"]), name="batch_line_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(reason_code__in=["", *BankReason.values]), name="batch_line_reason_valid"
            ),
            models.CheckConstraint(
                condition=(Q(outcome="pending") & Q(settled_at__isnull=True) & Q(bank_transaction_id=""))
                | (~Q(outcome="pending") & Q(settled_at__isnull=False)),
                name="batch_line_settled_when_decided",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="paid") | ~Q(bank_transaction_id=""), name="batch_line_paid_has_txn"
            ),
        ]

    def __str__(self) -> str:
        return self.payment_reference


class LedgerQuerySet(models.QuerySet):
    """Ledger rows are never changed or removed, not even in bulk."""

    def update(self, **kwargs: object) -> int:
        raise LedgerImmutableError(_("Buku besar hanya dapat ditambah, tidak dapat diubah."))

    def delete(self) -> tuple[int, dict[str, int]]:
        raise LedgerImmutableError(_("Buku besar hanya dapat ditambah, tidak dapat dihapus."))


class LedgerImmutableError(Exception):
    pass


class OverpaymentError(ValidationError):
    """A ledger row would put a tranche's net paid amount (paid − returned by the bank) above the
    tranche's amount: the tahap would be paid twice. PostgreSQL refuses such a row itself (constraint
    trigger ``ledger_net_paid_within_tranche``); the services say it in words on every database."""

    # The name the PostgreSQL trigger raises under (migration 0006).
    CONSTRAINT = "ledger_net_paid_within_tranche"


class LedgerEntry(models.Model):
    """One money event of a tranche, append-only (PostgreSQL also refuses UPDATE and DELETE with a
    trigger). ``amount`` is the signed change to the money that has left the state for the group:
    positive when paid, negative when the group returns unspent money to the Kas Negara, zero for the
    events that move no money (scheduled, batched, failed, returned by the bank, re-issued)."""

    class Kind(models.TextChoices):
        SCHEDULED = "scheduled", _("Dijadwalkan")
        UNLOCKED = "unlocked", _("Dibuka setelah laporan diterima")
        BATCHED = "batched", _("Masuk batch")
        PAID = "paid", _("Dibayar")
        FAILED = "failed", _("Gagal")
        RETURNED = "returned", _("Dikembalikan bank")
        REISSUED = "reissued", _("Diterbitkan ulang")
        RETURNED_TO_TREASURY = "returned_to_treasury", _("Disetor kembali ke Kas Negara")

    # No index of its own: ``ledger_tranche_idx`` (tranche, created_at) leads with it.
    tranche = models.ForeignKey(
        Tranche, on_delete=models.PROTECT, related_name="ledger", verbose_name=_("tahap"), db_index=False
    )
    batch = models.ForeignKey(
        PaymentBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger", verbose_name=_("batch")
    )
    kind = models.CharField(_("jenis"), max_length=24, choices=Kind.choices)
    amount = models.BigIntegerField(_("nilai (Rp)"))
    payment_reference = models.CharField(_("referensi pembayaran"), max_length=32, blank=True)
    bank_transaction_id = models.CharField(_("ID transaksi bank"), max_length=64, blank=True)
    reason_code = models.CharField(_("kode alasan"), max_length=40, blank=True)
    note = models.CharField(_("catatan"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("oleh"),
    )
    created_at = models.DateTimeField(_("waktu"), default=timezone.now, db_index=True)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        verbose_name = _("buku besar penyaluran")
        verbose_name_plural = _("buku besar penyaluran")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "scheduled",
                        "unlocked",
                        "batched",
                        "paid",
                        "failed",
                        "returned",
                        "reissued",
                        "returned_to_treasury",
                    ]
                ),
                name="ledger_kind_valid",
            ),
            models.CheckConstraint(
                condition=(Q(kind="paid") & Q(amount__gt=0))
                | (Q(kind="returned_to_treasury") & Q(amount__lt=0))
                | (~Q(kind__in=["paid", "returned_to_treasury"]) & Q(amount=0)),
                name="ledger_amount_sign_by_kind",
            ),
        ]
        indexes = [models.Index(fields=["tranche", "created_at"], name="ledger_tranche_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.tranche_id} {self.amount}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise LedgerImmutableError(_("Buku besar hanya dapat ditambah, tidak dapat diubah."))
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise LedgerImmutableError(_("Buku besar hanya dapat ditambah, tidak dapat dihapus."))


class ReconciliationException(models.Model):
    """A bank result line that was not applied: it waits here for a person, never silently."""

    class Kind(models.TextChoices):
        UNKNOWN_REFERENCE = "unknown_reference", _("Referensi pembayaran tidak dikenal")
        AMOUNT_MISMATCH = "amount_mismatch", _("Nilai berbeda dengan nilai di batch")
        DUPLICATE_LINE = "duplicate_line", _("Baris ganda dalam berkas")
        CONFLICTING_LINES = "conflicting_lines", _("Beberapa baris bertentangan untuk referensi yang sama")
        ALREADY_SETTLED = "already_settled", _("Referensi sudah direkonsiliasi dengan hasil lain")
        TRANSACTION_REUSED = "transaction_reused", _("ID transaksi bank sudah dipakai pembayaran lain")

    class Status(models.TextChoices):
        OPEN = "open", _("Terbuka")
        RESOLVED = "resolved", _("Selesai")

    kind = models.CharField(_("jenis"), max_length=24, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    payment_reference = models.CharField(_("referensi pembayaran"), max_length=64)
    line = models.ForeignKey(
        PaymentBatchLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("baris batch"),
    )
    file_name = models.CharField(_("berkas"), max_length=255)
    row_number = models.PositiveIntegerField(_("baris ke"))
    row = models.JSONField(_("isi baris"))
    # A digest of the kind and the line's content: the same line imported again (the same file twice,
    # or two files sharing it) finds its exception already queued and adds nothing.
    fingerprint = models.CharField(max_length=64, unique=True, editable=False, verbose_name=_("sidik baris"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("dibuat oleh")
    )
    created_at = models.DateTimeField(_("dicatat pada"), default=timezone.now)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diselesaikan oleh"),
    )
    resolved_at = models.DateTimeField(_("diselesaikan pada"), null=True, blank=True)
    resolution_note = models.TextField(_("catatan penyelesaian"), blank=True)

    class Meta:
        verbose_name = _("pengecualian rekonsiliasi")
        verbose_name_plural = _("pengecualian rekonsiliasi")
        ordering = ["-created_at", "-pk"]
        permissions = [("resolve_reconciliationexception", _("Dapat menyelesaikan pengecualian rekonsiliasi"))]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["open", "resolved"]), name="recon_exception_status_valid"),
            models.CheckConstraint(
                condition=Q(status="open", resolved_at__isnull=True)
                | (Q(status="resolved", resolved_at__isnull=False) & ~Q(resolution_note="")),
                name="recon_exception_resolved_with_note",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.payment_reference}"


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
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("dibuat pada"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("diperbarui pada"))

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
        if status in (self.Status.ACCEPTED, self.Status.RETURNED):
            events.publish([self._decided_event(now)])

    def _decided_event(self, now: datetime.datetime) -> events.Event:
        """``report.decided`` (jps_portal.events): accepted, or returned for corrections."""
        place = (
            Application.objects.filter(pk=self.tranche.application_id)
            .values("reference", "province_id", "group__regency_id")
            .get()
        )
        return events.Event(
            type=events.REPORT_DECIDED,
            province_code=place["province_id"],
            regency_code=place["group__regency_id"],
            occurred_at=now,
            data={
                "report_id": self.pk,
                "kind": self.kind,
                "decision": self.status,
                "tranche_id": self.tranche_id,
                "tranche_number": self.tranche.number,
                "application_id": self.tranche.application_id,
                "reference": place["reference"],
                "decided_at": now.isoformat(),
            },
        )


class UsageReportStatusChange(models.Model):
    """One row per report status change: who, when, from, to and why. Never edited."""

    report = models.ForeignKey(
        UsageReport, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("laporan")
    )
    from_status = models.CharField(max_length=10, choices=UsageReport.Status.choices, verbose_name=_("dari status"))
    to_status = models.CharField(max_length=10, choices=UsageReport.Status.choices, verbose_name=_("menjadi status"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diubah oleh"),
    )
    changed_at = models.DateTimeField(verbose_name=_("diubah pada"))
    note = models.TextField(_("catatan"), blank=True)

    class Meta:
        verbose_name = _("riwayat status laporan")
        verbose_name_plural = _("riwayat status laporan")
        ordering = ["report", "changed_at", "pk"]
        indexes = [models.Index(fields=["report", "changed_at"], name="report_change_report_idx")]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.get_from_status_display()} → {self.get_to_status_display()}"


class StoredFile(models.Model):
    """A stored file checked by content (applications.uploads), under a random name."""

    file = models.FileField(_("berkas"), upload_to=_report_file_path)
    original_name = models.CharField(_("nama berkas asli"), max_length=255)
    content_type = models.CharField(max_length=100, verbose_name=_("jenis berkas"))
    size = models.PositiveIntegerField(verbose_name=_("ukuran (bita)"))

    class Meta:
        abstract = True


class ReportUpload(StoredFile):
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("diunggah oleh")
    )
    uploaded_at = models.DateTimeField(auto_now_add=True, verbose_name=_("diunggah pada"))

    class Meta:
        abstract = True


class ReportReceipt(ReportUpload):
    """One kuitansi / nota: what was bought, when, for how much, with its photo."""

    class Category(models.TextChoices):
        EQUIPMENT = "equipment", _("Peralatan")
        MATERIALS = "materials", _("Bahan")

    report = models.ForeignKey(
        UsageReport, on_delete=models.CASCADE, related_name="receipts", verbose_name=_("laporan")
    )
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

    report = models.ForeignKey(UsageReport, on_delete=models.CASCADE, related_name="photos", verbose_name=_("laporan"))
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

    report = models.ForeignKey(
        UsageReport, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("laporan")
    )
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
