"""The officer's pages for Disnaker member lists: upload → preview → confirm, inside the region scope."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from applications.member_lists import member_list_upload, member_list_validate
from applications.models import Application, MemberListImport
from groups.models import Group
from tests.applications.member_list_files import csv_upload, member_rows
from tests.factories import SchemeFactory, UserFactory

Status = MemberListImport.Status
UPLOAD = reverse("admin:applications_memberlistimport_upload")


@pytest.fixture
def small_scheme(db):
    return SchemeFactory(year=2020, members_min=3, members_max=5)


@pytest.fixture
def central_java_officer(db):
    """Sri, verifikator at Disnaker Jawa Tengah."""
    user = UserFactory(username="sri", role=Role.VERIFIER)
    user.scope_provinces.add("33")
    return user


def _job_url(job: MemberListImport, name: str = "job") -> str:
    # "change" is the admin's own page, which sends on to "job".
    return reverse(f"admin:applications_memberlistimport_{name}", args=[job.pk])


def test_an_officer_uploads_previews_and_confirms_a_list(client, verifier, small_scheme):
    client.force_login(verifier)
    rows = member_rows("DSN-A") + member_rows("DSN-B", first_serial=10)

    response = client.post(UPLOAD, {"file": csv_upload(rows)})
    job = MemberListImport.objects.get()
    assert response.status_code == 302 and response["Location"] == _job_url(job)

    preview = client.get(_job_url(job))
    assert preview.status_code == 200
    assert b"Impor sekarang" in preview.content
    assert job.status == Status.VALIDATED and job.groups_new == 2 and job.members_new == 6
    assert not Group.objects.exists(), "the preview imports nothing"

    confirmed = client.post(_job_url(job, "confirm"), follow=True)
    assert confirmed.status_code == 200
    assert "2 kelompok, 6 anggota dan 2 pengajuan diimpor." in confirmed.content.decode()
    assert Application.objects.filter(status="submitted", province_id="32").count() == 2


def test_the_preview_shows_row_errors_and_offers_no_confirm(client, verifier, small_scheme):
    client.force_login(verifier)
    rows = member_rows("DSN-A")
    rows[1]["nik"] = "123"
    client.post(UPLOAD, {"file": csv_upload(rows)})
    job = MemberListImport.objects.get()

    page = client.get(_job_url(job)).content.decode()
    assert "NIK harus terdiri dari 16 angka." in page
    assert "Impor sekarang" not in page
    errors = client.get(_job_url(job, "errors"))
    assert errors.status_code == 200
    assert "NIK harus terdiri dari 16 angka." in b"".join(errors.streaming_content).decode("utf-8-sig")

    client.post(_job_url(job, "confirm"))
    assert not Group.objects.exists()


def test_a_west_java_officer_uploading_a_central_java_row_gets_a_row_error(client, verifier, small_scheme):
    client.force_login(verifier)
    rows = member_rows("DSN-JATENG", province="33", regency="33.01", district="330101")
    client.post(UPLOAD, {"file": csv_upload(rows)})
    job = MemberListImport.objects.get()

    assert job.status == Status.INVALID
    assert "Wilayah ini di luar wilayah tugas Anda." in client.get(_job_url(job)).content.decode()


def test_jobs_outside_the_officers_region_are_not_found(client, verifier, central_java_officer, small_scheme):
    rows = member_rows("DSN-JATENG", province="33", regency="33.01", district="330101")
    job = member_list_validate(job=member_list_upload(upload=csv_upload(rows), by=central_java_officer))
    assert (job.status, job.province_id) == (Status.VALIDATED, "33")
    spoiled = member_rows("DSN-JATENG-2", province="33", regency="33.01", district="330101", account_number="x")
    invalid = member_list_validate(job=member_list_upload(upload=csv_upload(spoiled), by=central_java_officer))
    client.force_login(verifier)

    assert client.get(_job_url(invalid, "errors")).status_code == 404

    for name in ("job", "errors", "change"):
        url = (
            reverse("admin:applications_memberlistimport_change", args=[job.pk])
            if name == "change"
            else _job_url(job, name)
        )  # noqa: E501
        assert client.get(url).status_code == 404, name
    assert client.post(_job_url(job, "confirm")).status_code == 404
    changelist = client.get(reverse("admin:applications_memberlistimport_changelist"))
    assert changelist.status_code == 200 and job.original_name not in changelist.content.decode()


def test_an_officer_of_the_same_province_sees_a_colleagues_list(client, verifier, small_scheme):
    colleague = UserFactory(username="asep", role=Role.VERIFIER)
    colleague.scope_provinces.add("32")
    job = member_list_validate(job=member_list_upload(upload=csv_upload(member_rows()), by=colleague))
    client.force_login(verifier)

    assert job.province_id == "32"
    assert client.get(_job_url(job)).status_code == 200


def test_a_refused_file_is_an_error_on_the_form_and_stores_nothing(client, verifier, small_scheme, settings):
    settings.MEMBER_LIST_MAX_BYTES = 1024
    client.force_login(verifier)

    response = client.post(UPLOAD, {"file": SimpleUploadedFile("besar.csv", b"x" * 2048)})
    assert response.status_code == 200
    assert "Berkas terlalu besar" in response.content.decode()
    response = client.post(UPLOAD, {"file": SimpleUploadedFile("surat.pdf", b"%PDF-1.4")})
    assert "Berkas harus berupa CSV atau XLSX" in response.content.decode()
    assert not MemberListImport.objects.exists()


def test_a_big_list_shows_a_progress_page_that_refreshes_itself(client, verifier, small_scheme, settings):
    settings.MEMBER_LIST_SYNC_MAX_ROWS = 1
    job = member_list_upload(upload=csv_upload(member_rows()), by=verifier)  # queued, not yet checked
    client.force_login(verifier)

    page = client.get(_job_url(job)).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page
    assert "<progress" in page


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_template_downloads(client, verifier, small_scheme, file_format):
    client.force_login(verifier)
    response = client.get(reverse("admin:applications_memberlistimport_template", args=[file_format]))

    assert response.status_code == 200
    assert "templat-daftar-anggota" in response["Content-Disposition"]
    if file_format == "csv":
        assert response.content.decode("utf-8-sig").startswith("group_code,group_name,scheme_year,programme")


def test_roles_without_the_permission_cannot_upload(client, finance, small_scheme):
    client.force_login(finance)

    assert client.get(UPLOAD).status_code == 403
    assert client.post(UPLOAD, {"file": csv_upload(member_rows())}).status_code == 403
    assert not MemberListImport.objects.exists()


def test_the_preview_of_a_list_with_errors_does_not_promise_to_create_anything(client, verifier, small_scheme):
    client.force_login(verifier)
    client.post(UPLOAD, {"file": csv_upload(member_rows(account_number="12ab"))})
    page = client.get(_job_url(MemberListImport.objects.get())).content.decode()

    assert "akan dibuat" not in page
    assert "belum dapat diimpor" in page


# --- provinces without a quota, said in the dry run (issue 11 §2) ------------------------------------


def test_the_dry_run_says_which_province_has_no_quota_for_the_scheme(client, verifier, small_scheme):
    from tests.factories import SchemeQuotaFactory

    SchemeQuotaFactory(scheme=small_scheme, province_id="33")  # Jawa Tengah only
    client.force_login(verifier)
    client.post(UPLOAD, {"file": csv_upload(member_rows("DSN-A") + member_rows("DSN-B", first_serial=10))})
    job = MemberListImport.objects.get()

    page = client.get(_job_url(job)).content.decode()

    assert job.status == Status.VALIDATED, "a missing quota does not stop the import"
    assert job.warnings == [
        "Provinsi Jawa Barat (32) belum punya kuota skema TKM — Tenaga Kerja Mandiri 2020: 2 kelompok dalam berkas "
        "ini (baris pertama 2) dapat diimpor, tetapi pengajuannya tidak dapat disetujui sampai kuota provinsi "
        "ditetapkan. Minta admin pusat menetapkan kuotanya lebih dulu."
    ]
    assert 'id="job-warnings"' in page and "belum punya kuota skema" in page


def test_the_dry_run_says_nothing_of_quotas_when_the_province_has_one(client, verifier, small_scheme):
    from tests.factories import SchemeQuotaFactory

    SchemeQuotaFactory(scheme=small_scheme, province_id="32")
    client.force_login(verifier)
    client.post(UPLOAD, {"file": csv_upload(member_rows("DSN-A"))})

    job = MemberListImport.objects.get()
    assert job.warnings == []
    assert 'id="job-warnings"' not in client.get(_job_url(job)).content.decode()


@pytest.mark.parametrize(
    ("role", "may_import"),
    [
        (Role.VERIFIER, True),  # Disnaker officers run the intakes of their region
        (Role.ADMIN, True),
        (Role.APPROVER, False),
        (Role.FINANCE, False),
        (Role.DIRECTOR, False),
        (Role.MENTOR, False),
    ],
)
def test_the_roles_that_run_intakes_hold_the_import_permission(db, role, may_import):
    user = UserFactory(role=role)

    assert user.has_perm("applications.add_memberlistimport") is may_import
    assert user.has_perm("applications.view_memberlistimport") is may_import
