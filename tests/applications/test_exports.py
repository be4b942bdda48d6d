"""Exports of applications: every path escapes formulas, stays in the officer's region, streams,
and reads its rows in a fixed number of queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import Application
from applications.resources import ApplicationResource
from groups.models import Member
from groups.names import typed_text_clean
from tests.factories import ApplicationFactory, GroupFactory, add_members
from tests.spreadsheets.helpers import FORMULA_PAYLOADS, admin_export_form, read_export

pytestmark = pytest.mark.django_db

FORMATS = ["csv", "xlsx"]
EXPORT_URL = reverse("admin:applications_application_export")


def stream_url(file_format: str) -> str:
    return reverse("admin:applications_application_stream_export", args=[file_format])


def _application(*, name: str = "Kelompok Maju", regency: str = "32.04", members: int = 3, **fields) -> Application:
    group = GroupFactory(name=name, regency_id=regency)
    add_members(group, members)
    return ApplicationFactory(group=group, **fields)


@pytest.fixture
def poisoned():
    """One Jawa Barat application per formula payload, the payload as its group's name."""
    return [_application(name=payload) for payload in FORMULA_PAYLOADS]


def _export(client, path: str, file_format: str, query: str = ""):
    if path == "admin":
        return client.post(EXPORT_URL + query, admin_export_form(ApplicationResource, file_format))
    return client.get(stream_url(file_format) + query)


@pytest.mark.parametrize("file_format", FORMATS)
@pytest.mark.parametrize("path", ["admin", "stream"])
def test_it_escapes_every_formula_payload(client, verifier, poisoned, path, file_format):
    client.force_login(verifier)
    response = _export(client, path, file_format)
    assert response.status_code == 200
    names = {row["group_name"] for row in read_export(response, file_format)}
    # Names are stored as they show (groups.names): the tab of "\t=1" is gone, the "=" escaped.
    assert names == {"'" + typed_text_clean(payload) for payload in FORMULA_PAYLOADS}


@pytest.mark.parametrize("file_format", FORMATS)
@pytest.mark.parametrize("path", ["admin", "stream"])
def test_a_jawa_barat_officer_exports_no_jawa_tengah_rows(client, verifier, path, file_format):
    west = _application(regency="32.04")
    _application(regency="33.74")  # Kota Semarang, Jawa Tengah
    client.force_login(verifier)
    rows = read_export(_export(client, path, file_format), file_format)
    assert [row["reference"] for row in rows] == [west.reference]
    assert {row["province_code"] for row in rows} == {"32"}


@pytest.mark.parametrize("path", ["admin", "stream"])
def test_it_exports_only_what_the_change_list_filter_shows(client, second_verifier, path):
    submitted = _application(status=Application.Status.SUBMITTED)
    _application(status=Application.Status.DRAFT)
    client.force_login(second_verifier)
    rows = read_export(_export(client, path, "csv", "?status__exact=submitted"), "csv")
    assert [row["reference"] for row in rows] == [submitted.reference]


def test_it_exports_the_columns_with_amounts_as_integers_and_counts_from_sql(client, second_verifier):
    moment = timezone.make_aware(datetime.datetime(2020, 10, 2, 9, 30))
    application = _application(
        members=20,
        status=Application.Status.APPROVED,
        approved_amount=35_000_000,
        submitted_at=moment,
        decided_at=moment,
    )
    client.force_login(second_verifier)
    (row,) = read_export(client.get(stream_url("xlsx")), "xlsx")
    women = application.group.members.filter(sex=Member.Sex.FEMALE).count()
    assert row == {
        "reference": application.reference,
        "group_code": application.group.code,
        "group_name": "Kelompok Maju",
        "programme": "TKM",
        "scheme_year": 2020,
        "province_code": "32",
        "province_name": application.province.name,
        "regency_code": "32.04",
        "regency_name": application.group.regency.name,
        "status": "Disetujui",
        "requested_amount": 40_000_000,
        "approved_amount": 35_000_000,
        "submitted_at": datetime.datetime(2020, 10, 2, 9, 30),
        "decided_at": datetime.datetime(2020, 10, 2, 9, 30),
        "member_count": 20,
        "women_count": women,
    }
    assert women == 7


