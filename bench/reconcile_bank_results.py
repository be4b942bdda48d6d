"""Benchmark: the money path at national scale on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jps_pay_bench .venv/bin/python bench/reconcile_bank_results.py

The database named in DATABASE_URL is dropped and created afresh (only if its name contains "bench"),
migrated, then given 100,000 approved applications with one payable tranche each (bulk inserts,
minimal groups). Then, through the real services: one batch of all of them; the 100,000-line transfer
file exported (time and query count); the bank's result file generated (a few % failed or returned,
a few unknown references, amount mismatches and duplicate lines); that file reconciled (time, peak
memory); and the same file imported again (time, and the counts showing it changed nothing).
Baseline measured in the same run: COPY of 100,000 result-file-shaped rows into a temporary table.
"""

import argparse
import csv
import io
import os
import resource
import sys
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_national_dataset import _recreate_database, django_setup  # noqa: E402

TARGET_SECONDS = 5.0  # issue 15 (it was 10 s in issue 5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tranches", type=int, default=100_000)
    parser.add_argument("--profile", action="store_true", help="print where the first import spends its time")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL URL, e.g. postgres://postgres@127.0.0.1:5432/jps_pay_bench")
    _recreate_database(url)
    django_setup()

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from disbursements import bankfiles, services
    from disbursements.models import Tranche

    call_command("migrate", verbosity=0)
    finance = _finance_user()
    started = time.perf_counter()
    _seed(args.tranches)
    seconds = time.perf_counter() - started
    print(f"setup: {args.tranches:,} approved applications with a payable tranche   {seconds:6.2f} s")

    started = time.perf_counter()
    batch = services.payment_batch_create(tranches=Tranche.objects.all(), by=finance)
    seconds = time.perf_counter() - started
    print(f"batch of {batch.lines.count():,} tranches created (payment_batch_create)    {seconds:6.2f} s")

    started = time.perf_counter()
    batch = services.payment_batch_export(batch=batch, by=finance)
    with CaptureQueriesContext(connection) as queries:
        size = sum(len(chunk) for chunk in bankfiles.transfer_csv_stream(services.payment_batch_transfer_lines(batch)))
    export_seconds = time.perf_counter() - started
    print(f"transfer file exported: CSV {size / 2**20:.1f} MB, {len(queries)} queries        {export_seconds:6.2f} s")
    started = time.perf_counter()
    with Path(os.devnull).open("wb") as sink:
        bankfiles.transfer_xlsx(services.payment_batch_transfer_lines(batch), sink)
    print(f"transfer file exported: XLSX (write-only)                  {time.perf_counter() - started:6.2f} s")

    content, expected = _bank_result_file(batch)
    print(f"bank result file: {expected['rows']:,} lines, {len(content) / 2**20:.1f} MB; {expected}")

    before_first = _state(connection)
    _reset_peak_rss()
    rss_before = _rss_mb()
    started = time.perf_counter()
    rows = bankfiles.read_bank_results(SimpleUploadedFile("hasil.csv", content))
    parse_seconds = time.perf_counter() - started
    profiler = _profiler(args.profile)
    # The tasks the import enqueues on commit run on a worker, not in the import: kept aside here and
    # run (and timed) after it, as a bulk worker would.
    enqueued = []
    with mock.patch.object(services, "enqueue_on_commit", lambda task, *a, **k: enqueued.append((task, a))):
        report = services.bank_results_import(rows=rows, file_name="hasil.csv", by=finance)
    _profile_print(profiler)
    first_seconds = time.perf_counter() - started
    peak = _peak_rss_mb()
    after_first = _state(connection)
    print(f"reconciled: paid {report.paid:,}, failed {report.failed:,}, returned {report.returned:,}, "
          f"exceptions {report.exceptions:,}")  # fmt: skip
    print(f"first import: {first_seconds:.2f} s (of which reading the file {parse_seconds:.2f} s); "
          f"peak RSS {peak:.0f} MB (RSS before {rss_before:.0f} MB)")  # fmt: skip
    print(f"changes: {_diff(before_first, after_first)}")
    started = time.perf_counter()
    worker_results = [task.run(*task_args) for task, task_args in enqueued]
    worker_seconds = time.perf_counter() - started
    print(f"then on a bulk worker: {', '.join(task.name for task, _a in enqueued)} → {worker_results} "
          f"in {worker_seconds:.2f} s (the \"money arrived\" messages into the outbox)")  # fmt: skip

    started = time.perf_counter()
    rows = bankfiles.read_bank_results(SimpleUploadedFile("hasil.csv", content))
    again = services.bank_results_import(rows=rows, file_name="hasil.csv", by=finance)
    second_seconds = time.perf_counter() - started
    after_second = _state(connection)
    applied_again = again.paid + again.failed + again.returned
    print(f"second import of the same file: {second_seconds:.2f} s; applied {applied_again}, "
          f"already applied {again.already_applied:,}, new exceptions {again.exceptions_new}")  # fmt: skip
    print(f"changes by the second import: {_diff(after_first, after_second) or 'none'}")
    assert after_second == after_first, "the second import changed something"

    baseline = _baseline_copy(connection, content)
    print(f"baseline: COPY of the same {expected['rows']:,} lines into a temp table: {baseline:.2f} s")
    print(f"ratio: first import ÷ COPY = {first_seconds / baseline:.1f}×; target < {TARGET_SECONDS:.0f} s: "
          f"{'met' if first_seconds < TARGET_SECONDS else 'NOT met'}")  # fmt: skip


