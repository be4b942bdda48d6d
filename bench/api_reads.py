"""Benchmark: the partner API's reads on PostgreSQL, at the scale of the dataset it is pointed at.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jps_bench .venv/bin/python bench/build_national_dataset.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jps_bench .venv/bin/python bench/api_reads.py

Requests go through Django's test client in this process (the full middleware, key authentication,
scope, throttle, call-log INSERT, serializer and JSON rendering; no network), as a national client and
as a Jawa Barat client. Printed per endpoint: p50 / p95 in ms and queries per request; then a full
read of the applications by cursor (rows/s). Baselines in the same run: the same page as one
hand-written SQL query (no Django at all), and the same full read as one SQL cursor.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def main() -> None:
    args = _arguments()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to the PostgreSQL database built by bench/build_national_dataset.py")
    _django_setup()
    import gc

    gc.freeze()  # what deploy/gunicorn.conf.py's post_worker_init does in a web worker

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from applications.models import Application
    from groups.models import Member

    with connection.cursor() as cursor:
        # Fresh statistics, as autovacuum keeps them in production: a freshly built dataset has none, and
        # the planner then sorts a whole province's members instead of walking the primary key.
        cursor.execute("ANALYZE")
    members = Member.objects.count()
    applications = Application.objects.count()
    national, jabar = _keys()
    http = Client()
    print(f"dataset: {members:,} members, {applications:,} applications")
    print(f"{'request':<52} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    pages = [
        ("applications, national, page of 50", national, "/api/v1/applications/"),
        ("applications, Jawa Barat client, page of 50", jabar, "/api/v1/applications/"),
        ("  filtered: status=submitted&province=32", national, "/api/v1/applications/?status=submitted&province=32"),
        (
            "  filtered: year=2020&programme=TKM&regency=32.04",
            national,
            "/api/v1/applications/?year=2020&programme=TKM&regency=32.04",
        ),  # noqa: E501
        ("groups, national, page of 50", national, "/api/v1/groups/"),
        ("members, national, page of 50 (NIK masked)", national, "/api/v1/members/"),
        ("members, Jawa Barat client, page of 50", jabar, "/api/v1/members/"),
    ]
    for label, key, url in pages:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
        assert http.get(url, **headers).status_code == 200, url
        timings = []
        for _ in range(args.requests):
            started = time.perf_counter()
            http.get(url, **headers)
            timings.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as captured:
            http.get(url, **headers)
        print(f"{label:<52} {_pct(timings, 50):>8.1f} {_pct(timings, 95):>8.1f} {len(captured):>8}")

    timings = []
    with connection.cursor() as cursor:
        for _ in range(args.requests):
            started = time.perf_counter()
            cursor.execute(
                "SELECT a.id, a.reference, a.status, a.requested_amount, a.updated_at, s.year, s.programme,"
                " a.province_id, g.regency_id FROM applications_application a"
                " JOIN applications_scheme s ON s.id = a.scheme_id JOIN groups_group g ON g.id = a.group_id"
                " ORDER BY a.id LIMIT 51"
            )
            cursor.fetchall()
            timings.append((time.perf_counter() - started) * 1000)
    print(
        f"{'  baseline: the same page as one SQL query':<52} {_pct(timings, 50):>8.1f} {_pct(timings, 95):>8.1f} {1:>8}"
    )

    _full_read(http, national, args.full_read, args.page_size, connection)
    if args.clients:
        _concurrent(national, clients=args.clients, requests=args.concurrent_requests, workers=args.workers)


def _concurrent(key: str, *, clients: int, requests: int, workers: int) -> None:
    """The application list's first pages behind gunicorn (deploy/gunicorn.conf.py) with ``clients``
    keep-alive clients; the same clients on ``/healthz`` give the machine's ceiling in the same run."""
    import random

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import http_load

    port = http_load.free_port()
    environment = {
        "DJANGO_DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DB_CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
    }
    server = http_load.start_gunicorn(port, workers, environment)
    try:
        filters = ["", "status=submitted", "province=32", "year=2020&programme=TKM", "regency=32.04"]
        paths = [f"/api/v1/applications/?{random.choice(filters)}" for _ in range(requests)]
        headers = {"Authorization": f"Bearer {key}"}
        http_load.load(port, paths[: clients * 2], clients=clients, headers=headers)  # warm every worker
        print(f"behind gunicorn, {workers} workers, {clients} clients:")
        http_load.report(
            "  applications, page of 50, mixed filters", http_load.load(port, paths, clients=clients, headers=headers)
        )
        http_load.report("  ceiling: /healthz", http_load.load(port, ["/healthz"] * requests, clients=clients))
    finally:
        server.terminate()
        server.wait(timeout=60)


def _full_read(http: object, key: str, limit: int, page_size: int, connection: object) -> None:
    """Walk ``limit`` applications by cursor, ``page_size`` a page, and the same rows by one SQL cursor."""
    url, rows, pages = f"/api/v1/applications/?page_size={page_size}", 0, 0
    started = time.perf_counter()
    while url and rows < limit:
        body = http.get(url, HTTP_AUTHORIZATION=f"Bearer {key}").json()
        rows += len(body["results"])
        pages += 1
        url = body["next"]
    seconds = time.perf_counter() - started
    print(f"full read by cursor: {rows:,} applications in {pages} pages, {seconds:.2f} s, {rows / seconds:,.0f} rows/s")
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            "SELECT a.*, c.* FROM applications_application a LEFT JOIN applications_applicationstatuschange c"
            " ON c.application_id = a.id WHERE a.id IN (SELECT id FROM applications_application ORDER BY id LIMIT %s)",
            [rows],
        )
        fetched = len(cursor.fetchall())
        seconds = time.perf_counter() - started
    print(f"  baseline: one SQL read of the same applications with their history: {fetched:,} rows, {seconds:.2f} s")


def _keys() -> tuple[str, str]:
    """A national and a Jawa Barat client (created once), each with a fresh key; limits out of the way."""
    from partners import services
    from partners.models import Client, Scope
    from regions.models import Province

    keys = []
    for name, national, provinces in (("bench-national", True, []), ("bench-jabar", False, ["32"])):
        client = Client.objects.filter(name=name).first() or Client(name=name)
        client.scopes = [Scope.APPLICATIONS_READ]
        client.scope_national = national
        client.rate_limit_per_minute = 10_000_000
        services.client_save(
            client=client, provinces=Province.objects.filter(code__in=provinces), regencies=[], by=None
        )
        keys.append(services.api_key_issue(client=client, by=None).plaintext)
    return keys[0], keys[1]


def _pct(values: list[float], percent: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=100, help="requests per endpoint")
    parser.add_argument("--full-read", type=int, default=50_000, help="applications to read by cursor")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients behind gunicorn (0: skip)")
    parser.add_argument("--concurrent-requests", type=int, default=3000, help="requests of the concurrent phase")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers of the concurrent phase")
    parser.add_argument("--page-size", type=int, default=1000, help="page size of the full read (1-1000)")
    return parser.parse_args()


def _django_setup() -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jps_portal.settings")
    os.environ.setdefault("DJANGO_DEBUG", "false")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
    import django

    django.setup()


if __name__ == "__main__":
    main()
