import datetime
import io
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.roles import ROLE_PERMISSIONS
from applications.models import Application
from mentoring import geo, services
from mentoring.models import CaseAssignment, ChecklistItem, Visit, VisitDraft, VisitProblem, VisitStatusChange
from tests.mentoring.conftest import make_funded_group, make_mentor

pytestmark = pytest.mark.django_db

TKM_ANSWERS = {"equipment_in_use": "ya", "equipment_state": "baik", "bookkeeping": "tidak", "sales_channels": "daring"}


def photo(lat: float | None, lon: float | None, name: str = "kunjungan.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, geo.jpeg_with_position(lat, lon), content_type="image/jpeg")


def test_the_pendamping_role_is_synced_with_mentoring_permissions():
    assert "mentoring.view_visit" in ROLE_PERMISSIONS[Role.MENTOR]
    assert "mentoring.assign_mentors" in ROLE_PERMISSIONS[Role.VERIFIER]


def test_the_checklist_is_data_per_programme():
    tkm = set(ChecklistItem.objects.filter(programme="TKM").values_list("code", flat=True))
    assert {"equipment_in_use", "bookkeeping", "sales_channels"} <= tkm
    pk = set(ChecklistItem.objects.filter(programme="PK_INFRASTRUKTUR").values_list("code", flat=True))
    assert {"works_progress", "attendance_matches_hok"} <= pk


def test_balance_shares_a_regency_evenly_and_is_audited(mentor, other_mentor, coordinator, bandung_groups):
    elsewhere = make_funded_group(regency="32.73")  # Kota Bandung: no mentor there
    draft = make_funded_group(status=Application.Status.DRAFT)  # not funded: no mentor yet
    assigned = services.caseload_balance(regency_code="32.04", by=coordinator)
    assert assigned == 5
    loads = sorted(CaseAssignment.objects.filter(ended_at__isnull=True).values_list("mentor_id", flat=True))
    assert sorted([loads.count(mentor.pk), loads.count(other_mentor.pk)]) == [2, 3]
    assert not CaseAssignment.objects.filter(group__in=[elsewhere, draft]).exists()
    row = CaseAssignment.objects.first()
    assert row.assigned_by == coordinator and row.reason == "balance"
    assert row.history.first().history_user == coordinator
    # A second run has nothing left to do.
    assert services.caseload_balance(regency_code="32.04", by=coordinator) == 0


def test_balance_needs_the_permission(mentor, bandung_groups):
    with pytest.raises(PermissionDenied):
        services.caseload_balance(regency_code="32.04", by=mentor)


def test_a_group_has_one_open_mentor_at_most(mentor, other_mentor, coordinator, bandung_groups):
    from django.db import IntegrityError, transaction

    services.caseload_balance(regency_code="32.04", by=coordinator)
    row = CaseAssignment.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseAssignment.objects.create(
            group=row.group, mentor=other_mentor, regency=row.regency, reason="manual", assigned_at=timezone.now()
        )


def test_a_leaving_mentors_groups_go_to_the_others_and_history_stays(mentor, other_mentor, coordinator, bandung_groups):
    third = make_mentor("rudi")
    services.caseload_balance(regency_code="32.04", by=coordinator)
    leaving = CaseAssignment.objects.filter(mentor=mentor, ended_at__isnull=True).count()
    result = services.mentor_leave(mentor=mentor, by=coordinator)
    assert result.ended == leaving and result.reassigned == leaving and result.waiting == 0
    mentor.refresh_from_db()
    assert not mentor.is_active
    assert not CaseAssignment.objects.filter(mentor=mentor, ended_at__isnull=True).exists()
    assert CaseAssignment.objects.filter(mentor=mentor, end_reason="mentor_left").count() == leaving
    assert CaseAssignment.objects.filter(ended_at__isnull=True).count() == 5
    assert set(CaseAssignment.objects.filter(reason="reassigned").values_list("mentor_id", flat=True)) <= {
        other_mentor.pk,
        third.pk,
    }


@pytest.fixture
def caseload(mentor, coordinator, bandung_groups):
    services.caseload_balance(regency_code="32.04", by=coordinator)
    return bandung_groups


def test_a_done_visit_with_problem_and_photos_has_its_history(mentor, caseload):
    group = caseload[0]
    today = timezone.localdate()
    outcome = services.visit_record(
        group=group, by=mentor, token=uuid.uuid4(), done_on=today, checklist=TKM_ANSWERS, notes="Usaha jalan.",
        problems=[services.ProblemInput("Pembukuan belum ada", today + datetime.timedelta(days=14))],
        photos=[photo(-7.02, 107.55)],
    )  # fmt: skip
    visit = outcome.visit
    assert outcome.created and visit.status == Visit.Status.DONE and visit.done_on == today
    assert visit.checklist["sales_channels"] == "daring"
    assert visit.location == Visit.Location.NEAR
    assert VisitStatusChange.objects.filter(visit=visit, from_status="planned", to_status="done").exists()
    assert VisitProblem.objects.get(visit=visit).follow_up_on == today + datetime.timedelta(days=14)
    p = visit.photos.get()
    assert (p.latitude, p.longitude) == (-7.02, 107.55)


def test_far_photos_are_flagged_for_review_and_missing_gps_is_tanpa_lokasi(mentor, coordinator, caseload):
    today = timezone.localdate()
    far = services.visit_record(
        group=caseload[0],
        by=mentor,
        token=uuid.uuid4(),
        done_on=today,
        checklist=TKM_ANSWERS,
        notes="",
        photos=[photo(-7.02, 107.55), photo(-6.2, 106.8)],  # the second one in Jakarta
    ).visit
    assert far.location == Visit.Location.FAR
    assert far.photos.get(latitude=-6.2).distance_km > 20
    none = services.visit_record(
        group=caseload[1],
        by=mentor,
        token=uuid.uuid4(),
        done_on=today,
        checklist=TKM_ANSWERS,
        notes="",
        photos=[photo(None, None)],
    ).visit
    assert none.location == Visit.Location.MISSING
    assert none.get_location_display() == "Tanpa lokasi"
    # Only an officer's explicit review accepts them.
    with pytest.raises(PermissionDenied):
        services.visit_location_accept(visit=far, by=mentor, note="ok")
    accepted = services.visit_location_accept(visit=far, by=coordinator, note="Foto diambil di kantor Disnaker")
    assert accepted.location == Visit.Location.ACCEPTED


def test_a_photo_that_is_not_an_image_refuses_the_whole_visit(mentor, caseload):
    fake = SimpleUploadedFile("foto.jpg", b"<html>not a photo</html>", content_type="image/jpeg")
    with pytest.raises(ValidationError):
        services.visit_record(
            group=caseload[0], by=mentor, token=uuid.uuid4(), done_on=timezone.localdate(), checklist=TKM_ANSWERS,
            notes="", photos=[fake],
        )  # fmt: skip
    assert not Visit.objects.exists()


def test_an_incomplete_checklist_or_a_follow_up_before_the_visit_is_refused(mentor, caseload):
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="daftar periksa"):
        services.visit_record(group=caseload[0], by=mentor, token=uuid.uuid4(), done_on=today,
                              checklist={"equipment_in_use": "ya"}, notes="")  # fmt: skip
    with pytest.raises(ValidationError, match="setelah"):
        services.visit_record(group=caseload[0], by=mentor, token=uuid.uuid4(), done_on=today, checklist=TKM_ANSWERS,
                              notes="", problems=[services.ProblemInput("x", today)])  # fmt: skip
    assert not Visit.objects.exists()


