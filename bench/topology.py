"""Benchmark and fault drills on the several-node topology (deploy/topology.sh), through HAProxy.

    deploy/topology.sh start
    .venv/bin/python bench/topology.py [--surge 1500] [--skip-faults]

Every figure is printed with the single-node figure of the same run beside it, and with the load
average at that moment (the machine is shared: other people's work moves the figures).

1. Surge: complete queued submissions (POST /pengajuan/antrean/, group + 20 members + proposal + 3
   documents; every 20th ketua taps twice) through HAProxy at 50 and 200 clients, with 1 web node
   (web2 disabled on HAProxy's admin socket) and 2: accepted/s, p50/p95. Workers are stopped meanwhile.
2. Drain: the queued submissions processed (intake, integrity checks, e-mail: until the interactive
   queue is empty and no task is unacknowledged) by 1 worker node, then another batch by 2.
3. Dashboard: p50/p95 of director pages whose reads go to the replica (national page and a regency's
   live group list), alone, then while a surge writes to the primary, then with the replica stopped
   mid-run (reads move to the primary: 0 5xx expected).
4. Faults: web1 killed (SIGKILL) mid-surge — clients retry with the same ketua session (the
   idempotency key: one queued application per ketua) — nothing lost, 0 duplicates; a worker node
   killed mid-drain — everything processed exactly once, and how long the killed node's tasks took
   to come back.

Only 127.0.0.1; every loop is bounded by count and time.
"""

import argparse
import datetime
import http.client
import json
import os
import queue
import secrets
import socket
import ssl
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR / "bench"))
sys.path.insert(0, str(BASE_DIR))
import surge_submissions as surge  # noqa: E402 - the same submissions as the single-server surge bench

TOPOLOGY = str(BASE_DIR / "deploy/topology.sh")
STATE = Path(os.environ.get("JPS_TOPOLOGY_DIR", "/tmp/jps-topology"))
HAPROXY_PORT = int(os.environ.get("JPS_HAPROXY_PORT", "8180"))
ORIGIN = f"https://127.0.0.1:{HAPROXY_PORT}"
TLS = ssl._create_unverified_context()  # the topology's self-signed certificate, loopback only  # noqa: S323
SURGE_DEADLINE_SECONDS = 300
DRAIN_DEADLINE_SECONDS = 900
RETRIES = 8


def main() -> None:
    args = _arguments()
    _django()
    from django.utils import timezone

    print(f"bench/topology.py  {timezone.now():%Y-%m-%d %H:%M} UTC; 2-core machine shared with other engineers")
    scheme_id = _scheme()
    next_index = _IndexRange(start=_first_free_index())
    _topology("worker", "stop", "interactive1")
    _topology("worker", "stop", "interactive2")

    surge_rows = []
    for clients in (50, 200):
        for nodes in (1, 2):
            _web_nodes(nodes)
            count = args.surge if clients == 50 else args.surge * 4 // 3
            result = _surge(scheme_id, next_index.take(count), clients=clients)
            surge_rows.append((clients, nodes, result))
            _print_surge(clients, nodes, result)
    _web_nodes(2)
    _print_ratio(surge_rows)

    drained = {}
    for workers in (1, 2):
        if workers == 2:
            _surge(scheme_id, next_index.take(args.surge * 2), clients=50)  # a second batch to drain
        drained[workers] = _drain(workers)
        _print_drain(workers, drained[workers], drained.get(1))

    _dashboard(scheme_id, next_index, args)

    if not args.skip_faults:
        _kill_web_node_mid_surge(scheme_id, next_index.take(args.surge), args)
        _kill_worker_node_mid_drain(scheme_id, next_index.take(args.surge * 2))
    _web_nodes(2)
    _topology("worker", "start", "interactive1")
    _topology("worker", "start", "interactive2")
    _topology("replica", "start")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--surge", type=int, default=1500, help="submissions per 50-client surge")
    parser.add_argument("--dashboard-seconds", type=float, default=20)
    parser.add_argument("--skip-faults", action="store_true")
    return parser.parse_args()


# --- set-up ------------------------------------------------------------------------------------------


