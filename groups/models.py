"""Kelompok masyarakat (community groups), their members and their bank account."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from groups.names import TypedTextField
from groups.nik import NIK_DB_PATTERN, check_nik
from regions.models import Regency
from regions.services import known_nik_prefixes

ACCOUNT_NUMBER_PATTERN = r"^[0-9]{6,20}$"
PHONE_PATTERN = r"^(\+62|0)[0-9]{8,13}$"

account_number_validator = RegexValidator(
    ACCOUNT_NUMBER_PATTERN, _("Nomor rekening harus 6–20 angka, tanpa spasi atau tanda baca.")
)
phone_validator = RegexValidator(PHONE_PATTERN, _("Nomor HP harus diawali 0 atau +62 dan berisi 9–14 angka."))


class Bank(models.Model):
    code = models.CharField(_("kode bank"), max_length=3, primary_key=True)
    name = models.CharField(_("nama bank"), max_length=120)
    is_himbara = models.BooleanField(_("bank Himbara"), default=False)
    is_active = models.BooleanField(_("aktif"), default=True)
    note = models.CharField(_("catatan"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("bank")
        verbose_name_plural = _("bank")
        ordering = ["-is_himbara", "name"]
        constraints = [models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{3}$"), name="bank_code_three_digits")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class GroupQuerySet(models.QuerySet):
    def in_province(self, province_code: str) -> "GroupQuerySet":
        return self.filter(regency__province_id=province_code)

    def for_year(self, year: int) -> "GroupQuerySet":
        return self.filter(year=year)


class Group(models.Model):
    """A kelompok masyarakat formed for one programme year.

    Members are checked for uniqueness per year, so the group carries the year it applies in.
    """

    code = models.CharField(
        _("kode kelompok"), max_length=40, unique=True, help_text=_("Kode unik, mis. dari daftar Disnaker.")
    )
    name = TypedTextField(_("nama kelompok"), max_length=200)
    year = models.PositiveSmallIntegerField(_("tahun program"))
    regency = models.ForeignKey(
        Regency, on_delete=models.PROTECT, related_name="groups", verbose_name=_("kabupaten/kota")
    )
    village = TypedTextField(_("desa/kelurahan"), max_length=120, blank=True)
    address = TypedTextField(_("alamat"), max_length=300, blank=True)
    phone = models.CharField(_("nomor HP kelompok"), max_length=20, blank=True, validators=[phone_validator])
    sk_number = TypedTextField(_("nomor SK pembentukan"), max_length=100, blank=True)
    sk_date = models.DateField(_("tanggal SK pembentukan"), null=True, blank=True)
    bank = models.ForeignKey(Bank, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("bank"))
    account_number = models.CharField(
        _("nomor rekening"), max_length=20, blank=True, validators=[account_number_validator]
    )
    account_holder = TypedTextField(_("nama pemilik rekening"), max_length=200, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="kelompok",
        verbose_name=_("akun kelompok"),
    )
    # Set when the group's integrity checks must be recomputed; cleared by the task that ran
    # them. A periodic sweep re-enqueues rows left pending (e.g. Redis was down at enqueue time).
    checks_requested_at = models.DateTimeField(
        null=True, blank=True, editable=False, db_index=True, verbose_name=_("pemeriksaan diminta pada")
    )
    checks_completed_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("pemeriksaan selesai pada")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("dibuat pada"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("diperbarui pada"))

    history = HistoricalRecords(excluded_fields=["checks_requested_at", "checks_completed_at", "updated_at"])
    objects = GroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("kelompok")
        verbose_name_plural = _("kelompok")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(year__gte=2020) & Q(year__lte=2100), name="group_year_sane"),
            models.CheckConstraint(
                condition=Q(account_number="") | Q(account_number__regex=ACCOUNT_NUMBER_PATTERN),
                name="group_account_number_digits",
            ),
            # A bank account is either complete (bank + number + holder) or absent.
            models.CheckConstraint(
                condition=(Q(bank__isnull=True) & Q(account_number="") & Q(account_holder=""))
                | (Q(bank__isnull=False) & ~Q(account_number="") & ~Q(account_holder="")),
                name="group_bank_account_complete_or_absent",
            ),
        ]
        indexes = [
            models.Index(fields=["bank", "account_number"], name="group_bank_account_idx"),
            # The cluster rules read one regency's groups of one year (applications.integrity).
            models.Index(fields=["regency", "year"], name="group_regency_year_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_bank_account(self) -> bool:
        return bool(self.bank_id and self.account_number)


class Member(models.Model):
    """An anggota of a group, identified by NIK. One NIK at most once per programme year,
    across all groups and both programmes (``member_nik_once_per_year``)."""

    class Sex(models.TextChoices):
        MALE = "L", _("Laki-laki")
        FEMALE = "P", _("Perempuan")

    class Role(models.TextChoices):
        KETUA = "ketua", _("Ketua")
        SEKRETARIS = "sekretaris", _("Sekretaris")
        BENDAHARA = "bendahara", _("Bendahara")
        ANGGOTA = "anggota", _("Anggota")

    class EmploymentStatus(models.TextChoices):
        PENGANGGUR = "penganggur", _("Penganggur")
        SETENGAH_PENGANGGUR = "setengah_penganggur", _("Setengah penganggur")
        KORBAN_PHK = "korban_phk", _("Korban PHK")

    OFFICER_ROLES = (Role.KETUA, Role.SEKRETARIS, Role.BENDAHARA)

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="members", verbose_name=_("kelompok"))
    # Copied from the group so the database can enforce one NIK per year across all groups.
    year = models.PositiveSmallIntegerField(_("tahun program"), editable=False)
    nik = models.CharField(_("NIK"), max_length=16)
    name = TypedTextField(_("nama lengkap"), max_length=150, help_text=_("Sesuai KTP; satu kata pun boleh."))
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("tanggal lahir"))
    role = models.CharField(_("jabatan"), max_length=12, choices=Role.choices, default=Role.ANGGOTA)
    employment_status = models.CharField(_("status pekerjaan"), max_length=20, choices=EmploymentStatus.choices)
    has_disability = models.BooleanField(_("penyandang disabilitas"), default=False)
    phone = models.CharField(_("nomor HP"), max_length=20, blank=True, validators=[phone_validator])
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("dibuat pada"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("anggota")
        verbose_name_plural = _("anggota")
        ordering = ["group", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["nik", "year"],
                name="member_nik_once_per_year",
                violation_error_message=_("NIK ini sudah terdaftar di kelompok lain pada tahun yang sama."),
            ),
            models.CheckConstraint(
                condition=Q(nik__regex=NIK_DB_PATTERN) & ~Q(nik__endswith="0000") & ~Q(nik__startswith="00"),
                name="member_nik_valid_shape",
                violation_error_message=_("NIK tidak valid."),
            ),
            models.CheckConstraint(condition=~Q(name=""), name="member_name_not_empty"),
            models.CheckConstraint(condition=Q(sex__in=["L", "P"]), name="member_sex_valid"),
            models.CheckConstraint(
                condition=Q(role__in=["ketua", "sekretaris", "bendahara", "anggota"]), name="member_role_valid"
            ),
            models.CheckConstraint(
                condition=Q(employment_status__in=["penganggur", "setengah_penganggur", "korban_phk"]),
                name="member_employment_status_valid",
            ),
            # At most one ketua, sekretaris and bendahara per group; "at least one" is a submit rule.
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(role="ketua"),
                name="member_one_ketua_per_group",
                violation_error_message=_("Kelompok hanya boleh punya satu ketua."),
            ),
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(role="sekretaris"),
                name="member_one_sekretaris_per_group",
                violation_error_message=_("Kelompok hanya boleh punya satu sekretaris."),
            ),
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(role="bendahara"),
                name="member_one_bendahara_per_group",
                violation_error_message=_("Kelompok hanya boleh punya satu bendahara."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.nik})"

    def clean(self) -> None:
        if self.group_id and not self.year:
            self.year = self.group.year
        check = check_nik(self.nik, known_prefixes=known_nik_prefixes())
        self.nik = check.nik
        if not check.is_valid:
            raise ValidationError({"nik": check.errors})

    def age_on(self, day: datetime.date) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


class MemberDraft(models.Model):
    """What the ketua typed on the member list and has not saved yet: kept on the server, so a failed
    save, a closed tab or a dead phone battery never loses a row. One per group; the successful save
    of the list deletes it. ``data`` holds the list's form fields as sent (``members-…`` keys only)."""

    group = models.OneToOneField(
        Group, on_delete=models.CASCADE, related_name="member_draft", verbose_name=_("kelompok")
    )
    data = models.JSONField(default=dict, verbose_name=_("isi"))
    # True when it was kept by a refused save (its errors are worth showing again on return);
    # False when the page saved it while the ketua typed.
    from_failed_save = models.BooleanField(default=False, verbose_name=_("dari penyimpanan yang gagal"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("diperbarui pada"))

    class Meta:
        verbose_name = _("draf daftar anggota")
        verbose_name_plural = _("draf daftar anggota")

    def __str__(self) -> str:
        return f"{self.group} ({self.updated_at:%Y-%m-%d %H:%M})"
