"""Forms of the group's application journey. They parse what people type; services apply the rules."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from applications.models import Application, ApplicationDocument, RejectionReason, RevisionReason, Scheme
from applications.money import format_rupiah
from applications.uploads import document_max_bytes, upload_content_type
from groups import services as group_services
from groups.forms import GroupProfileForm, MemberForm

# "Rp 40.000.000", "40.000.000,-", "40 000 000" and "40000000" all mean forty million rupiah.
_AMOUNT_NOISE = re.compile(r"^rp\.?|[\s.]|,-$|,00$", re.IGNORECASE)
_MAX_AMOUNT_DIGITS = 15  # a quadrillion rupiah: far above any grant, far below the column's limit


class RupiahField(forms.CharField):
    """A whole-rupiah amount as people type it, with or without ``Rp`` and thousands dots."""

    default_error_messages = {
        "invalid": _("Tulis nilai dalam angka rupiah, mis. 40.000.000 (tanpa huruf)."),
        "negative": _("Nilai tidak boleh negatif."),
        "min_value": _("Nilai harus lebih dari Rp0."),
    }

    def __init__(self, *, min_value: int = 0, **kwargs: object) -> None:
        self.min_value = min_value
        attrs = {"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false", "maxlength": 40}
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(**kwargs)

    def to_python(self, value: object) -> int | None:
        text = _AMOUNT_NOISE.sub("", super().to_python(value).strip())
        if not text:
            return None
        if text.startswith("-"):
            raise ValidationError(self.error_messages["negative"], code="negative")
        if not text.isascii() or not text.isdigit() or len(text) > _MAX_AMOUNT_DIGITS:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return int(text)

    def validate(self, value: int | None) -> None:
        super().validate(value)
        if value is not None and value < self.min_value:
            raise ValidationError(self.error_messages["min_value"], code="min_value")

    def prepare_value(self, value: object) -> object:
        # Shown back with thousands dots, the way it is printed on paper.
        return f"{value:,}".replace(",", ".") if isinstance(value, int) else value


class SchemeChoiceForm(forms.Form):
    scheme = forms.ModelChoiceField(queryset=Scheme.objects.none(), label=_("Skema"))
    # The second step: a draft is made only once the ketua has seen what it is for and confirmed.
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: object, schemes: QuerySet[Scheme], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = schemes
        self.fields["scheme"].error_messages["invalid_choice"] = _("Skema ini tidak sedang dibuka untuk kelompok Anda.")


class ProposalForm(forms.Form):
    """Fields shared by both programmes. ``fields_for`` picks the programme's form class."""

    requested_amount = RupiahField(label=_("Nilai yang diajukan (Rp)"), min_value=1)

    def __init__(self, *args: object, application: Application, **kwargs: object) -> None:
        self.scheme = application.scheme
        # What is saved is shown; a zero budget or head count is shown as "not filled in yet".
        kwargs.setdefault("initial", {name: getattr(application, name) or None for name in self.base_fields})
        super().__init__(*args, **kwargs)
        self.fields["requested_amount"].help_text = _("Paling banyak %(max)s.") % {
            "max": format_rupiah(self.scheme.amount_per_group)
        }