def _profiler(enabled: bool):  # noqa: ANN202
    if not enabled:
        return None
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    return profiler


def _profile_print(profiler) -> None:  # noqa: ANN001
    if profiler is None:
        return
    import pstats

    profiler.disable()
    # The portal's own functions (not the libraries'), by time spent in them and what they call.
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(r"/work/[^.]*/(?!\.venv)[a-z_]+/[a-z_]+\.py", 30)


def _finance_user():  # noqa: ANN202
    from accounts.models import Role, User

    user = User.objects.create_user("bench-finance", "bench@example.id", "x", is_staff=True, scope_national=True)
    from django.contrib.auth.models import Group as AuthGroup

    user.groups.add(AuthGroup.objects.get(name=Role.FINANCE.value))
    return User.objects.get(pk=user.pk)


def _seed(count: int) -> None:
    """Minimal groups and approved applications, each with one payable tranche, by bulk inserts."""
    import datetime

    from django.utils import timezone

    from applications.models import Application, Programme, Scheme
    from disbursements.models import Tranche
    from groups.models import Group
    from regions.models import Regency

    scheme = Scheme.objects.create(
        programme=Programme.TKM, year=2020, name="TKM 2020", members_min=20, members_max=20,
        amount_per_group=40_000_000, duration_days=90, tranche_plan=[100],
        opens_on=datetime.date(2020, 6, 1), closes_on=datetime.date(2020, 12, 31),
    )  # fmt: skip
    regencies = list(
        Regency.objects.filter(province_id__in=["32", "33", "35", "36"]).values_list("code", "province_id")
    )
    now = timezone.now()
    step = 10_000
    for start in range(0, count, step):
        numbers = range(start, min(start + step, count))
        groups = Group.objects.bulk_create(
            [
                Group(
                    code=f"BENCH-{n:07d}",
                    name=f"Kelompok Bench {n}",
                    year=2020,
                    regency_id=regencies[n % len(regencies)][0],
                    bank_id="002",
                    account_number=f"{1_000_000_000 + n:012d}",
                    account_holder=f"Kelompok Bench {n}",
                )  # fmt: skip
                for n in numbers
            ],
            batch_size=step,
        )
        applications = Application.objects.bulk_create(
            [
                Application(
                    reference=f"JPS-2020-TKM-{regencies[n % len(regencies)][1]}-{n + 1:06d}",
                    group=group,
                    scheme=scheme,
                    province_id=regencies[n % len(regencies)][1],
                    status=Application.Status.APPROVED,
                    requested_amount=40_000_000,
                    approved_amount=40_000_000 - n % 7,
                    decided_at=now,
                )  # fmt: skip
                for n, group in zip(numbers, groups, strict=True)
            ],
            batch_size=step,
        )
        Tranche.objects.bulk_create(
            [
                Tranche(application=application, number=1, percentage=100, amount=application.approved_amount)
                for application in applications
            ],
            batch_size=step,
        )


