"""Benchmark: the dashboard tally recompute and the dashboard page, on PostgreSQL at national scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jps_dash_bench .venv/bin/python bench/build_national_dataset.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jps_dash_bench .venv/bin/python bench/dashboard_tallies.py

The first command builds the national dataset (51,000 groups / 1,020,000 members); this script then:
1. marks the approved applications' grants as paid (one paid tranche and its ledger row each, added
   once), so the paid join has rows to read;
2. times ``tallies_recompute()`` (median of ``--runs``) and, in the same run, one hand-written SQL
   ``GROUP BY`` producing the same province figures, checks both give the same numbers, and prints
   the ratio (target ≤ 3×, ≤ 2 s);
3. copies the launch part into a small database (``<name>_small``: 50 groups, 1,000 members) and, on
   both databases, counts the national page's queries (in-process test client) and drives the page
   with ``--clients`` concurrent clients through gunicorn on 127.0.0.1 for ``--requests`` requests
   (bounded), printing p50 / p95 (target p95 < 100 ms) and the same-run ceiling of ``/healthz``.
The small database is dropped and recreated (only if its name contains "bench"). gunicorn's cache and
sessions go to ``--redis`` (default ``DASHBOARD_BENCH_REDIS_URL``, else ``redis://127.0.0.1:6379/9``),
which is flushed first: two runs sharing one Redis need different databases there.
"""

import argparse
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql

BASE_DIR = Path(__file__).resolve().parent.parent
PAGE = "/dasbor/?tahun=2020"
SMALL_GROUPS = 50


def main() -> None:
    args = _arguments()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")) or "bench" not in url:
        sys.exit(
            "Set DATABASE_URL to the national bench database, e.g. postgres://postgres@127.0.0.1:5432/jps_dash_bench"
        )
    _django_setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)  # a dataset built by an older checkout gets the new tables
    members = _count(connection, "groups_member")
    if members < 100_000:
        sys.exit(f"Only {members:,} members: build the national dataset first (see the docstring).")
    _mark_paid(connection)
    connection.close()  # CREATE DATABASE … TEMPLATE needs the national database without sessions
    small_url = _copy_small(url)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    tally, hand = _time_tallies(connection, runs=args.runs)
    print(f"members             {members:>12,}   applications {_count(connection, 'applications_application'):,}")
    print(f"tally recompute     {statistics.median(tally):>9.3f} s   (median of {args.runs}; all: "
          f"{', '.join(f'{t:.3f}' for t in tally)})")  # fmt: skip
    print(f"hand-written SQL    {statistics.median(hand):>9.3f} s   (one GROUP BY, province figures, same run)")
    print(f"ratio               {statistics.median(tally) / statistics.median(hand):>9.2f} ×   (target ≤ 3×, ≤ 2 s)")
    director_key = _director_session()
    queries_large = _page_queries()
    connection.close()
    large = _drive(
        url, director_key, clients=args.clients, requests=args.requests, redis_url=args.redis, workers=args.workers
    )
    print(f"page queries        {queries_large} at {members:,} members")
    _print_drive("page (national)", large)

    os.environ["DATABASE_URL"] = small_url
    connection.settings_dict.update(_db_settings(small_url))
    connection.close()
    from dashboards.services import tallies_recompute

    tallies_recompute()
    small_members = _count(connection, "groups_member")
    small_key = _director_session()
    queries_small = _page_queries()
    connection.close()
    small = _drive(
        small_url, small_key, clients=args.clients, requests=args.requests, redis_url=args.redis, workers=args.workers
    )
    print(f"page queries        {queries_small} at {small_members:,} members")
    _print_drive("page (small)", small)
    same = "same" if queries_small == queries_large else "DIFFERENT"
    print(f"query count         {same}: {queries_small} at {small_members:,} vs {queries_large} at {members:,}")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=3000, help="page requests per database (bounded)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--redis",
        default=os.environ.get("DASHBOARD_BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"),
        help="gunicorn's cache and sessions, flushed first (default: DASHBOARD_BENCH_REDIS_URL, else db 9)",
    )
    return parser.parse_args()


def _django_setup() -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jps_portal.settings")
    os.environ.setdefault("DJANGO_ENV", "development")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    os.environ["REDIS_URL"] = ""
    os.environ["CELERY_BROKER_URL"] = ""
    import django

    django.setup()


def _db_settings(url: str) -> dict[str, object]:
    parts = urlsplit(url)
    return {"NAME": parts.path.lstrip("/"), "HOST": parts.hostname, "PORT": parts.port or 5432}


