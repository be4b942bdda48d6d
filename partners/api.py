"""The base of every ``/api/v1/`` view: key authentication, scope, per-client throttle, problem
details, an ``ApiCall`` row per call, and ETags (``If-None-Match`` → 304)."""

import hashlib
import time
from typing import Any, ClassVar

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.translation import gettext_lazy
from rest_framework import generics
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from partners.authentication import ApiKeyAuthentication
from partners.calllog import api_call_record
from partners.permissions import HasScope
from partners.throttling import ClientRateThrottle


class StableCursorPagination(CursorPagination):
    """Opaque cursors over a unique, never-changing key (``id``): a row updated while a partner walks
    the list is neither skipped nor repeated. Sync by ``updated_since``, walk by cursor."""

    ordering = "id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000
    invalid_cursor_message = gettext_lazy("Kursor tidak valid: ikuti tautan next/previous apa adanya.")

    def decode_cursor(self, request: Request) -> Cursor | None:
        # DRF answers a bad cursor with 404, as if the list were gone; it is the caller's input that
        # is wrong: a 400 naming the parameter, like every other bad query parameter (schemathesis).
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ValidationError({self.cursor_query_param: [str(self.invalid_cursor_message)]}) from None


def etag_of(content: bytes) -> str:
    """A strong ETag: the hash of the exact bytes sent (the JSON is rendered once, for both)."""
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def _matches(if_none_match: str, etag: str) -> bool:
    offered = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return etag in offered or "*" in offered


class PartnerAPIView(generics.GenericAPIView):
    authentication_classes: ClassVar[list] = [ApiKeyAuthentication]
    permission_classes: ClassVar[list] = [HasScope]
    throttle_classes: ClassVar[list] = [ClientRateThrottle]
    required_scope: ClassVar[str | None] = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Response:
        started = time.perf_counter()
        response = super().dispatch(request, *args, **kwargs)
        api_call_record(
            request=request,
            response=response,
            caller=getattr(request, "user", None),
            duration_ms=(time.perf_counter() - started) * 1000,
        )
        return response

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200 and isinstance(response, Response):
            etag = etag_of(response.render().content)
            if _matches(request.headers.get("If-None-Match", ""), etag):
                response = HttpResponseNotModified()
            response["ETag"] = etag
            # Private data: a proxy must not keep it, but the partner may revalidate with the ETag.
            response["Cache-Control"] = "private, no-cache"
        return response


class NotFoundView(APIView):
    """Unknown ``/api/v1/`` paths: a 404 problem for every method, without asking for a key."""

    authentication_classes: ClassVar[list] = []
    permission_classes: ClassVar[list] = []
    schema = None  # not an operation

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        raise NotFound
