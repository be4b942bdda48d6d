"""The Content-Security-Policy header (django-csp, jps_portal/settings.py) and the templates it relies
on: no inline script, style or event handler anywhere in templates/, so the policy needs no
'unsafe-inline'. (tests/browser/test_content_security_policy.py walks every role's pages in Chromium.)"""

import re
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# An inline <script> (one without src, other than a JSON data block), a style attribute or element,
# an on…= event handler, a javascript: link.
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>"
    r"|\sstyle=|<style[\s>]|\son[a-z]+=|javascript:",
    re.IGNORECASE,
)


def _policy(response: object) -> dict[str, list[str]]:
    directives = [part.split() for part in response["Content-Security-Policy"].split(";") if part.strip()]
    return {name: values for name, *values in directives}


def test_no_template_holds_an_inline_script_style_or_event_handler():
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0).strip()}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for match in INLINE.finditer(path.read_text(encoding="utf-8"))
    ]

    assert not found, found


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/akun/masuk/", "/admin/login/"])
def test_every_page_carries_a_policy_that_allows_only_this_sites_scripts_and_styles(client, url):
    policy = _policy(client.get(url))

    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert not any("unsafe-inline" in value or "unsafe-eval" in value for values in policy.values() for value in values)


@pytest.mark.django_db
def test_a_logged_in_page_carries_the_policy_and_is_neither_cached_nor_shared(client, verifier):
    client.force_login(verifier)

    response = client.get("/admin/")

    assert response.status_code == 200
    assert _policy(response)["script-src"] == ["'self'"]
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_the_template_check_would_catch_an_inline_script_or_style():
    assert INLINE.search("<script>alert(1)</script>")
    assert INLINE.search('<i style="width:3%">')
    assert INLINE.search('<button onclick="go()">')
    assert not INLINE.search('<script src="/static/js/portal.js" defer></script>')
    assert not INLINE.search('{{ data|json_script:"x" }}')
