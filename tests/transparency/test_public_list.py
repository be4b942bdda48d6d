import csv
import io
import json

import pytest
from django.core.cache import cache
from django.urls import reverse

from groups.models import Member
from groups.names import mask_person_name
from tests.factories import UserFactory
from tests.transparency.conftest import everyone_secret, funded_application
from transparency import listing

pytestmark = pytest.mark.django_db

REGENCY = reverse("transparency:regency", args=["32.04"])


def _text(response) -> str:
    return b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()


def test_a_regency_lists_its_funded_groups_with_the_public_figures_only(client, funded_world):
    response = client.get(REGENCY)

    assert response.status_code == 200
    page = response.content.decode()
    for application in funded_world["bandung"]:
        assert application.group.name in page
        ketua = Member.objects.get(group=application.group, role=Member.Role.KETUA)
        assert mask_person_name(ketua.name) in page
        assert reverse("grievances:objection", args=[application.pk]) in page
    assert page.count("Ajukan sanggahan") == 3
    assert "Rp40.000.000" in page  # approved, and paid for the first group
    for application in funded_world["not_listed"] + funded_world["kota_bandung"]:
        assert application.group.name not in page


def test_the_rows_carry_members_and_paid_amounts(funded_world):
    rows = listing.page_of(listing.funded_groups(listing.Selection(2020, ""), regency="32.04"), 1).rows

    by_id = {row.application_id: row for row in rows}
    first, second, _third = funded_world["bandung"]
    assert by_id[first.pk].paid == 40_000_000 and by_id[first.pk].members == 4
    assert by_id[second.pk].paid == 0 and by_id[second.pk].approved == 40_000_000


