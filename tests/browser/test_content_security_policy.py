"""Issue 11 §4: every HTML page carries a Content-Security-Policy with no inline script or style, and
no page of any role trips it — Django's own admin JavaScript included.

A visitor not logged in, then each demo login (``seed_demo``: ketua, verifikator, PPK, bendahara,
direktur, pendamping, admin) opens its landing pages in Chromium and follows the links it is shown,
breadth-first and bounded (one visit per kind of page, at most ``PAGES_PER_ROLE`` pages). Chromium
reports each blocked script, style or style attribute as a ``securitypolicyviolation`` event and a
console error; any one fails the test, as does
a page without the policy, a policy that allows 'unsafe-inline', a logged-in page without
``Cache-Control: private, no-store``, or a 5xx. The admin's JavaScript is then used once for real
(the changelist's select-all and action counter, the date widget's "Hari ini" shortcut).
"""

import io
import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import BrowserContext, Error, Page, expect, sync_playwright

from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (CI installs it)"),
]
LAPTOP = {"viewport": {"width": 1366, "height": 768}, "locale": "id-ID", "timezone_id": "Asia/Jakarta"}
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "locale": "id-ID"}
PAGES_PER_ROLE = 40
# (demo login, viewport, where its day starts); None: a visitor not logged in.
ROLES = [
    (None, PHONE, ["/", "/daftar-penerima/", "/akun/masuk/", "/akun/daftar/", "/akun/lupa-sandi/", "/admin/login/"]),
    ("kelompok", PHONE, ["/", "/kelompok/anggota/semua/"]),
    ("verifikator", LAPTOP, ["/admin/"]),
    ("ppk", LAPTOP, ["/admin/"]),
    ("bendahara", LAPTOP, ["/admin/"]),
    ("direktur", LAPTOP, ["/dasbor/", "/admin/"]),
    ("pendamping", PHONE, ["/pendampingan/"]),
    ("admin", LAPTOP, ["/admin/"]),
]
# Links not followed: leaving, switching language, files (downloads are no pages), deleting. The
# admin's export pages (django-import-export's format form, /admin/…/export/) are pages, and followed.
SKIPPED = ("logout", "keluar", "/i18n/", "/media/", "ekspor", "unduh", "download", "berkas", "/delete/")
SKIPPED_ENDINGS = (".csv", ".xlsx", ".pdf", ".png", ".jpg")
# Reported by Chromium to the page before any of its scripts run.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("CSP violation: " + event.violatedDirective + " blocked " + (event.blockedURI || "inline")
                + " in " + event.documentURI + " " + (event.sample || ""));
});
"""

# Every link's absolute address (an SVG <a>'s href is no string, hence getAttribute).
LINKS = "links => links.map(link => new URL(link.getAttribute('href'), document.baseURI).href)"


class RoleWalk:
    """What one role's walk found: each problem once, with the page it was on."""

    def __init__(self, base_url: str, *, logged_in: bool) -> None:
        self.base_url = base_url
        self.logged_in = logged_in
        self.problems: list[str] = []
        self.visited: list[str] = []

    def console(self, text: str, url: str) -> None:
        if "Content Security Policy" in text or "CSP violation" in text:
            self.problems.append(f"{text} @ {url}")

    def follow(self, page: Page, start: list[str], limit: int) -> None:
        queue, seen = deque(self.base_url + path for path in start), set()
        while queue and len(self.visited) < limit:
            url = queue.popleft()
            key = _shape(url)
            if key in seen:
                continue
            seen.add(key)
            try:
                response = page.goto(url, wait_until="load")
            except Error as error:  # a download, not a page
                if "Download is starting" in str(error):
                    continue
                raise
            self.visited.append(url)
            self._check_answer(response, url)
            for link in page.eval_on_selector_all("a[href]", LINKS):
                link = urldefrag(link).url
                if self._followable(link) and _shape(link) not in seen:
                    queue.append(link)

    def _followable(self, link: str) -> bool:
        lowered = link.lower()
        path = urlsplit(lowered).path
        return (
            link.startswith(self.base_url)
            and not any(word in lowered for word in SKIPPED)
            and ("export" not in path or (path.startswith("/admin/") and path.endswith("/export/")))
            and not path.endswith(SKIPPED_ENDINGS)
            and "_popup" not in lowered
        )

    def _check_answer(self, response: object, url: str) -> None:
        if response is None:
            return
        if response.status >= 500:
            self.problems.append(f"{response.status} @ {url}")
        headers = response.headers
        if not headers.get("content-type", "").startswith("text/html"):
            return
        policy = headers.get("content-security-policy", "")
        if "script-src 'self'" not in policy or "unsafe-inline" in policy or "unsafe-eval" in policy:
            self.problems.append(f"policy {policy!r} @ {url}")
        cache_control = headers.get("cache-control", "")
        if self.logged_in and ("private" not in cache_control or "no-store" not in cache_control):
            self.problems.append(f"Cache-Control {cache_control!r} on a logged-in page @ {url}")


def _shape(url: str) -> str:
    """One visit per kind of page: ``/kelompok/anggota/20001/ubah/`` and ``…/20002/ubah/`` are one."""
    return re.sub(r"[0-9]+", "N", urlsplit(url).path)


def _browser_context(browser: object, live_server: object, username: str | None, viewport: dict) -> BrowserContext:
    """A browser context carrying a session of ``username`` (made by Django's test client: the walk is
    about pages, not the login form, and logging in seven times would only feed the lockout)."""
    context = browser.new_context(**viewport)
    context.add_init_script(REPORT_VIOLATIONS)
    if username is not None:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        cookie = client.cookies["sessionid"]
        context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    return context


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data", "_allow_orm_beside_playwright")
def test_no_page_of_any_role_breaks_the_content_security_policy_and_the_admin_scripts_still_work(live_server):
    call_command("seed_demo", stdout=io.StringIO(), verbosity=0)
    problems, walked = [], {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            for username, viewport, start in ROLES:
                walk = RoleWalk(live_server.url, logged_in=username is not None)
                context = _browser_context(browser, live_server, username, viewport)
                page = context.new_page()
                page.set_default_timeout(15_000)
                page.on("console", lambda message, walk=walk, page=page: walk.console(message.text, page.url))
                walk.follow(page, start, PAGES_PER_ROLE)
                if username == "admin":
                    _use_the_admin_scripts(page, live_server.url)
                context.close()
                username = username or "anonim"
                problems += [f"{username}: {problem}" for problem in walk.problems]
                walked[username] = walk.visited
        finally:
            browser.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "csp-walk.txt").write_text(
        "".join(f"{username} {url}\n" for username, urls in walked.items() for url in urls), encoding="utf-8"
    )

    assert not problems, "\n".join(problems)
    # The walk went somewhere: every role saw several pages (a broken landing page would see one).
    assert all(len(urls) >= 3 for urls in walked.values()), walked


def _use_the_admin_scripts(page: Page, base_url: str) -> None:
    """Django admin's actions.js and DateTimeShortcuts.js run under the policy: select all rows of a
    changelist and the counter says so; a date field offers its "Hari ini" shortcut."""
    page.goto(base_url + "/admin/applications/application/?status__exact=submitted")
    page.locator("#action-toggle").check()
    expect(page.locator(".action-counter")).to_have_text(re.compile(r"^\s*[1-9][0-9]* dari [1-9]"))
    page.goto(base_url + "/admin/training/trainingevent/add/")
    expect(page.locator(".datetimeshortcuts").first).to_be_visible()
