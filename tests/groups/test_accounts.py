from groups.accounts import account_number_masked, account_number_normalise


def test_separators_typed_from_a_bank_book_are_dropped():
    assert account_number_normalise(" 0123-4567.89 01 ") == "012345678901"


def test_only_the_last_four_digits_are_shown():
    assert account_number_masked("012345678901") == "****8901"
    assert "1234567" not in account_number_masked("012345678901")
    assert account_number_masked("") == "–"
