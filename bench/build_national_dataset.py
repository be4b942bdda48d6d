"""Benchmark: build the national-scale demo dataset on PostgreSQL, with the same code as
``manage.py seed_demo --scale national``.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jps_bench .venv/bin/python bench/build_national_dataset.py

The database named in DATABASE_URL is dropped and created afresh (only if its name contains
"bench", so a real database can never be dropped by mistake), migrated, then filled. Printed:
groups, members, applications, seconds, rows/s and peak memory, and a baseline measured in the
same run — a raw COPY of 1,000,000 trivial rows into a temporary table — with the ratio.
"""

import argparse
import io
import itertools
import os
import resource
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
from psycopg2 import sql

BASE_DIR = Path(__file__).resolve().parent.parent
BASELINE_ROWS = 1_000_000


def main() -> None:
    args = _arguments()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL URL, e.g. postgres://postgres@127.0.0.1:5432/jps_bench")
    _recreate_database(url)
    django_setup()

    from django.core.management import call_command
    from django.db import connection

    from applications.demo_data import Scale, build_demo_dataset

    call_command("migrate", verbosity=0)
    rss_before = _peak_rss_mb()
    result = build_demo_dataset(seed=args.seed, scale=Scale.NATIONAL, national_groups=args.groups, progress=True)
    peak = _peak_rss_mb()
    counts = _table_counts(connection)
    generation_seconds = _generation_only(args.seed, args.groups)
    baseline_seconds = _baseline_copy(connection)
    baseline_rate = BASELINE_ROWS / baseline_seconds

    print(f"groups            {counts['groups_group']:>12,}")
    print(f"members           {counts['groups_member']:>12,}")
    print(f"applications      {counts['applications_application']:>12,}")
    print(f"status changes    {counts['applications_applicationstatuschange']:>12,}")
    print(f"rows written      {result.rows:>12,}")
    print(f"seconds           {result.seconds:>12.1f}")
    print(f"rows/s            {result.rows_per_second:>12,.0f}")
    print(f"peak memory (MB)  {peak:>12.0f}   (before the build: {rss_before:.0f})")
    print(f"of which Python generation alone (same groups, nothing written): {generation_seconds:.1f} s")
    print(f"baseline: raw COPY of {BASELINE_ROWS:,} trivial rows into a temp table: {baseline_seconds:.2f} s "
          f"({baseline_rate:,.0f} rows/s)")  # fmt: skip
    print(f"ratio: baseline rows/s ÷ build rows/s = {baseline_rate / result.rows_per_second:.1f}×")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", type=int, default=50_000, help="national groups on top of the 1,000 launch ones")
    parser.add_argument("--seed", type=int, default=2020)
    return parser.parse_args()


def _recreate_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"Refusing to drop database {name!r}: the benchmark database's name must contain 'bench'.")
    admin = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username, password=parts.password, dbname="postgres"
    )
    admin.autocommit = True  # CREATE / DROP DATABASE cannot run inside a transaction
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()


def django_setup() -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jps_portal.settings")
    import django

    django.setup()


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _table_counts(connection: object) -> dict[str, int]:
    tables = ["groups_group", "groups_member", "applications_application", "applications_applicationstatuschange"]
    with connection.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed table names
            counts[table] = cursor.fetchone()[0]
    return counts


def _generation_only(seed: int, groups: int) -> float:
    """Seconds to generate the same groups without writing them: how much of the build is Python."""
    from applications.demo_data import YEAR, Generator, RegionCatalogue, SchemeTerms, launch_slots, national_slots
    from applications.models import Scheme

    schemes = {s.programme: SchemeTerms.of(s) for s in Scheme.objects.filter(year=YEAR)}
    generator = Generator(seed=seed, schemes=schemes, regions=RegionCatalogue.load())
    launch = launch_slots()
    started = time.perf_counter()
    for slot in itertools.chain(launch, national_slots(groups, after=launch)):
        generator.group(slot)
    return time.perf_counter() - started


def _baseline_copy(connection: object) -> float:
    """Seconds for the database alone to take 1,000,000 two-column rows: the floor under any bulk load."""
    buffer = io.StringIO("".join(f"{i},{3201234101900000 + i}\n" for i in range(BASELINE_ROWS)))
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_baseline (id bigint, nik varchar(16))")
        started = time.perf_counter()
        cursor.copy_expert("COPY bench_baseline (id, nik) FROM STDIN WITH (FORMAT csv)", buffer)
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_baseline")
    return seconds


if __name__ == "__main__":
    main()