def _django() -> None:
    environment = subprocess.run([TOPOLOGY, "env", "web"], check=True, capture_output=True, text=True).stdout
    for line in environment.splitlines():
        key, _, value = line.partition("=")
        os.environ[key] = value
    os.environ.update(DJANGO_SETTINGS_MODULE="jps_portal.settings", LOG_LEVEL="WARNING", LOG_REQUESTS="false")
    surge.REDIS_URL = os.environ["REDIS_URL"]  # sessions go into the topology's Redis
    import django

    django.setup()


def _topology(*command: str) -> None:
    subprocess.run([TOPOLOGY, *command], check=True, stdout=subprocess.DEVNULL)


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


class _IndexRange:
    """Submission numbers (NIKs, ketua accounts) never used before in this database."""

    def __init__(self, start: int) -> None:
        self.next = start

    def take(self, count: int) -> range:
        taken = range(self.next, self.next + count)
        self.next += count
        return taken


def _first_free_index() -> int:
    from accounts.models import User

    return User.objects.filter(username__startswith="ketua").count()


def _scheme() -> int:
    from applications.models import Scheme

    existing = Scheme.objects.filter(name__endswith="(surge)").first()
    return existing.pk if existing else surge._open_scheme()


def _ketua_sessions(indices: range) -> list[str]:
    """Logged-in ketua accounts ketua<index>, written in bulk (as surge_submissions.py does)."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group as AuthGroup

    from accounts.models import User

    password = make_password(surge.PASSWORD)
    users = User.objects.bulk_create(
        User(username=f"ketua{i}", email=f"ketua{i}@bench.id", password=password) for i in indices
    )
    AuthGroup.objects.get(name="kelompok").user_set.add(*users)
    return _sessions_for(users)


def _sessions_for(users: list) -> list[str]:
    """Sessions in the database and in the cache, where a login through the portal leaves them."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    keys = [secrets.token_hex(16) for _ in users]
    store = SessionStore()
    data = [
        {
            "_auth_user_id": str(user.pk),
            "_auth_user_backend": "accounts.backends.EmailOrPhoneBackend",
            "_auth_user_hash": user.get_session_auth_hash(),
        }
        for user in users
    ]
    expiry = timezone.now() + datetime.timedelta(days=1)
    Session.objects.bulk_create(
        Session(session_key=key, session_data=store.encode(values), expire_date=expiry)
        for key, values in zip(keys, data, strict=True)
    )
    surge._sessions_into_cache(keys, users)
    return keys


def _web_nodes(count: int) -> None:
    """1: web2 disabled on HAProxy (it finishes what it has, gets nothing new); 2: both enabled."""
    for node in (1, 2):
        _topology("web", "start", str(node))
    command = "enable" if count == 2 else "disable"
    with socket.socket(socket.AF_UNIX) as admin:
        admin.connect(str(STATE / "haproxy.sock"))
        admin.sendall(f"{command} server web/web2\n".encode())
        admin.recv(4096)
    time.sleep(3 if count == 2 else 1)  # enable: wait for the next health check to mark it up


# --- HTTP through HAProxy --------------------------------------------------------------------------


def _connection() -> http.client.HTTPSConnection:
    return http.client.HTTPSConnection("127.0.0.1", HAPROXY_PORT, timeout=60, context=TLS)


def _post_until_answered(connection_holder: list, body: bytes, content_type: str, session: str) -> dict:
    """POST a queued submission, retrying (same session = same idempotency key) on 5xx or a dropped
    connection, as a phone app would. Returns what happened."""
    token = secrets.token_hex(16)
    headers = {
        "Content-Type": content_type,
        "Cookie": f"sessionid={session}; csrftoken={token}",
        "X-CSRFToken": token,
        "Origin": ORIGIN,
        "Referer": f"{ORIGIN}/pengajuan/baru/",
    }
    outcome = {"attempts": 0, "server_errors": 0, "dropped": 0, "status": None, "latency": None}
    for attempt in range(RETRIES):
        outcome["attempts"] += 1
        started = time.perf_counter()
        try:
            status, payload = surge._request(connection_holder[0], "POST", "/pengajuan/antrean/", body, headers)
        except (OSError, http.client.HTTPException):
            outcome["dropped"] += 1
            connection_holder[0].close()
            connection_holder[0] = _connection()
            time.sleep(min(0.1 * 2**attempt, 2))
            continue
        outcome["latency"] = time.perf_counter() - started
        outcome["status"] = status
        if status >= 500:
            outcome["server_errors"] += 1
            time.sleep(min(0.1 * 2**attempt, 2))
            continue
        if status in (200, 202):
            outcome["answer"] = json.loads(payload)["status"]
        return outcome
    return outcome


