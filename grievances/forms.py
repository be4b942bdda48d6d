from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from applications.uploads import upload_content_type
from grievances.models import Category
from grievances.services import DESCRIPTION_MAX, MAX_ATTACHMENTS
from regions.models import Regency

_DESCRIPTION = forms.CharField(
    label=_("Uraian"),
    max_length=DESCRIPTION_MAX,
    widget=forms.Textarea(attrs={"rows": 6, "maxlength": DESCRIPTION_MAX}),
    help_text=_("Apa yang terjadi, kapan, di mana, siapa yang terlibat. Jangan tulis NIK orang lain."),
)


class _MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Up to ``MAX_ATTACHMENTS`` photos or letters (PDF, JPG, PNG), each checked by its content."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault(
            "widget", _MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"})
        )
        super().__init__(**kwargs)

    def clean(self, data: object, initial: object = None) -> list[UploadedFile]:
        uploads = data if isinstance(data, list | tuple) else ([data] if data else [])
        cleaned = [super(AttachmentsField, self).clean(upload, initial) for upload in uploads]
        if len(cleaned) > MAX_ATTACHMENTS:
            raise ValidationError(_("Paling banyak %(count)d lampiran.") % {"count": MAX_ATTACHMENTS})
        for upload in cleaned:
            upload_content_type(upload)  # the service checks again; here the refusal sits on the field
        return cleaned


def _attachments() -> AttachmentsField:
    return AttachmentsField(
        label=_("Lampiran (foto, surat)"),
        required=False,
        help_text=_("Boleh dikosongkan. Paling banyak 3 berkas PDF, JPG atau PNG (foto, surat)."),
    )


class ObjectionForm(forms.Form):
    """A sanggahan about a group of the public list: no account, no phone needed."""

    category = forms.ModelChoiceField(
        label=_("Jenis sanggahan"),
        queryset=Category.objects.filter(is_active=True, about_group=True),
        empty_label=None,
        widget=forms.RadioSelect,
    )
    description = _DESCRIPTION
    attachments = _attachments()
    name = forms.CharField(label=_("Nama Anda"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail untuk kabar perkembangan"), max_length=254, required=False)


class ComplaintForm(forms.Form):
    """A complaint by a verified phone, a ketua (no region or name: it is their group's) or anonymous."""

    category = forms.ModelChoiceField(
        label=_("Jenis pengaduan"),
        queryset=Category.objects.filter(is_active=True, about_group=False),
        empty_label=None,
        widget=forms.RadioSelect,
    )
    regency = forms.ModelChoiceField(
        label=_("Kabupaten/kota tempat kejadian"),
        queryset=Regency.objects.filter(in_current=True).select_related("province").order_by("province_id", "name"),
    )
    description = _DESCRIPTION
    attachments = _attachments()
    name = forms.CharField(label=_("Nama Anda"), max_length=150, required=False)

    def __init__(self, *args: object, for_ketua: bool = False, anonymous: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if for_ketua:
            del self.fields["regency"]
            del self.fields["name"]
        if anonymous:
            del self.fields["name"]
            self.fields["category"].queryset = Category.objects.filter(is_active=True, is_sensitive=True)


class PhoneForm(forms.Form):
    phone = forms.CharField(label=_("Nomor HP"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"}))


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Kode dari SMS"), max_length=12, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan banding"), max_length=DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
