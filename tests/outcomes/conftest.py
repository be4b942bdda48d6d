"""A small outcomes world: Siti's TKM group in Kab. Bandung, paid its tahap 1 seven months ago, in the
caseload of Dewi (pendamping); another group, paid too, in nobody's caseload."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Role
from applications.models import Application
from disbursements.models import LedgerEntry, Tranche
from mentoring import services as mentoring
from outcomes import services
from tests.factories import (
    ApplicationFactory,
    GroupFactory,
    PadatKaryaSchemeFactory,
    SchemeFactory,
    UserFactory,
    add_members,
)
from tests.mentoring.conftest import make_mentor


def paid_group(*, user=None, regency: str = "32.04", days_ago: int = 215, scheme=None, members: int = 5):
    group = GroupFactory(regency_id=regency, user=user)
    add_members(group, members)
    application = ApplicationFactory(
        group=group, scheme=scheme or SchemeFactory(), status=Application.Status.IN_DISBURSEMENT,
        approved_amount=40_000_000,
    )  # fmt: skip
    paid_at = timezone.now() - datetime.timedelta(days=days_ago)
    tranche = Tranche.objects.create(
        application=application, number=1, percentage=100, amount=40_000_000, status=Tranche.Status.PAID,
        paid_at=paid_at,
    )  # fmt: skip
    LedgerEntry.objects.create(tranche=tranche, kind=LedgerEntry.Kind.PAID, amount=40_000_000, created_at=paid_at)
    return group


@pytest.fixture
def ketua(db):
    """Siti, ketua of the paid TKM group."""
    return UserFactory(username="siti", role=Role.GROUP)


@pytest.fixture
def mentor(db):
    """Dewi, pendamping for Kab. Bandung."""
    return make_mentor("dewi")


@pytest.fixture
def group(ketua, mentor):
    found = paid_group(user=ketua)
    mentoring.caseload_balance(regency_code="32.04", by=None)
    return found


@pytest.fixture
def rounds(group):
    services.rounds_schedule()
    return {r.months: r for r in group.monitoring_rounds.all()}


@pytest.fixture
def pk_scheme(db):
    return PadatKaryaSchemeFactory()
