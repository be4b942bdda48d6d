"""The province quota holds when approvals race: PostgreSQL row locks, real threads, real connections."""

import threading

import pytest
from django.db import connection, connections

from applications import services
from applications.models import Application, TransitionError
from tests.conftest import restore_reference_data
from tests.factories import ApplicationFactory, GroupFactory, SchemeQuotaFactory, add_members

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"),
]
Status = Application.Status
RACERS = 20
PLACES = 10


@pytest.fixture(autouse=True)
def _reference_data(transactional_db):
    # A transactional test that ran before this one may have flushed regions, banks and roles away.
    restore_reference_data()


def test_twenty_concurrent_approvals_for_ten_places_approve_exactly_ten(approver):
    first = ApplicationFactory(group=add_members(GroupFactory(), 3)[0].group, status=Status.VERIFIED)
    applications = [first] + [
        ApplicationFactory(group=add_members(GroupFactory(), 3)[0].group, scheme=first.scheme, status=Status.VERIFIED)
        for _ in range(RACERS - 1)
    ]
    SchemeQuotaFactory(scheme=first.scheme, province_id="32", groups=PLACES, budget=10**12)
    start = threading.Barrier(RACERS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def approve(application: Application) -> None:
        try:
            start.wait()
            services.application_approve(application=application, by=approver)
            outcome = "approved"
        except TransitionError as error:
            outcome = str(error)
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=approve, args=(application,)) for application in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(outcomes) == RACERS
    assert outcomes.count("approved") == PLACES
    assert all("Kuota kelompok" in outcome for outcome in outcomes if outcome != "approved")
    assert Application.objects.filter(status=Status.APPROVED).count() == PLACES
    assert Application.objects.filter(status=Status.VERIFIED).count() == RACERS - PLACES
