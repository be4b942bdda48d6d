"""Benchmark: member export at national scale — the streaming download vs django-import-export's
own export (a tablib Dataset built in memory), with a raw PostgreSQL COPY as the floor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jps_export_bench .venv/bin/python bench/build_national_dataset.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jps_export_bench .venv/bin/python bench/export_streaming.py

Each path runs in its own forked process, so each peak memory is its own. Printed per path: rows,
seconds, rows/s, MB written, peak memory, time to the first byte (streaming), and ratios vs the
library path and vs COPY, all measured in this run. Every path writes the same escaped CSV columns.
"""

import argparse
import io
import multiprocessing
import os
import resource
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def django_setup() -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jps_portal.settings")
    import django

    django.setup()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _members(limit: int | None):  # noqa: ANN202
    from groups.models import Member

    queryset = Member.objects.order_by("pk")
    if limit:
        last = queryset.values_list("pk", flat=True)[limit - 1 : limit].first()
        queryset = queryset.filter(pk__lte=last)
    return queryset


def run_stream_http(limit: int | None) -> dict:
    """The admin's "Unduh CSV" URL, through Django's full request stack, as a national officer."""
    from django.test import Client

    from accounts.models import User

    user, _created = User.objects.get_or_create(
        username="bench-export", defaults={"is_staff": True, "is_superuser": True, "email": "bench@example.id"}
    )
    client = Client()
    client.force_login(user)
    url = "/admin/groups/member/unduh/csv/"
    started = time.perf_counter()
    response = client.get(url, HTTP_HOST="127.0.0.1")
    assert response.status_code == 200, response.status_code
    written, rows, first = 0, -1, None
    for chunk in response.streaming_content:
        if first is None:
            first = time.perf_counter() - started
        written += len(chunk)
        rows += chunk.count(b"\n")
    return {"rows": rows, "seconds": time.perf_counter() - started, "bytes": written, "first_byte": first}


def run_stream(limit: int | None) -> dict:
    from groups.resources import MemberResource
    from spreadsheets.streaming import _csv_lines

    started = time.perf_counter()
    written, rows, first = 0, -1, None
    for line in _csv_lines(MemberResource().iter_rows(_members(limit), native=False)):
        if first is None and rows >= 0:
            first = time.perf_counter() - started
        written += len(line.encode())
        rows += line.count("\n")
    return {"rows": rows, "seconds": time.perf_counter() - started, "bytes": written, "first_byte": first}


def run_library(limit: int | None) -> dict:
    """What ``ExportMixin`` does: ``resource.export()`` into a Dataset, then the CSV format's text."""
    from import_export.formats.base_formats import CSV

    from groups.resources import MemberResource

    started = time.perf_counter()
    dataset = MemberResource().export(queryset=_members(limit))
    text = CSV().export_data(dataset)
    return {"rows": len(dataset), "seconds": time.perf_counter() - started, "bytes": len(text.encode())}


def run_copy(limit: int | None) -> dict:
    """The floor: PostgreSQL writes the same joined columns as CSV itself (no escaping, no Python rows)."""
    from django.db import connection

    last = _members(limit).values_list("pk", flat=True).last() if limit else None
    where = f"WHERE m.id <= {int(last)}" if last else ""
    sql = f"""COPY (SELECT g.code, g.name, p.code, p.name, r.code, r.name, m.nik, m.name, m.sex, m.birth_date,
                    m.role, m.employment_status, CASE WHEN m.has_disability THEN 'ya' ELSE 'tidak' END, m.phone
             FROM groups_member m JOIN groups_group g ON g.id = m.group_id
             JOIN regions_regency r ON r.code = g.regency_id JOIN regions_province p ON p.code = r.province_id
             {where} ORDER BY m.id) TO STDOUT WITH CSV HEADER"""  # noqa: S608 - an int and fixed names
    sink = io.BytesIO()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(sql, sink)
    written = sink.tell()
    return {"rows": sink.getvalue().count(b"\n") - 1, "seconds": time.perf_counter() - started, "bytes": written}


PATHS = {"stream_http": run_stream_http, "stream": run_stream, "library": run_library, "copy": run_copy}


def _child(name: str, limit: int | None, queue: multiprocessing.Queue) -> None:
    from django.db import connections

    connections.close_all()  # a forked child opens its own connection
    result = PATHS[name](limit)
    result["peak_mb"] = _peak_mb()
    queue.put(result)


def measure(name: str, limit: int | None) -> dict:
    queue = multiprocessing.get_context("fork").Queue()
    process = multiprocessing.get_context("fork").Process(target=_child, args=(name, limit, queue))
    process.start()
    process.join()
    if process.exitcode != 0:
        sys.exit(f"{name}: the measuring process failed (exit code {process.exitcode})")
    return queue.get()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=0, help="export only the first N members (0 = all)")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to the PostgreSQL benchmark database (see the docstring).")
    django_setup()
    from django.db import connections

    from groups.models import Member

    total = Member.objects.count()
    connections.close_all()
    limit = args.rows or None
    print(f"members in the database: {total:,}; exporting {'all' if not limit else f'the first {limit:,}'}")
    print(f"peak memory of a forked child before any work: ~{_peak_mb():.0f} MB")
    # The HTTP path always streams the whole table (the change list has no row limit): only without --rows.
    results = {name: measure(name, limit) for name in PATHS if not (limit and name == "stream_http")}
    print(f"{'path':<14}{'rows':>12}{'seconds':>10}{'rows/s':>12}{'MB out':>9}{'peak MB':>9}{'1st byte s':>12}")
    for name, result in results.items():
        first = result.get("first_byte")
        print(
            f"{name:<14}{result['rows']:>12,}{result['seconds']:>10.2f}{result['rows'] / result['seconds']:>12,.0f}"
            f"{result['bytes'] / 1e6:>9.1f}{result['peak_mb']:>9.0f}{(f'{first:.3f}' if first else '-'):>12}"
        )
    library, stream, copy = results["library"], results.get("stream_http", results["stream"]), results["copy"]
    print(
        f"streaming download vs library export: {library['seconds'] / stream['seconds']:.2f}x the speed, "
        f"{library['peak_mb'] / stream['peak_mb']:.2f}x less peak memory"
    )
    print(f"streaming download vs raw COPY: {stream['seconds'] / copy['seconds']:.1f}x slower")


if __name__ == "__main__":
    main()
