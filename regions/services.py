"""Reads over the region reference data used on hot paths (NIK checks, pickers)."""

from functools import lru_cache

from regions.models import District


@lru_cache(maxsize=1)
def known_nik_prefixes() -> frozenset[str]:
    """Six-digit district prefixes of either edition. A NIK keeps the code of the place where it
    was first issued, so a prefix retired in 2022 is still a valid prefix."""
    return frozenset(code.replace(".", "") for code in District.objects.values_list("code", flat=True))
