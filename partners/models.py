"""Partner systems that call the portal's API (``/api/v1/``): their credentials and their calls.

A ``Client`` is one partner system (SIAPkerja, a provincial Disnaker, a bank, the ministry's BI
tools). It holds scopes (what it may call) and a region scope (whose data it may see), read by the
same ``regions.scope.RegionScope`` the admin filters officers with. Its ``ApiKey`` rows keep only a
SHA-256 of each secret; the secret itself is shown once, when issued (``partners.services``).
"""

import datetime
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from regions.models import Province, Regency
from regions.scope import RegionScope


class Scope(models.TextChoices):
    """What a client may call. ``nik:read`` widens ``applications:read`` to unmasked NIKs."""

    APPLICATIONS_READ = "applications:read", _("Baca kelompok, anggota dan pengajuan")
    NIK_READ = "nik:read", _("Baca NIK anggota tanpa disamarkan")
    SUBMISSIONS_WRITE = "submissions:write", _("Kirim pengajuan lengkap")
    MEMBER_LISTS_WRITE = "member-lists:write", _("Unggah daftar anggota")
    BANK_RESULTS_WRITE = "bank-results:write", _("Kirim hasil transfer bank")
    DISBURSEMENTS_READ = "disbursements:read", _("Baca tahap, batch pembayaran dan berkas transfer bank")
    TALLIES_READ = "tallies:read", _("Baca rekap")
    PUBLIC_READ = "public:read", _("Baca daftar penerima publik")


def _default_expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=365)


class Client(models.Model):
    """One partner system. Inactive or past ``expires_at``: every key of it is refused."""

    name = models.CharField(_("nama sistem"), max_length=120, unique=True)
    contact = models.CharField(_("kontak teknis"), max_length=200, blank=True)
    is_active = models.BooleanField(_("aktif"), default=True)
    expires_at = models.DateTimeField(_("berlaku sampai"), default=_default_expiry)
    scopes = models.JSONField(_("hak akses"), default=list, blank=True)
    scope_national = models.BooleanField(_("lingkup nasional"), default=False)
    scope_provinces = models.ManyToManyField(Province, blank=True, related_name="+", verbose_name=_("lingkup provinsi"))
    scope_regencies = models.ManyToManyField(
        Regency, blank=True, related_name="+", verbose_name=_("lingkup kabupaten/kota")
    )
    rate_limit_per_minute = models.PositiveIntegerField(_("batas panggilan per menit"), default=600)
    # The portal account the client's writes are recorded under ("diunggah oleh", history rows): made
    # on its first write, never able to log in, its region scope kept equal to the client's.
    actor = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("akun pencatat"),
    )
    created_at = models.DateTimeField(_("dibuat pada"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diperbarui pada"), auto_now=True)

    class Meta:
        verbose_name = _("klien API")
        verbose_name_plural = _("klien API")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(rate_limit_per_minute__gt=0), name="client_rate_limit_positive"),
            models.CheckConstraint(condition=~Q(name=""), name="client_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not isinstance(self.scopes, list) or any(code not in Scope.values for code in self.scopes):
            raise ValidationError({"scopes": _("Hak akses tidak dikenal.")})
        if len(set(self.scopes)) != len(self.scopes):
            raise ValidationError({"scopes": _("Hak akses tidak boleh berulang.")})

    def is_usable(self, *, now: datetime.datetime) -> bool:
        return self.is_active and self.expires_at > now

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def region_scope(self) -> RegionScope:
        """The same object the admin builds for an officer (``regions.scope.region_scope_of``)."""
        if self.scope_national:
            return RegionScope(national=True, province_codes=frozenset(), regency_codes=frozenset())
        return RegionScope(
            national=False,
            province_codes=frozenset(self.scope_provinces.values_list("code", flat=True)),
            regency_codes=frozenset(self.scope_regencies.values_list("code", flat=True)),
        )


class ApiKey(models.Model):
    """One credential of a client: ``jps_<key_id>_<secret>``; only ``sha256(secret)`` is kept.

    A rotated key stays valid until ``expires_at`` (24 hours after the rotation) so the partner can
    deploy the new one; a revoked key is refused at once."""

    KEY_ID_LENGTH: ClassVar[int] = 12

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="keys", verbose_name=_("klien"))
    key_id = models.CharField(_("ID kunci"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("diterbitkan pada"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        editable=False,
        verbose_name=_("diterbitkan oleh"),
    )
    # Null: valid as long as the client is. Set by a rotation (the overlap's end).
    expires_at = models.DateTimeField(_("berlaku sampai"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("dicabut pada"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("dicabut oleh"),
    )
    replaced_by = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        related_name="replaces",
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("diganti dengan"),
    )

    class Meta:
        verbose_name = _("kunci API")
        verbose_name_plural = _("kunci API")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(secret_hash__regex=r"^[0-9a-f]{64}$"), name="api_key_hash_shape"),
        ]

    def __str__(self) -> str:
        return f"jps_{self.key_id}_…"

    def is_valid_at(self, now: datetime.datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    @property
    def state(self) -> str:
        now = timezone.now()
        if self.revoked_at is not None:
            return str(_("dicabut"))
        if self.expires_at is not None and self.expires_at <= now:
            return str(_("kedaluwarsa"))
        if self.replaced_by_id is not None:
            return str(_("diganti, masih berlaku"))
        return str(_("berlaku"))


class ApiCall(models.Model):
    """One API call, written once after the answer is ready (one INSERT, no later update)."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name=_("klien")
    )
    key_id = models.CharField(_("ID kunci"), max_length=16, blank=True)
    operation = models.CharField(_("operasi"), max_length=80)
    method = models.CharField(_("metode"), max_length=8)
    path = models.CharField(_("alamat"), max_length=300)
    status = models.PositiveSmallIntegerField(_("status HTTP"))
    duration_ms = models.PositiveIntegerField(_("durasi (ms)"))
    request_id = models.CharField(_("ID permintaan"), max_length=64, blank=True)
    at = models.DateTimeField(_("waktu"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("panggilan API")
        verbose_name_plural = _("panggilan API")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["client", "at"], name="api_call_client_at_idx"),
            models.Index(fields=["at"], name="api_call_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"


class IdempotencyKey(models.Model):
    """A write sent with an ``Idempotency-Key`` header: the key, a hash of what was sent, and the
    answer given. Claimed (inserted) before the write runs, so a concurrent retry with the same key
    hits the unique constraint instead of writing a second time; the answer is filled in afterwards
    and replayed to every later retry with the same body."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+", verbose_name=_("klien"))
    key = models.CharField(_("kunci idempotensi"), max_length=255)
    operation = models.CharField(_("operasi"), max_length=80)
    request_hash = models.CharField(max_length=64)
    # Null while the write runs; then the status and body answered (both replayed).
    response_status = models.PositiveSmallIntegerField(_("status HTTP"), null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(_("diterima pada"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("kunci idempotensi")
        verbose_name_plural = _("kunci idempotensi")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="idempotency_key_unique_per_client"),
            models.CheckConstraint(condition=~Q(key=""), name="idempotency_key_not_empty"),
            models.CheckConstraint(condition=Q(request_hash__regex=r"^[0-9a-f]{64}$"), name="idempotency_hash_shape"),
        ]

    def __str__(self) -> str:
        return f"{self.operation} {self.key}"
