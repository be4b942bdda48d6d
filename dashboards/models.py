"""Tally snapshots: province and regency figures precomputed for the directors' dashboard.

A snapshot is written whole in one transaction and becomes current in that same transaction, so a
reader sees either the old snapshot or the new one, never a half-written one. Dashboard pages read
only these tables: their cost does not grow with the number of groups or members.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from applications.models import Programme
from regions.models import Province, Regency


class TallySnapshot(models.Model):
    as_of = models.DateTimeField(_("data per"), db_index=True)
    # At most one current snapshot (partial unique index below); the switch happens in the
    # transaction that wrote the new snapshot's rows.
    is_current = models.BooleanField(_("terkini"), default=False)
    duration_ms = models.PositiveIntegerField(_("lama hitung (ms)"), default=0)
    province_rows = models.PositiveIntegerField(default=0, verbose_name=_("baris provinsi"))
    regency_rows = models.PositiveIntegerField(default=0, verbose_name=_("baris kabupaten/kota"))

    class Meta:
        verbose_name = _("snapshot rekap")
        verbose_name_plural = _("snapshot rekap")
        ordering = ["-as_of", "-pk"]
        permissions = [("view_dashboard", _("Dapat melihat dasbor pimpinan"))]
        constraints = [
            models.UniqueConstraint(fields=["is_current"], condition=Q(is_current=True), name="tally_one_current")
        ]

    def __str__(self) -> str:
        return f"{self.as_of:%Y-%m-%d %H:%M}"


class TallyFigures(models.Model):
    """The figures shared by the province and regency rows (one row per year × programme × place)."""

    snapshot = models.ForeignKey(
        TallySnapshot, on_delete=models.CASCADE, related_name="+", verbose_name=_("potret data")
    )
    year = models.PositiveSmallIntegerField(_("tahun"))
    programme = models.CharField(_("program"), max_length=20, choices=Programme.choices)
    # Groups (one application each) by where their application stands now.
    groups_total = models.PositiveIntegerField(_("kelompok terdaftar"), default=0)
    groups_submitted = models.PositiveIntegerField(_("kelompok diajukan"), default=0)
    groups_verified = models.PositiveIntegerField(_("kelompok terverifikasi"), default=0)
    groups_approved = models.PositiveIntegerField(_("kelompok disetujui"), default=0)
    groups_rejected = models.PositiveIntegerField(_("kelompok ditolak"), default=0)
    groups_completed = models.PositiveIntegerField(_("kelompok selesai"), default=0)
    members_total = models.PositiveIntegerField(_("anggota terdaftar"), default=0)
    members_submitted = models.PositiveIntegerField(_("anggota diajukan"), default=0)
    members_verified = models.PositiveIntegerField(_("anggota terverifikasi"), default=0)
    members_approved = models.PositiveIntegerField(_("anggota disetujui"), default=0)
    members_rejected = models.PositiveIntegerField(_("anggota ditolak"), default=0)
    members_completed = models.PositiveIntegerField(_("anggota selesai"), default=0)
    women_approved = models.PositiveIntegerField(_("perempuan (disetujui)"), default=0)
    disability_approved = models.PositiveIntegerField(_("penyandang disabilitas (disetujui)"), default=0)
    amount_requested = models.PositiveBigIntegerField(_("nilai diajukan (Rp)"), default=0)
    amount_approved = models.PositiveBigIntegerField(_("nilai disetujui (Rp)"), default=0)
    amount_paid = models.PositiveBigIntegerField(_("nilai dibayar (Rp)"), default=0)
    median_days_to_approval = models.FloatField(_("median hari sampai disetujui"), null=True, blank=True)

    class Meta:
        abstract = True


class ProvinceTally(TallyFigures):
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("provinsi"))
    quota_groups = models.PositiveIntegerField(_("kuota kelompok"), default=0)
    quota_budget = models.PositiveBigIntegerField(_("pagu (Rp)"), default=0)

    class Meta:
        verbose_name = _("rekap provinsi")
        verbose_name_plural = _("rekap provinsi")
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "year", "programme", "province"], name="province_tally_one_per_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.programme} {self.province_id}"

    @property
    def quota_use_percent(self) -> float | None:
        return 100 * self.groups_approved / self.quota_groups if self.quota_groups else None

    @property
    def realisation_percent(self) -> float | None:
        """Paid as a share of the budget: what the ministry reports as realisasi."""
        return 100 * self.amount_paid / self.quota_budget if self.quota_budget else None


class RegencyTally(TallyFigures):
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("provinsi"))
    regency = models.ForeignKey(Regency, on_delete=models.PROTECT, related_name="+", verbose_name=_("kabupaten/kota"))

    class Meta:
        verbose_name = _("rekap kabupaten/kota")
        verbose_name_plural = _("rekap kabupaten/kota")
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "year", "programme", "regency"], name="regency_tally_one_per_key"
            )
        ]
        indexes = [models.Index(fields=["snapshot", "province"], name="regency_tally_province_idx")]

    def __str__(self) -> str:
        return f"{self.year} {self.programme} {self.regency_id}"


class WeeklyApprovals(models.Model):
    """Approvals per week (by decision date, Asia/Jakarta, weeks start on Monday): the progress chart."""

    snapshot = models.ForeignKey(
        TallySnapshot, on_delete=models.CASCADE, related_name="+", verbose_name=_("potret data")
    )
    year = models.PositiveSmallIntegerField(_("tahun"))
    programme = models.CharField(_("program"), max_length=20, choices=Programme.choices)
    week = models.DateField(_("minggu mulai"))
    groups = models.PositiveIntegerField(_("kelompok disetujui"), default=0)
    amount = models.PositiveBigIntegerField(_("nilai disetujui (Rp)"), default=0)

    class Meta:
        verbose_name = _("persetujuan per minggu")
        verbose_name_plural = _("persetujuan per minggu")
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "year", "programme", "week"], name="weekly_approvals_one")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.programme} {self.week}"


class TallyRefresh(models.Model):
    """A director's request to recompute now: the throttle reads it, and it says whether it was queued."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("diminta oleh")
    )
    requested_at = models.DateTimeField(db_index=True, verbose_name=_("diminta pada"))
    queued = models.BooleanField(default=True, verbose_name=_("masuk antrean"))

    class Meta:
        verbose_name = _("permintaan pembaruan rekap")
        verbose_name_plural = _("permintaan pembaruan rekap")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.requested_at:%Y-%m-%d %H:%M}"


