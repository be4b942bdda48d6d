"""The queued path: received at once, processed in the background, never twice."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from kombu.exceptions import OperationalError

from applications.models import Application, SubmissionIntake
from applications.tasks import process_submission_intake, sweep_waiting_intakes
from groups.models import Group
from jps_portal.celery import broker_breaker
from tests.applications.test_complete_submission import PDF, PNG, payload

pytestmark = pytest.mark.django_db
URL = "/pengajuan/antrean/"


def _files() -> dict:
    return {
        "proposal": SimpleUploadedFile("proposal.pdf", PDF),
        "sk": SimpleUploadedFile("sk.pdf", PDF),
        "bank_book": SimpleUploadedFile("rekening.png", PNG),
    }


def post(client, data, callbacks=None):
    return client.post(URL, {"data": json.dumps(data), **_files()})


def test_it_is_received_at_once_and_submitted_in_the_background(
    client, applicant, open_scheme, django_capture_on_commit_callbacks
):
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = post(client, payload(open_scheme))
    assert response.status_code == 202 and response.json()["status"] == "received"
    assert not Application.objects.exists()  # nothing done yet but the insert
    intake = SubmissionIntake.objects.get(user=applicant)
    assert sorted(intake.files.values_list("kind", flat=True)) == ["bank_book", "proposal", "sk"]

    with django_capture_on_commit_callbacks(execute=True):
        for callback in queued:
            callback()
    status = client.get(URL).json()
    application = Application.objects.get()
    assert status["status"] == "submitted" and status["reference"] == application.reference
    assert application.status == "submitted" and application.documents.count() == 3
    assert not intake.files.exists()  # the application keeps its own copies
    assert application.documents.get(kind="proposal").file.read() == PDF


def test_a_double_tap_queues_one_application(client, applicant, open_scheme, django_capture_on_commit_callbacks):
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        first = post(client, payload(open_scheme))
        second = post(client, payload(open_scheme))
    assert (first.status_code, second.status_code) == (202, 200)
    assert SubmissionIntake.objects.count() == 1 and Application.objects.count() == 1


def test_processing_twice_changes_nothing(client, applicant, open_scheme, django_capture_on_commit_callbacks):
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, payload(open_scheme))
        intake = SubmissionIntake.objects.get()
        assert process_submission_intake.delay(intake.pk).get() == "submitted"
    assert Application.objects.count() == 1 and Group.objects.count() == 1


def test_problems_found_later_are_kept_for_the_ketua_who_sends_it_again(
    client, applicant, open_scheme, django_capture_on_commit_callbacks
):
    data = payload(open_scheme)
    data["members"][4]["nik"] = "3204123102900001"  # 31 February: only the full check sees it
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, data).status_code == 202
    status = client.get(URL).json()
    assert status["status"] == "refused" and "4" in status["errors"]["members"]
    assert not Group.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        again = post(client, payload(open_scheme))
    assert again.status_code == 202
    assert client.get(URL).json()["status"] == "submitted"
    assert SubmissionIntake.objects.count() == 1


@pytest.mark.parametrize(
    ("raw", "field"),
    [("not json", "data"), ("[]", "data"), ('{"scheme": "1"}', "scheme"), ('{"scheme": 1, "members": []}', "members")],
)
def test_a_malformed_payload_is_refused_at_once_and_nothing_is_queued(client, applicant, raw, field):
    client.force_login(applicant)
    response = client.post(URL, {"data": raw})
    assert response.status_code == 400 and field in response.json()["errors"]
    assert not SubmissionIntake.objects.exists()


def test_a_document_that_is_not_what_it_claims_is_refused_at_once(client, applicant, open_scheme):
    client.force_login(applicant)
    files = {"proposal": SimpleUploadedFile("proposal.pdf", b"just text, not a PDF")}
    response = client.post(URL, {"data": json.dumps(payload(open_scheme)), **files})
    assert response.status_code == 400 and "proposal" in response.json()["errors"]
    assert not SubmissionIntake.objects.exists()


def test_an_intake_the_broker_lost_is_processed_by_the_sweep(
    client, applicant, open_scheme, monkeypatch, django_capture_on_commit_callbacks
):
    client.force_login(applicant)

    def broker_down(*args, **kwargs):
        raise OperationalError("Connection refused.")

    with monkeypatch.context() as patched:
        patched.setattr(process_submission_intake, "apply_async", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            assert post(client, payload(open_scheme)).status_code == 202
    assert SubmissionIntake.objects.get().status == "received"
    SubmissionIntake.objects.update(received_at=timezone.now() - datetime.timedelta(hours=1), enqueue_failed=False)
    broker_breaker().reset()  # the sweep runs in a worker, whose breaker saw no outage
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_waiting_intakes.delay().get() == 1
    assert SubmissionIntake.objects.get().status == "submitted"


def test_submissions_accepted_while_redis_is_down_are_answered_and_sent_by_the_next_sweep(
    client, applicant, open_scheme, monkeypatch, django_capture_on_commit_callbacks
):
    """One failed publish opens the breaker; the submissions after it are accepted without asking the
    broker; all are marked, and the sweep's next run sends them, without the grace period."""
    from accounts.models import Role
    from tests.factories import UserFactory

    others = [UserFactory(username=f"ketua-{i}", role=Role.GROUP) for i in range(2)]
    attempts = []

    def broker_down(*args, **kwargs):
        attempts.append(args)
        raise OperationalError("Connection refused.")

    with monkeypatch.context() as patched:
        patched.setattr(process_submission_intake, "apply_async", broker_down)
        for index, user in enumerate([applicant, *others]):
            client.force_login(user)
            with django_capture_on_commit_callbacks(execute=True):
                assert post(client, payload(open_scheme, first_serial=1 + 20 * index)).status_code == 202
    assert len(attempts) == 1, "the breaker opened after the first failure: no further attempts"
    assert set(SubmissionIntake.objects.values_list("status", "enqueue_failed")) == {("received", True)}

    # Redis is back. A submission sent normally meanwhile is not sent twice by the sweep.
    broker_breaker().reset()
    late = UserFactory(username="ketua-late", role=Role.GROUP)
    client.force_login(late)
    with django_capture_on_commit_callbacks(execute=False):
        assert post(client, payload(open_scheme, first_serial=61)).status_code == 202
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_waiting_intakes.delay().get() == 3  # received seconds ago, no grace waited for
    assert SubmissionIntake.objects.filter(status="submitted").count() == 3
    assert not SubmissionIntake.objects.filter(enqueue_failed=True).exists()
    assert SubmissionIntake.objects.get(user=late).status == "received"  # its own task is on its way


def test_no_queued_application_yet(client, applicant):
    client.force_login(applicant)
    assert client.get(URL).json() == {"status": None}
