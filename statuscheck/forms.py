import re

from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.phones import phone_normalise

REFERENCE_SHAPE = re.compile(r"JPS-[0-9]{4}-[A-Z]{3}-[0-9]{2}-[0-9]{6}")


class LookupForm(forms.Form):
    reference = forms.CharField(
        label=_("Nomor pendaftaran"),
        max_length=40,
        help_text=_("Tertulis di bukti pengajuan, misalnya JPS-2020-TKM-32-000123."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label=_("Nomor HP yang terdaftar"),
        max_length=20,
        help_text=_("Nomor HP kelompok atau nomor HP ketua, misalnya 0812-3456-7890."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    def clean_reference(self) -> str:
        reference = "".join(self.cleaned_data["reference"].split()).upper()
        if not REFERENCE_SHAPE.fullmatch(reference):
            raise forms.ValidationError(_("Nomor pendaftaran ditulis seperti JPS-2020-TKM-32-000123."))
        return reference

    def clean_phone(self) -> str:
        """E.164 (``+628…``), the form one-time codes are kept in."""
        try:
            return phone_normalise(self.cleaned_data["phone"])
        except ValueError as error:
            raise forms.ValidationError(_("Nomor HP tidak valid. Tulis nomor yang diawali 08 atau +62.")) from error


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Kode dari SMS"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
