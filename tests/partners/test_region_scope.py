"""A Jawa Barat client never sees Jawa Timur: not in lists, not by a filter, not by a detail URL."""

import pytest

from tests.partners.conftest import call

pytestmark = pytest.mark.django_db


def test_the_list_holds_only_the_clients_province(api, jabar_key, two_provinces):
    bandung, _surabaya = two_provinces
    rows = call(api, "/api/v1/applications/", jabar_key).json()["results"]
    assert [row["reference"] for row in rows] == [bandung.reference]


@pytest.mark.parametrize("query", ["province=35", "regency=35.78", "province=35&regency=35.78"])
def test_a_filter_naming_another_province_finds_nothing(api, jabar_key, two_provinces, query):
    assert call(api, f"/api/v1/applications/?{query}", jabar_key).json()["results"] == []


def test_a_detail_url_outside_the_region_is_404(api, jabar_key, two_provinces):
    bandung, surabaya = two_provinces
    assert call(api, f"/api/v1/applications/{bandung.pk}/", jabar_key).status_code == 200
    response = call(api, f"/api/v1/applications/{surabaya.pk}/", jabar_key)
    assert response.status_code == 404
    assert response.json()["detail"] == "Data tidak ditemukan atau berada di luar lingkup wilayah klien ini."


def test_a_regency_client_sees_only_its_regency(api, portal_admin, two_provinces):
    from partners import services
    from tests.factories import ApplicationFactory, GroupFactory
    from tests.partners.conftest import make_client

    bandung, _ = two_provinces
    bekasi = ApplicationFactory(group=GroupFactory(regency_id="32.16"))
    regency_client = make_client(
        name="Disnaker Kab. Bandung", scopes=["applications:read"], regencies=["32.04"], by=portal_admin
    )
    key = services.api_key_issue(client=regency_client, by=portal_admin).plaintext
    rows = call(api, "/api/v1/applications/", key).json()["results"]
    assert [row["id"] for row in rows] == [bandung.pk]
    assert call(api, f"/api/v1/applications/{bekasi.pk}/", key).status_code == 404
