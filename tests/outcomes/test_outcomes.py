import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from applications.models import Scheme
from mentoring.worklist import worklist_for
from notifications.models import Message
from outcomes import services
from outcomes.models import MonitoringRound, OutcomeTerms, RoundDraft, RoundStatusChange, months_parse
from tests.factories import UserFactory
from tests.mentoring.conftest import make_mentor
from tests.outcomes.conftest import paid_group

pytestmark = pytest.mark.django_db


def answers(**overrides: object) -> services.Answers:
    values = {"operating": True, "monthly_revenue": 5_000_000, "members_working": 5, "others_working": 0}
    values.update(overrides)
    return services.Answers(**values)


def form_data(token: uuid.UUID | None = None, **overrides: object) -> dict[str, object]:
    data = {
        "token": str(token or uuid.uuid4()), "operating": "ya", "monthly_revenue": "5000000",
        "members_working": "5", "others_working": "0", "online_link": "", "note": "",
    }  # fmt: skip
    data.update(overrides)
    return data


# --- scheduling -----------------------------------------------------------------------------------------


def test_rounds_follow_the_schemes_months_after_the_first_payment(rounds, group):
    assert sorted(rounds) == [3, 6, 12]
    paid_on = rounds[3].first_paid_on
    assert rounds[6].due_on == services.add_months(paid_on, 6)
    assert rounds[12].due_on.year == paid_on.year + 1 and rounds[12].due_on.month == paid_on.month
    assert {r.status for r in rounds.values()} == {MonitoringRound.Status.SCHEDULED}
    # Running again creates nothing.
    assert services.rounds_schedule() == 0


def test_the_months_are_data_per_scheme(group):
    scheme = Scheme.objects.get(programme="TKM", year=2020)
    OutcomeTerms.objects.update_or_create(scheme=scheme, defaults={"round_months": "6, 24"})
    services.rounds_schedule()
    assert sorted(group.monitoring_rounds.values_list("months", flat=True)) == [6, 24]


def test_months_are_parsed_and_refused_when_not_months():
    assert months_parse("12; 3, 6 ,6") == [3, 6, 12]
    for bad in ("0", "tiga", "61", "-3"):
        with pytest.raises(ValidationError):
            months_parse(bad)


def test_a_month_later_keeps_the_day_or_takes_the_months_last():
    assert services.add_months(datetime.date(2020, 8, 31), 6) == datetime.date(2021, 2, 28)
    assert services.add_months(datetime.date(2020, 10, 15), 3) == datetime.date(2021, 1, 15)
    assert services.add_months(datetime.date(2023, 11, 30), 3) == datetime.date(2024, 2, 29)


def test_groups_not_paid_yet_get_no_rounds(mentor):
    unpaid = paid_group()
    unpaid.applications.first().tranches.update(status="scheduled", paid_at=None)
    assert services.rounds_schedule() == 0


# --- reminders -----------------------------------------------------------------------------------------


