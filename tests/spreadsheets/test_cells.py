import datetime
from decimal import Decimal

import pytest

from spreadsheets.cells import cell_safe, xlsx_safe
from tests.spreadsheets.helpers import FORMULA_PAYLOADS


@pytest.mark.parametrize("payload", [*FORMULA_PAYLOADS, "\r=1", "\n=1"])
def test_it_neutralises_text_a_spreadsheet_would_run(payload):
    assert cell_safe(payload) == "'" + payload


@pytest.mark.parametrize("text", ["Kelompok Maju", "3204120505900001", "", "a=b", " Sari"])
def test_it_leaves_ordinary_text_alone(text):
    assert cell_safe(text) == text


@pytest.mark.parametrize("value", [-5, 40_000_000, Decimal("-1.5"), -2.5, 0, datetime.date(2020, 10, 2), True, None])
def test_it_keeps_real_numbers_and_dates_as_they_are(value):
    assert cell_safe(value) is value


def test_it_escapes_a_negative_number_typed_as_text():
    assert cell_safe("-1") == "'-1"


def test_it_turns_what_xlsx_cannot_hold_into_a_replacement_character():
    assert xlsx_safe("Sari\x01Dewi") == "Sari\N{REPLACEMENT CHARACTER}Dewi"
    assert xlsx_safe("=1\x02") == "'=1\N{REPLACEMENT CHARACTER}"
