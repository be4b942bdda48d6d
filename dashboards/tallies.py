"""The SQL that fills a tally snapshot: three ``INSERT … SELECT`` statements, no rows in Python.

1. regency rows: applications joined to their scheme, group, per-group member counts and paid
   amounts, grouped by year × programme × regency (the only statement that reads the members);
2. province rows: the regency rows of the same snapshot summed by province, joined to the quotas and
   to a median over the applications alone (a median cannot be summed from regency medians);
3. approvals per week, from the applications alone.

The statements are plain SQL that PostgreSQL and SQLite both run, except two dialect pieces:
the median (PostgreSQL ``percentile_cont(0.5) WITHIN GROUP``; on SQLite, which has no such
aggregate, the same value from ``ROW_NUMBER()`` / ``COUNT()`` window functions: the mean of the one
or two middle rows) and date arithmetic (days between two timestamps, the Monday of a week).
"""

from collections.abc import Iterable

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum

from applications.models import Application, Scheme, SchemeQuota
from dashboards.models import ProvinceTally, RegencyTally, WeeklyApprovals
from disbursements.models import LedgerEntry
from groups.models import Group, Member
from regions.models import Regency

Status = Application.Status
# "Diajukan" on the dashboard: waiting for an officer (including sent back for revision).
SUBMITTED = (Status.SUBMITTED, Status.REVISION_REQUESTED)
VERIFIED = (Status.VERIFIED,)
# Approved or later: what counts against the quota and what the ministry calls "disetujui".
APPROVED_OR_LATER = (Status.APPROVED, Status.IN_DISBURSEMENT, Status.REPORTING, Status.COMPLETED)
REJECTED = (Status.REJECTED,)
COMPLETED = (Status.COMPLETED,)
# Withdrawn and cancelled applications are not counted at all; drafts count as registered groups.
COUNTED = (Status.DRAFT, *SUBMITTED, *VERIFIED, *APPROVED_OR_LATER, *REJECTED)

BUCKETS = {
    "submitted": SUBMITTED,
    "verified": VERIFIED,
    "approved": APPROVED_OR_LATER,
    "rejected": REJECTED,
    "completed": COMPLETED,
}
# Figures that add up from regency rows to province rows (everything but the median and quotas).
SUMMED = (
    "groups_total",
    *(f"groups_{bucket}" for bucket in BUCKETS),
    "members_total",
    *(f"members_{bucket}" for bucket in BUCKETS),
    "women_approved",
    "disability_approved",
    "amount_requested",
    "amount_approved",
    "amount_paid",
)


def paid_amounts_by_application() -> QuerySet:
    """Rupiah paid per application: ``(application_id, paid)`` rows, from the disbursement ledger.

    THE one place the dashboard learns what was paid: the sum of the ledger's ``paid`` rows, so the
    dashboard ties to the money actually sent (a re-issued tranche is paid once, a failed transfer never).
    Money later returned to the Kas Negara is a separate ledger row and is not netted off here."""
    return (
        LedgerEntry.objects.order_by()
        .filter(kind=LedgerEntry.Kind.PAID)
        .values(application_id=F("tranche__application_id"))
        .annotate(paid=Sum("amount"))
    )


def members_by_group() -> QuerySet:
    """``(group_id, n, women, disabled)`` per group: read once per recompute, the heaviest part."""
    return (
        Member.objects.order_by()
        .values("group_id")
        .annotate(
            n=Count("pk"),
            women=Count("pk", filter=Q(sex=Member.Sex.FEMALE)),
            disabled=Count("pk", filter=Q(has_disability=True)),
        )
    )


def insert_snapshot_rows(snapshot_id: int) -> tuple[int, int]:
    """Write every row of snapshot ``snapshot_id``; returns (province rows, regency rows)."""
    with connection.cursor() as cursor:
        cursor.execute(*_regency_insert(snapshot_id))
        regency_rows = cursor.rowcount
        cursor.execute(*_province_insert(snapshot_id))
        province_rows = cursor.rowcount
        cursor.execute(*_weekly_insert(snapshot_id))
    return province_rows, regency_rows


# --- building blocks ---------------------------------------------------------------------------------


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model: type) -> str:
    return _q(model._meta.db_table)


