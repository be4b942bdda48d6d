"""Django's Redis cache, with one redis-py client object per connection pool instead of one per call,
and a circuit breaker: while Redis is known to be down, cache calls fail at once.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache operation, and
redis-py 8 rebuilds its table of several hundred response callbacks in each constructor: about 0.15 ms
per operation, measured here, on pages that make five cache reads. A client object is thread-safe
and holds no connection of its own (the pool does), so one per pool is enough.

Every caller of the cache already survives a failing cache (sessions read the database, throttles let
the call through). What the breaker adds: after a connection error, the process stops asking Redis for
``REDIS_CACHE_BREAKER_SECONDS`` and raises ``CacheUnavailable`` (a redis ``ConnectionError``) at once;
then one call probes. So an outage costs a request no connect attempts and the log one line per
process, not a traceback per cache call."""

import functools
import logging
import os
from collections.abc import Callable

import redis.exceptions
from django.conf import settings
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

from jps_portal.breaker import CircuitBreaker

logger = logging.getLogger(__name__)

_breaker: CircuitBreaker | None = None
# A forked child starts with a closed breaker of its own.
os.register_at_fork(after_in_child=lambda: globals().update(_breaker=None))


class CacheUnavailable(redis.exceptions.ConnectionError):
    """Raised instead of calling Redis while the cache's breaker is open."""


def cache_breaker() -> CircuitBreaker:
    """This process's breaker for the Redis cache."""
    global _breaker
    if _breaker is None:
        _breaker = CircuitBreaker("cache", seconds=settings.REDIS_CACHE_BREAKER_SECONDS)
    return _breaker


def _guarded(method: Callable) -> Callable:
    @functools.wraps(method)
    def call(self: RedisCacheClient, *args: object, **kwargs: object) -> object:
        breaker = cache_breaker()
        if not breaker.allow():
            raise CacheUnavailable("Redis cache unavailable (breaker open)")
        try:
            result = method(self, *args, **kwargs)
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as error:
            if breaker.failure():
                logger.error("Redis cache unavailable (%s); not asked again for %.0f s", error, breaker.seconds)
            raise
        except Exception:  # Redis answered (a missing key for incr, a bad value): it is up
            breaker.success()
            raise
        if breaker.success():
            logger.warning("Redis cache reachable again")
        return result

    return call


class _ReusedClientRedisCacheClient(RedisCacheClient):
    def get_client(self, key: object = None, *, write: bool = False) -> object:
        pool = self._get_connection_pool(write)
        clients: dict[int, object] = self.__dict__.setdefault("_clients_by_pool", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client

    add = _guarded(RedisCacheClient.add)
    get = _guarded(RedisCacheClient.get)
    set = _guarded(RedisCacheClient.set)
    touch = _guarded(RedisCacheClient.touch)
    delete = _guarded(RedisCacheClient.delete)
    get_many = _guarded(RedisCacheClient.get_many)
    has_key = _guarded(RedisCacheClient.has_key)
    incr = _guarded(RedisCacheClient.incr)
    set_many = _guarded(RedisCacheClient.set_many)
    delete_many = _guarded(RedisCacheClient.delete_many)
    clear = _guarded(RedisCacheClient.clear)


class ReusedClientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict) -> None:
        super().__init__(server, params)
        self._class = _ReusedClientRedisCacheClient
