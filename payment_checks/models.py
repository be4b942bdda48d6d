"""Payment verification with the people paid (cek bantuan): after a batch is reconciled, a random
sample of its paid tranches per province is drawn, sized by a sampling plan kept as data; the ketua
and bendahara of each sampled group confirm by an SMS link whether the money arrived; a discrepancy
opens a complaint ticket; non-responders go to a field officer's follow-up list."""

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disbursements.models import PaymentBatch, Tranche
from grievances.models import Ticket
from groups.models import Group, Member
from regions.models import Province, Regency


class SamplingPlan(models.Model):
    """How large a sample each province gets, and how long people have to answer. Data, edited in the
    admin; the active plan at draw time is copied onto the draw, so editing it never changes a past one."""

    name = models.CharField(_("nama rencana"), max_length=120)
    confidence_level = models.DecimalField(
        _("tingkat kepercayaan"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.95"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("0.999"))],
        help_text=_("Mis. 0,95 untuk 95%."),
    )
    margin_of_error = models.DecimalField(
        _("batas kesalahan (±)"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.05"),
        validators=[MinValueValidator(Decimal("0.005")), MaxValueValidator(Decimal("0.5"))],
        help_text=_("Mis. 0,05 untuk ±5%."),
    )
    expected_proportion = models.DecimalField(
        _("proporsi yang diharapkan"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.5"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("0.99"))],
        help_text=_("0,5 bila tidak diketahui (sampel terbesar)."),
    )
    minimum_per_province = models.PositiveIntegerField(_("sampel minimum per provinsi"), default=10)
    follow_up_after_days = models.PositiveSmallIntegerField(
        _("tindak lanjut setelah (hari)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("Kelompok yang belum menjawab setelah sekian hari masuk daftar tindak lanjut petugas."),
    )
    link_valid_days = models.PositiveSmallIntegerField(
        _("tautan SMS berlaku (hari)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(180)]
    )
    is_active = models.BooleanField(_("dipakai"), default=True)
    updated_at = models.DateTimeField(_("diperbarui pada"), auto_now=True)

    class Meta:
        verbose_name = _("rencana sampel verifikasi")
        verbose_name_plural = _("rencana sampel verifikasi")
        ordering = ["-is_active", "name"]
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="sampling_plan_one_active"),
            models.CheckConstraint(
                condition=Q(confidence_level__gte=Decimal("0.5")) & Q(confidence_level__lt=1),
                name="sampling_plan_confidence_range",
            ),
            models.CheckConstraint(
                condition=Q(margin_of_error__gt=0) & Q(margin_of_error__lte=Decimal("0.5")),
                name="sampling_plan_margin_range",
            ),
            models.CheckConstraint(
                condition=Q(expected_proportion__gt=0) & Q(expected_proportion__lt=1),
                name="sampling_plan_proportion_range",
            ),
            models.CheckConstraint(condition=Q(follow_up_after_days__gte=1), name="sampling_plan_follow_up_positive"),
            models.CheckConstraint(condition=Q(link_valid_days__gte=1), name="sampling_plan_link_days_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class VerificationDraw(models.Model):
    """The sample of one reconciled batch. One per batch (the database says so): drawing again for
    the same batch finds this row and draws nothing new."""

    batch = models.OneToOneField(
        PaymentBatch, on_delete=models.PROTECT, related_name="verification_draw", verbose_name=_("batch")
    )
    plan = models.ForeignKey(SamplingPlan, on_delete=models.PROTECT, related_name="+", verbose_name=_("rencana"))
    # The plan as it was when drawn.
    confidence_level = models.DecimalField(_("tingkat kepercayaan"), max_digits=4, decimal_places=3)
    margin_of_error = models.DecimalField(_("batas kesalahan"), max_digits=4, decimal_places=3)
    expected_proportion = models.DecimalField(_("proporsi yang diharapkan"), max_digits=4, decimal_places=3)
    minimum_per_province = models.PositiveIntegerField(_("sampel minimum per provinsi"))
    follow_up_after_days = models.PositiveSmallIntegerField(_("tindak lanjut setelah (hari)"))
    link_valid_days = models.PositiveSmallIntegerField(_("tautan SMS berlaku (hari)"))
    population = models.PositiveIntegerField(_("tahap dibayar dalam batch"), default=0)
    sample_size = models.PositiveIntegerField(_("ukuran sampel"), default=0)
    drawn_at = models.DateTimeField(_("diundi pada"), default=timezone.now)
    invited_at = models.DateTimeField(_("SMS diantrekan pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("undian verifikasi pembayaran")
        verbose_name_plural = _("undian verifikasi pembayaran")
        ordering = ["-drawn_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sample_size__lte=models.F("population")), name="draw_sample_le_population"
            )
        ]

    def __str__(self) -> str:
        return str(_("Verifikasi %(batch)s") % {"batch": self.batch})


class DrawStratum(models.Model):
    """One province of a draw: how many of its paid tranches there were and how many were sampled."""

    draw = models.ForeignKey(
        VerificationDraw, on_delete=models.CASCADE, related_name="strata", verbose_name=_("undian")
    )
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("provinsi"))
    population = models.PositiveIntegerField(_("populasi"))
    sample_size = models.PositiveIntegerField(_("ukuran sampel"))

    class Meta:
        verbose_name = _("strata undian")
        verbose_name_plural = _("strata undian")
        ordering = ["draw", "province"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "province"], name="draw_stratum_once_per_province"),
            models.CheckConstraint(
                condition=Q(sample_size__lte=models.F("population")), name="draw_stratum_sample_le_population"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.draw_id}/{self.province_id}: {self.sample_size}/{self.population}"


class Answer(models.TextChoices):
    FULL = "full", _("Diterima penuh")
    PARTIAL = "partial", _("Diterima sebagian")
    NONE = "none", _("Tidak diterima")


class SampledPaymentQuerySet(models.QuerySet):
    def in_scope_of(self, user: object) -> "SampledPaymentQuerySet":
        from regions.scope import scope_filter

        return scope_filter(self, user, province="province", regency="regency")


class SampledPayment(models.Model):
    """One sampled paid tranche: whether its group confirmed the money, and what was done about it."""

    class Status(models.TextChoices):
        AWAITING = "awaiting", _("Menunggu jawaban")
        CONFIRMED = "confirmed", _("Dikonfirmasi diterima penuh")
        DISCREPANCY = "discrepancy", _("Tidak sesuai (diadukan)")
        FOLLOW_UP = "follow_up", _("Perlu tindak lanjut petugas")
        UNREACHABLE = "unreachable", _("Tidak dapat dihubungi")

    # A discrepancy is final here (its ticket carries on); a confirmation still turns into a
    # discrepancy when the other respondent says the money did not arrive.
    TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        Status.AWAITING: frozenset({Status.CONFIRMED, Status.DISCREPANCY, Status.FOLLOW_UP}),
        Status.FOLLOW_UP: frozenset({Status.CONFIRMED, Status.DISCREPANCY, Status.UNREACHABLE}),
        Status.UNREACHABLE: frozenset({Status.CONFIRMED, Status.DISCREPANCY}),
        Status.CONFIRMED: frozenset({Status.DISCREPANCY}),
        Status.DISCREPANCY: frozenset(),
    }
    RESPONDED: ClassVar[frozenset[str]] = frozenset({Status.CONFIRMED, Status.DISCREPANCY})

    class Channel(models.TextChoices):
        SMS_LINK = "sms_link", _("Tautan SMS")
        CALL = "call", _("Telepon petugas")
        VISIT = "visit", _("Kunjungan petugas")

    draw = models.ForeignKey(
        VerificationDraw, on_delete=models.CASCADE, related_name="samples", verbose_name=_("undian")
    )
    tranche = models.ForeignKey(Tranche, on_delete=models.PROTECT, related_name="+", verbose_name=_("tahap"))
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="+", verbose_name=_("kelompok"))
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("provinsi"))
    regency = models.ForeignKey(Regency, on_delete=models.PROTECT, related_name="+", verbose_name=_("kabupaten/kota"))
    amount = models.PositiveBigIntegerField(_("nilai ditransfer (Rp)"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.AWAITING)
    answered_via = models.CharField(_("jawaban melalui"), max_length=10, choices=Channel.choices, blank=True)
    # What the group said in the end (the lowest of its respondents' answers).
    amount_received = models.PositiveBigIntegerField(_("nilai diterima (Rp)"), null=True, blank=True)
    ticket = models.OneToOneField(
        Ticket,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment_check",
        verbose_name=_("tiket pengaduan"),
    )
    follow_up_since = models.DateTimeField(_("masuk tindak lanjut pada"), null=True, blank=True)
    updated_at = models.DateTimeField(_("diperbarui pada"), default=timezone.now)

    objects = SampledPaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("sampel verifikasi pembayaran")
        verbose_name_plural = _("sampel verifikasi pembayaran")
        ordering = ["draw", "province", "regency", "pk"]
        permissions = [("record_follow_up", _("Dapat mencatat hasil telepon/kunjungan verifikasi pembayaran"))]
        constraints = [
            models.UniqueConstraint(fields=["draw", "tranche"], name="sampled_payment_once_per_draw"),
            models.CheckConstraint(
                condition=Q(status__in=["awaiting", "confirmed", "discrepancy", "follow_up", "unreachable"]),
                name="sampled_payment_status_valid",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="sampled_payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_received__isnull=True) | Q(amount_received__lte=models.F("amount")),
                name="sampled_payment_received_le_amount",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["confirmed", "discrepancy"]) | ~Q(answered_via=""),
                name="sampled_payment_answer_has_channel",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "draw"], name="sampled_payment_status_idx"),
            models.Index(fields=["province", "regency"], name="sampled_payment_region_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.group} — {self.tranche}"

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.status]


class FollowUpCase(SampledPayment):
    """The same rows seen as the field officer's follow-up list (no answer after the plan's days)."""

    class Meta:
        proxy = True
        verbose_name = _("tindak lanjut verifikasi")
        verbose_name_plural = _("tindak lanjut verifikasi")


class Respondent(models.Model):
    """A person asked to confirm a sampled payment: the ketua, the bendahara, or the group's own
    registered phone when the group has no bendahara with a phone. One answer each, never changed."""

    class Role(models.TextChoices):
        KETUA = "ketua", _("Ketua")
        BENDAHARA = "bendahara", _("Bendahara")
        GROUP_PHONE = "group_phone", _("HP kelompok")

    sample = models.ForeignKey(
        SampledPayment, on_delete=models.CASCADE, related_name="respondents", verbose_name=_("sampel")
    )
    role = models.CharField(_("peran"), max_length=12, choices=Role.choices)
    member = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("anggota")
    )
    name = models.CharField(_("nama"), max_length=150, blank=True)
    phone = models.CharField(_("nomor HP"), max_length=20)
    answer = models.CharField(_("jawaban"), max_length=8, choices=Answer.choices, blank=True)
    amount_received = models.PositiveBigIntegerField(_("nilai diterima (Rp)"), null=True, blank=True)
    answered_at = models.DateTimeField(_("dijawab pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("responden verifikasi")
        verbose_name_plural = _("responden verifikasi")
        ordering = ["sample", "role"]
        constraints = [
            models.UniqueConstraint(fields=["sample", "role"], name="respondent_once_per_role"),
            models.CheckConstraint(
                condition=Q(role__in=["ketua", "bendahara", "group_phone"]), name="respondent_role_valid"
            ),
            # Unanswered, or answered with a time; an amount exactly when it was "partly".
            models.CheckConstraint(
                condition=(Q(answer="") & Q(answered_at__isnull=True) & Q(amount_received__isnull=True))
                | (Q(answer__in=["full", "none"]) & Q(answered_at__isnull=False) & Q(amount_received__isnull=True))
                | (Q(answer="partial") & Q(answered_at__isnull=False) & Q(amount_received__isnull=False)),
                name="respondent_answer_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}".strip()


class SampleStatusChange(models.Model):
    """One row per status change of a sampled payment: who (none for the respondent or the system),
    when, from, to, through which channel and why. Never edited."""

    sample = models.ForeignKey(
        SampledPayment, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("sampel")
    )
    from_status = models.CharField(_("dari"), max_length=12, choices=SampledPayment.Status.choices)
    to_status = models.CharField(_("menjadi"), max_length=12, choices=SampledPayment.Status.choices)
    channel = models.CharField(_("melalui"), max_length=10, choices=SampledPayment.Channel.choices, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("oleh"),
    )
    changed_at = models.DateTimeField(_("waktu"), default=timezone.now)
    note = models.TextField(_("catatan"), blank=True)

    class Meta:
        verbose_name = _("riwayat sampel verifikasi")
        verbose_name_plural = _("riwayat sampel verifikasi")
        ordering = ["sample", "changed_at", "pk"]
        indexes = [models.Index(fields=["sample", "changed_at"], name="sample_change_idx")]

    def __str__(self) -> str:
        return f"{self.sample_id}: {self.from_status} → {self.to_status}"


class FollowUpRecord(models.Model):
    """A field officer's call or visit to a sampled group that did not answer, and what it found."""

    class Method(models.TextChoices):
        CALL = "call", _("Telepon")
        VISIT = "visit", _("Kunjungan")

    class Outcome(models.TextChoices):
        FULL = "full", _("Diterima penuh")
        PARTIAL = "partial", _("Diterima sebagian")
        NONE = "none", _("Tidak diterima")
        UNREACHABLE = "unreachable", _("Tidak dapat dihubungi")

    sample = models.ForeignKey(
        SampledPayment, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("sampel")
    )
    method = models.CharField(_("cara"), max_length=6, choices=Method.choices)
    outcome = models.CharField(_("hasil"), max_length=12, choices=Outcome.choices)
    amount_received = models.PositiveBigIntegerField(_("nilai diterima (Rp)"), null=True, blank=True)
    note = models.TextField(_("catatan"), max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("dicatat oleh")
    )
    recorded_at = models.DateTimeField(_("dicatat pada"), default=timezone.now)

    class Meta:
        verbose_name = _("catatan tindak lanjut")
        verbose_name_plural = _("catatan tindak lanjut")
        ordering = ["sample", "recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(method__in=["call", "visit"]), name="follow_up_method_valid"),
            models.CheckConstraint(
                condition=Q(outcome__in=["full", "partial", "none", "unreachable"]), name="follow_up_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome="partial", amount_received__isnull=False)
                | (~Q(outcome="partial") & Q(amount_received__isnull=True)),
                name="follow_up_amount_when_partial",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()}: {self.get_outcome_display()}"
