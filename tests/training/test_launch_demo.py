"""The demo reproduces the launch of 3–4 October 2020 in Tasikmalaya: the 1,000 launch groups invited,
50 people at the venue and 950 online, on the event's page."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from tests.conftest import restore_reference_data
from training.demo import LAUNCH_TITLE, launch_event_seed
from training.models import Attendance, TrainingEvent


@pytest.fixture(scope="module")
def launch_event(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        restore_reference_data()  # an earlier test with real commits may have flushed it
        call_command("seed_demo", "--no-users", stdout=io.StringIO(), verbosity=0)
        yield TrainingEvent.objects.get(title=LAUNCH_TITLE)
        transaction.set_rollback(True)


def test_the_launch_event_is_in_the_demo_with_its_50_offline_and_950_online(launch_event, director, client):
    assert launch_event.status == TrainingEvent.Status.HELD
    assert launch_event.invitations.count() == 1_000
    assert [s.day.isoformat() for s in launch_event.sessions.all()] == ["2020-10-03", "2020-10-04"]
    assert launch_event.regency_id == "32.78"
    assert Attendance.objects.filter(event=launch_event).count() == 2_000
    client.force_login(director)
    html = client.get(reverse("training:event", args=[launch_event.pk])).content.decode()
    assert 'id="groups-invited">1.000<' in html
    assert 'id="attended-offline">50<' in html
    assert 'id="attended-online">950<' in html


def test_seeding_the_launch_event_again_changes_nothing(launch_event):
    assert launch_event_seed().created is False
    assert TrainingEvent.objects.filter(title=LAUNCH_TITLE).count() == 1
