import csv
import re
from pathlib import Path

import pytest

from regions.models import District, Province, Regency, RegencyRecode
from regions.services import known_nik_prefixes

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parents[2] / "regions" / "data"


def test_both_editions_are_loaded_with_their_official_counts():
    assert Province.objects.in_2020().count() == 34
    assert Province.objects.current().count() == 38
    assert Regency.objects.in_2020().count() == 514
    assert Regency.objects.current().count() == 514
    assert District.objects.in_2020().count() == 7230
    assert District.objects.current().count() == 7285


def test_codes_are_strings_with_their_leading_zeros_and_dots():
    assert Regency.objects.get(code="32.04").province_id == "32"
    assert District.objects.get(code="32.04.12").regency_id == "32.04"


def test_a_renamed_regency_keeps_both_names():
    toba = Regency.objects.get(code="12.12")
    assert (toba.name_2020, toba.name) == ("KAB. TOBA SAMOSIR", "Kabupaten Toba")


def test_the_new_papua_provinces_exist_only_in_the_current_edition():
    for code in ("93", "94", "95", "96"):
        province = Province.objects.get(code=code)
        assert (province.in_2020, province.in_current) == (False, True)


def test_every_papua_recode_lands_on_a_current_regency_of_the_same_place():
    assert RegencyRecode.objects.count() == 26
    for recode in RegencyRecode.objects.select_related("old_regency", "new_regency"):
        assert recode.old_regency.in_2020 and not recode.old_regency.in_current
        assert recode.new_regency.in_current
        old_place = re.sub(r"^(KAB\.?|KOTA) ", "", recode.old_regency.name_2020).lower()
        assert recode.new_regency.name.lower().endswith(old_place), (recode, recode.new_regency.name)
        # A kota stays a kota and a kabupaten a kabupaten.
        assert recode.old_regency.name_2020.startswith("KOTA") == recode.new_regency.name.startswith("Kota"), recode


def test_kota_sorong_moves_to_kota_sorong_not_to_kabupaten_sorong():
    # The prepared copy of the recode map pointed 92.71 at 96.01; our copy corrects it.
    assert RegencyRecode.objects.get(old_regency_id="92.71").new_regency_id == "96.71"


def test_nik_prefixes_cover_both_editions():
    prefixes = known_nik_prefixes()
    assert {"910101", "930101", "320412"} <= prefixes
    assert "999999" not in prefixes


def test_the_shipped_csv_keeps_its_attribution():
    readme = (DATA / "README.md").read_text()
    assert "MIT License" in readme and "Cahya DSN" in readme
    with (DATA / "regions_2020.csv").open() as handle:
        assert next(csv.reader(handle)) == ["code", "name", "level"]
