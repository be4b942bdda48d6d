"""Benchmark: webhook fan-out from the outbox to a local receiver (issue 14, target ≥ 500 deliveries/s).

    WEBHOOK_BENCH_DATABASE=jps_C_bench_webhooks .venv/bin/python bench/webhook_fanout.py \\
        [--events 1000] [--subscriptions 10] [--workers 4] [--batch 100]

The database ``WEBHOOK_BENCH_DATABASE`` (must contain "bench"; default ``jps_bench_webhooks``) on
``BENCH_PG_URL`` (default ``postgres://postgres@127.0.0.1:5432``) is dropped, recreated and migrated.

1. A receiver on 127.0.0.1 (a threaded HTTP/1.1 keep-alive server, in a process of its own) counts
   the POSTs it gets and checks the signature of every one of them.
2. ``--subscriptions`` national partner subscriptions listen to ``tranche.paid``; ``--events`` events
   are published in one transaction (as a bank reconciliation does): one Event row and one Delivery
   per subscription each, the outbox. Printed: the time that took.
3. ``--workers`` processes (as Celery workers would) each loop: claim ``--batch`` due deliveries with
   ``SELECT … FOR UPDATE SKIP LOCKED``, POST them over that process's keep-alive pool, record every
   outcome (``webhooks.services.deliveries_send_claimed``), until nothing is due.
4. Baseline, same run: the same number of POSTs of the same bodies, signed, from the same number of
   processes with the same pools, but no database at all (a bare client loop).

Printed: deliveries/s, the baseline's requests/s, their ratio, and the load average. Every loop is
bounded by count and by ``--max-seconds``; the receiver is stopped at the end. Loopback only.
"""

import argparse
import multiprocessing
import os
import sys
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

DATABASE = os.environ.get("WEBHOOK_BENCH_DATABASE", "jps_bench_webhooks")
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
SECRET = "whsec_bench"


def main() -> None:
    args = _arguments()
    if "bench" not in DATABASE:
        sys.exit(f"WEBHOOK_BENCH_DATABASE must name a bench database (contains 'bench'): {DATABASE!r}")
    os.environ.update(
        DATABASE_URL=f"{PG_URL}/{DATABASE}",
        DJANGO_SETTINGS_MODULE="jps_portal.settings",
        DJANGO_ENV="development",
        DJANGO_DEBUG="false",
        REDIS_URL="",
        CELERY_BROKER_URL="",  # eager: nothing is enqueued anywhere, the bench's workers send
        WEBHOOK_ALLOW_HTTP="true",
    )
    _recreate_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    ctx = multiprocessing.get_context("fork")
    received, checked_bad = ctx.Value("l", 0), ctx.Value("l", 0)
    ready = ctx.Event()
    port = ctx.Value("l", 0)
    receiver = ctx.Process(target=_receive, args=(port, received, checked_bad, ready), daemon=True)
    receiver.start()
    try:
        if not ready.wait(10):
            sys.exit("The receiver did not start")
        url = f"http://127.0.0.1:{port.value}/hooks"
        _run(args, ctx, url, received, checked_bad)
    finally:
        receiver.terminate()
        receiver.join(5)


