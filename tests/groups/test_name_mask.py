import pytest

from groups.names import mask_person_name


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("Siti Aminah", "S*** A*****"),
        ("Sutrisno", "S*******"),
        ("  Ahmad   Fauzi ", "A**** F****"),
        ("A", "A"),
        ("", "***"),
        ("\u200b", "***"),
    ],
)
def test_it_keeps_only_the_first_letter_of_each_word(name, masked):
    assert mask_person_name(name) == masked
