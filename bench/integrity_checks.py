"""Benchmark: the integrity rules for one group at national scale, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jps_bench .venv/bin/python bench/integrity_checks.py

Needs the national dataset (``bench/build_national_dataset.py``). For a sample of groups spread over
the country it times ``group_checks_recompute`` (every rule, flags written) and, on its own, the
cluster rules' two reads; as a baseline measured in the same run, one primary-key read of a group.
Prints p50 / p95 in milliseconds, queries per group, the ratios, and the plan PostgreSQL picks for
the cluster read (it must be an index scan, never a sequential scan of the groups table). Flags
written by the run are deleted again at the end.
"""

import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SAMPLE = 300


def main() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to the PostgreSQL database holding the national dataset.")
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jps_portal.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from applications.integrity import _cluster_findings, group_checks_recompute
    from applications.models import Flag
    from groups.models import Group

    total = Group.objects.count()
    step = max(total // SAMPLE, 1)
    ids = list(Group.objects.order_by("pk").values_list("pk", flat=True)[::step][:SAMPLE])
    groups = list(Group.objects.filter(pk__in=ids).select_related("regency"))
    flags_before = Flag.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    baseline = _timed(lambda group: Group.objects.get(pk=group.pk), groups)
    cluster = _timed(lambda group: _cluster_findings(group, None), groups)
    with CaptureQueriesContext(connection) as captured:
        full = _timed(lambda group: group_checks_recompute(group=group), groups)
    queries = len(captured) / len(groups)

    sample = groups[0]
    with connection.cursor() as cursor:
        query = (
            Group.objects.filter(regency_id=sample.regency_id, year=sample.year).order_by().values_list("pk", "village")
        )
        sql, params = query.query.sql_with_params()
        cursor.execute(f"EXPLAIN ANALYZE {sql}", params)
        plan = [row[0] for row in cursor.fetchall()]
    Flag.objects.filter(pk__gt=flags_before).delete()

    print(f"groups in database: {total:,}; sample: {len(groups)}")
    print(f"baseline (one group by primary key): p50 {baseline[0]:.2f} ms, p95 {baseline[1]:.2f} ms")
    print(f"cluster reads only:                 p50 {cluster[0]:.2f} ms, p95 {cluster[1]:.2f} ms")
    print(f"all rules, flags written:           p50 {full[0]:.2f} ms, p95 {full[1]:.2f} ms")
    print(f"queries per group (all rules): {queries:.1f}")
    ratios = f"all rules {full[0] / baseline[0]:.1f}x, cluster reads {cluster[0] / baseline[0]:.1f}x"
    print(f"ratio to baseline p50: {ratios}")
    print("plan of the cluster read:")
    print("\n".join(f"  {line}" for line in plan))


def _timed(work, groups) -> tuple[float, float]:  # noqa: ANN001
    times = []
    for group in groups:
        started = time.perf_counter()
        work(group)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), statistics.quantiles(times, n=20)[18]


if __name__ == "__main__":
    main()
