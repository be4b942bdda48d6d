"""Issue 11 §2, "done when": the verifikator's and the PPK's daily path on a 1366 × 768 laptop.

Budi (verifikator, Jawa Barat) logs in to the admin and lands on "Tugas saya", follows "Pengajuan
menunggu verifikasi" to the list of submitted applications (Status readable without scrolling
sideways), opens the one waiting, is offered only what his role can do, and verifies it through the
confirmation page. Rahmat (PPK) then finds it under "Pengajuan menunggu persetujuan" and approves it
the same way. A full-page screenshot of each step goes to test-artifacts/browser/officer-*.png.
"""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from accounts.models import Role
from applications.models import Application
from tests.browser.conftest import CHROMIUM_ARGS, PageWatch
from tests.factories import (
    ApplicationFactory,
    GroupFactory,
    SchemeFactory,
    SchemeQuotaFactory,
    UserFactory,
    add_members,
)

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (CI installs it)"),
]
PASSWORD = "Petugas-JPS-2026"
LAPTOP = {
    "viewport": {"width": 1366, "height": 768},
    "locale": "id-ID",
    "timezone_id": "Asia/Jakarta",
}


@pytest.fixture
def laptop(_allow_orm_beside_playwright) -> Iterator[tuple[Page, PageWatch]]:
    """A fresh 1366 × 768 page of a government laptop, and the watch on what it reported."""
    watch = PageWatch()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(**LAPTOP).new_page()
            page.set_default_timeout(10_000)
            page.on("response", watch.response)
            page.on("console", watch.console)
            page.on("pageerror", lambda error: watch.console_errors.append(f"uncaught: {error}"))
            yield page, watch
        finally:
            browser.close()


def _fits_the_laptop_in_indonesian(page: Page) -> None:
    assert page.locator("html").get_attribute("lang") == "id", page.url
    scroll_width, client_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll_width <= client_width, f"{page.url} is {scroll_width}px wide on a {client_width}px screen"


def _officer(username: str, role: Role, **fields) -> None:
    user = UserFactory(username=username, first_name=username.capitalize(), role=role, **fields)
    user.set_password(PASSWORD)
    user.save()
    return user


def _log_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(base + "/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit], button[type=submit]").first.click()


def _decide(page: Page, step: Callable[[str], None], name: str, button: str, done: str, note: str) -> None:
    """Open the application from the filtered list, press ``button``, confirm with ``note``."""
    page.get_by_role("button", name=button, exact=True).click()
    expect(page.get_by_role("button", name="Ya, lanjutkan")).to_be_visible()
    page.get_by_label("Catatan (opsional)").fill(note)
    step(f"{name}-confirm")
    page.get_by_role("button", name="Ya, lanjutkan").click()
    expect(page.locator(".messagelist")).to_contain_text(done)
    step(f"{name}-done")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_the_verifier_and_the_ppk_walk_their_daily_path_on_a_laptop(live_server, laptop, screenshot):
    page, watch = laptop

    def step(name: str) -> None:
        _fits_the_laptop_in_indonesian(page)
        screenshot(page, f"officer-{name}")

    scheme = SchemeFactory(year=2020, members_min=3, members_max=20)
    SchemeQuotaFactory(scheme=scheme, province_id="32", groups=5)
    group = GroupFactory(name="Kelompok Tenun Sukamaju", regency_id="32.04")
    group.account_holder = group.name
    group.save()
    add_members(group, 5)
    application = ApplicationFactory(group=group, scheme=scheme, status=Application.Status.SUBMITTED)
    draft = ApplicationFactory(group=add_members(GroupFactory(), 3)[0].group, scheme=scheme)  # not work yet
    _officer("budi", Role.VERIFIER).scope_provinces.add("32")
    _officer("rahmat", Role.APPROVER, scope_national=True)

    # --- Budi, verifikator: Tugas saya → submitted applications → the application → verify ---------
    _log_in(page, live_server.url, "budi")
    expect(page.get_by_role("heading", name="Menunggu tindakan Anda")).to_be_visible()
    verify_card = page.locator('[data-kind="verify"]')
    expect(verify_card.locator(".work-count")).to_have_text("1")
    expect(page.locator('[data-kind="approve"]')).to_have_count(0)  # the PPK's work is not his
    step("verifikator-01-tugas-saya")

    verify_card.get_by_role("link").click()
    expect(page.locator("#result_list")).to_contain_text(application.reference)
    expect(page.locator("#result_list")).to_contain_text("Diajukan")
    # Every column, Status included, shows without scrolling the list's box sideways.
    results_box = page.locator("#changelist .results").bounding_box()
    for header in page.locator("#result_list thead th").all():
        box = header.bounding_box()
        assert box["x"] + box["width"] <= results_box["x"] + results_box["width"] + 1, header.inner_text()
    step("verifikator-02-submitted-list")

    page.locator("#result_list").get_by_role("link", name=application.reference).click()
    tools = page.locator(".object-tools")
    for offered in ("Verifikasi", "Minta perbaikan", "Tolak"):
        expect(tools.get_by_role("button", name=offered, exact=True)).to_be_visible()
    expect(tools.get_by_role("button", name="Setujui", exact=True)).to_have_count(0)
    step("verifikator-03-application")
    page.get_by_role("link", name=f"{group.name} ({group.code})").click()  # the group's page fits too
    expect(page.get_by_role("heading", level=2).first).to_be_visible()
    step("verifikator-03-group")
    page.goto(f"{live_server.url}/admin/groups/group/{draft.group_id}/change/")  # members editable here
    expect(page.locator("#members-group")).to_be_visible()
    step("verifikator-03-draft-group")
    page.go_back()
    page.go_back()
    _decide(page, step, "verifikator-04", "Verifikasi", "1 pengajuan diverifikasi.", "Dokumen dan anggota lengkap.")
    application.refresh_from_db()
    assert application.status == Application.Status.VERIFIED

    # --- Rahmat, PPK: Tugas saya → verified applications → the application → approve -------------
    _log_in(page, live_server.url, "rahmat")
    approve_card = page.locator('[data-kind="approve"]')
    expect(approve_card.locator(".work-count")).to_have_text("1")
    expect(page.locator('[data-kind="verify"]')).to_have_count(0)
    step("ppk-01-tugas-saya")

    approve_card.get_by_role("link").click()
    expect(page.locator("#result_list")).to_contain_text(application.reference)
    step("ppk-02-verified-list")
    page.locator("#result_list").get_by_role("link", name=application.reference).click()
    tools = page.locator(".object-tools")
    expect(tools.get_by_role("button", name="Setujui", exact=True)).to_be_visible()
    expect(tools.get_by_role("button", name="Verifikasi", exact=True)).to_have_count(0)
    step("ppk-03-application")
    _decide(page, step, "ppk-04", "Setujui", "1 pengajuan disetujui.", "Sesuai kuota provinsi.")
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED
    watch.assert_clean()