def test_no_page_or_download_ever_shows_a_nik_a_member_name_a_phone_or_an_account(client, funded_world):
    secrets = everyone_secret(funded_world)
    assert len(secrets) > 50
    urls = [
        reverse("transparency:national"),
        reverse("transparency:province", args=["32"]),
        REGENCY,
        reverse("transparency:regency", args=["36.01"]),
        reverse("transparency:download", args=["32", "csv"]),
        reverse("transparency:download", args=["32", "json"]),
        reverse("transparency:download", args=["32.04", "csv"]),
        reverse("transparency:download", args=["36.01", "json"]),
        *[reverse("grievances:objection", args=[a.pk]) for a in funded_world["bandung"]],
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = _text(response)
        leaked = [secret for secret in secrets if secret in text]
        assert leaked == [], url


def test_a_regency_page_costs_the_same_queries_for_3_or_30_groups(client, funded_world, django_assert_num_queries):
    with django_assert_num_queries(3):  # scheme years, the regency, one page of rows
        client.get(REGENCY)
    for _ in range(27):
        funded_application()
    cache.clear()
    with django_assert_num_queries(3):
        response = client.get(REGENCY)
    assert response.content.decode().count("Ajukan sanggahan") == 30


def test_summary_pages_cost_a_fixed_number_of_queries(client, funded_world, django_assert_num_queries):
    with django_assert_num_queries(4):  # years, counts by province, paid by province, provinces
        client.get(reverse("transparency:national"))
    with django_assert_num_queries(4):  # the province, counts, paid, its regencies
        client.get(reverse("transparency:province", args=["32"]))


def test_a_page_served_again_comes_from_the_cache_with_an_etag(client, funded_world, django_assert_num_queries):
    first = client.get(REGENCY)
    assert "public" in first["Cache-Control"] and "max-age=300" in first["Cache-Control"]

    with django_assert_num_queries(0):
        again = client.get(REGENCY + "?junk=1&halaman=abc")
    assert again.content == first.content
    with django_assert_num_queries(0):
        revalidated = client.get(REGENCY, HTTP_IF_NONE_MATCH=first["ETag"])
    assert revalidated.status_code == 304


def test_a_logged_in_visitor_gets_a_private_copy(client, funded_world):
    client.force_login(UserFactory())

    assert "private" in client.get(REGENCY)["Cache-Control"]


def test_the_list_is_paged_without_counting_it(client, funded_world, monkeypatch):
    monkeypatch.setattr(listing, "PER_PAGE", 2)

    first = client.get(REGENCY).content.decode()
    second = client.get(REGENCY + "?tahun=2020&halaman=2").content.decode()

    assert first.count("Ajukan sanggahan") == 2 and "Berikutnya" in first
    assert second.count("Ajukan sanggahan") == 1 and "Sebelumnya" in second and "Berikutnya" not in second


def test_totals_per_province_and_regency(funded_world):
    selection = listing.Selection(2020, "")
    provinces = {area.code: area for area in listing.province_totals(selection)}
    regencies = {area.code: area for area in listing.regency_totals(selection, provinces_obj("32"))}

    assert (provinces["32"].groups, provinces["32"].approved, provinces["32"].paid) == (4, 160_000_000, 40_000_000)
    assert (provinces["36"].groups, provinces["36"].paid) == (1, 40_000_000)
    assert (regencies["32.04"].groups, regencies["32.73"].groups) == (3, 1)
    assert "36.01" not in regencies


def provinces_obj(code):
    from regions.models import Province

    return Province.objects.get(pk=code)


def test_the_programme_filter_narrows_the_list(client, funded_world):
    response = client.get(REGENCY + "?tahun=2020&program=PK")

    assert "Ajukan sanggahan" not in response.content.decode()


def test_downloads_hold_the_same_figures_and_are_formula_safe(client, funded_world):
    funded_application(name='=HYPERLINK("http://x")')

    rows = list(
        csv.reader(
            io.StringIO(_text(client.get(reverse("transparency:download", args=["32.04", "csv"]))).lstrip("\ufeff"))
        )
    )
    document = json.loads(_text(client.get(reverse("transparency:download", args=["32.04", "json"]))))

    assert rows[0] == listing.CSV_HEADER
    assert len(rows) == 5 and len(document["kelompok"]) == 4
    assert any(row[0] == '\'=HYPERLINK("http://x")' for row in rows)
    assert {item["nilai_dibayar"] for item in document["kelompok"]} == {0, 40_000_000}
    assert document["wilayah"] == {"kode": "32.04", "nama": "Kabupaten Bandung"}


def test_free_text_is_escaped(client, funded_world):
    funded_application(name="<script>alert(1)</script>")

    page = client.get(REGENCY).content.decode()

    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize(
    "url",
    [
        "/daftar-penerima/?tahun=abc&program=%3Cx%3E&halaman=-1",
        "/daftar-penerima/?tahun=99999999999999999999",
        "/daftar-penerima/kabupaten/32.04/?halaman=99999999999",
        "/daftar-penerima/kabupaten/32.04/?lang=xx",
        "/daftar-penerima/unduh/32.04.csv?tahun=1",
    ],
)
def test_bad_input_falls_back_to_the_default_selection(client, funded_world, url):
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/daftar-penerima/kabupaten/99.99/",
        "/daftar-penerima/provinsi/%3Cx%3E/",
        "/daftar-penerima/unduh/32.04.xlsx",
        "/daftar-penerima/unduh/99.csv",
        "/pengaduan/sanggahan/999999/",
    ],
)
def test_unknown_places_and_formats_are_not_found(client, funded_world, url):
    assert client.get(url).status_code == 404


def test_an_unfunded_application_has_no_objection_page(client, funded_world):
    submitted = funded_world["not_listed"][0]

    assert client.get(reverse("grievances:objection", args=[submitted.pk])).status_code == 404


def test_the_list_can_be_read_in_english_by_its_link(client, funded_world):
    page = client.get(REGENCY + "?lang=en").content.decode()

    assert "Submit an objection" in page and "Ajukan sanggahan" not in page
    assert '<html lang="en">' in page


def test_a_post_is_refused(client, funded_world):
    assert client.post(REGENCY).status_code == 405
