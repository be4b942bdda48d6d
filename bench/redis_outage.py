"""Benchmark: queued submissions while Redis goes down and comes back (issue 11 §5).

    OUTAGE_DATABASE=jps_g_bench_outage OUTAGE_REDIS_PORT=6390 .venv/bin/python bench/redis_outage.py \\
        [--clients 50] [--before 10] [--outage 15] [--after 10] [--think 1.0]

50 clients (threads) each submit complete applications (group + 20 members + proposal + 3 documents)
to ``POST /pengajuan/antrean/`` on a local gunicorn, one ketua per submission, pausing ``--think``
seconds between two. A Celery worker (interactive + bulk queues, with beat embedded: the sweeps)
processes them. After ``--before`` seconds the bench's own Redis is shut down for ``--outage`` seconds,
then started again (empty, as after a crash); the load goes on for ``--after`` seconds more.

Printed: p50 / p95 / max latency and status codes before, during and after the outage; how long after
Redis returned the first and the last submission accepted during the outage were processed; when
every submission was processed; the machine's load average.

This bench starts and stops its OWN redis-server, on 127.0.0.1:``OUTAGE_REDIS_PORT`` (default 6390),
and refuses to run if something already listens there: it never touches a Redis it did not start.
The database ``OUTAGE_DATABASE`` (default ``jps_bench_outage``) on ``BENCH_PG_URL`` (default
``postgres://postgres@127.0.0.1:5432``) is dropped and recreated. Loopback only; every loop is bounded
by count and time.
"""

import argparse
import datetime
import http.client
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.surge_submissions import _multipart, _open_scheme  # noqa: E402

DATABASE = os.environ.get("OUTAGE_DATABASE", "jps_bench_outage")
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DATABASE_URL = f"{PG_URL}/{DATABASE}"
REDIS_PORT = int(os.environ.get("OUTAGE_REDIS_PORT", "6390"))
REDIS_URL = f"redis://127.0.0.1:{REDIS_PORT}/0"
PASSWORD = "outage-Bench-2026!"
DRAIN_DEADLINE_SECONDS = 600
PATH = "/pengajuan/antrean/"


def main() -> None:
    args = _arguments()
    if "bench" not in DATABASE:
        sys.exit(f"OUTAGE_DATABASE must name a bench database (contains 'bench'): {DATABASE!r}")
    if _listening(REDIS_PORT):
        sys.exit(f"Something already listens on 127.0.0.1:{REDIS_PORT}: choose a free OUTAGE_REDIS_PORT.")
    workdir = Path(tempfile.mkdtemp(prefix=f"{DATABASE}-"))
    redis_server = _start_redis(workdir)
    server = worker = None
    try:
        os.environ.update(DATABASE_URL=DATABASE_URL, DJANGO_SETTINGS_MODULE="jps_portal.settings")
        os.environ.update(_server_env(workdir))
        _recreate_database()
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        total = args.clients * int((args.warmup + args.before + args.outage + args.after) / max(args.think, 0.05) + 2)
        total = min(total, args.max_submissions)
        scheme_id = _open_scheme()
        sessions = _ketua_sessions(total)
        bodies = [_multipart(scheme_id, index) for index in range(total)]
        port = _free_port()
        load_before = os.getloadavg()
        server = _start(workdir, "gunicorn", _gunicorn_command(port, args.workers))
        worker = _start(workdir, "worker", _worker_command(workdir))
        _wait_until_up(port)
        result = _run(args, port, sessions, bodies, redis_server, workdir)
        redis_server = result.pop("redis_server")
        drain = _drain(result["back_at"], result["outage_window"])
        load_after = os.getloadavg()
    finally:
        for process in (server, worker):
            if process is not None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
        _stop_redis(redis_server)
    _report(args, result, drain, load_before, load_after, workdir)
    shutil.rmtree(workdir / "media", ignore_errors=True)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--before", type=float, default=10.0, help="seconds of load before Redis stops")
    parser.add_argument("--outage", type=float, default=15.0, help="seconds Redis stays down")
    parser.add_argument("--after", type=float, default=10.0, help="seconds of load after Redis returns")
    parser.add_argument("--think", type=float, default=3.0, help="each client's pause between submissions (s)")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of load first, not counted")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--max-submissions", type=int, default=4000)
    return parser.parse_args()


# --- processes ---------------------------------------------------------------------------------------


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _start_redis(workdir: Path) -> subprocess.Popen:
    """This bench's own Redis: loopback, no persistence (a restart comes back empty, like a crash)."""
    command = ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no", "--dir", str(workdir), "--logfile", str(workdir / "redis.log")]  # fmt: skip
    process = subprocess.Popen(command)
    deadline = time.monotonic() + 10
    while not _listening(REDIS_PORT):
        if process.poll() is not None or time.monotonic() > deadline:
            sys.exit(f"redis-server did not start on {REDIS_PORT} (see {workdir / 'redis.log'})")
        time.sleep(0.05)
    return process


