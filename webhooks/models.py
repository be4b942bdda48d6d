"""Webhooks: partner systems told about events as they happen, through an outbox.

A ``Subscription`` belongs to one partner ``Client`` and names the event types it wants and the URL
to POST them to. When a service publishes an event (``jps_portal.events``), ``webhooks.services``
writes, in the same transaction, one ``Event`` row and one ``Delivery`` row per matching subscription
(the outbox). Workers send the deliveries after commit, each attempt recorded as a
``DeliveryAttempt``; a failed one waits with exponential backoff and gives up after a limit. Nothing
is sent inside a request.
"""

import uuid
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jps_portal import events
from partners.models import Client, Scope

EVENT_CHOICES = [
    (events.APPLICATION_STATUS_CHANGED, _("Status pengajuan berubah")),
    (events.TRANCHE_PAID, _("Tahap dibayar")),
    (events.TRANCHE_FAILED, _("Transfer tahap gagal atau dikembalikan bank")),
    (events.REPORT_DECIDED, _("Laporan penggunaan dana diputuskan")),
    (events.TICKET_STATUS_CHANGED, _("Status pengaduan berubah")),
]
# Every event tells about an application, its money or its complaints: the reader must be allowed
# to read applications (the same scope the API's reads need).
EVENT_SCOPE = Scope.APPLICATIONS_READ


class Subscription(models.Model):
    """One partner endpoint and the events it receives. The signing secret is shown once, when
    issued (``webhooks.services``); it is kept because every delivery is signed with it."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="webhook_subscriptions", verbose_name=_("klien")
    )
    target_url = models.URLField(_("URL penerima"), max_length=500)
    events = models.JSONField(_("peristiwa"), default=list)
    is_active = models.BooleanField(_("aktif"), default=True)
    secret = models.CharField(max_length=80, editable=False)
    secret_issued_at = models.DateTimeField(_("rahasia diterbitkan pada"), null=True, editable=False)
    created_at = models.DateTimeField(_("dibuat pada"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        editable=False,
        verbose_name=_("dibuat oleh"),
    )

    class Meta:
        verbose_name = _("langganan webhook")
        verbose_name_plural = _("langganan webhook")
        ordering = ["client__name", "pk"]

    def __str__(self) -> str:
        return f"{self.client} → {self.target_url}"

    def clean(self) -> None:
        if not isinstance(self.events, list) or not self.events:
            raise ValidationError({"events": _("Pilih sedikitnya satu peristiwa.")})
        if any(code not in events.TYPES for code in self.events) or len(set(self.events)) != len(self.events):
            raise ValidationError({"events": _("Peristiwa tidak dikenal atau berulang.")})
        if self.target_url and not (self.target_url.startswith("https://") or settings.WEBHOOK_ALLOW_HTTP):
            raise ValidationError({"target_url": _("URL penerima harus memakai https://.")})
        if self.client_id and not self.client.has_scope(EVENT_SCOPE):
            raise ValidationError(_("Klien ini tidak memiliki hak akses %(scope)s.") % {"scope": EVENT_SCOPE})


class Event(models.Model):
    """One published event, as it is sent: ``id`` is the receiver's dedupe key (``X-JPS-Event-Id``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    type = models.CharField(_("jenis"), max_length=40, choices=EVENT_CHOICES)
    occurred_at = models.DateTimeField(_("terjadi pada"))
    data = models.JSONField(_("isi"))
    province_code = models.CharField(_("kode provinsi"), max_length=8)
    regency_code = models.CharField(_("kode kabupaten/kota"), max_length=8, blank=True)
    created_at = models.DateTimeField(_("dicatat pada"), auto_now_add=True)

    class Meta:
        verbose_name = _("peristiwa webhook")
        verbose_name_plural = _("peristiwa webhook")
        ordering = ["-occurred_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"


class Delivery(models.Model):
    """One event to one subscription: the outbox row, and what became of it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu dikirim")
        DELIVERED = "delivered", _("Terkirim")
        FAILED = "failed", _("Gagal (berhenti dicoba)")

    # A delivered or abandoned delivery may be sent again by hand (``delivery_redeliver``).
    TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        Status.PENDING: frozenset({Status.DELIVERED, Status.FAILED}),
        Status.DELIVERED: frozenset({Status.PENDING}),
        Status.FAILED: frozenset({Status.PENDING}),
    }

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("peristiwa"))
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("langganan")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    next_attempt_at = models.DateTimeField(_("percobaan berikutnya"), null=True, blank=True)
    # A worker that took the delivery holds it until then; one that died mid-send lets it go again.
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_status_code = models.PositiveSmallIntegerField(_("kode HTTP terakhir"), null=True, blank=True)
    last_error = models.CharField(_("galat terakhir"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(_("terkirim pada"), null=True, blank=True)
    # The last manual redelivery: who asked for it, and when (the attempts say what followed).
    redelivered_at = models.DateTimeField(_("dikirim ulang pada"), null=True, blank=True, editable=False)
    redelivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("dikirim ulang oleh"),
    )
    created_at = models.DateTimeField(_("dibuat pada"), auto_now_add=True)

    class Meta:
        verbose_name = _("pengiriman webhook")
        verbose_name_plural = _("pengiriman webhook")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "subscription"], name="webhook_delivery_once"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "delivered", "failed"]), name="webhook_delivery_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="delivered") | Q(delivered_at__isnull=False), name="webhook_delivered_has_time"
            ),
        ]
        indexes = [
            # The sweep and the workers read only what is still to be sent.
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="webhook_delivery_due_idx"),
            models.Index(fields=["subscription", "created_at"], name="webhook_delivery_sub_idx"),
        ]
        permissions = [("redeliver_delivery", _("Dapat mengirim ulang webhook"))]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.subscription_id}"


class DeliveryAttempt(models.Model):
    """One POST of a delivery: the receiver's answer (or why there was none), and how long it took."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="attempt_log", verbose_name=_("pengiriman")
    )
    attempted_at = models.DateTimeField(_("waktu"))
    status_code = models.PositiveSmallIntegerField(_("kode HTTP"), null=True, blank=True)
    succeeded = models.BooleanField(_("berhasil"))
    error = models.CharField(_("galat"), max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(_("durasi (ms)"))

    class Meta:
        verbose_name = _("percobaan kirim webhook")
        verbose_name_plural = _("percobaan kirim webhook")
        ordering = ["attempted_at", "pk"]

    def __str__(self) -> str:
        return f"{self.delivery_id} @ {self.attempted_at:%Y-%m-%d %H:%M:%S}: {self.status_code or self.error}"
