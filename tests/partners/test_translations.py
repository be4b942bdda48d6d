"""Installing Django REST framework must not change a word of the portal's Indonesian: DRF's catalogue
outranks Django's own for every message both translate, so locale/id restores Django's wording."""

import gettext
from pathlib import Path

import django
import rest_framework
from django.utils import translation


def _catalogue(package: object, language: str) -> dict[str, str]:
    path = Path(package.__file__).parent / ("conf/locale" if package is django else "locale")
    mo = path / language / "LC_MESSAGES" / "django.mo"
    return {k: v for k, v in gettext.GNUTranslations(mo.open("rb"))._catalog.items() if isinstance(k, str) and k}


def test_django_messages_keep_djangos_wording_with_drf_installed():
    language = "id"  # English needs no guard: Django's English is its msgids, and DRF's too
    djangos = _catalogue(django, language)
    shared = sorted(set(_catalogue(rest_framework, language)) & set(djangos))
    assert "This field is required." in shared  # the test looks at the right catalogues
    with translation.override(language):
        assert {msgid: translation.gettext(msgid) for msgid in shared} == {msgid: djangos[msgid] for msgid in shared}


def test_a_required_field_says_so_in_djangos_indonesian():
    from django import forms

    class Form(forms.Form):
        name = forms.CharField()

    with translation.override("id"):
        assert Form({}).errors["name"] == ["Bidang ini tidak boleh kosong."]
