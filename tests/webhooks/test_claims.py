"""Workers claiming due deliveries at once each get their own rows (SELECT … FOR UPDATE SKIP LOCKED):
none waits for another, none sends a delivery another holds."""

import threading

import pytest
from django.db import connection, connections, transaction

from tests.webhooks.conftest import subscribe
from webhooks import services
from webhooks.models import Delivery, Event

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks are tested on PostgreSQL")
def test_two_workers_claiming_at_once_get_disjoint_batches(portal_admin, receiver):
    from django.utils import timezone

    from partners.models import Scope
    from tests.partners.conftest import make_client

    partner = make_client(name="SIAPkerja", scopes=[Scope.APPLICATIONS_READ], national=True, by=portal_admin)
    subscription, _secret = subscribe(partner, receiver.url, by=portal_admin)
    events_ = Event.objects.bulk_create(
        Event(type="tranche.paid", occurred_at=timezone.now(), data={}, province_code="32") for _ in range(40)
    )
    Delivery.objects.bulk_create(Delivery(event=event, subscription=subscription) for event in events_)
    holding, release = threading.Event(), threading.Event()
    claimed: dict[str, list[int]] = {}

    def first() -> None:
        try:
            with transaction.atomic():  # holds its row locks until released
                rows = list(Delivery.objects.select_for_update(skip_locked=True).order_by("pk")[:25])
                claimed["first"] = [row.pk for row in rows]
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=first)
    thread.start()
    assert holding.wait(10)
    claimed["second"] = services.deliveries_claim_due(limit=25)  # must not wait for the first
    release.set()
    thread.join(10)

    assert len(claimed["first"]) == 25 and len(claimed["second"]) == 15
    assert not set(claimed["first"]) & set(claimed["second"])
    assert connection.vendor == "postgresql"