def _stop_redis(process: subprocess.Popen | None) -> None:
    """Stops the redis-server this bench started (by its own process handle, nothing else)."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _server_env(workdir: Path) -> dict[str, str]:
    return {
        "DJANGO_ENV": "development",
        "DJANGO_DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": DATABASE_URL,
        "DB_CONN_MAX_AGE": "600",
        "REDIS_URL": REDIS_URL,
        "CELERY_BROKER_URL": REDIS_URL,
        "MEDIA_ROOT": str(workdir / "media"),
        "LOG_LEVEL": "WARNING",
        "EMAIL_URL": "consolemail://",
    }


def _start(workdir: Path, name: str, command: list[str]) -> subprocess.Popen:
    log = (workdir / f"{name}.log").open("wb")
    return subprocess.Popen(command, cwd=BASE_DIR, env={**os.environ}, stdout=log, stderr=subprocess.STDOUT)


def _gunicorn_command(port: int, workers: int) -> list[str]:
    return [str(BASE_DIR / ".venv/bin/gunicorn"), "jps_portal.wsgi", "--workers", str(workers),
            "--bind", f"127.0.0.1:{port}", "--no-control-socket", "--log-level", "warning",
            "--backlog", "2048"]  # fmt: skip


def _worker_command(workdir: Path) -> list[str]:
    """One worker on the interactive and bulk queues, beat embedded (the sweeps on their schedule)."""
    from django.conf import settings

    queues = ",".join(f"{settings.CELERY_QUEUE_PREFIX}{kind}" for kind in ("interactive", "bulk"))
    return [str(BASE_DIR / ".venv/bin/celery"), "-A", "jps_portal", "worker", "-B", "--schedule",
            str(workdir / "celerybeat-schedule"), "-Q", queues, "--concurrency", "2", "--loglevel", "WARNING",
            "--without-gossip", "--without-mingle", "--without-heartbeat"]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _ = _request(http.client.HTTPConnection("127.0.0.1", port, timeout=5), "GET", "/healthz")
            if status in (200, 503):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not come up")


# --- data --------------------------------------------------------------------------------------------


def _recreate_database() -> None:
    import psycopg2
    from psycopg2 import sql

    admin = psycopg2.connect(f"{PG_URL}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DATABASE)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))
    admin.close()


def _ketua_sessions(count: int) -> list[str]:
    """One logged-in ketua per submission, written in bulk (sessions in the database and the cache)."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group as AuthGroup
    from django.contrib.sessions.backends.db import SessionStore as DbStore
    from django.contrib.sessions.models import Session
    from django.core.cache import cache
    from django.utils import timezone

    from accounts.models import User
    from accounts.sessions import SessionStore

    password = make_password(PASSWORD)
    users = User.objects.bulk_create(
        User(username=f"ketua{i}", email=f"ketua{i}@bench.id", password=password) for i in range(count)
    )
    AuthGroup.objects.get(name="kelompok").user_set.add(*users)
    keys = [secrets.token_hex(16) for _ in users]
    data = [
        {
            "_auth_user_id": str(user.pk),
            "_auth_user_backend": "accounts.backends.EmailOrPhoneBackend",
            "_auth_user_hash": user.get_session_auth_hash(),
        }
        for user in users
    ]
    expiry = timezone.now() + datetime.timedelta(days=1)
    store = DbStore()
    Session.objects.bulk_create(
        Session(session_key=key, session_data=store.encode(item), expire_date=expiry)
        for key, item in zip(keys, data, strict=True)
    )
    cache.set_many(
        {SessionStore(session_key=key).cache_key: item for key, item in zip(keys, data, strict=True)}, timeout=86_400
    )
    return keys


# --- load --------------------------------------------------------------------------------------------


def _request(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict | None = None,
) -> tuple[int, bytes]:
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    return response.status, response.read()


def _run(
    args: argparse.Namespace,
    port: int,
    sessions: list[str],
    bodies: list,
    redis_server: subprocess.Popen,
    workdir: Path,
) -> dict:
    """The clients submit through three phases; the main thread stops and restarts Redis."""
    next_index = iter(range(len(bodies)))
    index_lock = threading.Lock()
    samples: list[tuple[str, float, int]] = []  # (phase, seconds, status)
    phase = {"name": "warmup"}
    stop = threading.Event()

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while not stop.is_set():
            with index_lock:
                index = next(next_index, None)
            if index is None:
                return
            body, content_type = bodies[index]
            token = secrets.token_hex(16)
            headers = {"Content-Type": content_type, "Cookie": f"sessionid={sessions[index]}; csrftoken={token}",
                       "X-CSRFToken": token}  # fmt: skip
            name = phase["name"]
            started = time.perf_counter()
            try:
                status, _ = _request(connection, "POST", PATH, body, headers)
            except OSError:
                status = 0
                connection.close()
            samples.append((name, time.perf_counter() - started, status))
            stop.wait(args.think)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(args.clients)]
    for thread in threads:
        thread.start()
    time.sleep(args.warmup)  # every gunicorn worker has served requests (imports, connections) before this
    phase["name"] = "before"
    time.sleep(args.before)

    phase["name"] = "outage"
    down_at = time.time()
    _stop_redis(redis_server)
    time.sleep(args.outage)
    redis_server = _start_redis(workdir)
    back_at = time.time()
    phase["name"] = "after"

    time.sleep(args.after)
    stop.set()
    for thread in threads:
        thread.join(timeout=70)
    return {"samples": samples, "back_at": back_at, "outage_window": (down_at, back_at), "redis_server": redis_server}


