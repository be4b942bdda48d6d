"""Schemes (per programme × year), applications with their status machine, documents and flags."""

import uuid
from pathlib import PurePath
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from groups.models import Group, Member
from groups.names import TypedTextField
from jps_portal import events
from regions.models import Province


class TransitionError(Exception):
    """A status change the transition table does not allow (a domain error, never a 500)."""


class Programme(models.TextChoices):
    TKM = "TKM", _("TKM — Tenaga Kerja Mandiri")
    PK_PRODUKTIF = "PK_PRODUKTIF", _("Padat Karya produktif")
    PK_INFRASTRUKTUR = "PK_INFRASTRUKTUR", _("Padat Karya infrastruktur")


PADAT_KARYA = (Programme.PK_PRODUKTIF, Programme.PK_INFRASTRUKTUR)
# The programme part of a human reference number (JPS-2020-TKM-32-000123).
REFERENCE_CODES = {Programme.TKM: "TKM", Programme.PK_PRODUKTIF: "PKP", Programme.PK_INFRASTRUKTUR: "PKI"}


class Scheme(models.Model):
    """One year's rules for one programme. Every number here changes year to year, so it is data
    edited in the admin, never a constant in code."""

    programme = models.CharField(_("program"), max_length=20, choices=Programme.choices)
    year = models.PositiveSmallIntegerField(_("tahun"))
    name = TypedTextField(_("nama"), max_length=200)
    dipa_number = models.CharField(_("nomor DIPA"), max_length=100, blank=True)
    members_min = models.PositiveSmallIntegerField(_("anggota minimal"))
    members_max = models.PositiveSmallIntegerField(_("anggota maksimal"))
    age_min = models.PositiveSmallIntegerField(_("usia minimal"), default=17)
    age_max = models.PositiveSmallIntegerField(_("usia maksimal"), default=55)
    amount_per_group = models.PositiveBigIntegerField(_("bantuan per kelompok (Rp)"))
    duration_days = models.PositiveSmallIntegerField(_("lama kegiatan (hari)"))
    # TKM: share of the grant for equipment (the rest buys materials), e.g. 60 in 2022–23.
    equipment_percent = models.PositiveSmallIntegerField(_("porsi peralatan (%)"), null=True, blank=True)
    # Padat Karya: wage per HOK (one person-day of 8 hours) by role.
    wage_pekerja = models.PositiveIntegerField(_("upah pekerja per HOK (Rp)"), default=0)
    wage_tukang = models.PositiveIntegerField(_("upah tukang per HOK (Rp)"), default=0)
    wage_ketua = models.PositiveIntegerField(_("upah ketua per HOK (Rp)"), default=0)
    tranche_plan = models.JSONField(
        _("rencana tahap (%)"), default=list, help_text=_("Persentase tiap tahap, mis. [100] atau [70, 30].")
    )
    opens_on = models.DateField(_("pendaftaran dibuka"))
    closes_on = models.DateField(_("pendaftaran ditutup"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("skema")
        verbose_name_plural = _("skema")
        ordering = ["-year", "programme"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "year"], name="scheme_one_per_programme_year"),
            models.CheckConstraint(condition=Q(programme__in=Programme.values), name="scheme_programme_valid"),
            models.CheckConstraint(
                condition=Q(members_min__gte=1) & Q(members_min__lte=F("members_max")), name="scheme_member_range"
            ),
            models.CheckConstraint(condition=Q(age_min__lte=F("age_max")), name="scheme_age_range"),
            models.CheckConstraint(condition=Q(amount_per_group__gt=0), name="scheme_amount_positive"),
            models.CheckConstraint(condition=Q(opens_on__lte=F("closes_on")), name="scheme_window_ordered"),
            models.CheckConstraint(
                condition=Q(equipment_percent__isnull=True) | Q(equipment_percent__lte=100),
                name="scheme_equipment_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_padat_karya(self) -> bool:
        return self.programme in PADAT_KARYA

    def clean(self) -> None:
        plan = self.tranche_plan
        if not isinstance(plan, list) or not plan or not all(isinstance(p, int) and 0 < p <= 100 for p in plan):
            raise ValidationError({"tranche_plan": _("Rencana tahap harus daftar persentase bulat, mis. [70, 30].")})
        if sum(plan) != 100:
            raise ValidationError({"tranche_plan": _("Jumlah persentase semua tahap harus 100.")})
        if self.is_padat_karya and not self.wage_pekerja:
            raise ValidationError({"wage_pekerja": _("Padat Karya memerlukan upah pekerja per HOK.")})


class SchemeQuota(models.Model):
    """How many groups, and how much money, one province may have approved under a scheme."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="quotas", verbose_name=_("skema"))
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("provinsi"))
    groups = models.PositiveIntegerField(_("kuota kelompok"))
    budget = models.PositiveBigIntegerField(_("pagu anggaran (Rp)"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kuota provinsi")
        verbose_name_plural = _("kuota provinsi")
        ordering = ["scheme", "province"]
        constraints = [models.UniqueConstraint(fields=["scheme", "province"], name="quota_one_per_scheme_province")]

    def __str__(self) -> str:
        return f"{self.scheme} — {self.province}"


class ApplicationQuerySet(models.QuerySet):
    def awaiting_verification(self) -> "ApplicationQuerySet":
        return self.filter(status=Application.Status.SUBMITTED)

    def in_province(self, province_code: str) -> "ApplicationQuerySet":
        return self.filter(province_id=province_code)

    def for_year(self, year: int) -> "ApplicationQuerySet":
        return self.filter(scheme__year=year)


class Application(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        SUBMITTED = "submitted", _("Diajukan")
        REVISION_REQUESTED = "revision_requested", _("Perlu perbaikan")
        VERIFIED = "verified", _("Terverifikasi")
        APPROVED = "approved", _("Disetujui")
        REJECTED = "rejected", _("Ditolak")
        IN_DISBURSEMENT = "in_disbursement", _("Dalam penyaluran")
        REPORTING = "reporting", _("Pelaporan")
        COMPLETED = "completed", _("Selesai")
        WITHDRAWN = "withdrawn", _("Dibatalkan kelompok")
        CANCELLED = "cancelled", _("Dibatalkan")

    # The status machine, in one place: status → the statuses it may move to.
    TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        Status.DRAFT: frozenset({Status.SUBMITTED, Status.WITHDRAWN}),
        Status.SUBMITTED: frozenset({Status.REVISION_REQUESTED, Status.VERIFIED, Status.REJECTED, Status.WITHDRAWN}),
        Status.REVISION_REQUESTED: frozenset({Status.SUBMITTED, Status.WITHDRAWN}),
        Status.VERIFIED: frozenset({Status.APPROVED, Status.REJECTED, Status.REVISION_REQUESTED}),
        # Straight to REPORTING when the grant is paid in full at once (a single tahap): the
        # in-disbursement stage would last no time at all.
        Status.APPROVED: frozenset({Status.IN_DISBURSEMENT, Status.REPORTING, Status.CANCELLED}),
        Status.IN_DISBURSEMENT: frozenset({Status.REPORTING, Status.CANCELLED}),
        Status.REPORTING: frozenset({Status.IN_DISBURSEMENT, Status.COMPLETED}),
        Status.REJECTED: frozenset(),
        Status.COMPLETED: frozenset(),
        Status.WITHDRAWN: frozenset(),
        Status.CANCELLED: frozenset(),
    }
    # Statuses in which the group may still edit its data.
    EDITABLE: ClassVar[frozenset[str]] = frozenset({Status.DRAFT, Status.REVISION_REQUESTED})
    # Statuses that no longer hold the group's one live application.
    CLOSED: ClassVar[frozenset[str]] = frozenset({Status.REJECTED, Status.WITHDRAWN, Status.CANCELLED})

    reference = models.CharField(_("nomor pendaftaran"), max_length=32, unique=True)
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="applications", verbose_name=_("kelompok"))
    # No index of its own: ``application_scheme_prov_idx`` (scheme, province, status) leads with it, and
    # every index is one more write per status change (100,000 of them in one reconciliation).
    scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, related_name="applications", verbose_name=_("skema"), db_index=False
    )
    # Denormalised from group.regency so region-scoped lists and tallies need no join.
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("provinsi"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    requested_amount = models.PositiveBigIntegerField(_("nilai diajukan (Rp)"))
    approved_amount = models.PositiveBigIntegerField(_("nilai disetujui (Rp)"), null=True, blank=True)
    # TKM proposal.
    business_type = models.CharField(_("jenis usaha"), max_length=150, blank=True)
    business_plan = models.TextField(_("rencana usaha"), blank=True)
    equipment_budget = models.PositiveBigIntegerField(_("anggaran peralatan (Rp)"), default=0)
    materials_budget = models.PositiveBigIntegerField(_("anggaran bahan (Rp)"), default=0)
    # Padat Karya proposal.
    work_site = models.CharField(_("lokasi pekerjaan"), max_length=300, blank=True)
    work_plan = models.TextField(_("rencana kerja"), blank=True)
    planned_days = models.PositiveSmallIntegerField(_("jumlah hari kerja"), null=True, blank=True)
    workers_pekerja = models.PositiveSmallIntegerField(_("jumlah pekerja"), default=0)
    workers_tukang = models.PositiveSmallIntegerField(_("jumlah tukang"), default=0)
    workers_ketua = models.PositiveSmallIntegerField(_("jumlah ketua"), default=0)
    submitted_at = models.DateTimeField(_("diajukan pada"), null=True, blank=True)
    decided_at = models.DateTimeField(_("diputuskan pada"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("dibuat pada"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("diperbarui pada"))

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("pengajuan")
        verbose_name_plural = _("pengajuan")
        ordering = ["-created_at"]
        permissions = [
            ("verify_application", _("Dapat memverifikasi, meminta perbaikan dan menolak pengajuan")),
            ("approve_application", _("Dapat menyetujui dan menolak pengajuan terverifikasi")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "draft",
                        "submitted",
                        "revision_requested",
                        "verified",
                        "approved",
                        "rejected",
                        "in_disbursement",
                        "reporting",
                        "completed",
                        "withdrawn",
                        "cancelled",
                    ]
                ),
                name="application_status_valid",
            ),
            models.CheckConstraint(condition=Q(requested_amount__gt=0), name="application_requested_positive"),
            models.CheckConstraint(
                condition=Q(approved_amount__isnull=True) | Q(approved_amount__lte=F("requested_amount")),
                name="application_approved_within_requested",
            ),
            models.CheckConstraint(
                condition=Q(reference__regex=r"^JPS-[0-9]{4}-[A-Z]{3}-[0-9]{2}-[0-9]{6}$"),
                name="application_reference_format",
            ),
            # A group holds at most one live application; a closed one may be followed by another.
            models.UniqueConstraint(
                fields=["group"],
                condition=~Q(status__in=["rejected", "withdrawn", "cancelled"]),
                name="application_one_live_per_group",
                violation_error_message=_("Kelompok ini sudah memiliki pengajuan yang masih berjalan."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "province"], name="application_status_prov_idx"),
            models.Index(fields=["scheme", "province", "status"], name="application_scheme_prov_idx"),
            # The admin lists newest first (created_at, then pk): an index walk instead of a sort.
            models.Index(fields=["created_at", "id"], name="application_created_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.status]

    @transaction.atomic
    def transition_to(
        self,
        status: "Application.Status",
        *,
        by: AbstractBaseUser | None,
        reason_code: str = "",
        note: str = "",
        extra_fields: dict[str, object] | None = None,
    ) -> "ApplicationStatusChange":
        """Move to ``status`` if the table allows it, and record who, when and why.

        The row is locked first: two officers acting on the same application at once must not both
        pass the check on a stale status (one verifies while another rejects)."""
        locked = Application.objects.select_for_update().get(pk=self.pk)
        if not locked.can_move_to(status):
            raise TransitionError(
                _("Status tidak dapat diubah dari “%(from)s” ke “%(to)s”.")
                % {"from": locked.get_status_display(), "to": Application.Status(status).label}
            )
        now = timezone.now()
        previous = locked.status
        fields = {"status": status, **(extra_fields or {})}
        if status == Application.Status.SUBMITTED:
            fields["submitted_at"] = now
        elif status in (Application.Status.APPROVED, Application.Status.REJECTED):
            fields["decided_at"] = now
        for name, value in fields.items():
            setattr(self, name, value)
        self._history_user = by  # the audit trail's "who", also when no request is around (Celery)
        self.save(update_fields=[*fields, "updated_at"])
        change = ApplicationStatusChange.objects.create(
            application=self,
            from_status=previous,
            to_status=status,
            changed_by=by,
            changed_at=now,
            reason_code=reason_code,
            note=note,
        )
        events.publish([status_changed_event(self, change, regency_code=self.group.regency_id)])
        return change

    @property
    def is_editable_by_group(self) -> bool:
        return self.status in self.EDITABLE


class RevisionReason(models.TextChoices):
    """Why an officer sends an application back: the group sees these labels as a to-do list."""

    DOCUMENTS_MISSING = "dokumen_kurang", _("Dokumen belum lengkap")
    DOCUMENTS_UNREADABLE = "dokumen_tidak_terbaca", _("Dokumen tidak terbaca atau buram")
    MEMBER_DATA = "data_anggota", _("Data anggota (NIK, nama, tanggal lahir) perlu diperbaiki")
    BANK_ACCOUNT = "rekening_tidak_sesuai", _("Data rekening tidak sesuai")
    SK_INVALID = "sk_belum_sah", _("SK pembentukan kelompok belum sah")
    BUDGET = "anggaran_tidak_wajar", _("Rincian anggaran perlu diperbaiki")
    PROPOSAL = "proposal_kurang", _("Proposal atau rencana kerja belum lengkap")
    OTHER = "lainnya", _("Lainnya (lihat catatan)")


class RejectionReason(models.TextChoices):
    NOT_ELIGIBLE = "tidak_memenuhi_syarat", _("Tidak memenuhi persyaratan skema")
    DUPLICATE_BENEFICIARY = "penerima_ganda", _("Penerima ganda atau sudah menerima bantuan sejenis")
    NOT_VERIFIABLE = "tidak_terverifikasi", _("Kelompok atau anggota tidak dapat diverifikasi di lapangan")
    QUOTA_FULL = "kuota_penuh", _("Kuota atau pagu anggaran habis")
    OUT_OF_REGION = "di_luar_wilayah", _("Di luar wilayah sasaran")
    OTHER = "lainnya", _("Lainnya (lihat catatan)")


_REASON_LABELS = {**dict(RevisionReason.choices), **dict(RejectionReason.choices)}


class ApplicationStatusChange(models.Model):
    """One row per status change: who, when, from, to and why. Never edited."""

    # No index of its own: ``status_change_app_idx`` (application, changed_at) leads with it.
    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="status_changes",
        db_index=False,
        verbose_name=_("pengajuan"),
    )
    from_status = models.CharField(
        max_length=20, choices=Application.Status.choices, blank=True, verbose_name=_("dari status")
    )
    to_status = models.CharField(max_length=20, choices=Application.Status.choices, verbose_name=_("menjadi status"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diubah oleh"),
    )
    changed_at = models.DateTimeField(db_index=True, verbose_name=_("diubah pada"))
    # One or more RevisionReason / RejectionReason codes, comma-separated.
    reason_code = models.CharField(_("kode alasan"), max_length=200, blank=True)
    note = models.TextField(_("catatan"), blank=True)
    # The outbox of the status e-mail: set in the transaction that made the change, cleared by the
    # task that sent it. A change still due after the grace period is enqueued again by the sweep.
    notification_due = models.BooleanField(default=False, editable=False, verbose_name=_("e-mail belum terkirim"))
    notified_at = models.DateTimeField(_("e-mail terkirim"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("riwayat status")
        verbose_name_plural = _("riwayat status")
        ordering = ["application", "changed_at", "pk"]
        indexes = [
            models.Index(fields=["application", "changed_at"], name="status_change_app_idx"),
            models.Index(
                fields=["changed_at"], condition=Q(notification_due=True), name="status_change_notify_due_idx"
            ),
        ]

    def __str__(self) -> str:
        before = self.get_from_status_display() if self.from_status else "∅"
        return f"{self.application_id}: {before} → {self.get_to_status_display()}"

    @property
    def reason_codes(self) -> list[str]:
        return [code for code in self.reason_code.split(",") if code]

    @property
    def reason_labels(self) -> list[str]:
        """The reasons as the group reads them; an unknown (older) code is shown as it is."""
        return [str(_REASON_LABELS.get(code, code)) for code in self.reason_codes]


def _document_path(instance: "ApplicationDocument", filename: str) -> str:
    # Unguessable names: a document URL must not be enumerable from another group's ids.
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"documents/{uuid.uuid4().hex}{suffix}"


def status_changed_event(
    application: "Application", change: ApplicationStatusChange, *, regency_code: str
) -> events.Event:
    """The ``application.status_changed`` event of one status change (jps_portal.events)."""
    return events.Event(
        type=events.APPLICATION_STATUS_CHANGED,
        province_code=application.province_id,
        regency_code=regency_code,
        occurred_at=change.changed_at,
        data={
            "application_id": application.pk,
            "reference": application.reference,
            "group_id": application.group_id,
            "from_status": change.from_status,
            "to_status": change.to_status,
            "changed_at": change.changed_at.isoformat(),
            "reason_codes": change.reason_codes,
        },
    )


class ApplicationDocument(models.Model):
    class Kind(models.TextChoices):
        PROPOSAL = "proposal", _("Proposal")
        SK = "sk", _("SK pembentukan kelompok")
        KTP = "ktp", _("Scan KTP anggota")
        BANK_BOOK = "bank_book", _("Halaman buku tabungan")
        SITE_PHOTO = "site_photo", _("Foto lokasi")
        OTHER = "other", _("Lainnya")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="documents", verbose_name=_("pengajuan")
    )
    kind = models.CharField(_("jenis dokumen"), max_length=20, choices=Kind.choices)
    file = models.FileField(_("berkas"), upload_to=_document_path)
    original_name = models.CharField(_("nama berkas asli"), max_length=255)
    content_type = models.CharField(max_length=100, verbose_name=_("jenis berkas"))
    size = models.PositiveIntegerField(verbose_name=_("ukuran (bita)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("diunggah oleh")
    )
    uploaded_at = models.DateTimeField(auto_now_add=True, verbose_name=_("diunggah pada"))

    class Meta:
        verbose_name = _("dokumen")
        verbose_name_plural = _("dokumen")
        ordering = ["application", "kind", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="document_not_empty"),
            models.CheckConstraint(
                condition=Q(content_type__in=["application/pdf", "image/jpeg", "image/png"]),
                name="document_allowed_type",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"


class ReferenceCounter(models.Model):
    """The last sequence number used for references of one year × programme × province.

    Incremented under a row lock, so concurrent submissions never share a number."""

    year = models.PositiveSmallIntegerField(verbose_name=_("tahun"))
    programme = models.CharField(max_length=20, choices=Programme.choices, verbose_name=_("program"))
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("provinsi"))
    last_number = models.PositiveIntegerField(default=0, verbose_name=_("nomor terakhir"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "programme", "province"], name="reference_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.programme}-{self.province_id}: {self.last_number}"


class Flag(models.Model):
    """A temuan: an integrity finding on a group, one of its members or an application."""

    class Severity(models.TextChoices):
        BLOCK = "block", _("Blokir")
        WARN = "warn", _("Peringatan")
        REVIEW = "review", _("Perlu ditinjau")

    class Rule(models.TextChoices):
        NIK_INVALID = "nik_invalid", _("NIK tidak valid")
        NIK_REGION = "nik_region", _("NIK diterbitkan di luar kabupaten/kota kelompok")
        NIK_SEX = "nik_sex", _("Jenis kelamin tidak sesuai NIK")
        NIK_BIRTH_DATE = "nik_birth_date", _("Tanggal lahir tidak sesuai NIK")
        AGE = "age", _("Usia di luar ketentuan skema")
        SHARED_BANK_ACCOUNT = "shared_bank_account", _("Rekening dipakai kelompok lain")
        ACCOUNT_HOLDER_NAME = "account_holder_name", _("Nama pemilik rekening tidak mirip nama kelompok/ketua")
        CLUSTER_PHONE = "cluster_phone", _("Kelompok sedesa memakai nomor HP yang sama")
        CLUSTER_ADDRESS = "cluster_address", _("Kelompok sedesa memakai alamat yang sama")
        CLUSTER_LEADER = "cluster_leader", _("Kelompok sedesa dipimpin ketua yang sama")
        CLUSTER_BANK_ACCOUNT = "cluster_bank_account", _("Kelompok sedesa memakai rekening yang sama")
        # Raised by grievances (an upheld objection), never by the integrity rules: they leave it alone.
        OBJECTION_UPHELD = "objection_upheld", _("Sanggahan masyarakat terbukti")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="flags", verbose_name=_("kelompok"))
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, null=True, blank=True, related_name="flags", verbose_name=_("anggota")
    )
    rule = models.CharField(_("aturan"), max_length=40, choices=Rule.choices)
    severity = models.CharField(_("tingkat"), max_length=10, choices=Severity.choices)
    evidence = models.TextField(_("bukti"))
    raised_at = models.DateTimeField(_("ditemukan pada"))
    # Resolved by the rule itself when the data was fixed, or cleared by an officer with a note.
    resolved_at = models.DateTimeField(_("selesai pada"), null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diakui oleh"),
    )
    cleared_at = models.DateTimeField(_("diakui pada"), null=True, blank=True)
    clear_note = models.TextField(_("catatan penyelesaian"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("temuan")
        verbose_name_plural = _("temuan")
        ordering = ["-raised_at"]
        constraints = [
            # One open flag per rule and subject, so re-running a check never duplicates it.
            models.UniqueConstraint(
                fields=["group", "rule"],
                condition=Q(resolved_at__isnull=True, member__isnull=True),
                name="flag_one_open_per_group_rule",
            ),
            models.UniqueConstraint(
                fields=["member", "rule"],
                condition=Q(resolved_at__isnull=True, member__isnull=False),
                name="flag_one_open_per_member_rule",
            ),
            models.CheckConstraint(condition=Q(severity__in=["block", "warn", "review"]), name="flag_severity_valid"),
            # An officer's acknowledgement closes the flag and always says who, when and why; a block
            # is never acknowledged by hand: only fixing the data resolves it.
            models.CheckConstraint(
                condition=Q(cleared_by__isnull=True, cleared_at__isnull=True)
                | (
                    Q(cleared_by__isnull=False, cleared_at__isnull=False, resolved_at__isnull=False)
                    & ~Q(clear_note="")
                    & ~Q(severity="block")
                ),
                name="flag_acknowledged_with_note_never_block",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_rule_display()} — {self.group}"


class SubmissionIntake(models.Model):
    """A complete application received in one request and queued for processing.

    A registration surge is taken in at the speed of one insert per request; a Celery task then
    creates the group, members and application and submits them (``applications.intake``). One row
    per ketua: a retry or a double tap finds it, so one person can never queue two applications."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Diterima, sedang diproses")
        SUBMITTED = "submitted", _("Diajukan")
        REFUSED = "refused", _("Ditolak pemeriksaan otomatis")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submission_intake", verbose_name=_("akun")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED)
    payload = models.JSONField(_("data"))
    errors = models.JSONField(_("masalah"), default=dict, blank=True)
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("pengajuan")
    )
    received_at = models.DateTimeField(_("diterima pada"), db_index=True)
    processed_at = models.DateTimeField(_("diproses pada"), null=True, blank=True)
    # Set when the task could not be sent to the broker (Redis down, or skipped while the publishing
    # breaker is open): the sweep sends it at its next run, without waiting for the grace period.
    enqueue_failed = models.BooleanField(_("belum terkirim ke antrean tugas"), default=False)

    class Meta:
        verbose_name = _("antrean pengajuan")
        verbose_name_plural = _("antrean pengajuan")
        ordering = ["-received_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["received", "submitted", "refused"]), name="intake_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="submitted") | Q(application__isnull=False), name="intake_submitted_has_application"
            ),
        ]
        indexes = [
            models.Index(fields=["received_at"], condition=Q(status="received"), name="intake_waiting_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_status_display()})"


class SubmissionIntakeDocument(models.Model):
    """A document of a queued submission, kept in the database until the submission is processed:
    one multi-row insert per request instead of a file write per document."""

    intake = models.ForeignKey(
        SubmissionIntake, on_delete=models.CASCADE, related_name="files", verbose_name=_("kiriman")
    )
    kind = models.CharField(max_length=20, choices=ApplicationDocument.Kind.choices, verbose_name=_("jenis"))
    name = models.CharField(max_length=255, verbose_name=_("nama"))
    content = models.BinaryField(verbose_name=_("isi"))

    class Meta:
        verbose_name = _("dokumen antrean")
        verbose_name_plural = _("dokumen antrean")
        constraints = [models.UniqueConstraint(fields=["intake", "kind"], name="intake_document_one_per_kind")]

    def __str__(self) -> str:
        return f"{self.intake_id}: {self.kind}"


def _member_list_path(instance: "MemberListImport", filename: str) -> str:
    # Unguessable names in private media (never served as public files): a list holds NIKs.
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"member_lists/{uuid.uuid4().hex}{suffix}"


class MemberListImport(models.Model):
    """One upload of a Disnaker member list (CSV or XLSX, one row per member), and what became of it.

    Validation (the dry run) stores its counts, its errors (the first ``ERRORS_KEPT`` here, all of
    them in ``errors_file``) and the rows it normalised (``normalised_file``), which confirming
    reuses instead of parsing the upload again. Progress is kept on the row for the admin's page."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Diunggah")
        VALIDATING = "validating", _("Sedang diperiksa")
        VALIDATED = "validated", _("Siap diimpor")
        INVALID = "invalid", _("Ada kesalahan")
        IMPORTING = "importing", _("Sedang diimpor")
        IMPORTED = "imported", _("Selesai diimpor")
        FAILED = "failed", _("Gagal")

    # The status machine: status → the statuses it may move to. An invalid list is fixed and uploaded
    # again as a new job; a validated one may turn invalid at confirm if the database changed since.
    TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        Status.UPLOADED: frozenset({Status.VALIDATING, Status.FAILED}),
        Status.VALIDATING: frozenset({Status.VALIDATED, Status.INVALID, Status.FAILED}),
        Status.VALIDATED: frozenset({Status.IMPORTING, Status.FAILED}),
        Status.IMPORTING: frozenset({Status.IMPORTED, Status.INVALID, Status.FAILED}),
        Status.INVALID: frozenset(),
        Status.IMPORTED: frozenset(),
        Status.FAILED: frozenset(),
    }
    ERRORS_KEPT: ClassVar[int] = 200

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("diunggah oleh")
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diimpor oleh"),
    )
    # The uploader's region scope when the list was checked, as it was then (scopes change).
    scope_description = models.CharField(_("wilayah petugas"), max_length=500, blank=True)
    # The province (and regency) of every row, when the list has only one: who else may see the job.
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("provinsi")
    )
    regency = models.ForeignKey(
        "regions.Regency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kabupaten/kota"),
    )
    file = models.FileField(_("berkas"), upload_to=_member_list_path)
    original_name = models.CharField(_("nama berkas asli"), max_length=255)
    file_format = models.CharField(_("format"), max_length=4)
    file_size = models.PositiveBigIntegerField(_("ukuran (byte)"))
    file_sha256 = models.CharField(max_length=64, verbose_name=_("sidik berkas (SHA-256)"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.UPLOADED)
    rows_total = models.PositiveIntegerField(_("jumlah baris"), default=0)
    rows_with_errors = models.PositiveIntegerField(_("baris bermasalah"), default=0)
    error_count = models.PositiveIntegerField(_("jumlah kesalahan"), default=0)
    groups_new = models.PositiveIntegerField(_("kelompok baru"), default=0)
    members_new = models.PositiveIntegerField(_("anggota baru"), default=0)
    applications_new = models.PositiveIntegerField(_("pengajuan baru"), default=0)
    groups_existing = models.PositiveIntegerField(_("kelompok sudah ada"), default=0)
    rows_existing = models.PositiveIntegerField(_("baris kelompok yang sudah ada"), default=0)
    progress_done = models.PositiveIntegerField(default=0, verbose_name=_("kemajuan (selesai)"))
    progress_total = models.PositiveIntegerField(default=0, verbose_name=_("kemajuan (seluruhnya)"))
    errors = models.JSONField(_("kesalahan (awal)"), default=list, blank=True)
    # What the dry run found that does not stop the import but would stop the applications later,
    # e.g. a province with no quota for the scheme (said here, not first at approval).
    warnings = models.JSONField(_("peringatan"), default=list, blank=True)
    errors_file = models.FileField(_("berkas kesalahan"), upload_to=_member_list_path, blank=True)
    normalised_file = models.FileField(
        upload_to=_member_list_path, blank=True, verbose_name=_("berkas yang dinormalkan")
    )
    failure = models.TextField(_("catatan kegagalan"), blank=True)
    created_at = models.DateTimeField(_("diunggah pada"), auto_now_add=True)
    # Last sign of life of the step under way (each transition and progress update); a running job
    # silent for longer than the grace period never reached a worker, and the sweep enqueues it again.
    heartbeat_at = models.DateTimeField(null=True, blank=True, db_index=True, verbose_name=_("tanda aktif terakhir"))
    validated_at = models.DateTimeField(_("diperiksa pada"), null=True, blank=True)
    finished_at = models.DateTimeField(_("selesai pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("impor daftar anggota")
        verbose_name_plural = _("impor daftar anggota")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=["uploaded", "validating", "validated", "invalid", "importing", "imported", "failed"]
                ),
                name="member_list_import_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(file_format__in=["csv", "xlsx"]), name="member_list_import_format_valid"
            ),
            models.CheckConstraint(
                condition=Q(progress_done__lte=F("progress_total")), name="member_list_import_progress_bounded"
            ),
            # Only an error-free list can be imported ("nothing half-imported").
            models.CheckConstraint(
                condition=~Q(status__in=["validated", "importing", "imported"]) | Q(error_count=0),
                name="member_list_import_only_clean_lists",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.status]

    @transaction.atomic
    def transition_to(self, status: "MemberListImport.Status", **fields: object) -> None:
        """Move to ``status`` if the table allows it, saving ``fields`` with it.

        The row is locked first: a task delivered twice (acks_late) must not run the same step twice."""
        locked = MemberListImport.objects.select_for_update().get(pk=self.pk)
        if not locked.can_move_to(status):
            raise TransitionError(
                _("Status impor tidak dapat diubah dari “%(from)s” ke “%(to)s”.")
                % {"from": locked.get_status_display(), "to": MemberListImport.Status(status).label}
            )
        fields = {"status": status, "heartbeat_at": timezone.now(), **fields}
        for name, value in fields.items():
            setattr(self, name, value)
        self.save(update_fields=list(fields))

    RUNNING: ClassVar[frozenset[str]] = frozenset({Status.UPLOADED, Status.VALIDATING, Status.IMPORTING})

    @property
    def is_running(self) -> bool:
        """Whether a step is under way (the admin's progress page refreshes itself meanwhile)."""
        return self.status in self.RUNNING

    @property
    def progress_percent(self) -> int:
        return 100 * self.progress_done // self.progress_total if self.progress_total else 0
