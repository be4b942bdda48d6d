"""API keys: shown once, stored hashed, rotated with a 24-hour overlap, revocable, expiring."""

import datetime
import hashlib

import pytest
from django.utils import timezone

from partners import services
from partners.models import ApiCall, ApiKey
from tests.partners.conftest import call

pytestmark = pytest.mark.django_db

APPLICATIONS = "/api/v1/applications/"


def test_it_keeps_only_the_hash_of_the_secret(jabar_system, portal_admin):
    issued = services.api_key_issue(client=jabar_system, by=portal_admin)
    prefix, key_id, secret = issued.plaintext.split("_", 2)
    stored = ApiKey.objects.get(pk=issued.key.pk)
    assert (prefix, key_id) == ("jps", stored.key_id)
    assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiKey.objects.filter(pk=stored.pk).values().get())


def test_a_valid_key_reads_and_the_call_is_logged(api, jabar_key, jabar_system):
    response = call(api, APPLICATIONS, jabar_key, HTTP_X_REQUEST_ID="partner-req-1")
    assert response.status_code == 200
    assert response["X-Request-ID"] == "partner-req-1"
    logged = ApiCall.objects.get()
    assert (logged.client, logged.operation, logged.status, logged.request_id) == (
        jabar_system,
        "application-list",
        200,
        "partner-req-1",
    )
    assert logged.key_id == jabar_key.split("_")[1]


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer jps_garbled",
        "Bearer jps_000000000000_" + "x" * 43,
        "Basic dXNlcjpwYXNz",
        "Bearer a b",
    ],
)
def test_missing_or_garbled_credentials_get_401_problem(api, jabar_key, header):
    headers = {"HTTP_AUTHORIZATION": header} if header else {}
    response = api.get(APPLICATIONS, **headers)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["status"] == 401
    assert ApiCall.objects.get().client is None


def test_a_right_id_with_a_wrong_secret_is_refused(api, jabar_key):
    prefix, key_id, secret = jabar_key.split("_", 2)
    forged = f"{prefix}_{key_id}_{secret[:-1]}{'A' if secret[-1] != 'A' else 'B'}"
    assert call(api, APPLICATIONS, forged).status_code == 401


def test_a_revoked_key_is_refused_at_once(api, jabar_key, portal_admin):
    key = ApiKey.objects.get(key_id=jabar_key.split("_")[1])
    services.api_key_revoke(key=key, by=portal_admin)
    response = call(api, APPLICATIONS, jabar_key)
    assert response.status_code == 401
    assert response.json()["detail"] == "Kunci API sudah dicabut."


def test_a_key_of_an_expired_or_inactive_client_is_refused(api, jabar_key, jabar_system):
    jabar_system.expires_at = timezone.now() - datetime.timedelta(minutes=1)
    jabar_system.save()
    assert call(api, APPLICATIONS, jabar_key).status_code == 401
    jabar_system.expires_at = timezone.now() + datetime.timedelta(days=1)
    jabar_system.is_active = False
    jabar_system.save()
    assert call(api, APPLICATIONS, jabar_key).status_code == 401


def test_a_rotated_key_works_for_24_hours_beside_its_replacement(api, jabar_key, portal_admin):
    old = ApiKey.objects.get(key_id=jabar_key.split("_")[1])
    rotated_at = timezone.now()
    new = services.api_key_rotate(key=old, by=portal_admin, now=rotated_at)
    old.refresh_from_db()
    assert old.replaced_by == new.key
    assert old.expires_at == rotated_at + datetime.timedelta(hours=24)
    assert call(api, APPLICATIONS, jabar_key).status_code == 200
    assert call(api, APPLICATIONS, new.plaintext).status_code == 200
    # A day later the old key has expired; the new one still works.
    ApiKey.objects.filter(pk=old.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = call(api, APPLICATIONS, jabar_key)
    assert (response.status_code, response.json()["detail"]) == (401, "Kunci API sudah kedaluwarsa.")
    assert call(api, APPLICATIONS, new.plaintext).status_code == 200


def test_a_key_is_rotated_once_and_revoked_once(jabar_key, portal_admin):
    old = ApiKey.objects.get(key_id=jabar_key.split("_")[1])
    services.api_key_rotate(key=old, by=portal_admin)
    with pytest.raises(services.ApiKeyError):
        services.api_key_rotate(key=old, by=portal_admin)
    services.api_key_revoke(key=old, by=portal_admin)
    with pytest.raises(services.ApiKeyError):
        services.api_key_revoke(key=old, by=portal_admin)
    assert ApiKey.objects.count() == 2