def _bank_result_file(batch) -> tuple[bytes, dict[str, int]]:  # noqa: ANN001
    """The bank's answer: about 3% failed, 0.5% returned, and 60 odd lines for the exception queue."""
    reasons = ["invalid_account", "account_closed", "dormant", "name_mismatch"]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(bankfiles_columns())
    counts = {"rows": 0, "paid": 0, "failed": 0, "returned": 0, "unknown": 0, "mismatch": 0, "duplicate": 0}
    lines = batch.lines.order_by("pk").values_list("pk", "payment_reference", "amount").iterator(chunk_size=5000)
    for index, (pk, reference, amount) in enumerate(lines):
        if index % 33 == 5:
            row = [reference, "failed", reasons[index % 4], "", "", amount]
            counts["failed"] += 1
        elif index % 200 == 7:
            row = [reference, "returned", "", "2020-10-16", f"RT{pk:010d}", amount]
            counts["returned"] += 1
        elif index % 5000 == 11:
            row = [reference, "paid", "", "2020-10-15", f"TX{pk:010d}", amount + 1]
            counts["mismatch"] += 1
        else:
            row = [reference, "paid", "", "2020-10-15", f"TX{pk:010d}", amount]
            counts["paid"] += 1
        writer.writerow(row)
        counts["rows"] += 1
        if index % 5000 == 13:
            writer.writerow(row)  # the bank sent this line twice
            counts["duplicate"] += 1
            counts["rows"] += 1
        if index % 5000 == 17:
            writer.writerow([f"JPS-PAY-9{pk:07d}-01", "paid", "", "2020-10-15", f"XX{pk:010d}", amount])
            counts["unknown"] += 1
            counts["rows"] += 1
    return buffer.getvalue().encode(), counts


def bankfiles_columns() -> list[str]:
    from disbursements.bankfiles import RESULT_COLUMNS

    return RESULT_COLUMNS


def _state(connection) -> dict[str, object]:  # noqa: ANN001
    queries = {
        "tranches by status": "SELECT status, count(*) FROM disbursements_tranche GROUP BY 1 ORDER BY 1",
        "lines by outcome": "SELECT outcome, count(*) FROM disbursements_paymentbatchline GROUP BY 1 ORDER BY 1",
        "ledger rows": "SELECT kind, count(*) FROM disbursements_ledgerentry GROUP BY 1 ORDER BY 1",
        "exceptions": "SELECT kind, count(*) FROM disbursements_reconciliationexception GROUP BY 1 ORDER BY 1",
        "applications": "SELECT status, count(*) FROM applications_application GROUP BY 1 ORDER BY 1",
        "status changes": "SELECT count(*) FROM applications_applicationstatuschange",
        "batches": "SELECT status, count(*) FROM disbursements_paymentbatch GROUP BY 1 ORDER BY 1",
        "paid total": "SELECT coalesce(sum(amount), 0) FROM disbursements_ledgerentry WHERE kind = 'paid'",
    }
    with connection.cursor() as cursor:
        state = {}
        for name, query in queries.items():
            cursor.execute(query)
            state[name] = cursor.fetchall()
    return state


def _diff(before: dict, after: dict) -> str:
    return "; ".join(f"{name}: {before[name]} → {after[name]}" for name in before if before[name] != after[name])


def _rss_mb() -> float:
    with Path("/proc/self/status").open() as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _reset_peak_rss() -> None:
    """Linux: writing 5 to clear_refs resets the peak RSS, so the peak below is the import's own."""
    try:
        with Path("/proc/self/clear_refs").open("w") as refs:
            refs.write("5")
    except OSError:
        pass


def _peak_rss_mb() -> float:
    with Path("/proc/self/status").open() as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _baseline_copy(connection, content: bytes) -> float:  # noqa: ANN001
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_baseline (payment_reference text, status text, reason_code text, "
            "transfer_date text, bank_transaction_id text, amount bigint)"
        )
        started = time.perf_counter()
        cursor.copy_expert("COPY bench_baseline FROM STDIN WITH (FORMAT csv, HEADER)", io.StringIO(content.decode()))
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_baseline")
    return seconds


if __name__ == "__main__":
    main()
