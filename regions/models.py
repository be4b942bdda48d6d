"""Kemendagri administrative regions, 2020 and current editions, in one table per level.

Codes are never reused for a different place between the two editions (only renamed, or retired
in Papua's 2022 split), so one row per code carries flags saying which editions hold it.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RegionQuerySet(models.QuerySet):
    def in_2020(self) -> "RegionQuerySet":
        return self.filter(in_2020=True)

    def current(self) -> "RegionQuerySet":
        return self.filter(in_current=True)


class RegionBase(models.Model):
    code = models.CharField(_("kode"), max_length=8, primary_key=True)
    name = models.CharField(_("nama"), max_length=120, help_text=_("Nama menurut edisi terbaru."))
    name_2020 = models.CharField(_("nama (2020)"), max_length=120, blank=True)
    in_2020 = models.BooleanField(_("ada di edisi 2020"), default=False)
    in_current = models.BooleanField(_("ada di edisi terbaru"), default=False)

    objects = RegionQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Province(RegionBase):
    class Meta(RegionBase.Meta):
        verbose_name = _("provinsi")
        verbose_name_plural = _("provinsi")
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{2}$"), name="province_code_format"),
            models.CheckConstraint(condition=Q(in_2020=True) | Q(in_current=True), name="province_in_an_edition"),
        ]


class Regency(RegionBase):
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="regencies", verbose_name=_("provinsi")
    )

    class Meta(RegionBase.Meta):
        verbose_name = _("kabupaten/kota")
        verbose_name_plural = _("kabupaten/kota")
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{2}\.[0-9]{2}$"), name="regency_code_format"),
            models.CheckConstraint(condition=Q(in_2020=True) | Q(in_current=True), name="regency_in_an_edition"),
        ]


class District(RegionBase):
    regency = models.ForeignKey(
        Regency, on_delete=models.PROTECT, related_name="districts", verbose_name=_("kabupaten/kota")
    )

    class Meta(RegionBase.Meta):
        verbose_name = _("kecamatan")
        verbose_name_plural = _("kecamatan")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}$"), name="district_code_format"
            ),
            models.CheckConstraint(condition=Q(in_2020=True) | Q(in_current=True), name="district_in_an_edition"),
        ]

    @property
    def nik_prefix(self) -> str:
        """The six digits a NIK issued in this district starts with."""
        return self.code.replace(".", "")


class RegencyRecode(models.Model):
    """A regency whose code changed when the new Papua provinces were formed in 2022."""

    old_regency = models.OneToOneField(
        Regency, on_delete=models.PROTECT, related_name="recoded_to", verbose_name=_("kabupaten/kota lama")
    )
    new_regency = models.ForeignKey(
        Regency, on_delete=models.PROTECT, related_name="recoded_from", verbose_name=_("kabupaten/kota baru")
    )
    year = models.PositiveSmallIntegerField(default=2022, verbose_name=_("tahun"))

    class Meta:
        verbose_name = _("perubahan kode kabupaten")
        verbose_name_plural = _("perubahan kode kabupaten")
        ordering = ["old_regency"]
        constraints = [
            models.CheckConstraint(condition=~Q(old_regency=models.F("new_regency")), name="recode_changes_code"),
        ]

    def __str__(self) -> str:
        return f"{self.old_regency_id} → {self.new_regency_id}"