def _drain(back_at: float, window: tuple[float, float]) -> dict:
    """Wait until no submission is waiting; when were those received during the outage processed?"""
    from django.db.models import Count, Max, Min

    from applications.models import SubmissionIntake

    start = datetime.datetime.fromtimestamp(window[0], tz=datetime.UTC)
    end = datetime.datetime.fromtimestamp(window[1], tz=datetime.UTC)
    during = SubmissionIntake.objects.filter(received_at__gte=start, received_at__lt=end)
    # (An older checkout, measured for comparison, has no mark for submissions whose task was not sent.)
    marked = any(field.name == "enqueue_failed" for field in SubmissionIntake._meta.fields)
    deadline = time.monotonic() + DRAIN_DEADLINE_SECONDS
    resent = None  # when the sweep had sent every submission of the outage to the queue again
    while time.monotonic() < deadline and SubmissionIntake.objects.filter(status="received").exists():
        if resent is None and marked and not during.filter(status="received", enqueue_failed=True).exists():
            resent = time.time() - back_at
        time.sleep(0.5)
    if resent is None and marked:
        resent = time.time() - back_at
    figures = during.aggregate(first=Min("processed_at"), last=Max("processed_at"), n=Count("pk"))
    everything = SubmissionIntake.objects.aggregate(last=Max("processed_at"))
    counts = dict(SubmissionIntake.objects.values_list("status").annotate(n=Count("pk")))
    still_marked = during.filter(enqueue_failed=True).count() if marked else 0

    def after_back(moment: datetime.datetime | None) -> float | None:
        return None if moment is None else moment.timestamp() - back_at

    return {
        "resent": resent,
        "during": figures["n"],
        "first": after_back(figures["first"]),
        "last": after_back(figures["last"]),
        "all": after_back(everything["last"]),
        "counts": counts,
        "still_marked": still_marked,
    }


# --- report ------------------------------------------------------------------------------------------


def _report(
    args: argparse.Namespace, result: dict, drain: dict, load_before: tuple, load_after: tuple, workdir: Path
) -> None:
    print(f"setup        gunicorn {args.workers} workers, 1 Celery worker (concurrency 2, beat embedded), "
          f"PostgreSQL {DATABASE}, own Redis 127.0.0.1:{REDIS_PORT}; {args.clients} clients, "
          f"think {args.think:.1f} s")  # fmt: skip
    print(f"timeline     {args.warmup:.0f} s warm-up (not counted), {args.before:.0f} s with Redis, "
          f"{args.outage:.0f} s without, {args.after:.0f} s after its return")  # fmt: skip
    for name in ("before", "outage", "after"):
        latencies = sorted(seconds for phase, seconds, _ in result["samples"] if phase == name)
        statuses: dict[int, int] = {}
        for phase, _, status in result["samples"]:
            if phase == name:
                statuses[status] = statuses.get(status, 0) + 1
        if not latencies:
            print(f"{name:<12} no requests")
            continue
        p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)] * 1000
        print(f"{name:<12} {len(latencies):>5} submissions   p50 {statistics.median(latencies) * 1000:6.0f} ms   "
              f"p95 {p95:6.0f} ms   max {latencies[-1] * 1000:6.0f} ms   statuses {statuses}")  # fmt: skip

    def seconds(value: float | None) -> str:
        return "never" if value is None else f"{value:.1f} s"

    if drain["resent"] is None:
        print("resent       not measured: this checkout does not mark submissions whose task was not sent")
    else:
        print(f"resent       every submission received during the outage was back in the queue "
              f"{seconds(drain['resent'])} after Redis returned (at most; polled after the load ended)")  # fmt: skip
    print(f"drain        {drain['during']} submissions received during the outage: the first processed "
          f"{seconds(drain['first'])}, the last {seconds(drain['last'])} after Redis returned")  # fmt: skip
    print(f"             every submission processed {seconds(drain['all'])} after Redis returned; "
          f"statuses {drain['counts']}; still marked unsent {drain['still_marked']}")  # fmt: skip
    print(f"machine      load average {load_before[0]:.2f} before, {load_after[0]:.2f} after ({os.cpu_count()} cores)")
    print(f"logs         {workdir}/gunicorn.log, worker.log, redis.log")
    if drain["counts"].get("received") or any(status >= 500 or status == 0 for _, _, status in result["samples"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
