"""Forms of the group side of the portal. They parse and validate input; services save it."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.services import phone_normalise
from groups.accounts import account_number_normalise
from groups.models import Bank, Group, Member
from groups.nik import NIK_TYPED_MAX_LENGTH, check_nik, compare_with_person, normalize_nik
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
        return account_number_normalise(self.cleaned_data["account_number"])

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
    ketua confirms they checked the KTP (officers then see it as a warning flag).

    Sex and birth date are *derived* from the NIK unless the ketua typed them: left empty, or
    filled by the page's script (listed in the hidden ``derived`` field). Derived values are set
    again from the NIK on every bound render, so correcting a NIK after a failed save never keeps
    the old NIK's values, and the mismatch confirmation only ever covers what the ketua typed."""

    DERIVED_FIELDS = ("sex", "birth_date")

    confirm_mismatch = forms.BooleanField(
        label=_("Saya sudah memeriksa KTP: data ini benar walau berbeda dengan NIK."), required=False
    )
    derived = forms.CharField(widget=forms.HiddenInput(attrs={"data-derived": "1"}), required=False)

    class Meta:
        model = Member
        fields = ["nik", "name", "sex", "birth_date", "role", "employment_status", "has_disability", "phone"]
        widgets = {
            "nik": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "data-nik": "1"}),
            "birth_date": DATE_INPUT,
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["birth_date"].input_formats = DATE_INPUT_FORMATS
        # People type spaces and dots; normalised in clean_nik. The model field's max_length (16)
        # would otherwise become the input's maxlength and cut "3205 0452 0385 0001" at 13 digits.
        self.fields["nik"].max_length = NIK_TYPED_MAX_LENGTH
        self.fields["nik"].widget.attrs["maxlength"] = str(NIK_TYPED_MAX_LENGTH)
        self.fields["nik"].validators = []
        self.fields["name"].widget.attrs["autocomplete"] = "off"
        for name in self.DERIVED_FIELDS:
            self.fields[name].required = False  # empty means "from the NIK"
            self.fields[name].filled_from_nik = True  # so the label does not call it optional
        if self.is_bound:
            self._follow_nik()
        elif self.instance.pk:
            self.initial["derived"] = " ".join(self._matching_nik(self.instance))

    @staticmethod
    def _matching_nik(member: Member) -> list[str]:
        """The saved member's fields that say what its NIK says (they keep following it)."""
        check = check_nik(member.nik)
        same = {"sex": check.sex == member.sex, "birth_date": check.birth_date == member.birth_date}
        return [name for name in MemberForm.DERIVED_FIELDS if check.is_valid and same[name]]

    def derived_fields(self) -> set[str]:
        """The fields that take their value from the NIK in this submission."""
        listed = set(str(self.data.get(self.add_prefix("derived"), "")).split())
        empty = {name for name in self.DERIVED_FIELDS if not self.data.get(self.add_prefix(name))}
        return (listed & set(self.DERIVED_FIELDS)) | empty

    def _follow_nik(self) -> None:
        raw_nik = self.data.get(self.add_prefix("nik"))
        if not raw_nik or not isinstance(raw_nik, str):
            return  # an empty row stays empty (and unchanged)
        derived = self.derived_fields()
        check = check_nik(raw_nik[:NIK_TYPED_MAX_LENGTH])
        values = {"sex": check.sex, "birth_date": check.birth_date.isoformat() if check.birth_date else ""}
        data = self.data.copy()
        for name in derived:
            # A NIK that no longer reads leaves nothing behind: never the previous NIK's values.
            data[self.add_prefix(name)] = values[name] if check.is_valid else ""
        data[self.add_prefix("derived")] = " ".join(sorted(derived))
        self.data = data

    def has_changed(self) -> bool:
        # The script's bookkeeping is not something the ketua typed: a blank row stays blank.
        return bool(set(self.changed_data) - {"derived", "confirm_mismatch"})

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
        if not nik:
            return cleaned  # the NIK's own error says it; derived fields wait for a NIK that reads
        # Only what the ketua typed can disagree with the NIK (an empty field counts as derived).
        typed = {name: cleaned.get(name) for name in self.DERIVED_FIELDS if name not in self.derived_fields()}
        if not cleaned.get("confirm_mismatch"):
            mismatches = compare_with_person(check_nik(nik), sex=typed.get("sex"), birth_date=typed.get("birth_date"))
            for field, message in mismatches.items():
                self.add_error(field, message)
        return cleaned

    def _post_clean(self) -> None:
        # Uniqueness and the year are the service's job (it knows the group); skip the model's own
        # constraint validation here so a half-filled form does not run database look-ups.
        self.instance.nik = normalize_nik(self.cleaned_data.get("nik", self.instance.nik))

    def member_fields(self) -> dict[str, object]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def row_label(self) -> str:
        """The name typed in this row, for summaries and messages that name a row."""
        value = self["name"].value()
        return value.strip() if isinstance(value, str) else ""


class BaseMemberFormSet(forms.BaseModelFormSet):
    """The whole member list at once: refuses the same NIK twice (naming the other row) and two
    officers of one role."""

    def clean(self) -> None:
        super().clean()
        # Checked even when some rows have errors of their own: the ketua hears of every problem in
        # one save, not one more after each correction.
        seen_niks: dict[str, int] = {}
        officers: dict[str, int] = {}
        for index, form in enumerate(self.forms):
            if not form.has_changed() and not form.instance.pk:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            cleaned = getattr(form, "cleaned_data", {})
            nik, role = cleaned.get("nik"), cleaned.get("role")
            if not nik:
                pass
            elif nik in seen_niks:
                first = seen_niks[nik]
                form.add_error("nik", duplicate_row_message(first + 1, self.forms[first].row_label()))
            else:
                seen_niks[nik] = index
            if role in Member.OFFICER_ROLES:
                officers[role] = officers.get(role, 0) + 1
                if officers[role] > 1:
                    form.add_error("role", _("Hanya boleh satu %(role)s.") % {"role": Member.Role(role).label.lower()})


def duplicate_row_message(row: int, name: str) -> str:
    """ "NIK ini sama dengan baris 7 (Nama)": the other row, as the page numbers it."""
    if name:
        return _("NIK ini sama dengan baris %(row)d (%(name)s).") % {"row": row, "name": name}
    return _("NIK ini sama dengan baris %(row)d.") % {"row": row}


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
