"""Training events (pembekalan): the event and its sessions, the groups invited, the members each
group registers, and attendance per member per session.

The funnel the director reads is invited groups → registered members → members who attended, online
or offline; every step is a row here, written only by ``training.services``."""

import secrets
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from applications.models import TransitionError
from groups.models import Group, Member
from groups.names import TypedTextField
from regions.models import Regency

# Check-in codes are read aloud or shown on a slide: no 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6


def new_checkin_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class Mode(models.TextChoices):
    """How a person takes part: at the venue or through the online link."""

    OFFLINE = "offline", _("Luring (tatap muka)")
    ONLINE = "online", _("Daring")


class TrainingEvent(models.Model):
    class Format(models.TextChoices):
        OFFLINE = "offline", _("Luring")
        ONLINE = "online", _("Daring")
        HYBRID = "hybrid", _("Luring dan daring")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        OPEN = "open", _("Undangan dibuka")
        HELD = "held", _("Terlaksana")
        CANCELLED = "cancelled", _("Dibatalkan")

    # The status machine: status → the statuses it may move to.
    TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        Status.DRAFT: frozenset({Status.OPEN, Status.CANCELLED}),
        Status.OPEN: frozenset({Status.HELD, Status.CANCELLED}),
        Status.HELD: frozenset(),
        Status.CANCELLED: frozenset(),
    }

    year = models.PositiveSmallIntegerField(_("tahun program"))
    title = TypedTextField(_("judul"), max_length=200)
    description = models.TextField(_("uraian"), blank=True)
    starts_on = models.DateField(_("mulai"))
    ends_on = models.DateField(_("selesai"))
    format = models.CharField(_("bentuk"), max_length=10, choices=Format.choices)
    venue = TypedTextField(_("tempat"), max_length=300, blank=True)
    regency = models.ForeignKey(
        Regency, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("kabupaten/kota")
    )
    online_link = models.URLField(_("tautan daring"), blank=True)
    capacity_offline = models.PositiveIntegerField(_("kapasitas luring"), null=True, blank=True)
    capacity_online = models.PositiveIntegerField(_("kapasitas daring"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dibuat oleh"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("dibuat pada"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("acara pelatihan")
        verbose_name_plural = _("acara pelatihan")
        ordering = ["-starts_on", "-pk"]
        permissions = [
            ("invite_groups", _("Dapat mengundang kelompok ke pelatihan")),
            ("record_attendance", _("Dapat mencatat kehadiran pelatihan")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(starts_on__lte=F("ends_on")), name="training_event_dates_ordered"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "open", "held", "cancelled"]), name="training_event_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(format__in=["offline", "online", "hybrid"]), name="training_event_format_valid"
            ),
            # A venue where people come; a link where people join online.
            models.CheckConstraint(
                condition=Q(format="online") | ~Q(venue=""), name="training_event_offline_has_venue"
            ),
            models.CheckConstraint(
                condition=Q(format="offline") | ~Q(online_link=""), name="training_event_online_has_link"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def modes(self) -> list[str]:
        """The ways a person may take part in this event."""
        if self.format == self.Format.HYBRID:
            return [Mode.OFFLINE, Mode.ONLINE]
        return [Mode.OFFLINE if self.format == self.Format.OFFLINE else Mode.ONLINE]

    def capacity(self, mode: str) -> int | None:
        return self.capacity_offline if mode == Mode.OFFLINE else self.capacity_online

    @transaction.atomic
    def transition_to(self, status: "TrainingEvent.Status", *, by: AbstractBaseUser | None, note: str = "") -> None:
        """Move to ``status`` if the table allows it, on the locked row, with a history row."""
        locked = TrainingEvent.objects.select_for_update().get(pk=self.pk)
        if status not in self.TRANSITIONS[locked.status]:
            raise TransitionError(
                _("Status acara tidak dapat diubah dari “%(from)s” ke “%(to)s”.")
                % {"from": locked.get_status_display(), "to": TrainingEvent.Status(status).label}
            )
        previous, self.status = locked.status, status
        self._history_user = by
        self.save(update_fields=["status"])
        TrainingEventStatusChange.objects.create(
            event=self, from_status=previous, to_status=status, changed_by=by, changed_at=timezone.now(), note=note
        )


class TrainingEventStatusChange(models.Model):
    """One row per event status change: who, when, from, to and why. Never edited."""

    event = models.ForeignKey(
        TrainingEvent, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("kegiatan")
    )
    from_status = models.CharField(max_length=10, choices=TrainingEvent.Status.choices, verbose_name=_("dari status"))
    to_status = models.CharField(max_length=10, choices=TrainingEvent.Status.choices, verbose_name=_("menjadi status"))
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
        verbose_name = _("riwayat status acara")
        verbose_name_plural = _("riwayat status acara")
        ordering = ["event", "changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.get_from_status_display()} → {self.get_to_status_display()}"


class TrainingSession(models.Model):
    """One session of an event (one or more per day). Its check-in code works on its day only."""

    event = models.ForeignKey(
        TrainingEvent, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("kegiatan")
    )
    number = models.PositiveSmallIntegerField(_("sesi ke"))
    day = models.DateField(_("tanggal"))
    title = TypedTextField(_("judul sesi"), max_length=200)
    checkin_code = models.CharField(_("kode hadir"), max_length=CODE_LENGTH, unique=True, default=new_checkin_code)

    class Meta:
        verbose_name = _("sesi pelatihan")
        verbose_name_plural = _("sesi pelatihan")
        ordering = ["event", "number"]
        constraints = [
            models.UniqueConstraint(fields=["event", "number"], name="training_session_number_once"),
            models.CheckConstraint(condition=Q(number__gte=1), name="training_session_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.event} — {self.title}"


class Invitation(models.Model):
    """A group invited to an event. Its ketua registers which members come, and how."""

    event = models.ForeignKey(
        TrainingEvent, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("kegiatan")
    )
    group = models.ForeignKey(
        Group, on_delete=models.PROTECT, related_name="training_invitations", verbose_name=_("kelompok")
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("diundang oleh")
    )
    invited_at = models.DateTimeField(_("diundang pada"))
    # Set by the task that queued the message: a re-run of the task sends nothing twice.
    notified_at = models.DateTimeField(_("undangan terkirim"), null=True, blank=True)
    registered_at = models.DateTimeField(_("mendaftar pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("undangan pelatihan")
        verbose_name_plural = _("undangan pelatihan")
        ordering = ["event", "group"]
        constraints = [models.UniqueConstraint(fields=["event", "group"], name="training_invitation_once")]
        indexes = [
            models.Index(fields=["event"], condition=Q(notified_at__isnull=True), name="training_invitation_due_idx")
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.group_id}"


class Participant(models.Model):
    """A member registered for an event, online or offline (by the ketua, or when first seen there)."""

    event = models.ForeignKey(
        TrainingEvent, on_delete=models.CASCADE, related_name="participants", verbose_name=_("kegiatan")
    )
    invitation = models.ForeignKey(
        Invitation, on_delete=models.CASCADE, related_name="participants", verbose_name=_("undangan")
    )
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("anggota"))
    mode = models.CharField(_("cara ikut"), max_length=10, choices=Mode.choices)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("didaftarkan oleh"),
    )
    registered_at = models.DateTimeField(_("didaftarkan pada"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("peserta pelatihan")
        verbose_name_plural = _("peserta pelatihan")
        ordering = ["event", "invitation", "member"]
        constraints = [
            models.UniqueConstraint(fields=["event", "member"], name="training_participant_once"),
            models.CheckConstraint(condition=Q(mode__in=["offline", "online"]), name="training_participant_mode"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} @ {self.event_id}"


class Attendance(models.Model):
    """One member present at one session: counted once, however many times it is recorded."""

    class Source(models.TextChoices):
        GRID = "grid", _("Daftar hadir panitia")
        IMPORT = "import", _("Impor berkas")
        CODE = "code", _("Kode hadir peserta")

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("sesi")
    )
    # Denormalised from the session and the member, so the tallies group without joins.
    event = models.ForeignKey(TrainingEvent, on_delete=models.CASCADE, related_name="+", verbose_name=_("kegiatan"))
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("peserta")
    )
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("anggota"))
    mode = models.CharField(_("cara ikut"), max_length=10, choices=Mode.choices)
    source = models.CharField(_("dicatat lewat"), max_length=10, choices=Source.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("dicatat oleh")
    )
    recorded_at = models.DateTimeField(_("dicatat pada"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kehadiran pelatihan")
        verbose_name_plural = _("kehadiran pelatihan")
        ordering = ["session", "member"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "member"],
                name="training_attendance_once_per_session",
                violation_error_message=_("Peserta ini sudah tercatat hadir di sesi ini."),
            ),
            models.CheckConstraint(condition=Q(mode__in=["offline", "online"]), name="training_attendance_mode"),
            models.CheckConstraint(
                condition=Q(source__in=["grid", "import", "code"]), name="training_attendance_source"
            ),
        ]
        indexes = [models.Index(fields=["event", "member"], name="training_attendance_event_idx")]

    def __str__(self) -> str:
        return f"{self.member_id} @ {self.session_id}"


class AttendanceImport(models.Model):
    """One attendance list uploaded by an organiser, and what became of it (the audit of imports)."""

    class Outcome(models.TextChoices):
        IMPORTED = "imported", _("Diimpor")
        REFUSED = "refused", _("Ditolak (ada kesalahan)")

    event = models.ForeignKey(
        TrainingEvent, on_delete=models.CASCADE, related_name="imports", verbose_name=_("kegiatan")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("diunggah oleh")
    )
    uploaded_at = models.DateTimeField(_("diunggah pada"))
    original_name = models.CharField(_("nama berkas"), max_length=255)
    file_sha256 = models.CharField(max_length=64, verbose_name=_("sidik berkas (SHA-256)"))
    outcome = models.CharField(_("hasil"), max_length=10, choices=Outcome.choices)
    rows_total = models.PositiveIntegerField(_("jumlah baris"), default=0)
    rows_added = models.PositiveIntegerField(_("kehadiran baru"), default=0)
    rows_existing = models.PositiveIntegerField(_("sudah tercatat"), default=0)
    error_count = models.PositiveIntegerField(_("jumlah kesalahan"), default=0)
    errors = models.JSONField(_("kesalahan (awal)"), default=list, blank=True)
    seconds = models.FloatField(_("lama (detik)"), default=0)

    class Meta:
        verbose_name = _("impor daftar hadir")
        verbose_name_plural = _("impor daftar hadir")
        ordering = ["-uploaded_at"]
        constraints = [
            models.CheckConstraint(condition=Q(outcome__in=["imported", "refused"]), name="attendance_import_outcome"),
            models.CheckConstraint(
                condition=Q(outcome="refused") | Q(error_count=0), name="attendance_import_only_clean_lists"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_outcome_display()})"
