"""The outbox of every message the portal sends to a person, and one-time codes sent by SMS.

A message is stored in the transaction of the event it tells about, and delivered afterwards by a
worker: an SMS gateway or mail server that is down delays a message, it never loses one, and it never
fails the request that caused it. Every delivery attempt is recorded (``MessageAttempt``)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    """One message to one recipient, rendered when it was queued."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")
        WHATSAPP = "whatsapp", _("WhatsApp")

    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu dikirim")
        SENT = "sent", _("Terkirim")
        FAILED = "failed", _("Gagal (berhenti dicoba)")
        EXPIRED = "expired", _("Kedaluwarsa sebelum terkirim")

    # Which moves a message may make. A failed message may be queued again by an officer; a sent or
    # expired one is final.
    TRANSITIONS: dict[str, set[str]] = {
        Status.PENDING: {Status.SENT, Status.FAILED, Status.EXPIRED},
        Status.FAILED: {Status.PENDING},
        Status.SENT: set(),
        Status.EXPIRED: set(),
    }

    channel = models.CharField(_("saluran"), max_length=10, choices=Channel.choices)
    to = models.CharField(_("penerima"), max_length=254)
    template = models.CharField(_("jenis pesan"), max_length=100)
    language = models.CharField(_("bahasa"), max_length=8, default="id")
    subject = models.CharField(_("subjek"), max_length=255, blank=True)
    body = models.TextField(_("isi"))
    # Messages queued in bulk are rendered by the worker that delivers them, from this context.
    context = models.JSONField(default=dict, blank=True, editable=False, verbose_name=_("konteks"))
    # What ``body`` becomes once the message is delivered or expired, for messages that carry a secret
    # (a one-time code): the outbox must not keep it readable.
    body_redacted = models.TextField(blank=True, editable=False, verbose_name=_("isi (disamarkan)"))
    # The caller's key for "this message, once": queuing the same key again returns the first row.
    dedupe_key = models.CharField(
        max_length=200, null=True, blank=True, unique=True, editable=False, verbose_name=_("kunci anti-ganda")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    next_attempt_at = models.DateTimeField(_("percobaan berikutnya"), null=True, blank=True)
    # A worker that takes a message holds it until then; one that dies mid-send lets it go again.
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("diproses sampai"))
    # Not delivered by then: not delivered at all (a one-time code that expired, say).
    expires_at = models.DateTimeField(_("berlaku sampai"), null=True, blank=True)
    sent_at = models.DateTimeField(_("terkirim pada"), null=True, blank=True)
    provider_reference = models.CharField(_("referensi penyedia"), max_length=100, blank=True)
    last_error = models.TextField(_("galat terakhir"), blank=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        verbose_name = _("pesan keluar")
        verbose_name_plural = _("pesan keluar")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(channel__in=["email", "sms", "whatsapp"]), name="message_channel_valid"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sent", "failed", "expired"]), name="message_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="message_sent_has_time"
            ),
        ]
        indexes = [
            # The delivery sweep reads only what is still to be sent.
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="message_pending_due_idx"),
        ]
        permissions = [("resend_message", _("Dapat mengirim ulang pesan yang gagal"))]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.to}: {self.template}"


class MessageAttempt(models.Model):
    """One try at handing a message to the mail server or SMS gateway: the delivery record."""

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="delivery_attempts", verbose_name=_("pesan")
    )
    attempted_at = models.DateTimeField(_("waktu"), auto_now_add=True)
    succeeded = models.BooleanField(_("berhasil"))
    provider_reference = models.CharField(_("referensi penyedia"), max_length=100, blank=True)
    error = models.TextField(_("galat"), blank=True)

    class Meta:
        verbose_name = _("percobaan kirim")
        verbose_name_plural = _("percobaan kirim")
        ordering = ["attempted_at", "id"]

    def __str__(self) -> str:
        return f"{self.message_id} @ {self.attempted_at:%Y-%m-%d %H:%M:%S}: {'ok' if self.succeeded else self.error}"


class OneTimeCode(models.Model):
    """A short code sent by SMS to prove a person holds a phone. Only its keyed hash is stored; it
    expires, allows a few wrong tries, and works once. Rows are also the throttle's memory: codes
    asked for per phone and per IP are counted here, so throttling holds without Redis."""

    phone = models.CharField(max_length=20, verbose_name=_("nomor HP"))
    purpose = models.CharField(max_length=40, verbose_name=_("keperluan"))
    code_hash = models.CharField(max_length=128, verbose_name=_("hash kode"))
    expires_at = models.DateTimeField(verbose_name=_("kedaluwarsa pada"))
    failed_attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("percobaan gagal"))
    consumed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("dipakai pada"))
    requested_ip = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("alamat IP peminta"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("dibuat pada"))

    class Meta:
        verbose_name = _("kode sekali pakai")
        verbose_name_plural = _("kode sekali pakai")
        indexes = [
            models.Index(fields=["phone", "purpose", "created_at"], name="otp_phone_purpose_idx"),
            models.Index(fields=["requested_ip", "created_at"], name="otp_ip_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} → {self.phone[:6]}…"
