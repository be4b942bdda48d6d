"""Benchmark: how fast one worker node drains queued complete submissions, fully processed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jps_bench_drain .venv/bin/python bench/intake_drain.py \
        [--submissions 400] [--processes 2] [--profile]

Queues ``--submissions`` complete applications (group + 20 members + TKM proposal + 3 documents, the
surge benchmark's bodies) through ``intake_receive``, as the web nodes do, then drains them with
``--processes`` worker processes (a 2-core worker node: concurrency 2) calling the Celery task
``process_submission_intake`` with eager Celery, so each application's integrity checks and status
e-mail run too — the whole work an application costs a worker. Printed: applications/s, ms and
queries per application, the outcome counts, and the load average. ``--profile`` runs one process
under pyinstrument (pip install pyinstrument) and prints where the time goes.

The database named in DATABASE_URL (default ``jps_bench_drain``) is dropped and recreated; its name
must contain "bench". No Redis is used (tasks run eagerly in the draining processes).
"""

import argparse
import multiprocessing
import os
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR / "bench"))
sys.path.insert(0, str(BASE_DIR))
DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jps_bench_drain")


def main() -> None:
    args = _arguments()
    _recreate_database()
    _django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    import surge_submissions as surge

    scheme_id = surge._open_scheme()
    intake_ids = _queue(scheme_id, args.submissions)
    print(f"queued            {len(intake_ids)} submissions  [load {_load()}]")
    chunks = [intake_ids[i :: args.processes] for i in range(args.processes)]
    started = time.monotonic()
    if args.profile:
        results = [_drain(chunks[0], True)]
        seconds = time.monotonic() - started
        processed = len(chunks[0])
    else:
        with multiprocessing.get_context("fork").Pool(args.processes) as pool:
            results = pool.starmap(_drain, [(chunk, False) for chunk in chunks])
        seconds = time.monotonic() - started
        processed = len(intake_ids)
    _report(processed, seconds, results, args)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=400)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--profile", action="store_true", help="one process under pyinstrument")
    return parser.parse_args()


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _recreate_database() -> None:
    import psycopg2
    from psycopg2 import sql

    name = DATABASE_URL.rsplit("/", 1)[1]
    if "bench" not in name:
        sys.exit(f"DATABASE_URL must name a bench database (its name contains 'bench'): {name!r}")
    admin = psycopg2.connect(DATABASE_URL.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()


def _django() -> None:
    os.environ.update(
        DATABASE_URL=DATABASE_URL,
        DJANGO_SETTINGS_MODULE="jps_portal.settings",
        DJANGO_ENV="development",
        DJANGO_DEBUG="false",
        REDIS_URL="",
        CELERY_BROKER_URL="",  # eager: the checks and the e-mail run in the draining process
        EMAIL_URL="memorymail://",
        MEDIA_ROOT=f"/tmp/{DATABASE_URL.rsplit('/', 1)[1]}-media",
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()


def _queue(scheme_id: int, count: int) -> list[int]:
    """Accounts and intakes as the web nodes leave them (intake_receive, one per ketua)."""
    import surge_submissions as surge
    from django.contrib.auth.models import Group as AuthGroup
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.models import User
    from applications import intake

    users = User.objects.bulk_create(
        User(username=f"ketua{i}", email=f"ketua{i}@bench.id", password="!") for i in range(count)
    )
    AuthGroup.objects.get(name="kelompok").user_set.add(*users)
    ids = []
    # Eager Celery would process each intake as it is queued: here the web nodes only queue.
    intake.enqueue_on_commit = lambda *args, **kwargs: None
    for index, user in enumerate(users):
        payload = _payload(surge, scheme_id, index)
        files = {
            "proposal": SimpleUploadedFile("p.pdf", surge.PDF),
            "sk": SimpleUploadedFile("sk.pdf", surge.PDF),
            "bank_book": SimpleUploadedFile("b.png", surge.PNG),
        }
        queued, _ = intake.intake_receive(by=user, payload=payload, files=files)
        ids.append(queued.pk)
    return ids


def _payload(surge: object, scheme_id: int, index: int) -> dict:
    """The JSON part of the surge benchmark's multipart body."""
    import json

    body, content_type = surge._multipart(scheme_id, index)
    boundary = content_type.split("boundary=")[1].encode()
    first = body.split(b"--" + boundary)[1]
    return json.loads(first.split(b"\r\n\r\n", 1)[1].rsplit(b"\r\n", 1)[0])


def _drain(intake_ids: list[int], profile: bool) -> dict:
    from django.db import connection, connections

    from applications.tasks import process_submission_intake

    connections.close_all()  # a forked process opens its own connection
    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
    outcomes: dict[str, int] = {}
    queries = [0]

    def count(execute: object, sql: str, params: object, many: bool, context: object) -> object:
        queries[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        for intake_id in intake_ids:
            status = process_submission_intake.delay(intake_id).get()
            outcomes[status] = outcomes.get(status, 0) + 1
        seconds = time.perf_counter() - started
    if profiler is not None:
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False, show_all=False))
    return {"outcomes": outcomes, "queries": queries[0], "seconds": seconds, "count": len(intake_ids)}


def _report(processed: int, seconds: float, results: list[dict], args: argparse.Namespace) -> None:
    from applications.models import Application, Flag

    outcomes: dict[str, int] = {}
    for result in results:
        for status, n in result["outcomes"].items():
            outcomes[status] = outcomes.get(status, 0) + n
    per_app_ms = sum(r["seconds"] for r in results) / processed * 1000
    queries = sum(r["queries"] for r in results) / processed
    print(
        f"processes         {1 if args.profile else args.processes} (eager Celery: intake + integrity checks + e-mail)"
    )
    print(
        f"drained           {processed} in {seconds:.1f} s = {processed / seconds:.1f} applications/s  [load {_load()}]"
    )
    print(f"per application   {per_app_ms:.1f} ms, {queries:.1f} queries")
    print(f"outcomes          {outcomes}; applications {Application.objects.count()}, flags {Flag.objects.count()}")


if __name__ == "__main__":
    main()
