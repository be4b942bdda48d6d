"""Normalising the names people type for themselves, their group and their village.

Two layers:
- what is stored: ``typed_text_clean`` drops what cannot be seen — zero-width spaces and joiners,
  direction marks, the byte-order mark, soft hyphens, control characters, blank "filler" letters —
  composes (NFC) and makes every kind of space one plain space: a name pasted from a chat app with a
  zero-width space in it is stored as what it shows. Bidi embeddings, overrides and isolates
  (U+202A–U+202E, U+2066–U+2069) are refused instead (``typed_text_refuse_bidi``): "\u202eriaM"
  shows as "Mair", so neither keeping nor dropping them stores what the person saw; they type it
  again. ``TypedTextField`` (models) and ``TypedTextFormField`` (forms without a model) are the one
  way a name or address is taken in: refused when validated (forms, services' ``full_clean``),
  cleaned on every write path (``save`` and ``bulk_create`` too, which drop what they cannot refuse);
- what is compared: the ``*_key`` functions, so that the integrity rules compare what was meant
  rather than how it was spelled ("Bpk. H. Ahmad, S.Pd" is "ahmad"; "Desa Sukamaju" is "sukamaju").
"""

import re
import unicodedata
from difflib import SequenceMatcher

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# Honorifics, religious titles and academic degrees written before or after a name. Compared after
# punctuation is removed, so "S.Pd" is "spd" and "H." is "h".
NAME_TITLES = frozenset(
    {
        "bpk", "bapak", "pak", "ibu", "bu", "ib", "sdr", "sdri", "saudara", "saudari", "tn", "ny", "nn",
        "h", "hj", "haji", "hajah", "hajjah", "kh", "ust", "ustad", "ustadz", "ustazah", "ir", "dr", "drs",
        "dra", "prof", "spd", "spdi", "sag", "sip", "se", "sh", "st", "skom", "sos", "ssos", "ssi", "sp",
        "skm", "skep", "sked", "mpd", "mm", "mh", "msi", "mt", "amd", "amk", "ama", "ba", "bsc", "ak",
    }
)  # fmt: skip
# Words that say "this is a group" rather than which group ("Kelompok Tani Makmur" is "tani makmur").
GROUP_WORDS = frozenset({"kelompok", "klp", "kel", "pokmas", "kube", "kub", "kelompokmasyarakat"})
# Words that say "this is a village" rather than which one.
VILLAGE_WORDS = frozenset({"desa", "ds", "kelurahan", "kel", "kampung", "kp", "nagari", "gampong"})

_NOT_WORD = re.compile(r"[^0-9a-z]+")

# Letters and marks that render as nothing (category Lo / Mn / So, so not caught by category):
# Hangul fillers, the combining grapheme joiner, the blank Braille pattern.
_BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u034f\u2800")
_SPACES = re.compile(r"\s+")
# Bidi embeddings (LRE, RLE), pop (PDF), overrides (LRO, RLO) and isolates (LRI, RLI, FSI, PDI).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
BIDI_REFUSED = _(
    "Teks ini berisi karakter tersembunyi yang membalik arah tulisan. Ketik ulang tanpa menyalin dari "
    "pesan atau dokumen lain."
)


def _is_invisible(character: str) -> bool:
    # Cf: format characters (U+200B-U+200F, U+202A-U+202E, U+2060-U+2069, U+FEFF, U+00AD, U+061C…);
    # Cc: control characters other than whitespace, which becomes a space below.
    category = unicodedata.category(character)
    return (category in ("Cf", "Cc") and not character.isspace()) or character in _BLANK_LOOKING


def typed_text_clean(text: str) -> str:
    """One line of typed text as it shows: NFC, invisible characters removed, any run of spaces
    (tabs, line breaks, no-break and ideographic spaces) one plain space, none at either end."""
    composed = unicodedata.normalize("NFC", text)
    visible = "".join(character for character in composed if not _is_invisible(character))
    return _SPACES.sub(" ", visible).strip()


def typed_text_refuse_bidi(text: str) -> None:
    """Refuse text holding a bidi embedding, override or isolate (see the module's docstring)."""
    if any(character in BIDI_CONTROLS for character in text):
        raise ValidationError(BIDI_REFUSED, code="bidi_control")