def _count(connection: object, table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed table names
        return cursor.fetchone()[0]


# --- the small copy --------------------------------------------------------------------------------------


def _copy_small(url: str) -> str:
    """``<name>_small``: a template copy of the national database cut down to its first 50 groups."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    small = f"{name}_small"
    admin = psycopg2.connect(host=parts.hostname, port=parts.port or 5432, user=parts.username, dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(small)))
        cursor.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(small), sql.Identifier(name)))
    admin.close()
    small_url = urlunsplit(parts._replace(path=f"/{small}"))
    cut = psycopg2.connect(host=parts.hostname, port=parts.port or 5432, user=parts.username, dbname=small)
    with cut, cut.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE keep AS SELECT id FROM groups_group ORDER BY id LIMIT %s", [SMALL_GROUPS])
        dropped = "SELECT id FROM applications_application WHERE group_id NOT IN (SELECT id FROM keep)"
        # The ledger is append-only by trigger; this throwaway copy is cut down with it switched off.
        cursor.execute("ALTER TABLE disbursements_ledgerentry DISABLE TRIGGER USER")
        cursor.execute(
            "DELETE FROM disbursements_ledgerentry WHERE tranche_id IN "  # noqa: S608
            f"(SELECT id FROM disbursements_tranche WHERE application_id IN ({dropped}))"
        )
        cursor.execute(f"DELETE FROM disbursements_tranche WHERE application_id IN ({dropped})")  # noqa: S608
        cursor.execute(f"DELETE FROM applications_applicationstatuschange WHERE application_id IN ({dropped})")  # noqa: S608
        for table in ("applications_flag", "applications_applicationdocument"):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names; the demo writes none
        cursor.execute("DELETE FROM applications_application WHERE group_id NOT IN (SELECT id FROM keep)")
        cursor.execute("DELETE FROM groups_member WHERE group_id NOT IN (SELECT id FROM keep)")
        cursor.execute("DELETE FROM groups_group WHERE id NOT IN (SELECT id FROM keep)")
        cursor.execute("DELETE FROM dashboards_regencytally")
        cursor.execute("DELETE FROM dashboards_provincetally")
        cursor.execute("DELETE FROM dashboards_weeklyapprovals")
        cursor.execute("DELETE FROM dashboards_tallysnapshot")
    cut.close()
    return small_url


# --- the tally -------------------------------------------------------------------------------------------


def _mark_paid(connection: object) -> None:
    """One paid tranche per approved application, with its ``paid`` ledger row (once): the dashboard's
    "paid" is read from the ledger, as reconciliation leaves it."""
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO disbursements_tranche
                   (application_id, number, percentage, amount, status, paid_at, created_at)
               SELECT a.id, 1, 100, a.approved_amount, 'paid', a.decided_at + interval '14 days', now()
               FROM applications_application a
               WHERE a.status = 'approved' AND a.approved_amount IS NOT NULL
                 AND NOT EXISTS (SELECT 1 FROM disbursements_tranche t WHERE t.application_id = a.id)"""
        )
        cursor.execute(
            """INSERT INTO disbursements_ledgerentry
                   (tranche_id, kind, amount, payment_reference, bank_transaction_id, reason_code, note, created_at)
               SELECT t.id, 'paid', t.amount, '', '', '', 'bench', t.paid_at
               FROM disbursements_tranche t
               WHERE t.status = 'paid' AND NOT EXISTS (
                   SELECT 1 FROM disbursements_ledgerentry l WHERE l.tranche_id = t.id AND l.kind = 'paid')"""
        )


HAND_WRITTEN = """
    WITH m AS (
        SELECT group_id, count(*) AS n, count(*) FILTER (WHERE sex = 'P') AS women,
               count(*) FILTER (WHERE has_disability) AS disabled
        FROM groups_member GROUP BY group_id
    ), p AS (
        SELECT t.application_id, sum(l.amount) AS paid
        FROM disbursements_ledgerentry l JOIN disbursements_tranche t ON t.id = l.tranche_id
        WHERE l.kind = 'paid' GROUP BY t.application_id
    )
    SELECT s.year, s.programme, a.province_id,
           count(*),
           count(*) FILTER (WHERE a.status IN ('submitted', 'revision_requested')),
           count(*) FILTER (WHERE a.status = 'verified'),
           count(*) FILTER (WHERE a.status IN ('approved', 'in_disbursement', 'reporting', 'completed')),
           count(*) FILTER (WHERE a.status = 'rejected'),
           count(*) FILTER (WHERE a.status = 'completed'),
           coalesce(sum(m.n), 0),
           coalesce(sum(m.n) FILTER (WHERE a.status IN ('approved', 'in_disbursement', 'reporting', 'completed')), 0),
           coalesce(sum(m.women) FILTER (WHERE a.status IN ('approved', 'in_disbursement', 'reporting', 'completed')), 0),
           sum(a.requested_amount),
           coalesce(sum(p.paid), 0),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM a.decided_at - a.submitted_at) / 86400.0)
               FILTER (WHERE a.status IN ('approved', 'in_disbursement', 'reporting', 'completed'))
    FROM applications_application a
    JOIN applications_scheme s ON s.id = a.scheme_id
    LEFT JOIN m ON m.group_id = a.group_id
    LEFT JOIN p ON p.application_id = a.id
    WHERE a.status NOT IN ('withdrawn', 'cancelled')
    GROUP BY s.year, s.programme, a.province_id
    ORDER BY 1, 2, 3
"""  # noqa: E501


