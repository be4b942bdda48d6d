"""Error pages are Indonesian, site-wide and in the admin, and always offer a way back."""

import pytest
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from django.views import csrf, defaults

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize(
    ("render", "status", "heading"),
    [
        (lambda request: defaults.bad_request(request, BadRequest()), 400, "Permintaan tidak dapat diproses"),
        (lambda request: defaults.permission_denied(request, PermissionDenied()), 403, "tidak berwenang"),
        (
            lambda request: csrf.csrf_failure(request, reason="CSRF cookie not set."),
            403,
            "Formulir tidak dapat dikirim",
        ),
        (lambda request: defaults.page_not_found(request, Http404()), 404, "Halaman tidak ditemukan"),
        (lambda request: defaults.server_error(request), 500, "Terjadi gangguan"),
    ],
)
def test_each_error_page_speaks_indonesian_and_leads_home(render, status, heading):
    request = RequestFactory().get("/somewhere/")
    response = render(request)
    html = _html(response)
    assert response.status_code == status
    assert heading in html
    assert 'href="/"' in html
    for english in ("Forbidden", "Not Found", "Server Error", "Bad Request", "CSRF verification failed"):
        assert english not in html


def test_an_officer_refused_in_the_admin_reads_why_and_returns_to_tugas_saya(client, verifier):
    client.force_login(verifier)
    response = client.get(reverse("admin:accounts_user_changelist"))
    html = _html(response)
    assert response.status_code == 403
    assert "tidak berwenang" in html and "403 Forbidden" not in html
    assert f'href="{reverse("admin:index")}"' in html


def test_the_library_export_page_reads_in_indonesian(client, verifier):
    """django-import-export has no Indonesian of its own: locale/id/ supplies it."""
    client.force_login(verifier)
    html = _html(client.get(reverse("admin:applications_application_export")))
    assert "Kolom berikut akan diekspor" in html and "Pilih semua" in html
    assert "This exporter will export" not in html and "Select all" not in html
