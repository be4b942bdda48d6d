"""A government laptop for the officers' and the director's walks: Chromium at 1366 × 768, in
Indonesian, downloads allowed. Imported by the walk modules (kept out of conftest.py so walks written
in parallel do not fight over one fixture name)."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PageWatch

LAPTOP_1366 = {"viewport": {"width": 1366, "height": 768}, "locale": "id-ID", "timezone_id": "Asia/Jakarta"}


@pytest.fixture
def officer_laptop(_allow_orm_beside_playwright) -> Iterator[tuple[Page, PageWatch]]:
    watch = PageWatch()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(accept_downloads=True, **LAPTOP_1366).new_page()
            page.set_default_timeout(15_000)
            page.on("response", watch.response)
            page.on("console", watch.console)
            page.on("pageerror", lambda error: watch.console_errors.append(f"uncaught: {error}"))
            yield page, watch
        finally:
            browser.close()


def log_in(page: Page, base_url: str, *, login: str, password: str) -> None:
    """The portal's own login page, as an officer uses it."""
    page.goto(base_url + "/akun/masuk/")
    page.get_by_label("E-mail atau nomor HP").fill(login)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state()


def sideways_overflow(page: Page) -> int:
    """How many pixels the page sticks out to the right of the window (0 when it fits)."""
    return page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
