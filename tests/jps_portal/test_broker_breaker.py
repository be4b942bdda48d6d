"""Redis down must not mean a slow portal: after one failed publish, a process stops trying for a while
(the breaker), so requests during an outage pay nothing for the broker; the sweep sends the work later."""

import pytest
from kombu.exceptions import OperationalError

from applications.tasks import sweep_waiting_intakes
from jps_portal import celery as jps_celery
from jps_portal.breaker import CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_breaker_opens_after_a_failure_and_lets_one_probe_through_after_its_window():
    clock = Clock()
    breaker = CircuitBreaker("broker", seconds=10, clock=clock)
    assert breaker.allow() and breaker.state == "closed"

    assert breaker.failure() is True  # it was closed: this failure opened it
    assert breaker.state == "open"
    assert [breaker.allow() for _ in range(3)] == [False, False, False]
    clock.now += 9.9
    assert breaker.allow() is False

    clock.now += 0.1  # the window is over: half-open, one caller probes, the others still skip
    assert breaker.state == "half-open"
    assert breaker.allow() is True
    assert breaker.allow() is False and breaker.allow() is False

    assert breaker.failure() is False  # the probe failed: open again, for a new window
    assert breaker.allow() is False
    clock.now += 10
    assert breaker.allow() is True
    assert breaker.success() is True  # the probe worked: closed, and this was a recovery
    assert breaker.state == "closed" and breaker.allow() and breaker.allow()
    assert breaker.success() is False


def test_a_probe_that_ends_in_a_bug_gives_its_turn_to_the_next_caller():
    clock = Clock()
    breaker = CircuitBreaker("broker", seconds=10, clock=clock)
    breaker.failure()
    clock.now += 10
    assert breaker.allow() is True
    breaker.abandon()
    assert breaker.allow() is True  # not stuck half-open waiting for a report that never comes


@pytest.fixture
def broker(monkeypatch):
    """The broker as the publishing code sees it: up or down, and how often it was asked."""

    class Broker:
        up = True
        attempts = 0

        def apply_async(self, *args, **kwargs):
            self.attempts += 1
            if not self.up:
                raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    fake = Broker()
    monkeypatch.setattr(sweep_waiting_intakes, "apply_async", fake.apply_async)
    clock = Clock()
    monkeypatch.setattr(jps_celery.broker_breaker(), "_clock", clock)
    fake.clock = clock
    return fake


def test_no_publish_is_attempted_while_the_breaker_is_open(broker, settings):
    window = jps_celery.broker_breaker().seconds
    failures = []
    broker.up = False
    for _ in range(20):
        jps_celery._publish(sweep_waiting_intakes, (), on_failure=lambda: failures.append(1))
    assert broker.attempts == 1, "only the first publish tried the broker"
    assert len(failures) == 20, "every caller still learns its task was not sent"

    broker.clock.now += window  # half-open: one probe, still down, open again
    for _ in range(5):
        jps_celery._publish(sweep_waiting_intakes, ())
    assert broker.attempts == 2

    broker.up = True
    broker.clock.now += window  # half-open: the probe works, the breaker closes, every publish goes
    for _ in range(5):
        jps_celery._publish(sweep_waiting_intakes, ())
    assert broker.attempts == 7
    assert jps_celery.broker_breaker().state == "closed"


def test_a_bug_in_publishing_is_raised_not_taken_for_an_outage(monkeypatch):
    def bug(*args, **kwargs):
        raise TypeError("not an outage")

    monkeypatch.setattr(sweep_waiting_intakes, "apply_async", bug)
    with pytest.raises(TypeError):
        jps_celery._publish(sweep_waiting_intakes, ())
    assert jps_celery.broker_breaker().state == "closed"


def test_publishing_uses_short_timeouts_and_no_retry_loop(settings):
    """The request's own producers: one connection attempt, short socket timeouts (kombu's default
    retry loop pauses 2 s before its second attempt, which made each request take ~2 s)."""
    settings.CELERY_PUBLISH_CONNECT_TIMEOUT = 0.25
    settings.CELERY_PUBLISH_SOCKET_TIMEOUT = 0.75
    jps_celery._drop_producer_pool()
    try:
        pool = jps_celery._producer_pool()
        connection = pool.connections.connection
        assert connection.connect_timeout == 0.25
        options = connection.transport_options
        assert options["max_retries"] == 0
        assert (options["socket_connect_timeout"], options["socket_timeout"]) == (0.25, 0.75)
        # the workers' patient settings are untouched
        assert jps_celery.celery_app.conf.broker_transport_options["socket_connect_timeout"] == 2
    finally:
        jps_celery._drop_producer_pool()
