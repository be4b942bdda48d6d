from django import forms
from django.contrib.auth.base_user import AbstractBaseUser
from django.utils.translation import gettext_lazy as _

from applications.models import Application, Programme
from groups.models import Member
from regions.models import Province
from regions.scope import scope_filter
from training.models import Mode, TrainingEvent


class RegistrationForm(forms.Form):
    """One choice per member of the group: not coming, or how they take part."""

    def __init__(self, *args: object, event: TrainingEvent, members: list[Member], current: dict[int, str], **kw):
        super().__init__(*args, **kw)
        choices = [("", _("Tidak ikut")), *[(mode, Mode(mode).label) for mode in event.modes()]]
        self.members = members
        for member in members:
            self.fields[f"mode_{member.pk}"] = forms.ChoiceField(
                label=member.name, choices=choices, required=False, initial=current.get(member.pk, "")
            )

    def choices(self) -> dict[int, str | None]:
        return {m.pk: self.cleaned_data.get(f"mode_{m.pk}") or None for m in self.members}

    def rows(self) -> list[tuple[Member, forms.BoundField]]:
        return [(member, self[f"mode_{member.pk}"]) for member in self.members]


class CheckinForm(forms.Form):
    code = forms.CharField(label=_("Kode hadir"), max_length=12, help_text=_("Enam huruf/angka dari panitia."))
    nik = forms.CharField(label=_("NIK"), max_length=24, help_text=_("16 angka sesuai KTP."))
    mode = forms.ChoiceField(
        label=_("Cara ikut"),
        choices=[("", _("Sesuai pendaftaran")), *Mode.choices],
        required=False,
    )


class InviteForm(forms.Form):
    provinces = forms.ModelMultipleChoiceField(
        label=_("Provinsi"), queryset=Province.objects.none(), required=False, help_text=_("Kosong: semua.")
    )
    programmes = forms.MultipleChoiceField(
        label=_("Program"), choices=Programme.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    statuses = forms.MultipleChoiceField(
        label=_("Status pengajuan"),
        choices=[(s.value, s.label) for s in Application.Status if s not in Application.CLOSED],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: object, user: AbstractBaseUser, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Groups outside the inviter's scope are never invited anyway (services.groups_matching).
        self.fields["provinces"].queryset = scope_filter(Province.objects.all(), user, province="code", regency=None)


class AttendanceImportForm(forms.Form):
    file = forms.FileField(
        label=_("Berkas daftar hadir (CSV atau XLSX)"),
        help_text=_(
            "Kolom: nik, tanggal (TTTT-BB-HH), cara_ikut (luring/daring), sesi (opsional, nomor sesi hari itu)."
        ),
    )
