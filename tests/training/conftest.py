"""A small training world: an open hybrid event of two days, and launch-like groups to invite."""

import datetime

import pytest

from accounts.models import Role
from applications.models import Application
from tests.factories import ApplicationFactory, GroupFactory, SchemeFactory, UserFactory, add_members
from training import services
from training.models import TrainingEvent


def make_funded_group(*, regency: str = "32.04", members: int = 3, user=None, status=Application.Status.APPROVED):
    group = GroupFactory(regency_id=regency, user=user)
    add_members(group, members)
    ApplicationFactory(group=group, scheme=SchemeFactory(), status=status)
    return group


@pytest.fixture
def organiser(db):
    """Rina, national training organiser (portal administrator role)."""
    return UserFactory(username="rina", role=Role.ADMIN, scope_national=True)


@pytest.fixture
def event(organiser):
    created = services.event_create(
        year=2020,
        title="Pembekalan Wirausaha",
        starts_on=datetime.date(2020, 10, 3),
        ends_on=datetime.date(2020, 10, 4),
        format=TrainingEvent.Format.HYBRID,
        venue="Hotel Santika, Kota Tasikmalaya",
        regency_id="32.78",
        online_link="https://zoom.example/abc",
        capacity_offline=2,
        by=organiser,
    )
    return services.event_open(event=created, by=organiser)


@pytest.fixture
def ketua(db):
    return UserFactory(username="siti", role=Role.GROUP)


@pytest.fixture
def invited_group(event, organiser, ketua):
    group = make_funded_group(user=ketua)
    services.event_invite(event=event, criteria=services.InviteCriteria(group_codes=[group.code]), by=organiser)
    return group
