"""Swagger UI and Redoc at /api/v1/docs/ and /api/v1/redoc/: served from the sidecar package's
files under /static/ (no CDN), with no inline script, under the site's Content-Security-Policy."""

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S)


def _scripts(html: str) -> list[tuple[str, str]]:
    """(src, inline text) of every <script> of the page."""
    found = []
    for attributes, text in SCRIPT.findall(html):
        src = re.search(r'src="([^"]*)"', attributes)
        found.append((src.group(1) if src else "", text.strip()))
    return found


@pytest.mark.parametrize("path", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_the_docs_page_loads_its_scripts_from_static_and_none_inline(client, path):
    response = client.get(path)

    assert response.status_code == 200
    scripts = _scripts(response.content.decode())
    assert scripts, "the page loads its viewer"
    for src, inline in scripts:
        assert src.startswith("/static/") and inline == "", (src, inline)
        assert finders.find(src.removeprefix("/static/")), f"{src} is not a static file of the project"
    assert "cdn" not in response.content.decode().lower()
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert 'data-schema-url="/api/v1/schema/"' in response.content.decode()


def test_only_redoc_may_use_inline_styles(client):
    assert "'unsafe-inline'" not in client.get("/api/v1/docs/")["Content-Security-Policy"]
    redoc_styles = client.get("/api/v1/redoc/")["Content-Security-Policy"].split("style-src ")[1].split(";")[0]
    assert "'unsafe-inline'" in redoc_styles


def test_the_schema_the_pages_read_is_served_without_a_key(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")
