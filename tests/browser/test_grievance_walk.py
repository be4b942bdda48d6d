"""Issue 13 "Done when", walked in a browser: a citizen finds a funded group on the public list (360 px
phone) and objects; the regency officer investigates and upholds it in the admin (1366 × 768), which
opens a blocking flag; the PPK's approval of a group with an upheld objection is refused; an overdue
ticket escalates to the province; an anonymous pungli report is seen only by the integrity team.
Screenshots: test-artifacts/browser/grievance-*.png."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Role
from applications.models import Application, Flag, Programme
from grievances import services
from grievances.models import Category, Ticket
from tests.browser import officer_laptop as laptop
from tests.browser.conftest import CHROMIUM, PHONE
from tests.factories import (
    ApplicationFactory,
    GroupFactory,
    SchemeFactory,
    SchemeQuotaFactory,
    UserFactory,
    add_members,
)
from tests.transparency.conftest import funded_application

officer_laptop = laptop.officer_laptop

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (CI installs it)"),
]
PASSWORD = "Petugas-JPS-2026"
PUNGLI = "Petugas kecamatan meminta Rp500.000 agar pencairan tahap 2 dipercepat."


def _staff(username: str, role: Role, *, provinces=(), regencies=(), national=False):
    user = UserFactory(
        username=username, first_name=username.capitalize(), email=f"{username}@kemnaker.example.go.id",
        role=role, is_staff=True, scope_national=national,
    )  # fmt: skip
    user.scope_provinces.add(*provinces)
    user.scope_regencies.add(*regencies)
    user.set_password(PASSWORD)
    user.save()
    return user


def _as(page: Page, base: str, user) -> None:
    page.context.clear_cookies()
    laptop.log_in(page, base, login=user.email, password=PASSWORD)


def _decide_in_list(page: Page, base: str, number: str, action: str, note: str, done: str) -> None:
    """Tick the ticket in the admin list, choose ``action``, confirm with ``note``."""
    page.goto(base + "/admin/grievances/ticket/")
    page.locator("#result_list tbody tr", has_text=number).locator("input.action-select").check()
    page.locator('select[name="action"]').select_option(action)
    page.locator('button[name="index"]').click()
    expect(page.get_by_role("button", name="Ya, lanjutkan")).to_be_visible()
    expect(page.locator("#content")).to_contain_text(number)
    page.locator("textarea[name=note]").fill(note)
    page.get_by_role("button", name="Ya, lanjutkan").click()
    expect(page.locator(".messagelist")).to_contain_text(done)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_an_objection_is_upheld_blocks_approval_escalates_and_pungli_stays_with_integrity(
    live_server, officer_laptop, screenshot
):
    page, watch = officer_laptop
    base = live_server.url
    sari = _staff("sari", Role.VERIFIER, regencies=["32.04"])  # Disnaker Kabupaten Bandung
    budi = _staff("budi", Role.VERIFIER, provinces=["32"])  # Disnaker Provinsi Jawa Barat
    rahmat = _staff("rahmat", Role.APPROVER, national=True)  # PPK
    ratna = _staff("ratna", Role.INTEGRITY, national=True)  # tim integritas
    SchemeFactory(programme=Programme.TKM, year=2020)
    funded = funded_application(name="Kelompok Usaha Tani Mekar Jaya")
    funded_application(name="Kelompok Tenun Sukamaju")
    # A group whose application waits for the PPK; an objection about it arrived before the decision.
    waiting = GroupFactory(regency_id="32.04", name="Kelompok Bengkel Harapan")
    add_members(waiting, 3)
    verified = ApplicationFactory(group=waiting, status=Application.Status.VERIFIED)
    SchemeQuotaFactory(scheme=verified.scheme)
    fictitious = Category.objects.get(code="kelompok-fiktif")
    early = services.ticket_file(
        category=fictitious, description="Bengkelnya tidak pernah ada; alamatnya rumah kosong.",
        filed_by=Ticket.Filer.PUBLIC, application=verified,
    )  # fmt: skip
    # A payment complaint nobody has answered in time.
    late = services.ticket_file(
        category=Category.objects.get(code="pembayaran"), description="Tahap 1 belum masuk ke rekening.",
        filed_by=Ticket.Filer.VERIFIED_PHONE, regency=funded.group.regency, phone="081234567890", name="Warga",
    )  # fmt: skip

    # --- A citizen, on a phone, finds the group on the public list and objects ------------------------
    citizen = page.context.browser.new_context(**PHONE).new_page()
    citizen.on("response", watch.response)
    citizen.goto(base + "/daftar-penerima/")
    citizen.get_by_role("link", name="Jawa Barat").click()
    citizen.get_by_role("link", name="Kabupaten Bandung").click()
    citizen.locator("tr, li, article", has_text="Kelompok Usaha Tani Mekar Jaya").get_by_role(
        "link", name="Ajukan sanggahan"
    ).first.click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Ajukan sanggahan")
    citizen.get_by_label("Kelompok fiktif").check()
    citizen.get_by_label("Uraian").fill("Kelompok ini tidak pernah berkegiatan; papan namanya dipasang sehari.")
    screenshot(citizen, "grievance-01-objection-phone")
    citizen.get_by_role("button", name="Kirim sanggahan").click()
    expect(citizen.get_by_role("heading", level=1)).to_contain_text("Pengaduan ADU-")
    screenshot(citizen, "grievance-02-tracking-phone")
    objection = Ticket.objects.get(application=funded)
    assert (objection.assigned_to, objection.level) == (sari, Ticket.Level.REGENCY)

    # --- And another person reports pungli, without an identity -------------------------------------
    citizen.goto(base + "/pengaduan/baru/?anonim=1")
    citizen.get_by_label("Petugas meminta uang (pungli)").check()
    citizen.get_by_label("Kabupaten/kota tempat kejadian").select_option("32.04")
    citizen.get_by_label("Uraian").fill(PUNGLI)
    citizen.get_by_role("button", name="Kirim pengaduan").click()
    expect(citizen.get_by_role("heading", level=1)).to_contain_text("Pengaduan ADU-")
    pungli = Ticket.objects.get(category__code="pungli")
    assert pungli.assigned_to == ratna and pungli.complainant_phone == ""
    citizen.context.close()

    # --- Sari, the regency officer, investigates both objections and upholds them ---------------------
    _as(page, base, sari)
    page.goto(base + "/admin/grievances/ticket/")
    table = page.locator("#result_list")
    expect(table).to_contain_text(objection.number)
    expect(table).not_to_contain_text(pungli.number)  # pungli is the integrity team's, never the region's
    screenshot(page, "grievance-03-sari-tickets")
    for ticket in (objection, early):
        _decide_in_list(page, base, ticket.number, "investigate_selected", "Cek lapangan ke desa.", "mulai diperiksa")
        _decide_in_list(
            page, base, ticket.number, "uphold_selected",
            "Dicek ke desa bersama kepala desa: kelompok tidak berkegiatan.", "diselesaikan",
        )  # fmt: skip
    page.goto(base + f"/admin/grievances/ticket/{objection.pk}/change/")
    expect(page.locator("#content")).to_contain_text("Selesai: terbukti")
    expect(page.locator("#content")).to_contain_text("Sanggahan masyarakat terbukti")
    screenshot(page, "grievance-04-upheld")
    page.goto(base + f"/admin/grievances/ticket/{pungli.pk}/change/")
    expect(page.locator("body")).not_to_contain_text(PUNGLI)
    assert Flag.objects.filter(group=waiting, rule=Flag.Rule.OBJECTION_UPHELD, resolved_at__isnull=True).exists()

    # --- Rahmat, the PPK, tries to approve the group with the upheld objection: refused ---------------
    _as(page, base, rahmat)
    page.goto(base + f"/admin/applications/application/{verified.pk}/change/")
    page.get_by_role("button", name="Setujui", exact=True).click()
    expect(page.get_by_role("button", name="Ya, lanjutkan")).to_be_visible()
    page.get_by_role("button", name="Ya, lanjutkan").click()
    expect(page.locator(".messagelist")).to_contain_text("Sanggahan masyarakat terbukti")
    screenshot(page, "grievance-05-approval-refused")
    verified.refresh_from_db()
    assert verified.status == Application.Status.VERIFIED

    # --- The payment complaint is past its due date: the nightly sweep escalates it to the province ---
    Ticket.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=3))
    assert services.tickets_escalate_overdue() == 1
    _as(page, base, budi)
    page.goto(base + f"/admin/grievances/ticket/{late.pk}/change/")
    content = page.locator("#content")
    expect(content).to_contain_text("Provinsi")
    expect(content).to_contain_text("Eskalasi")
    screenshot(page, "grievance-06-escalated")
    late.refresh_from_db()
    assert (late.level, late.assigned_to) == (Ticket.Level.PROVINCE, budi)

    # --- Ratna, of the integrity team, reads the pungli report; the province officer never does -------
    page.goto(base + "/admin/grievances/ticket/")
    expect(page.locator("#result_list")).not_to_contain_text(pungli.number)
    _as(page, base, ratna)
    page.goto(base + "/admin/grievances/ticket/")
    expect(page.locator("#result_list")).to_contain_text(pungli.number)
    page.goto(base + f"/admin/grievances/ticket/{pungli.pk}/change/")
    expect(page.locator("#content")).to_contain_text(PUNGLI)
    expect(page.locator("#content")).to_contain_text("Tanpa identitas")
    screenshot(page, "grievance-07-integrity")
    watch.assert_clean()
