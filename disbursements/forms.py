"""Forms of finance (bank results, exception notes, a fixed bank account), of the group's reports
and of the officer's report decisions. They parse what people type;
``disbursements.services`` and ``disbursements.reports`` apply the rules."""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from applications.forms import RupiahField
from applications.uploads import document_max_bytes, upload_content_type
from disbursements.bankfiles import MAX_RESULT_FILE_BYTES
from disbursements.models import ReportReceipt, WageRole
from disbursements.reports import AttendanceEntry
from groups.models import Member

_FILE_ERRORS = {
    "required": _("Pilih berkas yang akan diunggah."),
    "empty": _("Berkas kosong. Pilih berkas yang berisi foto atau dokumen."),
    "invalid": _("Berkas tidak terbaca. Coba unggah ulang."),
}
_DATE_ERRORS = {"invalid": _("Tulis tanggal yang benar, mis. 2020-11-05.")}


class _UploadForm(forms.Form):
    accept = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = self.accept
        self.fields["file"].help_text = _("PDF, JPG atau PNG, paling besar %(limit)s.") % {
            "limit": filesizeformat(document_max_bytes())
        }

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        upload_content_type(upload)  # the service checks again; here the refusal sits on the field
        return upload


class ReceiptForm(_UploadForm):
    category = forms.ChoiceField(
        label=_("Kategori"), choices=ReportReceipt.Category.choices, widget=forms.RadioSelect, initial="equipment"
    )
    description = forms.CharField(label=_("Uraian"), max_length=300, help_text=_("Mis. mesin jahit 2 unit."))
    amount = RupiahField(label=_("Nilai (Rp)"), min_value=1)
    spent_on = forms.DateField(
        label=_("Tanggal kuitansi"), widget=forms.DateInput(attrs={"type": "date"}), error_messages=_DATE_ERRORS
    )
    file = forms.FileField(label=_("Foto kuitansi"), error_messages=_FILE_ERRORS)


class PhotoForm(_UploadForm):
    accept = "image/jpeg,image/png,.jpg,.jpeg,.png"

    file = forms.FileField(label=_("Foto"), error_messages=_FILE_ERRORS)
    caption = forms.CharField(label=_("Keterangan"), max_length=200, required=False)


class TreasuryReturnForm(_UploadForm):
    amount = RupiahField(
        label=_("Nilai disetor (Rp)"), min_value=1, help_text=_("Seperti tertera pada bukti setor (NTPN).")
    )
    ntpn = forms.RegexField(
        label=_("NTPN"),
        regex=re.compile(r"^\s*[0-9A-Za-z]{16}\s*$"),
        error_messages={"invalid": _("NTPN terdiri dari 16 huruf/angka, seperti tertera pada bukti setor.")},
    )
    billing_code = forms.RegexField(
        label=_("Kode billing"),
        regex=re.compile(r"^\s*[0-9]{15}\s*$"),
        required=False,
        error_messages={"invalid": _("Kode billing terdiri dari 15 angka.")},
    )
    paid_on = forms.DateField(
        label=_("Tanggal setor"), widget=forms.DateInput(attrs={"type": "date"}), error_messages=_DATE_ERRORS
    )
    file = forms.FileField(label=_("Bukti setor"), error_messages=_FILE_ERRORS)


class ReturnReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan dikembalikan"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Kelompok membaca ini sebagai daftar perbaikan."),
        error_messages={"required": _("Tuliskan alasan laporan dikembalikan.")},
    )


class AcceptNoteForm(forms.Form):
    note = forms.CharField(label=_("Catatan"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


# --- the attendance grid: members × days in one post ---------------------------------------------


def attendance_field(member_id: int, day: datetime.date) -> str:
    return f"hadir-{member_id}-{day.isoformat()}"


def role_field(member_id: int) -> str:
    return f"peran-{member_id}"


def default_role(member: Member) -> str:
    return WageRole.KETUA if member.role == Member.Role.KETUA else WageRole.PEKERJA


def attendance_grid_parse(
    data: QueryDict, *, members: list[Member], days: list[datetime.date]
) -> list[AttendanceEntry]:
    """The ticked cells of the grid, each with its member's wage role. Only the shown members and
    days are read, so a forged field name for another group's member is simply ignored."""
    entries = []
    for member in members:
        role = data.get(role_field(member.pk), default_role(member))
        if role not in WageRole.values:
            raise ValidationError(_("Peran upah %(name)s tidak dikenal.") % {"name": member.name})
        entries.extend(
            AttendanceEntry(member_id=member.pk, worked_on=day, role=role)
            for day in days
            if data.get(attendance_field(member.pk, day))
        )
    return entries


class BankResultUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Berkas hasil bank (CSV atau XLSX)"),
        help_text=_("Isi kolom dan contohnya ada di bawah. Maksimal %(mb)d MB.")
        % {"mb": MAX_RESULT_FILE_BYTES // 2**20},
    )


class ResolutionNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Catatan penyelesaian"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Apa yang diperiksa dan diputuskan, mis. konfirmasi bank atau koreksi manual."),
    )
