"""Who uses the portal: group accounts (ketua kelompok) and Kemnaker staff with a region scope."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from groups.names import TypedTextField


class Role(models.TextChoices):
    """Roles are Django auth groups of these names; permissions come from ``accounts.roles``."""

    GROUP = "kelompok", _("Ketua kelompok")
    VERIFIER = "verifikator", _("Verifikator")
    APPROVER = "ppk", _("PPK / pemberi persetujuan")
    FINANCE = "bendahara", _("Bendahara / keuangan")
    DIRECTOR = "direktur", _("Direktur / pimpinan")
    MENTOR = "pendamping", _("Pendamping lapangan")
    # National integrity team: the only readers of sensitive complaints (pungli, officer misconduct).
    INTEGRITY = "integritas", _("Tim integritas")
    ADMIN = "admin", _("Administrator portal")


class User(AbstractUser):
    # The names as typed go through groups.names like every other name (Django's own columns and
    # labels: no migration, no new text to translate).
    first_name = TypedTextField(AbstractUser._meta.get_field("first_name").verbose_name, max_length=150, blank=True)
    last_name = TypedTextField(AbstractUser._meta.get_field("last_name").verbose_name, max_length=150, blank=True)
    phone = models.CharField(_("nomor HP"), max_length=20, blank=True)
    # A staff user's region scope. Fail-closed: an officer sees only the provinces and regencies listed
    # here, and nothing at all when none are listed, unless marked national (Direktorat staff).
    scope_national = models.BooleanField(
        _("lingkup nasional"),
        default=False,
        help_text=_("Petugas pusat: melihat seluruh provinsi. Jika tidak, hanya wilayah di bawah ini."),
    )
    scope_provinces = models.ManyToManyField(
        "regions.Province", blank=True, related_name="+", verbose_name=_("lingkup provinsi")
    )
    scope_regencies = models.ManyToManyField(
        "regions.Regency", blank=True, related_name="+", verbose_name=_("lingkup kabupaten/kota")
    )

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("email"), condition=~Q(email=""), name="user_email_unique_ci"
            ),
            # Phone numbers are stored normalised (08…), so a login by phone finds one account.
            models.UniqueConstraint(fields=["phone"], condition=~Q(phone=""), name="user_phone_unique"),
        ]

    def has_role(self, role: Role) -> bool:
        return self.groups.filter(name=role.value).exists()