class TypedTextFormField(forms.CharField):
    """A form field for a name or address people type: bidi controls refused, the rest cleaned as it
    will be stored (so a name of only zero-width spaces is "required", and the length is checked on
    what is kept). The form field of every ``TypedTextField``."""

    def to_python(self, value: object) -> object:
        value = super().to_python(value)
        if isinstance(value, str):
            typed_text_refuse_bidi(value)
            value = typed_text_clean(value)
        return value


class TypedTextField(models.CharField):
    """A CharField for names and addresses people type, stored through ``typed_text_clean``.

    ``clean`` (a form's or a service's ``full_clean``) refuses bidi controls; ``to_python`` cleans it
    when a form or service validates the model (so a name of only zero-width spaces is refused as
    empty, and the length is checked on what is kept) and, through
    CharField's ``get_prep_value``, in ``QuerySet.update()`` and lookups (which thus compare with what
    is stored); ``pre_save`` when it is saved, by ``save()`` or ``bulk_create()``. Only raw SQL and
    COPY (the demo loader) bypass it. Deconstructs as a plain CharField: the column is the same, so
    no migration."""

    def clean(self, value: object, model_instance: models.Model | None) -> object:
        if isinstance(value, str):
            typed_text_refuse_bidi(value)
        return super().clean(value, model_instance)

    def to_python(self, value: object) -> object:
        value = super().to_python(value)
        return typed_text_clean(value) if isinstance(value, str) else value

    def formfield(self, **kwargs: object) -> forms.Field:
        return super().formfield(**{"form_class": TypedTextFormField, **kwargs})

    def pre_save(self, model_instance: models.Model, add: bool) -> object:
        value = super().pre_save(model_instance, add)
        if isinstance(value, str):
            value = typed_text_clean(value)
            setattr(model_instance, self.attname, value)
        return value

    def deconstruct(self) -> tuple:
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs


def _tokens(text: str) -> list[str]:
    # Dots and apostrophes join ("S.Pd" → "spd", "Ma'ruf" → "maruf"); other punctuation separates.
    joined = re.sub(r"[.'`’]", "", text.casefold())
    return [token for token in _NOT_WORD.split(joined) if token]


def person_name_key(name: str) -> str:
    """A person's name without case, punctuation or titles: "Bpk. H. Ahmad, S.Pd" → "ahmad"."""
    return " ".join(token for token in _tokens(name) if token not in NAME_TITLES)


def group_name_key(name: str) -> str:
    """A group's name without the words that only say it is a group."""
    return " ".join(token for token in _tokens(name) if token not in GROUP_WORDS and token not in NAME_TITLES)


def village_key(village: str) -> str:
    """A village name without case, punctuation or "Desa"/"Kelurahan": "Ds. Suka-Maju" → "suka maju"."""
    return " ".join(token for token in _tokens(village) if token not in VILLAGE_WORDS)


def address_key(address: str) -> str:
    """An address without case, spacing or punctuation: "Jl. Merdeka No.1" == "JL MERDEKA NO 1"."""
    return " ".join(token for token in _NOT_WORD.split(address.casefold()) if token)


def name_similarity(first: str, second: str) -> float:
    """How alike two normalised names are, 0–1: the better of a character sequence ratio (typos) and
    the same on sorted words (word order); a name wholly contained in the other counts as alike
    (a one-word KTP name against the same person's full name)."""
    if not first or not second:
        return 0.0
    first_words, second_words = first.split(), second.split()
    if set(first_words) <= set(second_words) or set(second_words) <= set(first_words):
        return 1.0
    in_order = SequenceMatcher(None, first, second).ratio()
    sorted_words = SequenceMatcher(None, " ".join(sorted(first_words)), " ".join(sorted(second_words))).ratio()
    return max(in_order, sorted_words)


def mask_person_name(name: str) -> str:
    """A person's name as a public page may show it: the first letter of each word, the rest hidden,
    word lengths kept ("Siti Aminah" → "S*** A*****"). THE one place a name is masked for the public;
    a name of only blanks or punctuation becomes "***"."""
    words = [word for word in typed_text_clean(name).split(" ") if word]
    masked = " ".join(word[0] + "*" * (len(word) - 1) for word in words)
    return masked or "***"
