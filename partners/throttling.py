"""Per-client rate limit: ``Client.rate_limit_per_minute`` calls in each fixed minute, counted in the
cache (as ``jps_portal.ratelimit`` does). When the cache is down the call goes through: the limit
protects the portal, it must not take it down with Redis."""

from __future__ import annotations

import logging
import math
import time
from typing import TYPE_CHECKING

from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from partners.authentication import PartnerCaller

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)
WINDOW_SECONDS = 60


class ClientRateThrottle(BaseThrottle):
    def __init__(self) -> None:
        self._wait = 0.0

    def allow_request(self, request: Request, view: APIView) -> bool:
        caller = request.user
        if not isinstance(caller, PartnerCaller):
            return True
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        key = f"api-throttle:{caller.client.pk}:{window}"
        try:
            cache.add(key, 0, timeout=WINDOW_SECONDS + 1)
            calls = cache.incr(key)
        except ValueError:  # the window's key expired between add and incr: a new window
            return True
        except Exception:
            logger.warning("API throttle not checked: cache unavailable")
            return True
        if calls <= caller.client.rate_limit_per_minute:
            return True
        self._wait = (window + 1) * WINDOW_SECONDS - now
        return False

    def wait(self) -> float:
        return max(1, math.ceil(self._wait))
