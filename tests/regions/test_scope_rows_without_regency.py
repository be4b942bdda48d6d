"""Rows that belong to a whole province (e.g. a payment batch) under a regency-only scope."""

from regions.scope import RegionScope


def _scope(provinces: set[str], regencies: set[str]) -> RegionScope:
    return RegionScope(national=False, province_codes=frozenset(provinces), regency_codes=frozenset(regencies))


def test_a_regency_only_officer_sees_no_row_that_has_no_regency():
    assert str(_scope(set(), {"32.04"}).q(province="province", regency=None)) == str(
        _scope(set(), set()).q(province="province", regency=None)
    )


def test_a_province_officer_sees_the_rows_of_that_province():
    condition = _scope({"32"}, {"33.74"}).q(province="province", regency=None)
    assert "province__in" in str(condition) and "33.74" not in str(condition)
