"""Liveness and readiness for the load balancer (HAProxy checks ``/readyz``; see deploy/haproxy.cfg).

``/healthz``: the process answers — nothing else is touched, so it also serves as the surge benchmark's
ceiling. ``/readyz``: can this node do its work? It needs the primary database and the shared storage
(503 without either, so HAProxy sends traffic elsewhere). The broker and the replica are reported but
never make a node unready: the portal is built to keep taking applications while Redis is down (the
sweeps enqueue the work later), and reads fall back to the primary without a replica — taking every
node out of rotation for a shared component that the portal can do without would turn a degraded
service into an outage.
"""

import time
import uuid
from collections.abc import Callable

import redis
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

from jps_portal import replica

# A name that never exists: asking for it is a cheap round trip (a HEAD on S3) that needs the bucket.
STORAGE_PROBE_NAME = f"readyz-probe-{uuid.UUID(int=0).hex}"
CHECK_TIMEOUT_SECONDS = 2


def healthz(request: HttpRequest) -> HttpResponse:
    """For the load balancer: the process answers. (Also the ceiling the surge benchmark compares to.)"""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    checks = {
        "database": _timed(_database),
        "storage": _timed(_storage),
        "broker": _timed(_broker),
        "replica": _replica(),
    }
    ready = checks["database"]["ok"] and checks["storage"]["ok"]
    return JsonResponse({"ready": ready, "checks": checks}, status=200 if ready else 503)


def _timed(check: Callable[[], str]) -> dict:
    started = time.perf_counter()
    try:
        detail = check()
    except Exception as error:  # noqa: BLE001 - any failure of a dependency is "not ok", reported
        return {"ok": False, "error": f"{type(error).__name__}: {str(error).strip()[:200]}"}
    return {"ok": True, "detail": detail, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _database() -> str:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        connections["default"].close()  # a broken persistent connection is not reused by the next check
        raise
    return connections["default"].vendor


def _storage() -> str:
    default_storage.exists(STORAGE_PROBE_NAME)
    return type(default_storage._wrapped).__name__ if hasattr(default_storage, "_wrapped") else "storage"


def _broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager (no broker: tasks run in-process)"
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return "not checked"
    client = redis.Redis.from_url(
        url, socket_connect_timeout=CHECK_TIMEOUT_SECONDS, socket_timeout=CHECK_TIMEOUT_SECONDS
    )
    try:
        client.ping()
    finally:
        client.close()
    return "redis"


def _replica() -> dict:
    status = replica.replica_status(refresh=True)
    if not status.configured:
        return {"ok": True, "detail": "none configured"}
    report = {"ok": status.usable, "lag_seconds": status.lag_seconds, "bound_seconds": settings.REPLICA_MAX_LAG_SECONDS}
    if status.error:
        report["error"] = status.error
    if not status.usable:
        report["detail"] = "reads go to the primary"
    return report