class ResultTally(models.Model):
    """After the money, per year × programme × regency of the funded groups (application approved or
    later): training attendance, mentoring coverage, business survival, jobs and inclusion. Written
    in the same transaction as the other rows of its snapshot; provinces are sums of these rows."""

    snapshot = models.ForeignKey(TallySnapshot, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("tahun"))
    programme = models.CharField(_("program"), max_length=20, choices=Programme.choices)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    regency = models.ForeignKey(Regency, on_delete=models.PROTECT, related_name="+")
    groups_funded = models.PositiveIntegerField(_("kelompok penerima"), default=0)
    # Training: people of the invited groups → registered → attended at least one session.
    groups_invited = models.PositiveIntegerField(_("kelompok diundang pelatihan"), default=0)
    people_invited = models.PositiveIntegerField(_("anggota diundang"), default=0)
    registered_offline = models.PositiveIntegerField(_("mendaftar luring"), default=0)
    registered_online = models.PositiveIntegerField(_("mendaftar daring"), default=0)
    attended_offline = models.PositiveIntegerField(_("hadir luring"), default=0)
    attended_online = models.PositiveIntegerField(_("hadir daring"), default=0)
    # Mentoring: groups with a mentor now, and groups with a done visit in the last 30 / 90 days.
    groups_mentored = models.PositiveIntegerField(_("kelompok berpendamping"), default=0)
    visited_30 = models.PositiveIntegerField(_("dikunjungi 30 hari terakhir"), default=0)
    visited_90 = models.PositiveIntegerField(_("dikunjungi 90 hari terakhir"), default=0)
    # Survival: rounds of 6 and 12 months reported, and of those the businesses still running.
    reported_6 = models.PositiveIntegerField(_("laporan bulan ke-6"), default=0)
    alive_6 = models.PositiveIntegerField(_("usaha berjalan bulan ke-6"), default=0)
    reported_12 = models.PositiveIntegerField(_("laporan bulan ke-12"), default=0)
    alive_12 = models.PositiveIntegerField(_("usaha berjalan bulan ke-12"), default=0)
    # Jobs: from each group's latest reported round.
    groups_reporting = models.PositiveIntegerField(_("kelompok melapor"), default=0)
    jobs_members = models.PositiveIntegerField(_("anggota bekerja"), default=0)
    jobs_others = models.PositiveIntegerField(_("pekerja bukan anggota"), default=0)
    paid_reporting = models.PositiveBigIntegerField(_("dibayar ke kelompok melapor (Rp)"), default=0)
    # Inclusion: members of the funded groups, and the scheme's targets (percent).
    members = models.PositiveIntegerField(_("anggota penerima"), default=0)
    women = models.PositiveIntegerField(_("perempuan"), default=0)
    disabled = models.PositiveIntegerField(_("penyandang disabilitas"), default=0)
    women_target_percent = models.DecimalField(_("target perempuan (%)"), max_digits=5, decimal_places=2, default=0)
    disability_target_percent = models.DecimalField(
        _("target disabilitas (%)"), max_digits=5, decimal_places=2, default=0
    )

    class Meta:
        verbose_name = _("rekap hasil")
        verbose_name_plural = _("rekap hasil")
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "year", "programme", "regency"], name="result_tally_one_per_key"
            )
        ]
        indexes = [models.Index(fields=["snapshot", "province"], name="result_tally_province_idx")]

    def __str__(self) -> str:
        return f"{self.year} {self.programme} {self.regency_id}"


