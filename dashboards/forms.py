from django import forms
from django.utils.translation import gettext_lazy as _

from dashboards.figures import PROGRAMME_LABELS

MAP_FIGURES = {
    "groups_approved": _("Kelompok disetujui"),
    "members_approved": _("Anggota disetujui"),
    "amount_approved": _("Nilai disetujui (Rp)"),
    "amount_paid": _("Nilai dibayar (Rp)"),
    "quota_use_percent": _("Serapan kuota (%)"),
    "realisation_percent": _("Realisasi anggaran (%)"),
}


class DashboardFilterForm(forms.Form):
    """Year and programme. Unknown values get a message and the default view, never an error page."""

    tahun = forms.TypedChoiceField(label=_("Tahun"), coerce=int, required=False)
    program = forms.ChoiceField(label=_("Program"), choices=list(PROGRAMME_LABELS.items()), required=False)
    angka = forms.ChoiceField(label=_("Angka di peta"), choices=list(MAP_FIGURES.items()), required=False)

    def __init__(self, *args: object, years: list[int], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tahun"].choices = [(year, str(year)) for year in years]
        self.fields["tahun"].error_messages["invalid_choice"] = _("Tahun %(value)s tidak ada dalam data rekap.")
        self.fields["program"].error_messages["invalid_choice"] = _("Program “%(value)s” tidak dikenal.")
        self.fields["angka"].error_messages["invalid_choice"] = _("Angka peta “%(value)s” tidak dikenal.")
