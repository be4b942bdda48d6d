"""Issue 13 §6: an officer's tickets on "Tugas saya" at 1366 × 768 — the most urgent first with the
working days left, an overdue one marked, and the links open the filtered list and the ticket.
Screenshots: test-artifacts/browser/tickets-*.png."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from grievances import services
from grievances.models import Category, Ticket
from grievances.sla import add_working_days
from tests.browser import officer_laptop as laptop
from tests.browser.conftest import CHROMIUM
from tests.factories import GroupFactory, UserFactory

officer_laptop = laptop.officer_laptop
log_in, sideways_overflow = laptop.log_in, laptop.sideways_overflow

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (CI installs it)"),
]
PASSWORD = "Petugas-JPS-2026"


def _file(code: str, regency: str, description: str, due_on: datetime.date) -> Ticket:
    ticket = services.ticket_file(
        category=Category.objects.get(code=code), description=description, filed_by=Ticket.Filer.VERIFIED_PHONE,
        regency=GroupFactory(regency_id=regency).regency, name="Warga", phone="081234567890",
    )  # fmt: skip
    Ticket.objects.filter(pk=ticket.pk).update(due_on=due_on)
    return ticket


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_the_officer_sees_her_tickets_with_the_sla_left(live_server, officer_laptop, screenshot):
    page, watch = officer_laptop
    officer = UserFactory(username="rina", email="rina@disnaker.example.go.id", role=Role.VERIFIER, is_staff=True)
    officer.scope_provinces.add("32")
    officer.set_password(PASSWORD)
    officer.save()
    today = timezone.localdate()
    late = _file("pembayaran", "32.04", "Tahap 1 belum masuk ke rekening kelompok.", today - datetime.timedelta(14))
    _file("lainnya", "32.73", "Jadwal pembekalan tidak diumumkan di desa.", add_working_days(today, 3))
    _file("koreksi-data", "32.04", "Nama anggota salah ketik.", add_working_days(today, 8))

    log_in(page, live_server.url, login="rina@disnaker.example.go.id", password=PASSWORD)
    page.goto(live_server.url + "/admin/")
    section = page.locator("section.tickets-due")
    expect(section.locator('[data-kind="tickets-mine"] .work-count')).to_have_text("3")
    expect(section.locator('[data-kind="tickets-overdue"] .work-count')).to_have_text("1")
    rows = section.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_have_attribute("data-ticket", late.number)
    expect(rows.first.locator(".sla")).to_contain_text("Terlambat")
    expect(rows.nth(1).locator(".sla")).to_have_text("3 hari kerja lagi")
    assert sideways_overflow(page) == 0
    screenshot(page, "tickets-01-tugas-saya")

    section.locator('[data-kind="tickets-overdue"] a').click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list")).to_contain_text(late.number)
    screenshot(page, "tickets-02-overdue-list")
    page.goto(live_server.url + "/admin/")
    page.locator("section.tickets-due tbody tr").first.get_by_role("link").click()
    expect(page.locator("#content")).to_contain_text("Tahap 1 belum masuk")
    screenshot(page, "tickets-03-ticket")
    watch.assert_clean()
