"""Every API error as RFC 9457 problem details (``application/problem+json``).

``type`` names the kind of problem (listed in docs/api.md, "Error catalogue"), ``title`` is the same
for every problem of that type, ``detail`` says what went wrong with this request, ``instance`` is
the path asked for. Messages are Indonesian unless the request's Accept-Language asks for English
(LocaleMiddleware has activated the language before the view runs)."""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response

from jps_portal.request_id import current_request_id

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://jps.kemnaker.go.id/api/v1/problems/"

# status → (type slug, title). Titles are lazy: they are read in the request's language.
PROBLEMS = {
    400: ("invalid-request", gettext_lazy("Permintaan tidak valid")),
    401: ("unauthenticated", gettext_lazy("Autentikasi gagal")),
    403: ("forbidden", gettext_lazy("Akses ditolak")),
    404: ("not-found", gettext_lazy("Tidak ditemukan")),
    405: ("method-not-allowed", gettext_lazy("Metode tidak diizinkan")),
    406: ("not-acceptable", gettext_lazy("Format jawaban tidak tersedia")),
    413: ("payload-too-large", gettext_lazy("Isi permintaan terlalu besar")),
    415: ("unsupported-media-type", gettext_lazy("Format isi tidak didukung")),
    429: ("too-many-requests", gettext_lazy("Terlalu banyak permintaan")),
    500: ("server-error", gettext_lazy("Kesalahan pada server")),
}


def _default_details() -> dict[type, str]:
    """Our own words for DRF's default messages (DRF's catalogue is not the portal's voice)."""
    return {
        exceptions.NotAuthenticated: _("Sertakan header Authorization: Bearer <kunci API>."),
        exceptions.PermissionDenied: _("Klien ini tidak boleh melakukan tindakan ini."),
        exceptions.NotFound: _("Data tidak ditemukan atau berada di luar lingkup wilayah klien ini."),
        exceptions.MethodNotAllowed: _("Metode ini tidak tersedia untuk alamat ini."),
        exceptions.NotAcceptable: _("Jawaban hanya tersedia sebagai JSON."),
        exceptions.UnsupportedMediaType: _("Isi permintaan harus JSON."),
        exceptions.ParseError: _("Isi permintaan tidak dapat dibaca."),
    }


# Problems of the write endpoints whose type is not the plain one of their status: slug → title.
WRITE_PROBLEMS = {
    "submission-refused": gettext_lazy("Pengajuan ditolak"),
    "outside-region": gettext_lazy("Di luar lingkup wilayah"),
    "idempotency-key-reused": gettext_lazy("Kunci idempotensi sudah dipakai untuk isi lain"),
    "idempotency-key-in-progress": gettext_lazy("Permintaan dengan kunci ini sedang diproses"),
    "member-list-refused": gettext_lazy("Daftar anggota ditolak"),
    "conflict": gettext_lazy("Keadaan data tidak memungkinkan"),
    "bank-results-refused": gettext_lazy("Hasil bank ditolak"),
}


class Problem(exceptions.APIException):
    """A problem of a named type (``WRITE_PROBLEMS``) raised by a view; ``extra`` joins the body."""

    def __init__(
        self, *, status: int, slug: str, detail: str, extra: dict | None = None, headers: dict | None = None
    ) -> None:
        super().__init__(detail=detail)
        self.status_code, self.slug, self.extra, self.headers = status, slug, extra or {}, headers or {}


def problem_response(
    status: int,
    *,
    detail: str,
    instance: str,
    extra: dict | None = None,
    headers: dict | None = None,
    slug: str | None = None,
) -> Response:
    if slug in WRITE_PROBLEMS:
        title = WRITE_PROBLEMS[slug]
    else:
        slug, title = PROBLEMS.get(status, PROBLEMS[400] if status < 500 else PROBLEMS[500])
    body = {
        "type": TYPE_BASE + slug,
        "title": str(title),
        "status": status,
        "detail": detail,
        "instance": instance,
        "request_id": current_request_id(),
        **(extra or {}),
    }
    return Response(body, status=status, headers=headers, content_type=CONTENT_TYPE)


def exception_handler(exc: Exception, context: dict) -> Response:
    """DRF's ``EXCEPTION_HANDLER`` for the API: every exception becomes a problem, never an HTML page."""
    request = context.get("request")
    instance = request.get_full_path() if request is not None else ""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        logger.exception("API error on %s", instance, exc_info=exc)
        return problem_response(500, detail=_("Terjadi kesalahan. Coba lagi nanti."), instance=instance)

    if isinstance(exc, Problem):
        return problem_response(
            exc.status_code,
            detail=str(exc.detail),
            instance=instance,
            extra=exc.extra,
            headers=exc.headers,
            slug=exc.slug,
        )
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    extra: dict = {}
    if isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 1)
        headers["Retry-After"] = str(wait)
        detail = _("Batas panggilan klien ini terlampaui. Coba lagi dalam %(seconds)d detik.") % {"seconds": wait}
    elif isinstance(exc, exceptions.ValidationError):
        detail = _("Periksa parameter yang dikirim.")
        extra["errors"] = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
    elif str(exc.detail) == str(exc.default_detail) and type(exc) in _default_details():
        detail = _default_details()[type(exc)]
    else:
        detail = str(exc.detail)
    return problem_response(exc.status_code, detail=detail, instance=instance, extra=extra, headers=headers)


def handler400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 400 view (``jps_portal.urls.handler400``): a request refused before any view ran — a
    body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``, too many fields — is a problem under ``/api/v1/`` (a
    partner's program reads JSON, not the portal's HTML page); elsewhere the portal's own page."""
    if not request.path.startswith("/api/v1/"):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        status = 413
        detail = _(
            "Isi permintaan lebih dari %(mb)d MB. Hasil bank sebesar itu dikirim sebagai berkas (bagian 'file')."
        ) % {"mb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 2**20}
    else:
        status, detail = 400, _default_details()[exceptions.ParseError]
    slug, title = PROBLEMS[status]
    body = {
        "type": TYPE_BASE + slug,
        "title": str(title),
        "status": status,
        "detail": detail,
        "instance": request.get_full_path(),
        "request_id": current_request_id(),
    }
    return JsonResponse(body, status=status, content_type=CONTENT_TYPE)
