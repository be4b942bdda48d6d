"""The NIK check answers a ketua typing, not a script probing NIKs: a per-user rate limit."""

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("groups:nik_check")
NIK = "3204124508900001"


@override_settings(RATE_LIMITS={"nik-check": (5, 900)})
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


@override_settings(RATE_LIMITS={"nik-check": (5, 900)})
def test_the_limit_is_per_ketua(client, applicant):
    client.force_login(applicant)
    for _ in range(6):
        client.get(URL, {"nik": NIK})

    client.force_login(UserFactory(username="rina"))

    assert client.get(URL, {"nik": NIK}).status_code == 200


@override_settings(RATE_LIMITS={"nik-check": (2, 900)})
def test_a_new_window_lets_the_ketua_check_again(client, applicant, monkeypatch):
    import time

    client.force_login(applicant)
    for _ in range(3):
        client.get(URL, {"nik": NIK})
    later = time.time() + 900
    monkeypatch.setattr(time, "time", lambda: later)

    assert client.get(URL, {"nik": NIK}).status_code == 200


def test_a_full_member_page_of_checks_stays_well_within_the_default_limit(client, applicant):
    client.force_login(applicant)
    # Twenty NIKs checked on load, the page saved with errors and loaded again, then a few typed.
    statuses = {client.get(URL, {"nik": NIK}).status_code for _ in range(20 * 2 + 10)}

    assert statuses == {200}
