"""Lag-tolerant reads on the replica, everything else on the primary, and the fall-backs."""

import time

import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.test import RequestFactory

from accounts.models import User
from applications.models import Application
from jps_portal import replica
from jps_portal.replica import PIN_COOKIE, PrimaryAfterWriteMiddleware, ReplicaRouter, ReplicaStatus, replica_reads

router = ReplicaRouter()
USABLE = ReplicaStatus(configured=True, usable=True, lag_seconds=0.2)
LAGGING = ReplicaStatus(configured=True, usable=False, lag_seconds=42.0)


@pytest.fixture
def with_replica(monkeypatch):
    """As if DATABASE_REPLICA_URL were set and the replica kept up."""
    monkeypatch.setattr(replica, "replica_configured", lambda: True)
    monkeypatch.setattr(replica, "replica_status", lambda **kwargs: USABLE)


def _seen_database(model=Application):
    """A view that reports where its reads of ``model`` would go."""

    def view(request):
        return HttpResponse(router.db_for_read(model))

    return view


def test_reads_go_to_the_primary_unless_a_view_asks_for_the_replica(with_replica):
    assert router.db_for_read(Application) == "default"
    assert replica_reads(_seen_database())(RequestFactory().get("/")).content == b"replica"


def test_writes_and_migrations_stay_on_the_primary(with_replica):
    assert router.db_for_write(Application) == "default"
    assert router.allow_migrate("replica", "applications") is False
    assert router.allow_migrate("default", "applications") is True


def test_who_is_logged_in_is_always_read_from_the_primary(with_replica):
    assert replica_reads(_seen_database(User))(RequestFactory().get("/")).content == b"default"


def test_a_lagging_or_unreachable_replica_is_not_used(with_replica, monkeypatch):
    monkeypatch.setattr(replica, "replica_status", lambda **kwargs: LAGGING)
    assert replica_reads(_seen_database())(RequestFactory().get("/")).content == b"default"


def test_a_visitor_who_just_wrote_reads_the_primary(with_replica):
    request = RequestFactory().get("/")
    request.COOKIES[PIN_COOKIE] = f"{time.time() + 5:.0f}"
    assert replica_reads(_seen_database())(request).content == b"default"

    request.COOKIES[PIN_COOKIE] = f"{time.time() - 1:.0f}"  # expired: back to the replica
    assert replica_reads(_seen_database())(request).content == b"replica"


def test_an_unsafe_method_never_reads_the_replica(with_replica):
    assert replica_reads(_seen_database())(RequestFactory().post("/")).content == b"default"


def test_a_write_pins_the_visitor_to_the_primary_on_any_node(with_replica, settings):
    settings.PRIMARY_PIN_SECONDS = 7
    middleware = PrimaryAfterWriteMiddleware(lambda request: HttpResponse("ok"))

    cookie = middleware(RequestFactory().post("/")).cookies[PIN_COOKIE]
    assert cookie["max-age"] == 7 and cookie["httponly"]
    assert 6 <= float(cookie.value) - time.time() <= 8
    assert PIN_COOKIE not in middleware(RequestFactory().get("/")).cookies


def test_no_pin_cookie_without_a_replica():
    middleware = PrimaryAfterWriteMiddleware(lambda request: HttpResponse("ok"))
    assert PIN_COOKIE not in middleware(RequestFactory().post("/")).cookies


def test_a_replica_failing_mid_view_gives_the_answer_from_the_primary(with_replica, monkeypatch):
    marked_down = []
    monkeypatch.setattr(replica, "replica_mark_down", marked_down.append)
    calls = []

    def view(request):
        database = router.db_for_read(Application)
        calls.append(database)
        if database == "replica":
            monkeypatch.setattr(replica, "replica_status", lambda **kwargs: LAGGING)  # as replica_mark_down does
            raise OperationalError("server closed the connection unexpectedly")
        return HttpResponse(database)

    response = replica_reads(view)(RequestFactory().get("/"))
    assert (response.status_code, response.content) == (200, b"default")
    assert calls == ["replica", "default"]
    assert len(marked_down) == 1


def test_an_error_on_the_primary_is_not_hidden(with_replica):
    def view(request):
        raise OperationalError("primary down")

    with pytest.raises(OperationalError):
        replica_reads(view)(RequestFactory().post("/"))


def test_without_a_replica_the_decorator_changes_nothing():
    assert replica_reads(_seen_database())(RequestFactory().get("/")).content == b"default"