def _surge(scheme_id: int, indices: range, *, clients: int, during: callable = None) -> dict:
    sessions = dict(zip(indices, _ketua_sessions(indices), strict=True))
    bodies = {index: surge._multipart(scheme_id, index) for index in indices}
    work: queue.Queue[int] = queue.Queue()
    for index in indices:
        work.put(index)
    outcomes: list[dict] = []
    lock = threading.Lock()
    deadline = time.monotonic() + SURGE_DEADLINE_SECONDS

    def run() -> None:
        holder = [_connection()]
        while time.monotonic() < deadline:
            try:
                index = work.get_nowait()
            except queue.Empty:
                break
            body, content_type = bodies[index]
            for _tap in range(2 if index % 20 == 0 else 1):  # every 20th ketua taps twice
                outcome = _post_until_answered(holder, body, content_type, sessions[index])
                outcome["index"] = index
                with lock:
                    outcomes.append(outcome)
        holder[0].close()

    load_before = _load()
    started = time.monotonic()
    threads = [threading.Thread(target=run) for _ in range(clients)]
    for thread in threads:
        thread.start()
    if during is not None:
        during()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    accepted = {o["index"] for o in outcomes if o.get("answer")}
    latencies = sorted(o["latency"] for o in outcomes if o["latency"] is not None)
    return {
        "wall": wall,
        "submitted": len(indices),
        "accepted": len(accepted),
        "lost": len(set(indices) - accepted),
        "requests": sum(o["attempts"] for o in outcomes),
        "server_errors": sum(o["server_errors"] for o in outcomes),
        "dropped": sum(o["dropped"] for o in outcomes),
        "p50": statistics.median(latencies) * 1000 if latencies else None,
        "p95": latencies[int(len(latencies) * 0.95) - 1] * 1000 if latencies else None,
        "load": f"{load_before} → {_load()}",
        "indices": indices,
    }


def _print_surge(clients: int, nodes: int, result: dict) -> None:
    print(
        f"surge      {clients:>3} clients, {nodes} web node{'s' if nodes > 1 else ' '}: "
        f"{result['accepted'] / result['wall']:6.1f} accepted/s  "
        f"p50 {result['p50']:5.0f} ms  p95 {result['p95']:5.0f} ms  "
        f"({result['accepted']}/{result['submitted']} in {result['wall']:.1f} s, 5xx {result['server_errors']}, "
        f"lost {result['lost']})  [{result['load']}]"
    )


def _print_ratio(rows: list) -> None:
    by = {(clients, nodes): result["accepted"] / result["wall"] for clients, nodes, result in rows}
    for clients in (50, 200):
        print(f"scaling    {clients:>3} clients: 2 nodes / 1 node = {by[(clients, 2)] / by[(clients, 1)]:.2f}")


# --- drain ---------------------------------------------------------------------------------------------


def _queue_idle() -> bool:
    import redis

    client = redis.Redis.from_url(os.environ["CELERY_BROKER_URL"])
    try:
        return client.llen("interactive") == 0 and client.hlen("unacked:interactive") == 0
    finally:
        client.close()


