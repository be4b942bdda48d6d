from django import forms
from django.utils.translation import gettext_lazy as _

from groups.models import Bank
from groups.names import TypedTextFormField

ACCOUNT_NUMBER_MESSAGE = _("Nomor rekening harus 6–20 angka, tanpa spasi atau tanda baca.")


class BankAccountForm(forms.Form):
    """The new bank account (the group's portal page, and an officer's proposal with ``reason``)."""

    bank = forms.ModelChoiceField(queryset=Bank.objects.none(), label=_("Bank"))
    account_number = forms.RegexField(
        regex=r"^[0-9]{6,20}$",
        label=_("Nomor rekening"),
        error_messages={"invalid": ACCOUNT_NUMBER_MESSAGE},
    )
    account_holder = TypedTextFormField(label=_("Nama pemilik rekening"), max_length=200)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bank"].queryset = Bank.objects.filter(is_active=True)


class ReasonField(forms.CharField):
    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("label", _("Alasan koreksi"))
        kwargs.setdefault(
            "help_text", _("Dasar koreksi, mis. buku tabungan baru, KTP, surat keterangan Disnaker; dibaca pemeriksa.")
        )
        super().__init__(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, **kwargs)


class BankAccountCorrectionForm(BankAccountForm):
    reason = ReasonField()


class MemberIdentityCorrectionForm(forms.Form):
    nik = forms.RegexField(
        regex=r"^\s*[0-9][0-9 .]{14,22}\s*$",
        label=_("NIK"),
        error_messages={"invalid": _("NIK harus terdiri dari 16 angka.")},
    )
    name = TypedTextFormField(label=_("Nama lengkap (sesuai KTP)"), max_length=150)
    birth_date = forms.DateField(label=_("Tanggal lahir"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = ReasonField()


class DecisionNoteForm(forms.Form):
    """Confirming: an optional note. Rejecting: the reason, required (``RejectionForm``)."""

    note = forms.CharField(
        label=_("Catatan"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class RejectionForm(forms.Form):
    note = forms.CharField(label=_("Alasan penolakan"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
