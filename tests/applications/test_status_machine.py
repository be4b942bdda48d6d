import datetime

import pytest
from django.utils import timezone

from applications import services
from applications.models import Application, ApplicationDocument, ApplicationStatusChange, Flag, TransitionError
from tests.factories import ApplicationFactory, GroupFactory, SchemeFactory, SchemeQuotaFactory, add_members

pytestmark = pytest.mark.django_db
Status = Application.Status
IN_WINDOW = datetime.date(2020, 10, 3)


@pytest.fixture(autouse=True)
def _today_inside_the_2020_window(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: IN_WINDOW)


def _complete_application(**fields) -> Application:
    group = GroupFactory()
    add_members(group, 20)
    application = services.application_create(
        group=group,
        scheme=SchemeFactory(),
        by=None,
        business_type="Konveksi",
        business_plan="Menjahit seragam sekolah.",
        equipment_budget=24_000_000,
        materials_budget=16_000_000,
        **fields,
    )
    for kind in ("proposal", "sk", "bank_book"):
        ApplicationDocument.objects.create(
            application=application,
            kind=kind,
            file=f"documents/{kind}.pdf",
            original_name=f"{kind}.pdf",
            content_type="application/pdf",
            size=100,
        )
    return application


def _submit_and_check(application: Application, by) -> None:
    """Submit, then run the integrity checks the submission enqueued (as the worker would)."""
    services.application_submit(application=application, by=by)
    services.group_checks_run(group_id=application.group_id)


def test_every_status_has_a_row_in_the_transition_table():
    assert set(Application.TRANSITIONS) == set(Status.values)


def test_it_creates_a_draft_with_a_human_reference_and_a_first_history_row():
    application = _complete_application()
    assert application.status == Status.DRAFT
    assert application.reference == "JPS-2020-TKM-32-000001"
    assert list(application.status_changes.values_list("from_status", "to_status")) == [("", "draft")]


def test_references_count_up_per_year_programme_and_province():
    first = _complete_application()
    second = _complete_application()
    assert (first.reference, second.reference) == ("JPS-2020-TKM-32-000001", "JPS-2020-TKM-32-000002")


def test_a_complete_application_is_submitted_and_the_change_is_recorded(applicant, django_capture_on_commit_callbacks):
    application = _complete_application()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        change = services.application_submit(application=application, by=applicant)
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert application.submitted_at is not None
    assert (change.from_status, change.to_status, change.changed_by) == ("draft", "submitted", applicant)
    assert len(callbacks) == 2  # the integrity checks and the status e-mail, enqueued after commit
    application.group.refresh_from_db()
    assert application.group.checks_requested_at is None  # ran eagerly and cleared the mark


def test_an_illegal_transition_raises_a_clear_domain_error_and_changes_nothing(verifier):
    application = _complete_application()
    with pytest.raises(TransitionError, match="Draf"):
        services.application_verify(application=application, by=verifier)
    application.refresh_from_db()
    assert application.status == Status.DRAFT
    assert application.status_changes.count() == 1


def test_submission_lists_every_problem_per_member_in_indonesian(applicant):
    application = _complete_application()
    member = application.group.members.get(role="bendahara")
    member.role = "anggota"
    member.save()
    member = application.group.members.filter(role="anggota").first()
    member.birth_date = datetime.date(1950, 1, 1)
    member.nik = f"320412010150{member.nik[-4:]}"
    member.save()
    application.documents.filter(kind="bank_book").delete()
    with pytest.raises(services.ApplicationRuleError) as refused:
        services.application_submit(application=application, by=applicant)
    problems = refused.value.messages
    assert "Kelompok harus punya tepat satu bendahara." in problems
    assert any(member.name in problem and "usia 70 tahun" in problem for problem in problems)
    assert "Dokumen belum diunggah: Halaman buku tabungan." in problems
    application.refresh_from_db()
    assert application.status == Status.DRAFT


def test_a_group_with_19_members_cannot_submit_to_a_20_member_scheme(applicant):
    application = _complete_application()
    application.group.members.filter(role="anggota").first().delete()
    problems = services.submission_problems(application)
    assert "Jumlah anggota 19; skema ini mensyaratkan 20 orang." in problems


