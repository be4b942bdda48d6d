"""A small mentoring world: two mentors in Kab. Bandung, funded groups there and elsewhere."""

import pytest

from accounts.models import Role
from applications.models import Application
from regions.models import Province, Regency
from tests.factories import ApplicationFactory, GroupFactory, SchemeFactory, UserFactory, add_members


def make_funded_group(*, regency: str = "32.04", members: int = 3, status=Application.Status.APPROVED, user=None):
    group = GroupFactory(regency_id=regency, user=user)
    add_members(group, members)
    ApplicationFactory(group=group, scheme=SchemeFactory(), status=status)
    return group


def make_mentor(username: str, *, regency: str = "32.04", province: str | None = None):
    user = UserFactory(username=username, role=Role.MENTOR)
    if province:
        user.scope_provinces.add(Province.objects.get(pk=province))
    else:
        user.scope_regencies.add(Regency.objects.get(pk=regency))
    return user


@pytest.fixture
def mentor(db):
    """Dewi, pendamping for Kab. Bandung."""
    return make_mentor("dewi")


@pytest.fixture
def other_mentor(db):
    return make_mentor("yusuf")


@pytest.fixture
def coordinator(db):
    """The verifier-side officer who shares out the caseload and reviews visits (Jawa Barat)."""
    user = UserFactory(username="lestari", role=Role.VERIFIER)
    user.scope_provinces.add(Province.objects.get(pk="32"))
    return user


@pytest.fixture
def bandung_groups(db):
    return [make_funded_group() for _ in range(5)]
