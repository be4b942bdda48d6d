"""A ticket's status change is told to partners (jps_portal.events), never an integrity case's."""

import pytest

from grievances import services
from grievances.models import Ticket
from jps_portal import events
from tests.factories import ApplicationFactory, GroupFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(monkeypatch) -> list[events.Event]:
    seen: list[events.Event] = []
    monkeypatch.setattr(events, "_listeners", [*events._listeners, seen.extend])
    return seen


def _file(category):  # noqa: ANN001, ANN202
    application = ApplicationFactory(group=GroupFactory(regency_id="32.04"))
    return services.ticket_file(
        category=category, description="Laporan.", filed_by=Ticket.Filer.PUBLIC, application=application
    )


def test_a_status_change_is_published_without_the_complainant(categories, verifier, published):
    ticket = _file(categories["kelompok-fiktif"])
    published.clear()

    services.ticket_investigate(ticket=ticket, by=verifier)

    [event] = published
    assert (event.type, event.province_code, event.regency_code) == (events.TICKET_STATUS_CHANGED, "32", "32.04")
    assert event.data["ticket_number"] == ticket.number and event.data["to_status"] == Ticket.Status.INVESTIGATING
    assert "description" not in event.data


def test_a_sensitive_ticket_is_never_published(categories, published):
    sensitive = next(category for category in categories.values() if category.is_sensitive)
    ticket = _file(sensitive)
    assert ticket.is_sensitive
    published.clear()

    next_status = sorted(Ticket.TRANSITIONS[ticket.status])[0]
    ticket.transition_to(next_status, by=None, assigned_to=ticket.assigned_to or UserFactory(username="integritas"))

    assert published == []
