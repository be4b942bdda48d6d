from django import forms
from django.utils.translation import gettext_lazy as _

from outcomes.models import FacilityState, MonitoringRound
from outcomes.services import Answers

YES_NO = [("", "—"), ("ya", _("Ya, berjalan")), ("tidak", _("Tidak berjalan"))]


class RoundForm(forms.Form):
    """One monitoring round's answers. ``token`` makes a repeated submit count once; ``confirm_jump``
    appears when the revenue jumped 100× against the previous round."""

    token = forms.UUIDField(widget=forms.HiddenInput)
    operating = forms.ChoiceField(label=_("Apakah usaha/sarana masih berjalan?"), choices=YES_NO)
    monthly_revenue = forms.IntegerField(
        label=_("Omzet sebulan terakhir (Rp)"),
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "1000"}),
        help_text=_("Angka saja, tanpa titik. Tulis 0 bila belum ada penjualan."),
    )
    members_working = forms.IntegerField(
        label=_("Anggota kelompok yang bekerja di usaha ini"), min_value=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )  # fmt: skip
    others_working = forms.IntegerField(
        label=_("Orang lain (bukan anggota) yang bekerja di usaha ini"), min_value=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("Pekerjaan baru yang tercipta: tetangga, keluarga, karyawan yang dibayar."),
    )  # fmt: skip
    online_link = forms.CharField(
        label=_("Tautan toko daring (marketplace / media sosial)"), required=False, max_length=300,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )  # fmt: skip
    facility_state = forms.ChoiceField(
        label=_("Keadaan sarana"), required=False, choices=[("", "—"), *FacilityState.choices]
    )
    facility_use = forms.CharField(label=_("Sarana dipakai untuk apa dan oleh siapa"), required=False, max_length=500)
    note = forms.CharField(label=_("Catatan"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    confirm_jump = forms.BooleanField(label=_("Angka omzet sudah saya periksa dan benar"), required=False)

    def __init__(self, *args: object, round_: MonitoringRound, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.round = round_
        if round_.is_padat_karya:
            del self.fields["monthly_revenue"]
            self.fields["facility_state"].required = True
        else:
            del self.fields["facility_state"], self.fields["facility_use"]
            self.fields["monthly_revenue"].required = True  # 0 when nothing was sold, or it has stopped

    def answers(self) -> Answers:
        data = self.cleaned_data
        return Answers(
            operating=data["operating"] == "ya",
            monthly_revenue=data.get("monthly_revenue"),
            members_working=data["members_working"],
            others_working=data["others_working"],
            online_link=data.get("online_link") or "",
            facility_state=data.get("facility_state") or "",
            facility_use=data.get("facility_use") or "",
            note=data.get("note") or "",
        )
