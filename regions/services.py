"""Reads over the region reference data used on hot paths (NIK checks, pickers)."""

import csv
from functools import lru_cache
from pathlib import Path

from regions.models import District

DATA_DIR = Path(__file__).resolve().parent / "data"


@lru_cache(maxsize=1)
def known_nik_prefixes() -> frozenset[str]:
    """Six-digit district prefixes of either edition. A NIK keeps the code of the place where it
    was first issued, so a prefix retired in 2022 is still a valid prefix."""
    return frozenset(code.replace(".", "") for code in District.objects.values_list("code", flat=True))


def read_region_rows(edition: str) -> list[dict[str, str]]:
    """Rows of the shipped CSV for ``edition`` (``2020`` or ``current``)."""
    with open(DATA_DIR / f"regions_{edition}.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def read_recode_rows() -> list[dict[str, str]]:
    with open(DATA_DIR / "papua_recode_2022.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))