def _in(column: str, statuses: Iterable[str]) -> str:
    # Status values are code constants (TextChoices), never user input.
    values = ", ".join(f"'{status}'" for status in statuses)
    assert all(s.replace("_", "").isalnum() for s in statuses)
    return f"{column} IN ({values})"


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _days_between(start: str, end: str) -> str:
    if _postgres():
        return f"EXTRACT(EPOCH FROM ({end} - {start})) / 86400.0"
    return f"(julianday({end}) - julianday({start}))"


def _week_of(column: str) -> str:
    """The Monday (Asia/Jakarta) of the week a timestamp falls in."""
    if _postgres():
        return f"CAST(date_trunc('week', {column} AT TIME ZONE 'Asia/Jakarta') AS date)"
    # SQLite keeps UTC text; Jakarta has no daylight saving, so +7 hours is exact.
    return f"date(datetime({column}, '+7 hours'), '-6 days', 'weekday 1')"


def _applications_cte(*, with_members: bool) -> tuple[str, list[object]]:
    """One row per counted application with everything the aggregates need."""
    params: list[object] = []
    ctes = []
    member_columns = "0 AS n, 0 AS women, 0 AS disabled"
    member_join = ""
    if with_members:
        member_sql, member_params = members_by_group().query.sql_with_params()
        paid_sql, paid_params = paid_amounts_by_application().query.sql_with_params()
        ctes += [f"members AS ({member_sql})", f"paid AS ({paid_sql})"]
        params += [*member_params, *paid_params]
        member_columns = "COALESCE(m.n, 0) AS n, COALESCE(m.women, 0) AS women, COALESCE(m.disabled, 0) AS disabled"
        member_join = (
            f"LEFT JOIN members m ON m.{_q('group_id')} = a.{_q('group_id')} "
            f"LEFT JOIN paid p ON p.{_q('application_id')} = a.{_q('id')}"
        )
    paid_column = "COALESCE(p.paid, 0) AS paid" if with_members else "0 AS paid"
    approved = _in("a.status", APPROVED_OR_LATER)
    days = _days_between("a.submitted_at", "a.decided_at")
    ctes.append(
        f"""apps AS (
            SELECT s.{_q("year")} AS year, s.programme AS programme, a.province_id AS province_id,
                   g.regency_id AS regency_id, a.status AS status, a.requested_amount AS requested,
                   COALESCE(a.approved_amount, 0) AS approved_amount, {member_columns}, {paid_column},
                   CASE WHEN {approved} AND a.submitted_at IS NOT NULL AND a.decided_at IS NOT NULL
                        THEN {days} END AS days
            FROM {_table(Application)} a
            JOIN {_table(Scheme)} s ON s.id = a.scheme_id
            JOIN {_table(Group)} g ON g.id = a.group_id
            {member_join}
            WHERE {_in("a.status", COUNTED)}
        )"""
    )
    return ",\n".join(ctes), params


def _bucket_sums() -> str:
    parts = ["COUNT(*)"]
    parts += [f"SUM(CASE WHEN {_in('status', statuses)} THEN 1 ELSE 0 END)" for statuses in BUCKETS.values()]
    parts.append("SUM(n)")
    parts += [f"SUM(CASE WHEN {_in('status', statuses)} THEN n ELSE 0 END)" for statuses in BUCKETS.values()]
    approved = _in("status", APPROVED_OR_LATER)
    parts += [
        f"SUM(CASE WHEN {approved} THEN women ELSE 0 END)",
        f"SUM(CASE WHEN {approved} THEN disabled ELSE 0 END)",
        "SUM(requested)",
        f"SUM(CASE WHEN {approved} THEN approved_amount ELSE 0 END)",
        "SUM(paid)",
    ]
    return ", ".join(parts)


def _median_pieces(keys: list[str], *, source: str = "apps") -> tuple[str, str, str]:
    """(extra CTE, median expression, join) for the median of ``days`` per ``keys`` in the CTE ``source``."""
    if _postgres():
        return "", "percentile_cont(0.5) WITHIN GROUP (ORDER BY days)", ""
    partition = ", ".join(keys)
    cte = f""",
        ranked AS (
            SELECT {partition}, days,
                   ROW_NUMBER() OVER (PARTITION BY {partition} ORDER BY days) AS rn,
                   COUNT(*) OVER (PARTITION BY {partition}) AS cnt
            FROM {source} WHERE days IS NOT NULL
        ),
        med AS (
            SELECT {partition}, AVG(days) AS median FROM ranked
            WHERE rn IN ((cnt + 1) / 2, (cnt + 2) / 2) GROUP BY {partition}
        )"""
    join = " AND ".join(f"med.{key} = {source}.{key}" for key in keys)
    return cte, "MAX(med.median)", f"LEFT JOIN med ON {join}"


