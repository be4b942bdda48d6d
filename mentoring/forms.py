import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentoring.models import ChecklistItem

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PROBLEM_ROWS = 3
PHOTO_ROWS = 3
YES_NO = [("", "—"), ("ya", _("Ya")), ("tidak", _("Tidak"))]


class VisitForm(forms.Form):
    """A done visit: date, the programme's checklist (data), notes, up to three problems each with a
    follow-up date, up to three photos. ``token`` makes a repeated submit count once."""

    token = forms.UUIDField(widget=forms.HiddenInput)
    done_on = forms.DateField(label=_("Tanggal kunjungan"), widget=DATE_INPUT)
    notes = forms.CharField(label=_("Catatan"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: object, items: list[ChecklistItem], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        self.fields["done_on"].initial = timezone.localdate()
        for item in items:
            name = f"check_{item.code}"
            if item.kind == ChecklistItem.Kind.YES_NO:
                field = forms.ChoiceField(choices=YES_NO)
            elif item.kind == ChecklistItem.Kind.CHOICE:
                field = forms.ChoiceField(choices=[("", "—"), *item.choices()])
            else:
                field = forms.CharField(max_length=500)
            field.label, field.required = item.label, item.required
            self.fields[name] = field
        for n in range(1, PROBLEM_ROWS + 1):
            self.fields[f"problem_{n}"] = forms.CharField(
                label=_("Masalah %(n)d") % {"n": n}, required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"follow_up_{n}"] = forms.DateField(
                label=_("Tindak lanjut masalah %(n)d") % {"n": n}, required=False, widget=DATE_INPUT
            )
        for n in range(1, PHOTO_ROWS + 1):
            self.fields[f"photo_{n}"] = forms.FileField(
                label=_("Foto %(n)d") % {"n": n},
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png", "capture": "environment"}),
            )

    def clean(self) -> dict:
        data = super().clean()
        for n in range(1, PROBLEM_ROWS + 1):
            text, date = data.get(f"problem_{n}"), data.get(f"follow_up_{n}")
            if text and not date:
                self.add_error(f"follow_up_{n}", _("Isi tanggal tindak lanjut untuk masalah ini."))
            if date and not text:
                self.add_error(f"problem_{n}", _("Tuliskan masalah yang ditindaklanjuti."))
        return data

    def checklist_fields(self) -> list[forms.BoundField]:
        return [self[f"check_{item.code}"] for item in self.items]

    def problem_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"problem_{n}"], self[f"follow_up_{n}"]) for n in range(1, PROBLEM_ROWS + 1)]

    def photo_fields(self) -> list[forms.BoundField]:
        return [self[f"photo_{n}"] for n in range(1, PHOTO_ROWS + 1)]

    def checklist(self) -> dict[str, str]:
        return {item.code: self.cleaned_data.get(f"check_{item.code}") or "" for item in self.items}

    def problems(self) -> list[tuple[str, datetime.date]]:
        rows = []
        for n in range(1, PROBLEM_ROWS + 1):
            text, date = self.cleaned_data.get(f"problem_{n}"), self.cleaned_data.get(f"follow_up_{n}")
            if text and date:
                rows.append((text, date))
        return rows

    def photos(self) -> list:
        return [
            self.cleaned_data[f"photo_{n}"] for n in range(1, PHOTO_ROWS + 1) if self.cleaned_data.get(f"photo_{n}")
        ]


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("Penyelesaian"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
