"""The directors' dashboard, as a director uses it on a laptop:

    A director logs in and sees correct, fresh province figures for the demo data, drills down to a
    regency's groups, switches to the map, exports the table to Excel.

The launch demo (``seed_demo``) is the data; its last step recomputes the tallies, inline, as on a
first run. A full-page screenshot of each step goes to test-artifacts/browser/ (``dash-…``).
"""

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from playwright.sync_api import Page, expect, sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PageWatch

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (CI installs it)"),
]
LAPTOP = {"viewport": {"width": 1366, "height": 800}, "locale": "id-ID", "timezone_id": "Asia/Jakarta"}
LAUNCH = {"Banten": 61, "Jawa Barat": 304, "Jawa Tengah": 250, "Jawa Timur": 328, "Lampung": 37}


@pytest.fixture
def laptop(_allow_orm_beside_playwright) -> Iterator[tuple[Page, PageWatch]]:
    watch = PageWatch()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(accept_downloads=True, **LAPTOP).new_page()
            page.set_default_timeout(15_000)
            page.on("response", watch.response)
            page.on("console", watch.console)
            page.on("pageerror", lambda error: watch.console_errors.append(f"uncaught: {error}"))
            yield page, watch
        finally:
            browser.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_a_director_sees_the_launch_figures_drills_down_switches_to_the_map_and_exports_excel(
    live_server, laptop, screenshot, director, tmp_path: Path
):
    page, watch = laptop
    call_command("seed_demo", "--no-users", stdout=io.StringIO(), verbosity=0)

    # --- Log in, land on the dashboard --------------------------------------------------------------
    page.goto(live_server.url + "/dasbor/")
    page.get_by_label("E-mail atau nomor HP").fill(director.email)
    page.get_by_label("Kata sandi").fill("rahasia-123")
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dasbor pimpinan")
    expect(page.locator("#data-age")).to_contain_text("menit lalu")
    expect(page.locator("#tile-groups")).to_have_text("1.000")
    table = page.locator("#province-table")
    for name, groups in LAUNCH.items():
        expect(table.locator("tr", has_text=name).locator("td").nth(1)).to_have_text(f"{groups:,}".replace(",", "."))
    screenshot(page, "dash-01-national")

    # --- Province, then a regency's groups ------------------------------------------------------------
    table.get_by_role("link", name="Jawa Barat").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Jawa Barat")
    regencies = page.locator("#regency-table tbody tr")
    assert regencies.count() > 1
    screenshot(page, "dash-02-province")
    regencies.first.get_by_role("link").click()
    expect(page.locator("#group-table tbody tr").first).to_contain_text("DEMO-2020-32-")
    nik_cell = page.locator("#group-table tbody tr").first.locator("td").nth(4)
    expect(nik_cell).to_have_text(_masked())
    screenshot(page, "dash-03-regency-groups")

    # --- The map -------------------------------------------------------------------------------------------
    page.get_by_role("link", name="Peta").click()
    expect(page.locator("#province-map path")).to_have_count(34)
    jabar = page.locator('#province-map path[data-code="32"]')
    aceh = page.locator('#province-map path[data-code="11"]')
    assert jabar.get_attribute("fill") != aceh.get_attribute("fill")
    page.get_by_label("Angka di peta").select_option("amount_approved")
    page.get_by_role("button", name="Tampilkan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nilai disetujui")
    screenshot(page, "dash-04-map")

    # --- Export the province table to Excel ----------------------------------------------------------------
    page.get_by_role("link", name="Rekap provinsi").click()
    with page.expect_download() as download_info:
        page.locator("#export-xlsx").click()
    path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(path)
    assert path.suffix == ".xlsx"
    rows = {row[1]: row for row in load_workbook(path).active.iter_rows(values_only=True)}
    assert {name: rows[name][2] for name in LAUNCH} == LAUNCH
    screenshot(page, "dash-05-after-export")
    watch.assert_clean()


def _masked():
    import re

    return re.compile(r"^\d{6}\*{6}\d{2}\*\*$")
