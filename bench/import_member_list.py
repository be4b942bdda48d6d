"""Benchmark: import a Disnaker member list of 100,000 rows (5,000 groups of 20) on PostgreSQL, with
our path (``applications.member_lists``: validate + import) against django-import-export's default
row-by-row import of the same rows (``applications.resources.MemberListResource``), in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jps_import_bench \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python bench/import_member_list.py [--groups 5000] [--library-rows 5000] [--national]

The database named in DATABASE_URL is dropped and created afresh (only if its name contains "bench"),
migrated, and filled with the launch demo dataset (1,000 groups / 20,000 members), or with the
national one (51,000 groups / 1,020,000 members) with ``--national``, so that every look-up (group
codes, NIKs of the year) runs against real data. A broker is needed so that the integrity-check sweep
enqueued after the import is only published, not run inside the timing; the queue is purged at the end.

Printed: the time of validation (the dry run) and of the import, rows/s, peak memory (RSS), a second
import of the same file (must change nothing), and the library's default mode on the first
``--library-rows`` rows of the same file — written in a transaction rolled back afterwards, so our
path then imports the same rows into the same database. At ~450 rows/s the library would need minutes
for all 100,000 rows; the slice gives its rate, and the ratio is of rates (said so in the output).
"""

import argparse
import csv
import datetime
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_national_dataset import _recreate_database, django_setup  # noqa: E402


def main() -> None:
    args = _arguments()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL URL, e.g. postgres://postgres@127.0.0.1:5432/jps_import_bench")
    if not os.environ.get("CELERY_BROKER_URL"):
        sys.exit("Set CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/14): tasks must be published, not run inline")
    _recreate_database(url)
    django_setup()

    from django.core.management import call_command

    from applications.demo_data import Scale, build_demo_dataset

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    build_demo_dataset(scale=Scale.NATIONAL if args.national else Scale.LAUNCH, progress=False)
    print(f"dataset: {'national' if args.national else 'launch'} demo built in {time.perf_counter() - started:.0f} s")

    officer = _officer()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "daftar-disnaker.csv"
        rows = _write_file(path, groups=args.groups, members=args.members)
        size_mb = path.stat().st_size / 1_048_576
        print(f"file: {rows:,} rows, {args.groups:,} groups of {args.members}, {size_mb:.1f} MB CSV")

        library_rows = min(args.library_rows, rows)
        library_seconds = _library_default(path, officer, rows=library_rows, validate=True)
        lean_seconds = _library_default(path, officer, rows=library_rows, validate=False)
        # The conservative baseline: the faster of the two library runs.
        library_rate = library_rows / min(library_seconds, lean_seconds)

        from django.db import reset_queries

        reset_queries()
        rss_before = _peak_rss_mb()
        ours = _our_path(path, officer)
        rss_peak = _peak_rss_mb()
        counts_after_first = _counts()
        again = _our_path(path, officer)
        counts_after_second = _counts()
        xlsx_seconds = _xlsx_check(path, officer) if args.xlsx else None

    total = ours["validate"] + ours["import"]
    our_rate = rows / total
    print()
    print("our path (applications.member_lists)")
    print(f"  validate (dry run)   {ours['validate']:8.2f} s   job status: {ours['status_validated']}")
    print(f"  import (confirm)     {ours['import']:8.2f} s   job status: {ours['status']}")
    print(f"  total                {total:8.2f} s   {our_rate:,.0f} rows/s   (target < 25 s)")
    created = f"{ours['groups']:,} groups, {ours['members']:,} members, {ours['applications']:,} applications"
    print(f"  created              {created}")
    print(f"  peak memory (RSS)    {rss_peak:8.0f} MB  (before the import: {rss_before:.0f} MB; target < 500 MB)")
    print()
    print("second import of the same file")
    print(f"  validate + import    {again['validate'] + again['import']:8.2f} s   job status: {again['status']}, "
          f"groups new {again['groups']}, already present {again['existing']:,}")  # fmt: skip
    print(f"  database unchanged   {counts_after_first == counts_after_second}   {counts_after_second}")
    if xlsx_seconds is not None:
        print()
        print("the same rows as XLSX (applications.xlsx_stream), validation (the dry run) only")
        print(f"  validate             {xlsx_seconds:8.2f} s   {rows / xlsx_seconds:,.0f} rows/s")
    print()
    print(f"django-import-export default row-by-row (MemberListResource.import_data), first {library_rows:,} rows,")
    print("each run rolled back afterwards")
    print(f"  with the model's validation (clean_model_instances)   {library_seconds:8.2f} s   "
          f"{library_rows / library_seconds:,.0f} rows/s")  # fmt: skip
    print(f"  without it (the library's bare default)               {lean_seconds:8.2f} s   "
          f"{library_rows / lean_seconds:,.0f} rows/s")  # fmt: skip
    if library_rows < rows:
        print(f"  (a slice: all {rows:,} rows would take ~{rows / library_rate:,.0f} s at the faster rate)")
    print()
    print(f"ratio: our rows/s ÷ the faster library rows/s = {our_rate / library_rate:.1f}×   (target ≥ 20×)")
    _purge_queue()


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", type=int, default=5_000)
    parser.add_argument("--members", type=int, default=20, help="per group (the 2020 TKM scheme wants 20)")
    parser.add_argument("--library-rows", type=int, default=5_000, help="rows given to the library's default mode")
    parser.add_argument("--national", action="store_true", help="import on top of the national dataset")
    parser.add_argument("--xlsx", action="store_true", help="also time the dry run of the same rows as XLSX")
    return parser.parse_args()


