"""After the money, as the people use it (the launch demo is the data):

    The pendamping, on a 360 × 740 phone, opens the work list, visits a group and records a problem
    with its follow-up date, then fills in an overdue 6-month round: the business runs and two people
    from outside the group work in it. The ketua, on the same phone, sees the group's rounds and
    reports the 12-month round, whose revenue jumped 100×: the form asks, the ketua confirms. The
    director, on a 1366 × 768 laptop, sees jobs created and survival by province on /dasbor/hasil/.

Full-page screenshots of each step go to test-artifacts/browser/ (``after-…``).
"""

import io
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import Group as AuthGroup
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect, sync_playwright

from accounts.models import Role, User
from dashboards.services import tallies_recompute
from mentoring.services import caseload_groups
from outcomes.models import MonitoringRound
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, PageWatch
from training.demo import LAUNCH_TITLE
from training.models import TrainingEvent

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (CI installs it)"),
]
LAPTOP = {"viewport": {"width": 1366, "height": 768}, "locale": "id-ID", "timezone_id": "Asia/Jakarta"}


@pytest.fixture
def browser_pages(_allow_orm_beside_playwright) -> Iterator[tuple[Page, Page, PageWatch]]:
    watch = PageWatch()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            pages = []
            for options in (PHONE, LAPTOP):
                page = browser.new_context(**options).new_page()
                page.set_default_timeout(15_000)
                page.on("response", watch.response)
                page.on("console", watch.console)
                page.on("pageerror", lambda error: watch.console_errors.append(f"uncaught: {error}"))
                pages.append(page)
            yield pages[0], pages[1], watch
        finally:
            browser.close()


def log_in(page: Page, url: str, login: str, password: str) -> None:
    page.goto(url)
    page.get_by_label("E-mail atau nomor HP").fill(login)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()


