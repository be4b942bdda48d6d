"""Business outcomes after the money (keberlangsungan usaha): the monitoring rounds of every funded
group at set months after its first payment, and what the ketua or the mentor reported in each.

The months and the scheme's inclusion targets are data (``OutcomeTerms``, one row per scheme, edited
in the admin). Rows change only through ``outcomes.services``; every status change leaves a
``RoundStatusChange`` row and every edit a history row."""

from typing import ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from applications.models import Application, Programme, Scheme, TransitionError
from groups.models import Group
from regions.models import Regency

MAX_ROUND_MONTHS = 60


def months_parse(text: str) -> list[int]:
    """``"3, 6, 12"`` → ``[3, 6, 12]``: distinct whole months from 1 to 60, ascending."""
    months = set()
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or not 1 <= int(part) <= MAX_ROUND_MONTHS:
            raise ValidationError(
                _("Bulan pemantauan harus angka 1–%(max)d, dipisah koma (mis. 3, 6, 12).") % {"max": MAX_ROUND_MONTHS}
            )
        months.add(int(part))
    return sorted(months)


class OutcomeTerms(models.Model):
    """One scheme's monitoring rounds (months after the first payment) and its inclusion targets."""

    scheme = models.OneToOneField(Scheme, on_delete=models.PROTECT, related_name="outcome_terms")
    round_months = models.CharField(
        _("bulan pemantauan setelah pembayaran pertama"),
        max_length=60,
        default="3, 6, 12",
        help_text=_("Dipisah koma, mis. 3, 6, 12."),
    )
    women_target_percent = models.DecimalField(
        _("target perempuan (%)"), max_digits=5, decimal_places=2, default=0, validators=[MaxValueValidator(100)]
    )
    disability_target_percent = models.DecimalField(
        _("target penyandang disabilitas (%)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MaxValueValidator(100)],
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ketentuan pemantauan skema")
        verbose_name_plural = _("ketentuan pemantauan skema")
        constraints = [
            models.CheckConstraint(
                condition=Q(women_target_percent__gte=0, women_target_percent__lte=100)
                & Q(disability_target_percent__gte=0, disability_target_percent__lte=100),
                name="outcome_terms_targets_are_percentages",
            ),
        ]

    def __str__(self) -> str:
        return str(self.scheme)

    def clean(self) -> None:
        try:
            self.round_months = ", ".join(str(m) for m in months_parse(self.round_months))
        except ValidationError as error:
            raise ValidationError({"round_months": error.messages}) from error

    def months(self) -> list[int]:
        return months_parse(self.round_months)


class FacilityState(models.TextChoices):
    """Padat Karya: the state of what the group built or bought."""

    GOOD = "good", _("Baik, dipakai")
    MINOR = "minor", _("Rusak ringan, masih dipakai")
    BROKEN = "broken", _("Rusak berat / tidak bisa dipakai")
    UNUSED = "unused", _("Baik, tetapi tidak dipakai")


class MonitoringRound(models.Model):
    """The round of ``months`` after the first payment of ``application``: due on ``due_on``, reported
    once by the ketua or the group's mentor."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Belum dilaporkan")
        REPORTED = "reported", _("Sudah dilaporkan")

    class Reporter(models.TextChoices):
        KETUA = "ketua", _("Ketua kelompok")
        MENTOR = "mentor", _("Pendamping")

    TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        Status.SCHEDULED: frozenset({Status.REPORTED}),
        Status.REPORTED: frozenset(),
    }

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="monitoring_rounds", verbose_name=_("pengajuan")
    )
    group = models.ForeignKey(
        Group, on_delete=models.PROTECT, related_name="monitoring_rounds", verbose_name=_("kelompok")
    )
    # Denormalised from the application: scope, the work list and the tally read them without joins.
    programme = models.CharField(_("program"), max_length=20, choices=Programme.choices)
    regency = models.ForeignKey(Regency, on_delete=models.PROTECT, related_name="+", verbose_name=_("kabupaten/kota"))
    months = models.PositiveSmallIntegerField(_("bulan ke"))
    first_paid_on = models.DateField(_("pembayaran pertama"))
    due_on = models.DateField(_("jatuh tempo"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    reminded_at = models.DateTimeField(_("pengingat dikirim"), null=True, blank=True)

    # The answers (all empty until reported).
    operating = models.BooleanField(_("usaha/sarana berjalan"), null=True, blank=True)
    monthly_revenue = models.PositiveBigIntegerField(_("omzet sebulan (Rp)"), null=True, blank=True)
    members_working = models.PositiveSmallIntegerField(_("anggota yang bekerja"), null=True, blank=True)
    others_working = models.PositiveSmallIntegerField(_("pekerja bukan anggota"), null=True, blank=True)
    online_link = models.URLField(_("tautan toko daring"), max_length=300, blank=True)
    facility_state = models.CharField(
        _("keadaan sarana"), max_length=10, choices=FacilityState.choices, blank=True, default=""
    )
    facility_use = models.CharField(_("pemakaian sarana"), max_length=500, blank=True)
    note = models.TextField(_("catatan"), blank=True)
    revenue_jump_confirmed = models.BooleanField(_("lonjakan omzet dikonfirmasi"), default=False)
    reported_at = models.DateTimeField(_("dilaporkan pada"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dilaporkan oleh"),
    )
    reporter = models.CharField(_("pelapor"), max_length=10, choices=Reporter.choices, blank=True)
    # The form's one-time token: the same submit sent twice records once.
    submit_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pemantauan usaha")
        verbose_name_plural = _("pemantauan usaha")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "months"], name="round_once_per_month"),
            models.CheckConstraint(condition=Q(status__in=["scheduled", "reported"]), name="round_status_valid"),
            models.CheckConstraint(condition=Q(due_on__gt=models.F("first_paid_on")), name="round_due_after_payment"),
            models.CheckConstraint(
                condition=Q(status="scheduled", reported_at__isnull=True, operating__isnull=True)
                | Q(status="reported", reported_at__isnull=False, operating__isnull=False)
                & ~Q(reporter="")
                & Q(members_working__isnull=False, others_working__isnull=False),
                name="round_reported_has_answers",
            ),
            models.CheckConstraint(
                condition=Q(facility_state__in=["", "good", "minor", "broken", "unused"]),
                name="round_facility_state_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["group", "due_on"], name="round_group_due_idx"),
            models.Index(fields=["due_on"], condition=Q(status="scheduled"), name="round_open_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.group_id} · {self.months} bln"

    @property
    def is_padat_karya(self) -> bool:
        return self.programme != Programme.TKM

    @property
    def jobs(self) -> int:
        return (self.members_working or 0) + (self.others_working or 0)

    @transaction.atomic
    def transition_to(self, status: "MonitoringRound.Status", *, by: AbstractBaseUser | None) -> None:
        """Move to ``status`` if the table allows it, on the locked row, with a history row. The
        caller has set the answers on ``self``."""
        locked = MonitoringRound.objects.select_for_update().get(pk=self.pk)
        if status not in self.TRANSITIONS[locked.status]:
            raise TransitionError(_("Pemantauan ini sudah dilaporkan."))
        previous, self.status = locked.status, status
        self._history_user = by
        self.save()
        RoundStatusChange.objects.create(
            round=self, from_status=previous, to_status=status, changed_by=by, changed_at=timezone.now()
        )


class RoundStatusChange(models.Model):
    """One row per status change of a monitoring round. Never edited."""

    round = models.ForeignKey(
        MonitoringRound, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("pemantauan")
    )
    from_status = models.CharField(_("dari status"), max_length=10, choices=MonitoringRound.Status.choices)
    to_status = models.CharField(_("menjadi status"), max_length=10, choices=MonitoringRound.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diubah oleh"),
    )
    changed_at = models.DateTimeField(_("waktu perubahan"))

    class Meta:
        verbose_name = _("riwayat status pemantauan")
        verbose_name_plural = _("riwayat status pemantauan")
        ordering = ["round", "changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.round_id}: {self.from_status} → {self.to_status}"


class RoundDraft(models.Model):
    """What a ketua or mentor typed into a monitoring form that did not go through."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(MonitoringRound, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(default=dict)
    saved_at = models.DateTimeField()

    class Meta:
        verbose_name = _("draf pemantauan")
        verbose_name_plural = _("draf pemantauan")
        constraints = [models.UniqueConstraint(fields=["user", "round"], name="round_draft_once")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.round_id}"
