"""The read endpoints as a partner uses them: masked NIKs, stable cursor pages, ETags, a fixed number
of queries per page, the current tallies and the public list."""

import datetime
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from applications.models import Application
from dashboards.services import tallies_recompute
from partners import services
from tests.factories import ApplicationFactory, GroupFactory, add_members
from tests.partners.conftest import call, make_client

pytestmark = pytest.mark.django_db


def _walk(api, path: str, key: str) -> list[int]:
    """Every id of a list, page by page, following ``next``."""
    ids, url = [], path
    while url:
        body = call(api, url, key).json()
        ids += [row["id"] for row in body["results"]]
        url = body["next"]
    return ids


def _applications(count: int, regency: str = "32.04") -> list[Application]:
    made = []
    for index in range(count):
        application = ApplicationFactory(group=GroupFactory(regency_id=regency), status=Application.Status.SUBMITTED)
        application.status_changes.create(from_status="draft", to_status="submitted", changed_at=timezone.now())
        made.append(application)
        if index % 2:
            add_members(application.group, 2)
    return made


def test_niks_are_masked_without_the_nik_scope(api, jabar_key, two_provinces):
    bandung, _ = two_provinces
    rows = call(api, "/api/v1/members/", jabar_key).json()["results"]
    niks = {member.nik for member in bandung.group.members.all()}
    assert len(rows) == 3
    assert all(row["nik"] not in niks and row["nik"][:6] + "******" == row["nik"][:12] for row in rows)


def test_niks_are_whole_with_the_nik_scope(api, jabar_system, portal_admin, two_provinces):
    bandung, _ = two_provinces
    jabar_system.scopes = ["applications:read", "nik:read"]
    jabar_system.save()
    key = services.api_key_issue(client=jabar_system, by=portal_admin).plaintext
    rows = call(api, "/api/v1/members/", key).json()["results"]
    assert {row["nik"] for row in rows} == {member.nik for member in bandung.group.members.all()}


def test_a_cursor_walk_sees_every_row_once_even_when_rows_change_meanwhile(api, jabar_key):
    made = _applications(7)
    first = call(api, "/api/v1/applications/?page_size=3", jabar_key).json()
    # A row already read and a row not yet read change while the partner walks the list.
    Application.objects.filter(pk__in=[made[0].pk, made[5].pk]).update(updated_at=timezone.now())
    ids = [row["id"] for row in first["results"]] + _walk(api, first["next"], jabar_key)
    assert ids == sorted(application.pk for application in made)


def test_filters_narrow_the_list(api, jabar_key):
    old, recent = _applications(2)
    Application.objects.filter(pk=old.pk).update(updated_at=timezone.now() - datetime.timedelta(days=3))
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    rows = call(api, f"/api/v1/applications/?{urlencode({'updated_since': since})}", jabar_key).json()["results"]
    assert [row["id"] for row in rows] == [recent.pk]
    assert call(api, "/api/v1/applications/?status=approved", jabar_key).json()["results"] == []
    assert len(call(api, "/api/v1/applications/?year=2020&programme=TKM", jabar_key).json()["results"]) == 2
    assert call(api, "/api/v1/applications/?year=2021", jabar_key).json()["results"] == []