def _officer() -> object:
    from django.contrib.auth.models import Group as AuthGroup

    from accounts.models import Role, User

    user = User.objects.create_user(username="bench-officer", email="bench@example.id", password="x")
    user.scope_national = True
    user.is_staff = True
    user.save()
    user.groups.add(AuthGroup.objects.get(name=Role.VERIFIER.value))
    return user


def _write_file(path: Path, *, groups: int, members: int) -> int:
    """A valid list: NIKs agree with their district, sex and birth date and are unique by
    construction (a member's index gives its serial and, recoverably, its birth date)."""
    from applications.member_lists import COLUMNS
    from groups.nik import nik_date_part
    from regions.models import District

    rng = random.Random(2020)
    districts: dict[str, list[str]] = {}
    for code, regency in District.objects.in_2020().order_by("code").values_list("code", "regency_id"):
        districts.setdefault(regency, []).append(code.replace(".", ""))
    regencies = sorted(districts)
    roles = ["ketua", "sekretaris", "bendahara"]
    employment = ["penganggur", "setengah_penganggur", "korban_phk"]
    latest = datetime.date(1995, 1, 1)
    index = 0
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for number in range(groups):
            regency = regencies[number % len(regencies)]
            name = f"Kelompok Usaha Bersama {number:05d}"
            group = [
                f"BENCH-{number:05d}", name, "2020", "TKM", regency[:2], regency, "Desa Contoh",
                f"Jl. Contoh No. {number}", f"0812{number:08d}", "002", f"7777{number:011d}", name,
            ]  # fmt: skip
            for position in range(members):
                serial, date_class = index % 9999 + 1, index // 9999
                birth = latest - datetime.timedelta(days=date_class + 11 * rng.randrange(900))
                sex = "P" if rng.random() < 0.4 else "L"
                prefix = rng.choice(districts[regency])
                writer.writerow(
                    [
                        *group,
                        f"{prefix}{nik_date_part(birth, sex)}{serial:04d}",
                        f"Anggota {index}",
                        sex,
                        birth.isoformat(),
                        roles[position] if position < len(roles) else "anggota",
                        f"0813{index:08d}",
                        employment[index % 3],
                        "ya" if index % 50 == 0 else "tidak",
                    ]
                )
                index += 1
    return index


def _our_path(path: Path, officer: object) -> dict[str, object]:
    from django.core.files import File

    from applications.member_lists import member_list_import, member_list_upload, member_list_validate

    with path.open("rb") as handle:
        started = time.perf_counter()
        job = member_list_upload(upload=File(handle, name=path.name), by=officer)
        job = member_list_validate(job=job)
        validated = time.perf_counter()
    if job.error_count:
        print("the generated file has errors (first ones):", job.errors[:5])
        sys.exit(1)
    status_validated = job.status
    job = member_list_import(job=job, by=officer)
    done = time.perf_counter()
    return {
        "validate": validated - started,
        "import": done - validated,
        "status_validated": status_validated,
        "status": job.status,
        "groups": job.groups_new,
        "members": job.members_new,
        "applications": job.applications_new,
        "existing": job.groups_existing,
    }


def _xlsx_check(path: Path, officer: object) -> float:
    """Seconds to check the same rows saved as XLSX (after the import every group exists, so this is
    the reading and the row checks: the part of the dry run that depends on the format)."""
    from django.core.files import File
    from openpyxl import Workbook

    from applications.member_lists import member_list_upload, member_list_validate

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            sheet.append(row)
    xlsx_path = path.with_suffix(".xlsx")
    workbook.save(xlsx_path)
    with xlsx_path.open("rb") as handle:
        started = time.perf_counter()
        member_list_validate(job=member_list_upload(upload=File(handle, name=xlsx_path.name), by=officer))
        return time.perf_counter() - started


def _library_default(path: Path, officer: object, *, rows: int, validate: bool) -> float:
    """Seconds for the library's default import of the first ``rows`` rows, rolled back afterwards;
    ``validate`` runs the model's own validation on each row (``clean_model_instances``)."""
    import tablib
    from django.db import transaction

    from applications.resources import MemberListResource

    with path.open(encoding="utf-8") as handle:
        lines = [next(handle) for _ in range(rows + 1)]
    dataset = tablib.Dataset().load("".join(lines), format="csv")
    resource = MemberListResource(by=officer)
    resource._meta.clean_model_instances = validate
    with transaction.atomic():
        started = time.perf_counter()
        result = resource.import_data(dataset, dry_run=False, raise_errors=False)
        seconds = time.perf_counter() - started
        if result.has_errors() or result.has_validation_errors():
            first = result.row_errors()[:1] or result.invalid_rows[:1]
            print("the library refused rows (first):", first)
        transaction.set_rollback(True)
    return seconds


def _counts() -> tuple[int, int, int, int]:
    from applications.models import Application, ApplicationStatusChange
    from groups.models import Group, Member

    return (
        Group.objects.count(),
        Member.objects.count(),
        Application.objects.count(),
        ApplicationStatusChange.objects.count(),
    )


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _purge_queue() -> None:
    from jps_portal.celery import celery_app

    purged = celery_app.control.purge()
    print(f"(purged {purged} queued task(s) from the benchmark's broker)")


if __name__ == "__main__":
    main()