def test_a_revision_round_trip_keeps_the_whole_history(applicant, verifier, approver):
    application = _complete_application()
    services.application_submit(application=application, by=applicant)
    services.application_request_revision(
        application=application,
        by=verifier,
        reason_codes=["dokumen_tidak_terbaca"],
        note="Foto KTP anggota no. 4 buram.",
    )
    _submit_and_check(application, applicant)
    services.application_verify(application=application, by=verifier)
    SchemeQuotaFactory(scheme=application.scheme, province_id="32", groups=1)
    services.application_approve(application=application, by=approver)
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    assert application.approved_amount == 40_000_000
    assert list(application.status_changes.values_list("to_status", flat=True)) == [
        "draft",
        "submitted",
        "revision_requested",
        "submitted",
        "verified",
        "approved",
    ]
    revision = application.status_changes.get(to_status="revision_requested")
    assert (revision.changed_by, revision.reason_code, revision.note) == (
        verifier,
        "dokumen_tidak_terbaca",
        "Foto KTP anggota no. 4 buram.",
    )


def test_a_revision_request_needs_a_note(applicant, verifier):
    application = _complete_application()
    services.application_submit(application=application, by=applicant)
    with pytest.raises(services.ValidationError):
        services.application_request_revision(application=application, by=verifier, reason_codes=["lainnya"], note=" ")


def test_whoever_verified_cannot_approve_even_holding_both_roles(applicant, verifier):
    from django.contrib.auth.models import Group as AuthGroup

    verifier.groups.add(AuthGroup.objects.get(name="ppk"))  # a Disnaker head who is also PPK
    verifier = type(verifier).objects.get(pk=verifier.pk)  # fresh permission cache
    application = _complete_application()
    services.application_submit(application=application, by=applicant)
    services.application_verify(application=application, by=verifier)
    SchemeQuotaFactory(scheme=application.scheme, province_id="32")
    with pytest.raises(TransitionError, match="memverifikasi"):
        services.application_approve(application=application, by=verifier)
    application.refresh_from_db()
    assert application.status == Status.VERIFIED


def test_a_verifier_cannot_approve_and_an_approver_cannot_verify(applicant, verifier, approver):
    application = _complete_application()
    services.application_submit(application=application, by=applicant)
    with pytest.raises(TransitionError, match="tidak berwenang"):
        services.application_verify(application=application, by=approver)
    services.application_verify(application=application, by=verifier)
    SchemeQuotaFactory(scheme=application.scheme, province_id="32")
    with pytest.raises(TransitionError, match="tidak berwenang"):
        services.application_approve(application=application, by=verifier)


def test_an_officer_cannot_decide_outside_their_region(applicant, verifier):
    application = _complete_application()
    services.application_submit(application=application, by=applicant)
    verifier.scope_provinces.set(["33"])
    verifier = type(verifier).objects.get(pk=verifier.pk)
    with pytest.raises(TransitionError, match="di luar wilayah"):
        services.application_verify(application=application, by=verifier)
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_approval_is_refused_when_the_province_quota_is_full(applicant, verifier, approver):
    quota = SchemeQuotaFactory(province_id="32", groups=1)
    approved = ApplicationFactory(scheme=quota.scheme, status=Status.APPROVED, approved_amount=40_000_000)
    assert approved.province_id == "32"
    application = _complete_application()
    _submit_and_check(application, applicant)
    services.application_verify(application=application, by=verifier)
    with pytest.raises(TransitionError, match="Kuota"):
        services.application_approve(application=application, by=approver)
    application.refresh_from_db()
    assert application.status == Status.VERIFIED


def test_approval_is_refused_when_the_budget_would_be_exceeded(applicant, verifier, approver):
    SchemeQuotaFactory(province_id="32", groups=5, budget=39_999_999)
    application = _complete_application()
    _submit_and_check(application, applicant)
    services.application_verify(application=application, by=verifier)
    with pytest.raises(TransitionError, match="Pagu"):
        services.application_approve(application=application, by=approver)


def test_a_blocking_flag_stops_verification(applicant, verifier):
    application = _complete_application()
    services.application_submit(application=application, by=applicant)
    Flag.objects.create(
        group=application.group, rule="shared_bank_account", severity="block", evidence="x", raised_at=timezone.now()
    )
    with pytest.raises(TransitionError, match="blokir"):
        services.application_verify(application=application, by=verifier)


def test_history_rows_are_never_editable_in_the_admin(admin_client):
    application = _complete_application()
    change = ApplicationStatusChange.objects.get(application=application)
    response = admin_client.get(f"/admin/applications/applicationstatuschange/{change.pk}/change/")
    assert b'name="note"' not in response.content