class TkmProposalForm(ProposalForm):
    business_type = forms.CharField(
        label=_("Jenis usaha"), max_length=150, required=False, help_text=_("Mis. konveksi, warung makan, bengkel.")
    )
    business_plan = forms.CharField(
        label=_("Rencana usaha"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Apa yang akan dijual atau dikerjakan, siapa pembelinya, dan siapa mengerjakan apa."),
    )
    equipment_budget = RupiahField(label=_("Anggaran peralatan (Rp)"), required=False)
    materials_budget = RupiahField(label=_("Anggaran bahan (Rp)"), required=False)
    field_order = ["business_type", "business_plan", "requested_amount", "equipment_budget", "materials_budget"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["materials_budget"].help_text = _("Peralatan + bahan harus sama dengan nilai yang diajukan.")
        if self.scheme.equipment_percent is not None:
            self.fields["equipment_budget"].help_text = _("Pedoman skema: %(percent)d%% dari nilai yang diajukan.") % {
                "percent": self.scheme.equipment_percent
            }

    def clean(self) -> dict:
        cleaned = super().clean()
        # An empty budget is a draft not yet filled in: store it as zero.
        for name in ("equipment_budget", "materials_budget"):
            if name in cleaned and cleaned[name] is None:
                cleaned[name] = 0
        return cleaned


class PadatKaryaProposalForm(ProposalForm):
    work_site = forms.CharField(
        label=_("Lokasi pekerjaan"),
        max_length=300,
        required=False,
        help_text=_("Dusun/RT/RW, desa, dan nama fasilitas yang dibangun."),
    )
    work_plan = forms.CharField(
        label=_("Rencana kerja"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Apa yang dibangun, tahapannya, dan bahan yang dibutuhkan."),
    )
    planned_days = forms.IntegerField(label=_("Jumlah hari kerja"), min_value=1, required=False)
    workers_pekerja = forms.IntegerField(label=_("Jumlah pekerja"), min_value=0, max_value=999, required=False)
    workers_tukang = forms.IntegerField(label=_("Jumlah tukang"), min_value=0, max_value=999, required=False)
    workers_ketua = forms.IntegerField(label=_("Jumlah ketua"), min_value=0, max_value=99, required=False)
    field_order = [
        "work_site",
        "work_plan",
        "requested_amount",
        "planned_days",
        "workers_pekerja",
        "workers_tukang",
        "workers_ketua",
    ]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        scheme = self.scheme
        self.fields["planned_days"].max_value = scheme.duration_days
        self.fields["planned_days"].widget.attrs["max"] = scheme.duration_days
        self.fields["planned_days"].help_text = _("Paling banyak %(days)d hari.") % {"days": scheme.duration_days}
        for role in ("pekerja", "tukang", "ketua"):
            field = self.fields[f"workers_{role}"]
            field.help_text = _("Upah %(rate)s per HOK (8 jam kerja).") % {
                "rate": format_rupiah(getattr(scheme, f"wage_{role}"))
            }
            # The live wage summary reads the rate from here.
            field.widget.attrs["data-wage"] = getattr(scheme, f"wage_{role}")

    def clean(self) -> dict:
        cleaned = super().clean()
        for name in ("workers_pekerja", "workers_tukang", "workers_ketua"):
            if name in cleaned and cleaned[name] is None:
                cleaned[name] = 0
        return cleaned


def proposal_form_class(application: Application) -> type[ProposalForm]:
    return PadatKaryaProposalForm if application.scheme.is_padat_karya else TkmProposalForm


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Jenis dokumen"), choices=ApplicationDocument.Kind.choices)
    file = forms.FileField(
        label=_("Berkas"),
        widget=forms.FileInput(attrs={"accept": "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"}),
        error_messages={
            "required": _("Pilih berkas yang akan diunggah."),
            "empty": _("Berkas kosong. Pilih berkas yang berisi dokumen."),
            "invalid": _("Berkas tidak terbaca. Coba unggah ulang."),
        },
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("— pilih jenis dokumen —")), *ApplicationDocument.Kind.choices]
        self.fields["file"].help_text = _("PDF, JPG atau PNG, paling besar %(limit)s.") % {
            "limit": filesizeformat(document_max_bytes())
        }

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        upload_content_type(upload)  # the service checks again; here the refusal sits on the field
        return upload


# --- the whole application in one request -----------------------------------------------------------

COMPLETE_SUBMISSION_DOCUMENTS = ("proposal", "sk", "bank_book", "site_photo", "ktp")


def complete_submission_parse(payload: dict, files: dict) -> dict[str, object]:
    """The payload's parts through the same forms the step-by-step pages use: the arguments of
    ``services.application_submit_complete``, or ``{"errors": …}`` (plain strings, JSON-ready)."""
    errors: dict[str, object] = {}
    scheme = Scheme.objects.filter(pk=payload.get("scheme") if isinstance(payload.get("scheme"), int) else None)
    scheme = scheme.filter(year=group_services.programme_year()).first()
    if scheme is None:
        errors["scheme"] = [str(_("Skema tidak ditemukan atau tidak untuk tahun program ini."))]
    group_form = GroupProfileForm(data=_as_dict(payload.get("group")))
    if not group_form.is_valid():
        errors["group"] = group_form.errors.get_json_data()
    rows = payload.get("members") if isinstance(payload.get("members"), list) else []
    member_forms = [MemberForm(data=_as_dict(row)) for row in rows[:200]]
    member_errors = {str(i): form.errors.get_json_data() for i, form in enumerate(member_forms) if not form.is_valid()}
    if member_errors or not member_forms:
        errors["members"] = member_errors or [str(_("Daftar anggota kosong."))]
    proposal_form = None
    if scheme is not None:
        proposal_form = proposal_form_class(Application(scheme=scheme))(
            data=_as_dict(payload.get("proposal")), application=Application(scheme=scheme)
        )
        if not proposal_form.is_valid():
            errors["proposal"] = proposal_form.errors.get_json_data()
    documents = {kind: files[kind] for kind in COMPLETE_SUBMISSION_DOCUMENTS if kind in files}
    if errors:
        return {"errors": errors}
    return {
        "scheme": scheme,
        "group_fields": group_form.profile_fields(),
        "members": [form.member_fields() for form in member_forms],
        "proposal": proposal_form.cleaned_data,
        "documents": documents,
    }


def _as_dict(value: object) -> dict[str, object]:
    """A JSON object as form data (strings), anything else as no data at all."""
    if not isinstance(value, dict):
        return {}
    return {str(key): "" if item is None else str(item) for key, item in value.items()}


def _as_dict(value: object) -> dict[str, object]:
    """A JSON object as form data (strings), anything else as no data at all."""
    if not isinstance(value, dict):
        return {}
    return {str(key): "" if item is None else str(item) for key, item in value.items()}


# --- officer decisions in the admin -----------------------------------------------------------------


class DecisionNoteForm(forms.Form):
    """Verify or approve: an optional note for the record."""

    note = forms.CharField(label=_("Catatan (opsional)"), required=False, max_length=2000, widget=forms.Textarea)


class RevisionRequestForm(forms.Form):
    reason_codes = forms.MultipleChoiceField(
        label=_("Yang harus diperbaiki"),
        choices=RevisionReason.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Pilih sedikitnya satu alasan perbaikan.")},
    )
    note = forms.CharField(
        label=_("Catatan untuk kelompok"),
        max_length=2000,
        widget=forms.Textarea,
        help_text=_("Tulis dengan jelas apa yang harus diperbaiki; kelompok membaca catatan ini apa adanya."),
        error_messages={"required": _("Tuliskan apa yang harus diperbaiki kelompok.")},
    )


class RejectionForm(forms.Form):
    reason_code = forms.ChoiceField(
        label=_("Alasan penolakan"),
        choices=[("", "—"), *RejectionReason.choices],
        error_messages={"required": _("Pilih alasan penolakan.")},
    )
    note = forms.CharField(label=_("Catatan"), required=False, max_length=2000, widget=forms.Textarea)
