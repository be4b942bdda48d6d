"""Tranches (tahap) of approved grants, the payment batches sent to the bank, the bank's results
reconciled against them, and the append-only ledger of every money movement."""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from applications.models import Application, Scheme
from groups.models import Bank
from regions.models import Province


class TrancheQuerySet(models.QuerySet):
    def payable(self) -> "TrancheQuerySet":
        """Tranches finance may put in a batch now."""
        return self.filter(status=Tranche.Status.SCHEDULED)


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
        indexes = [models.Index(fields=["status", "application"], name="tranche_status_app_idx")]

    def __str__(self) -> str:
        return f"{self.application} tahap {self.number}"

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.status]


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
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
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
    tranche = models.ForeignKey(
        Tranche, on_delete=models.PROTECT, related_name="payment_lines", verbose_name=_("tahap")
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

    tranche = models.ForeignKey(Tranche, on_delete=models.PROTECT, related_name="ledger", verbose_name=_("tahap"))
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
    fingerprint = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
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
