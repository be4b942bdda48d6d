"""Bulk intake of Disnaker member lists (applications.member_lists): every rule, every refusal."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications import member_lists
from applications.member_lists import FileRefusedError, member_list_import, member_list_upload, member_list_validate
from applications.models import (
    Application,
    ApplicationStatusChange,
    MemberListImport,
    ReferenceCounter,
)
from groups.models import Group, Member
from tests.applications.member_list_files import csv_bytes, csv_upload, member_rows, xlsx_upload
from tests.factories import GroupFactory, MemberFactory, SchemeFactory, UserFactory

Status = MemberListImport.Status


@pytest.fixture
def small_scheme(db):
    """TKM 2020 with 3–5 members, so a group fits in a few rows."""
    return SchemeFactory(year=2020, members_min=3, members_max=5)


def _checked(rows: list[dict[str, str]], by, **kwargs) -> MemberListImport:
    job = member_list_upload(upload=csv_upload(rows, **kwargs), by=by)
    return member_list_validate(job=job)


def _errors(job: MemberListImport) -> list[tuple[int, str, str]]:
    return [(error["row"], error["column"], error["message"]) for error in job.errors]


def test_it_imports_a_clean_list_as_groups_members_and_submitted_applications(
    small_scheme, verifier, django_capture_on_commit_callbacks
):
    rows = member_rows("DSN-A", count=3) + member_rows("DSN-B", count=4, first_serial=10)
    job = _checked(rows, verifier)

    assert job.status == Status.VALIDATED
    assert (job.rows_total, job.groups_new, job.members_new, job.applications_new) == (7, 2, 7, 2)
    assert Group.objects.count() == 0, "the dry run writes nothing"

    with django_capture_on_commit_callbacks(execute=True):
        member_list_import(job=job, by=verifier)

    job.refresh_from_db()
    assert job.status == Status.IMPORTED
    group = Group.objects.get(code="DSN-B")
    assert (group.year, group.regency_id, group.bank_id) == (2020, "32.04", "002")
    assert group.members.count() == 4
    assert group.members.filter(role="ketua").count() == 1
    application = Application.objects.get(group=group)
    assert application.status == Application.Status.SUBMITTED
    assert application.requested_amount == small_scheme.amount_per_group
    assert application.province_id == "32"
    assert application.reference.startswith("JPS-2020-TKM-32-")
    change = ApplicationStatusChange.objects.get(application=application)
    assert (change.from_status, change.to_status, change.changed_by) == ("", "submitted", verifier)
    assert change.reason_code == member_lists.IMPORT_REASON
    assert Member.history.filter(history_type="+", history_user=verifier).count() == 7
    assert Group.history.filter(code="DSN-B", history_user=verifier).exists()
    assert Application.history.filter(group_id=group.pk).exists()


def test_it_runs_the_integrity_checks_of_the_imported_groups_after_commit(
    small_scheme, verifier, django_capture_on_commit_callbacks
):
    job = _checked(member_rows("DSN-A"), verifier)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        member_list_import(job=job, by=verifier)

    assert len(callbacks) == 2, "one sweep enqueued by the import, then the check the sweep enqueued"
    group = Group.objects.get(code="DSN-A")
    assert group.checks_requested_at is None and group.checks_completed_at is not None


def test_it_numbers_applications_after_the_references_already_used(small_scheme, verifier):
    ReferenceCounter.objects.create(year=2020, programme="TKM", province_id="32", last_number=41)
    rows = member_rows("DSN-A") + member_rows("DSN-B", first_serial=10)
    member_list_import(job=_checked(rows, verifier), by=verifier)

    references = sorted(Application.objects.values_list("reference", flat=True))
    assert references == ["JPS-2020-TKM-32-000042", "JPS-2020-TKM-32-000043"]
    assert ReferenceCounter.objects.get(year=2020, programme="TKM", province_id="32").last_number == 43


def test_it_changes_nothing_when_the_same_file_is_uploaded_again(small_scheme, verifier):
    rows = member_rows("DSN-A") + member_rows("DSN-B", first_serial=10)
    member_list_import(job=_checked(rows, verifier), by=verifier)
    counts = (Group.objects.count(), Member.objects.count(), Application.objects.count())

    again = _checked(rows, verifier)
    assert again.status == Status.VALIDATED
    assert (again.groups_new, again.groups_existing, again.rows_existing, again.error_count) == (0, 2, 6, 0)
    member_list_import(job=again, by=verifier)

    again.refresh_from_db()
    assert again.status == Status.IMPORTED
    assert (Group.objects.count(), Member.objects.count(), Application.objects.count()) == counts


def test_running_the_import_twice_changes_nothing_the_second_time(small_scheme, verifier):
    job = _checked(member_rows("DSN-A"), verifier)
    member_list_import(job=job, by=verifier)
    member_list_import(job=job, by=verifier)

    assert Group.objects.count() == 1 and Member.objects.count() == 3 and Application.objects.count() == 1


def test_it_refuses_wrong_or_missing_columns_before_storing_anything(small_scheme, verifier):
    short = tuple(c for c in member_lists.COLUMNS if c != "nik")
    with pytest.raises(FileRefusedError) as refused:
        member_list_upload(upload=csv_upload(member_rows(), columns=short), by=verifier)
    assert "Kolom tidak ada: nik." in refused.value.messages

    renamed = csv_bytes(member_rows()).replace(b"member_name", b"nama", 1)
    with pytest.raises(FileRefusedError) as refused:
        member_list_upload(upload=SimpleUploadedFile("d.csv", renamed), by=verifier)
    assert "Kolom tidak dikenal: nama." in refused.value.messages
    assert not MemberListImport.objects.exists()


def test_it_reports_a_bad_nik_with_its_row_and_column(small_scheme, verifier):
    rows = member_rows()
    rows[1]["nik"] = "3204120101900000"  # serial 0000
    job = _checked(rows, verifier)

    assert job.status == Status.INVALID
    assert (3, "nik", "Nomor urut NIK (4 angka terakhir) tidak boleh 0000.") in _errors(job)
    assert job.rows_with_errors == 1


def test_it_refuses_a_nik_that_disagrees_with_sex_or_birth_date(small_scheme, verifier):
    rows = member_rows()
    rows[0]["sex"] = "P"
    job = _checked(rows, verifier)

    assert (2, "sex", "Jenis kelamin tidak sesuai dengan NIK.") in _errors(job)


def test_it_refuses_a_group_whose_member_count_breaks_the_scheme(small_scheme, verifier):
    job = _checked(member_rows("DSN-A", count=6), verifier)

    assert job.status == Status.INVALID
    assert (2, "group_code", "Jumlah anggota 6; skema ini mensyaratkan 3–5 orang.") in _errors(job)


def test_it_requires_exactly_one_ketua_sekretaris_and_bendahara(small_scheme, verifier):
    rows = member_rows("DSN-A", count=4)
    rows[3]["role"] = "ketua"
    rows[2]["role"] = "anggota"
    messages = [message for _row, _column, message in _errors(_checked(rows, verifier))]

    assert "Kelompok harus punya tepat satu ketua (ada 2)." in messages
    assert "Kelompok harus punya tepat satu bendahara (ada 0)." in messages


def test_it_refuses_two_groups_sharing_a_nik(small_scheme, verifier):
    first = member_rows("DSN-A")
    second = member_rows("DSN-B", first_serial=10)
    second[2]["nik"] = first[2]["nik"]
    second[2].update(sex=first[2]["sex"], birth_date=first[2]["birth_date"])
    job = _checked(first + second, verifier)

    assert job.status == Status.INVALID
    assert (7, "nik", "NIK ini sudah ada di baris 4 berkas ini.") in _errors(job)


def test_it_refuses_a_nik_already_used_this_year_without_naming_the_group(small_scheme, verifier):
    rows = member_rows("DSN-A")
    holder = MemberFactory(group=GroupFactory(name="Kelompok Rahasia"), nik=rows[0]["nik"])
    job = _checked(rows, verifier)

    assert job.status == Status.INVALID
    row, column, message = _errors(job)[0]
    assert (row, column) == (2, "nik")
    assert holder.group.name not in message and "sudah terdaftar" in message


def test_a_nik_taken_between_preview_and_confirm_refuses_the_whole_list(small_scheme, verifier):
    rows = member_rows("DSN-A") + member_rows("DSN-B", first_serial=10)
    job = _checked(rows, verifier)
    MemberFactory(nik=rows[4]["nik"])  # another group took it meanwhile

    member_list_import(job=job, by=verifier)

    job.refresh_from_db()
    assert job.status == Status.INVALID
    assert _errors(job)[0][:2] == (6, "nik")
    assert not Group.objects.filter(code__startswith="DSN-").exists()


def test_it_refuses_an_account_number_with_letters(small_scheme, verifier):
    job = _checked(member_rows(account_number="12340A0001"), verifier)

    assert (2, "account_number", "Nomor rekening harus 6–20 angka, tanpa huruf.") in _errors(job)


def test_it_refuses_unknown_banks_and_pads_bank_codes_excel_shortened(small_scheme, verifier):
    assert _checked(member_rows(bank_code="2"), verifier).status == Status.VALIDATED
    assert "bank_code" in {column for _r, column, _m in _errors(_checked(member_rows(bank_code="999"), verifier))}


def test_it_refuses_regions_that_do_not_exist_or_do_not_match(small_scheme, verifier):
    assert (2, "regency_code", "Kabupaten/kota tidak berada di provinsi 32.") in _errors(
        _checked(member_rows(regency="33.01"), verifier)
    )
    assert (2, "regency_code", "Kode kabupaten/kota tidak dikenal (Kemendagri, mis. 32.04).") in _errors(
        _checked(member_rows(regency="32.99"), verifier)
    )


def test_it_refuses_a_row_outside_the_officers_region(small_scheme, verifier):
    rows = member_rows("DSN-JATENG", province="33", regency="33.01", district="330101")
    job = _checked(rows, verifier)

    assert job.status == Status.INVALID
    assert (2, "province_code", "Wilayah ini di luar wilayah tugas Anda.") in _errors(job)


def test_an_officer_with_no_region_can_import_nothing(small_scheme, db):
    officer = UserFactory(is_staff=True)
    assert _checked(member_rows(), officer).status == Status.INVALID


def test_it_refuses_group_columns_that_differ_between_a_groups_rows(small_scheme, verifier):
    rows = member_rows("DSN-A")
    rows[2]["account_number"] = "999999999"
    job = _checked(rows, verifier)

    assert job.status == Status.INVALID
    assert _errors(job)[0][:2] == (4, "account_number")
    assert "Berbeda dengan baris 2" in _errors(job)[0][2]


def test_it_checks_ages_against_the_scheme(small_scheme, verifier):
    rows = member_rows()
    rows[0].update(birth_date="1950-01-01", nik="320412010150" + "0001")
    job = _checked(rows, verifier)

    assert (2, "birth_date", "Usia 70 tahun; skema mensyaratkan 17–55 tahun.") in _errors(job)


def test_it_normalises_phone_numbers_and_refuses_bad_ones(small_scheme, verifier):
    rows = member_rows()
    rows[0]["phone"] = "+62 812-3456-7890"
    member_list_import(job=_checked(rows, verifier), by=verifier)
    assert Member.objects.get(nik=rows[0]["nik"]).phone == "081234567890"

    spoiled = member_rows("DSN-X", first_serial=50, group_phone="12345")
    assert "group_phone" in {column for _r, column, _m in _errors(_checked(spoiled, verifier))}


def test_it_refuses_values_outside_the_lists(small_scheme, verifier):
    rows = member_rows(count=4)
    rows[3].update(role="wakil", employment_status="pns", disability="mungkin", sex="X")
    columns = {column for _r, column, _m in _errors(_checked(rows, verifier))}

    assert {"role", "employment_status", "disability", "sex"} <= columns


def test_a_scheme_that_does_not_exist_is_a_row_error(small_scheme, verifier):
    job = _checked(member_rows(year=2031), verifier)
    assert (2, "scheme_year", "Belum ada skema TKM untuk tahun 2031.") in _errors(job)


def test_a_formula_in_a_name_is_stored_as_plain_text(small_scheme, verifier):
    formula = '=HYPERLINK("http://evil.example","klik")'
    rows = member_rows("DSN-A", group_name=formula)
    rows[1]["member_name"] = formula
    member_list_import(job=_checked(rows, verifier), by=verifier)

    assert Group.objects.get(code="DSN-A").name == formula
    assert Member.objects.filter(name=formula).count() == 1


def test_the_error_file_lists_every_error_with_formulas_escaped(small_scheme, verifier):
    formula = '=HYPERLINK("http://evil.example","klik")'
    rows = member_rows("DSN-A")
    rows[1]["group_name"] = formula  # differs from row 2: an error whose value is the formula
    rows[2]["nik"] = "+6281234"
    job = _checked(rows, verifier)

    with job.errors_file.open("rb") as stored:
        lines = list(csv.reader(io.StringIO(stored.read().decode("utf-8-sig"))))
    assert lines[0] == list(member_lists.ERROR_COLUMNS)
    values = [line[3] for line in lines[1:]]
    assert "'" + formula in values and formula not in values
    assert "'+6281234" in values
    assert len(lines) - 1 == job.error_count


def test_it_refuses_a_file_too_big_before_parsing_it(small_scheme, verifier, monkeypatch):
    def must_not_parse(*args, **kwargs):
        raise AssertionError("parsed a file that is too big")

    monkeypatch.setattr(member_lists, "iter_rows", must_not_parse)
    big = SimpleUploadedFile("besar.csv", b"x" * (50 * 1024 * 1024))
    with pytest.raises(FileRefusedError) as refused:
        member_list_upload(upload=big, by=verifier)

    assert "terlalu besar" in refused.value.messages[0]
    assert not MemberListImport.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("kosong.csv", b"", "Berkas kosong."),
        ("judul.csv", csv_bytes([]), "Berkas hanya berisi judul kolom, tanpa baris anggota."),
        ("foto.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "Berkas harus berupa CSV atau XLSX (Excel) sesuai templat."),
        ("surat.pdf", b"%PDF-1.4\n", "Berkas harus berupa CSV atau XLSX (Excel) sesuai templat."),
        ("palsu.xlsx", b"just,text\n", "Berkas harus berupa CSV atau XLSX (Excel) sesuai templat."),
        ("lama.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Format .xls lama tidak didukung."),
        ("rusak.xlsx", b"PK\x03\x04garbage", "Berkas XLSX rusak atau bukan berkas Excel."),
    ],
)
def test_it_refuses_empty_files_and_files_that_are_not_csv_or_xlsx(small_scheme, verifier, name, content, message):
    with pytest.raises(FileRefusedError) as refused:
        member_list_upload(upload=SimpleUploadedFile(name, content), by=verifier)

    assert refused.value.messages[0].startswith(message)
    assert not MemberListImport.objects.exists()


def test_it_reads_xlsx_lists(small_scheme, verifier):
    job = member_list_validate(job=member_list_upload(upload=xlsx_upload(member_rows()), by=verifier))

    assert job.status == Status.VALIDATED and job.file_format == "xlsx" and job.members_new == 3


def test_it_refuses_a_nik_that_excel_stored_as_a_rounded_number(small_scheme, verifier):
    rows = member_rows()
    rows[0]["nik"] = float(rows[0]["nik"])
    job = member_list_validate(job=member_list_upload(upload=xlsx_upload(rows), by=verifier))

    row, column, message = _errors(job)[0]
    assert (row, column) == (2, "nik") and "Teks" in message


def test_it_reads_semicolon_separated_csv_from_indonesian_excel(small_scheme, verifier):
    assert _checked(member_rows(), verifier, delimiter=";").status == Status.VALIDATED


def test_nothing_is_imported_when_any_group_has_an_error(small_scheme, verifier):
    rows = member_rows("DSN-GOOD") + member_rows("DSN-BAD", first_serial=10, account_number="abc")
    job = _checked(rows, verifier)

    assert job.status == Status.INVALID
    with pytest.raises(Exception, match="tanpa kesalahan"):
        member_lists.member_list_confirm(job=job, by=verifier)
    assert not Group.objects.exists()


def test_big_lists_are_checked_and_imported_by_celery(
    small_scheme, verifier, settings, django_capture_on_commit_callbacks
):
    settings.MEMBER_LIST_SYNC_MAX_ROWS = 2
    rows = member_rows("DSN-A") + member_rows("DSN-B", first_serial=10)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = member_list_upload(upload=csv_upload(rows), by=verifier)
        assert member_lists.member_list_start(job=job, by=verifier) is True
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == Status.VALIDATED and job.progress_done == job.progress_total == 6

    with django_capture_on_commit_callbacks(execute=True):
        assert member_lists.member_list_confirm(job=job, by=verifier) is True
    job.refresh_from_db()
    assert job.status == Status.IMPORTED and Group.objects.count() == 2


def test_the_job_status_moves_only_along_its_table(small_scheme, verifier):
    job = _checked(member_rows(account_number="abc"), verifier)

    with pytest.raises(Exception, match="tidak dapat diubah"):
        job.transition_to(Status.IMPORTING)
    member_list_import(job=job, by=verifier)  # an invalid list: nothing happens
    assert MemberListImport.objects.get(pk=job.pk).status == Status.INVALID


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_downloadable_template_passes_its_own_checks(verifier, file_format):
    from applications.resources import member_list_template

    SchemeFactory(year=2020, members_min=20, members_max=20)
    content = member_list_template(file_format)
    upload = SimpleUploadedFile(f"templat.{file_format}", content)
    job = member_list_validate(job=member_list_upload(upload=upload, by=verifier))

    assert job.errors == []
    assert (job.status, job.groups_new, job.members_new) == (Status.VALIDATED, 1, 20)


def _queries_to_check_and_import(rows, by) -> tuple[int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    job = member_list_upload(upload=csv_upload(rows), by=by)
    with CaptureQueriesContext(connection) as validating:
        member_list_validate(job=job)
    with CaptureQueriesContext(connection) as importing:
        member_list_import(job=job, by=by)
    return len(validating), len(importing)


def test_checking_and_importing_take_the_same_queries_for_two_groups_or_ten(small_scheme, verifier):
    """Look-ups are loaded once and rows written in batches: no query per row or per group."""
    _queries_to_check_and_import(member_rows("DSN-WARM", first_serial=900), verifier)  # fills one-off caches
    two = [row for n in range(2) for row in member_rows(f"DSN-A{n}", first_serial=10 * n + 1)]
    ten = [row for n in range(10) for row in member_rows(f"DSN-B{n}", first_serial=100 + 10 * n)]

    assert _queries_to_check_and_import(two, verifier) == _queries_to_check_and_import(ten, verifier)
    assert Group.objects.count() == 13


def test_a_list_whose_check_never_reached_a_worker_is_enqueued_again(
    small_scheme, verifier, settings, django_capture_on_commit_callbacks
):
    import datetime

    from django.utils import timezone

    settings.MEMBER_LIST_SYNC_MAX_ROWS = 1
    with django_capture_on_commit_callbacks(execute=False):  # the broker was down: the task is lost
        job = member_list_upload(upload=csv_upload(member_rows()), by=verifier)
        member_lists.member_list_start(job=job, by=verifier)
    assert member_lists.member_lists_stalled_sweep(older_than=datetime.timedelta(minutes=2)) == []

    MemberListImport.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert member_lists.member_lists_stalled_sweep(older_than=datetime.timedelta(minutes=2)) == [job.pk]

    job.refresh_from_db()
    assert job.status == Status.VALIDATED


def test_an_import_that_never_reached_a_worker_is_enqueued_again_and_runs_once(
    small_scheme, verifier, settings, django_capture_on_commit_callbacks
):
    import datetime

    from django.utils import timezone

    job = _checked(member_rows(), verifier)
    settings.MEMBER_LIST_SYNC_MAX_ROWS = 1
    with django_capture_on_commit_callbacks(execute=False):
        assert member_lists.member_list_confirm(job=job, by=verifier) is True
    MemberListImport.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(minutes=5))

    with django_capture_on_commit_callbacks(execute=True):
        member_lists.member_lists_stalled_sweep(older_than=datetime.timedelta(minutes=2))
        member_lists.member_lists_stalled_sweep(older_than=datetime.timedelta(minutes=2))

    job.refresh_from_db()
    assert (job.status, job.confirmed_by) == (Status.IMPORTED, verifier)
    assert Group.objects.count() == 1 and Member.objects.count() == 3
    assert not job.normalised_file, "the normalised rows are dropped once imported"


def test_it_takes_birth_dates_typed_as_excel_dates(small_scheme, verifier):
    import datetime

    rows = member_rows()
    for row in rows:
        row["birth_date"] = datetime.date.fromisoformat(row["birth_date"])
    job = member_list_validate(job=member_list_upload(upload=xlsx_upload(rows), by=verifier))

    assert job.status == Status.VALIDATED, job.errors


@pytest.mark.parametrize(
    "content",
    [
        csv_bytes(member_rows()) + b"x" * 70_000 + "DSN-Y,caf\xe9\n".encode("latin-1"),  # not UTF-8, late
        csv_bytes(member_rows()) + b'DSN-Z,"' + b"a" * 200_000 + b'"\n',  # one enormous cell
    ],
)
def test_garbage_after_a_good_header_ends_the_check_with_a_file_error(small_scheme, verifier, content):
    job = member_list_validate(job=member_list_upload(upload=SimpleUploadedFile("d.csv", content), by=verifier))

    assert job.status == Status.INVALID and job.error_count == 1
    assert job.errors[0]["row"] == 1 and job.errors[0]["message"].startswith("Berkas CSV")


def test_nul_characters_after_the_first_64_kib_are_row_errors_never_stored(small_scheme, verifier):
    content = csv_bytes(member_rows()) + b"y" * 70_000 + b"\nDSN-X,Kelompok\x00,2020\n"
    job = member_list_validate(job=member_list_upload(upload=SimpleUploadedFile("d.csv", content), by=verifier))

    assert job.status == Status.INVALID
    assert any(error["column"] == "group_name" for error in job.errors)


def test_a_file_of_nothing_but_errors_is_refused_before_it_fills_memory(small_scheme, verifier, monkeypatch):
    monkeypatch.setattr(member_lists, "_MAX_ERRORS", 10)
    monkeypatch.setattr(member_lists, "_PROGRESS_EVERY", 5)
    rows = [
        row
        for n in range(10)
        for row in member_rows(f"DSN-{n}", first_serial=10 * n + 1, bank_code="999", account_number="x")
    ]
    job = _checked(rows, verifier)

    assert job.status == Status.INVALID and job.error_count == 1
    assert "Lebih dari 10 kesalahan" in job.errors[0]["message"]


def test_the_resource_exports_formulas_as_text(small_scheme, verifier):
    from applications.resources import MemberListResource

    rows = member_rows("DSN-A", group_name="=1+1")
    rows[0]["member_name"] = "@SUM(A1)"
    member_list_import(job=_checked(rows, verifier), by=verifier)
    exported = MemberListResource().export(queryset=Member.objects.order_by("pk")).dict

    assert exported[0]["group_name"] == "'=1+1"
    assert exported[0]["member_name"] == "'@SUM(A1)"
    assert exported[1]["nik"] == rows[1]["nik"]


def test_each_imported_application_is_published_to_partners(small_scheme, verifier, monkeypatch):
    from jps_portal import events

    published: list[events.Event] = []
    monkeypatch.setattr(events, "_listeners", [*events._listeners, published.extend])
    rows = member_rows("DSN-A", count=3) + member_rows("DSN-B", count=4, first_serial=10)

    member_list_import(job=_checked(rows, verifier), by=verifier)

    applications = {a.pk: a for a in Application.objects.all()}
    assert sorted(event.data["application_id"] for event in published) == sorted(applications)
    for event in published:
        assert (event.type, event.province_code, event.regency_code) == (
            events.APPLICATION_STATUS_CHANGED,
            "32",
            "32.04",
        )
        assert (event.data["from_status"], event.data["to_status"]) == ("", "submitted")
        assert event.data["reference"] == applications[event.data["application_id"]].reference