def test_the_same_form_twice_records_one_visit(mentor, caseload):
    token = uuid.uuid4()
    kwargs = {"group": caseload[0], "by": mentor, "token": token, "done_on": timezone.localdate(),
              "checklist": TKM_ANSWERS, "notes": ""}  # fmt: skip
    first = services.visit_record(**kwargs)
    second = services.visit_record(**kwargs)
    assert first.created and not second.created and first.visit.pk == second.visit.pk
    assert Visit.objects.count() == 1


def test_a_mentor_cannot_record_outside_their_caseload(mentor, caseload):
    stranger = make_funded_group(regency="32.04")
    with pytest.raises(PermissionDenied):
        services.visit_record(group=stranger, by=mentor, token=uuid.uuid4(), done_on=timezone.localdate(),
                              checklist=TKM_ANSWERS, notes="")  # fmt: skip


def test_a_planned_visit_moves_to_done_once(mentor, caseload):
    planned = services.visit_plan(group=caseload[0], planned_on=timezone.localdate(), by=mentor)
    done = services.visit_record(group=caseload[0], by=mentor, token=uuid.uuid4(), done_on=timezone.localdate(),
                                 checklist=TKM_ANSWERS, notes="").visit  # fmt: skip
    assert done.pk == planned.pk
    from applications.models import TransitionError

    with pytest.raises(TransitionError):
        done.transition_to(Visit.Status.PLANNED, by=mentor)


