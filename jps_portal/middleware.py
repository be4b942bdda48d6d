"""Request guards that belong to no single app."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _


class RejectNullBytesMiddleware:
    """Refuse a request whose query or form fields hold a NUL character.

    No form input legitimately contains one, and PostgreSQL refuses it in any text parameter, so a
    NUL typed into any field anywhere would otherwise become a server error in whichever query it
    reached first. Answering 400 here keeps every view free of that special case."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_null(request.GET) or (request.method == "POST" and _has_null(request.POST)):
            return HttpResponseBadRequest(_("Isian berisi karakter yang tidak valid."), content_type="text/plain")
        return self.get_response(request)


def _has_null(data: object) -> bool:
    return any("\x00" in key or any("\x00" in value for value in data.getlist(key)) for key in data)
