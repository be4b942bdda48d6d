"""Issue 11 "done when": the director's daily path on a 1366 × 768 laptop, as a person walks it.

Hendra (direktur, national) logs in and lands in the admin; one click on "Dasbor pimpinan" in the
header opens the dashboard. Money reads compact and never wraps (the full figure on hover), the
province table fits the laptop without sideways scrolling, the weekly chart has axes and labels, and
"Perbarui" says the data is already fresh. He drills down province → regency → a group, whose page
is read-only and shows what was paid, and downloads the regency's Excel file: a dated title, a bold
frozen header and Rupiah formats. A full-page screenshot of each step goes to
test-artifacts/browser/direktur-*.png.
"""

import datetime

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from applications.models import Application
from dashboards import services as dashboard_services
from tests.browser import officer_laptop as laptop
from tests.browser.conftest import CHROMIUM
from tests.dashboards.conftest import JAKARTA, make_application, pay
from tests.factories import SchemeFactory, SchemeQuotaFactory

# Fixtures defined in other modules, made visible here (pytest finds fixtures by module attribute).
officer_laptop = laptop.officer_laptop
log_in, sideways_overflow = laptop.log_in, laptop.sideways_overflow

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (CI installs it)"),
]
Status = Application.Status
# Regencies of three provinces, and how many approved groups each gets.
PLACES = {"32.04": 9, "32.73": 6, "33.74": 7, "36.01": 4}


def _programme_year() -> list[Application]:
    """A TKM year in four regencies: approvals spread over eight weeks, most of them paid."""
    scheme = SchemeFactory(year=2020)
    for province, groups in (("32", 20), ("33", 10), ("36", 8)):
        SchemeQuotaFactory(scheme=scheme, province_id=province, groups=groups, budget=groups * 40_000_000)
    approved = []
    serial = 0
    for regency, count in PLACES.items():
        for _index in range(count):
            serial += 1
            submitted = datetime.datetime(2020, 6, 1, 9, 0, tzinfo=JAKARTA) + datetime.timedelta(days=2 * serial)
            application = make_application(
                scheme=scheme,
                regency=regency,
                status=Status.IN_DISBURSEMENT,
                members=10,
                women=4 + serial % 3,
                submitted=submitted,
                days_to_decision=5 + serial % 4,
                approved_amount=40_000_000,
                name=f"Kelompok Usaha Maju {serial:02d}",
            )
            if serial % 5:
                pay(application, 28_000_000)
            approved.append(application)
        make_application(scheme=scheme, regency=regency, status=Status.SUBMITTED, members=10)
    return approved


def _money_never_wraps(page: Page) -> None:
    """Every compact figure is one line, with its full figure in the title (shown on hover)."""
    spans = page.locator(".dash .money")
    assert spans.count() > 0
    wrapped = page.evaluate(
        """() => [...document.querySelectorAll('.dash .money')]
              .filter(el => getComputedStyle(el).whiteSpace !== 'nowrap' || el.getClientRects().length > 1)
              .map(el => el.textContent)"""
    )
    assert not wrapped, f"money wraps: {wrapped}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_the_director_reaches_the_dashboard_by_a_click_and_drills_down_to_a_read_only_group(
    live_server, officer_laptop, screenshot, director, tmp_path
):
    page, watch = officer_laptop
    approved = _programme_year()
    dashboard_services.tallies_recompute()

    def step(name: str) -> None:
        screenshot(page, f"direktur-{name}")

    # --- Log in; one click in the header opens the dashboard -----------------------------------------------
    log_in(page, live_server.url, login=director.email, password="rahasia-123")
    expect(page.locator("#nav-dashboard")).to_be_visible()
    step("01-landing")
    page.locator("#nav-dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dasbor pimpinan")

    # --- National figures: compact money, a table that fits, a chart with axes ----------------------------
    expect(page.locator("#tile-amount-approved")).to_have_text("Rp1,04\u00a0M")  # 26 × Rp40.000.000
    expect(page.locator("#tile-amount-approved .money")).to_have_attribute("title", "Rp1.040.000.000")
    _money_never_wraps(page)
    assert sideways_overflow(page) <= 0, "the dashboard fits 1366 px"
    table_overflow = page.evaluate(
        "() => { const box = document.querySelector('#province-table').parentElement;"
        " return box.scrollWidth - box.clientWidth; }"
    )
    assert table_overflow <= 0, f"the province table scrolls sideways by {table_overflow}px"
    chart = page.locator("#weekly-chart")
    expect(chart.locator("text.axis-title")).to_have_count(2)
    assert chart.locator("text.tick").count() >= 4
    step("02-national")

    # --- "Perbarui" on fresh data says so ------------------------------------------------------------------
    page.get_by_role("button", name="Perbarui").click()
    expect(page.locator(".messages")).to_contain_text("Data sudah terbaru")
    step("03-refresh-already-fresh")

    # --- Province → regency → group ----------------------------------------------------------------------------
    page.locator("#province-table").get_by_role("link", name="Jawa Barat").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Jawa Barat")
    _money_never_wraps(page)
    assert sideways_overflow(page) <= 0
    step("04-province")
    page.locator('#regency-table tr[data-code="32.04"]').get_by_role("link").click()
    groups = page.locator("#group-table tbody tr")
    expect(groups).to_have_count(10)  # 9 approved + 1 submitted in Kabupaten Bandung
    first = approved[0]
    row = page.locator("#group-table tbody tr", has_text=first.group.name)
    expect(row.locator("td").last).to_contain_text("Rp28")  # paid, compact
    assert sideways_overflow(page) <= 0
    step("05-regency-groups")
    row.get_by_role("link", name=first.group.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(first.group.name)
    expect(page.locator("#read-only-note")).to_contain_text("baca saja")
    expect(page.locator("#group-paid")).to_have_text("Rp28.000.000")
    expect(page.locator("main form, main input, main button, main select, main textarea")).to_have_count(0)
    expect(page.locator("#nav-dashboard")).to_be_visible()
    step("06-group-read-only")

    # --- Back to the regency; its Excel file is made for people ---------------------------------------------
    page.get_by_role("link", name=first.group.regency.name).click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Unduh Excel").click()
    path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(path)
    sheet = load_workbook(path).active
    assert sheet["A1"].value.startswith(f"Kelompok {first.group.regency.name}") and " per " in sheet["A1"].value
    assert sheet.freeze_panes == "A3" and sheet["A2"].font.bold
    header = [cell.value for cell in sheet[2]]
    paid_column = header.index("Nilai dibayar (Rp)")
    paid_cells = [row[paid_column] for row in sheet.iter_rows(min_row=3) if row[0].value == first.reference]
    assert paid_cells and (paid_cells[0].value, paid_cells[0].number_format) == (28_000_000, '"Rp"#,##0')
    step("07-after-export")
    watch.assert_clean()