def test_an_unchanged_page_answers_304_and_a_changed_one_200(api, jabar_key):
    made = _applications(2)
    first = call(api, "/api/v1/applications/", jabar_key)
    etag = first["ETag"]
    again = call(api, "/api/v1/applications/", jabar_key, HTTP_IF_NONE_MATCH=etag)
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", etag)
    Application.objects.filter(pk=made[0].pk).update(status=Application.Status.VERIFIED)
    changed = call(api, "/api/v1/applications/", jabar_key, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    detail = call(api, f"/api/v1/applications/{made[1].pk}/", jabar_key)
    assert (
        call(api, f"/api/v1/applications/{made[1].pk}/", jabar_key, HTTP_IF_NONE_MATCH=detail["ETag"]).status_code
        == 304
    )


# Key + client, the client's provinces and regencies, the page (+ the status history for applications),
# the call log's INSERT: the same for 5 rows or 40.
@pytest.mark.parametrize(
    ("path", "queries"), [("/api/v1/applications/", 6), ("/api/v1/groups/", 5), ("/api/v1/members/", 5)]
)
def test_a_page_costs_the_same_queries_for_a_few_rows_or_many(
    api, jabar_key, django_assert_max_num_queries, path, queries
):
    _applications(5)
    with django_assert_max_num_queries(queries):
        assert call(api, f"{path}?page_size=50", jabar_key).status_code == 200
    _applications(35)
    with django_assert_max_num_queries(queries):
        assert len(call(api, f"{path}?page_size=50", jabar_key).json()["results"]) >= 38


def test_the_status_history_comes_with_each_application(api, jabar_key):
    (application,) = _applications(1)
    row = call(api, f"/api/v1/applications/{application.pk}/", jabar_key).json()
    assert row["status"] == "submitted"
    assert [(h["from_status"], h["to_status"]) for h in row["status_history"]] == [("draft", "submitted")]


def test_tallies_are_the_current_snapshot_with_its_time_in_the_clients_region(api, portal_admin, two_provinces):
    Application.objects.update(status=Application.Status.APPROVED, approved_amount=40_000_000)
    snapshot = tallies_recompute()
    jabar = make_client(name="BI Jabar", scopes=["tallies:read"], provinces=["32"], by=portal_admin)
    key = services.api_key_issue(client=jabar, by=portal_admin).plaintext
    body = call(api, "/api/v1/tallies/", key).json()
    assert datetime.datetime.fromisoformat(body["as_of"]) == snapshot.as_of
    assert {row["province"] for row in body["provinces"]} == {"32"}
    assert {row["regency"] for row in body["regencies"]} == {"32.04"}
    assert body["provinces"][0]["groups_approved"] == 1
    assert call(api, "/api/v1/tallies/?year=1999", key).status_code == 400


def test_tallies_before_any_snapshot_are_a_404_problem(api, bi_key):
    response = call(api, "/api/v1/tallies/", bi_key)
    assert response.status_code == 404
    assert response.json()["detail"] == "Rekap belum pernah dihitung."


def test_the_public_list_is_transparencys_rows_with_the_ketua_masked(api, bi_key, two_provinces):
    bandung, surabaya = two_provinces
    Application.objects.update(status=Application.Status.APPROVED, approved_amount=40_000_000)
    body = call(api, "/api/v1/public/funded-groups/?year=2020", bi_key).json()
    assert [row["id"] for row in body["results"]] == sorted([bandung.pk, surabaya.pk])
    ketua = bandung.group.members.get(role="ketua").name
    row = next(row for row in body["results"] if row["id"] == bandung.pk)
    assert row["ketua"] != ketua and row["ketua"][0] == ketua[0]
    assert set(row) == {
        "id",
        "group_name",
        "village",
        "regency",
        "province",
        "programme",
        "approved_amount",
        "paid_amount",
        "members",
        "ketua",
    }
    assert call(api, "/api/v1/public/funded-groups/", bi_key).status_code == 400  # the year is required


def test_the_fast_row_equals_the_generic_one(two_provinces):
    from rest_framework import serializers as drf

    from partners import selectors
    from partners.serializers import ApplicationSerializer
    from regions.scope import RegionScope

    bandung, _ = two_provinces
    bandung.status_changes.create(
        from_status="submitted", to_status="revision_requested", changed_at=timezone.now(), reason_code="a,b"
    )
    Application.objects.filter(pk=bandung.pk).update(submitted_at=timezone.now(), approved_amount=1)
    national = RegionScope(national=True, province_codes=frozenset(), regency_codes=frozenset())
    rows = list(selectors.applications_for(national))
    fast = ApplicationSerializer(rows, many=True).data
    generic = [drf.ModelSerializer.to_representation(ApplicationSerializer(), row) for row in rows]
    assert [dict(row) for row in fast] == [dict(row) for row in generic]
    assert any(row["status_history"] and row["submitted_at"] for row in fast)


def test_the_list_shows_what_the_detail_shows(api, jabar_key):
    """The list builds its rows from values, the detail from the serializer: the same JSON."""
    made = _applications(3)
    made[0].status_changes.create(
        from_status="submitted", to_status="revision_requested", changed_at=timezone.now(), reason_code="a,,b"
    )
    Application.objects.filter(pk=made[1].pk).update(submitted_at=timezone.now(), approved_amount=7)
    listed = call(api, "/api/v1/applications/?page_size=1000", jabar_key).json()["results"]
    assert len(listed) == 3
    for row in listed:
        assert row == call(api, f"/api/v1/applications/{row['id']}/", jabar_key).json()
    assert [change["reasons"] for change in listed[0]["status_history"]] == [[], ["a", "b"]]
    assert listed[1]["submitted_at"].endswith("+07:00") and listed[1]["approved_amount"] == 7
