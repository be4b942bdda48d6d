"""Benchmark: bank results host-to-host through the partner API vs the admin path, same run, same data.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jps_B_api_bench .venv/bin/python bench/api_bank_results.py

The database named in DATABASE_URL is dropped and created afresh (only if its name contains "bench"),
migrated, then given 2 × N + J approved applications with one payable tranche each (the dataset
builder of bench/reconcile_bank_results.py), put in three exported batches (N, N and J lines). The
bank's answer for each batch is generated the same way (a few % failed or returned, unknown
references, amount mismatches, duplicate lines). Then:

- admin path: ``bankfiles.read_bank_results`` on the CSV file + ``bank_results_import`` (batch A);
- API, file: ``POST /api/v1/bank-results/`` with the same kind of CSV file as multipart (batch B);
- API, JSON lines: the same endpoint with J lines as JSON (batch C; a JSON body is capped at 10 MB,
  about 65,000 lines, by DATA_UPLOAD_MAX_MEMORY_SIZE — bigger answers go as the file);
- each API payload posted again: it must change nothing.

The API calls go through the whole Django stack in-process (middleware, key authentication,
throttle, parsing, the same row rules, the same reconciliation, the ApiCall row) — no socket.

Printed: seconds for each, the ratio API ÷ admin, the target (< 10 s for 100,000 lines) and the load
average before and after.
"""

import argparse
import csv
import io
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_national_dataset import _recreate_database, django_setup  # noqa: E402
from reconcile_bank_results import _bank_result_file, _diff, _finance_user, _seed, _state  # noqa: E402

TARGET_SECONDS = 10.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=100_000, help="lines of the admin's and the API file's batch")
    parser.add_argument("--json-lines", type=int, default=50_000, help="lines of the JSON batch (≤ about 65,000)")
    parser.add_argument("--profile", action="store_true", help="print where each API post spends its time")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL URL, e.g. postgres://postgres@127.0.0.1:5432/jps_api_bench")
    _recreate_database(url)
    django_setup()

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection

    from disbursements import bankfiles, services
    from disbursements.models import Tranche

    print(f"load average at start: {_loadavg()}")
    call_command("migrate", verbosity=0)
    finance = _finance_user()
    started = time.perf_counter()
    _seed(2 * args.lines + args.json_lines)
    ids = list(Tranche.objects.order_by("pk").values_list("pk", flat=True))
    cuts = [ids[args.lines - 1], ids[2 * args.lines - 1]]
    selections = [
        Tranche.objects.filter(pk__lte=cuts[0]),
        Tranche.objects.filter(pk__gt=cuts[0], pk__lte=cuts[1]),
        Tranche.objects.filter(pk__gt=cuts[1]),
    ]
    batches = [services.payment_batch_create(tranches=selection, by=finance) for selection in selections]
    batch_admin, batch_file, batch_json = (services.payment_batch_export(batch=b, by=finance) for b in batches)
    print(f"setup: {2 * args.lines + args.json_lines:,} tranches in three exported batches   "
          f"{time.perf_counter() - started:6.2f} s")  # fmt: skip

    content_admin, expected_admin = _bank_result_file(batch_admin)
    content_file, _expected = _bank_result_file(batch_file)
    content_json, expected_json = _bank_result_file(batch_json)
    payload = json.dumps({"file_name": "bench-api-json", "lines": _as_json_lines(content_json)}).encode()
    print(f"admin file and API file: {expected_admin['rows']:,} lines, {len(content_admin) / 2**20:.1f} MB CSV each")
    print(f"API JSON payload: {expected_json['rows']:,} lines, {len(payload) / 2**20:.1f} MB")

    # --- the admin path's service (what the admin's import view calls) ---------------------------------
    _settle(connection)
    print(f"load average before the admin path: {_loadavg()}")
    started = time.perf_counter()
    rows = bankfiles.read_bank_results(SimpleUploadedFile("hasil.csv", content_admin))
    report = services.bank_results_import(rows=rows, file_name="hasil.csv", by=finance)
    admin_seconds = time.perf_counter() - started
    print(f"admin path ({report.rows:,} lines): paid {report.paid:,}, failed {report.failed:,}, "
          f"returned {report.returned:,}, exceptions {report.exceptions:,}   {admin_seconds:6.2f} s")  # fmt: skip

    # --- the API ---------------------------------------------------------------------------------------
    http, key = _api_client()

    def post_file() -> object:
        upload = SimpleUploadedFile("hasil-api.csv", content_file, content_type="text/csv")
        return http.post("/api/v1/bank-results/", {"file": upload}, HTTP_AUTHORIZATION=key)

    def post_json() -> object:
        return http.post("/api/v1/bank-results/", payload, content_type="application/json", HTTP_AUTHORIZATION=key)

    results = {}
    for name, post, lines in (("API, file", post_file, args.lines), ("API, JSON", post_json, args.json_lines)):
        _settle(connection)
        print(f"load average before {name}: {_loadavg()}")
        before = _state(connection)
        profiler = _profiler(args.profile)
        started = time.perf_counter()
        response = post()
        seconds = time.perf_counter() - started
        _profile_print(profiler)
        assert response.status_code == 200, response.content[:500]
        first = response.json()
        after_first = _state(connection)
        started = time.perf_counter()
        again = post()
        again_seconds = time.perf_counter() - started
        after_second = _state(connection)
        assert after_second == after_first, "the second post changed something"
        assert again.json()["changed"] == 0
        results[name] = (seconds, lines)
        print(f"{name} ({first['rows']:,} lines): paid {first['paid']:,}, failed {first['failed']:,}, "
              f"returned {first['returned']:,}, exceptions {first['exceptions']:,}   {seconds:6.2f} s "
              f"({first['rows'] / seconds:,.0f} lines/s); changed {bool(_diff(before, after_first))}")  # fmt: skip
        print(f"{name}, same payload again: changed {again.json()['changed']}, already applied "
              f"{again.json()['already_applied']:,}, database changes: none   {again_seconds:6.2f} s")  # fmt: skip

    file_seconds = results["API, file"][0]
    json_seconds, json_lines = results["API, JSON"]
    print(f"admin path: {args.lines / admin_seconds:,.0f} lines/s; API file: {args.lines / file_seconds:,.0f} lines/s; "
          f"API JSON: {json_lines / json_seconds:,.0f} lines/s")  # fmt: skip
    per_line = (json_seconds / json_lines) / (admin_seconds / args.lines)
    print(f"ratio: API file ÷ admin path = {file_seconds / admin_seconds:.2f}×; "
          f"API JSON per line ÷ admin per line = {per_line:.2f}×")  # fmt: skip
    print(f"target < {TARGET_SECONDS:.0f} s for {args.lines:,} lines via the API: "
          f"{'met' if file_seconds < TARGET_SECONDS else 'NOT met'} ({file_seconds:.2f} s)")  # fmt: skip
    print(f"load average at end: {_loadavg()}")


