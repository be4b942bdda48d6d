"""Issue 13 §6: the tally job counts tickets by province × category — filed, open, overdue, resolved,
resolved within the SLA, upheld, median days to resolve — and the director reads them on
/dasbor/pengaduan/ with drill-down by category and exports; counts only, region-scoped."""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Role
from dashboards import services
from dashboards.models import TallySnapshot, TicketTally
from grievances.models import Category, Ticket
from regions.models import Province, Regency
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PAGE = "/dasbor/pengaduan/"


def _ticket(number: int, code: str, regency: str, *, status: str, filed_days_ago: int, due_in: int,
            closed_days_ago: int | None = None) -> Ticket:  # fmt: skip
    now = timezone.now()
    today = timezone.localdate()
    place = Regency.objects.get(pk=regency)
    category = Category.objects.get(code=code)
    return Ticket.objects.create(
        number=f"ADU-UJI-{number:04d}", tracking_token="t" * 32, category=category, is_sensitive=category.is_sensitive,
        status=status, filed_by=Ticket.Filer.VERIFIED_PHONE, province_id=place.province_id, regency=place,
        description="Uji.", filed_at=now - datetime.timedelta(days=filed_days_ago),
        due_on=today + datetime.timedelta(days=due_in),
        closed_at=None if closed_days_ago is None else now - datetime.timedelta(days=closed_days_ago),
        resolution_note="Diperiksa." if closed_days_ago is not None else "",
        assigned_to=None if status == "received" else _officer(),
    )  # fmt: skip


def _officer():  # noqa: ANN202
    return UserFactory(role=Role.VERIFIER)


@pytest.fixture
def tickets(db):
    """Jawa Barat: payment complaints — one open and overdue, one open in time, one resolved in 4 days
    within its SLA (upheld), one resolved in 10 days after its due date; a pungli report resolved in
    6 days. Banten: one open payment complaint."""
    _ticket(1, "pembayaran", "32.04", status="investigating", filed_days_ago=20, due_in=-3)
    _ticket(2, "pembayaran", "32.73", status="assigned", filed_days_ago=1, due_in=4)
    _ticket(3, "pembayaran", "32.04", status="upheld", filed_days_ago=14, due_in=-5, closed_days_ago=10)
    _ticket(4, "pembayaran", "32.04", status="not_upheld", filed_days_ago=30, due_in=-25, closed_days_ago=20)
    _ticket(5, "pungli", "32.04", status="rejected", filed_days_ago=12, due_in=-1, closed_days_ago=6)
    _ticket(6, "pembayaran", "36.01", status="received", filed_days_ago=2, due_in=3)
    return services.tallies_recompute()


def _row(snapshot: TallySnapshot, province: str, category: str | None) -> TicketTally:
    return TicketTally.objects.get(snapshot=snapshot, province_id=province, category__code=category) if category \
        else TicketTally.objects.get(snapshot=snapshot, province_id=province, category__isnull=True)  # fmt: skip


def test_the_tally_counts_tickets_by_province_and_category(tickets):
    payment = _row(tickets, "32", "pembayaran")
    assert (payment.filed, payment.open, payment.overdue, payment.resolved, payment.resolved_in_time,
            payment.upheld) == (4, 2, 1, 2, 1, 1)  # fmt: skip
    assert payment.median_days_to_resolve == pytest.approx(7.0)  # 4 and 10 days
    west_java = _row(tickets, "32", None)
    assert (west_java.filed, west_java.open, west_java.resolved, west_java.resolved_in_time) == (5, 2, 3, 2)
    assert west_java.median_days_to_resolve == pytest.approx(6.0)  # 4, 6 and 10 days
    banten = _row(tickets, "36", None)
    assert (banten.filed, banten.open, banten.overdue, banten.median_days_to_resolve) == (1, 1, 0, None)


def test_the_director_reads_sla_compliance_by_province_and_category(client, director, tickets):
    client.force_login(director)
    page = client.get(PAGE).content.decode()
    west_java = page.split('data-code="32"')[1].split("</tr>")[0]
    assert "66,7%" in west_java  # 2 of 3 resolved in time
    assert ">6,0<" in west_java  # median days
    assert "Nasional" in page.split("<tfoot>")[1]
    category_page = client.get("/dasbor/pengaduan/provinsi/32/").content.decode()
    assert 'data-code="pembayaran"' in category_page and 'data-code="pungli"' in category_page
    assert "50,0%" in category_page.split('data-code="pembayaran"')[1].split("</tr>")[0]
    # Counts only: nothing of a ticket's content reaches the page.
    assert "ADU-UJI" not in category_page and "Uji." not in category_page


def test_the_figures_export(client, director, tickets):
    client.force_login(director)
    workbook = load_workbook(io.BytesIO(client.get("/dasbor/pengaduan/ekspor/provinsi.xlsx").content))
    rows = list(workbook.active.iter_rows(values_only=True))
    header, west_java = next(r for r in rows if r[0] == "Kode"), next(r for r in rows if r[0] == "32")
    assert west_java[header.index("Kepatuhan SLA (%)")] == 66.7
    assert west_java[header.index("Terbuka, lewat batas waktu")] == 1
    csv = client.get("/dasbor/pengaduan/ekspor/provinsi/32.csv").content.decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("Kode,Nama,Tiket masuk") and "pembayaran" in csv
    assert client.get("/dasbor/pengaduan/ekspor/provinsi.pdf").status_code == 404


@pytest.mark.parametrize("persona", ["applicant", "verifier", "finance"])
def test_only_directors_see_the_complaint_figures(client, request, persona, tickets):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(PAGE).status_code == 403
    assert client.get("/dasbor/pengaduan/ekspor/provinsi.csv").status_code == 403


def test_a_director_scoped_to_banten_sees_only_banten(client, tickets):
    banten_director = UserFactory(username="bantenese", role=Role.DIRECTOR)
    banten_director.scope_provinces.add(Province.objects.get(pk="36"))
    client.force_login(banten_director)
    page = client.get(PAGE).content.decode()
    assert 'data-code="36"' in page and 'data-code="32"' not in page
    assert client.get("/dasbor/pengaduan/provinsi/32/").status_code == 404


def test_a_new_ticket_makes_the_refresh_worth_it(tickets):
    assert not services.tallies_changed_since(tickets.as_of)
    _ticket(7, "lainnya", "32.04", status="received", filed_days_ago=0, due_in=10)
    assert services.tallies_changed_since(tickets.as_of - datetime.timedelta(seconds=1))


def test_old_snapshots_take_their_ticket_rows_with_them(tickets):
    for _ in range(4):
        services.tallies_recompute()
    kept = set(TallySnapshot.objects.values_list("pk", flat=True))
    assert set(TicketTally.objects.values_list("snapshot_id", flat=True)) <= kept