def test_exif_reader_survives_garbage():
    for blob in (b"", b"\xff\xd8\xff\xe1\x00\x10Exif\x00\x00MM\x00*", b"\xff\xd8" + b"\xff" * 50, b"\x89PNG\r\n\x1a\n"):
        assert geo.exif_position(io.BytesIO(blob)) is None


# --- pages ----------------------------------------------------------------------------------------------


def test_worklist_shows_only_the_caseload_with_fixed_queries(client, mentor, other_mentor, coordinator,
                                                             django_assert_max_num_queries):  # fmt: skip
    groups = [make_funded_group() for _ in range(4)]
    services.caseload_balance(regency_code="32.04", by=coordinator)
    mine = set(services.caseload_groups(mentor).values_list("name", flat=True))
    theirs = set(services.caseload_groups(other_mentor).values_list("name", flat=True))
    client.force_login(mentor)
    client.get(reverse("mentoring:worklist"))  # warm the session
    with django_assert_max_num_queries(8):
        response = client.get(reverse("mentoring:worklist"))
    body = response.content.decode()
    assert all(name in body for name in mine)
    assert not any(name in body for name in theirs)
    # Twice the caseload, the same number of queries.
    for _ in range(10):
        make_funded_group()
    services.caseload_balance(regency_code="32.04", by=coordinator)
    with django_assert_max_num_queries(8):
        client.get(reverse("mentoring:worklist"))
    assert len(groups) == 4


def test_other_roles_get_no_worklist_and_no_foreign_group(client, mentor, director, caseload):
    client.force_login(director)
    assert client.get(reverse("mentoring:worklist")).status_code == 403
    client.force_login(mentor)
    stranger = make_funded_group()
    assert client.get(reverse("mentoring:group", args=[stranger.pk])).status_code == 404
    assert client.get(reverse("mentoring:visit_new", args=[stranger.pk])).status_code == 404


def _form(group_token: str, **extra) -> dict:
    data = {"token": group_token, "done_on": timezone.localdate().isoformat(), "notes": "Mesin jahit dipakai."}
    data |= {f"check_{k}": v for k, v in TKM_ANSWERS.items()}
    return data | extra


def test_a_failed_submit_keeps_the_draft_and_a_double_submit_counts_once(client, mentor, caseload):
    group = caseload[0]
    client.force_login(mentor)
    url = reverse("mentoring:visit_new", args=[group.pk])
    token = str(uuid.uuid4())
    follow = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    bad = _form(token, problem_1="Pembukuan belum rapi", follow_up_1="", notes="Catatan penting")
    response = client.post(url, bad)
    assert response.status_code == 200
    assert VisitDraft.objects.get(mentor=mentor, group=group).data["notes"] == "Catatan penting"
    # Opening the form again brings back what was typed.
    again = client.get(url).content.decode()
    assert "Catatan penting" in again and "Pembukuan belum rapi" in again
    good = _form(token, problem_1="Pembukuan belum rapi", follow_up_1=follow,
                 photo_1=photo(-7.0, 107.6))  # fmt: skip
    assert client.post(url, good).status_code == 302
    good["photo_1"] = photo(-7.0, 107.6)
    assert client.post(url, good).status_code == 302  # the same form again (double tap)
    assert Visit.objects.filter(group=group).count() == 1
    assert VisitProblem.objects.filter(group=group).count() == 1
    assert not VisitDraft.objects.filter(mentor=mentor, group=group).exists()


def test_a_mentor_logging_in_lands_on_the_worklist(client, mentor):
    client.force_login(mentor)
    response = client.get(reverse("groups:home"))
    assert response.status_code == 302 and response["Location"] == reverse("mentoring:worklist")
