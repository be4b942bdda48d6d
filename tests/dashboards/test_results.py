"""The "after the money" figures: computed in the tally job from training, mentoring and outcome rows,
shown by province and regency on /dasbor/hasil/, exported, and region-scoped."""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Role
from dashboards import services
from dashboards.models import ResultTally, TallySnapshot
from mentoring.models import CaseAssignment, Visit
from outcomes.models import MonitoringRound, OutcomeTerms
from regions.models import Province
from tests.factories import UserFactory
from training import services as training
from training.models import Attendance, Invitation, Mode, Participant, TrainingEvent

pytestmark = pytest.mark.django_db

RESULTS = "/dasbor/hasil/?tahun=2020"


def reported(application, *, months: int, operating: bool, members: int, others: int) -> MonitoringRound:
    today = timezone.localdate()
    return MonitoringRound.objects.create(
        application=application, group=application.group, programme=application.scheme.programme,
        regency=application.group.regency, months=months, first_paid_on=today - datetime.timedelta(days=400),
        due_on=today - datetime.timedelta(days=400 - 30 * months), status="reported", operating=operating,
        members_working=members, others_working=others, reported_at=timezone.now(), reporter="ketua",
    )  # fmt: skip


@pytest.fixture
def after_the_money(world, director):
    """Training for two Jawa Barat groups (one person offline, two online, one registered who never
    came), a mentor visiting one group 10 days ago and another 60 days ago, and monitoring rounds."""
    apps = world.applications
    OutcomeTerms.objects.create(scheme=world.tkm, round_months="3, 6, 12", women_target_percent=70,
                                disability_target_percent=3)  # fmt: skip
    event = training.event_create(
        year=2020, title="Pembekalan", description="", starts_on=datetime.date(2020, 10, 3),
        ends_on=datetime.date(2020, 10, 3), format=TrainingEvent.Format.HYBRID, venue="Bandung",
        regency_id="32.04", online_link="https://example.org/", capacity_offline=10, by=None,
    )  # fmt: skip
    session = event.sessions.first()
    now = timezone.now()
    for key, modes in (("approved_2", [Mode.OFFLINE, Mode.ONLINE, Mode.ONLINE]), ("approved_10", [Mode.ONLINE])):
        group = apps[key].group
        invitation = Invitation.objects.create(event=event, group=group, invited_at=now)
        for member, mode in zip(group.members.order_by("pk"), modes, strict=False):
            participant = Participant.objects.create(
                event=event, invitation=invitation, member=member, mode=mode, registered_at=now
            )
            if key == "approved_2":
                Attendance.objects.create(session=session, event=event, participant=participant, member=member,
                                          mode=mode, source="grid", recorded_at=now)  # fmt: skip
    mentor = UserFactory(username="dewi", role=Role.MENTOR, scope_national=True)
    today = timezone.localdate()
    for key, days in (("approved_2", 10), ("approved_10", 60)):
        group = apps[key].group
        CaseAssignment.objects.create(group=group, mentor=mentor, regency=group.regency, reason="manual",
                                      assigned_at=now)  # fmt: skip
        Visit.objects.create(group=group, mentor=mentor, programme="TKM", planned_on=today - datetime.timedelta(days),
                             status="done", done_on=today - datetime.timedelta(days))  # fmt: skip
    reported(apps["approved_10"], months=3, operating=True, members=3, others=0)
    reported(apps["approved_10"], months=6, operating=True, members=3, others=2)
    reported(apps["approved_4"], months=6, operating=False, members=0, others=0)
    reported(apps["banten"], months=6, operating=True, members=6, others=1)
    reported(apps["banten"], months=12, operating=True, members=5, others=4)
    return services.tallies_recompute()


def province(snapshot: TallySnapshot, code: str) -> dict[str, int]:
    rows = ResultTally.objects.filter(snapshot=snapshot, province_id=code, programme="TKM")
    return {f.name: sum(getattr(r, f.name) for r in rows) for f in ResultTally._meta.fields if
            f.get_internal_type() in ("PositiveIntegerField", "PositiveBigIntegerField")}  # fmt: skip


