"""Browser fixtures: Debian's chromium driven by Playwright's sync API, sized like a cheap Android phone.

Browsers cannot be downloaded here (no ``playwright install``): CI installs Debian's ``chromium`` and
the tests launch that binary. Screenshots go to test-artifacts/browser/ (gitignored).
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, Response, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts" / "browser"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# A 360 × 740 Android phone, in Indonesian.
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "id-ID",
    "timezone_id": "Asia/Jakarta",
}


@pytest.fixture
def _allow_orm_beside_playwright(monkeypatch) -> None:
    """Playwright's sync API keeps an asyncio loop in the main thread, and Django then refuses ORM
    calls there (SynchronousOnlyOperation): a known pytest-django + Playwright clash. Allowed only
    while a browser test runs, so the rest of the suite keeps Django's check."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@dataclass
class PageWatch:
    """What went wrong while the page was in use: 5xx answers, console errors, uncaught exceptions."""

    server_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def response(self, response: Response) -> None:
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.request.method} {response.url}")

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(f"{message.text} @ {message.location.get('url', '')}")

    def assert_clean(self) -> None:
        assert not self.server_errors, f"server errors: {self.server_errors}"
        assert not self.console_errors, f"console errors: {self.console_errors}"


@pytest.fixture
def phone(_allow_orm_beside_playwright) -> Iterator[tuple[Page, PageWatch]]:
    """A fresh phone-sized page (no cookies) and the watch on what it reported."""
    watch = PageWatch()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(**PHONE)
            page = context.new_page()
            page.set_default_timeout(10_000)
            page.on("response", watch.response)
            page.on("console", watch.console)
            page.on("pageerror", lambda error: watch.console_errors.append(f"uncaught: {error}"))
            yield page, watch
        finally:
            browser.close()


@pytest.fixture(scope="session")
def _fresh_artifacts() -> Path:
    """Once per run: the screenshots folder, emptied so no stale step from an earlier run remains."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    return ARTIFACTS


@pytest.fixture
def screenshot(_fresh_artifacts) -> Callable[[Page, str], Path]:
    """``screenshot(page, "03-check-email")`` saves a full-page PNG under test-artifacts/browser/."""

    def save(page: Page, name: str) -> Path:
        path = _fresh_artifacts / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