def test_the_ketua_is_reminded_once_when_a_round_is_due(rounds, group, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.rounds_remind()
    assert sent == 2  # 3 and 6 months are due; 12 months is not
    messages = Message.objects.filter(dedupe_key__startswith=f"outcome-round:{rounds[3].pk}")
    assert set(messages.values_list("channel", flat=True)) == {"email", "sms"}
    assert f"/hasil-usaha/{rounds[3].pk}/" in messages.get(channel="sms").body
    assert services.rounds_remind() == 0
    assert not MonitoringRound.objects.get(pk=rounds[12].pk).reminded_at


# --- reporting ----------------------------------------------------------------------------------------


def test_the_ketua_reports_six_months_alive_with_two_extra_workers(client, ketua, rounds):
    client.force_login(ketua)
    page = client.get("/hasil-usaha/")
    assert page.status_code == 200 and "Bulan ke-6" in page.content.decode()
    response = client.post(f"/hasil-usaha/{rounds[6].pk}/", form_data(others_working="2"))
    assert response.status_code == 302
    reported = MonitoringRound.objects.get(pk=rounds[6].pk)
    assert reported.status == "reported" and reported.operating and reported.others_working == 2
    assert reported.jobs == 7 and reported.reporter == "ketua" and reported.reported_by == ketua
    change = RoundStatusChange.objects.get(round=reported)
    assert (change.from_status, change.to_status, change.changed_by) == ("scheduled", "reported", ketua)
    assert reported.history.first().history_user == ketua


def test_the_same_form_sent_twice_records_once(client, ketua, rounds):
    client.force_login(ketua)
    token = uuid.uuid4()
    client.post(f"/hasil-usaha/{rounds[3].pk}/", form_data(token))
    again = client.post(f"/hasil-usaha/{rounds[3].pk}/", form_data(token), follow=True)
    assert "tidak dicatat dua kali" in again.content.decode()
    assert RoundStatusChange.objects.filter(round=rounds[3]).count() == 1


def test_a_failed_submit_keeps_what_was_typed(client, ketua, rounds):
    client.force_login(ketua)
    token = uuid.uuid4()
    response = client.post(f"/hasil-usaha/{rounds[3].pk}/", form_data(token, members_working="9", note="Ramai"))
    assert response.status_code == 200
    assert "antara 0 dan 5" in response.content.decode()
    assert MonitoringRound.objects.get(pk=rounds[3].pk).status == "scheduled"
    draft = RoundDraft.objects.get(user=ketua, round=rounds[3])
    assert draft.data["note"] == "Ramai" and draft.data["token"] == str(token)
    page = client.get(f"/hasil-usaha/{rounds[3].pk}/").content.decode()
    assert "Ramai" in page and str(token) in page
    client.post(f"/hasil-usaha/{rounds[3].pk}/", form_data(token, members_working="5"))
    assert not RoundDraft.objects.filter(round=rounds[3]).exists()


def test_a_revenue_jump_of_100_times_asks_for_confirmation(ketua, rounds):
    services.round_report(round_=rounds[3], by=ketua, token=uuid.uuid4(), answers=answers(monthly_revenue=50_000))
    with pytest.raises(services.RevenueJumpError):
        services.round_report(round_=rounds[6], by=ketua, token=uuid.uuid4(),
                              answers=answers(monthly_revenue=5_000_000))  # fmt: skip
    assert MonitoringRound.objects.get(pk=rounds[6].pk).status == "scheduled"
    services.round_report(round_=rounds[6], by=ketua, token=uuid.uuid4(), answers=answers(monthly_revenue=5_000_000),
                          confirm_jump=True)  # fmt: skip
    assert MonitoringRound.objects.get(pk=rounds[6].pk).revenue_jump_confirmed


def test_the_jump_confirmation_appears_on_the_form(client, ketua, rounds):
    services.round_report(round_=rounds[3], by=ketua, token=uuid.uuid4(), answers=answers(monthly_revenue=50_000))
    client.force_login(ketua)
    page = client.post(f"/hasil-usaha/{rounds[6].pk}/", form_data(monthly_revenue="9000000")).content.decode()
    assert "100 kali lipat" in page and 'name="confirm_jump"' in page
    client.post(f"/hasil-usaha/{rounds[6].pk}/", form_data(monthly_revenue="9000000", confirm_jump="on"))
    assert MonitoringRound.objects.get(pk=rounds[6].pk).monthly_revenue == 9_000_000


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"operating": False, "members_working": 2}, "harus 0"),
        ({"monthly_revenue": None}, "Isi omzet"),
        ({"monthly_revenue": 20_000_000_000}, "10 miliar"),
        ({"others_working": 5_000}, "antara 0 dan 1000"),
        ({"online_link": "javascript:alert(1)"}, "alamat lengkap"),
    ],
)
def test_answers_out_of_range_are_refused_with_a_reason(ketua, rounds, overrides, message):
    with pytest.raises(ValidationError) as refused:
        services.round_report(round_=rounds[3], by=ketua, token=uuid.uuid4(), answers=answers(**overrides))
    assert message in " ".join(refused.value.messages)
    assert MonitoringRound.objects.get(pk=rounds[3].pk).status == "scheduled"


def test_padat_karya_reports_the_facility_state(mentor, pk_scheme):
    group = paid_group(scheme=pk_scheme, members=30)
    from mentoring import services as mentoring

    mentoring.caseload_balance(regency_code="32.04", by=None)
    services.rounds_schedule()
    round_ = group.monitoring_rounds.get(months=6)
    with pytest.raises(ValidationError, match="keadaan sarana"):
        services.round_report(round_=round_, by=mentor, token=uuid.uuid4(),
                              answers=answers(monthly_revenue=None, members_working=10))  # fmt: skip
    services.round_report(
        round_=round_, by=mentor, token=uuid.uuid4(),
        answers=answers(monthly_revenue=None, members_working=10, facility_state="good", facility_use="Irigasi sawah"),
    )  # fmt: skip
    round_.refresh_from_db()
    assert round_.facility_state == "good" and round_.monthly_revenue is None and round_.reporter == "mentor"


