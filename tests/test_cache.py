"""The Redis cache reuses one client object per pool (Django builds one per call)."""

import pytest
from django.conf import settings

from jps_portal.cache import ReusedClientRedisCache

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="needs a real Redis (REDIS_URL)")


def test_it_hands_out_the_same_client_and_still_reads_and_writes():
    cache = ReusedClientRedisCache(settings.REDIS_URL, {"KEY_PREFIX": "test-reused-client"})
    assert cache._cache.get_client(write=True) is cache._cache.get_client(write=True)
    cache.set("answer", {"a": 1}, 30)
    assert cache.get("answer") == {"a": 1}
    cache.delete("answer")
    assert cache.get("answer") is None
