"""Benchmark: a registration surge of complete online applications against gunicorn + PostgreSQL.

    .venv/bin/python bench/surge_submissions.py [--path queued|direct] [--clients 50] [--submissions 3000]

Each submission is one ketua's whole application in one request: group profile, 20 members with
valid unique NIKs, a TKM proposal and three small documents.
- ``--path queued`` (default, ``POST /pengajuan/antrean/``): the request stores the submission and
  answers 202; after the surge a Celery worker (concurrency 2) processes the queue, and its drain
  rate is printed too — submitted applications per second, the work the direct path does inline.
- ``--path direct`` (``POST /pengajuan/lengkap/``): everything is created and submitted inside the
  request.
5% of the clients send their request twice (a double tap / a retry): the database must end with
exactly one application per ketua. Printed: requests/s, p50/p95/max latency, status codes, and —
measured in the same run on the same server — the requests/s of a trivial view (``/healthz``).

Everything runs on 127.0.0.1; loops are bounded by count and time. The database ``SURGE_DATABASE``
(default ``jps_bench_surge``) on ``BENCH_PG_URL`` (default ``postgres://postgres@127.0.0.1:5432``) is
dropped and recreated; Celery tasks, cache and sessions go to ``SURGE_REDIS_URL`` (default
``redis://127.0.0.1:6379/14``), which is flushed first, with no worker until the drain. Two runs
sharing one server need different names, e.g. ``SURGE_DATABASE=jps_bench_surge_2 SURGE_REDIS_URL=…/13``.
"""

import argparse
import datetime
import http.client
import json
import os
import queue
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
# SURGE_DATABASE_URL (a whole URL) is still read, for scripts written before the names came apart.
DATABASE_URL = os.environ.get(
    "SURGE_DATABASE_URL",
    f"{os.environ.get('BENCH_PG_URL', 'postgres://postgres@127.0.0.1:5432')}/"
    f"{os.environ.get('SURGE_DATABASE', 'jps_bench_surge')}",
)
DATABASE = DATABASE_URL.rsplit("/", 1)[1]
REDIS_URL = os.environ.get("SURGE_REDIS_URL", "redis://127.0.0.1:6379/14")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 40
PASSWORD = "surge-Bench-2026!"
DEADLINE_SECONDS = 300
DRAIN_DEADLINE_SECONDS = 900
PATHS = {"queued": "/pengajuan/antrean/", "direct": "/pengajuan/lengkap/"}


def main() -> None:
    args = _arguments()
    if "bench" not in DATABASE:
        sys.exit(f"The database must be a bench database (its name contains 'bench'): {DATABASE!r}")
    os.environ.update(DATABASE_URL=DATABASE_URL, DJANGO_SETTINGS_MODULE="jps_portal.settings")
    _recreate_database()
    _empty_broker()
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    scheme_id = _open_scheme()
    sessions = _ketua_sessions(args.submissions)
    bodies = [_multipart(scheme_id, index) for index in range(args.submissions)]
    port = _free_port()
    server = _start_gunicorn(port, args.workers)
    try:
        _wait_until_up(port)
        ceiling = _ceiling(port, clients=args.clients, seconds=5)
        result = _surge(port, sessions, bodies, clients=args.clients, path=PATHS[args.path])
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    drain = _drain_queue() if args.path == "queued" and not args.skip_drain else None
    _report(args, ceiling, result, drain)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--submissions", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--path", choices=["queued", "direct"], default="queued")
    parser.add_argument("--skip-drain", action="store_true", help="queued path: measure the intake only")
    return parser.parse_args()


# --- set-up ------------------------------------------------------------------------------------------


def _recreate_database() -> None:
    import psycopg2
    from psycopg2 import sql

    admin = psycopg2.connect(DATABASE_URL.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DATABASE)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))
    admin.close()


def _empty_broker() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()  # SURGE_REDIS_URL's db is this benchmark's own


