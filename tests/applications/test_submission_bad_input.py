"""Bad input inside the JSON of a submission. A NUL escaped as ``\\u0000`` is a NUL once decoded, and
PostgreSQL refuses it in text and jsonb: it was a 500; now a 400 before any view runs
(jps_portal.middleware.RejectNullBytesMiddleware), with nothing stored. Invisible characters in names
are stored as the names show (groups.names). Run on PostgreSQL too."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications.models import Application, SubmissionIntake
from tests.applications.test_complete_submission import PDF, PNG, payload

pytestmark = pytest.mark.django_db

INVALID_CHARACTERS = "Isian berisi karakter yang tidak valid."


def _documents() -> dict:
    return {
        "proposal": SimpleUploadedFile("proposal.pdf", PDF),
        "sk": SimpleUploadedFile("sk.pdf", PDF),
        "bank_book": SimpleUploadedFile("rekening.png", PNG),
    }


@pytest.mark.parametrize("url", ["/pengajuan/antrean/", "/pengajuan/lengkap/"])
@pytest.mark.parametrize("where", ["member name", "group key", "proposal"])
def test_a_nul_escaped_inside_the_json_of_a_submission_is_a_400(
    client, applicant, open_scheme, django_capture_on_commit_callbacks, url, where
):
    data = payload(open_scheme)
    if where == "member name":
        data["members"][3]["name"] = "Siti\u0000Aminah"
    elif where == "group key":
        data["group"]["\u0000"] = "x"
    else:
        data["proposal"]["business_plan"] = "\u0000"
    client.force_login(applicant)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"data": json.dumps(data), **_documents()})

    assert response.status_code == 400
    assert response.content.decode() == INVALID_CHARACTERS
    assert not SubmissionIntake.objects.exists()
    assert not Application.objects.exists()


def test_a_backslash_followed_by_u0000_as_text_is_not_a_nul(client, applicant, open_scheme):
    data = payload(open_scheme)
    data["proposal"]["business_plan"] = "Folder C:\\u0000\\data"  # JSON: "C:\\u0000\\data"
    client.force_login(applicant)

    response = client.post("/pengajuan/antrean/", {"data": json.dumps(data), **_documents()})

    assert response.status_code == 202


def test_a_json_body_with_an_escaped_nul_is_a_400(client, applicant):
    client.force_login(applicant)

    response = client.post("/pengajuan/antrean/", '{"scheme": "\\u0000"}', content_type="application/json")

    assert response.status_code == 400
    assert response.content.decode() == INVALID_CHARACTERS


def test_invisible_characters_in_the_names_of_a_json_submission_are_not_stored(
    client, applicant, open_scheme, django_capture_on_commit_callbacks
):
    from groups.models import Group

    data = payload(open_scheme)
    data["group"]["name"] = "Kelompok\u200b Surya\u200d"
    data["group"]["account_holder"] = "\ufeffKelompok Surya"
    data["members"][0]["name"] = "Siti\u2060 Aminah\u00ad"
    client.force_login(applicant)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/pengajuan/antrean/", {"data": json.dumps(data), **_documents()})

    assert response.status_code == 202
    group = Group.objects.get()
    assert (group.name, group.account_holder) == ("Kelompok Surya", "Kelompok Surya")
    assert group.members.filter(name="Siti Aminah").exists()


@pytest.mark.parametrize("where", ["group", "member"])
def test_a_bidi_override_in_a_name_of_a_json_submission_is_refused_with_a_message(
    client, applicant, open_scheme, django_capture_on_commit_callbacks, where
):
    from applications.models import SubmissionIntake
    from groups.models import Group

    data = payload(open_scheme)
    if where == "group":
        data["group"]["name"] = "Kelompok \u202eayruS"
    else:
        data["members"][0]["name"] = "Siti\u2066 Aminah\u2069"
    client.force_login(applicant)

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/pengajuan/antrean/", {"data": json.dumps(data), **_documents()})

    intake = SubmissionIntake.objects.get()
    assert intake.status == SubmissionIntake.Status.REFUSED
    assert "Teks ini berisi karakter tersembunyi" in json.dumps(intake.errors, ensure_ascii=False)
    assert not Group.objects.exists()
