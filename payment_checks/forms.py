from django import forms
from django.utils.translation import gettext_lazy as _

from payment_checks.models import Answer, FollowUpRecord


class RupiahField(forms.IntegerField):
    """Whole rupiah; "2.500.000", "2500000" and "Rp 2.500.000" are all 2,500,000."""

    def to_python(self, value: object) -> int | None:
        if isinstance(value, str):
            value = value.replace("Rp", "").replace("rp", "").replace(".", "").replace(" ", "").strip()
        return super().to_python(value)


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Apakah dana bantuan ini sudah diterima kelompok Anda?"),
        choices=Answer.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Pilih salah satu jawaban.")},
    )
    amount = RupiahField(
        label=_("Jika diterima sebagian: berapa rupiah yang diterima?"),
        required=False,
        min_value=0,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"invalid": _("Tuliskan angka rupiah saja, mis. 5000000.")},
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("answer") == Answer.PARTIAL and data.get("amount") is None and not self.errors.get("amount"):
            self.add_error("amount", _("Tuliskan berapa rupiah yang diterima."))
        return data


class FollowUpForm(forms.Form):
    method = forms.ChoiceField(label=_("Cara"), choices=FollowUpRecord.Method.choices, widget=forms.RadioSelect)
    outcome = forms.ChoiceField(label=_("Hasil"), choices=FollowUpRecord.Outcome.choices, widget=forms.RadioSelect)
    amount = RupiahField(label=_("Nilai diterima (Rp), jika sebagian"), required=False, min_value=0)
    note = forms.CharField(label=_("Catatan"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