def _drain(workers: int) -> dict:
    from applications.models import SubmissionIntake

    waiting = SubmissionIntake.objects.filter(status=SubmissionIntake.Status.RECEIVED).count()
    load_before = _load()
    started = time.monotonic()
    for node in range(1, workers + 1):
        _topology("worker", "start", f"interactive{node}")
    intake_done_at = None
    while time.monotonic() - started < DRAIN_DEADLINE_SECONDS:
        if intake_done_at is None and not SubmissionIntake.objects.filter(status="received").exists():
            intake_done_at = time.monotonic() - started
        if intake_done_at is not None and _queue_idle():
            break
        time.sleep(0.5)
    seconds = time.monotonic() - started
    for node in range(1, workers + 1):
        _topology("worker", "stop", f"interactive{node}")
    return {"applications": waiting, "intake_seconds": intake_done_at, "seconds": seconds,
            "load": f"{load_before} → {_load()}"}  # fmt: skip


def _print_drain(workers: int, result: dict, single: dict | None) -> None:
    rate = result["applications"] / result["seconds"]
    beside = ""
    if single:
        single_rate = single["applications"] / single["seconds"]
        beside = f"   (1 node: {single_rate:.1f}/s; ratio {rate / single_rate:.2f})"
    print(
        f"drain      {workers} worker node{'s' if workers > 1 else ' '} (2 processes each): {result['applications']} "
        f"applications fully processed in {result['seconds']:.1f} s = {rate:.1f}/s "
        f"(intakes alone {result['applications'] / result['intake_seconds']:.1f}/s){beside}  [{result['load']}]"
    )


# --- dashboard with its reads on the replica -----------------------------------------------------------


def _director_session() -> str:
    from django.contrib.auth.models import Group as AuthGroup

    from accounts.models import User

    director, _ = User.objects.get_or_create(
        username="bench-direktur", defaults={"email": "direktur@bench.id", "is_staff": True, "scope_national": True}
    )
    director.groups.add(AuthGroup.objects.get(name="direktur"))
    return _sessions_for([director])[0]


def _dashboard(scheme_id: int, next_index: "_IndexRange", args: argparse.Namespace) -> None:
    from dashboards import services

    services.tallies_recompute()
    session = _director_session()
    pages = ["/dasbor/", "/dasbor/kabupaten/32.04/"]

    def load(seconds: float, clients: int = 8, *, during: callable = None) -> dict:
        stop = time.monotonic() + seconds
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        lock = threading.Lock()

        def run(slot: int) -> None:
            connection = _connection()
            n = 0
            while time.monotonic() < stop:
                path = pages[(slot + n) % len(pages)]
                n += 1
                started = time.perf_counter()
                try:
                    status, _ = surge._request(connection, "GET", path, None, {"Cookie": f"sessionid={session}"})
                except (OSError, http.client.HTTPException):
                    status = 599
                    connection.close()
                    connection = _connection()
                with lock:
                    latencies.append(time.perf_counter() - started)
                    statuses[status] = statuses.get(status, 0) + 1
            connection.close()

        threads = [threading.Thread(target=run, args=(slot,)) for slot in range(clients)]
        load_before = _load()
        for thread in threads:
            thread.start()
        if during is not None:
            during()
        for thread in threads:
            thread.join()
        latencies.sort()
        return {"p50": statistics.median(latencies) * 1000, "p95": latencies[int(len(latencies) * 0.95) - 1] * 1000,
                "statuses": statuses, "load": f"{load_before} → {_load()}"}  # fmt: skip

    def with_surge(replica_stop_after: float | None) -> callable:
        def during() -> None:
            if replica_stop_after is not None:
                time.sleep(replica_stop_after)
                _topology("replica", "stop")

        def run() -> dict:
            holder = {}
            surge_thread = threading.Thread(
                target=lambda: holder.update(_surge(scheme_id, next_index.take(args.surge), clients=50))
            )
            surge_thread.start()
            result = load(args.dashboard_seconds, during=during)
            surge_thread.join()
            result["surge"] = holder
            return result

        return run

    alone = load(args.dashboard_seconds / 2)
    on_replica = with_surge(None)()
    lag = _replica_lag()
    replica_stopped = with_surge(args.dashboard_seconds / 3)()
    after = _readyz()
    for label, result in (
        ("alone (reads on the replica)", alone),
        ("during a surge, reads on the replica", on_replica),
        ("during a surge, replica stopped mid-run", replica_stopped),
    ):
        server_errors = sum(n for status, n in result["statuses"].items() if status >= 500)
        writes = result.get("surge")
        beside = (
            f"; surge {writes['accepted'] / writes['wall']:.1f} accepted/s, 5xx {writes['server_errors']}"
            if writes
            else ""
        )
        print(
            f"dashboard  {label:<42} p50 {result['p50']:5.0f} ms  p95 {result['p95']:5.0f} ms  "
            f"statuses {result['statuses']}  5xx {server_errors}{beside}  [{result['load']}]"
        )
    print(f"replica    lag during the surge {lag}; after it was stopped, /readyz says {after}")
    _topology("replica", "start")


