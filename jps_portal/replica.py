"""Reads that tolerate seconds of lag go to the PostgreSQL streaming replica; everything else to the primary.

Nothing is routed to the replica unless a view asks for it with ``@replica_reads`` (the dashboard and
its drill-downs and exports, public lists, API reads). Even then the primary answers when:

- no replica is configured (``DATABASE_REPLICA_URL`` empty: the embedded default and most tests);
- the visitor wrote something in the last ``PRIMARY_PIN_SECONDS`` (a cookie set on every POST, so it
  holds whichever web node serves the next request) and must see their own write;
- the replica is down or lags more than ``REPLICA_MAX_LAG_SECONDS`` (checked at most every
  ``REPLICA_CHECK_SECONDS`` per process, with a 2 s connect timeout);
- a query on the replica fails mid-view (replica stopped, recovery conflict): the view, which only
  reads, runs again on the primary — the visitor never sees a 5xx for it.

Authentication and session data are always read from the primary: a log-out, a disabled account or a
changed permission must take effect on the next request, not after the replica catches up.
"""

import contextlib
import contextvars
import functools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

REPLICA = "replica"
PIN_COOKIE = "jps_primary"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Read from the primary whatever the view says: who is logged in, and with which rights.
PRIMARY_ONLY_APPS = frozenset({"auth", "accounts", "sessions", "axes", "contenttypes"})

# Lag as the replica itself sees it: 0 while it streams and has replayed all it received; otherwise the
# age of the last replayed transaction (a replica cut off from its primary grows old here).
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming')
         AND pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()), 1e9)
END
"""

_reads_on_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("reads_on_replica", default=False)
_replica_used: contextvars.ContextVar[bool] = contextvars.ContextVar("replica_used", default=False)


@dataclass(frozen=True)
class ReplicaStatus:
    configured: bool
    usable: bool = False
    lag_seconds: float | None = None
    error: str = ""
    checked_at: float = float("-inf")


_status = ReplicaStatus(configured=False)
_status_lock = threading.Lock()


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_status(*, refresh: bool = False) -> ReplicaStatus:
    """The replica's state, probed at most every REPLICA_CHECK_SECONDS in this process."""
    global _status
    if not replica_configured():
        return ReplicaStatus(configured=False)
    if refresh or time.monotonic() - _status.checked_at >= settings.REPLICA_CHECK_SECONDS:
        with _status_lock:
            if refresh or time.monotonic() - _status.checked_at >= settings.REPLICA_CHECK_SECONDS:
                _status = _probe()
    return _status


def _probe() -> ReplicaStatus:
    now = time.monotonic()
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(LAG_SQL)
            (lag,) = cursor.fetchone()
    except DatabaseError as error:
        connections[REPLICA].close()
        logger.warning("Replica unreachable, reads go to the primary: %s", str(error).strip())
        return ReplicaStatus(configured=True, usable=False, error=str(error).strip()[:200], checked_at=now)
    lag = float(lag)
    usable = lag <= settings.REPLICA_MAX_LAG_SECONDS
    if not usable:
        logger.warning(
            "Replica lags %.1f s (bound %s s), reads go to the primary", lag, settings.REPLICA_MAX_LAG_SECONDS
        )
    return ReplicaStatus(configured=True, usable=usable, lag_seconds=lag, checked_at=now)


def replica_mark_down(error: BaseException) -> None:
    """A query failed on the replica: stop using it until the next probe says otherwise."""
    global _status
    with _status_lock:
        _status = ReplicaStatus(
            configured=True, usable=False, error=str(error).strip()[:200], checked_at=time.monotonic()
        )
    with contextlib.suppress(DatabaseError):
        connections[REPLICA].close()


class ReplicaRouter:
    """Django database router: see the module docstring. Writes and migrations only on the primary."""

    def db_for_read(self, model: type[Model], **hints: object) -> str:
        if _reads_on_replica.get() and model._meta.app_label not in PRIMARY_ONLY_APPS and replica_status().usable:
            _replica_used.set(True)
            return REPLICA
        return "default"

    def db_for_write(self, model: type[Model], **hints: object) -> str:
        return "default"

    def allow_relation(self, obj1: Model, obj2: Model, **hints: object) -> bool:
        return True  # one database, two copies of it

    def allow_migrate(self, db: str, app_label: str, **hints: object) -> bool:
        return db == "default"


def pinned_to_primary(request: HttpRequest) -> bool:
    """True while the visitor's last write is younger than PRIMARY_PIN_SECONDS (their pin cookie)."""
    try:
        return float(request.COOKIES.get(PIN_COOKIE, "0")) > time.time()
    except ValueError:
        return False


def replica_reads(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let a read-only view read from the replica (see the module docstring for when it does not)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not replica_configured() or request.method not in SAFE_METHODS or pinned_to_primary(request):
            return view(request, *args, **kwargs)
        reads = _reads_on_replica.set(True)
        used = _replica_used.set(False)
        try:
            return view(request, *args, **kwargs)
        except DatabaseError as error:
            if not _replica_used.get():
                raise
            replica_mark_down(error)
            logger.warning("Replica failed during %s, answering from the primary: %s", request.path, error)
        finally:
            _reads_on_replica.reset(reads)
            _replica_used.reset(used)
        return view(request, *args, **kwargs)

    return wrapped


class PrimaryAfterWriteMiddleware:
    """After a write (any unsafe method), pin the visitor's reads to the primary for a few seconds.

    A cookie, not server state: the next request may reach another web node. A forged cookie can only
    send a visitor's reads to the primary, which is always correct."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method not in SAFE_METHODS and replica_configured():
            seconds = settings.PRIMARY_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                f"{time.time() + seconds:.0f}",
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
