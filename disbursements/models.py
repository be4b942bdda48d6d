"""Tranches (tahap) of approved grants, paid to the group's bank account."""

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from applications.models import Application


class Tranche(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Terjadwal")
        IN_BATCH = "in_batch", _("Dalam batch")
        PAID = "paid", _("Dibayar")
        FAILED = "failed", _("Gagal")
        RETURNED = "returned", _("Dikembalikan bank")

    # A failed or returned tranche is re-issued after the bank account is fixed; a paid one
    # never moves again, so it can never be paid twice.
    TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
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
                condition=Q(status__in=["scheduled", "in_batch", "paid", "failed", "returned"]),
                name="tranche_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="paid", paid_at__isnull=False) | (~Q(status="paid") & Q(paid_at__isnull=True)),
                name="tranche_paid_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} tahap {self.number}"
