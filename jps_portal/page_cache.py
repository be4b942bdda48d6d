"""Whole rendered pages kept in the cache for a visitor who asks for the same page again.

The CSRF token is the one per-visitor part of a rendered page: it is taken out before caching and the
visitor's own token is put back on every hit. A page is never cached or served from the cache while a
message (``django.contrib.messages``) waits for the visitor. When the cache (Redis) is down, pages are
rendered as without it."""

import logging
import re
from collections.abc import Callable

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

_CSRF_VALUE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_CSRF_SLOT = "__csrf_slot__"
logger = logging.getLogger(__name__)


def cached_page(request: HttpRequest, key: str, render: Callable[[], HttpResponse], *, seconds: int) -> HttpResponse:
    """``render()``, or its earlier result kept under ``key`` for ``seconds``."""
    if len(messages.get_messages(request)):
        return render()
    try:
        html = cache.get(key)
    except Exception:  # Redis down: render as without a cache
        return render()
    if html is not None:
        return HttpResponse(html.replace(_CSRF_SLOT, get_token(request)))
    response = render()
    text = response.content.decode()
    token = _CSRF_VALUE.search(text)
    if response.status_code == 200:
        try:
            cache.set(key, text.replace(token.group(1), _CSRF_SLOT) if token else text, seconds)
        except Exception:  # the page matters more than the cache
            logger.warning("Page cache unavailable for %s", key, exc_info=True)
    return response


def versions(*keys: str) -> list[str]:
    """The current values of version keys (one round trip); "0" for a key never bumped."""
    try:
        found = cache.get_many(list(keys))
    except Exception:  # Redis down: pages are rendered uncached anyway
        return ["down"] * len(keys)
    return [str(found.get(key, 0)) for key in keys]


def bump(*keys: str) -> None:
    """Give version keys a new value: every cached page whose key named them is stale from now on."""
    import time

    try:
        cache.set_many({key: time.time_ns() for key in keys}, None)
    except Exception:  # a page may then stay stale until its own timeout
        logger.warning("Page cache unavailable to bump %s", keys, exc_info=True)
