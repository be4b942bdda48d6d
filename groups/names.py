"""Normalising the names people type for themselves, their group and their village.

Two layers:
- what is stored: ``typed_text_clean`` drops what cannot be seen — zero-width spaces and joiners,
  bidi embeddings / overrides / isolates, the byte-order mark, soft hyphens, control characters,
  blank "filler" letters — and makes every kind of space one plain space. A name pasted from a chat
  app with a zero-width space in it, or one written right-to-left with U+202E to look like another,
  is stored as what it shows. ``TypedTextField`` applies it to a model field on every write path
  (forms, services' ``full_clean``, ``save`` and ``bulk_create``);
- what is compared: the ``*_key`` functions, so that the integrity rules compare what was meant
  rather than how it was spelled ("Bpk. H. Ahmad, S.Pd" is "ahmad"; "Desa Sukamaju" is "sukamaju").
"""

import re
import unicodedata
from difflib import SequenceMatcher

from django.db import models

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


class TypedTextField(models.CharField):
    """A CharField for names and addresses people type, stored through ``typed_text_clean``.

    ``to_python`` cleans it when a form or service validates the model (so a name of only
    zero-width spaces is refused as empty, and the length is checked on what is kept) and, through
    CharField's ``get_prep_value``, in ``QuerySet.update()`` and lookups (which thus compare with what
    is stored); ``pre_save`` when it is saved, by ``save()`` or ``bulk_create()``. Only raw SQL and
    COPY (the demo loader) bypass it. Deconstructs as a plain CharField: the column is the same, so
    no migration."""

    def to_python(self, value: object) -> object:
        value = super().to_python(value)
        return typed_text_clean(value) if isinstance(value, str) else value

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
