"""Benchmark: the public list of funded groups at national scale, behind gunicorn, on PostgreSQL + Redis.

    .venv/bin/python bench/public_list.py [--clients 20] [--requests 2000] [--workers 2] [--rebuild]

Builds (once; ``--rebuild`` starts again) the database ``jps_h_bench_public`` with the national demo
dataset through its bulk path (PostgreSQL COPY: 51,000 groups, ~1 million members), then makes every
application approved and gives half of them a paid tahap (two set-based SQL statements) — the
worst case for the list: every group is on it. Then measures, with ``--clients`` concurrent
keep-alive clients against gunicorn:

- "cold": every request a different page that is not in the cache (every regency × programme
  filter × language, once each), so each one runs its queries;
- "warm": random regency pages, the realistic case (a page stays cached for five minutes);
- "ceiling": /healthz with the same clients, what the server and the machine do with no work at all,
  so a figure taken on a busy machine can be read against it.

Printed: p50 / p95 / max per phase, requests/s, status codes, the machine's load average, and the
queries each page costs at this scale (and with only the first 1,000 groups funded).
Only databases whose name contains "bench" are ever dropped; Redis db 8 (this helper's) is flushed.
"""

import argparse
import http.client
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR / "bench"))
import http_load  # noqa: E402 - the load loop and report shared with bench/api_reads.py

DATABASE = os.environ.get("BENCH_DATABASE", "jps_h_bench_public")
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DATABASE_URL = f"{SERVER}/{DATABASE}"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
PROGRAMMES = ["", "TKM", "PK", "PK_PRODUKTIF", "PK_INFRASTRUKTUR"]


def main() -> None:
    args = _arguments()
    if "bench" not in DATABASE:
        sys.exit(f"Refusing to use database {DATABASE!r}: its name must contain 'bench'.")
    os.environ.update(_server_env())
    fresh = args.rebuild or not _database_exists()
    if fresh:
        _recreate_database()
    _django_setup()
    if fresh:
        _build()
    print(f"load average before: {os.getloadavg()[0]:.2f} / {os.cpu_count()} cores")
    _query_counts()
    regencies = _regencies_with_groups()
    _flush_cache()
    port = http_load.free_port()
    server = _start_gunicorn(port, args.workers)
    try:
        _wait_until_up(port)
        ceiling = http_load.load(port, ["/healthz"] * args.requests, clients=args.clients)
        http_load.report("ceiling (/healthz: the server with no work, same clients)", ceiling)
        cold_paths = [
            f"/daftar-penerima/kabupaten/{code}/?tahun=2020&program={programme}&lang={language}"
            for code in regencies
            for programme in PROGRAMMES
            for language in ("id", "en")
        ]
        random.Random(1).shuffle(cold_paths)
        cold = http_load.load(port, cold_paths[: args.requests], clients=args.clients)
        http_load.report("cold (each page built: queries + render)", cold)
        rng = random.Random(2)
        warm_paths = [f"/daftar-penerima/kabupaten/{rng.choice(regencies)}/?tahun=2020" for _ in range(args.requests)]
        http_load.load(port, sorted(set(warm_paths)), clients=args.clients)  # every page once: the cache is filled
        warm = http_load.load(port, warm_paths, clients=args.clients)
        http_load.report("warm (random regency pages, cached)", warm)
        national = http_load.load(port, ["/daftar-penerima/?tahun=2020"] * (args.clients * 10), clients=args.clients)
        http_load.report("national page (cached)", national)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=2000, help="requests per phase")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--rebuild", action="store_true", help="build the dataset again")
    return parser.parse_args()


# --- set-up ------------------------------------------------------------------------------------------


def _server_env() -> dict[str, str]:
    return {
        "DJANGO_ENV": "development",
        "DJANGO_DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": DATABASE_URL,
        "DB_CONN_MAX_AGE": "600",
        "REDIS_URL": REDIS_URL,
        "CELERY_BROKER_URL": REDIS_URL,
        "MEDIA_ROOT": f"/tmp/{DATABASE}-media",
        "LOG_LEVEL": "WARNING",
    }