def _time_tallies(connection: object, *, runs: int) -> tuple[list[float], list[float]]:
    from dashboards.models import ProvinceTally
    from dashboards.services import tallies_recompute

    tally, hand = [], []
    snapshot = None
    rows: list[tuple] = []
    for _ in range(runs):  # interleaved, so neither side gets a warmer cache
        started = time.perf_counter()
        snapshot = tallies_recompute()
        tally.append(time.perf_counter() - started)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(HAND_WRITTEN)
            rows = cursor.fetchall()
        hand.append(time.perf_counter() - started)
    fields = [
        "year", "programme", "province_id", "groups_total", "groups_submitted", "groups_verified", "groups_approved",
        "groups_rejected", "groups_completed", "members_total", "members_approved", "women_approved",
        "amount_requested", "amount_paid", "median_days_to_approval",
    ]  # fmt: skip
    ours = list(
        ProvinceTally.objects.filter(snapshot=snapshot)
        .exclude(groups_total=0)
        .order_by("year", "programme", "province_id")
        .values_list(*fields)
    )
    theirs = [tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in rows]
    ours = [tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in ours]
    print(f"figures             {'identical' if ours == theirs else 'DIFFERENT'} ({len(ours)} province rows)")
    if ours != theirs:
        sys.exit(1)
    return tally, hand


# --- the page --------------------------------------------------------------------------------------------


def _director_session() -> str:
    from django.contrib.auth.models import Group as AuthGroup
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User
    from accounts.roles import roles_sync

    roles_sync()
    user, _created = User.objects.get_or_create(
        username="bench-direktur", defaults={"is_staff": True, "scope_national": True}
    )
    user.groups.add(AuthGroup.objects.get(name="direktur"))
    store = SessionStore()
    store.update(
        {
            "_auth_user_id": str(user.pk),
            "_auth_user_backend": "accounts.backends.EmailOrPhoneBackend",
            "_auth_user_hash": user.get_session_auth_hash(),
        }
    )
    store.create()
    return store.session_key


def _page_queries() -> str:
    """Queries of the national page built from the snapshot (cache cleared) and drawn from the cache."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username="bench-direktur"))
    counts = []
    for clear in (True, False):
        if clear:
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(PAGE)
        assert response.status_code == 200, response.status_code
        counts.append(len(queries))
    return f"{counts[0]} (cold) / {counts[1]} (cached)"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _drive(url: str, session_key: str, *, clients: int, requests: int, redis_url: str, workers: int = 4) -> dict:
    import redis

    redis.Redis.from_url(redis_url).flushdb()  # this benchmark's own db: no cache left from the other database
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_ENV": "development",
        "DJANGO_DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": url,
        "DB_CONN_MAX_AGE": "600",
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "LOG_LEVEL": "WARNING",
    }
    command = [
        str(BASE_DIR / ".venv/bin/gunicorn"), "jps_portal.wsgi", "--workers", str(workers),
        "--bind", f"127.0.0.1:{port}",
        "--no-control-socket", "--log-level", "warning", "--backlog", "2048",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=BASE_DIR, env=env)
    try:
        _wait_until_up(port)
        headers = {"Cookie": f"sessionid={session_key}"}
        for _ in range(20):  # warm every worker
            _get(port, PAGE, headers)
        ceiling = _load(port, "/healthz", {}, clients=clients, requests=requests)
        page = _load(port, PAGE, headers, clients=clients, requests=requests)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    return {"page": page, "ceiling": ceiling}


def _get(port: int, path: str, headers: dict) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    return response.status


def _wait_until_up(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if _get(port, "/healthz", {}) == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not come up")


def _load(port: int, path: str, headers: dict, *, clients: int, requests: int) -> dict:
    remaining = [requests]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def run() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            started = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[response.status] = statuses.get(response.status, 0) + 1

    started = time.monotonic()
    threads = [threading.Thread(target=run) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    latencies.sort()
    return {
        "p50": statistics.median(latencies) * 1000,
        "p95": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "rps": len(latencies) / wall,
        "statuses": statuses,
    }


def _print_drive(label: str, result: dict) -> None:
    page, ceiling = result["page"], result["ceiling"]
    print(
        f"{label:<19} p50 {page['p50']:.0f} ms   p95 {page['p95']:.0f} ms   {page['rps']:,.0f} req/s   "
        f"statuses {page['statuses']}   (ceiling /healthz: p95 {ceiling['p95']:.0f} ms, {ceiling['rps']:,.0f} req/s)"
    )


if __name__ == "__main__":
    main()