def _columns(model: type, names: Iterable[str]) -> str:
    return ", ".join(_q(model._meta.get_field(name).column) for name in names)


def _regency_insert(snapshot_id: int) -> tuple[str, list[object]]:
    ctes, params = _applications_cte(with_members=True)
    keys = ["year", "programme", "regency_id"]
    median_cte, median, median_join = _median_pieces(keys)
    columns = _columns(
        RegencyTally, ["snapshot", "year", "programme", "province", "regency", *SUMMED, "median_days_to_approval"]
    )
    sql = f"""
        INSERT INTO {_table(RegencyTally)} ({columns})
        WITH {ctes}{median_cte}
        SELECT %s, apps.year, apps.programme, r.province_id, apps.regency_id, {_bucket_sums()}, {median}
        FROM apps
        JOIN {_table(Regency)} r ON r.code = apps.regency_id
        {median_join}
        GROUP BY apps.year, apps.programme, apps.regency_id, r.province_id
    """
    return sql, [*params, snapshot_id]


def _province_insert(snapshot_id: int) -> tuple[str, list[object]]:
    ctes, params = _applications_cte(with_members=False)
    keys = ["year", "programme", "province_id"]
    median_cte, median, median_join = _median_pieces(keys)
    sums = ", ".join(f"SUM({_q(RegencyTally._meta.get_field(name).column)}) AS {name}" for name in SUMMED)
    coalesced = ", ".join(f"COALESCE(t.{name}, 0)" for name in SUMMED)
    columns = _columns(
        ProvinceTally,
        [
            "snapshot",
            "year",
            "programme",
            "province",
            *SUMMED,
            "median_days_to_approval",
            "quota_groups",
            "quota_budget",
        ],
    )
    sql = f"""
        INSERT INTO {_table(ProvinceTally)} ({columns})
        WITH {ctes}{median_cte},
        totals AS (
            SELECT {_q("year")} AS year, programme, province_id, {sums}
            FROM {_table(RegencyTally)} WHERE snapshot_id = %s
            GROUP BY {_q("year")}, programme, province_id
        ),
        medians AS (
            SELECT apps.year AS year, apps.programme AS programme, apps.province_id AS province_id,
                   {median} AS median
            FROM apps {median_join}
            GROUP BY apps.year, apps.programme, apps.province_id
        ),
        quotas AS (
            SELECT s.{_q("year")} AS year, s.programme AS programme, q.province_id AS province_id,
                   SUM(q.{_q("groups")}) AS qgroups, SUM(q.budget) AS qbudget
            FROM {_table(SchemeQuota)} q JOIN {_table(Scheme)} s ON s.id = q.scheme_id
            GROUP BY s.{_q("year")}, s.programme, q.province_id
        ),
        keyset AS (
            SELECT year, programme, province_id FROM totals
            UNION SELECT year, programme, province_id FROM quotas
        )
        SELECT %s, k.year, k.programme, k.province_id, {coalesced}, md.median,
               COALESCE(qt.qgroups, 0), COALESCE(qt.qbudget, 0)
        FROM keyset k
        LEFT JOIN totals t ON t.year = k.year AND t.programme = k.programme AND t.province_id = k.province_id
        LEFT JOIN medians md ON md.year = k.year AND md.programme = k.programme AND md.province_id = k.province_id
        LEFT JOIN quotas qt ON qt.year = k.year AND qt.programme = k.programme AND qt.province_id = k.province_id
    """
    return sql, [*params, snapshot_id, snapshot_id]


def _weekly_insert(snapshot_id: int) -> tuple[str, list[object]]:
    approved = _in("a.status", APPROVED_OR_LATER)
    week = _week_of("a.decided_at")
    columns = _columns(WeeklyApprovals, ["snapshot", "year", "programme", "week", "groups", "amount"])
    sql = f"""
        INSERT INTO {_table(WeeklyApprovals)} ({columns})
        SELECT %s, s.{_q("year")}, s.programme, {week}, COUNT(*), SUM(COALESCE(a.approved_amount, 0))
        FROM {_table(Application)} a JOIN {_table(Scheme)} s ON s.id = a.scheme_id
        WHERE {approved} AND a.decided_at IS NOT NULL
        GROUP BY s.{_q("year")}, s.programme, {week}
    """
    return sql, [snapshot_id]
