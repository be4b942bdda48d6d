"""Request guards that belong to no single app."""

import re
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from jps_portal.request_id import current_request_id

# A NUL written as a JSON escape: "\u0000" whose backslash is not itself escaped ("\\u0000" is a
# backslash followed by the text "u0000", which is harmless).
_JSON_ESCAPED_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


class RejectNullBytesMiddleware:
    """Refuse a request whose path, query, form fields, uploaded file names or JSON body hold a NUL
    character, and ignore a cookie that holds one.

    No input legitimately contains one, and PostgreSQL refuses it in any text or jsonb parameter,
    so a NUL anywhere would otherwise become a server error in whichever query it reached first
    (a ``<str:province>`` in a URL, a session key). It may come raw (``%00``) or escaped inside
    JSON (``\\u0000`` in the ``data`` part of ``POST /pengajuan/antrean/``, or a JSON body), which
    only becomes a NUL once some view decodes it. Answering 400 here keeps every view, present and
    future, free of that special case. A cookie is the browser's, not something typed: a damaged
    one is dropped (the visitor is simply not logged in) rather than answered 400 on every page.
    Placed before the session middleware, which reads the session cookie."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or _has_null(request.GET) or _post_has_null(request) or _json_has_null(request):
            if request.path.startswith("/api/"):
                return _api_problem(request)
            return HttpResponseBadRequest(_("Isian berisi karakter yang tidak valid."), content_type="text/plain")
        if any("\x00" in name or "\x00" in value for name, value in request.COOKIES.items()):
            request.COOKIES = {name: value for name, value in request.COOKIES.items() if "\x00" not in name + value}
        return self.get_response(request)


def _api_problem(request: HttpRequest) -> HttpResponse:
    """The partner API answers every error as RFC 9457 problem details (docs/api.md), this one too
    (found by schemathesis: a NUL in a JSON body was a text/plain 400 the schema does not document)."""
    body = {
        "type": "https://jps.kemnaker.go.id/api/v1/problems/invalid-request",
        "title": str(_("Permintaan tidak valid")),
        "status": 400,
        "detail": str(_("Isian berisi karakter yang tidak valid.")),
        "instance": request.path.replace("\x00", ""),
        "request_id": current_request_id(),
    }
    return JsonResponse(body, status=400, content_type="application/problem+json")


def _post_has_null(request: HttpRequest) -> bool:
    if request.method != "POST":
        return False
    uploads = (upload for name in request.FILES for upload in request.FILES.getlist(name))
    return _has_null(request.POST) or any("\x00" in (upload.name or "") for upload in uploads)


def _has_null(data: object) -> bool:
    return any(_is_null_text(key) or any(_is_null_text(value) for value in data.getlist(key)) for key in data)


def _is_null_text(text: str) -> bool:
    return "\x00" in text or ("\\u0000" in text and _JSON_ESCAPED_NUL.search(text) is not None)


def _json_has_null(request: HttpRequest) -> bool:
    content_type = request.content_type or ""
    if request.method in ("GET", "HEAD") or not (content_type == "application/json" or content_type.endswith("+json")):
        return False
    return _is_null_text(request.body.decode("utf-8", errors="replace"))


class PrivatePagesMiddleware:
    """``Cache-Control: private, no-store`` on every answer to a logged-in user: a shared computer's
    browser or a proxy must not keep a page with a group's members, NIKs or bank account (the Back
    button after logging out would show it again)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self._logged_in(request):
            patch_cache_control(response, private=True, no_store=True)
        return response

    @staticmethod
    def _logged_in(request: HttpRequest) -> bool:
        # The session naming a user is enough (and errs on the private side): asking ``request.user``
        # would load the user for pages served without it (``page_cache.access_remembered``).
        # Without a session cookie the session is not read (reading it would add "Vary: Cookie").
        session = getattr(request, "session", None)
        if session is not None and settings.SESSION_COOKIE_NAME in request.COOKIES and session.get(SESSION_KEY):
            return True
        user = getattr(request, "user", None)
        return user is not None and user.is_authenticated
