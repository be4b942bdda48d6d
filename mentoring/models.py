"""Field mentoring (pendampingan): each group's mentor (the caseload), the mentor's visits with a
checklist by programme, problems raised with a follow-up date, photos with their position, and the
server-side draft of a visit form.

Rows change only through ``mentoring.services``; assignments and visits keep their history."""

import uuid
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from applications.models import Programme, TransitionError
from groups.models import Group
from regions.models import Regency


class CaseAssignment(models.Model):
    """A group in a mentor's caseload, from ``assigned_at`` until ``ended_at``. Ended rows are kept:
    together they are the group's mentoring history. At most one open row per group."""

    class Reason(models.TextChoices):
        BALANCE = "balance", _("Pembagian merata")
        MANUAL = "manual", _("Ditetapkan petugas")
        REASSIGNED = "reassigned", _("Dialihkan (pendamping berhenti)")

    class EndReason(models.TextChoices):
        MENTOR_LEFT = "mentor_left", _("Pendamping berhenti")
        MANUAL = "manual", _("Dipindahkan petugas")

    group = models.ForeignKey(
        Group, on_delete=models.PROTECT, related_name="case_assignments", verbose_name=_("kelompok")
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="caseload", verbose_name=_("pendamping")
    )
    # Denormalised from the group: balancing and scope read it without a join.
    regency = models.ForeignKey(Regency, on_delete=models.PROTECT, related_name="+", verbose_name=_("kabupaten/kota"))
    reason = models.CharField(_("alasan"), max_length=12, choices=Reason.choices)
    assigned_at = models.DateTimeField(_("ditugaskan pada"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("ditugaskan oleh"),
    )
    ended_at = models.DateTimeField(_("berakhir pada"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diakhiri oleh"),
    )
    end_reason = models.CharField(_("alasan berakhir"), max_length=12, choices=EndReason.choices, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("penugasan pendamping")
        verbose_name_plural = _("penugasan pendamping")
        ordering = ["-assigned_at", "-pk"]
        permissions = [("assign_mentors", _("Dapat membagi kelompok kepada pendamping"))]
        constraints = [
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(ended_at__isnull=True),
                name="caseload_one_mentor_per_group",
                violation_error_message=_("Kelompok ini sudah memiliki pendamping."),
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("assigned_at")), name="caseload_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True, end_reason="") | (Q(ended_at__isnull=False) & ~Q(end_reason="")),
                name="caseload_end_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(reason__in=["balance", "manual", "reassigned"]), name="caseload_reason_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["mentor"], condition=Q(ended_at__isnull=True), name="caseload_open_by_mentor_idx")
        ]

    def __str__(self) -> str:
        return f"{self.group_id} → {self.mentor_id}"


class ChecklistItem(models.Model):
    """One question of the visit checklist of a programme. Data, edited in the admin: a new question
    is a new row, a retired one is deactivated (answers already given keep its code)."""

    class Kind(models.TextChoices):
        YES_NO = "yes_no", _("Ya / tidak")
        CHOICE = "choice", _("Pilihan")
        TEXT = "text", _("Isian singkat")

    programme = models.CharField(_("program"), max_length=20, choices=Programme.choices)
    code = models.SlugField(_("kode"), max_length=40)
    label = models.CharField(_("pertanyaan"), max_length=200)
    kind = models.CharField(_("jenis jawaban"), max_length=10, choices=Kind.choices)
    # For CHOICE: the options, one "value|label" per line.
    options = models.TextField(_("pilihan (nilai|label per baris)"), blank=True)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    required = models.BooleanField(_("wajib"), default=True)
    active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("butir daftar periksa kunjungan")
        verbose_name_plural = _("butir daftar periksa kunjungan")
        ordering = ["programme", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="checklist_code_once_per_programme"),
            models.CheckConstraint(condition=Q(kind__in=["yes_no", "choice", "text"]), name="checklist_kind_valid"),
            models.CheckConstraint(condition=~Q(kind="choice") | ~Q(options=""), name="checklist_choice_has_options"),
        ]

    def __str__(self) -> str:
        return f"{self.programme}: {self.label}"

    def choices(self) -> list[tuple[str, str]]:
        pairs = []
        for line in self.options.splitlines():
            value, _sep, label = line.partition("|")
            if value.strip():
                pairs.append((value.strip(), (label or value).strip()))
        return pairs


