from django import forms
from django.utils.translation import gettext_lazy as _

from disbursements.bankfiles import MAX_RESULT_FILE_BYTES


class BankResultUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Berkas hasil bank (CSV atau XLSX)"),
        help_text=_(
            "Kolom: payment_reference, status, reason_code, transfer_date, bank_transaction_id, amount. "
            "Maksimal %(mb)d MB."
        )
        % {"mb": MAX_RESULT_FILE_BYTES // 2**20},
    )


class ResolutionNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Catatan penyelesaian"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Apa yang diperiksa dan diputuskan, mis. konfirmasi bank atau koreksi manual."),
    )


class BankAccountFixForm(forms.Form):
    bank = forms.ModelChoiceField(queryset=None, label=_("Bank"))
    account_number = forms.RegexField(
        regex=r"^[0-9]{6,20}$",
        label=_("Nomor rekening"),
        error_messages={"invalid": _("Nomor rekening harus 6–20 angka, tanpa spasi atau tanda baca.")},
    )
    account_holder = forms.CharField(label=_("Nama pemilik rekening"), max_length=200)

    def __init__(self, *args: object, **kwargs: object) -> None:
        from groups.models import Bank

        super().__init__(*args, **kwargs)
        self.fields["bank"].queryset = Bank.objects.filter(is_active=True)
