"""The dashboard pages: who may see them, what they show, their fixed cost, the refresh button."""

import datetime
import io
import re
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError
from openpyxl import load_workbook

from accounts.models import Role
from dashboards import services
from dashboards.models import TallyRefresh, TallySnapshot
from dashboards.tasks import recompute_tallies
from groups.nik import mask_nik
from tests.conftest import restore_reference_data
from tests.dashboards.conftest import make_application
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


@pytest.fixture
def outdated(fresh):
    """The current snapshot, taken an hour before the data it counts was last written."""
    TallySnapshot.objects.filter(pk=fresh.pk).update(as_of=timezone.now() - datetime.timedelta(hours=1))
    cache.delete(services.CURRENT_SNAPSHOT_KEY)
    fresh.refresh_from_db()
    return fresh


@pytest.mark.parametrize(
    "persona", ["applicant", "verifier", "approver", "finance"], ids=lambda persona: f"{persona}-gets-403"
)
def test_it_refuses_everyone_but_directors(client, request, persona, fresh):
    client.force_login(request.getfixturevalue(persona))

    for url in (NATIONAL, reverse("dashboards:map"), reverse("dashboards:province", args=["32"])):
        assert client.get(url).status_code == 403
    assert client.get(reverse("dashboards:export_provinces", args=["xlsx"])).status_code == 403
    assert client.post(reverse("dashboards:refresh")).status_code == 403


def test_it_sends_anonymous_visitors_to_log_in(client):
    response = client.get(NATIONAL)

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_a_superuser_may_see_it(client, fresh):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    assert client.get(NATIONAL).status_code == 200


def test_the_director_sees_national_tiles_and_the_province_table(director_client, fresh):
    response = director_client.get(NATIONAL, {"tahun": 2020, "program": "TKM"})

    assert response.status_code == 200
    rows = {row.code: row for row in response.context["rows"]}
    assert set(rows) == {"18", "32", "36"}
    assert (rows["32"].groups_total, rows["32"].groups_approved, rows["32"].amount_paid) == (8, 3, 75_000_000)
    assert rows["32"].realisation_percent == pytest.approx(18.75)
    html = response.content.decode()
    assert 'id="tile-groups">9<' in html  # TKM: 8 in Jawa Barat, 1 in Banten, none yet in Lampung
    assert "Rp75.000.000" in html
    assert "Data per" in html and "menit lalu" in html


def test_all_programmes_add_up_and_hide_the_median(director_client, fresh):
    response = director_client.get(NATIONAL, {"tahun": 2020})

    rows = {row.code: row for row in response.context["rows"]}
    assert rows["32"].groups_approved == 4  # 3 TKM + 1 Padat Karya
    assert rows["32"].amount_paid == 145_000_000
    assert rows["32"].median_days is None


def test_bad_filter_values_get_a_message_and_the_default_view(director_client, fresh):
    response = director_client.get(NATIONAL, {"tahun": "1999'; DROP", "program": "XYZ"}, follow=True)

    assert response.status_code == 200
    text = [str(m) for m in response.context["messages"]]
    assert any("tidak ada dalam data rekap" in m for m in text)
    assert any("tidak dikenal" in m for m in text)
    assert response.context["selection"].year == 2020


def test_without_any_snapshot_the_page_says_so_and_offers_the_button(director_client, db):
    response = director_client.get(NATIONAL)

    assert response.status_code == 200
    assert "Belum ada rekap" in response.content.decode()


def _grow(world, groups: int, regencies: tuple[str, ...] = ("32.04", "33.01", "35.78")) -> None:
    for index in range(groups):
        make_application(scheme=world.padat_karya, regency=regencies[index % len(regencies)], status="approved",
                         days_to_decision=3, approved_amount=100_000_000)  # fmt: skip


def uncached():
    """What is measured is the page built from the snapshot, not drawn from the cache."""
    return mock.patch("dashboards.views._cached", side_effect=lambda key, build: build())


