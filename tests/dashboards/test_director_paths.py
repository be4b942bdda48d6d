"""Issue 11 §3: the director reaches the dashboard by a click from every page, reads money that never
wraps (compact, full figure on hover), opens a group read-only from a regency's list, and reads a
weekly chart with axes."""

import re

import pytest
from django.urls import reverse

from accounts.models import Role
from dashboards import services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NATIONAL = reverse("dashboards:national")


@pytest.fixture
def director_client(client, director):
    client.force_login(director)
    return client


@pytest.fixture
def fresh(world):
    return services.tallies_recompute()


def test_the_admin_header_links_the_dashboard_for_the_director_only(client, director, verifier):
    client.force_login(director)
    page = client.get(reverse("admin:index")).content.decode()
    assert f'id="nav-dashboard" href="{NATIONAL}"' in page

    client.force_login(verifier)
    assert 'id="nav-dashboard"' not in client.get(reverse("admin:index")).content.decode()


def test_every_portal_page_the_director_sees_links_the_dashboard(director_client, fresh, world):
    application = world.applications["approved_10"]
    pages = [
        NATIONAL,
        reverse("dashboards:map"),
        reverse("dashboards:province", args=["32"]),
        reverse("dashboards:regency", args=["32.73"]),
        reverse("dashboards:group", args=[application.reference]),
        reverse("accounts:password_change"),
    ]
    for url in pages:
        response = director_client.get(url, {"tahun": 2020})
        assert response.status_code == 200, url
        assert f'id="nav-dashboard" href="{NATIONAL}"' in response.content.decode(), url


def test_a_ketua_is_not_offered_the_dashboard(client, applicant):
    client.force_login(applicant)
    assert 'id="nav-dashboard"' not in client.get(reverse("groups:home")).content.decode()


def test_money_tiles_are_compact_with_the_full_figure_on_hover(director_client, fresh):
    page = director_client.get(NATIONAL, {"tahun": 2020}).content.decode()

    tile = re.search(r'id="tile-amount-approved">(.*?)</b>', page).group(1)
    # 4 approved TKM groups (Rp155.000.000) + the Padat Karya one (Rp100.000.000).
    assert tile == '<span class="money" title="Rp255.000.000" aria-label="Rp255.000.000">Rp255\u00a0jt</span>'


def test_the_province_table_shows_compact_money_that_does_not_wrap(director_client, fresh):
    page = director_client.get(NATIONAL, {"tahun": 2020}).content.decode()
    table = page[page.index('id="province-table"') :]

    # Jawa Barat's budget (TKM Rp400.000.000 + Padat Karya Rp500.000.000), compacted, in full on hover.
    assert '<span class="money" title="Rp900.000.000" aria-label="Rp900.000.000">Rp900\u00a0jt</span>' in table
    assert not re.search(r">Rp\d{1,3}(\.\d{3}){2,}</td>", table), "no long figure left bare in a cell"


def test_the_regency_list_links_each_group_to_a_read_only_page_and_shows_paid(director_client, world, fresh):
    application = world.applications["approved_10"]
    page = director_client.get(reverse("dashboards:regency", args=["32.73"]), {"tahun": 2020}).content.decode()

    group_url = reverse("dashboards:group", args=[application.reference])
    assert f'href="{group_url}?' in page
    row = page[page.index(group_url) :].split("</tr>")[0]
    assert 'title="Rp40.000.000"' in row.split("<td")[-1]  # the paid column


def test_the_group_page_is_read_only_and_shows_paid_tahap(director_client, world, fresh):
    application = world.applications["pk"]

    response = director_client.get(reverse("dashboards:group", args=[application.reference]))

    page = response.content.decode()
    assert response.status_code == 200
    assert application.group.name in page and application.reference in page
    assert re.search(r'id="group-paid"><span class="money">Rp70\.000\.000</span>', page)
    assert "Halaman baca saja" in page
    main = page[page.index("<main") : page.index("</main>")]
    assert "<form" not in main and "<input" not in main and "<button" not in main
    assert re.search(r"\d{6}\*{6}\d{2}\*\*", main), "the ketua's NIK is masked as groups.nik.mask_nik does"


def test_the_group_page_is_404_outside_the_directors_region_and_403_for_officers(client, world, fresh, verifier):
    banten = world.applications["banten"]
    west_java_director = UserFactory(role=Role.DIRECTOR, is_staff=True)
    west_java_director.scope_provinces.add("32")
    client.force_login(west_java_director)
    assert client.get(reverse("dashboards:group", args=[banten.reference])).status_code == 404
    assert client.get(reverse("dashboards:group", args=["JPS-TIDAK-ADA"])).status_code == 404

    client.force_login(verifier)
    assert client.get(reverse("dashboards:group", args=[banten.reference])).status_code == 403


def test_the_weekly_chart_has_axes_ticks_and_titles(director_client, fresh):
    page = director_client.get(NATIONAL, {"tahun": 2020}).content.decode()
    chart = page[page.index('id="weekly-chart"') : page.index("</svg>", page.index('id="weekly-chart"'))]

    assert chart.count('class="axis"') >= 2
    assert "Kelompok disetujui (kumulatif)" in chart and "Minggu (tanggal awal minggu)" in chart
    assert re.search(r'class="tick"[^>]*>0</text>', chart)
    assert re.search(r'class="tick"[^>]*>\d+ \w{3} 2020</text>', chart)
    # SVG lengths are never localised ("172,0" is an error in the browser).
    assert not re.search(r'(?:x1|x2|y1|y2|x|y|transform)="[^"]*\d,\d', chart)
