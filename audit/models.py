"""Proxies of django-simple-history's historical models, so the admin lists them together under
"Jejak audit". No tables of their own: the history rows are simple-history's."""

from django.utils.translation import gettext_lazy as _

from applications.models import Application, Scheme, SchemeQuota
from disbursements.models import Tranche
from groups.models import Group, Member


class MemberChange(Member.history.model):
    class Meta:
        proxy = True
        verbose_name = _("perubahan anggota")
        verbose_name_plural = _("perubahan anggota")

    def label(self) -> str:
        return f"{self.name} ({self.nik})"


class GroupChange(Group.history.model):
    class Meta:
        proxy = True
        verbose_name = _("perubahan kelompok")
        verbose_name_plural = _("perubahan kelompok (termasuk rekening)")

    def label(self) -> str:
        return f"{self.code} {self.name}"


class ApplicationChange(Application.history.model):
    class Meta:
        proxy = True
        verbose_name = _("perubahan pengajuan")
        verbose_name_plural = _("perubahan pengajuan (status, nilai)")

    def label(self) -> str:
        return self.reference


class SchemeChange(Scheme.history.model):
    class Meta:
        proxy = True
        verbose_name = _("perubahan skema")
        verbose_name_plural = _("perubahan skema")

    def label(self) -> str:
        return self.name


class SchemeQuotaChange(SchemeQuota.history.model):
    class Meta:
        proxy = True
        verbose_name = _("perubahan kuota")
        verbose_name_plural = _("perubahan kuota")

    def label(self) -> str:
        return f"{self.scheme_id} / {self.province_id}"


class TrancheChange(Tranche.history.model):
    class Meta:
        proxy = True
        verbose_name = _("perubahan tahap")
        verbose_name_plural = _("perubahan tahap")

    def label(self) -> str:
        return f"{self.application_id} / {self.number}"
