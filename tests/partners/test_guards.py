"""Scopes, the per-client throttle, and errors as RFC 9457 problem details in Indonesian or English."""

import pytest

from partners.models import ApiCall
from tests.partners.conftest import call

pytestmark = pytest.mark.django_db

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


def test_a_tallies_client_cannot_read_applications(api, bi_key):
    response = call(api, "/api/v1/applications/", bi_key)
    assert response.status_code == 403
    body = response.json()
    assert body["detail"] == "Klien ini tidak memiliki hak akses applications:read."
    assert body["type"].endswith("/problems/forbidden")


def test_a_client_over_its_limit_gets_429_with_retry_after(api, jabar_key, jabar_system):
    jabar_system.rate_limit_per_minute = 2
    jabar_system.save()
    assert [call(api, "/api/v1/applications/", jabar_key).status_code for _ in range(2)] == [200, 200]
    refused = call(api, "/api/v1/applications/", jabar_key)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["status"] == 429
    assert list(ApiCall.objects.order_by("pk").values_list("status", flat=True)) == [200, 200, 429]


def test_the_limit_is_per_client(api, jabar_key, jabar_system, portal_admin):
    from tests.partners.conftest import make_client

    jabar_system.rate_limit_per_minute = 1
    jabar_system.save()
    other = make_client(name="Jatim", scopes=["applications:read"], provinces=["35"], by=portal_admin)
    from partners import services

    other_key = services.api_key_issue(client=other, by=portal_admin).plaintext
    assert call(api, "/api/v1/applications/", jabar_key).status_code == 200
    assert call(api, "/api/v1/applications/", jabar_key).status_code == 429
    assert call(api, "/api/v1/applications/", other_key).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/v1/applications/", 401),
        ("get", "/api/v1/tidak-ada/", 404),
        ("get", "/api/v1/applications/999999/", 404),
        ("post", "/api/v1/applications/", 405),
        ("get", "/api/v1/applications/?status=bukan-status", 400),
        ("get", "/api/v1/applications/?updated_since=kemarin", 400),
    ],
)
def test_every_error_is_a_problem_document(api, jabar_key, method, path, status):
    headers = {} if status == 401 else {"HTTP_AUTHORIZATION": f"Bearer {jabar_key}"}
    response = getattr(api, method)(path, **headers)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert set(body) >= PROBLEM_KEYS
    assert body["status"] == status
    assert body["instance"] == path
    assert body["request_id"] == response["X-Request-ID"]


def test_a_bad_filter_names_the_field(api, jabar_key):
    body = call(api, "/api/v1/applications/?updated_since=kemarin", jabar_key).json()
    assert body["title"] == "Permintaan tidak valid"
    assert "updated_since" in body["errors"]


def test_problems_are_indonesian_by_default_and_english_on_request(api):
    indonesian = api.get("/api/v1/applications/").json()
    english = api.get("/api/v1/applications/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert indonesian["title"] == "Autentikasi gagal"
    assert indonesian["detail"] == "Sertakan header Authorization: Bearer <kunci API>."
    assert english["title"] == "Authentication failed"
    assert english["detail"] == "Send the header Authorization: Bearer <API key>."


def test_an_unexpected_error_is_a_500_problem_not_a_page(api, jabar_key, monkeypatch):
    from partners import selectors

    def broken(scope):  # noqa: ANN001, ANN202
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "application_rows_for", broken)
    api.raise_request_exception = False
    response = call(api, "/api/v1/applications/", jabar_key)
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "Terjadi kesalahan. Coba lagi nanti."
    assert "boom" not in response.content.decode()


def test_an_accept_header_without_json_is_a_406_problem(api, jabar_key):
    response = call(api, "/api/v1/applications/", jabar_key, HTTP_ACCEPT="text/html")
    assert response.status_code == 406
    assert response.json()["type"].endswith("/problems/not-acceptable")


def test_the_schema_is_served_without_a_key(api):
    response = api.get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"/api/v1/applications/" in response.content
