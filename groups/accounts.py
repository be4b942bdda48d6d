"""A group's bank account number: how it is normalised when typed and how it is shown to those who may
not see it whole (one rule, used by the admin, the e-mails and the ketua's pages)."""

import re

_SEPARATORS = re.compile(r"[\s\-.]")


def account_number_normalise(typed: str) -> str:
    """``123-456.789 0`` → ``1234567890``: banks print separators, transfers use digits only."""
    return _SEPARATORS.sub("", typed)


def account_number_masked(number: str) -> str:
    """``****5071``: only the last four digits leave the screens of those who pay."""
    if not number:
        return "–"
    return f"****{number[-4:]}" if len(number) > 4 else number