def session_queries() -> int:
    """With Redis (cached_db sessions) a logged-in request reads its session from the cache."""
    return 0 if settings.SESSION_ENGINE in ("accounts.sessions", "django.contrib.sessions.backends.cached_db") else 1


# (session), user, years, province rows (+ weekly approvals); the permission answer and the current
# snapshot come from the cache after the first request
@pytest.mark.parametrize(("view", "queries"), [("dashboards:national", 4), ("dashboards:map", 3)])
def test_pages_cost_the_same_queries_whatever_the_data_size(
    director_client, world, view, queries, django_assert_num_queries
):
    queries += session_queries()
    services.tallies_recompute()
    director_client.get(reverse(view))  # the map outlines are read once per process
    with uncached(), django_assert_num_queries(queries) as small:
        assert director_client.get(reverse(view), {"tahun": 2020}).status_code == 200
    _grow(world, 40)
    services.tallies_recompute()
    with uncached(), django_assert_num_queries(queries) as large:
        assert director_client.get(reverse(view), {"tahun": 2020}).status_code == 200
    assert len(small) == len(large)


def test_a_page_already_drawn_from_this_snapshot_costs_one_query(director_client, fresh, django_assert_num_queries):
    director_client.get(NATIONAL, {"tahun": 2020})

    # (session), user: the permission answer, the snapshot, the years and the body come from the cache
    with django_assert_num_queries(1 + session_queries()):
        response = director_client.get(NATIONAL, {"tahun": 2020})
    assert 'id="tile-groups">10<' in response.content.decode()


def test_a_new_snapshot_is_shown_at_once_despite_the_cache(director_client, world, fresh):
    director_client.get(NATIONAL, {"tahun": 2020})
    make_application(scheme=world.tkm, regency="36.01", status="submitted")
    services.tallies_recompute()

    assert 'id="tile-groups">11<' in director_client.get(NATIONAL, {"tahun": 2020}).content.decode()


def test_the_page_is_served_when_the_cache_is_down(director_client, fresh):
    with mock.patch("dashboards.views.cache") as broken:
        broken.get.side_effect = ConnectionError("Redis down")
        broken.set.side_effect = ConnectionError("Redis down")
        response = director_client.get(NATIONAL, {"tahun": 2020})

    assert response.status_code == 200
    assert 'id="tile-groups">10<' in response.content.decode()


def test_the_province_page_drills_down_to_regencies(director_client, fresh):
    response = director_client.get(reverse("dashboards:province", args=["32"]), {"tahun": 2020, "program": "TKM"})

    assert response.status_code == 200
    rows = {row.code: row for row in response.context["rows"]}
    assert set(rows) == {"32.04", "32.73"}
    assert rows["32.73"].median_days == pytest.approx(7)
    assert reverse("dashboards:regency", args=["32.73"]) in response.content.decode()


def test_the_regency_page_lists_groups_with_masked_niks(director_client, world, fresh):
    response = director_client.get(reverse("dashboards:regency", args=["32.04"]), {"tahun": 2020})

    assert response.status_code == 200
    html = response.content.decode()
    approved = world.applications["approved_2"]
    assert approved.group.code in html
    nik = approved.group.members.get(role="ketua").nik
    assert nik not in html
    assert mask_nik(nik) in html and nik not in html
    assert world.applications["withdrawn"].group.code not in html


def test_the_group_list_is_paginated_with_a_fixed_query_count(director_client, world, fresh, django_assert_num_queries):
    _grow(world, 60, regencies=("32.04",))
    url = reverse("dashboards:regency", args=["32.04"])
    director_client.get(url)
    # (session), user, years, regency, count, one page with its counts (permission and snapshot cached)
    with uncached(), django_assert_num_queries(5 + session_queries()):
        response = director_client.get(url, {"tahun": 2020, "halaman": 2})
    assert response.context["page"].number == 2
    assert len(response.context["page"].object_list) == 65 - 50  # 5 of the world + 60 new, 50 a page