class TicketTally(models.Model):
    """Objections and complaints per province × category (all years: a ticket need not be about an
    application), written in the same transaction as the other rows of its snapshot. Counts only:
    sensitive categories (pungli) are counted here like the others, their tickets stay with the
    integrity team."""

    snapshot = models.ForeignKey(TallySnapshot, on_delete=models.CASCADE, related_name="+")
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("provinsi"))
    # Empty: all categories of the province (a median cannot be summed from the categories' medians).
    category = models.ForeignKey(
        "grievances.Category",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kategori"),
    )
    filed = models.PositiveIntegerField(_("tiket masuk"), default=0)
    open = models.PositiveIntegerField(_("masih terbuka"), default=0)
    overdue = models.PositiveIntegerField(_("terbuka, lewat batas waktu"), default=0)
    resolved = models.PositiveIntegerField(_("selesai"), default=0)
    resolved_in_time = models.PositiveIntegerField(_("selesai tepat waktu"), default=0)
    upheld = models.PositiveIntegerField(_("terbukti"), default=0)
    median_days_to_resolve = models.FloatField(_("median hari sampai selesai"), null=True, blank=True)

    class Meta:
        verbose_name = _("rekap pengaduan")
        verbose_name_plural = _("rekap pengaduan")
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "province", "category"], name="ticket_tally_one_per_key"),
            models.CheckConstraint(
                condition=models.Q(open__lte=models.F("filed"), resolved__lte=models.F("filed"))
                & models.Q(overdue__lte=models.F("open"), resolved_in_time__lte=models.F("resolved")),
                name="ticket_tally_counts_nest",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.province_id} {self.category_id}"
