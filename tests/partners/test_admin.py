"""The partners admin: national staff only; a new key is shown once, on the action's answer."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from accounts.models import Role
from partners.models import ApiKey, Client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def provincial_admin(db):
    """An administrator scoped to Jawa Barat only: partner systems are not theirs."""
    user = UserFactory(username="asep", role=Role.ADMIN)
    user.scope_provinces.add("32")
    return user


def test_a_provincial_admin_sees_no_partner_pages(client, provincial_admin, jabar_system):
    client.force_login(provincial_admin)
    assert client.get(reverse("admin:partners_client_changelist")).status_code == 403
    assert client.get(reverse("admin:partners_apicall_changelist")).status_code == 403
    assert "partners" not in client.get(reverse("admin:index")).content.decode().split("app-")[1:]


def test_a_national_admin_creates_a_client_with_its_region_scope(client, portal_admin):
    client.force_login(portal_admin)
    response = client.post(
        reverse("admin:partners_client_add"),
        {
            "name": "SIAPkerja",
            "contact": "tim-siapkerja@kemnaker.go.id",
            "is_active": "on",
            "expires_at_0": "2030-01-01",
            "expires_at_1": "00:00:00",
            "scopes": ["applications:read", "nik:read"],
            "scope_provinces": ["32", "33"],
            "rate_limit_per_minute": "120",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Client.objects.get(name="SIAPkerja")
    assert created.scopes == ["applications:read", "nik:read"]
    assert created.region_scope().province_codes == {"32", "33"}


def test_a_client_needs_a_region_scope(client, portal_admin):
    client.force_login(portal_admin)
    response = client.post(
        reverse("admin:partners_client_add"),
        {"name": "Tanpa wilayah", "expires_at_0": "2030-01-01", "expires_at_1": "00:00", "rate_limit_per_minute": "60"},
    )
    assert response.status_code == 200
    assert "Pilih lingkup wilayah" in response.content.decode()
    assert not Client.objects.exists()


def test_issuing_a_key_shows_it_once_and_stores_its_hash(client, portal_admin, jabar_system):
    client.force_login(portal_admin)
    response = client.post(
        reverse("admin:partners_client_changelist"),
        {"action": "issue_key", ACTION_CHECKBOX_NAME: [jabar_system.pk]},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = ApiKey.objects.get(client=jabar_system)
    page = response.content.decode()
    shown = page.split('<code class="api-key">')[1].split("</code>")[0]
    assert shown.startswith(f"jps_{key.key_id}_")
    # The key list afterwards never shows the secret again.
    listing = client.get(reverse("admin:partners_apikey_changelist")).content.decode()
    assert key.key_id in listing and shown not in listing


def test_rotate_and_revoke_are_admin_actions(client, portal_admin, jabar_key):
    client.force_login(portal_admin)
    old = ApiKey.objects.get()
    url = reverse("admin:partners_apikey_changelist")
    rotated = client.post(url, {"action": "rotate", ACTION_CHECKBOX_NAME: [old.pk]})
    assert rotated.status_code == 200 and "jps_" in rotated.content.decode()
    old.refresh_from_db()
    assert old.replaced_by is not None and old.expires_at is not None
    client.post(url, {"action": "revoke", ACTION_CHECKBOX_NAME: [old.pk]})
    old.refresh_from_db()
    assert old.revoked_at is not None and old.revoked_by == portal_admin


def test_the_call_log_is_read_only(client, portal_admin, api, jabar_key):
    from partners.models import ApiCall
    from tests.partners.conftest import call

    call(api, "/api/v1/applications/", jabar_key)
    client.force_login(portal_admin)
    logged = ApiCall.objects.get()
    assert client.get(reverse("admin:partners_apicall_changelist")).status_code == 200
    page = client.get(reverse("admin:partners_apicall_change", args=[logged.pk])).content.decode()
    assert 'name="_save"' not in page
    assert client.get(reverse("admin:partners_apicall_add")).status_code == 403
