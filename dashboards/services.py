"""Dashboard actions: recompute the tallies, and a director's request to recompute now."""

import datetime
import logging
import time
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from dashboards.models import (
    ProvinceTally,
    RegencyTally,
    ResultTally,
    TallyRefresh,
    TallySnapshot,
    TicketTally,
    WeeklyApprovals,
)
from dashboards.results import insert_result_rows
from dashboards.tallies import insert_snapshot_rows
from dashboards.ticket_tallies import insert_ticket_rows

# Two recomputes at once would race for the "current" flag; the second waits for the first.
_LOCK_KEY = zlib.crc32(b"dashboards.tallies_recompute")
logger = logging.getLogger(__name__)


def snapshots_kept() -> int:
    return max(2, settings.DASHBOARD_SNAPSHOTS_KEPT)


def tallies_recompute() -> TallySnapshot:
    """Build a new snapshot from the live tables and make it current, all in one transaction.

    A run that dies half-way (error, killed worker) rolls back whole: the previous snapshot stays
    current and complete. Running it twice gives a second snapshot with the same figures."""
    started = time.perf_counter()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # One consistent view of the data for all three statements (set before any query, so
            # only when this is the outermost transaction; tests wrap everything in their own).
            if connection.get_autocommit() is False and not connection.savepoint_ids:
                connection.cursor().execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            connection.cursor().execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        snapshot = TallySnapshot.objects.create(as_of=timezone.now())
        province_rows, regency_rows = insert_snapshot_rows(snapshot.pk)
        insert_result_rows(snapshot.pk, today=timezone.localdate())
        insert_ticket_rows(snapshot.pk, today=timezone.localdate())
        TallySnapshot.objects.filter(is_current=True).update(is_current=False)
        snapshot.is_current = True
        snapshot.province_rows = province_rows
        snapshot.regency_rows = regency_rows
        snapshot.duration_ms = round((time.perf_counter() - started) * 1000)
        snapshot.save(update_fields=["is_current", "province_rows", "regency_rows", "duration_ms"])
        _prune(keep=snapshots_kept())
    # Past the transaction: pages show the new snapshot at once, without waiting for the cache to expire.
    _remember_current(snapshot)
    return snapshot


def _prune(*, keep: int) -> None:
    old = list(TallySnapshot.objects.filter(is_current=False).order_by("-as_of", "-pk").values_list("pk", flat=True))
    stale = old[keep - 1 :]
    if not stale:
        return
    # Rows first, by snapshot id: plain DELETEs, nothing loaded into Python.
    for model in (RegencyTally, ProvinceTally, WeeklyApprovals, ResultTally, TicketTally):
        model.objects.filter(snapshot_id__in=stale)._raw_delete(connection.alias)
    TallySnapshot.objects.filter(pk__in=stale).delete()


CURRENT_SNAPSHOT_KEY = "dash:current-snapshot"
# The current snapshot, remembered briefly: every dashboard page starts by reading it. A new snapshot
# replaces the cached one as soon as it commits; the timeout bounds staleness if that write failed.
CURRENT_SNAPSHOT_SECONDS = 30


def current_snapshot() -> TallySnapshot | None:
    try:
        snapshot = cache.get(CURRENT_SNAPSHOT_KEY)
    except Exception:  # Redis down: the database answers alone
        return TallySnapshot.objects.filter(is_current=True).first()
    if snapshot is None:
        snapshot = TallySnapshot.objects.filter(is_current=True).first()
        _remember_current(snapshot)
    return snapshot


def _remember_current(snapshot: TallySnapshot | None) -> None:
    if snapshot is None:
        return
    try:
        cache.set(CURRENT_SNAPSHOT_KEY, snapshot, CURRENT_SNAPSHOT_SECONDS)
    except Exception:  # the cache is only a shortcut
        logger.warning("Dashboard cache unavailable for the current snapshot", exc_info=True)


@dataclass
class RefreshOutcome:
    """What the "Perbarui" button tells the director."""

    queued: bool
    throttled: bool = False
    retry_after: datetime.timedelta | None = None
    # Nothing the tallies count changed since the current snapshot: a recompute would show the same.
    fresh_as_of: datetime.datetime | None = None


def tallies_changed_since(moment: datetime.datetime) -> bool:
    """Whether anything the tallies count was written after ``moment``: applications (status, amounts),
    groups, members, or the money ledger. A handful of EXISTS queries, run only on a refresh request."""
    from applications.models import Application
    from disbursements.models import LedgerEntry
    from grievances.models import Ticket
    from groups.models import Group, Member

    return (
        Application.objects.filter(updated_at__gt=moment).exists()
        or LedgerEntry.objects.filter(created_at__gt=moment).exists()
        or Group.objects.filter(updated_at__gt=moment).exists()
        or Member.objects.filter(created_at__gt=moment).exists()
        or Ticket.objects.filter(Q(filed_at__gt=moment) | Q(closed_at__gt=moment)).exists()
    )


def refresh_interval() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.DASHBOARD_REFRESH_MINUTES)


def tally_refresh_request(*, by: AbstractBaseUser) -> RefreshOutcome:
    """Queue a recompute unless one was queued less than ``DASHBOARD_REFRESH_MINUTES`` ago.

    The throttle lives in the database, not the cache: the cache is Redis, and the button must still
    answer sensibly while Redis is down. A request the broker refused does not hold the throttle."""
    from dashboards.tasks import recompute_tallies
    from jps_portal.celery import enqueue_on_commit

    now = timezone.now()
    current = TallySnapshot.objects.filter(is_current=True).first()
    if current is not None and not tallies_changed_since(current.as_of):
        return RefreshOutcome(queued=False, fresh_as_of=current.as_of)
    outcome = RefreshOutcome(queued=True)
    with transaction.atomic():
        # Serialise concurrent clicks on the last request row (there is nothing to lock before the first).
        last = TallyRefresh.objects.select_for_update().filter(queued=True).order_by("-requested_at").first()
        if last is not None and now - last.requested_at < refresh_interval():
            return RefreshOutcome(
                queued=False, throttled=True, retry_after=last.requested_at + refresh_interval() - now
            )
        refresh = TallyRefresh.objects.create(requested_by=by, requested_at=now)

        def _not_queued() -> None:
            outcome.queued = False
            TallyRefresh.objects.filter(pk=refresh.pk).update(queued=False)

        enqueue_on_commit(recompute_tallies, on_failure=_not_queued)
    return outcome