def test_a_round_not_yet_due_cannot_be_reported(ketua, rounds):
    with pytest.raises(ValidationError, match="baru dapat diisi"):
        services.round_report(round_=rounds[12], by=ketua, token=uuid.uuid4(), answers=answers())


def test_a_reported_round_is_not_reported_again(ketua, mentor, rounds):
    services.round_report(round_=rounds[3], by=ketua, token=uuid.uuid4(), answers=answers())
    with pytest.raises(ValidationError, match="sudah dilaporkan"):
        services.round_report(round_=rounds[3], by=mentor, token=uuid.uuid4(), answers=answers())


# --- who sees what ------------------------------------------------------------------------------------


def test_another_ketua_and_another_mentor_get_404(client, rounds):
    stranger = UserFactory(username="rina", role=Role.GROUP)
    paid_group(user=stranger)
    client.force_login(stranger)
    assert client.get(f"/hasil-usaha/{rounds[3].pk}/").status_code == 404
    assert client.post(f"/hasil-usaha/{rounds[3].pk}/", form_data()).status_code == 404
    assert rounds[3].group.name not in client.get("/hasil-usaha/").content.decode()
    other_mentor = make_mentor("yusuf", regency="32.73")
    client.force_login(other_mentor)
    assert client.get(f"/hasil-usaha/{rounds[3].pk}/").status_code == 404


def test_the_service_refuses_someone_who_is_neither_ketua_nor_mentor(rounds):
    with pytest.raises(PermissionDenied):
        services.round_report(round_=rounds[3], by=UserFactory(), token=uuid.uuid4(), answers=answers())


def test_overdue_rounds_are_on_the_mentors_work_list(client, mentor, rounds):
    work = worklist_for(mentor)
    assert [(r.months, r.due_on < work.today) for r in work.rounds] == [(3, True), (6, True)]
    client.force_login(mentor)
    page = client.get(reverse("mentoring:worklist")).content.decode()
    assert f"/hasil-usaha/{rounds[3].pk}/" in page and "Bulan ke-6" in page
    response = client.post(f"/hasil-usaha/{rounds[6].pk}/", form_data(others_working="2"))
    assert response.status_code == 302 and response["Location"] == reverse("mentoring:worklist")
    assert [r.months for r in worklist_for(mentor).rounds] == [3]


def test_the_work_list_queries_do_not_grow_with_rounds(client, mentor, rounds, django_capture_on_commit_callbacks):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mentoring import services as mentoring

    client.force_login(mentor)
    client.get(reverse("mentoring:worklist"))
    cache.clear()  # a fresh render each time, not the cached page
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("mentoring:worklist"))
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(4):
            paid_group()
        mentoring.caseload_balance(regency_code="32.04", by=None)
        services.rounds_schedule()
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("mentoring:worklist"))
    assert page.content.decode().count("/hasil-usaha/") == 10
    assert len(many) == len(few)