def _server_env() -> dict[str, str]:
    return {
        **os.environ,
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


def _open_scheme() -> int:
    from django.utils import timezone

    from applications.models import Scheme, SchemeQuota

    year = timezone.localdate().year
    scheme = Scheme.objects.create(
        programme="TKM", year=year, name=f"TKM {year} (surge)", members_min=20, members_max=20,
        amount_per_group=40_000_000, duration_days=90, tranche_plan=[100],
        opens_on=datetime.date(year, 1, 1), closes_on=datetime.date(year, 12, 31),
    )  # fmt: skip
    SchemeQuota.objects.create(scheme=scheme, province_id="32", groups=100_000, budget=100_000 * 40_000_000)
    return scheme.pk


def _ketua_sessions(count: int) -> list[str]:
    """One logged-in ketua per submission: users and sessions written in bulk (logging in through the
    password hasher would measure PBKDF2, not the surge)."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group as AuthGroup
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from accounts.models import User

    password = make_password(PASSWORD)
    users = User.objects.bulk_create(
        User(username=f"ketua{i}", email=f"ketua{i}@bench.id", password=password) for i in range(count)
    )
    AuthGroup.objects.get(name="kelompok").user_set.add(*users)
    expiry = timezone.now() + datetime.timedelta(days=1)
    keys = [secrets.token_hex(16) for _ in users]
    store = SessionStore()
    Session.objects.bulk_create(
        Session(
            session_key=key,
            session_data=store.encode(
                {
                    "_auth_user_id": str(user.pk),
                    "_auth_user_backend": "accounts.backends.EmailOrPhoneBackend",
                    "_auth_user_hash": user.get_session_auth_hash(),
                }
            ),
            expire_date=expiry,
        )
        for key, user in zip(keys, users, strict=True)
    )
    _sessions_into_cache(keys, users)
    return keys


def _sessions_into_cache(keys: list[str], users: list) -> None:
    """Where a login through the portal leaves a session: the cached_db engine writes it to the cache
    as well as the database, so the ketua's next request reads it from Redis. Sessions written only to
    the database would make every surge request a cache miss that no real ketua pays."""
    from accounts.sessions import SessionStore
    from jps_portal.cache import ReusedClientRedisCache

    cache = ReusedClientRedisCache(REDIS_URL, {})  # the server's cache: same Redis db, no key prefix
    cache.set_many(
        {
            SessionStore(session_key=key).cache_key: {
                "_auth_user_id": str(user.pk),
                "_auth_user_backend": "accounts.backends.EmailOrPhoneBackend",
                "_auth_user_hash": user.get_session_auth_hash(),
            }
            for key, user in zip(keys, users, strict=True)
        },
        timeout=86_400,
    )


def _multipart(scheme_id: int, index: int) -> tuple[bytes, str]:
    members = []
    roles = ["ketua", "sekretaris", "bendahara"] + ["anggota"] * 17
    for row, role in enumerate(roles):
        person = index * 20 + row
        # (birth date, serial) is unique for every person, so every NIK is.
        born = datetime.date(1975, 1, 1) + datetime.timedelta(days=person // 9_999)
        sex = "P" if row % 3 == 0 else "L"
        day = born.day + (40 if sex == "P" else 0)
        nik = f"320412{day:02d}{born.month:02d}{born.year % 100:02d}{person % 9_999 + 1:04d}"
        members.append(
            {"nik": nik, "name": f"Anggota {index}-{row}", "sex": sex, "birth_date": born.isoformat(),
             "role": role, "employment_status": "korban_phk"}
        )  # fmt: skip
    data = {
        "scheme": scheme_id,
        "group": {
            "name": f"Kelompok Surge {index}", "province": "32", "regency": "32.04", "village": "Dayeuhkolot",
            "address": "Jl. Raya Dayeuhkolot", "phone": "081234567890", "bank": "002",
            "account_number": f"{index:015d}", "account_holder": f"Kelompok Surge {index}",
        },
        "members": members,
        "proposal": {
            "business_type": "Konveksi", "business_plan": "Menjahit seragam sekolah.",
            "requested_amount": "40.000.000", "equipment_budget": "24.000.000", "materials_budget": "16.000.000",
        },
    }  # fmt: skip
    boundary = uuid.uuid4().hex
    parts = [_part(boundary, "data", json.dumps(data).encode(), None)]
    for kind, name, content in (("proposal", "p.pdf", PDF), ("sk", "sk.pdf", PDF), ("bank_book", "b.png", PNG)):
        parts.append(_part(boundary, kind, content, name))
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _part(boundary: str, name: str, content: bytes, filename: str | None) -> bytes:
    disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
    head = f"--{boundary}\r\nContent-Disposition: {disposition}\r\n"
    if filename:
        head += "Content-Type: application/octet-stream\r\n"
    return head.encode() + b"\r\n" + content + b"\r\n"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    command = [
        str(BASE_DIR / ".venv/bin/gunicorn"), "jps_portal.wsgi", "--workers", str(workers),
        "--bind", f"127.0.0.1:{port}", "--no-control-socket", "--log-level", "warning", "--backlog", "2048",
    ]  # fmt: skip
    return subprocess.Popen(command, cwd=BASE_DIR, env=_server_env())


def _drain_queue() -> dict:
    """Start a Celery worker on the queued submissions and time it until none is waiting."""
    from django.db.models import Count

    from applications.models import SubmissionIntake

    command = [str(BASE_DIR / ".venv/bin/celery"), "-A", "jps_portal", "worker", "--concurrency", "2",
               "--loglevel", "WARNING", "--without-gossip", "--without-mingle"]  # fmt: skip
    worker = subprocess.Popen(command, cwd=BASE_DIR, env=_server_env())
    started = time.monotonic()
    try:
        while time.monotonic() - started < DRAIN_DEADLINE_SECONDS:
            if not SubmissionIntake.objects.filter(status="received").exists():
                break
            time.sleep(0.5)
        seconds = time.monotonic() - started
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
    counts = dict(SubmissionIntake.objects.values_list("status").annotate(n=Count("pk")))
    return {"seconds": seconds, "counts": counts}


def _wait_until_up(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            status, _ = _request(http.client.HTTPConnection("127.0.0.1", port, timeout=5), "GET", "/healthz")
            if status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not come up")


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


def _ceiling(port: int, *, clients: int, seconds: float) -> float:
    """Requests/s of the trivial view with the same clients: what the server does with no work."""
    stop = time.monotonic() + seconds
    counts = [0] * clients

    def run(slot: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop:
            _request(connection, "GET", "/healthz")
            counts[slot] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(slot,)) for slot in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.monotonic() - started)


def _surge(port: int, sessions: list[str], bodies: list[tuple[bytes, str]], *, clients: int, path: str) -> dict:
    work: queue.Queue[int] = queue.Queue()
    for index in range(len(bodies)):
        work.put(index)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    references: dict[int, set[str]] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + DEADLINE_SECONDS

    def run() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < deadline:
            try:
                index = work.get_nowait()
            except queue.Empty:
                return
            body, content_type = bodies[index]
            token = secrets.token_hex(16)
            headers = {
                "Content-Type": content_type,
                "Cookie": f"sessionid={sessions[index]}; csrftoken={token}",
                "X-CSRFToken": token,
            }
            # Every twentieth ketua taps twice: the same request again, at once.
            for _attempt in range(2 if index % 20 == 0 else 1):
                started = time.perf_counter()
                status, payload = _request(connection, "POST", path, body, headers)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    statuses[status] = statuses.get(status, 0) + 1
                    if status in (200, 201, 202):
                        answer = json.loads(payload)
                        references.setdefault(index, set()).add(answer.get("reference") or answer["status"])

    started = time.monotonic()
    threads = [threading.Thread(target=run) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    return {"wall": wall, "latencies": latencies, "statuses": statuses, "references": references}


def _report(args: argparse.Namespace, ceiling: float, result: dict, drain: dict | None) -> None:
    from applications.models import Application
    from groups.models import Member

    latencies = sorted(result["latencies"])
    answered = len(result["references"])
    p50 = statistics.median(latencies) * 1000
    p95 = latencies[int(len(latencies) * 0.95) - 1] * 1000
    applications = Application.objects.count()
    print(f"server            gunicorn, {args.workers} workers, PostgreSQL, 127.0.0.1; {args.clients} clients")
    print(f"path              {args.path} ({PATHS[args.path]})")
    print(f"submissions       {answered:,} complete applications (group + 20 members + proposal + 3 documents)")
    print(f"requests          {len(latencies):,} (every 20th ketua sent twice)   statuses {result['statuses']}")
    print(f"throughput        {answered / result['wall']:,.1f} submissions/s accepted   ({result['wall']:.1f} s)")
    print(f"latency           p50 {p50:.0f} ms   p95 {p95:.0f} ms   max {latencies[-1] * 1000:.0f} ms")
    print(f"ceiling           {ceiling:,.0f} req/s for /healthz on the same server, same clients")
    if drain:
        print(
            f"processing        {drain['counts']} in {drain['seconds']:.1f} s after the surge: "
            f"{applications / drain['seconds']:,.1f} applications/s (1 Celery worker, concurrency 2)"
        )
    print(f"database          {applications:,} applications, {Member.objects.count():,} members")
    duplicates = applications - answered
    server_errors = sum(n for status, n in result["statuses"].items() if status >= 500)
    print(f"checks            duplicates {max(duplicates, 0)}, 5xx {server_errors}")
    if duplicates > 0 or server_errors or applications > answered:
        sys.exit(1)


if __name__ == "__main__":
    main()
