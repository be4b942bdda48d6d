"""Officers in the Django admin: their region only, decisions through confirmation pages, fast lists."""

import pytest
from django.contrib.admin import helpers
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from applications.models import Application, ApplicationDocument, ApplicationStatusChange, Flag
from groups.models import Member
from tests.factories import ApplicationFactory, GroupFactory, SchemeQuotaFactory, UserFactory, add_members

pytestmark = pytest.mark.django_db
Status = Application.Status
CHANGELIST = reverse("admin:applications_application_changelist")


def _application(*, regency: str = "32.04", status: str = Status.SUBMITTED, members: int = 3) -> Application:
    group = GroupFactory(regency_id=regency)
    add_members(group, members)
    return ApplicationFactory(group=group, status=status)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _action(client: Client, action: str, applications: list[Application], **data) -> object:
    payload = {"action": action, helpers.ACTION_CHECKBOX_NAME: [a.pk for a in applications], **data}
    return client.post(CHANGELIST, payload)


@pytest.fixture
def west_java_and_central_java():
    return _application(regency="32.04"), _application(regency="33.74")


# The list opens on submitted applications (jps_portal.list_defaults); these tests read every status.
ALL_STATUSES = {"status__exact": "semua"}


# --- region scope ---------------------------------------------------------------------------------


def test_a_west_java_officer_lists_only_west_java(verifier, west_java_and_central_java):
    bandung, semarang = west_java_and_central_java
    html = _client(verifier).get(CHANGELIST, ALL_STATUSES).content.decode()
    assert bandung.reference in html
    assert semarang.reference not in html


def test_an_application_outside_the_scope_cannot_be_opened_nor_its_history_read(verifier, west_java_and_central_java):
    _bandung, semarang = west_java_and_central_java
    client = _client(verifier)
    change = client.get(reverse("admin:applications_application_change", args=[semarang.pk]))
    assert change.status_code == 302  # the admin's "does not exist" answer
    assert semarang.reference not in client.get(change.url).content.decode()
    history = client.get(reverse("admin:applications_application_history", args=[semarang.pk]))
    assert history.status_code == 404


def test_groups_members_and_flags_are_scoped_too(verifier, west_java_and_central_java):
    _bandung, semarang = west_java_and_central_java
    Flag.objects.create(
        group=semarang.group, rule="nik_sex", severity="warn", evidence="x", raised_at="2020-10-01T00:00Z"
    )
    client = _client(verifier)
    semarang_nik = semarang.group.members.first().nik
    assert semarang.group.code not in client.get(reverse("admin:groups_group_changelist")).content.decode()
    assert semarang_nik not in client.get(reverse("admin:groups_member_changelist")).content.decode()
    flags = client.get(reverse("admin:applications_flag_changelist")).content.decode()
    assert semarang.group.name not in flags
    member_page = client.get(reverse("admin:groups_member_change", args=[semarang.group.members.first().pk]))
    assert member_page.status_code == 302


def test_an_officer_with_no_scope_sees_nothing_until_given_one(west_java_and_central_java):
    newcomer = UserFactory(role=Role.VERIFIER)
    html = _client(newcomer).get(CHANGELIST, ALL_STATUSES).content.decode()
    assert all(a.reference not in html for a in west_java_and_central_java)


def test_a_regency_scoped_officer_sees_only_that_regency(west_java_and_central_java):
    bandung, _semarang = west_java_and_central_java
    bogor = _application(regency="32.01")
    officer = UserFactory(role=Role.VERIFIER)
    officer.scope_regencies.add("32.01")
    html = _client(officer).get(CHANGELIST, ALL_STATUSES).content.decode()
    assert bogor.reference in html
    assert bandung.reference not in html