class Visit(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Direncanakan")
        DONE = "done", _("Selesai")
        CANCELLED = "cancelled", _("Dibatalkan")

    class Location(models.TextChoices):
        """What the photos' positions say about where the visit took place."""

        UNCHECKED = "", _("Belum ada foto")
        NEAR = "near", _("Di wilayah kelompok")
        FAR = "far", _("Jauh dari wilayah kelompok — perlu ditinjau")
        MISSING = "missing", _("Tanpa lokasi")
        ACCEPTED = "accepted", _("Lokasi ditinjau dan diterima")

    TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        Status.PLANNED: frozenset({Status.DONE, Status.CANCELLED}),
        Status.DONE: frozenset(),
        Status.CANCELLED: frozenset(),
    }

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="visits", verbose_name=_("kelompok"))
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visits", verbose_name=_("pendamping")
    )
    programme = models.CharField(_("program"), max_length=20, choices=Programme.choices)
    planned_on = models.DateField(_("rencana tanggal"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    done_on = models.DateField(_("tanggal kunjungan"), null=True, blank=True)
    checklist = models.JSONField(_("daftar periksa"), default=dict, blank=True)
    notes = models.TextField(_("catatan"), blank=True)
    location = models.CharField(_("lokasi foto"), max_length=10, choices=Location.choices, default="", blank=True)
    # The form's one-time token: the same submit sent twice records one visit.
    submit_token = models.UUIDField(null=True, blank=True, unique=True, editable=False, verbose_name=_("token kiriman"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("dibuat pada"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kunjungan pendamping")
        verbose_name_plural = _("kunjungan pendamping")
        ordering = ["-planned_on", "-pk"]
        permissions = [("review_location", _("Dapat meninjau lokasi foto kunjungan"))]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["planned", "done", "cancelled"]), name="visit_status_valid"),
            models.CheckConstraint(
                condition=Q(status="done", done_on__isnull=False) | (~Q(status="done") & Q(done_on__isnull=True)),
                name="visit_done_has_date",
            ),
            models.CheckConstraint(
                condition=Q(location__in=["", "near", "far", "missing", "accepted"]), name="visit_location_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["mentor", "status", "planned_on"], name="visit_mentor_status_idx"),
            models.Index(fields=["group", "done_on"], name="visit_group_done_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.group_id} {self.planned_on}"

    @transaction.atomic
    def transition_to(self, status: "Visit.Status", *, by: AbstractBaseUser | None, note: str = "") -> None:
        """Move to ``status`` if the table allows it, on the locked row, with a history row. The
        caller has set the fields the new status needs (``done_on``) on ``self``."""
        locked = Visit.objects.select_for_update().get(pk=self.pk)
        if status not in self.TRANSITIONS[locked.status]:
            raise TransitionError(
                _("Status kunjungan tidak dapat diubah dari “%(from)s” ke “%(to)s”.")
                % {"from": locked.get_status_display(), "to": Visit.Status(status).label}
            )
        previous, self.status = locked.status, status
        self._history_user = by
        self.save()
        VisitStatusChange.objects.create(
            visit=self, from_status=previous, to_status=status, changed_by=by, changed_at=timezone.now(), note=note
        )


class VisitStatusChange(models.Model):
    """One row per visit status change. Never edited."""

    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("kunjungan")
    )
    from_status = models.CharField(max_length=10, choices=Visit.Status.choices, verbose_name=_("dari status"))
    to_status = models.CharField(max_length=10, choices=Visit.Status.choices, verbose_name=_("menjadi status"))
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
        verbose_name = _("riwayat status kunjungan")
        verbose_name_plural = _("riwayat status kunjungan")
        ordering = ["visit", "changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.visit_id}: {self.get_from_status_display()} → {self.get_to_status_display()}"


class VisitProblem(models.Model):
    """A problem seen on a visit, with the date the mentor follows it up."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="problems", verbose_name=_("kunjungan"))
    # Denormalised: the work list reads open problems per group without the visit.
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="+", verbose_name=_("kelompok"))
    description = models.TextField(_("masalah"))
    follow_up_on = models.DateField(_("tindak lanjut pada"))
    resolved_on = models.DateField(_("selesai pada"), null=True, blank=True)
    resolution = models.TextField(_("penyelesaian"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("masalah kunjungan")
        verbose_name_plural = _("masalah kunjungan")
        ordering = ["follow_up_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(description=""), name="visit_problem_described"),
        ]
        indexes = [
            models.Index(
                fields=["group", "follow_up_on"], condition=Q(resolved_on__isnull=True), name="problem_open_idx"
            )
        ]

    def __str__(self) -> str:
        return self.description[:60]


def _visit_photo_path(instance: models.Model, filename: str) -> str:
    return f"pendampingan/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{filename[filename.rfind('.') :]}"


class VisitPhoto(models.Model):
    """A photo taken on a visit: checked by content, its EXIF GPS position compared with the group's
    regency. A far-off position is flagged for review; a photo without one is flagged "tanpa lokasi"."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos", verbose_name=_("kunjungan"))
    file = models.FileField(_("berkas"), upload_to=_visit_photo_path)
    original_name = models.CharField(_("nama berkas asli"), max_length=255)
    content_type = models.CharField(max_length=100, verbose_name=_("jenis berkas"))
    size = models.PositiveIntegerField(verbose_name=_("ukuran (bita)"))
    latitude = models.FloatField(_("lintang"), null=True, blank=True)
    longitude = models.FloatField(_("bujur"), null=True, blank=True)
    distance_km = models.FloatField(_("jarak dari wilayah (km)"), null=True, blank=True)
    location = models.CharField(_("lokasi"), max_length=10, choices=Visit.Location.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("diunggah oleh")
    )
    uploaded_at = models.DateTimeField(auto_now_add=True, verbose_name=_("diunggah pada"))

    class Meta:
        verbose_name = _("foto kunjungan")
        verbose_name_plural = _("foto kunjungan")
        ordering = ["visit", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="visit_photo_not_empty"),
            models.CheckConstraint(
                condition=Q(content_type__in=["image/jpeg", "image/png"]), name="visit_photo_is_image"
            ),
            models.CheckConstraint(
                condition=Q(location__in=["near", "far", "missing"]), name="visit_photo_location_valid"
            ),
            models.CheckConstraint(
                condition=Q(location="missing", latitude__isnull=True, longitude__isnull=True)
                | (~Q(location="missing") & Q(latitude__isnull=False, longitude__isnull=False)),
                name="visit_photo_position_or_missing",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class VisitDraft(models.Model):
    """What a mentor typed into a visit form that did not go through: shown again on the next open."""

    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("pendamping")
    )
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="+", verbose_name=_("kelompok"))
    data = models.JSONField(default=dict, verbose_name=_("isi"))
    saved_at = models.DateTimeField(verbose_name=_("disimpan pada"))

    class Meta:
        verbose_name = _("draf kunjungan")
        verbose_name_plural = _("draf kunjungan")
        constraints = [models.UniqueConstraint(fields=["mentor", "group"], name="visit_draft_once")]

    def __str__(self) -> str:
        return f"{self.mentor_id} @ {self.group_id}"
