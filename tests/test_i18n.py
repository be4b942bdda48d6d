"""Bahasa Indonesia is the source language; English comes from locale/en. These tests check that the
English catalogue is complete and compiled, and that the portal really switches language."""

import gettext
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from applications.models import Application, Flag
from groups.models import Member
from groups.nik import check_nik

EN_DIR = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
EN_PO = EN_DIR / "django.po"
EN_MO = EN_DIR / "django.mo"

# A NIK of the right shape (prefix 320101, born 12-03-90, serial 0001), for messages about its parts.
WELL_FORMED_NIK = "3201011203900001"


@pytest.fixture(autouse=True)
def _default_language():
    """Start and end each test with no language activated, as a fresh request thread would."""
    translation.deactivate()
    yield
    translation.deactivate()


# --- A small .po reader (no polib dependency) ----------------------------------------------------

_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
# Python %-format placeholders: %(name)s, %(count)d, %s, %d, %.2f and %% (an escaped percent sign).
_PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[#0 +-]*(?:\d+|\*)?(?:\.\d+)?[sdifrxXeEgGc%]")


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), text)


def read_po(path: Path) -> list[dict]:
    """Entries of a .po file as dicts: msgctxt, msgid, msgid_plural, msgstr (list), flags, obsolete."""
    entries: list[dict] = []
    entry: dict = {}
    key = None

    def finish() -> None:
        if "msgid" in entry:
            entries.append(entry.copy())
        entry.clear()

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#~"):
            continue  # obsolete entry: gettext ignores it
        if line.startswith("#,"):
            if "msgstr" in entry:
                finish()
            entry.setdefault("flags", set()).update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            if "msgstr" in entry:
                finish()
            continue
        match = re.match(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")$", line)
        if match:
            keyword = match.group(1)
            if keyword in ("msgctxt", "msgid") and "msgstr" in entry:
                finish()
            key = "msgstr" if keyword.startswith("msgstr") else keyword
            value = _unescape("".join(_STRING.findall(match.group(3))))
            if key == "msgstr":
                entry.setdefault("msgstr", []).append(value)
            else:
                entry[key] = value
            continue
        if line.startswith('"') and key:
            value = _unescape("".join(_STRING.findall(line)))
            if key == "msgstr":
                entry["msgstr"][-1] += value
            else:
                entry[key] += value
            continue
        raise AssertionError(f"{path}: cannot parse line {raw!r}")
    finish()
    for item in entries:
        item.setdefault("flags", set())
    return entries


def placeholders(text: str) -> list[str]:
    return sorted(match.group(0) for match in _PLACEHOLDER.finditer(text))


def en_messages() -> list[dict]:
    return [entry for entry in read_po(EN_PO) if entry["msgid"]]


# --- (a) Our own strings switch language ---------------------------------------------------------


def test_model_names_and_choices_are_indonesian_by_default():
    assert translation.get_language() == settings.LANGUAGE_CODE == "id"
    assert str(Application._meta.verbose_name) == "pengajuan"
    assert str(Application._meta.get_field("reference").verbose_name) == "nomor pendaftaran"
    assert str(Member._meta.get_field("birth_date").verbose_name) == "tanggal lahir"
    assert Application.Status.REVISION_REQUESTED.label == "Perlu perbaikan"
    assert Flag.Severity.BLOCK.label == "Blokir"


def test_model_names_and_choices_are_english_under_en():
    with translation.override("en"):
        assert str(Application._meta.verbose_name) == "application"
        assert str(Application._meta.get_field("reference").verbose_name) == "registration number"
        assert str(Member._meta.get_field("birth_date").verbose_name) == "date of birth"
        assert Application.Status.REVISION_REQUESTED.label == "Revision requested"
        assert Flag.Severity.BLOCK.label == "Block"


def test_nik_messages_follow_the_active_language():
    assert check_nik("123").errors == ["NIK harus terdiri dari 16 angka."]
    with translation.override("en"):
        assert check_nik("123").errors == ["The NIK must be 16 digits."]
        # A message with a placeholder: the English catalogue must keep %(prefix)s.
        assert check_nik(WELL_FORMED_NIK, known_prefixes=frozenset()).errors == [
            "District code 320101 in the NIK is not recognised."
        ]
    assert check_nik(WELL_FORMED_NIK, known_prefixes=frozenset()).errors == [
        "Kode kecamatan 320101 pada NIK tidak dikenal."
    ]


# --- (b) The English catalogue is complete -------------------------------------------------------


