"""Benchmark: after the money — attendance import, the mentor's work list, and the tally with the new
figures, on PostgreSQL at national scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jps_f_bench .venv/bin/python bench/build_national_dataset.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jps_f_bench .venv/bin/python bench/after_the_money.py

The first command builds the national dataset (51,000 groups / 1,020,000 members). This script then
(set-based, once; a rerun reuses what is there):
1. pays tahap 1 of every approved application (tranche + ledger row, as the dashboard bench does),
   gives every regency with funded groups one mentor and the mentor the regency's funded groups,
   adds done / planned visits and open problems, schedules the monitoring rounds with
   ``outcomes.services.rounds_schedule`` (timed) and fills in the 3/6/12-month answers;
2. imports attendance for a new 1,000-group / 20,000-person event through
   ``training.services.attendance_import`` (a 20,000-row CSV): first import, then the same file again
   (target < 10 s), vs a raw COPY of the same rows into a temporary table;
3. the mentor work list: queries per page (fixed whatever the caseload), in-process build time, then
   ``--clients`` concurrent clients — each a different mentor, the 50 largest caseloads — through
   gunicorn on 127.0.0.1 for ``--requests`` requests: p50 / p95 (target p95 < 100 ms) and the same-run
   ceiling of ``/healthz``;
4. the tally job with the new figures (median of ``--runs``) vs hand-written ``GROUP BY``s giving the
   same province figures (old and new, checked equal): target ≤ 2 s and ≤ 3×.
"""

import argparse
import csv
import datetime
import io
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.dashboard_tallies import HAND_WRITTEN, _free_port, _get, _mark_paid, _wait_until_up  # noqa: E402

EVENT_GROUPS = 1_000
WORKLIST = "/pendampingan/"
MENTOR_PREFIX = "bench-pendamping-"


def main() -> None:
    args = _arguments()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")) or "bench" not in url:
        sys.exit("Set DATABASE_URL to the bench database, e.g. postgres://postgres@127.0.0.1:5432/jps_f_bench")
    _django_setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    members = _count(connection, "groups_member")
    print(f"dataset             {_count(connection, 'groups_group'):,} groups, {members:,} members, "
          f"{_count(connection, 'applications_application'):,} applications")  # fmt: skip
    if members < 10_000:
        sys.exit("Build the dataset first (see the docstring).")
    _prepare(connection)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    if not args.skip_import:
        _bench_import(connection)
    if not args.skip_worklist:
        _bench_worklist(url, clients=args.clients, requests=args.requests, workers=args.workers, redis_url=args.redis)
    _bench_tally(connection, runs=args.runs)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=3000, help="work-list requests (bounded)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/7", help="gunicorn's cache and sessions")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-worklist", action="store_true")
    return parser.parse_args()


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jps_portal.settings")
    os.environ.setdefault("DJANGO_ENV", "development")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,testserver")
    os.environ["REDIS_URL"] = ""
    os.environ["CELERY_BROKER_URL"] = ""
    import django

    django.setup()


def _count(connection: object, table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed table names
        return cursor.fetchone()[0]


# --- 1. the data after the money -------------------------------------------------------------------------


def _prepare(connection: object) -> None:
    from outcomes import services as outcomes

    _mark_paid(connection)
    _mentors(connection)
    _visits(connection)
    started = time.perf_counter()
    created = outcomes.rounds_schedule()
    seconds = time.perf_counter() - started
    if created:
        print(f"rounds scheduled    {created:,} in {seconds:.1f} s (outcomes.services.rounds_schedule, with history)")
    _answers(connection)
    for table in ("mentoring_caseassignment", "mentoring_visit", "mentoring_visitproblem",
                  "outcomes_monitoringround"):  # fmt: skip
        print(f"  {table:<30} {_count(connection, table):>10,}")


def _mentors(connection: object) -> None:
    """One mentor per regency with funded groups, holding all of them (set-based)."""
    from django.contrib.auth.models import Group as AuthGroup

    from accounts.models import Role, User
    from accounts.roles import roles_sync

    if User.objects.filter(username__startswith=MENTOR_PREFIX).exists():
        return
    roles_sync()
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT DISTINCT g.regency_id FROM applications_application a JOIN groups_group g ON g.id = a.group_id
               WHERE a.status IN ('approved', 'in_disbursement', 'reporting', 'completed') ORDER BY 1"""
        )
        regencies = [row[0] for row in cursor.fetchall()]
    password = User.objects.make_random_password() if hasattr(User.objects, "make_random_password") else "x"
    users = User.objects.bulk_create(
        [User(username=f"{MENTOR_PREFIX}{code}", password=password, first_name="Pendamping") for code in regencies]
    )
    role = AuthGroup.objects.get(name=Role.MENTOR.value)
    role.user_set.add(*users)
    through = User.scope_regencies.through
    through.objects.bulk_create(
        [through(user_id=u.pk, regency_id=code) for u, code in zip(users, regencies, strict=True)]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO mentoring_caseassignment (group_id, mentor_id, regency_id, reason, assigned_at, end_reason)
                SELECT g.id, u.id, g.regency_id, 'balance', now() - interval '200 days', ''
                FROM applications_application a
                JOIN groups_group g ON g.id = a.group_id
                JOIN accounts_user u ON u.username = '{MENTOR_PREFIX}' || g.regency_id
                WHERE a.status IN ('approved', 'in_disbursement', 'reporting', 'completed')
                ON CONFLICT DO NOTHING"""  # noqa: S608 - constant prefix
        )


