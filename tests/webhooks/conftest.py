"""Webhook tests' world: a real HTTP receiver on 127.0.0.1 (the partner's endpoint), and
subscriptions of Disnaker Jawa Barat's system (province 32) and the national SIAPkerja."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from jps_portal import events
from partners.models import Scope
from tests.partners.conftest import make_client
from webhooks import services
from webhooks.models import Subscription


class Receiver:
    """A partner endpoint: records every POST, answers ``status`` (503 while it is "down")."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/jps"

    def events(self) -> list[dict]:
        return [json.loads(request["body"]) for request in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


def subscribe(client, url: str, *, by, kinds=(events.APPLICATION_STATUS_CHANGED,)) -> tuple[Subscription, str]:  # noqa: ANN001
    issued = services.subscription_save(
        subscription=Subscription(client=client, target_url=url, events=list(kinds)), by=by
    )
    assert issued is not None
    return issued.subscription, issued.secret


@pytest.fixture
def jabar_subscription(receiver, portal_admin):
    """Disnaker Jawa Barat's system, listening to application status changes."""
    client = make_client(name="SIDISNAKER Jabar", scopes=[Scope.APPLICATIONS_READ], provinces=["32"], by=portal_admin)
    return subscribe(client, receiver.url, by=portal_admin)
