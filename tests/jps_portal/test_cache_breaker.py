"""Redis down: after one connection error, the cache stops asking Redis for a while (no connect
attempt, no traceback per call), and sessions keep working from the database."""

import logging

import pytest
import redis.connection
from django.urls import reverse

from jps_portal import cache as jps_cache
from jps_portal.cache import CacheUnavailable, ReusedClientRedisCache

DEAD = "redis://127.0.0.1:1/0"  # nothing listens on port 1


class Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def connects(monkeypatch):
    """Every connection attempt redis-py makes (refused: nothing listens)."""
    attempts = []
    refuse = redis.connection.AbstractConnection.connect

    def counted(self, *args, **kwargs):
        attempts.append(1)
        return refuse(self, *args, **kwargs)

    monkeypatch.setattr(redis.connection.AbstractConnection, "connect", counted)
    return attempts


@pytest.fixture
def clock(monkeypatch):
    breaker = jps_cache.cache_breaker()
    breaker.reset()
    fake = Clock()
    monkeypatch.setattr(breaker, "_clock", fake)
    yield fake
    breaker.reset()


def test_after_one_refused_connection_the_cache_fails_at_once_until_its_window_is_over(connects, clock, caplog):
    cache = ReusedClientRedisCache(DEAD, {})
    with pytest.raises(redis.exceptions.ConnectionError):
        cache.get("a")
    tried = len(connects)
    assert tried >= 1
    for call in (lambda: cache.get("a"), lambda: cache.set("a", 1), lambda: cache.incr("a"), lambda: cache.add("b", 1)):
        with pytest.raises(CacheUnavailable):
            call()
    assert len(connects) == tried, "no connection attempt while the breaker is open"
    assert caplog.text.count("Redis cache unavailable") == 1

    clock.now += jps_cache.cache_breaker().seconds  # one probe, still refused: open again
    with pytest.raises(redis.exceptions.ConnectionError) as probe:
        cache.get("a")
    assert not isinstance(probe.value, CacheUnavailable)
    assert len(connects) > tried
    with pytest.raises(CacheUnavailable):
        cache.get("a")


def test_a_logged_in_page_with_redis_down_logs_no_traceback(client, applicant, settings, clock, caplog):
    settings.SESSION_ENGINE = "accounts.sessions"
    client.force_login(applicant)
    settings.CACHES = {"default": {"BACKEND": "jps_portal.cache.ReusedClientRedisCache", "LOCATION": DEAD}}
    caplog.set_level(logging.WARNING)
    for _ in range(3):
        response = client.get(reverse("groups:home"))
        assert response.status_code == 200 and response.wsgi_request.user == applicant
    assert "Traceback" not in caplog.text and not any(record.exc_info for record in caplog.records)
    assert jps_cache.cache_breaker().state == "open"
