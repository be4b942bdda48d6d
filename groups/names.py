"""Normalising the names people type for themselves, their group and their village, so that the
integrity rules compare what was meant rather than how it was spelled ("Bpk. H. Ahmad, S.Pd" is
"ahmad"; "Desa Sukamaju" is "sukamaju")."""

import re
from difflib import SequenceMatcher

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
