import io

import pytest
from django.core.management import call_command
from django.db import transaction

from mentoring.models import CaseAssignment, Visit, VisitProblem


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("seed_demo", stdout=out, verbosity=1)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_demo_pendamping_has_a_caseload_and_a_done_visit_with_a_follow_up(seeded, client):
    assert "pendamping" in seeded and "Mentoring: pendamping's caseload" in seeded
    rows = CaseAssignment.objects.filter(mentor__username="pendamping", ended_at__isnull=True)
    assert rows.count() >= 5
    assert {r.regency.province_id for r in rows} == {"32"}
    visit = Visit.objects.get(mentor__username="pendamping", status=Visit.Status.DONE)
    assert visit.location == Visit.Location.NEAR
    problem = VisitProblem.objects.get(visit=visit)
    assert problem.follow_up_on > visit.done_on
    assert client.login(username="pendamping", password="pendamping-demo")
    page = client.get("/pendampingan/").content.decode()
    assert problem.description[:30] in page