def test_the_work_list_is_kept_until_something_on_it_changes(
    client, mentor, rounds, ketua, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(mentor)
    first = client.get(reverse("mentoring:worklist")).content.decode()
    with CaptureQueriesContext(connection) as cached:
        again = client.get(reverse("mentoring:worklist")).content.decode()
    assert again.count("/hasil-usaha/") == first.count("/hasil-usaha/") == 2
    assert not any("outcomes_monitoringround" in q["sql"] for q in cached.captured_queries)
    # The ketua reports a round: on commit the mentor's list is stale and is drawn again.
    with django_capture_on_commit_callbacks(execute=True):
        services.round_report(round_=rounds[3], by=ketua, token=uuid.uuid4(), answers=answers())
    after = client.get(reverse("mentoring:worklist")).content.decode()
    assert after.count("/hasil-usaha/") == 1
    token = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else None
    assert "__csrf_slot__" not in after and (token is None or "csrfmiddlewaretoken" in after)


def test_a_round_reported_long_ago_is_shown_read_only(client, ketua, rounds):
    services.round_report(round_=rounds[3], by=ketua, token=uuid.uuid4(), answers=answers(others_working=1))
    client.force_login(ketua)
    page = client.get(f"/hasil-usaha/{rounds[3].pk}/").content.decode()
    assert "Sudah dilaporkan" in page and "<form" not in page.split("</header>")[-1].split("<footer")[0]


def test_the_due_date_is_shown_in_jakarta(rounds):
    assert rounds[3].first_paid_on == timezone.localdate(rounds[3].application.tranches.get(number=1).paid_at)


def test_the_ketua_finds_the_rounds_from_the_home_page(client, ketua, rounds):
    client.force_login(ketua)
    assert 'href="/hasil-usaha/"' in client.get("/").content.decode()


def test_the_mentor_finds_the_rounds_on_the_groups_page_during_a_visit(client, mentor, group, rounds):
    client.force_login(mentor)
    page = client.get(reverse("mentoring:group", args=[group.pk])).content.decode()
    assert f"/hasil-usaha/{rounds[6].pk}/" in page and "Terlambat" in page


# --- the scheme's terms in the admin ------------------------------------------------------------------------


def _terms_form(terms: OutcomeTerms, **overrides: str) -> dict[str, str]:
    data = {
        "round_months": terms.round_months,
        "women_target_percent": str(terms.women_target_percent),
        "disability_target_percent": str(terms.disability_target_percent),
    }
    return data | overrides


def test_the_administrator_sets_months_and_the_new_rounds_follow(client, group, django_capture_on_commit_callbacks):
    admin_user = UserFactory(username="admin-portal", role=Role.ADMIN, is_staff=True)
    scheme = Scheme.objects.get(programme="TKM", year=2020)
    terms, _created = OutcomeTerms.objects.get_or_create(scheme=scheme)
    client.force_login(admin_user)
    url = reverse("admin:outcomes_outcometerms_change", args=[terms.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _terms_form(terms, round_months="24; 6", disability_target_percent="3"))
    assert response.status_code == 302
    terms.refresh_from_db()
    assert terms.round_months == "6, 24" and terms.disability_target_percent == 3
    assert terms.history.first().history_user == admin_user
    # Saved through the service: the rounds of the new months were scheduled after commit.
    assert 24 in set(group.monitoring_rounds.values_list("months", flat=True))


def test_bad_terms_change_nothing(client, group):
    admin_user = UserFactory(username="admin-portal", role=Role.ADMIN, is_staff=True)
    terms, _created = OutcomeTerms.objects.get_or_create(scheme=Scheme.objects.get(programme="TKM", year=2020))
    before = (terms.round_months, terms.women_target_percent)
    client.force_login(admin_user)
    url = reverse("admin:outcomes_outcometerms_change", args=[terms.pk])
    for bad in ({"round_months": "tiga"}, {"round_months": "0, 6"}, {"women_target_percent": "120"}):
        response = client.post(url, _terms_form(terms, **bad))
        assert response.status_code == 200  # the form again, with the message
    terms.refresh_from_db()
    assert (terms.round_months, terms.women_target_percent) == before


def test_staff_read_outcomes_in_their_region_and_cannot_change_terms(client, group):
    from tests.outcomes.conftest import paid_group as another

    elsewhere = another(regency="35.78")  # Kota Surabaya
    services.rounds_schedule()
    verifier = UserFactory(username="ver-jabar", role=Role.VERIFIER, is_staff=True)
    verifier.scope_provinces.add("32")
    client.force_login(verifier)
    listing = client.get(reverse("admin:outcomes_monitoringround_changelist"))
    assert listing.status_code == 200
    body = listing.content.decode()
    assert group.name in body and elsewhere.name not in body
    terms, _created = OutcomeTerms.objects.get_or_create(scheme=Scheme.objects.get(programme="TKM", year=2020))
    page = client.get(reverse("admin:outcomes_outcometerms_change", args=[terms.pk]))
    assert page.status_code == 200 and 'name="round_months"' not in page.content.decode()  # read only
    assert client.post(reverse("admin:outcomes_outcometerms_change", args=[terms.pk]),
                       _terms_form(terms, round_months="1")).status_code == 403  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.outcome_terms_save(terms=terms, by=verifier)
