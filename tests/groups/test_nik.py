import datetime

import pytest

from groups.nik import check_nik, compare_with_person, mask_nik, nik_date_part, normalize_nik
from regions.services import known_nik_prefixes

TODAY = datetime.date(2020, 10, 3)
PREFIXES = frozenset({"320412", "910101", "930101"})


def test_it_accepts_a_mans_nik_and_reads_his_birth_date():
    check = check_nik("3204121705900001", known_prefixes=PREFIXES, today=TODAY)
    assert check.is_valid
    assert check.sex == "L"
    assert check.birth_date == datetime.date(1990, 5, 17)
    assert check.district_prefix == "320412"


def test_it_reads_a_womans_day_plus_forty():
    check = check_nik("3204125705900001", known_prefixes=PREFIXES, today=TODAY)
    assert check.is_valid
    assert check.sex == "P"
    assert check.birth_date == datetime.date(1990, 5, 17)


def test_it_strips_spaces_dots_and_dashes_people_type():
    assert normalize_nik(" 3204.1217-0590 0001 ") == "3204121705900001"
    assert check_nik("3204 1217 0590 0001", known_prefixes=PREFIXES, today=TODAY).is_valid


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("320412170590001", "16 angka"),  # 15 digits
        ("32041217059000011", "16 angka"),  # 17 digits
        ("32041217059O0001", "16 angka"),  # a letter O for a zero
        ("", "16 angka"),
        ("٣٢٠٤١٢١٧٠٥٩٠٠٠٠١", "16 angka"),  # Arabic-Indic digits are not NIK digits
        ("0000001705900001", "tidak boleh nol"),
        ("3204121705900000", "0000"),
        ("3204123205900001", "Tanggal lahir"),  # day 32
        ("3204127205900001", "Tanggal lahir"),  # day 72 (a woman's 32)
        ("3204123102900001", "Tanggal lahir"),  # 31 February
        ("3204121713900001", "Tanggal lahir"),  # month 13
        ("3204120000900001", "Tanggal lahir"),  # day 00
        ("9999991705900001", "tidak dikenal"),  # a district that never existed
    ],
)
def test_it_refuses_an_invalid_nik_with_a_readable_indonesian_reason(raw, message):
    check = check_nik(raw, known_prefixes=PREFIXES, today=TODAY)
    assert not check.is_valid
    assert any(message in error for error in check.errors), check.errors


def test_it_reports_every_problem_at_once():
    check = check_nik("9999993102900000", known_prefixes=PREFIXES, today=TODAY)
    assert len(check.errors) == 3


def test_it_accepts_29_february_only_in_a_leap_year():
    assert check_nik("3204122902920001", known_prefixes=PREFIXES, today=TODAY).is_valid
    assert not check_nik("3204122902910001", known_prefixes=PREFIXES, today=TODAY).is_valid


def test_it_takes_the_century_that_keeps_the_birth_date_in_the_past():
    assert check_nik("3204120101050001", today=TODAY).birth_date == datetime.date(2005, 1, 1)
    assert check_nik("3204120101300001", today=TODAY).birth_date == datetime.date(1930, 1, 1)


def test_it_accepts_a_prefix_retired_in_the_papua_split(db):
    # 91.01.01 Merauke became 93.01.01 in 2022; a NIK keeps the code where it was first issued.
    prefixes = known_nik_prefixes()
    assert check_nik("9101011705900001", known_prefixes=prefixes, today=TODAY).is_valid
    assert check_nik("9301011705900001", known_prefixes=prefixes, today=TODAY).is_valid


def test_it_builds_the_date_part_with_forty_added_for_women():
    assert nik_date_part(datetime.date(1990, 5, 7), "L") == "070590"
    assert nik_date_part(datetime.date(1990, 5, 7), "P") == "470590"


def test_it_tells_where_typed_sex_and_birth_date_disagree_with_the_nik():
    check = check_nik("3204125705900001", known_prefixes=PREFIXES, today=TODAY)
    mismatches = compare_with_person(check, sex="L", birth_date=datetime.date(1990, 5, 18))
    assert set(mismatches) == {"sex", "birth_date"}
    assert "17-05-1990" in mismatches["birth_date"]
    assert compare_with_person(check, sex="P", birth_date=datetime.date(1990, 5, 17)) == {}


def test_it_masks_a_nik_for_public_lists():
    assert mask_nik("3204121705900001") == "320412******00**"
    assert "1705" not in mask_nik("3204121705900001")
