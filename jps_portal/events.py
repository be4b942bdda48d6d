"""Domain events: what happened, told by the service that made it happen, to whoever listens.

Services call ``publish`` inside their own transaction, after the state change and its history row
are written. Listeners (today ``webhooks``, which writes its outbox) register in their AppConfig's
``ready()`` and run synchronously, in the same transaction: what they write commits or rolls back
with the event itself.

Why here and not a ``post_save`` signal on the history models: the set-based paths (a bank
reconciliation settles 100,000 tranches with one UPDATE and one INSERT … SELECT; a member-list import
bulk-creates its applications) write no row through ``save()``, so a model signal would silently miss
most payments. An explicit call covers them with one ``publish`` of many events. And why a module in
the wiring package rather than in ``webhooks``: the domain apps must not import the app that sends
webhooks (dependencies point from webhooks to them), so the meeting point sits below both.
"""

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.utils import timezone

# The event types a listener may receive; webhooks offers exactly these to subscribers.
APPLICATION_STATUS_CHANGED = "application.status_changed"
TRANCHE_PAID = "tranche.paid"
TRANCHE_FAILED = "tranche.failed"
REPORT_DECIDED = "report.decided"
TICKET_STATUS_CHANGED = "ticket.status_changed"
TYPES = (APPLICATION_STATUS_CHANGED, TRANCHE_PAID, TRANCHE_FAILED, REPORT_DECIDED, TICKET_STATUS_CHANGED)


@dataclass(frozen=True)
class Event:
    """One thing that happened. ``data`` holds JSON values only; ``province_code`` and
    ``regency_code`` place it, so a listener can keep it within a reader's region scope."""

    type: str
    data: dict
    province_code: str
    regency_code: str = ""
    occurred_at: datetime.datetime = field(default_factory=timezone.now)


Listener = Callable[[Sequence[Event]], None]
Interest = Callable[[Iterable[str]], bool]
_listeners: list[Listener] = []
_interests: dict[Listener, Interest] = {}


def listen(listener: Listener, *, wants: Interest | None = None) -> None:
    """Register ``listener`` (once; registering it again changes nothing). ``wants(types)`` answers
    cheaply whether it would do anything with events of those types (see ``wanted``)."""
    if listener not in _listeners:
        _listeners.append(listener)
    if wants is not None:
        _interests[listener] = wants


def wanted(types: Iterable[str]) -> bool:
    """Whether any listener cares about events of ``types``. A set-based path (a reconciliation of
    100,000 lines) asks first, and builds its events only when someone will read them."""
    kinds = list(types)
    return any(listener not in _interests or _interests[listener](kinds) for listener in _listeners)


def publish(events: Iterable[Event]) -> None:
    """Hand ``events`` to every listener, in the caller's transaction. Call it inside the atomic
    block that made the change: a rollback then takes the listeners' writes with it."""
    batch = list(events)
    if not batch:
        return
    unknown = {event.type for event in batch} - set(TYPES)
    if unknown:
        raise ValueError(f"Unknown event types: {sorted(unknown)}")
    for listener in _listeners:
        listener(batch)