def _run(args: argparse.Namespace, ctx: object, url: str, received: object, checked_bad: object) -> None:
    from django.db import connections, transaction

    from jps_portal import events
    from webhooks import services
    from webhooks.models import Delivery

    # No broker here (eager Celery would send everything inside the publishing process): the bench's
    # worker processes claim the due deliveries themselves, as the sweep's batches do.
    services._enqueue = lambda deliveries: None
    _subscriptions(args.subscriptions, url)
    load_start = os.getloadavg()
    started = time.perf_counter()
    with transaction.atomic():
        events.publish(
            events.Event(
                type=events.TRANCHE_PAID,
                province_code="32",
                regency_code="32.04",
                data={
                    "tranche_id": n,
                    "application_id": n,
                    "reference": f"JPS-2020-TKM-32-{n:06d}",
                    "number": 1,
                    "amount": 28_000_000,
                    "status": "paid",
                    "payment_reference": f"JPS-PAY-{n:08d}",
                },
            )  # fmt: skip
            for n in range(args.events)
        )
    outbox_seconds = time.perf_counter() - started
    total = Delivery.objects.count()
    print(f"outbox: {args.events:,} events × {args.subscriptions} subscriptions = {total:,} deliveries written "
          f"in one transaction in {outbox_seconds:.2f} s ({total / outbox_seconds:,.0f} rows/s)")  # fmt: skip

    connections.close_all()  # each worker process opens its own
    with received.get_lock():
        received.value = 0
    seconds = _in_processes(ctx, args.workers, _deliver_worker, (args.batch, args.max_seconds))
    delivered = Delivery.objects.filter(status=Delivery.Status.DELIVERED).count()
    load_after_outbox = os.getloadavg()
    print(f"outbox → receiver: {delivered:,}/{total:,} delivered in {seconds:.2f} s by {args.workers} workers "
          f"(batch {args.batch}, SKIP LOCKED claims) = {delivered / seconds:,.0f} deliveries/s; "
          f"receiver got {received.value:,} POSTs, {checked_bad.value} bad signatures")  # fmt: skip

    bodies = _sample_bodies(total)
    connections.close_all()
    with received.get_lock():
        received.value = 0
    per_worker = -(-total // args.workers)
    baseline = _in_processes(ctx, args.workers, _baseline_worker, (url, bodies, per_worker, args.max_seconds))
    posted = received.value
    print(f"baseline (same run, bare client loop, no database): {posted:,} POSTs in {baseline:.2f} s = "
          f"{posted / baseline:,.0f} requests/s")  # fmt: skip
    print(f"ratio outbox / baseline: {(delivered / seconds) / (posted / baseline):.2f}")
    print(f"load average: start {_load(load_start)}, after the outbox run {_load(load_after_outbox)}, "
          f"end {_load(os.getloadavg())}   (/proc/loadavg: {Path('/proc/loadavg').read_text().strip()})")  # fmt: skip
    if delivered != total:
        sys.exit("Not every delivery was delivered")


def _subscriptions(count: int, url: str) -> None:
    from django.utils import timezone

    from partners.models import Client, Scope
    from webhooks.models import Subscription

    for n in range(count):
        client = Client.objects.create(name=f"Bench partner {n}", scopes=[Scope.APPLICATIONS_READ], scope_national=True)
        Subscription.objects.create(
            client=client, target_url=f"{url}/{n}", events=["tranche.paid"], secret=SECRET,
            secret_issued_at=timezone.now(),
        )  # fmt: skip


def _in_processes(ctx: object, count: int, target: object, args: tuple) -> float:
    processes = [ctx.Process(target=target, args=args) for _ in range(count)]
    started = time.perf_counter()
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    failed = [process.exitcode for process in processes if process.exitcode]
    if failed:
        sys.exit(f"A worker failed: exit codes {failed}")
    return time.perf_counter() - started


def _deliver_worker(batch: int, max_seconds: float) -> None:
    """One worker: claim a batch, send it on this process's pool, until nothing is due (bounded)."""
    from webhooks import services

    pool = services.http_pool()
    deadline = time.monotonic() + max_seconds
    while time.monotonic() < deadline:
        ids = services.deliveries_claim_due(limit=batch)
        if not ids:
            return
        services.deliveries_send_claimed(delivery_ids=ids, pool=pool)


def _sample_bodies(total: int) -> list[bytes]:
    from webhooks import services
    from webhooks.models import Event

    return [services.body_of(event) for event in Event.objects.all()[: min(total, 200)]]


def _baseline_worker(url: str, bodies: list[bytes], count: int, max_seconds: float) -> None:
    """The same POSTs (signed, same bodies, same pool settings) from a bare loop: no database."""
    import urllib3

    from webhooks import signing

    pool = urllib3.PoolManager(num_pools=50, maxsize=8, retries=False)
    timeout = urllib3.Timeout(connect=2.0, read=5.0)
    deadline = time.monotonic() + max_seconds
    for n in range(count):
        if time.monotonic() > deadline:
            return
        body = bodies[n % len(bodies)]
        headers = {
            "Content-Type": "application/json",
            signing.HEADER: signing.header_value(secret=SECRET, timestamp=int(time.time()), body=body),
        }
        response = pool.request("POST", f"{url}/{n % 10}", body=body, headers=headers, timeout=timeout, retries=False)
        if response.status != 204:
            raise SystemExit(f"baseline POST answered {response.status}")


def _receive(port: object, received: object, checked_bad: object, ready: object) -> None:
    """The partner's endpoint: HTTP/1.1 keep-alive, checks each signature, answers 204."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from webhooks import signing

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            header = self.headers.get(signing.HEADER, "")
            if not signing.verify(secret=SECRET, header=header, body=body, now=int(time.time())):
                with checked_bad.get_lock():
                    checked_bad.value += 1
            with received.get_lock():
                received.value += 1
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.request_queue_size = 128
    port.value = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ready.set()
    time.sleep(3600)  # bounded; the parent terminates this process when done


def _recreate_database() -> None:
    import psycopg2

    connection = psycopg2.connect(f"{PG_URL}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DATABASE}"')
        cursor.execute(f'CREATE DATABASE "{DATABASE}"')
    connection.close()


def _load(values: tuple[float, float, float]) -> str:
    return " ".join(f"{value:.2f}" for value in values)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000)
    parser.add_argument("--subscriptions", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--max-seconds", type=float, default=120.0)
    return parser.parse_args()


if __name__ == "__main__":
    main()
