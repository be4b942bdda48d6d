"""The overdue sweep's guarantees beyond the walk-through in test_tickets: one history row and one
officer digest per escalated ticket across several sweeps on a day, and an officer's concurrent
decision left as the officer made it."""

import datetime
import threading
import time

import pytest
from django.db import connection, transaction

from accounts.models import Role
from grievances import services
from grievances.models import Ticket, TicketHistory
from notifications.models import Message
from regions.models import Regency
from tests.factories import UserFactory


def _bandung_complaint(categories) -> Ticket:
    return services.ticket_file(
        category=categories["pembayaran"],
        description="Tahap 1 belum masuk.",
        filed_by=Ticket.Filer.PUBLIC,
        regency=Regency.objects.get(code="32.04"),
    )


@pytest.mark.django_db
def test_a_second_sweep_the_same_day_tells_the_officer_about_its_own_tickets(categories, verifier):
    pusat = UserFactory(username="pusat", email="pusat@example.id", scope_national=True, role=Role.VERIFIER)
    early, late = _bandung_complaint(categories), _bandung_complaint(categories)
    day = early.due_on + datetime.timedelta(days=1)
    Ticket.objects.filter(pk=late.pk).update(due_on=day)  # not overdue yet at the first sweep

    assert services.tickets_escalate_overdue(today=day) == 1
    Ticket.objects.filter(pk=late.pk).update(due_on=early.due_on)  # its deadline corrected the same day
    assert services.tickets_escalate_overdue(today=day) == 1
    assert services.tickets_escalate_overdue(today=day) == 0

    digests = Message.objects.filter(template="tickets_escalated").order_by("pk")
    assert [(digest.to, digest.context["count"]) for digest in digests] == [(pusat.email, 1), (pusat.email, 1)]
    for ticket in (early, late):
        escalation = ticket.history.get(kind=TicketHistory.Kind.ESCALATION)
        assert (escalation.level, escalation.assigned_to, escalation.changed_by) == (Ticket.Level.NATIONAL, pusat, None)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_an_officer_closing_a_ticket_while_the_sweep_runs_keeps_the_decision(categories, verifier):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and the UPDATE's re-check are PostgreSQL's (make test-services)")
    closing, waiting = _bandung_complaint(categories), _bandung_complaint(categories)
    day = closing.due_on + datetime.timedelta(days=1)
    locked, decide = threading.Event(), threading.Event()
    escalated: list[int] = []

    def budi_rejects() -> None:
        try:
            with transaction.atomic():
                ticket = Ticket.objects.select_for_update().get(pk=closing.pk)
                locked.set()
                decide.wait(10)
                services.ticket_reject(ticket=ticket, by=verifier, note="Bukan wewenang program ini.")
        finally:
            connection.close()

    def sweep() -> None:
        try:
            escalated.append(services.tickets_escalate_overdue(today=day))
        finally:
            connection.close()

    officer, sweeper = threading.Thread(target=budi_rejects), threading.Thread(target=sweep)
    officer.start()
    assert locked.wait(10)
    sweeper.start()
    time.sleep(0.5)
    assert sweeper.is_alive()  # waiting for Budi's row, not skipping it or writing over it
    decide.set()
    officer.join(20)
    sweeper.join(20)

    assert escalated == [1]
    closing.refresh_from_db()
    assert (closing.status, closing.level) == (Ticket.Status.REJECTED, Ticket.Level.PROVINCE)
    assert not closing.history.filter(kind=TicketHistory.Kind.ESCALATION).exists()
    waiting.refresh_from_db()
    assert waiting.level == Ticket.Level.NATIONAL
    assert waiting.history.filter(kind=TicketHistory.Kind.ESCALATION).count() == 1