def _replica_lag() -> str:
    import psycopg2

    port = int(os.environ["DATABASE_REPLICA_URL"].rsplit(":", 1)[1].split("/")[0])
    from jps_portal.replica import LAG_SQL

    connection = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
    try:
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            return f"{float(cursor.fetchone()[0]):.2f} s"
    finally:
        connection.close()


def _readyz() -> str:
    connection = _connection()
    try:
        _, body = surge._request(connection, "GET", "/readyz")
    finally:
        connection.close()
    return json.dumps(json.loads(body)["checks"]["replica"])


# --- faults --------------------------------------------------------------------------------------------


def _kill_web_node_mid_surge(scheme_id: int, indices: range, args: argparse.Namespace) -> None:
    from applications.models import SubmissionIntake

    _web_nodes(2)

    def kill_web1() -> None:
        time.sleep(3)
        _topology("web", "kill", "1")

    result = _surge(scheme_id, indices, clients=50, during=kill_web1)
    users = [f"ketua{index}" for index in indices]
    stored = SubmissionIntake.objects.filter(user__username__in=users).count()
    print(
        f"fault      web1 killed (SIGKILL) 3 s into a 50-client surge on 2 nodes: "
        f"{result['accepted']}/{result['submitted']} "
        f"accepted, lost {result['lost']}, stored {stored} (duplicates {stored - result['accepted']}); "
        f"clients saw {result['server_errors']} 5xx and {result['dropped']} dropped connections and retried; "
        f"{result['accepted'] / result['wall']:.1f} accepted/s  [{result['load']}]"
    )
    _topology("web", "start", "1")


def _kill_worker_node_mid_drain(scheme_id: int, indices: range) -> None:
    from django.conf import settings
    from django.db.models import Count

    from applications.models import Application, SubmissionIntake

    _surge(scheme_id, indices, clients=50)
    users = [f"ketua{index}" for index in indices]
    _topology("worker", "start", "interactive1")
    _topology("worker", "start", "interactive2")
    time.sleep(5)
    import redis

    broker = redis.Redis.from_url(os.environ["CELERY_BROKER_URL"])
    in_flight = broker.hlen("unacked:interactive")
    _topology("worker", "kill", "interactive2")
    killed_at = time.monotonic()
    load_before = _load()
    came_back = None
    while time.monotonic() - killed_at < DRAIN_DEADLINE_SECONDS:
        done = not SubmissionIntake.objects.filter(user__username__in=users, status="received").exists()
        if done and _queue_idle():
            came_back = time.monotonic() - killed_at
            break
        time.sleep(1)
    broker.close()
    intakes = SubmissionIntake.objects.filter(user__username__in=users)
    statuses = dict(intakes.values_list("status").annotate(n=Count("pk")))
    applications = Application.objects.filter(group__user__username__in=users)
    per_group = applications.values("group_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    print(
        f"fault      worker node interactive2 killed (SIGKILL) 5 s into draining {len(indices)} submissions "
        f"with 2 nodes "
        f"({in_flight} tasks unacknowledged at that moment): all done {came_back:.0f} s after the kill "
        f"(visibility timeout {settings.CELERY_VISIBILITY_TIMEOUTS['interactive']} s); intakes {statuses}; "
        f"applications {applications.count()}, "
        f"groups with more than one {per_group}  [{load_before} → {_load()}]"
        if came_back is not None
        else f"fault      worker killed: NOT drained within {DRAIN_DEADLINE_SECONDS} s; intakes {statuses}"
    )
    _topology("worker", "stop", "interactive1")


if __name__ == "__main__":
    main()
