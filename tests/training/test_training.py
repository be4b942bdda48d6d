"""Training events: invitations reach the ketua, the ketua registers members, attendance is taken by
grid, list or code — once per person per session, and never for people outside the invited groups."""

import datetime
import io

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from accounts.models import Role
from applications.member_lists import FileRefusedError
from groups.models import Member
from tests.factories import UserFactory
from tests.training.conftest import make_funded_group
from training import services
from training.models import Attendance, AttendanceImport, Invitation, Mode, Participant, TrainingEventStatusChange


def test_an_event_gets_one_session_per_day_and_a_history_row_per_status_change(event):
    assert [s.day for s in event.sessions.all()] == [datetime.date(2020, 10, 3), datetime.date(2020, 10, 4)]
    assert len({s.checkin_code for s in event.sessions.all()}) == 2
    assert list(TrainingEventStatusChange.objects.values_list("from_status", "to_status")) == [("draft", "open")]


def test_inviting_reaches_each_matching_groups_ketua_once_and_never_twice(
    event, organiser, ketua, django_capture_on_commit_callbacks
):
    ketua.email = "siti@example.id"
    ketua.save()
    invited = make_funded_group(user=ketua)
    make_funded_group(regency="35.78")  # another province
    make_funded_group(status=Application_status_draft())  # not funded
    criteria = services.InviteCriteria(province_codes=["32"], statuses=["approved"])
    with django_capture_on_commit_callbacks(execute=True):
        assert services.event_invite(event=event, criteria=criteria, by=organiser) == 1
    assert list(Invitation.objects.values_list("group_id", flat=True)) == [invited.pk]
    assert [m.to for m in mail.outbox] == [["siti@example.id"]]
    assert "Pembekalan Wirausaha" in mail.outbox[0].subject
    assert f"/pelatihan/{Invitation.objects.get().pk}/" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        assert services.event_invite(event=event, criteria=criteria, by=organiser) == 0
    assert len(mail.outbox) == 1


def Application_status_draft():  # noqa: N802
    from applications.models import Application

    return Application.Status.DRAFT


def test_a_regional_officer_invites_only_groups_in_their_region(event):
    officer = UserFactory(role=Role.VERIFIER)
    officer.scope_provinces.add("35")
    make_funded_group(regency="32.04")
    east_java = make_funded_group(regency="35.78")
    assert services.event_invite(event=event, criteria=services.InviteCriteria(), by=officer) == 1
    assert Invitation.objects.get().group == east_java


def test_the_ketua_registers_members_online_or_offline_within_the_venues_seats(event, invited_group, ketua, client):
    members = list(invited_group.members.order_by("pk"))
    invitation = Invitation.objects.get()
    client.force_login(ketua)
    page = client.get(reverse("training:register", args=[invitation.pk]))
    assert page.status_code == 200
    assert "Pembekalan Wirausaha" in page.content.decode()
    answer = client.post(
        reverse("training:register", args=[invitation.pk]),
        {f"mode_{members[0].pk}": "offline", f"mode_{members[1].pk}": "online", f"mode_{members[2].pk}": ""},
    )
    assert answer.status_code == 302
    assert dict(Participant.objects.values_list("member_id", "mode")) == {
        members[0].pk: "offline",
        members[1].pk: "online",
    }
    # Two seats at the venue: a third offline participant is refused, nothing changes.
    over = {f"mode_{m.pk}": "offline" for m in members}
    answer = client.post(reverse("training:register", args=[invitation.pk]), over)
    assert answer.status_code == 200
    assert "sudah penuh (2 orang)" in answer.content.decode()
    assert Participant.objects.filter(mode="offline").count() == 1


def test_another_groups_ketua_cannot_open_or_fill_the_registration(event, invited_group, client):
    stranger = UserFactory(role=Role.GROUP)
    make_funded_group(user=stranger)
    client.force_login(stranger)
    invitation = Invitation.objects.get()
    assert client.get(reverse("training:register", args=[invitation.pk])).status_code == 404
    with pytest.raises(ValidationError):
        services.participants_register(invitation=invitation, choices={}, by=stranger)


def test_the_organisers_grid_records_and_takes_back_attendance_with_history(event, invited_group, organiser, client):
    members = list(invited_group.members.order_by("pk"))
    invitation = Invitation.objects.get()
    for member in members:
        Participant.objects.create(
            event=event, invitation=invitation, member=member, mode="online", registered_at=event.created_at
        )
    session = event.sessions.first()
    client.force_login(organiser)
    url = reverse("training:grid", args=[event.pk, session.pk])
    assert client.get(url).status_code == 200
    posted = {f"hadir_{members[0].pk}": "1", f"mode_{members[0].pk}": "offline", f"hadir_{members[1].pk}": "1"}
    assert client.post(url, posted).status_code == 302
    assert dict(Attendance.objects.values_list("member_id", "mode")) == {
        members[0].pk: "offline",
        members[1].pk: "online",
    }
    assert client.post(url, {f"hadir_{members[0].pk}": "1", f"mode_{members[0].pk}": "offline"}).status_code == 302
    assert list(Attendance.objects.values_list("member_id", flat=True)) == [members[0].pk]
    assert Attendance.history.filter(history_type="-", member_id=members[1].pk, history_user=organiser).exists()


def test_a_member_outside_the_invited_groups_is_refused_everywhere(event, invited_group, organiser):
    outsider_group = make_funded_group()
    outsider = outsider_group.members.first()
    session = event.sessions.first()
    with pytest.raises(ValidationError, match="kelompok yang diundang"):
        services.attendance_grid_save(
            session=session, shown={outsider.pk}, present={outsider.pk: "online"}, by=organiser
        )
    assert not Attendance.objects.exists()


