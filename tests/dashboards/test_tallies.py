"""The tally recompute: figures by hand, the switch of the current snapshot, failure and reruns."""

import datetime
from unittest import mock

import pytest
from django.db import connection
from django.db.models import Sum

from applications.models import Programme
from dashboards import services, tallies
from dashboards.models import ProvinceTally, RegencyTally, TallySnapshot, WeeklyApprovals
from disbursements.models import LedgerEntry, Tranche
from tests.dashboards.conftest import JAKARTA, make_application

pytestmark = pytest.mark.django_db

FIGURES = [f.name for f in ProvinceTally._meta.concrete_fields if f.name not in ("id", "snapshot")]


def province(snapshot, code: str, programme: str = Programme.TKM) -> ProvinceTally:
    return ProvinceTally.objects.get(snapshot=snapshot, year=2020, programme=programme, province_id=code)


def regency(snapshot, code: str, programme: str = Programme.TKM) -> RegencyTally:
    return RegencyTally.objects.get(snapshot=snapshot, year=2020, programme=programme, regency_id=code)


def figures_of(snapshot) -> list[tuple]:
    rows = ProvinceTally.objects.filter(snapshot=snapshot).order_by("year", "programme", "province_id")
    regencies = RegencyTally.objects.filter(snapshot=snapshot).order_by("year", "programme", "regency_id")
    weeks = WeeklyApprovals.objects.filter(snapshot=snapshot).order_by("year", "programme", "week")
    return [
        *rows.values_list(*FIGURES),
        *regencies.values_list("regency_id", "groups_total", "members_total", "median_days_to_approval"),
        *weeks.values_list("programme", "week", "groups", "amount"),
    ]


def test_it_counts_groups_and_members_by_status_for_a_province(world):
    snapshot = services.tallies_recompute()

    jabar = province(snapshot, "32")
    assert (jabar.groups_total, jabar.groups_submitted, jabar.groups_verified) == (8, 2, 1)
    assert (jabar.groups_approved, jabar.groups_rejected, jabar.groups_completed) == (3, 1, 1)
    assert (jabar.members_total, jabar.members_submitted, jabar.members_verified) == (26, 7, 5)
    assert (jabar.members_approved, jabar.members_rejected, jabar.members_completed) == (8, 3, 2)
    assert (jabar.women_approved, jabar.disability_approved) == (5, 3)


def test_it_sums_requested_approved_and_only_paid_tranches(world):
    snapshot = services.tallies_recompute()

    jabar = province(snapshot, "32")
    assert (jabar.amount_requested, jabar.amount_approved, jabar.amount_paid) == (320_000_000, 115_000_000, 75_000_000)
    assert province(snapshot, "32", Programme.PK_INFRASTRUKTUR).amount_paid == 70_000_000  # not the scheduled 30 %
    assert province(snapshot, "36").amount_paid == 0  # a failed tranche is not paid


def test_paid_totals_tie_exactly_to_the_disbursement_ledger(world):
    snapshot = services.tallies_recompute()

    paid = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAID).aggregate(total=Sum("amount"))["total"]
    assert paid == Tranche.objects.filter(status=Tranche.Status.PAID).aggregate(total=Sum("amount"))["total"]
    assert ProvinceTally.objects.filter(snapshot=snapshot).aggregate(t=Sum("amount_paid"))["t"] == paid
    assert RegencyTally.objects.filter(snapshot=snapshot).aggregate(t=Sum("amount_paid"))["t"] == paid


def test_it_carries_quotas_including_provinces_without_applications(world):
    snapshot = services.tallies_recompute()

    jabar = province(snapshot, "32")
    assert (jabar.quota_groups, jabar.quota_budget) == (10, 400_000_000)
    assert jabar.quota_use_percent == 30
    lampung = province(snapshot, "18")
    assert (lampung.quota_groups, lampung.groups_total, lampung.amount_paid) == (2, 0, 0)


def test_withdrawn_applications_are_not_counted(world):
    snapshot = services.tallies_recompute()

    assert (
        RegencyTally.objects.filter(snapshot=snapshot, regency_id="32.04", programme=Programme.TKM).get().groups_total
        == 4
    )


def test_the_median_days_to_approval_is_the_middle_value_per_province_and_regency(world):
    snapshot = services.tallies_recompute()

    assert province(snapshot, "32").median_days_to_approval == pytest.approx(4)  # 2, 4, 10
    assert regency(snapshot, "32.73").median_days_to_approval == pytest.approx(7)  # 4, 10: the mean of the two
    assert regency(snapshot, "32.04").median_days_to_approval == pytest.approx(2)
    assert province(snapshot, "18").median_days_to_approval is None