def test_english_catalogue_has_messages():
    # Guards the checks below against passing vacuously on an empty or unparsed file.
    assert len(en_messages()) > 100


def test_every_english_message_is_translated():
    missing = [entry["msgid"] for entry in en_messages() if not all(entry.get("msgstr", [""]))]
    assert missing == [], f"untranslated in {EN_PO.name}: {missing}"


def test_no_message_was_cut_short_by_an_escaped_quote():
    """makemessages does not understand {% translate "... \\"quoted\\" ..." %}: it extracts the text
    up to the backslash, while the page looks up the whole sentence, which then is never translated.
    Use “typographic” quotes or a single-quoted template string instead."""
    cut = [entry["msgid"] for entry in en_messages() if entry["msgid"].endswith("\\")]
    assert cut == []


def test_no_english_message_is_fuzzy():
    # msgfmt leaves fuzzy entries out of the .mo, so they would show in Indonesian.
    fuzzy = [entry["msgid"] for entry in read_po(EN_PO) if "fuzzy" in entry["flags"]]
    assert fuzzy == []


def test_english_messages_keep_every_placeholder():
    wrong = []
    for entry in en_messages():
        for index, msgstr in enumerate(entry["msgstr"]):
            source = entry.get("msgid_plural", entry["msgid"]) if index else entry["msgid"]
            if placeholders(msgstr) != placeholders(source):
                wrong.append((entry["msgid"], msgstr))
    assert wrong == []


def test_placeholder_check_can_fail():
    assert placeholders("Kelompok harus punya tepat satu %(role)s.") == ["%(role)s"]
    assert placeholders("A group must have exactly one role.") != placeholders("satu %(role)s")
    assert placeholders("porsi peralatan (%)") == []


# --- (c) The admin follows the language cookie ---------------------------------------------------


@pytest.mark.django_db
def test_admin_login_is_indonesian_by_default(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="id"' in html
    assert "Nama pengguna" in html
    assert 'value="Masuk"' in html
    assert "Portal JPS Kemnaker" in html
    assert "Username" not in html


@pytest.mark.django_db
def test_admin_login_is_english_with_the_language_cookie(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/admin/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en"' in html
    assert "Username" in html
    assert 'value="Log in"' in html
    assert "Kemnaker JPS Portal" in html
    assert "Nama pengguna" not in html


@pytest.mark.django_db
def test_the_language_switch_sets_the_cookie(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/admin/login/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Username" in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_admin_index_uses_our_english_titles(admin_client):
    assert "Tugas saya" in admin_client.get("/admin/").content.decode()
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = admin_client.get("/admin/").content.decode()
    assert "My tasks" in html
    assert "Tugas saya" not in html


# --- (d) The committed .mo matches the .po --------------------------------------------------------


def _catalog(mo_path: Path) -> dict:
    with mo_path.open("rb") as handle:
        catalog = dict(gettext.GNUTranslations(handle)._catalog)
    catalog.pop("", None)  # the header: dates and tool versions may differ
    return catalog


def test_committed_mo_holds_every_po_translation():
    """Needs no gettext tools: the .mo must carry exactly the .po's translations."""
    assert EN_MO.exists(), "run: python manage.py compilemessages -l en --ignore=.venv"
    expected = {}
    for entry in en_messages():
        if "fuzzy" in entry["flags"] or not all(entry.get("msgstr", [""])):
            continue
        key = entry["msgid"] if "msgctxt" not in entry else f"{entry['msgctxt']}\x04{entry['msgid']}"
        if "msgid_plural" in entry:
            expected.update({(key, index): msgstr for index, msgstr in enumerate(entry["msgstr"])})
        else:
            expected[key] = entry["msgstr"][0]
    assert _catalog(EN_MO) == expected, "locale/en .mo is stale: recompile with compilemessages"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext (msgfmt) is not installed")
def test_compiling_the_po_again_gives_the_committed_catalog(tmp_path, monkeypatch):
    copy_dir = tmp_path / "locale" / "en" / "LC_MESSAGES"
    copy_dir.mkdir(parents=True)
    shutil.copy2(EN_PO, copy_dir / "django.po")
    # compilemessages walks the current directory and LOCALE_PATHS: point both at the copy only,
    # so the test never writes into the repository or the virtualenv.
    monkeypatch.chdir(tmp_path)
    with override_settings(LOCALE_PATHS=[]):
        call_command("compilemessages", locale=["en"], verbosity=0)
    assert _catalog(copy_dir / "django.mo") == _catalog(EN_MO)