def _csv(rows: list[str]) -> SimpleUploadedFile:
    return SimpleUploadedFile("hadir.csv", ("\n".join(["nik,tanggal,cara_ikut,sesi", *rows]) + "\n").encode())


def test_an_imported_list_records_each_person_once_and_the_same_file_again_adds_nothing(
    event, invited_group, organiser
):
    niks = [m.nik for m in invited_group.members.order_by("pk")]
    rows = [f"{niks[0]},2020-10-03,luring,1", f"{niks[1]},2020-10-03,daring,", f"{niks[1]},2020-10-04,Daring,1"]
    first = services.attendance_import(event=event, upload=_csv(rows), by=organiser)
    assert (first.outcome, first.rows_added, first.rows_existing) == ("imported", 3, 0)
    assert Participant.objects.count() == 2  # registered on first sight, so the funnel stays whole
    again = services.attendance_import(event=event, upload=_csv(rows), by=organiser)
    assert (again.outcome, again.rows_added, again.rows_existing) == ("imported", 0, 3)
    assert Attendance.objects.count() == 3
    assert Attendance.history.count() == 3


def test_a_list_with_any_error_imports_nothing_and_says_where(event, invited_group, organiser):
    stranger = make_funded_group().members.first()
    nik = invited_group.members.first().nik
    rows = [
        f"{nik},2020-10-03,luring,1",
        f"{stranger.nik},2020-10-03,daring,1",
        f"{nik},2020-10-09,daring,1",
        "=HYPERLINK(1),2020-10-03,daring,1",
        f"{nik},2020-10-03,luring,1",
    ]
    result = services.attendance_import(event=event, upload=_csv(rows), by=organiser)
    assert result.outcome == "refused"
    assert [(e["row"], e["column"]) for e in result.errors] == [(3, "nik"), (4, "tanggal"), (5, "nik"), (6, "nik")]
    assert not Attendance.objects.exists()
    assert AttendanceImport.objects.filter(outcome="refused").count() == 1


def test_an_xlsx_list_is_read_too_and_a_wrong_file_is_refused_whole(event, invited_group, organiser):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["nik", "tanggal", "cara_ikut"])
    for member in invited_group.members.all():
        sheet.append([member.nik, datetime.date(2020, 10, 4), "daring"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("hadir.xlsx", buffer.getvalue())
    assert services.attendance_import(event=event, upload=upload, by=organiser).rows_added == 3
    with pytest.raises(FileRefusedError):
        services.attendance_import(event=event, upload=SimpleUploadedFile("x.csv", b"nama,umur\nA,3\n"), by=organiser)
    with pytest.raises(FileRefusedError):
        services.attendance_import(event=event, upload=SimpleUploadedFile("x.xlsx", b"<html>"), by=organiser)


def test_a_member_checks_in_with_the_days_code_once(event, invited_group, client, monkeypatch):
    session = event.sessions.first()
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: session.day)
    member = invited_group.members.first()
    url = reverse("training:checkin")
    answer = client.post(url, {"code": session.checkin_code.lower(), "nik": member.nik, "mode": "online"})
    assert "Kehadiran tercatat" in answer.content.decode()
    client.post(url, {"code": session.checkin_code, "nik": member.nik})
    assert Attendance.objects.filter(member=member).count() == 1
    assert Attendance.objects.get().source == Attendance.Source.CODE
    outsider = make_funded_group().members.first()
    answer = client.post(url, {"code": session.checkin_code, "nik": outsider.nik})
    assert "tidak terdaftar di kelompok yang diundang" in answer.content.decode()
    other_day = event.sessions.last()
    answer = client.post(url, {"code": other_day.checkin_code, "nik": member.nik})
    assert "tidak berlaku hari ini" in answer.content.decode()


def test_the_event_page_counts_the_funnel_in_a_fixed_number_of_queries(
    event, invited_group, organiser, client, django_assert_max_num_queries
):
    members = list(invited_group.members.order_by("pk"))
    services.attendance_import(
        event=event,
        upload=_csv([f"{members[0].nik},2020-10-03,luring,1", f"{members[1].nik},2020-10-04,daring,1"]),
        by=organiser,
    )
    client.force_login(organiser)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("training:event", args=[event.pk]))
    html = page.content.decode()
    assert 'id="groups-invited">1<' in html
    assert 'id="attended-offline">1<' in html and 'id="attended-online">1<' in html


def test_staff_without_the_permission_and_ketua_cannot_open_organiser_pages(event, client, ketua):
    finance = UserFactory(role=Role.FINANCE, scope_national=True)
    for user in (finance, ketua):
        client.force_login(user)
        assert client.get(reverse("training:event", args=[event.pk])).status_code == 403
        assert client.get(reverse("training:import", args=[event.pk])).status_code == 403


def test_a_ketua_sees_only_their_groups_invitations(event, invited_group, ketua, client):
    client.force_login(ketua)
    assert "Pembekalan Wirausaha" in client.get(reverse("training:mine")).content.decode()
    client.force_login(UserFactory(role=Role.GROUP))
    assert "Pembekalan Wirausaha" not in client.get(reverse("training:mine")).content.decode()


def test_the_mode_must_be_one_the_event_offers(event, invited_group, ketua):
    invitation = Invitation.objects.get()
    member = Member.objects.filter(group=invited_group).first()
    with pytest.raises(ValidationError):
        services.participants_register(invitation=invitation, choices={member.pk: "teleport"}, by=ketua)
    assert Mode.OFFLINE in event.modes()
