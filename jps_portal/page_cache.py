"""Whole rendered pages kept in the cache for a visitor who asks for the same page again.

The CSRF token is the one per-visitor part of a rendered page: it is taken out before caching and the
visitor's own token is put back on every hit. A page is never cached or served from the cache while a
message (``django.contrib.messages``) waits for the visitor. When the cache (Redis) is down, pages are
rendered as without it."""

import logging
import re
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
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
        return _served(request, html)
    response = render()
    text = response.content.decode()
    token = _CSRF_VALUE.search(text)
    if response.status_code == 200:
        try:
            cache.set(key, text.replace(token.group(1), _CSRF_SLOT) if token else text, seconds)
        except Exception:  # the page matters more than the cache
            logger.warning("Page cache unavailable for %s", key, exc_info=True)
    return response


def _served(request: HttpRequest, html: str) -> HttpResponse:
    return HttpResponse(html.replace(_CSRF_SLOT, get_token(request)))


def cached_page_hit(request: HttpRequest, key: str) -> HttpResponse | None:
    """The page kept under ``key``, or ``None`` (not kept, a message waiting, or Redis down)."""
    if len(messages.get_messages(request)):
        return None
    try:
        html = cache.get(key)
    except Exception:  # Redis down: the caller renders
        return None
    return None if html is None else _served(request, html)


# --- pages served to a session whose access was checked a moment ago ---------------------------------------
#
# A cached page still costs two database queries per request when the view first loads the user (and
# checks its session hash) and then the user's role. For the pages a user reloads all day (the mentor's
# work list), the full check runs on a miss and is then remembered for ACCESS_SECONDS against this
# session and the user's session hash: a hit within that time reads only Redis. What it costs: a user
# deactivated, stripped of the role or whose password changed elsewhere may still see their *own*
# cached page for up to ACCESS_SECONDS — never anyone else's, and never after a logout (the session is
# gone). A change to the page's own data bumps its version, which misses the cache and checks again.

ACCESS_SECONDS = 60


def _access_key(request: HttpRequest, scope: str) -> str | None:
    session_key = request.session.session_key
    return f"page-access:{scope}:{session_key}" if session_key else None


def _access_value(request: HttpRequest) -> str:
    return f"{request.session.get(SESSION_KEY)}:{request.session.get(HASH_SESSION_KEY, '')}"


def session_user_id(request: HttpRequest) -> str | None:
    """The id of the user this session is logged in as, read from the session without loading the user."""
    return request.session.get(SESSION_KEY)


def access_remember(request: HttpRequest, *, scope: str, seconds: int = ACCESS_SECONDS) -> None:
    """Call once the view's full checks passed: for ``seconds`` this session may be served ``scope``'s
    cached page without them."""
    key = _access_key(request, scope)
    if key is None or session_user_id(request) is None:
        return
    try:
        cache.set(key, _access_value(request), seconds)
    except Exception:  # without it the next request simply checks again
        logger.warning("Page cache unavailable to remember access for %s", scope, exc_info=True)


def access_remembered(request: HttpRequest, *, scope: str, version_keys: list[str]) -> list[str] | None:
    """``version_keys``' current values (one round trip, see ``versions``) if this session's access to
    ``scope`` was checked within the last ``ACCESS_SECONDS``; else ``None``."""
    key = _access_key(request, scope)
    if key is None or session_user_id(request) is None:
        return None
    try:
        found = cache.get_many([key, *version_keys])
    except Exception:  # Redis down: the full path
        return None
    if found.get(key) != _access_value(request):
        return None
    return [str(found.get(version, 0)) for version in version_keys]


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