def test_the_tally_counts_training_mentoring_survival_and_jobs(after_the_money):
    west_java = province(after_the_money, "32")
    assert west_java["groups_funded"] == 3  # approved_2, approved_10 and approved_4 (TKM)
    assert west_java["groups_invited"] == 2 and west_java["people_invited"] == 6
    assert (west_java["registered_offline"], west_java["registered_online"]) == (1, 3)
    assert (west_java["attended_offline"], west_java["attended_online"]) == (1, 2)
    assert (west_java["groups_mentored"], west_java["visited_30"], west_java["visited_90"]) == (2, 1, 2)
    assert (west_java["reported_6"], west_java["alive_6"], west_java["reported_12"]) == (2, 1, 0)
    # Jobs from each group's latest round: approved_10's 6 months (3 + 2), approved_4 closed (0).
    assert (west_java["groups_reporting"], west_java["jobs_members"], west_java["jobs_others"]) == (2, 3, 2)
    assert west_java["paid_reporting"] == 75_000_000  # 40 jt + 35 jt paid to the two reporting groups
    assert (west_java["members"], west_java["women"], west_java["disabled"]) == (8, 5, 3)
    banten = province(after_the_money, "36")
    assert (banten["reported_12"], banten["alive_12"], banten["jobs_members"], banten["jobs_others"]) == (1, 1, 5, 4)


def test_the_director_sees_jobs_and_survival_by_province(client, director, after_the_money):
    client.force_login(director)
    page = client.get(RESULTS + "&program=TKM").content.decode()
    assert "Hasil setelah bantuan" in page
    row = page.split('data-code="32"')[1].split("</tr>")[0]
    assert "50,0%" in row  # survival at 6 months: 1 of 2
    assert "Rp15\xa0jt" in row  # 75 jt paid ÷ 5 jobs
    assert 'num below">62,5% (70%)' in row  # women 5 of 8, under the scheme's 70% target
    assert 'num">37,5% (3%)' in row  # disability 3 of 8, above 3%
    total = page.split("<tfoot>")[1]
    assert ">14<" in total.replace(" ", "")  # jobs: 3 + 2 + 5 + 4


def test_the_province_drills_down_to_regencies(client, director, after_the_money):
    client.force_login(director)
    page = client.get("/dasbor/hasil/provinsi/32/?tahun=2020").content.decode()
    assert 'data-code="32.04"' in page and 'data-code="32.73"' in page and 'data-code="36.01"' not in page


def test_the_figures_export_to_excel_and_csv(client, director, after_the_money):
    client.force_login(director)
    workbook = load_workbook(io.BytesIO(client.get("/dasbor/hasil/ekspor/provinsi.xlsx?tahun=2020").content))
    rows = list(workbook.active.iter_rows(values_only=True))
    # A people-ready sheet: "<title> per <tanggal>" first, then the header (spreadsheets.workbook).
    assert " per " in rows[0][0]
    header, west_java = rows[1], next(r for r in rows if r[0] == "32")
    assert west_java[header.index("Lapangan kerja")] == 5
    assert west_java[header.index("Bertahan 6 bulan (%)")] == 50.0
    assert west_java[header.index("Rupiah per pekerjaan")] == 15_000_000
    csv = client.get("/dasbor/hasil/ekspor/provinsi/32.csv?tahun=2020").content.decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("Kode,Nama,Kelompok penerima") and "32.73" in csv


@pytest.mark.parametrize("persona", ["applicant", "verifier", "finance"])
def test_only_directors_see_the_results(client, request, persona, after_the_money):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(RESULTS).status_code == 403
    assert client.get("/dasbor/hasil/ekspor/provinsi.csv").status_code == 403


def test_a_director_scoped_to_banten_sees_only_banten(client, after_the_money):
    banten_director = UserFactory(username="bantenese", role=Role.DIRECTOR)
    banten_director.scope_provinces.add(Province.objects.get(pk="36"))
    client.force_login(banten_director)
    page = client.get(RESULTS).content.decode()
    assert 'data-code="36"' in page and 'data-code="32"' not in page
    assert client.get("/dasbor/hasil/provinsi/32/?tahun=2020").status_code == 404


def test_old_snapshots_take_their_result_rows_with_them(after_the_money):
    for _ in range(4):
        services.tallies_recompute()
    kept = set(TallySnapshot.objects.values_list("pk", flat=True))
    assert set(ResultTally.objects.values_list("snapshot_id", flat=True)) <= kept


def test_the_page_costs_the_same_queries_whatever_the_data(client, director, after_the_money, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(director)
    client.get(RESULTS)
    with CaptureQueriesContext(connection) as before:
        client.get(RESULTS)
    reported(world.applications["approved_2"], months=6, operating=True, members=3, others=9)
    services.tallies_recompute()
    client.get(RESULTS)
    with CaptureQueriesContext(connection) as after:
        client.get(RESULTS)
    assert len(after) == len(before)