def test_the_csv_shows_amounts_as_plain_integers_and_jakarta_times(client, second_verifier):
    moment = timezone.make_aware(datetime.datetime(2020, 10, 2, 9, 30))
    _application(submitted_at=moment, status=Application.Status.SUBMITTED)
    client.force_login(second_verifier)
    (row,) = read_export(client.get(stream_url("csv")), "csv")
    assert (row["requested_amount"], row["approved_amount"], row["submitted_at"]) == (
        "40000000",
        "",
        "2020-10-02 09:30",
    )


@pytest.mark.parametrize("file_format", FORMATS)
def test_the_streaming_download_does_not_query_per_row(
    client, second_verifier, django_assert_max_num_queries, file_format
):
    client.force_login(second_verifier)
    _application()

    def run() -> int:
        response = client.get(stream_url(file_format))
        return len(read_export(response, file_format))

    with django_assert_max_num_queries(8) as one:
        assert run() == 1
    for _ in range(49):
        _application(members=2)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert run() == 50


def test_the_admin_export_does_not_query_per_row(client, second_verifier, django_assert_max_num_queries):
    client.force_login(second_verifier)
    _application()
    with django_assert_max_num_queries(12) as one:
        assert len(read_export(_export(client, "admin", "csv"), "csv")) == 1
    for _ in range(49):
        _application(members=2)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(read_export(_export(client, "admin", "csv"), "csv")) == 50


def test_the_csv_download_streams(client, second_verifier):
    client.force_login(second_verifier)
    response = client.get(stream_url("csv"))
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")


def test_the_change_list_links_both_downloads_with_its_filters(client, verifier):
    client.force_login(verifier)
    page = client.get(reverse("admin:applications_application_changelist") + "?status__exact=submitted").content
    assert stream_url("csv").encode() + b"?status__exact=submitted" in page
    assert stream_url("xlsx").encode() in page


def test_an_unknown_download_format_is_a_404(client, verifier):
    client.force_login(verifier)
    assert client.get(stream_url("pdf")).status_code == 404


def test_a_bad_filter_is_refused_not_a_server_error(client, verifier):
    client.force_login(verifier)
    assert client.get(stream_url("csv") + "?nonsense__field=1").status_code in (400, 302)


def test_a_non_staff_user_gets_no_file(client, applicant):
    _application()
    client.force_login(applicant)
    response = client.get(stream_url("csv"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_staff_without_view_permission_gets_403(client, verifier):
    from tests.factories import UserFactory

    clerk = UserFactory(is_staff=True, scope_national=True)
    client.force_login(clerk)
    assert client.get(stream_url("csv")).status_code == 403
    assert client.post(EXPORT_URL, admin_export_form(ApplicationResource, "csv")).status_code == 403


def test_the_xlsx_download_is_made_for_people(client, second_verifier):
    import io

    from openpyxl import load_workbook

    moment = timezone.make_aware(datetime.datetime(2020, 10, 2, 9, 30))
    _application(status=Application.Status.APPROVED, approved_amount=35_000_000, submitted_at=moment)
    client.force_login(second_verifier)

    response = client.get(stream_url("xlsx"))

    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content)).active
    today = timezone.localdate()
    assert sheet["A1"].value.startswith("Pengajuan per ") and str(today.year) in sheet["A1"].value
    assert sheet["A1"].font.bold and all(cell.font.bold for cell in sheet[2])
    assert sheet.freeze_panes == "A3"
    header = [cell.value for cell in sheet[2]]
    approved = sheet.cell(row=3, column=header.index("approved_amount") + 1)
    assert (approved.value, approved.number_format) == (35_000_000, '"Rp"#,##0')
    submitted = sheet.cell(row=3, column=header.index("submitted_at") + 1)
    assert (submitted.value, submitted.number_format) == (datetime.datetime(2020, 10, 2, 9, 30), "dd/mm/yyyy hh:mm")
    assert sheet.column_dimensions["A"].width >= len("JPS-2020-TKM-32-000001")
