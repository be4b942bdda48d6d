"""Swagger UI and Redoc render in Chromium under the site's Content-Security-Policy: no violation
reported, no console error, the schema's operations on the page."""

import pytest

from tests.browser.conftest import CHROMIUM
from tests.browser.test_content_security_policy import REPORT_VIOLATIONS

# Redoc's sidebar footer always asks for its vendor's logo from a CDN; the policy blocks it (the page
# never reaches the CDN) and Redoc hides the broken image. That one block is expected, nothing else.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (CI installs it)"),
]


@pytest.mark.parametrize(
    ("path", "rendered"),
    [("/api/v1/docs/", ".swagger-ui .opblock-summary-path"), ("/api/v1/redoc/", "[data-section-id^='tag/']")],
)
def test_the_api_docs_render_without_a_policy_violation(phone, live_server, path, rendered):
    page, watch = phone
    page.add_init_script(REPORT_VIOLATIONS)

    page.goto(live_server.url + path)
    page.locator(rendered).first.wait_for(timeout=20_000)

    assert "/api/v1/applications/" in page.content()
    watch.console_errors = [error for error in watch.console_errors if REDOC_LOGO not in error]
    watch.assert_clean()