def test_unknown_places_are_404_not_500(director_client, fresh):
    assert director_client.get(reverse("dashboards:province", args=["99"])).status_code == 404
    assert director_client.get(reverse("dashboards:regency", args=["32.99"])).status_code == 404
    assert director_client.get(reverse("dashboards:export_provinces", args=["pdf"])).status_code == 404
    assert director_client.get(reverse("dashboards:regency", args=["32.04"]), {"halaman": "abc"}).status_code == 200


def test_the_map_colours_provinces_and_lists_those_without_an_outline(director_client, world):
    make_application(
        scheme=world.tkm, regency="93.01", status="approved", days_to_decision=2, approved_amount=40_000_000
    )  # fmt: skip  (Merauke, Papua Selatan since 2022)
    services.tallies_recompute()

    response = director_client.get(reverse("dashboards:map"), {"tahun": 2020, "angka": "groups_approved"})

    assert response.status_code == 200
    shapes = {shape.code: shape for shape in response.context["map"].shapes}
    assert len(shapes) == 34
    assert shapes["32"].fill != shapes["11"].fill  # Jawa Barat has approvals, Aceh has none
    assert [code for code, _name, _label in response.context["map"].unmatched] == ["93"]
    assert "Papua Selatan" in response.content.decode()


# --- exports ---------------------------------------------------------------------------------------


def test_the_province_table_exports_to_excel_with_the_same_figures(director_client, fresh):
    response = director_client.get(
        reverse("dashboards:export_provinces", args=["xlsx"]), {"tahun": 2020, "program": "TKM"}
    )

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    as_of = timezone.localtime(fresh.as_of)
    assert rows[0][0].startswith("Rekap provinsi — TKM 2020 per ")
    assert rows[0][0].endswith(f"{as_of:%H:%M} WIB")
    assert rows[1][:3] == ("Kode", "Nama", "Kelompok terdaftar")
    jabar = next(row for row in rows if row[0] == "32")
    assert jabar[2] == 8 and jabar[5] == 3


def test_the_excel_export_is_made_for_people(director_client, fresh):
    response = director_client.get(reverse("dashboards:export_provinces", args=["xlsx"]), {"tahun": 2020})

    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[2]]
    money = header.index("Nilai disetujui (Rp)") + 1
    jabar_row = next(row for row in sheet.iter_rows(min_row=3) if row[0].value == "32")
    assert sheet["A1"].font.bold and "per" in sheet["A1"].value
    assert all(cell.font.bold for cell in sheet[2])
    assert sheet.freeze_panes == "A3"
    assert jabar_row[money - 1].number_format == '"Rp"#,##0'
    assert isinstance(jabar_row[money - 1].value, int), "money stays a number the spreadsheet can sum"
    assert sheet.column_dimensions["B"].width >= len("Nama") + 2
    assert sheet.column_dimensions["C"].width >= len("Kelompok terdaftar")


def test_exports_escape_formulas_in_names(director_client, world, fresh):
    make_application(scheme=world.tkm, regency="32.04", status="submitted", name='=HYPERLINK("http://x","klik")')

    response = director_client.get(reverse("dashboards:export_regency", args=["32.04", "csv"]), {"tahun": 2020})

    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert ",=HYPERLINK" not in text and '"=HYPERLINK' not in text
    xlsx = director_client.get(reverse("dashboards:export_regency", args=["32.04", "xlsx"]), {"tahun": 2020})
    cells = [c for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True) for c in row]
    assert '\'=HYPERLINK("http://x","klik")' in cells


# --- the refresh button ------------------------------------------------------------------------------


@pytest.fixture
def reference_data(transactional_db):
    # A transactional test that ran before this one may have flushed regions, banks and roles away.
    restore_reference_data()


def real_commits(test):
    """The refresh tests commit for real: what the button says depends on what happened after the commit."""
    return pytest.mark.django_db(transaction=True)(pytest.mark.usefixtures("reference_data")(test))


