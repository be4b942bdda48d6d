"""Disnaker Jawa Barat's system uploads a member list: dry run (rows and errors), then confirm —
the admin's member-list job service, inside the client's region."""

import pytest

from applications.models import Application, MemberListImport
from groups.models import Group
from partners import services
from partners.models import Client, Scope
from tests.applications.member_list_files import csv_upload, member_rows, xlsx_upload
from tests.factories import SchemeFactory
from tests.partners.conftest import make_client

pytestmark = pytest.mark.django_db
URL = "/api/v1/member-lists/"
Status = MemberListImport.Status


@pytest.fixture
def small_scheme(db):
    return SchemeFactory(year=2020, members_min=3, members_max=5)


@pytest.fixture
def disnaker_jabar(portal_admin) -> Client:
    return make_client(name="Disnaker Jabar", scopes=[Scope.MEMBER_LISTS_WRITE], provinces=["32"], by=portal_admin)


@pytest.fixture
def jabar_lists_key(disnaker_jabar, portal_admin) -> str:
    return services.api_key_issue(client=disnaker_jabar, by=portal_admin).plaintext


def auth(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def upload(api, key: str, file):  # noqa: ANN001, ANN201
    return api.post(URL, {"file": file}, format="multipart", **auth(key))


def test_it_uploads_checks_and_confirms_a_list(api, jabar_lists_key, small_scheme):
    rows = member_rows("DSN-A") + member_rows("DSN-B", first_serial=10)
    response = upload(api, jabar_lists_key, csv_upload(rows))
    assert response.status_code == 201, response.json()
    job = response.json()
    assert (job["status"], job["rows_total"], job["groups_new"], job["members_new"]) == ("validated", 6, 2, 6)
    assert job["errors"] == []
    assert not Group.objects.exists(), "the dry run imports nothing"

    assert api.get(f"{URL}{job['id']}/", **auth(jabar_lists_key)).json()["status"] == "validated"
    confirmed = api.post(f"{URL}{job['id']}/confirm/", **auth(jabar_lists_key))
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "imported"
    assert Application.objects.filter(status="submitted", province_id="32").count() == 2
    # Recorded as the client's, as in the admin's job list.
    assert MemberListImport.objects.get().uploaded_by.first_name == "API: Disnaker Jabar"


def test_confirming_twice_imports_once(api, jabar_lists_key, small_scheme):
    job = upload(api, jabar_lists_key, csv_upload(member_rows("DSN-A"))).json()
    api.post(f"{URL}{job['id']}/confirm/", **auth(jabar_lists_key))
    again = api.post(f"{URL}{job['id']}/confirm/", **auth(jabar_lists_key))
    assert again.status_code == 200 and again.json()["status"] == "imported"
    assert Group.objects.count() == 1


def test_the_dry_run_lists_row_errors_and_the_list_cannot_be_confirmed(api, jabar_lists_key, small_scheme):
    rows = member_rows("DSN-A")
    rows[1]["nik"] = "123"
    job = upload(api, jabar_lists_key, xlsx_upload(rows)).json()
    assert job["status"] == "invalid"
    assert [(error["row"], error["column"]) for error in job["errors"]] == [(3, "nik")]
    refused = api.post(f"{URL}{job['id']}/confirm/", **auth(jabar_lists_key))
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/conflict")
    assert not Group.objects.exists()


def test_a_jawa_barat_client_cannot_import_a_jawa_tengah_group(api, jabar_lists_key, small_scheme):
    rows = member_rows("DSN-C", province="33", regency="33.74", district="337401")
    job = upload(api, jabar_lists_key, csv_upload(rows)).json()
    assert job["status"] == "invalid"
    assert {error["message"] for error in job["errors"]} == {"Wilayah ini di luar wilayah tugas Anda."}


def test_the_region_scope_follows_the_client_when_it_changes(api, disnaker_jabar, jabar_lists_key, small_scheme):
    upload(api, jabar_lists_key, csv_upload(member_rows("DSN-A")))
    disnaker_jabar.scope_provinces.set(["33"])
    job = upload(api, jabar_lists_key, csv_upload(member_rows("DSN-B", first_serial=10))).json()
    assert job["status"] == "invalid"


def test_a_refused_file_is_a_422_problem_and_stores_nothing(api, jabar_lists_key, small_scheme):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = upload(api, jabar_lists_key, SimpleUploadedFile("daftar.csv", b"a,b\n1,2\n"))
    assert response.status_code == 422
    assert response.json()["type"].endswith("/member-list-refused")
    assert "file" in response.json()["errors"]
    assert not MemberListImport.objects.exists()


def test_another_clients_job_is_404(api, portal_admin, jabar_lists_key, small_scheme):
    job = upload(api, jabar_lists_key, csv_upload(member_rows("DSN-A"))).json()
    other = make_client(name="Disnaker Jabar 2", scopes=[Scope.MEMBER_LISTS_WRITE], provinces=["32"], by=portal_admin)
    other_key = services.api_key_issue(client=other, by=portal_admin).plaintext
    assert api.get(f"{URL}{job['id']}/", **auth(other_key)).status_code == 404
    assert api.post(f"{URL}{job['id']}/confirm/", **auth(other_key)).status_code == 404
    assert not Group.objects.exists()


def test_a_client_without_the_scope_gets_403(api, jabar_key, small_scheme):
    response = upload(api, jabar_key, csv_upload(member_rows("DSN-A")))
    assert response.status_code == 403
    assert response.json()["detail"] == "Klien ini tidak memiliki hak akses member-lists:write."
    assert not MemberListImport.objects.exists()


def test_the_clients_account_cannot_log_in(api, jabar_lists_key, disnaker_jabar, small_scheme):
    upload(api, jabar_lists_key, csv_upload(member_rows("DSN-A")))
    disnaker_jabar.refresh_from_db()
    assert not disnaker_jabar.actor.has_usable_password()
    assert not disnaker_jabar.actor.is_staff
