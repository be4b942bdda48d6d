"""A per-process circuit breaker: after a failure, stop calling a service that is down for a while.

    closed ──failure──▶ open ──``seconds`` later, one caller──▶ half-open ──success──▶ closed
                          ▲                                          │
                          └──────────────────failure─────────────────┘

While open, ``allow()`` answers False at once, so callers skip the call (and fall back: the broker's
pending-work sweeps, the database for sessions) instead of each paying the service's timeout. After
the window, exactly one caller is let through as a probe; the others keep skipping until it reports.
Each process has its own breakers: nothing is shared, nothing needs the service that is down."""

import threading
import time
from collections.abc import Callable


class CircuitBreaker:
    CLOSED, OPEN, HALF_OPEN = "closed", "open", "half-open"

    def __init__(self, name: str, *, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.name = name
        self.seconds = seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._state = self.CLOSED
        self._opened_at = 0.0
        # How many calls were skipped while open (reported in the log line when it closes again).
        self.skipped = 0

    @property
    def state(self) -> str:
        with self._lock:
            if self._state == self.OPEN and self._clock() - self._opened_at >= self.seconds:
                return self.HALF_OPEN  # the next allow() will be the probe
            return self._state

    def allow(self) -> bool:
        """True if the caller may call the service now (closed, or it is the half-open probe)."""
        with self._lock:
            if self._state == self.CLOSED:
                return True
            if self._state == self.OPEN and self._clock() - self._opened_at >= self.seconds:
                self._state = self.HALF_OPEN  # this caller is the probe; others skip until it reports
                return True
            self.skipped += 1
            return False

    def success(self) -> bool:
        """The call worked: close. Returns True if the breaker was not closed before (a recovery)."""
        with self._lock:
            recovered = self._state != self.CLOSED
            self._state = self.CLOSED
            if recovered:
                self.skipped = 0
            return recovered

    def failure(self) -> bool:
        """The service is down: open for ``seconds``. Returns True if it was closed before."""
        with self._lock:
            was_closed = self._state == self.CLOSED
            self._state = self.OPEN
            self._opened_at = self._clock()
            return was_closed

    def abandon(self) -> None:
        """The call ended for a reason that says nothing about the service (a bug): a half-open probe
        gives its turn back, so the next caller probes; a closed or open breaker is left as it is."""
        with self._lock:
            if self._state == self.HALF_OPEN:
                self._state = self.OPEN
                self._opened_at = self._clock() - self.seconds

    def reset(self) -> None:
        """Closed, as new (tests)."""
        with self._lock:
            self._state, self._opened_at, self.skipped = self.CLOSED, 0.0, 0
