"""Phone numbers as the SMS gateway wants them (E.164, ``+628…``), parsed by Google's libphonenumber
rules (the ``phonenumbers`` package) rather than by a hand-written pattern."""

import phonenumbers

# Numbers written without a country code are Indonesian.
DEFAULT_REGION = "ID"


def phone_normalise(raw: str) -> str:
    """``0812-3456-7890``, ``+62 812 3456 7890`` or ``62812…`` → ``+6281234567890``.

    Raises ValueError for anything that is not a valid mobile or fixed number."""
    try:
        parsed = phonenumbers.parse(raw, DEFAULT_REGION)
    except phonenumbers.NumberParseException as error:
        raise ValueError(str(error)) from error
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(f"not a valid phone number: {raw!r}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_masked(number: str) -> str:
    """``+6281234567890`` or ``081234567890`` → ``0812****890``: enough for a person to recognise their
    own number, as Indonesians write it (the one rule for every masked phone number)."""
    national = "0" + number[3:] if number.startswith("+62") else number
    return f"{national[:4]}****{national[-3:]}" if len(national) > 7 else "****"
