"""Rate limits for endpoints a script could call in a loop (the NIK check as it is typed), per user
and, where several accounts could be used from one place, per client address too.

A fixed window in the cache: at most ``limit`` calls per user (or address) per ``seconds``
(``settings.RATE_LIMITS`` names both per scope), then 429 with Retry-After and an Indonesian message
until the window ends. When the cache is unreachable the call is let through: a throttle must not take the portal down
with Redis (and jps_portal.cache answers at once while Redis is known to be down)."""

import functools
import logging
import math
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

View = Callable[..., HttpResponse]


def rate_limited_per_user_and_address(scope: str) -> Callable[[View], View]:
    """Limit a logged-in view per user (``settings.RATE_LIMITS[scope]``) and per client address
    (``settings.RATE_LIMITS[scope + "-address"]``, set higher: several honest users share a carrier's
    NAT address). Per user alone, a script with a handful of accounts would multiply its allowance;
    per address alone, one user could spend a whole village's."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def limited(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            address = request.META.get("REMOTE_ADDR") or "-"
            wait = max(_seconds_to_wait(scope, request.user.pk), _seconds_to_wait(f"{scope}-address", address))
            if wait:
                return _too_many(wait)
            return view(request, *args, **kwargs)

        return limited

    return decorate


def seconds_to_wait(scope: str, key: object) -> int:
    """For views limited by something else than the user (an IP address): 0 if this call is within
    ``settings.RATE_LIMITS[scope]`` for ``key`` (and counts it), else the seconds to wait."""
    return _seconds_to_wait(scope, key)


def _seconds_to_wait(scope: str, user_id: object) -> int:
    """0 if this call is within the limit (and counts it), else the seconds until the window ends."""
    limit, seconds = settings.RATE_LIMITS[scope]
    now = time.time()
    window = int(now // seconds)
    key = f"ratelimit:{scope}:{user_id}:{window}"
    try:
        cache.add(key, 0, timeout=seconds + 1)
        calls = cache.incr(key)
    except ValueError:  # the window's key expired between add and incr: a new window
        return 0
    except Exception:  # the cache is down: let it through rather than refuse everyone
        logger.warning("Rate limit %s not checked: cache unavailable", scope)
        return 0
    if calls <= limit:
        return 0
    return max(1, math.ceil((window + 1) * seconds - now))


def _too_many(wait: int) -> JsonResponse:
    minutes = math.ceil(wait / 60)
    message = _("Terlalu banyak permintaan. Coba lagi dalam %(minutes)d menit.") % {"minutes": minutes}
    response = JsonResponse({"valid": False, "errors": [message]}, status=429)
    response["Retry-After"] = str(wait)
    return response
