"""Benchmark: the SLA escalation sweep over 100,000 overdue open tickets, on PostgreSQL.

    .venv/bin/python bench/grievance_escalation.py [--tickets 100000]

Creates the database ``jps_h_bench_tickets`` afresh (only a name containing "bench" is ever dropped;
``BENCH_DATABASE`` / ``BENCH_REDIS_URL`` choose others), migrates it, adds one verifikator with an
e-mail per province and one national, and inserts ``--tickets`` open tickets
(bulk inserts), all past their due date at regency level, spread over every regency, half with a phone
and an e-mail. Then times ``grievances.services.tickets_escalate_overdue`` (target < 5 s) and prints the
tickets escalated, the history rows and messages it wrote, its query count, and the machine's load.
``--vacuum`` first gives the table the state autovacuum keeps a long-lived one in (hint bits set,
statistics taken); without it the sweep also pays for the first full read of freshly inserted rows.
A second run on the same day must escalate nothing (idempotent). Last, a same-run baseline: one
plain UPDATE of the same columns on every ticket with its foreign keys checked, rolled back.
"""

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE = os.environ.get("BENCH_DATABASE", "jps_h_bench_tickets")
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")


def main() -> None:
    args = _arguments()
    if "bench" not in DATABASE:
        sys.exit(f"Refusing to use database {DATABASE!r}: its name must contain 'bench'.")
    if not args.reuse:
        _recreate_database()
    # A real broker (this helper's Redis db 8): the messages' delivery task is queued, not run in-process.
    os.environ.update(
        {
            "DJANGO_ENV": "development",
            "DATABASE_URL": f"{SERVER}/{DATABASE}",
            "REDIS_URL": REDIS_URL,
            "CELERY_BROKER_URL": REDIS_URL,
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jps_portal.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from grievances.models import Ticket, TicketHistory
    from grievances.services import tickets_escalate_overdue
    from notifications.models import Message

    started = time.perf_counter()
    if args.reuse:
        _reset()
    else:
        call_command("migrate", verbosity=0)
        _officers()
        _tickets(args.tickets)
    if args.vacuum:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE grievances_ticket")
            cursor.execute("VACUUM ANALYZE grievances_tickethistory")
    count = Ticket.objects.count()
    print(f"set-up: {count:,} overdue tickets in {time.perf_counter() - started:.0f} s (bulk inserts)")
    print(f"load average before: {os.getloadavg()[0]:.2f} / {os.cpu_count()} cores")

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        escalated = tickets_escalate_overdue()
        seconds = time.perf_counter() - started
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()  # the queued delivery task: nobody runs it here
    print(
        f"escalation sweep: {escalated:,} tickets in {seconds:.2f} s ({escalated / seconds:,.0f}/s), "
        f"{len(queries)} queries; history rows {TicketHistory.objects.filter(kind='escalation').count():,}, "
        f"messages queued {Message.objects.count():,}; load {os.getloadavg()[0]:.2f}"
    )
    levels = dict(Ticket.objects.values_list("level").annotate(n=Count("pk")))
    print(f"levels after: {levels}")
    started = time.perf_counter()
    again = tickets_escalate_overdue()
    print(f"second run the same day: {again} escalated in {time.perf_counter() - started:.2f} s")
    floor = _baseline()
    print(
        f"same-run baseline: one plain UPDATE of the same columns on every ticket, its foreign keys checked, "
        f"rolled back: {floor:.2f} s; ratio sweep/baseline {seconds / floor:.1f}x; load {os.getloadavg()[0]:.2f}"
    )


def _baseline() -> float:
    """What rewriting every ticket once costs on this machine now, with nothing else: the floor."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            "UPDATE grievances_ticket SET level = level + 1, due_on = due_on + 1, "
            "assigned_to_id = (SELECT MIN(id) FROM accounts_user)"
        )
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred foreign-key checks, as at commit
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--reuse", action="store_true", help="reuse the database of an earlier run (reset)")
    parser.add_argument(
        "--vacuum",
        action="store_true",
        help="VACUUM ANALYZE the tickets after set-up, as autovacuum keeps a long-lived table (hint bits, statistics)",
    )
    return parser.parse_args()


def _recreate_database() -> None:
    import psycopg2

    connection = psycopg2.connect(f"{SERVER}/postgres")
    connection.autocommit = True  # CREATE / DROP DATABASE cannot run inside a transaction
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{DATABASE}"')
    connection.close()


def _reset() -> None:
    """Every ticket overdue at regency level again, as built; what an earlier sweep wrote, removed."""
    from django.utils import timezone

    from grievances.models import Ticket, TicketHistory
    from notifications.models import Message

    TicketHistory.objects.all().delete()
    Message.objects.all().delete()
    Ticket.objects.update(
        level=Ticket.Level.REGENCY, assigned_to=None, due_on=timezone.localdate() - datetime.timedelta(days=3)
    )


def _officers() -> None:
    from django.contrib.auth.models import Group as AuthGroup

    from accounts.models import Role, User
    from regions.models import Province

    verifiers = AuthGroup.objects.get(name=Role.VERIFIER.value)
    for province in Province.objects.all():
        officer = User.objects.create(
            username=f"verif-{province.code}", email=f"verif-{province.code}@example.id", is_staff=True
        )
        officer.groups.add(verifiers)
        officer.scope_provinces.add(province)
    national = User.objects.create(
        username="verif-pusat", email="verif-pusat@example.id", is_staff=True, scope_national=True
    )
    national.groups.add(verifiers)


def _tickets(count: int) -> None:
    from django.utils import timezone

    from grievances.models import Category, Ticket
    from regions.models import Regency

    rng = random.Random(13)
    regencies = list(Regency.objects.values_list("code", "province_id"))
    categories = list(Category.objects.filter(is_sensitive=False).values_list("pk", flat=True))
    overdue = timezone.localdate() - datetime.timedelta(days=3)
    batch = []
    for index in range(count):
        regency, province = rng.choice(regencies)
        with_contact = index % 2 == 0
        batch.append(
            Ticket(
                number=f"ADU-2026-{index + 1:07d}",
                tracking_token=f"t{index:021d}",
                category_id=rng.choice(categories),
                status=Ticket.Status.RECEIVED,
                filed_by=Ticket.Filer.VERIFIED_PHONE if with_contact else Ticket.Filer.PUBLIC,
                province_id=province,
                regency_id=regency,
                description="Bantuan tahap 1 belum diterima.",
                complainant_phone=f"+62812{index:08d}" if with_contact else "",
                complainant_email=f"pelapor{index}@example.id" if with_contact else "",
                due_on=overdue,
            )
        )
        if len(batch) == 10_000:
            Ticket.objects.bulk_create(batch)
            batch = []
    Ticket.objects.bulk_create(batch)


if __name__ == "__main__":
    main()