def test_regency_rows_add_up_to_the_province_rows(world):
    snapshot = services.tallies_recompute()

    for name in tallies.SUMMED:
        by_regency = RegencyTally.objects.filter(snapshot=snapshot).aggregate(t=Sum(name))["t"]
        by_province = ProvinceTally.objects.filter(snapshot=snapshot).aggregate(t=Sum(name))["t"]
        assert by_regency == by_province, name


def test_approvals_are_counted_per_jakarta_week_starting_monday(world):
    # Monday 10 August 2020, 02:00 in Jakarta is still Sunday in UTC: it belongs to the week of 10 August.
    make_application(
        scheme=world.padat_karya,
        regency="32.04",
        status="approved",
        submitted=datetime.datetime(2020, 8, 9, 2, 0, tzinfo=JAKARTA),
        days_to_decision=1,
        approved_amount=90_000_000,
    )
    snapshot = services.tallies_recompute()

    weeks = WeeklyApprovals.objects.filter(snapshot=snapshot).order_by("programme", "week")
    assert list(weeks.values_list("programme", "week", "groups", "amount")) == [
        (Programme.PK_INFRASTRUKTUR, datetime.date(2020, 8, 3), 1, 100_000_000),
        (Programme.PK_INFRASTRUKTUR, datetime.date(2020, 8, 10), 1, 90_000_000),
        (Programme.TKM, datetime.date(2020, 8, 3), 2, 75_000_000),
        (Programme.TKM, datetime.date(2020, 8, 10), 2, 80_000_000),
    ]


def test_the_new_snapshot_becomes_the_only_current_one(world):
    first = services.tallies_recompute()
    second = services.tallies_recompute()

    assert list(TallySnapshot.objects.filter(is_current=True)) == [second]
    first.refresh_from_db()
    assert not first.is_current
    assert second.province_rows == ProvinceTally.objects.filter(snapshot=second).count() > 0


def test_a_rerun_gives_the_same_figures(world):
    first = services.tallies_recompute()
    second = services.tallies_recompute()

    assert figures_of(first) == figures_of(second)


def test_a_run_that_fails_midway_leaves_the_previous_snapshot_current_and_whole(world):
    before = services.tallies_recompute()
    rows_before = figures_of(before)
    world.applications["verified"].status = "approved"
    world.applications["verified"].save()

    # The province statement fails after the regency rows were written.
    failing = mock.patch.object(tallies, "_province_insert", side_effect=RuntimeError("worker killed"))
    with failing, pytest.raises(RuntimeError):
        services.tallies_recompute()

    assert services.current_snapshot() == before
    assert figures_of(before) == rows_before
    assert TallySnapshot.objects.count() == 1
    assert RegencyTally.objects.exclude(snapshot=before).count() == 0
    # The next run completes and sees the change.
    after = services.tallies_recompute()
    assert province(after, "32").groups_verified == 0


def test_old_snapshots_are_pruned_keeping_the_newest(world, settings):
    settings.DASHBOARD_SNAPSHOTS_KEPT = 3
    snapshots = [services.tallies_recompute() for _ in range(5)]

    assert list(TallySnapshot.objects.order_by("pk")) == snapshots[-3:]
    assert set(ProvinceTally.objects.values_list("snapshot_id", flat=True)) == {s.pk for s in snapshots[-3:]}


def test_an_empty_database_gives_an_empty_current_snapshot(db):
    snapshot = services.tallies_recompute()

    assert snapshot.is_current
    assert ProvinceTally.objects.filter(snapshot=snapshot).count() == 0


@pytest.mark.parametrize("extra_groups", [0, 30])
def test_the_recompute_is_a_fixed_number_of_statements_whatever_the_data(
    world, extra_groups, django_assert_num_queries
):
    for _ in range(extra_groups):
        make_application(scheme=world.tkm, regency="36.01", status="submitted")
    # savepoint, create, 3 inserts + the results insert + 2 ticket inserts, un-current the old, save, prune
    # list, release (+ advisory lock on PostgreSQL)
    with django_assert_num_queries(13 if connection.vendor == "postgresql" else 12):
        services.tallies_recompute()


def test_the_task_recomputes_and_returns_the_new_snapshot(world):
    from dashboards.tasks import recompute_tallies

    snapshot_id = recompute_tallies.delay().get()

    assert services.current_snapshot().pk == snapshot_id


def test_the_beat_schedule_runs_the_recompute(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "dashboards.tasks.recompute_tallies" in tasks
