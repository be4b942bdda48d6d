"""Sessions read from the cache first and written through to the database, surviving a cache outage.

Django's ``cached_db`` engine already survives a failing cache on ``save()``, but not on ``load()``
(after a cache miss it writes the row it read from the database back to the cache, unguarded),
``exists()`` or ``delete()``: with Redis down, every logged-in page would answer 500. Here every
cache call is guarded, so a Redis outage costs one session query per request and nothing else.
"""

import logging

from django.contrib.sessions.backends import cached_db

from jps_portal.cache import CacheUnavailable

logger = logging.getLogger("django.contrib.sessions")


def _cache_failed(what: str, error: Exception) -> None:
    """One line, no traceback; nothing while the cache's breaker is open (it logged the outage once)."""
    if not isinstance(error, CacheUnavailable):
        logger.warning("Session cache unavailable (%s: %s); %s", type(error).__name__, error, what)


class SessionStore(cached_db.SessionStore):
    def load(self) -> dict:
        try:
            data = self._cache.get(self.cache_key)
        except Exception as error:  # any cache failure (Redis down): read the database instead
            _cache_failed("reading the session from the database", error)
            data = None
        if data is not None:
            return data
        row = self._get_session_from_db()
        if not row:
            return {}
        data = self.decode(row.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=row.expire_date))
        except Exception as error:  # as above: the database has it, the cache can wait
            _cache_failed("not caching the session", error)
        return data

    def exists(self, session_key: str) -> bool:
        try:
            if session_key and (self.cache_key_prefix + session_key) in self._cache:
                return True
        except Exception as error:  # as above
            _cache_failed("checking the database", error)
        return super(cached_db.SessionStore, self).exists(session_key)

    def delete(self, session_key: str | None = None) -> None:
        super(cached_db.SessionStore, self).delete(session_key)
        key = session_key or self.session_key
        if key is None:
            return
        try:
            self._cache.delete(self.cache_key_prefix + key)
        except Exception as error:  # a stale cached session expires on its own; the database row is gone
            _cache_failed("cached session not deleted", error)
