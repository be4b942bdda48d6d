"""Benchmark: drawing the payment-verification sample of a 100,000-tranche reconciled batch.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jps_a_bench .venv/bin/python bench/payment_check_draw.py

Builds (or, when it is there already, reuses) a reconciled batch of 100,000 paid tranches spread over
four provinces, each group with a ketua and a bendahara with phones — groups, applications and
tranches by bulk inserts (bench/reconcile_bank_results.py's seed), the batch, its lines and the members
by INSERT … SELECT. Then times ``payment_checks.services.verification_draw`` (plan: 95 % ± 5 %,
p = 0.5) three times, dropping the draw between runs, and prints the median beside a same-run
baseline: a plain ``SELECT … ORDER BY random() LIMIT n`` over the same paid lines (n = the sample
size). The SMS invitations (a separate task after the draw) are timed once, on their own.
Target: the draw under 2 s. ``--fresh`` rebuilds the database (its name must contain "bench").
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_national_dataset import _recreate_database, django_setup  # noqa: E402

TARGET_SECONDS = 2.0
REFERENCE = "BENCH-CEK-BANTUAN"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tranches", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the benchmark database")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL URL, e.g. postgres://postgres@127.0.0.1:5432/jps_a_bench")
    if args.fresh or not _batch_exists(url):
        _recreate_database(url)
        django_setup()
        _build(args.tranches)
    else:
        django_setup()
        print(f"reusing batch {REFERENCE}")
    _measure(args.runs)


def _batch_exists(url: str) -> bool:
    from urllib.parse import urlsplit

    import psycopg2

    parts = urlsplit(url)
    try:
        connection = psycopg2.connect(
            host=parts.hostname, port=parts.port or 5432, user=parts.username, password=parts.password,
            dbname=parts.path.lstrip("/"),
        )  # fmt: skip
    except psycopg2.OperationalError:
        return False
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('payment_checks_verificationdraw') IS NOT NULL")
            if not cursor.fetchone()[0]:
                return False
            cursor.execute(
                "SELECT count(*) FROM disbursements_paymentbatch WHERE reference = %s AND status = 'reconciled'",
                [REFERENCE],
            )
            return cursor.fetchone()[0] == 1
    finally:
        connection.close()


def _build(count: int) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction
    from reconcile_bank_results import _finance_user, _seed

    call_command("migrate", verbosity=0)
    finance = _finance_user()
    started = time.perf_counter()
    _seed(count)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO disbursements_paymentbatch (reference, status, created_by_id, created_at, exported_by_id, "
            "exported_at, reconciled_at) VALUES (%s, 'reconciled', %s, now(), %s, now(), now()) RETURNING id",
            [REFERENCE, finance.pk, finance.pk],
        )
        batch_id = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO disbursements_paymentbatchline (batch_id, tranche_id, attempt, payment_reference, amount, "
            "bank_code, account_number, account_holder, description, outcome, reason_code, bank_transaction_id, "
            "transfer_date, settled_at) SELECT %s, t.id, 1, 'JPS-PAY-' || lpad(t.id::text, 8, '0') || '-01', "
            "t.amount, '002', g.account_number, g.account_holder, 'JPS tahap 1', 'paid', '', "
            "'TX' || lpad(t.id::text, 10, '0'), current_date, now() FROM disbursements_tranche AS t "
            "JOIN applications_application AS a ON a.id = t.application_id JOIN groups_group AS g ON g.id = a.group_id",
            [batch_id],
        )
        cursor.execute("UPDATE disbursements_tranche SET status = 'paid', paid_at = now()")
        # A ketua and a bendahara per group, with phones; NIKs unique by construction (day, month,
        # year and serial from the row number).
        cursor.execute(
            "INSERT INTO groups_member (group_id, year, nik, name, sex, birth_date, role, employment_status, "
            "has_disability, phone, created_at) "
            "SELECT g.id, 2020, '320412' || lpad((1 + i % 28)::text, 2, '0') "
            "|| lpad((1 + (i / 28) % 12)::text, 2, '0') "
            "|| lpad(((i / 336) % 100)::text, 2, '0') || lpad((1 + i / 33600)::text, 4, '0'), "
            "CASE r.role WHEN 'ketua' THEN 'Ketua ' ELSE 'Bendahara ' END || g.id, 'P', date '1985-01-01', r.role, "
            "'penganggur', false, "
            "CASE r.role WHEN 'ketua' THEN '0813' ELSE '0857' END || lpad(g.id::text, 8, '0'), now() "
            "FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM groups_group) AS g "
            "CROSS JOIN (VALUES ('ketua', 0), ('bendahara', 1)) AS r(role, k) "
            "CROSS JOIN LATERAL (SELECT (g.n - 1) * 2 + r.k AS i) AS x",
        )
    cursor = connection.cursor()
    cursor.execute("ANALYZE")
    print(f"setup: {count:,} paid tranches in reconciled batch {REFERENCE}   {time.perf_counter() - started:6.2f} s")


def _measure(runs: int) -> None:
    from django.db import connection

    from disbursements.models import PaymentBatch
    from payment_checks import services
    from payment_checks.models import Respondent, VerificationDraw

    batch = PaymentBatch.objects.get(reference=REFERENCE)
    from notifications import services as notification_services

    # The invitations are timed on their own, and only their queuing: no eager delivery in this process.
    services.enqueue_on_commit = lambda *args, **kwargs: None
    notification_services.enqueue_on_commit = lambda *args, **kwargs: None
    timings = []
    draw = None
    for _run in range(runs):
        VerificationDraw.objects.filter(batch=batch).delete()
        started = time.perf_counter()
        draw = services.verification_draw(batch_id=batch.pk)
        timings.append(time.perf_counter() - started)
    assert draw is not None
    again = time.perf_counter()
    same = services.verification_draw(batch_id=batch.pk)
    again = time.perf_counter() - again
    respondents = Respondent.objects.filter(sample__draw=draw).count()
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            "SELECT tranche_id FROM disbursements_paymentbatchline WHERE batch_id = %s AND outcome = 'paid' "
            "ORDER BY random() LIMIT %s",
            [batch.pk, draw.sample_size],
        )
        baseline_rows = len(cursor.fetchall())
        baseline = time.perf_counter() - started
    started = time.perf_counter()
    invited = services.draw_invite(draw_id=draw.pk)
    invite_seconds = time.perf_counter() - started
    median = statistics.median(timings)
    strata = ", ".join(f"{s.province_id}: {s.sample_size}/{s.population}" for s in draw.strata.order_by("province"))
    print(f"paid tranches in batch           {draw.population:,}")
    print(f"strata (province: sample/paid)   {strata}")
    print(f"sample size                      {draw.sample_size:,} groups, {respondents:,} respondents")
    print(f"draw runs                        {', '.join(f'{t:.3f}' for t in timings)} s")
    print(f"draw median of {len(timings)}               {median:.3f} s   (target < {TARGET_SECONDS:.0f} s)")
    print(f"second draw (idempotent)         {again:.3f} s, same draw: {same.pk == draw.pk}")
    print(
        f"baseline ORDER BY random() LIMIT {baseline_rows:,}   {baseline:.3f} s   "
        f"ratio draw/baseline {median / baseline:.1f}x"
    )
    print(f"SMS invitations queued (outbox)  {invited:,} in {invite_seconds:.3f} s (separate task after the draw)")
    print("load:", Path("/proc/loadavg").read_text().strip())
    sys.exit(0 if median < TARGET_SECONDS else 1)


if __name__ == "__main__":
    main()
