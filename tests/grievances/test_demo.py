"""The demo gives the public a voice: an objection, a payment complaint and an anonymous pungli report,
filed through the service; the pungli report reaches the integritas login only."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction

from accounts.models import Role, User
from grievances.demo import grievances_demo_seed
from grievances.models import Ticket
from tests.conftest import restore_reference_data


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        restore_reference_data()
        call_command("seed_demo", stdout=io.StringIO(), verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_demo_files_an_objection_a_complaint_and_a_pungli_report(demo):
    tickets = {t.category.code: t for t in Ticket.objects.select_related("category", "assigned_to")}
    assert set(tickets) == {"kelompok-fiktif", "pembayaran", "pungli"}
    verifier, integrity = User.objects.get(username="verifikator"), User.objects.get(username="integritas")
    assert integrity.groups.filter(name=Role.INTEGRITY.value).exists()
    assert tickets["kelompok-fiktif"].assigned_to == verifier and tickets["kelompok-fiktif"].application_id
    assert tickets["pembayaran"].assigned_to == verifier
    assert tickets["pungli"].assigned_to == integrity and tickets["pungli"].complainant_phone == ""
    assert set(Ticket.objects.visible_to(verifier)) == {tickets["kelompok-fiktif"], tickets["pembayaran"]}
    assert tickets["pungli"] in Ticket.objects.visible_to(integrity)


@pytest.mark.django_db
def test_seeding_the_voices_again_files_nothing(demo):
    assert grievances_demo_seed().created is False
    assert Ticket.objects.count() == 3


@pytest.mark.django_db
def test_the_integritas_login_opens_the_pungli_report_and_the_verifier_cannot(demo, client):
    pungli = Ticket.objects.get(category__code="pungli")
    client.login(username="integritas", password="integritas-demo")
    assert client.get(f"/admin/grievances/ticket/{pungli.pk}/change/").status_code == 200
    client.logout()
    client.login(username="verifikator", password="verifikator-demo")
    assert client.get(f"/admin/grievances/ticket/{pungli.pk}/change/").status_code in (302, 404)
