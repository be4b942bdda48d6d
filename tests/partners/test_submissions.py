"""SIAPkerja submits a ketua's complete application through the API, once, however often it retries."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role
from applications.models import Application
from groups.models import Group
from partners import services
from partners.models import IdempotencyKey, Scope
from tests.applications.test_complete_submission import PDF, PNG, payload
from tests.factories import UserFactory
from tests.partners.conftest import make_client

pytestmark = pytest.mark.django_db
URL = "/api/v1/submissions/"


@pytest.fixture
def siapkerja_jabar(portal_admin) -> str:
    """SIAPkerja's Jawa Barat connector: submissions:write, province 32."""
    client = make_client(name="SIAPkerja Jabar", scopes=[Scope.SUBMISSIONS_WRITE], provinces=["32"], by=portal_admin)
    return services.api_key_issue(client=client, by=portal_admin).plaintext


@pytest.fixture
def siapkerja_jateng(portal_admin) -> str:
    """The same system's Jawa Tengah connector: province 33 only."""
    client = make_client(name="SIAPkerja Jateng", scopes=[Scope.SUBMISSIONS_WRITE], provinces=["33"], by=portal_admin)
    return services.api_key_issue(client=client, by=portal_admin).plaintext


def body(scheme, applicant, **overrides) -> dict:
    return {"data": json.dumps({"applicant": applicant.username, **payload(scheme), **overrides})}


def files() -> dict:
    return {
        "proposal": SimpleUploadedFile("proposal.pdf", PDF),
        "sk": SimpleUploadedFile("sk.pdf", PDF),
        "bank_book": SimpleUploadedFile("rekening.png", PNG),
    }


def submit(api, key: str, data: dict, idempotency_key: str | None = "k-1", **headers):  # noqa: ANN001, ANN201
    if idempotency_key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = idempotency_key
    return api.post(URL, {**data, **files()}, format="multipart", HTTP_AUTHORIZATION=f"Bearer {key}", **headers)


def test_it_submits_a_complete_application_for_the_ketua(api, siapkerja_jabar, applicant, open_scheme):
    response = submit(api, siapkerja_jabar, body(open_scheme, applicant))
    assert response.status_code == 201, response.json()
    application = Application.objects.get(group__user=applicant)
    assert response.json() == {
        "id": application.pk,
        "reference": application.reference,
        "status": "submitted",
        "created": True,
        "url": f"/api/v1/applications/{application.pk}/",
    }
    assert application.group.members.count() == 20
    assert application.documents.count() == 3


def test_the_same_key_and_body_replays_the_first_answer(api, siapkerja_jabar, applicant, open_scheme):
    first = submit(api, siapkerja_jabar, body(open_scheme, applicant))
    again = submit(api, siapkerja_jabar, body(open_scheme, applicant))
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Application.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(api, siapkerja_jabar, applicant, open_scheme):
    submit(api, siapkerja_jabar, body(open_scheme, applicant))
    other = body(open_scheme, applicant, group={**payload(open_scheme)["group"], "name": "Kelompok Lain"})
    response = submit(api, siapkerja_jabar, other)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"].endswith("/idempotency-key-reused")
    assert Group.objects.get().name == "Kelompok Surge"


def test_a_new_key_for_the_same_ketua_gets_the_existing_application(api, siapkerja_jabar, applicant, open_scheme):
    first = submit(api, siapkerja_jabar, body(open_scheme, applicant), idempotency_key="k-1")
    second = submit(api, siapkerja_jabar, body(open_scheme, applicant), idempotency_key="k-2")
    assert second.status_code == 200
    assert second.json()["reference"] == first.json()["reference"]
    assert second.json()["created"] is False
    assert Application.objects.count() == 1


def test_a_key_is_required(api, siapkerja_jabar, applicant, open_scheme):
    response = submit(api, siapkerja_jabar, body(open_scheme, applicant), idempotency_key=None)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]
    assert not Application.objects.exists()


def test_a_refused_submission_lists_every_problem_and_releases_its_key(api, siapkerja_jabar, applicant, open_scheme):
    bad = body(open_scheme, applicant, members=payload(open_scheme)["members"][:5])
    response = submit(api, siapkerja_jabar, bad)
    assert response.status_code == 422
    assert response.json()["type"].endswith("/submission-refused")
    assert response.json()["errors"]
    assert not IdempotencyKey.objects.exists()
    # Corrected, the same key goes through.
    assert submit(api, siapkerja_jabar, body(open_scheme, applicant)).status_code == 201


def test_an_unknown_or_staff_applicant_is_refused(api, siapkerja_jabar, verifier, open_scheme):
    response = submit(api, siapkerja_jabar, body(open_scheme, verifier))
    assert response.status_code == 422
    assert "applicant" in response.json()["errors"]
    assert not Group.objects.exists()


def test_a_jawa_tengah_client_cannot_submit_a_jawa_barat_group(api, siapkerja_jateng, applicant, open_scheme):
    response = submit(api, siapkerja_jateng, body(open_scheme, applicant))
    assert response.status_code == 403
    assert response.json()["type"].endswith("/outside-region")
    assert not Group.objects.exists()
    assert not IdempotencyKey.objects.exists()


def test_a_client_without_the_scope_gets_403(api, bi_key, applicant, open_scheme):
    response = submit(api, bi_key, body(open_scheme, applicant))
    assert response.status_code == 403
    assert response.json()["detail"] == "Klien ini tidak memiliki hak akses submissions:write."
    assert not Group.objects.exists()


def test_refusals_read_in_english(api, siapkerja_jabar, applicant, open_scheme):
    submit(api, siapkerja_jabar, body(open_scheme, applicant))
    other = body(open_scheme, applicant, members=payload(open_scheme)["members"][:19])
    response = submit(api, siapkerja_jabar, other, HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["title"] == "Idempotency key already used for another body"


def test_a_key_is_per_client(api, portal_admin, siapkerja_jabar, open_scheme):
    other_client = make_client(
        name="Disnaker Jabar", scopes=[Scope.SUBMISSIONS_WRITE], provinces=["32"], by=portal_admin
    )
    other_key = services.api_key_issue(client=other_client, by=portal_admin).plaintext
    siti, rina = UserFactory(role=Role.GROUP), UserFactory(role=Role.GROUP)
    assert submit(api, siapkerja_jabar, body(open_scheme, siti), idempotency_key="same").status_code == 201
    rina_body = body(open_scheme, rina, members=payload(open_scheme, first_serial=100)["members"])
    assert submit(api, other_key, rina_body, idempotency_key="same").status_code == 201
    assert Application.objects.count() == 2


def test_a_ketuas_application_in_another_region_is_not_revealed(
    api, siapkerja_jabar, applicant, open_scheme, portal_admin
):
    jateng = make_client(name="SIAPkerja Jateng 2", scopes=[Scope.SUBMISSIONS_WRITE], provinces=["33"], by=portal_admin)
    jateng_key = services.api_key_issue(client=jateng, by=portal_admin).plaintext
    in_jateng = {**payload(open_scheme)["group"], "province": "33", "regency": "33.74"}
    assert submit(api, jateng_key, body(open_scheme, applicant, group=in_jateng)).status_code == 201
    # The same ketua named by a Jawa Barat client with a Jawa Barat payload: no reference of Jawa Tengah.
    response = submit(api, siapkerja_jabar, body(open_scheme, applicant), idempotency_key="k-jabar")
    assert response.status_code == 403
    assert "reference" not in response.json()
