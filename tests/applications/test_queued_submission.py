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
    SubmissionIntake.objects.update(received_at=timezone.now() - datetime.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_waiting_intakes.delay().get() == 1
    assert SubmissionIntake.objects.get().status == "submitted"


def test_no_queued_application_yet(client, applicant):
    client.force_login(applicant)
    assert client.get(URL).json() == {"status": None}