def _visits(connection: object) -> None:
    """Per funded group: a done visit 0–119 days ago (two in three groups), a planned one (one in
    five), an open problem to follow up (one in ten)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM mentoring_visit")
        if cursor.fetchone()[0]:
            return
        cursor.execute(
            """INSERT INTO mentoring_visit (group_id, mentor_id, programme, planned_on, status, done_on, checklist,
                                            notes, location, created_at)
               SELECT c.group_id, c.mentor_id, 'TKM', current_date - (c.group_id % 120)::int, 'done',
                      current_date - (c.group_id % 120)::int, '{}'::jsonb, 'bench', 'near', now()
               FROM mentoring_caseassignment c WHERE c.ended_at IS NULL AND c.group_id % 3 <> 0"""
        )
        cursor.execute(
            """INSERT INTO mentoring_visit (group_id, mentor_id, programme, planned_on, status, checklist, notes,
                                            location, created_at)
               SELECT c.group_id, c.mentor_id, 'TKM', current_date + (c.group_id % 14)::int, 'planned', '{}'::jsonb, '',
                      '', now()
               FROM mentoring_caseassignment c WHERE c.ended_at IS NULL AND c.group_id % 5 = 0"""
        )
        cursor.execute(
            """INSERT INTO mentoring_visitproblem (visit_id, group_id, description, follow_up_on, resolution)
               SELECT v.id, v.group_id, 'Pembukuan belum rapi', v.done_on + 10, ''
               FROM mentoring_visit v WHERE v.status = 'done' AND v.group_id % 10 = 1"""
        )


def _answers(connection: object) -> None:
    """Every due round reported: nine in ten businesses running, 0–3 outside workers, revenues."""
    with connection.cursor() as cursor:
        cursor.execute(
            """UPDATE outcomes_monitoringround r
               SET status = 'reported', operating = (r.group_id % 10 <> 0),
                   monthly_revenue = CASE WHEN r.programme = 'TKM' THEN 1000000 + (r.group_id % 50) * 100000 END,
                   members_working = CASE WHEN r.group_id % 10 <> 0 THEN 10 + r.group_id % 10 ELSE 0 END,
                   others_working = CASE WHEN r.group_id % 10 <> 0 THEN r.group_id % 4 ELSE 0 END,
                   facility_state = CASE WHEN r.programme = 'TKM' THEN '' ELSE 'good' END,
                   reported_at = now(), reporter = 'ketua'
               WHERE r.status = 'scheduled' AND r.due_on <= current_date AND (r.group_id + r.months) % 7 <> 0"""
        )


# --- 2. attendance import -------------------------------------------------------------------------------


def _bench_import(connection: object) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from accounts.models import User
    from training import services as training
    from training.models import Invitation, TrainingEvent

    officer, _created = User.objects.get_or_create(
        username="bench-panitia", defaults={"is_staff": True, "is_superuser": True, "scope_national": True}
    )
    day = timezone.localdate()
    event = training.event_create(
        year=2020, title=f"Bench pembekalan {timezone.now():%H%M%S}", starts_on=day, ends_on=day,
        format=TrainingEvent.Format.HYBRID, venue="Bench", online_link="https://example.org/", by=None,
    )  # fmt: skip
    training.event_open(event=event, by=None)
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT g.id FROM groups_group g WHERE (SELECT count(*) FROM groups_member m WHERE m.group_id = g.id) = 20
               ORDER BY g.id LIMIT %s""",
            [EVENT_GROUPS],
        )
        group_ids = [row[0] for row in cursor.fetchall()]
        now = timezone.now()
        Invitation.objects.bulk_create(Invitation(event=event, group_id=pk, invited_at=now) for pk in group_ids)
        cursor.execute("SELECT nik FROM groups_member WHERE group_id = ANY(%s) ORDER BY id", [group_ids])
        niks = [row[0] for row in cursor.fetchall()]
    rng = random.Random(12)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["nik", "tanggal", "cara_ikut"])
    for nik in niks:
        writer.writerow([nik, day.isoformat(), "luring" if rng.random() < 0.05 else "daring"])
    content = buffer.getvalue().encode()
    times = []
    for attempt in range(2):
        upload = SimpleUploadedFile("hadir.csv", content, content_type="text/csv")
        started = time.perf_counter()
        result = training.attendance_import(event=event, upload=upload, by=officer)
        times.append(time.perf_counter() - started)
        label = "first import" if attempt == 0 else "same file again"
        print(f"attendance import   {label:<16} {times[-1]:6.2f} s   {result.outcome}: {result.rows_total:,} rows, "
              f"{result.rows_added:,} added, {result.rows_existing:,} already recorded, {result.error_count} errors")  # noqa: E501  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_hadir (nik varchar(16), tanggal date, cara_ikut text)")
        started = time.perf_counter()
        cursor.copy_expert("COPY bench_hadir FROM STDIN WITH (FORMAT csv, HEADER true)", io.StringIO(content.decode()))
        copy = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_hadir")
    print(f"baseline            raw COPY of the same {len(niks):,} rows into a temp table: {copy:.2f} s "
          f"(import ÷ COPY = {times[0] / copy:.0f}×; target < 10 s: {'met' if max(times) < 10 else 'NOT met'})")  # noqa: E501  # fmt: skip


