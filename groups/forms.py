"""Forms of the group side of the portal. They parse and validate input; services save it."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.services import phone_normalise
from groups.models import Bank, Group, Member
from groups.nik import check_nik, compare_with_person, normalize_nik
from regions.models import Province, Regency
from regions.services import known_nik_prefixes

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# A date input sends ISO dates; people typing by hand write day first. ISO goes first, because each
# format tried and failed costs a strptime call (a 20-member list parses 20 dates).
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y"]


class NameChoiceField(forms.ModelChoiceField):
    """Shows a region or bank by its name alone: people know "Jawa Barat", not "32"."""

    def label_from_instance(self, obj: object) -> str:
        return obj.name


class GroupProfileForm(forms.ModelForm):
    """The group's profile. Province → regency is a dependent select that works without JavaScript:
    the regency list is filtered by the province sent with the form (and JS refreshes it live)."""

    province = NameChoiceField(
        label=_("Provinsi"), queryset=Province.objects.current(), empty_label=_("— pilih provinsi —")
    )

    class Meta:
        model = Group
        fields = [
            "name",
            "province",
            "regency",
            "village",
            "address",
            "phone",
            "sk_number",
            "sk_date",
            "bank",
            "account_number",
            "account_holder",
        ]
        field_classes = {"regency": NameChoiceField, "bank": NameChoiceField}
        widgets = {
            "sk_date": DATE_INPUT,
            "address": forms.Textarea(attrs={"rows": 2}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
            "account_number": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for name in ("name", "regency", "village", "address", "phone", "bank", "account_number", "account_holder"):
            self.fields[name].required = True
        self.fields["sk_date"].input_formats = DATE_INPUT_FORMATS
        self.fields["bank"].queryset = Bank.objects.filter(is_active=True)
        self.fields["bank"].empty_label = _("— pilih bank —")
        self.fields["regency"].empty_label = _("— pilih kabupaten/kota —")
        province_code = self._chosen_province()
        if province_code is None and self.instance.pk:
            province_code = self.instance.regency.province_id
            self.initial["province"] = province_code
        self.fields["regency"].queryset = Regency.objects.current().filter(province_id=province_code or "")

    def _chosen_province(self) -> str | None:
        value = self.data.get(self.add_prefix("province")) if self.is_bound else None
        # Only a two-digit code reaches the database (PostgreSQL refuses a NUL byte outright).
        if not isinstance(value, str) or not re.fullmatch(r"[0-9]{2}", value):
            return None
        return value if Province.objects.filter(pk=value).exists() else None

    def clean_phone(self) -> str:
        return phone_normalise(raw=self.cleaned_data["phone"])

    def clean_account_number(self) -> str:
        return re.sub(r"[\s\-.]", "", self.cleaned_data["account_number"])

    def clean(self) -> dict:
        cleaned = super().clean()
        regency, province = cleaned.get("regency"), cleaned.get("province")
        if regency and province and regency.province_id != province.pk:
            self.add_error("regency", _("Kabupaten/kota tidak berada di provinsi yang dipilih."))
        return cleaned

    def profile_fields(self) -> dict[str, object]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name != "province"}


class MemberForm(forms.ModelForm):
    """One member. The NIK is the authority on sex and birth date: a mismatch is refused unless the
    ketua confirms they checked the KTP (officers then see it as a warning flag)."""

    confirm_mismatch = forms.BooleanField(
        label=_("Saya sudah memeriksa KTP: data ini benar walau berbeda dengan NIK."), required=False
    )

    class Meta:
        model = Member
        fields = ["nik", "name", "sex", "birth_date", "role", "employment_status", "has_disability", "phone"]
        widgets = {
            "nik": forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": 22, "data-nik": "1"}
            ),
            "birth_date": DATE_INPUT,
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["birth_date"].input_formats = DATE_INPUT_FORMATS
        self.fields["nik"].max_length = 22  # people type spaces and dots; normalised below
        self.fields["nik"].validators = []
        self.fields["name"].widget.attrs["autocomplete"] = "off"

    def clean_nik(self) -> str:
        check = check_nik(self.cleaned_data["nik"], known_prefixes=known_nik_prefixes())
        if not check.is_valid:
            raise forms.ValidationError(check.errors)
        return check.nik

    def clean_phone(self) -> str:
        phone = self.cleaned_data.get("phone", "")
        return phone_normalise(raw=phone) if phone else ""

    def clean(self) -> dict:
        cleaned = super().clean()
        nik = cleaned.get("nik")
        if nik and not cleaned.get("confirm_mismatch"):
            check = check_nik(nik)
            mismatches = compare_with_person(check, sex=cleaned.get("sex"), birth_date=cleaned.get("birth_date"))
            for field, message in mismatches.items():
                self.add_error(field, message)
        return cleaned

    def _post_clean(self) -> None:
        # Uniqueness and the year are the service's job (it knows the group); skip the model's own
        # constraint validation here so a half-filled form does not run database look-ups.
        self.instance.nik = normalize_nik(self.cleaned_data.get("nik", self.instance.nik))

    def member_fields(self) -> dict[str, object]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class BaseMemberFormSet(forms.BaseModelFormSet):
    """The whole member list at once: refuses the same NIK twice and two officers of one role."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        seen_niks: set[str] = set()
        officers: dict[str, int] = {}
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            nik, role = form.cleaned_data.get("nik"), form.cleaned_data.get("role")
            if nik in seen_niks:
                form.add_error("nik", _("NIK ini sudah diisi pada baris lain."))
            seen_niks.add(nik)
            if role in Member.OFFICER_ROLES:
                officers[role] = officers.get(role, 0) + 1
                if officers[role] > 1:
                    form.add_error("role", _("Hanya boleh satu %(role)s.") % {"role": Member.Role(role).label.lower()})


def member_formset_class(*, blank_rows: int = 0) -> type[BaseMemberFormSet]:
    """The member list formset, with ``blank_rows`` empty rows to fill in."""
    return forms.modelformset_factory(
        Member,
        form=MemberForm,
        formset=BaseMemberFormSet,
        extra=blank_rows,
        can_delete=True,
        max_num=100,
        absolute_max=100,
        validate_max=True,
    )