@real_commits
def test_refresh_queues_a_recompute_after_commit(director_client, director, outdated):
    with mock.patch.object(recompute_tallies, "apply_async") as apply_async:
        response = director_client.post(reverse("dashboards:refresh"), follow=True)

    apply_async.assert_called_once()
    assert "sedang diproses" in response.content.decode()
    assert TallyRefresh.objects.get().queued


@real_commits
def test_refresh_in_eager_mode_makes_a_new_current_snapshot(director_client, outdated):
    director_client.post(reverse("dashboards:refresh"))

    assert services.current_snapshot() != outdated
    assert TallySnapshot.objects.count() == 2


@real_commits
def test_refresh_is_throttled(director_client, outdated):
    with mock.patch.object(recompute_tallies, "apply_async") as apply_async:
        director_client.post(reverse("dashboards:refresh"))
        response = director_client.post(reverse("dashboards:refresh"), follow=True)

    assert apply_async.call_count == 1
    assert "Coba lagi dalam 5 menit" in response.content.decode()


@real_commits
def test_refresh_is_allowed_again_after_the_interval(director_client, director, outdated):
    TallyRefresh.objects.create(requested_by=director, requested_at=timezone.now() - datetime.timedelta(minutes=6))
    with mock.patch.object(recompute_tallies, "apply_async") as apply_async:
        director_client.post(reverse("dashboards:refresh"))

    assert apply_async.call_count == 1


@real_commits
def test_refresh_says_the_data_is_already_fresh_and_queues_nothing(director_client, fresh):
    with mock.patch.object(recompute_tallies, "apply_async") as apply_async:
        response = director_client.post(reverse("dashboards:refresh"), follow=True)

    apply_async.assert_not_called()
    assert "Data sudah terbaru: tidak ada perubahan sejak rekap" in response.content.decode()
    assert not TallyRefresh.objects.exists()


@real_commits
def test_refresh_after_an_application_changed_queues_a_recompute(director_client, fresh, world):
    application = next(iter(world.applications.values()))
    application.save()  # its updated_at moves past the snapshot
    with mock.patch.object(recompute_tallies, "apply_async") as apply_async:
        director_client.post(reverse("dashboards:refresh"))

    apply_async.assert_called_once()


def test_refresh_is_post_only(director_client):
    assert director_client.get(reverse("dashboards:refresh")).status_code == 405


# --- reliability: Redis / the broker down ---------------------------------------------------------------


@real_commits
def test_with_the_broker_down_the_page_serves_the_last_snapshot_and_says_the_refresh_was_not_queued(
    director_client, fresh
):
    TallySnapshot.objects.filter(pk=fresh.pk).update(as_of=timezone.now() - datetime.timedelta(minutes=42))
    cache.delete(services.CURRENT_SNAPSHOT_KEY)  # the row was aged behind the cache's back
    down = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with mock.patch.object(recompute_tallies, "apply_async", side_effect=down):
        response = director_client.post(reverse("dashboards:refresh"), follow=True)

    assert response.status_code == 200
    html = response.content.decode()
    assert "tidak dapat dijadwalkan" in html
    assert "42 menit lalu" in html
    assert response.context["rows"]  # the last snapshot's figures
    assert services.current_snapshot() == fresh
    # A refused request does not hold the throttle: the next click tries again.
    assert not TallyRefresh.objects.get().queued
    from jps_portal.celery import broker_breaker

    broker_breaker().reset()  # Redis is back, and the publishing breaker's window is over
    with mock.patch.object(recompute_tallies, "apply_async") as apply_async:
        director_client.post(reverse("dashboards:refresh"))
    apply_async.assert_called_once()


def test_the_director_role_holds_the_dashboard_permission(director):
    assert director.has_perm("dashboards.view_dashboard")
    assert Role.DIRECTOR.value in director.groups.values_list("name", flat=True)