# --- 3. the work list ----------------------------------------------------------------------------------------


def _largest_caseloads(n: int) -> list[int]:
    from django.db.models import Count

    from mentoring.models import CaseAssignment

    return list(
        CaseAssignment.objects.filter(ended_at__isnull=True, mentor__username__startswith=MENTOR_PREFIX)
        .values("mentor_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "mentor_id")
        .values_list("mentor_id", flat=True)[:n]
    )


def _sessions(user_ids: list[int]) -> list[str]:
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User

    keys = []
    for user in User.objects.filter(pk__in=user_ids).order_by("pk"):
        store = SessionStore()
        store.update({"_auth_user_id": str(user.pk), "_auth_user_backend": "accounts.backends.EmailOrPhoneBackend",
                      "_auth_user_hash": user.get_session_auth_hash()})  # fmt: skip
        store.create()
        keys.append(store.session_key)
    return keys


def _bench_worklist(url: str, *, clients: int, requests: int, workers: int, redis_url: str) -> None:
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from mentoring.models import CaseAssignment
    from mentoring.worklist import worklist_for

    mentors = _largest_caseloads(clients)
    sizes = dict(
        CaseAssignment.objects.filter(ended_at__isnull=True, mentor_id__in=mentors)
        .values_list("mentor_id").annotate(n=Count("pk")).values_list("mentor_id", "n")
    )  # fmt: skip
    small = User.objects.filter(username__startswith=MENTOR_PREFIX).exclude(pk__in=mentors).order_by("pk")
    small = min(small[:200], key=lambda u: u.caseload.filter(ended_at__isnull=True).count())
    counts = {}
    for user in (small, User.objects.get(pk=mentors[0])):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        client.get(WORKLIST)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(WORKLIST).status_code == 200
        counts[user.caseload.filter(ended_at__isnull=True).count()] = len(queries)
    print(f"work list queries   {', '.join(f'{q} at a caseload of {n}' for n, q in sorted(counts.items()))}")
    timings = []
    biggest = User.objects.get(pk=mentors[0])
    for _ in range(30):
        started = time.perf_counter()
        work = worklist_for(biggest)
        timings.append((time.perf_counter() - started) * 1000)
    print(f"work list build     median {statistics.median(timings):.1f} ms in-process for {work.caseload_size} groups, "
          f"{len(work.follow_ups)} follow-ups, {len(work.rounds)} rounds due (worklist_for, no rendering)")  # fmt: skip
    import redis

    redis.Redis.from_url(redis_url).flushdb()  # this benchmark's own Redis db
    keys = _sessions(mentors)
    result = _drive(url, keys, clients=clients, requests=requests, redis_url=redis_url, workers=workers)
    page, ceiling = result["page"], result["ceiling"]
    print(f"work list p50/p95   {page['p50']:.0f} / {page['p95']:.0f} ms at {clients} clients (caseloads "
          f"{min(sizes.values())}–{max(sizes.values())} groups), {page['rps']:,.0f} req/s, statuses {page['statuses']}"
          f"   (same run, /healthz: p95 {ceiling['p95']:.0f} ms, {ceiling['rps']:,.0f} req/s; "
          f"target p95 < 100 ms: {'met' if page['p95'] < 100 else 'NOT met'})")  # fmt: skip


def _drive(url: str, keys: list[str], *, clients: int, requests: int, redis_url: str, workers: int) -> dict:
    port = _free_port()
    env = {
        **os.environ, "DJANGO_ENV": "development", "DJANGO_DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": url, "DB_CONN_MAX_AGE": "600", "REDIS_URL": redis_url, "CELERY_BROKER_URL": redis_url,
        "LOG_LEVEL": "WARNING",
    }  # fmt: skip
    command = [
        str(BASE_DIR / ".venv/bin/gunicorn"), "jps_portal.wsgi", "--workers", str(workers),
        "--bind", f"127.0.0.1:{port}", "--no-control-socket", "--log-level", "warning", "--backlog", "2048",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=BASE_DIR, env=env)
    try:
        _wait_until_up(port)
        for key in keys:  # warm every worker and every mentor's page
            assert _get(port, WORKLIST, {"Cookie": f"sessionid={key}"}) == 200
        ceiling = _load(port, "/healthz", [""], clients=clients, requests=requests)
        page = _load(port, WORKLIST, keys, clients=clients, requests=requests)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    return {"page": page, "ceiling": ceiling}


def _load(port: int, path: str, keys: list[str], *, clients: int, requests: int) -> dict:
    import http.client

    remaining = [requests]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def run(key: str) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Cookie": f"sessionid={key}"} if key else {}
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
    threads = [threading.Thread(target=run, args=(keys[i % len(keys)],)) for i in range(clients)]
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


# --- 4. the tally --------------------------------------------------------------------------------------------

HAND_WRITTEN_RESULTS = """
    WITH fa AS (
        SELECT a.id AS app_id, a.group_id, s.year, s.programme, a.province_id
        FROM applications_application a JOIN applications_scheme s ON s.id = a.scheme_id
        WHERE a.status IN ('approved', 'in_disbursement', 'reporting', 'completed')
    ), reg AS (
        SELECT i.group_id, count(*) FILTER (WHERE p.mode = 'offline') AS off, count(*) FILTER (WHERE p.mode <> 'offline') AS onl
        FROM training_participant p JOIN training_invitation i ON i.id = p.invitation_id GROUP BY i.group_id
    ), att AS (
        SELECT i.group_id, count(*) FILTER (WHERE x.off) AS off, count(*) FILTER (WHERE NOT x.off) AS onl
        FROM (SELECT participant_id, bool_or(mode = 'offline') AS off FROM training_attendance GROUP BY participant_id) x
        JOIN training_participant p ON p.id = x.participant_id JOIN training_invitation i ON i.id = p.invitation_id
        GROUP BY i.group_id
    ), v AS (
        SELECT group_id, max(done_on) AS last FROM mentoring_visit WHERE status = 'done' GROUP BY group_id
    ), r AS (
        SELECT application_id, bool_or(months = 6) AS rep6, bool_or(months = 6 AND operating) AS alive6,
               bool_or(months = 12) AS rep12, bool_or(months = 12 AND operating) AS alive12
        FROM outcomes_monitoringround WHERE status = 'reported' GROUP BY application_id
    ), latest AS (
        SELECT DISTINCT ON (application_id) application_id, members_working, others_working
        FROM outcomes_monitoringround WHERE status = 'reported' ORDER BY application_id, months DESC
    ), p AS (
        SELECT t.application_id, sum(l.amount) AS paid
        FROM disbursements_ledgerentry l JOIN disbursements_tranche t ON t.id = l.tranche_id
        WHERE l.kind = 'paid' GROUP BY t.application_id
    )
    SELECT fa.year, fa.programme, fa.province_id, count(*),
           coalesce(sum(reg.off), 0), coalesce(sum(reg.onl), 0), coalesce(sum(att.off), 0), coalesce(sum(att.onl), 0),
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM mentoring_caseassignment c
                                          WHERE c.group_id = fa.group_id AND c.ended_at IS NULL)),
           count(*) FILTER (WHERE v.last >= current_date - 30), count(*) FILTER (WHERE v.last >= current_date - 90),
           count(*) FILTER (WHERE r.rep6), count(*) FILTER (WHERE r.alive6),
           count(*) FILTER (WHERE r.rep12), count(*) FILTER (WHERE r.alive12),
           count(latest.application_id), coalesce(sum(latest.members_working), 0),
           coalesce(sum(latest.others_working), 0), coalesce(sum(p.paid) FILTER (WHERE latest.application_id IS NOT NULL), 0)
    FROM fa
    LEFT JOIN reg ON reg.group_id = fa.group_id LEFT JOIN att ON att.group_id = fa.group_id
    LEFT JOIN v ON v.group_id = fa.group_id LEFT JOIN r ON r.application_id = fa.app_id
    LEFT JOIN latest ON latest.application_id = fa.app_id LEFT JOIN p ON p.application_id = fa.app_id
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
"""  # noqa: E501
RESULT_FIELDS = [
    "groups_funded", "registered_offline", "registered_online", "attended_offline", "attended_online",
    "groups_mentored", "visited_30", "visited_90", "reported_6", "alive_6", "reported_12", "alive_12",
    "groups_reporting", "jobs_members", "jobs_others", "paid_reporting",
]  # fmt: skip


def _bench_tally(connection: object, *, runs: int) -> None:
    from django.db.models import Sum

    from dashboards.models import ResultTally
    from dashboards.services import tallies_recompute

    tally, hand_old, hand_new, result_part = [], [], [], []
    rows: list[tuple] = []
    snapshot = None
    from dashboards import results as results_module

    original = results_module.insert_result_rows

    def timed(snapshot_id: int, *, today: datetime.date) -> int:
        started = time.perf_counter()
        written = original(snapshot_id, today=today)
        result_part.append(time.perf_counter() - started)
        return written

    import dashboards.services as dashboard_services

    dashboard_services.insert_result_rows = timed
    for _ in range(runs):  # interleaved, so neither side gets a warmer cache
        started = time.perf_counter()
        snapshot = tallies_recompute()
        tally.append(time.perf_counter() - started)
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(HAND_WRITTEN)
            cursor.fetchall()
            hand_old.append(time.perf_counter() - started)
            started = time.perf_counter()
            cursor.execute(HAND_WRITTEN_RESULTS)
            rows = cursor.fetchall()
            hand_new.append(time.perf_counter() - started)
    dashboard_services.insert_result_rows = original
    ours = [
        (row["year"], row["programme"], row["province_id"], *(row[f] for f in RESULT_FIELDS))
        for row in ResultTally.objects.filter(snapshot=snapshot)
        .values("year", "programme", "province_id")
        .annotate(**{f: Sum(f) for f in RESULT_FIELDS})
        .order_by("year", "programme", "province_id")
    ]
    theirs = [
        tuple(int(v) if isinstance(v, int | float) or hasattr(v, "as_integer_ratio") else v for v in r) for r in rows
    ]
    same = ours == theirs
    print(
        f"new figures         {'identical' if same else 'DIFFERENT'} to the hand-written GROUP BY "
        f"({len(ours)} province rows)"
    )
    m = statistics.median
    total_hand = m(hand_old) + m(hand_new)
    print(f"tally recompute     {m(tally):.3f} s median of {runs} (all: {', '.join(f'{t:.3f}' for t in tally)}); "
          f"of which the new figures {m(result_part):.3f} s")  # fmt: skip
    print(f"hand-written SQL    {total_hand:.3f} s = {m(hand_old):.3f} s (existing figures) + {m(hand_new):.3f} s "
          f"(new figures), same run")  # fmt: skip
    print(f"ratio               {m(tally) / total_hand:.2f}× whole tally vs hand-written; new figures alone "
          f"{m(result_part) / m(hand_new):.2f}×   (target ≤ 3×, ≤ 2 s: "
          f"{'met' if m(tally) <= 2 and m(tally) / total_hand <= 3 else 'NOT met'})")  # fmt: skip
    if not same:
        for a, b in zip(ours, theirs, strict=False):
            if a != b:
                print("  ours  ", a)
                print("  theirs", b)
                break


if __name__ == "__main__":
    main()
