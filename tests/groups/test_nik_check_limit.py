"""The NIK check answers a ketua typing, not a script probing NIKs: a rate limit per ketua and one per
client address (so a script with many ketua accounts on one address gets no more than five ketua)."""

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("groups:nik_check")
NIK = "3204124508900001"


def _limits(per_user: int, per_address: int) -> dict[str, tuple[int, int]]:
    return {"nik-check": (per_user, 900), "nik-check-address": (per_address, 900)}


@override_settings(RATE_LIMITS=_limits(5, 100))
def test_a_ketua_checking_too_many_niks_is_told_to_wait_in_indonesian(client, applicant):
    client.force_login(applicant)
    assert [client.get(URL, {"nik": NIK}).status_code for _ in range(5)] == [200] * 5

    refused = client.get(URL, {"nik": NIK})

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 900
    body = refused.json()
    assert body["valid"] is False
    assert body["errors"][0].startswith("Terlalu banyak permintaan. Coba lagi dalam")
    assert "sex" not in body  # nothing about the NIK once refused


@override_settings(RATE_LIMITS=_limits(5, 100))
def test_another_ketua_on_another_address_is_not_held_back_by_the_first(client, applicant):
    client.force_login(applicant)
    for _ in range(6):
        client.get(URL, {"nik": NIK}, REMOTE_ADDR="10.0.0.1")

    client.force_login(UserFactory(username="rina"))

    assert client.get(URL, {"nik": NIK}, REMOTE_ADDR="10.0.0.2").status_code == 200


@override_settings(RATE_LIMITS=_limits(5, 8))
def test_a_script_switching_ketua_accounts_on_one_address_is_stopped_by_the_address_limit(client):
    statuses = []
    for number in range(4):
        client.force_login(UserFactory(username=f"probe{number}"))
        statuses += [client.get(URL, {"nik": NIK}, REMOTE_ADDR="10.0.0.9").status_code for _ in range(3)]

    # Three checks each, within every account's own limit of five; the address's eight run out.
    assert statuses == [200] * 8 + [429] * 4
    client.force_login(UserFactory(username="elsewhere"))
    assert client.get(URL, {"nik": NIK}, REMOTE_ADDR="10.0.0.10").status_code == 200


@override_settings(RATE_LIMITS=_limits(2, 100))
def test_a_new_window_lets_the_ketua_check_again(client, applicant, monkeypatch):
    import time

    client.force_login(applicant)
    for _ in range(3):
        client.get(URL, {"nik": NIK})
    later = time.time() + 900
    monkeypatch.setattr(time, "time", lambda: later)

    assert client.get(URL, {"nik": NIK}).status_code == 200


def test_a_full_member_page_of_checks_stays_well_within_the_default_limits(client, applicant):
    client.force_login(applicant)
    # Twenty NIKs checked on load, the page saved with errors and loaded again, then a few typed.
    statuses = {client.get(URL, {"nik": NIK}).status_code for _ in range(20 * 2 + 10)}

    assert statuses == {200}
