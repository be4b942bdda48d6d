import pytest

from accounts.models import Role
from grievances.models import Category
from tests.factories import UserFactory


@pytest.fixture
def banten_officer(db):
    """Agus, verifikator at Disnaker Banten: another region."""
    user = UserFactory(username="agus", first_name="Agus", role=Role.VERIFIER)
    user.scope_provinces.add("36")
    return user


@pytest.fixture
def categories(db):
    return {category.code: category for category in Category.objects.all()}
