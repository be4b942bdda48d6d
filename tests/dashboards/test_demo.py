"""The demo datasets as the dashboard shows them: the launch figures and the 2 October 2020 report."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum
from django.urls import reverse

from dashboards import services
from dashboards.models import ProvinceTally

pytestmark = pytest.mark.django_db

LAUNCH = {"36": 61, "32": 304, "33": 250, "35": 328, "18": 37, "34": 20}


def by_province(snapshot, field: str) -> dict[str, int]:
    rows = ProvinceTally.objects.filter(snapshot=snapshot).values("province_id").annotate(n=Sum(field))
    return {row["province_id"]: row["n"] for row in rows if row["n"]}


def by_programme(snapshot, field: str) -> dict[str, int]:
    rows = ProvinceTally.objects.filter(snapshot=snapshot).values("programme").annotate(n=Sum(field))
    return {row["programme"]: row["n"] for row in rows}


def test_seeding_the_launch_demo_leaves_a_fresh_dashboard_with_the_launch_counts(
    client, director, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--no-users", stdout=io.StringIO(), verbosity=0)

    snapshot = services.current_snapshot()
    assert snapshot is not None
    assert by_province(snapshot, "groups_total") == LAUNCH
    client.force_login(director)
    html = client.get(reverse("dashboards:national"), {"tahun": 2020}).content.decode()
    assert 'id="tile-groups">1.000<' in html


def test_the_berita_2020_dataset_reproduces_the_report_all_approved(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--dataset", "berita-2020", "--no-users", stdout=io.StringIO(), verbosity=0)

    snapshot = services.current_snapshot()
    groups = by_programme(snapshot, "groups_approved")
    members = by_programme(snapshot, "members_approved")
    assert groups["TKM"] == 1_985 and members["TKM"] == 39_700
    assert groups["PK_PRODUKTIF"] + groups["PK_INFRASTRUKTUR"] == 1_091
    assert members["PK_PRODUKTIF"] + members["PK_INFRASTRUKTUR"] == 21_820
    assert by_programme(snapshot, "groups_total") == groups  # nothing else: every group approved


def test_the_berita_dataset_refuses_a_scale():
    with pytest.raises(CommandError, match="berita-2020"):
        call_command("seed_demo", "--dataset", "berita-2020", "--scale", "national", stdout=io.StringIO())
