import datetime

import pytest
from django.utils import timezone

from tests.factories import SchemeFactory


@pytest.fixture
def open_scheme():
    """A 20-member TKM scheme of this year, open all year."""
    year = timezone.localdate().year
    return SchemeFactory(
        year=year, opens_on=datetime.date(year, 1, 1), closes_on=datetime.date(year, 12, 31), members_min=20
    )
