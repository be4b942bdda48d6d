"""Phone numbers are stored, and logged in with, in one form: 08…"""

import pytest
from django.core.exceptions import ValidationError

from accounts.services import login_normalise, phone_normalise


@pytest.mark.parametrize(
    "typed",
    [
        "081234567890",
        "0812-3456-7890",
        "0812 3456 7890",
        "+62 812-3456-7890",
        "+6281234567890",
        "6281234567890",
        "62 812 3456 7890",
        "+62 (0)812 3456 7890",
        "(0812) 3456.7890",
        " 081234567890\t",
    ],
)
def test_every_usual_spelling_becomes_08(typed):
    assert phone_normalise(raw=typed) == "081234567890"


@pytest.mark.parametrize(
    "typed",
    [
        "0812345678",  # 10 digits: the shortest allowed
        "081234567890123",  # 15 digits: the longest allowed
    ],
)
def test_ten_to_fifteen_digits_are_accepted(typed):
    assert phone_normalise(raw=typed) == typed


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "081234567",  # 9 digits
        "0812345678901234",  # 16 digits
        "0211234567",  # a Jakarta landline, not an HP
        "81234567890",  # no 0 or country code
        "+6521234567890",  # another country
        "+0812345678901",
        "0812345678a",
        "٠٨١٢٣٤٥٦٧٨٩٠",  # Arabic-Indic digits
        "０８１２３４５６７８９０",  # full-width digits
        "0" * 10_000,
        "08123456789\x00",
    ],
)
def test_anything_else_is_refused_with_an_indonesian_message(typed):
    with pytest.raises(ValidationError, match="Nomor HP tidak valid"):
        phone_normalise(raw=typed)


@pytest.mark.parametrize(
    ("typed", "login"),
    [
        ("+62 812-3456-7890", "081234567890"),
        ("Siti@Example.ID", "siti@example.id"),
        (" siti ", "siti"),
        ("12345", "12345"),  # digits that are no phone number stay as typed: a staff username, perhaps
    ],
)
def test_a_login_is_normalised_like_the_account_it_names(typed, login):
    assert login_normalise(login=typed) == login