def test_a_document_outside_the_scope_is_not_served(verifier, west_java_and_central_java, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    _bandung, semarang = west_java_and_central_java
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents" / "a.pdf").write_bytes(b"%PDF-1.4 test")
    document = ApplicationDocument.objects.create(
        application=semarang,
        kind="proposal",
        file="documents/a.pdf",
        original_name="a.pdf",
        content_type="application/pdf",
        size=13,
    )
    url = reverse("applications:document", args=[document.pk])
    assert _client(verifier).get(url).status_code == 404
    officer = UserFactory(role=Role.VERIFIER)
    officer.scope_provinces.add("33")
    assert _client(officer).get(url).status_code == 200


def test_an_officer_cannot_move_a_group_to_a_regency_outside_the_scope(verifier, west_java_and_central_java):
    bandung, _semarang = west_java_and_central_java
    page = _client(verifier).get(reverse("admin:groups_group_change", args=[bandung.group.pk])).content.decode()
    assert '"33.74"' not in page and 'value="33.74"' not in page


# --- decisions --------------------------------------------------------------------------------------


def test_verifying_shows_a_confirmation_page_first_and_changes_nothing_yet(verifier):
    application = _application()
    response = _action(_client(verifier), "verify_selected", [application])
    assert response.status_code == 200
    assert "Ya, lanjutkan" in response.content.decode()
    assert application.reference in response.content.decode()
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_confirming_verifies_and_records_who_and_the_note(verifier):
    application = _application()
    response = _action(_client(verifier), "verify_selected", [application], confirm="yes", note="Dokumen lengkap.")
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.VERIFIED
    change = application.status_changes.get(to_status=Status.VERIFIED)
    assert (change.changed_by, change.note) == (verifier, "Dokumen lengkap.")


def test_a_revision_needs_a_reason_and_a_note_and_otherwise_changes_nothing(verifier):
    application = _application()
    response = _action(_client(verifier), "request_revision_selected", [application], confirm="yes", note="")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Pilih sedikitnya satu alasan perbaikan." in html
    assert "Tuliskan apa yang harus diperbaiki kelompok." in html
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_a_revision_records_every_reason_the_group_will_read(verifier):
    application = _application()
    _action(
        _client(verifier),
        "request_revision_selected",
        [application],
        confirm="yes",
        reason_codes=["dokumen_tidak_terbaca", "rekening_tidak_sesuai"],
        note="KTP no. 4 buram; nama rekening beda.",
    )
    change = ApplicationStatusChange.objects.get(application=application, to_status=Status.REVISION_REQUESTED)
    assert change.reason_labels == ["Dokumen tidak terbaca atau buram", "Data rekening tidak sesuai"]


def test_a_rejection_needs_a_reason_code(verifier):
    application = _application()
    response = _action(_client(verifier), "reject_selected", [application], confirm="yes", reason_code="")
    assert "Pilih alasan penolakan." in response.content.decode()
    _action(_client(verifier), "reject_selected", [application], confirm="yes", reason_code="penerima_ganda")
    application.refresh_from_db()
    assert application.status == Status.REJECTED


def test_bulk_approval_stops_at_the_quota(approver):
    applications = [_application(status=Status.VERIFIED) for _ in range(3)]
    SchemeQuotaFactory(scheme=applications[0].scheme, province_id="32", groups=2)
    response = _action(_client(approver), "approve_selected", applications, confirm="yes")
    assert response.status_code == 302
    statuses = sorted(Application.objects.filter(pk__in=[a.pk for a in applications]).values_list("status", flat=True))
    assert statuses == [Status.APPROVED, Status.APPROVED, Status.VERIFIED]


def test_each_failure_is_reported_with_its_reference(approver):
    applications = [_application(status=Status.VERIFIED) for _ in range(2)]
    SchemeQuotaFactory(scheme=applications[0].scheme, province_id="32", groups=1)
    client = _client(approver)
    response = client.post(
        CHANGELIST,
        {"action": "approve_selected", helpers.ACTION_CHECKBOX_NAME: [a.pk for a in applications], "confirm": "yes"},
        follow=True,
    )
    texts = [str(message) for message in response.context["messages"]]
    refused = Application.objects.get(pk__in=[a.pk for a in applications], status=Status.VERIFIED)
    assert any(text.startswith(refused.reference) and "Kuota" in text for text in texts)
    assert "1 pengajuan disetujui." in texts


def test_a_verifier_cannot_approve_from_the_admin(verifier):
    application = _application(status=Status.VERIFIED)
    SchemeQuotaFactory(scheme=application.scheme, province_id="32", groups=5)
    response = _action(_client(verifier), "approve_selected", [application], confirm="yes")
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.VERIFIED


# --- search, filters and speed ----------------------------------------------------------------------


def test_an_exact_nik_finds_the_application_of_that_members_group(verifier):
    wanted, other = _application(), _application()
    nik = wanted.group.members.first().nik
    html = _client(verifier).get(CHANGELIST, {"q": nik}).content.decode()
    assert wanted.reference in html
    assert other.reference not in html


def test_a_reference_is_found_in_any_case(verifier):
    wanted, other = _application(), _application()
    html = _client(verifier).get(CHANGELIST, {"q": wanted.reference.lower()}).content.decode()
    assert wanted.reference in html
    assert other.reference not in html


def test_the_flag_filter_finds_groups_with_a_blocking_flag(verifier):
    flagged, clean = _application(), _application()
    Flag.objects.create(
        group=flagged.group, rule="nik_invalid", severity="block", evidence="x", raised_at="2020-10-01T00:00Z"
    )
    html = _client(verifier).get(CHANGELIST, {"flags": "block"}).content.decode()
    assert flagged.reference in html
    assert clean.reference not in html


def test_the_regency_filter_offers_the_regencies_of_the_chosen_province(verifier):
    _application()
    html = _client(verifier).get(CHANGELIST, {"province": "32"}).content.decode()
    assert "regency=32.04" in html
    assert "regency=33.74" not in html


@pytest.mark.parametrize(
    "query", [{"status__exact": "semua"}, {"status": "submitted", "province": "32"}, {"q": "Maju"}]
)
def test_the_change_list_does_a_fixed_number_of_queries(verifier, query):
    client = _client(verifier)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(CHANGELIST, query).status_code == 200
        return len(captured)

    _application()
    few = count()
    for _ in range(6):
        _application()
    assert count() == few


def test_the_change_page_reads_members_and_flags_in_a_fixed_number_of_queries(verifier):
    client = _client(verifier)

    def count(application: Application) -> int:
        url = reverse("admin:applications_application_change", args=[application.pk])
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    small, big = _application(members=3), _application(members=20)
    for member in big.group.members.all()[:5]:
        Flag.objects.create(
            group=big.group, member=member, rule="nik_sex", severity="warn", evidence="x", raised_at="2020-10-01T00:00Z"
        )
    count(small)  # the first request fills per-process caches (content types, permissions)
    assert count(big) == count(small)


def test_the_change_page_shows_members_with_their_flags(verifier):
    application = _application(members=4)
    member = application.group.members.filter(role=Member.Role.ANGGOTA).first()
    Flag.objects.create(
        group=application.group,
        member=member,
        rule="nik_sex",
        severity="warn",
        evidence="NIK menunjukkan jenis kelamin P; tercatat L.",
        raised_at="2020-10-01T00:00Z",
    )
    html = _client(verifier).get(reverse("admin:applications_application_change", args=[application.pk])).content
    assert member.nik.encode() in html
    assert b"NIK menunjukkan jenis kelamin P; tercatat L." in html


def test_a_long_list_is_not_counted_to_the_end(verifier, monkeypatch):
    monkeypatch.setattr("jps_portal.paging.CappedCountPaginator.cap", 2)
    for _ in range(4):
        _application()
    html = _client(verifier).get(CHANGELIST, ALL_STATUSES).content.decode()
    assert "lebih dari 2" in html


def test_the_change_page_offers_only_the_decisions_the_officer_may_take_now(verifier, approver):
    submitted = _application()
    url = reverse("admin:applications_application_change", args=[submitted.pk])
    verifier_page = _client(verifier).get(url).content.decode()
    assert 'value="verify_selected"' in verifier_page
    assert 'value="approve_selected"' not in verifier_page
    approver_page = _client(approver).get(url).content.decode()
    assert 'value="verify_selected"' not in approver_page


def test_a_decision_button_opens_the_confirmation_page_for_that_one_application(verifier):
    application = _application()
    response = _client(verifier).post(
        CHANGELIST, {"action": "verify_selected", helpers.ACTION_CHECKBOX_NAME: [application.pk]}
    )
    assert response.status_code == 200
    assert application.reference in response.content.decode()
    assert "Ya, lanjutkan" in response.content.decode()