@real_commits
def test_with_redis_really_unreachable_the_dashboard_serves_the_snapshot_and_the_button_says_not_queued(
    director_client, outdated, settings, monkeypatch
):
    """No mocks: the broker and the cache point at a closed port on 127.0.0.1."""
    from jps_portal.celery import celery_app

    dead = "redis://127.0.0.1:1/0"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": dead}}
    previous = (celery_app.conf.task_always_eager, celery_app.conf.broker_url)
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = dead
    monkeypatch.setenv("CELERY_BROKER_URL", dead)  # Celery reads this variable before its settings
    _forget_broker_connections(celery_app)
    try:
        page = director_client.get(NATIONAL, {"tahun": 2020})
        refresh = director_client.post(reverse("dashboards:refresh"), follow=True)
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = previous
        _forget_broker_connections(celery_app)

    assert page.status_code == 200
    assert 'id="tile-groups">10<' in page.content.decode()
    assert refresh.status_code == 200
    assert "tidak dapat dijadwalkan" in refresh.content.decode(), [str(m) for m in refresh.context["messages"]]
    assert services.current_snapshot() == outdated


def _forget_broker_connections(app) -> None:
    # Celery keeps its connection pools for the broker it first saw (what it does after a fork).
    from jps_portal.celery import _drop_producer_pool

    app._pool = None
    app.__dict__.get("amqp") and setattr(app.amqp, "_producer_pool", None)
    _drop_producer_pool()  # and the requests' own producers (short timeouts)


def test_a_revoked_dashboard_permission_takes_effect_within_the_cache_time(director_client, director, fresh):
    from django.contrib.auth.models import Group as AuthGroup

    from dashboards.views import PERMISSION_CACHE_SECONDS

    assert director_client.get(NATIONAL).status_code == 200
    director.groups.remove(AuthGroup.objects.get(name=Role.DIRECTOR.value))
    assert PERMISSION_CACHE_SECONDS <= 60
    cache.delete(f"dash:may-view:{director.pk}")  # as when the minute has passed
    assert director_client.get(NATIONAL).status_code == 403


def _csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_a_page_served_from_the_cache_carries_the_visitors_own_working_csrf_token(fresh, director, db):
    from django.test import Client

    from tests.factories import UserFactory

    other_director = UserFactory(username="sri-direktur", scope_national=True, role=Role.DIRECTOR)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(director)
    second.force_login(other_director)
    first_html = first.get(NATIONAL, {"tahun": 2020}).content.decode()  # drawn and kept
    second_html = second.get(NATIONAL, {"tahun": 2020}).content.decode()  # served from the cache

    assert "__csrf_slot__" not in second_html
    assert _csrf(second_html) != _csrf(first_html)
    with mock.patch.object(recompute_tallies, "apply_async"):
        refresh = second.post(reverse("dashboards:refresh"), {"csrfmiddlewaretoken": _csrf(second_html)})
    assert refresh.status_code == 302  # the token from the cached page passes the CSRF check


def test_a_page_with_a_message_for_this_visitor_is_never_served_from_the_cache(director_client, fresh):
    director_client.get(NATIONAL)  # drawn and kept, without a message
    with mock.patch.object(recompute_tallies, "apply_async"):
        after_refresh = director_client.post(reverse("dashboards:refresh"), follow=True).content.decode()
    assert 'class="messages"' in after_refresh  # the refresh's own message, not the cached page
    assert 'class="messages"' not in director_client.get(NATIONAL).content.decode()


def test_the_default_year_is_the_newest_with_an_approved_group(director_client, world):
    from tests.factories import SchemeFactory

    make_application(scheme=SchemeFactory(year=2021, name="TKM 2021"), regency="32.04", status="submitted")
    services.tallies_recompute()

    response = director_client.get(NATIONAL)

    assert response.status_code == 200
    assert "2020" in response.content.decode().split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert '<option value="2021"' in response.content.decode()  # the newer year can still be chosen