def _settle(connection) -> None:  # noqa: ANN001
    """VACUUM ANALYZE the tables a reconciliation writes, untimed: each measured step starts without
    the previous step's dead rows (and without autovacuum starting on them mid-measurement)."""
    tables = [
        "disbursements_tranche",
        "disbursements_paymentbatchline",
        "disbursements_paymentbatch",
        "disbursements_ledgerentry",
        "disbursements_reconciliationexception",
        "applications_application",
        "applications_applicationstatuschange",
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {table}")


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
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def _as_json_lines(content: bytes) -> list[dict[str, object]]:
    """The generated CSV result file as the API's JSON lines (amount as a JSON number)."""
    reader = csv.DictReader(io.StringIO(content.decode()))
    lines = []
    for row in reader:
        line: dict[str, object] = {key: value for key, value in row.items() if value != ""}
        line["amount"] = int(row["amount"])
        lines.append(line)
    return lines


def _api_client():  # noqa: ANN202
    """A national bank client with bank-results:write and its key, and an in-process HTTP client."""
    from django.test import Client as HttpClient

    from partners import services
    from partners.models import Client, Scope

    admin = _finance_user_named("bench-api-admin")
    client = services.client_save(
        client=Client(name="Bench bank", scopes=[Scope.BANK_RESULTS_WRITE], scope_national=True),
        provinces=[],
        regencies=[],
        by=admin,
    )
    issued = services.api_key_issue(client=client, by=admin)
    return HttpClient(HTTP_HOST="127.0.0.1"), f"Bearer {issued.plaintext}"


def _finance_user_named(username: str):  # noqa: ANN202
    from accounts.models import User

    return User.objects.create_user(username, f"{username}@example.id", "x", is_staff=True, scope_national=True)


def _loadavg() -> str:
    return Path("/proc/loadavg").read_text().strip()


if __name__ == "__main__":
    main()