def _admin_connection():  # noqa: ANN202 - psycopg2 connection
    import psycopg2

    connection = psycopg2.connect(f"{SERVER}/postgres")
    connection.autocommit = True  # CREATE / DROP DATABASE cannot run inside a transaction
    return connection


def _database_exists() -> bool:
    connection = _admin_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE])
        found = cursor.fetchone() is not None
    connection.close()
    if found:  # a build that died half-way left no funded applications: start again
        import psycopg2

        try:
            probe = psycopg2.connect(DATABASE_URL)
            with probe.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM applications_application WHERE status = 'approved'")
                found = cursor.fetchone()[0] >= 50_000
            probe.close()
        except psycopg2.Error:
            found = False
    return found


def _recreate_database() -> None:
    connection = _admin_connection()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{DATABASE}"')
    connection.close()


def _django_setup() -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jps_portal.settings")
    import django

    django.setup()


def _build() -> None:
    from django.core.management import call_command
    from django.db import connection

    from applications.demo_data import Scale, build_demo_dataset

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    result = build_demo_dataset(scale=Scale.NATIONAL, national_groups=50_000)
    with connection.cursor() as cursor:
        # Every application funded (the list's worst case), half of them with a paid tahap 1.
        cursor.execute(
            "UPDATE applications_application SET status = 'approved', approved_amount = requested_amount, "
            "decided_at = COALESCE(decided_at, now())"
        )
        cursor.execute(
            "INSERT INTO disbursements_tranche "
            "(application_id, number, percentage, amount, status, paid_at, created_at) "
            "SELECT id, 1, 100, requested_amount, CASE WHEN id % 2 = 0 THEN 'paid' ELSE 'scheduled' END, "
            "CASE WHEN id % 2 = 0 THEN now() END, now() FROM applications_application "
            "ON CONFLICT DO NOTHING"
        )
        cursor.execute("ANALYZE")
    print(
        f"built: {result.groups:,} groups, {result.members:,} members in {time.perf_counter() - started:.0f} s "
        "(COPY), every application approved, half with a paid tahap"
    )


def _regencies_with_groups() -> list[str]:
    from groups.models import Group

    return sorted(set(Group.objects.values_list("regency_id", flat=True).distinct()))


def _query_counts() -> None:
    """Queries per page on a cold cache: at 51,000 funded groups, and with only 1,000 funded."""
    from django.core.cache import cache
    from django.db import connection, transaction
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from applications.models import Application

    client = Client()
    busiest = Application.objects.values("group__regency_id").order_by().annotate(n=Count("pk"))
    top = max(busiest, key=lambda row: row["n"])
    regency = top["group__regency_id"]
    pages = {
        "national": "/daftar-penerima/?tahun=2020",
        "province 32": "/daftar-penerima/provinsi/32/?tahun=2020",
        f"regency {regency} ({top['n']} groups)": f"/daftar-penerima/kabupaten/{regency}/?tahun=2020",
    }

    def measure(label: str) -> None:
        for name, path in pages.items():
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                status = client.get(path, HTTP_HOST="127.0.0.1").status_code
                ms = (time.perf_counter() - started) * 1000
            print(f"  {label:<22} {name:<36} status {status}  queries {len(queries):>2}  cold {ms:6.1f} ms")

    print("queries per page (cold cache, one request in-process):")
    measure("51,000 funded")
    with transaction.atomic():
        keep = list(Application.objects.order_by("id").values_list("id", flat=True)[:1000])
        Application.objects.exclude(id__in=keep).update(status="verified")
        measure("1,000 funded")
        transaction.set_rollback(True)  # the dataset stays as built
    cache.clear()


def _flush_cache() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()  # db 8 is this helper's own


def _start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    command = [
        str(BASE_DIR / ".venv/bin/gunicorn"), "jps_portal.wsgi", "--workers", str(workers),
        "--bind", f"127.0.0.1:{port}", "--no-control-socket", "--log-level", "warning",
    ]  # fmt: skip
    return subprocess.Popen(command, cwd=BASE_DIR, env={**os.environ, **_server_env()})


def _wait_until_up(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not come up")


# --- load --------------------------------------------------------------------------------------------


if __name__ == "__main__":
    main()
