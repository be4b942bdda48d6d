import io

import pytest
from django.core.management import call_command
from django.db import transaction

from dashboards.models import ResultTally
from dashboards.services import tallies_recompute
from outcomes.models import MonitoringRound
from training.models import Participant, TrainingEvent


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("seed_demo", stdout=out, verbosity=1)
        tallies_recompute()  # seed_demo queues it on commit, which this rolled-back block never reaches
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_demo_tells_the_story_after_the_money(seeded, client):
    assert "Outcomes: tahap 1 paid" in seeded
    event = TrainingEvent.objects.get(year=2020, starts_on="2020-10-03")
    modes = list(Participant.objects.filter(event=event).values_list("mode", flat=True))
    assert (modes.count("offline"), modes.count("online")) == (50, 950)
    six = MonitoringRound.objects.get(months=6, status="reported")
    assert six.operating and six.others_working == 2 and six.reporter == "mentor"
    assert six.first_paid_on.isoformat() == "2020-10-15"
    assert MonitoringRound.objects.filter(group=six.group, months=12, status="scheduled").exists()
    row = ResultTally.objects.get(regency_id=six.regency_id, programme=six.programme, jobs_others__gt=0)
    assert row.jobs_others == 2 and row.alive_6 == 1
    assert client.login(username="direktur", password="direktur-demo")
    page = client.get("/dasbor/hasil/?tahun=2020").content.decode()
    assert 'data-code="32"' in page and "lapangan kerja" in page
    assert client.login(username="pendamping", password="pendamping-demo")
    worklist = client.get("/pendampingan/").content.decode()
    assert f"/hasil-usaha/{MonitoringRound.objects.get(group=six.group, months=12).pk}/" in worklist
