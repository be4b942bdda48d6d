"""'Tugas saya' lists the tickets in the officer's hands with their SLA countdown: only tickets they may
see (their region; sensitive ones only for the integrity team), the most urgent first, in a fixed
number of queries, each linking to a page the officer can open."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from grievances import services
from grievances.models import Category, Ticket
from grievances.sla import add_working_days
from jps_portal import work_queue
from tests.factories import GroupFactory, UserFactory

pytestmark = pytest.mark.django_db


def _file(code: str, regency: str = "32.04", *, due_on: datetime.date | None = None) -> Ticket:
    category = Category.objects.get(code=code)
    ticket = services.ticket_file(
        category=category,
        description="Uang belum masuk ke rekening kelompok.",
        filed_by=Ticket.Filer.ANONYMOUS if category.is_sensitive else Ticket.Filer.VERIFIED_PHONE,
        regency=GroupFactory(regency_id=regency).regency,
        name="" if category.is_sensitive else "Warga",
        phone="" if category.is_sensitive else "081234567890",
    )
    if due_on is not None:
        Ticket.objects.filter(pk=ticket.pk).update(due_on=due_on)  # as if filed earlier
    return ticket


@pytest.fixture
def integrity_officer(db):
    return UserFactory(username="integritas-uji", role=Role.INTEGRITY, is_staff=True, scope_national=True)


def test_the_officer_sees_her_tickets_most_urgent_first_with_the_sla_left(verifier):
    today = timezone.localdate()
    late = _file("pembayaran", due_on=today - datetime.timedelta(days=10))
    soon = _file("pembayaran", due_on=add_working_days(today, 2))
    _file("pembayaran", regency="36.01")  # Banten: another region's officer
    mine = {late.pk, soon.pk}
    assert set(Ticket.objects.filter(pk__in=mine).values_list("assigned_to", flat=True)) == {verifier.pk}

    queue = work_queue.tickets_for(verifier)
    assert (queue.assigned, queue.overdue) == (2, 1)
    assert [item.ticket.pk for item in queue.due] == [late.pk, soon.pk]
    assert queue.due[0].overdue and queue.due[0].overdue_days > 0
    assert queue.due[1].days_left == 2


def test_a_pungli_report_never_reaches_the_regional_officer_s_queue(verifier, integrity_officer):
    pungli = _file("pungli")
    assert pungli.assigned_to == integrity_officer
    assert work_queue.tickets_for(verifier).assigned == 0
    assert [item.ticket.pk for item in work_queue.tickets_for(integrity_officer).due] == [pungli.pk]


def test_roles_that_do_not_handle_tickets_get_no_ticket_section(approver, director):
    assert work_queue.tickets_for(approver) is None
    assert work_queue.tickets_for(director) is None


def test_the_page_shows_the_countdown_and_links_that_open(client, verifier, django_assert_max_num_queries):
    today = timezone.localdate()
    late = _file("pembayaran", due_on=today - datetime.timedelta(days=10))
    client.force_login(verifier)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Pengaduan yang Anda tangani" in page
    assert f'data-ticket="{late.number}" class="overdue"' in page and "Terlambat" in page
    for _ in range(15):
        _file("pembayaran")
    with django_assert_max_num_queries(40) as counted:
        client.get(reverse("admin:index"))
    few = len(counted)
    for _ in range(15):
        _file("pembayaran")
    with django_assert_max_num_queries(few):
        client.get(reverse("admin:index"))  # the same number of queries with twice the tickets
    listing = client.get(reverse("admin:grievances_ticket_changelist") + "?penanganan=terlambat")
    assert listing.status_code == 200
    body = listing.content.decode()
    assert late.number in body and body.count("field-number") == 1
    assert client.get(reverse("admin:grievances_ticket_change", args=[late.pk])).status_code == 200


def test_the_director_page_offers_no_ticket_queue(client, director):
    client.force_login(director)
    assert "Pengaduan yang Anda tangani" not in client.get(reverse("admin:index")).content.decode()
