"""The API's audit trail: one ``ApiCall`` row per call, one INSERT after the answer is ready."""

import logging

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from jps_portal.request_id import current_request_id
from partners.authentication import PartnerCaller
from partners.models import ApiCall

logger = logging.getLogger(__name__)


def api_call_record(*, request: HttpRequest, response: HttpResponse, caller: object, duration_ms: float) -> None:
    """Record the call; a failure to record is logged, never turned into a failed answer."""
    match = getattr(request, "resolver_match", None)
    client = caller.client if isinstance(caller, PartnerCaller) else None
    try:
        ApiCall.objects.create(
            client=client,
            key_id=caller.key.key_id if isinstance(caller, PartnerCaller) else "",
            operation=(match.url_name if match and match.url_name else "unknown")[:80],
            method=request.method[:8],
            path=request.get_full_path()[:300],
            status=response.status_code,
            duration_ms=max(0, round(duration_ms)),
            request_id=current_request_id()[:64],
            at=timezone.now(),
        )
    except Exception:
        logger.exception("API call not recorded")