def fits_the_width(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_a_mentor_visits_a_ketua_reports_and_the_director_sees_jobs_and_survival(
    live_server, browser_pages, screenshot
):
    phone, laptop, watch = browser_pages
    call_command("seed_demo", stdout=io.StringIO(), verbosity=0)
    mentor = User.objects.get(username="pendamping")
    reported_group = MonitoringRound.objects.get(months=6, status="reported").group
    other = caseload_groups(mentor).exclude(pk=reported_group.pk).order_by("pk").first()
    today = timezone.localdate()

    # --- The mentor's work list on a phone ----------------------------------------------------------------
    log_in(phone, live_server.url + "/pendampingan/", "pendamping", "pendamping-demo")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Daftar kerja")
    expect(phone.locator("#pemantauan")).to_contain_text("Pemantauan usaha jatuh tempo")
    assert fits_the_width(phone)
    screenshot(phone, "after-01-mentor-worklist")

    # --- A visit with a problem and its follow-up ------------------------------------------------------
    phone.goto(f"{live_server.url}/pendampingan/kelompok/{other.pk}/kunjungan/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Catat kunjungan")
    for select in phone.locator("form select").all():
        select.select_option(index=1)
    for text in phone.locator("form input[type=text]").all():
        text.fill("Sesuai")
    phone.locator("#id_notes").fill("Alat dipakai tiap hari; pembukuan belum ada.")
    phone.locator("#id_problem_1").fill("Stok bahan baku sering habis; belum ada pemasok tetap.")
    follow_up = today + timezone.timedelta(days=14)
    phone.locator("#id_follow_up_1").fill(follow_up.isoformat())
    screenshot(phone, "after-02-visit-form")
    phone.get_by_role("button", name="Simpan kunjungan").click()
    expect(phone.locator(".messages")).to_contain_text("Kunjungan tersimpan")
    expect(phone.locator("main")).to_contain_text("Stok bahan baku sering habis")
    assert fits_the_width(phone)
    screenshot(phone, "after-03-visit-saved")

    # --- The mentor fills the overdue 6-month round of that group: alive, two extra workers -------------
    six = MonitoringRound.objects.get(group=other, months=6)
    phone.goto(f"{live_server.url}/hasil-usaha/{six.pk}/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Pemantauan bulan ke-6")
    phone.get_by_label("Apakah usaha/sarana masih berjalan?").select_option("ya")
    if phone.locator("#id_monthly_revenue").count():
        phone.locator("#id_monthly_revenue").fill("6500000")
    else:
        phone.get_by_label("Keadaan sarana").select_option("good")
    members = other.members.count()
    phone.get_by_label("Anggota kelompok yang bekerja di usaha ini").fill(str(members))
    phone.get_by_label("Orang lain (bukan anggota) yang bekerja di usaha ini").fill("2")
    screenshot(phone, "after-04-round-form")
    phone.get_by_role("button", name="Kirim laporan").click()
    expect(phone.locator(".messages")).to_contain_text("Laporan pemantauan tersimpan")
    six.refresh_from_db()
    assert six.operating and six.others_working == 2 and six.reporter == "mentor"

    # --- The ketua of the reported group, on a phone: the 12-month round with a 100x revenue jump -------
    ketua = User.objects.create_user(username="ketua-hasil", password="rahasia-123", email="ketua@example.org")
    ketua.groups.add(AuthGroup.objects.get(name=Role.GROUP.value))
    reported_group.user = ketua
    reported_group.save(update_fields=["user"])
    phone.context.clear_cookies()
    log_in(phone, live_server.url + "/hasil-usaha/", "ketua-hasil", "rahasia-123")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Pemantauan usaha")
    expect(phone.locator("main")).to_contain_text("2 bukan anggota")
    assert fits_the_width(phone)
    screenshot(phone, "after-05-ketua-rounds")
    phone.get_by_role("link", name="Isi pemantauan").first.click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Pemantauan bulan ke-12")
    phone.get_by_label("Apakah usaha/sarana masih berjalan?").select_option("ya")
    phone.locator("#id_monthly_revenue").fill("720000000")
    phone.get_by_label("Anggota kelompok yang bekerja di usaha ini").fill(str(reported_group.members.count()))
    phone.get_by_label("Orang lain (bukan anggota) yang bekerja di usaha ini").fill("3")
    phone.get_by_role("button", name="Kirim laporan").click()
    expect(phone.locator("main")).to_contain_text("100 kali lipat")
    screenshot(phone, "after-06-ketua-revenue-jump")
    phone.get_by_label("Angka omzet sudah saya periksa dan benar").check()
    phone.get_by_role("button", name="Kirim laporan").click()
    expect(phone.locator(".messages")).to_contain_text("Laporan pemantauan tersimpan")
    screenshot(phone, "after-07-ketua-reported")
    twelve = MonitoringRound.objects.get(group=reported_group, months=12)
    assert twelve.status == "reported" and twelve.revenue_jump_confirmed

    # --- The director on a laptop: jobs created and survival by province ------------------------------
    tallies_recompute()
    log_in(laptop, live_server.url + "/dasbor/hasil/", "direktur", "direktur-demo")
    expect(laptop.get_by_role("heading", level=1)).to_contain_text("Hasil setelah bantuan")
    west_java = laptop.locator('#result-table tbody tr[data-code="32"]')
    expect(west_java).to_contain_text("Jawa Barat")
    cells = west_java.locator("td")
    expect(cells.nth(7)).to_have_text("100,0%")  # survival at 6 months: both reports alive
    expect(cells.nth(10)).to_have_text("5")  # latest rounds: 3 (12 months) + 2 (6 months) from outside
    screenshot(laptop, "after-08-director-results")
    wrapped = laptop.evaluate(
        """[...document.querySelectorAll('#result-table tbody .num, #result-table tfoot .num')].filter(cell => {
               const range = document.createRange(); range.selectNodeContents(cell);
               return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1;
           }).map(cell => cell.textContent.trim())"""
    )
    assert wrapped == []  # money and numbers never wrap
    assert fits_the_width(laptop)
    # Every column is on screen at 1366 px: the table does not need its horizontal scroll.
    assert laptop.evaluate("(s => s.scrollWidth <= s.clientWidth)(document.querySelector('.table-scroll'))")
    west_java.get_by_role("link", name="Jawa Barat").click()
    expect(laptop.get_by_role("heading", level=1)).to_contain_text("Jawa Barat")
    assert laptop.locator("#result-table tbody tr").count() >= 1
    screenshot(laptop, "after-09-director-province")

    # --- The launch of 3–4 October 2020 in Tasikmalaya: 1,000 groups invited, 50 at the venue, 950 online --
    launch = TrainingEvent.objects.get(title=LAUNCH_TITLE)
    laptop.goto(live_server.url + reverse("training:event", args=[launch.pk]))
    expect(laptop.locator("#groups-invited")).to_have_text("1.000")
    expect(laptop.locator("#attended-offline")).to_have_text("50")
    expect(laptop.locator("#attended-online")).to_have_text("950")
    assert fits_the_width(laptop)
    screenshot(laptop, "after-10-launch-event")
    watch.assert_clean()
