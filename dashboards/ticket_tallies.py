"""The SQL that fills a snapshot's complaint rows (``TicketTally``): one ``INSERT … SELECT`` over the
tickets, grouped by province × category — filed, open, overdue, resolved, resolved within the SLA
(closed on or before the due date, Jakarta time), upheld, and the median days from filing to closing
(PostgreSQL ``percentile_cont``; on SQLite the window-function median of ``tallies._median_pieces``).
"""

import datetime

from django.db import connection

from dashboards.models import TicketTally
from dashboards.tallies import _columns, _days_between, _in, _median_pieces, _postgres, _table
from grievances.models import Ticket

FIGURES = ("filed", "open", "overdue", "resolved", "resolved_in_time", "upheld")


def insert_ticket_rows(snapshot_id: int, *, today: datetime.date) -> int:
    """Write the TicketTally rows of ``snapshot_id`` — per province × category, then per province (all
    categories, category empty); returns their count."""
    written = 0
    with connection.cursor() as cursor:
        for by_category in (True, False):
            cursor.execute(*ticket_insert(snapshot_id, today=today, by_category=by_category))
            written += cursor.rowcount
    return written


def _closed_on(column: str) -> str:
    """The Jakarta date of a timestamp (SQLite keeps UTC text; Jakarta has no daylight saving)."""
    if _postgres():
        return f"CAST({column} AT TIME ZONE 'Asia/Jakarta' AS date)"
    return f"date({column}, '+7 hours')"


def ticket_insert(snapshot_id: int, *, today: datetime.date, by_category: bool) -> tuple[str, list[object]]:
    closed = _in("t.status", Ticket.CLOSED)
    keys = ["province_id", "category_id"] if by_category else ["province_id"]
    category = "tk.category_id" if by_category else "NULL"
    median_cte, median, median_join = _median_pieces(keys, source="tk")
    columns = _columns(TicketTally, ["snapshot", "province", "category", *FIGURES, "median_days_to_resolve"])
    upheld = f"'{Ticket.Status.UPHELD.value}'"
    sql = f"""
        INSERT INTO {_table(TicketTally)} ({columns})
        WITH tk AS (
            SELECT t.province_id AS province_id, t.category_id AS category_id,
                   CASE WHEN {closed} THEN 1 ELSE 0 END AS is_closed,
                   CASE WHEN NOT ({closed}) AND t.due_on < %s THEN 1 ELSE 0 END AS is_overdue,
                   CASE WHEN {closed} AND {_closed_on("t.closed_at")} <= t.due_on THEN 1 ELSE 0 END AS in_time,
                   CASE WHEN t.status = {upheld} THEN 1 ELSE 0 END AS is_upheld,
                   CASE WHEN {closed} AND t.closed_at IS NOT NULL
                        THEN {_days_between("t.filed_at", "t.closed_at")} END AS days
            FROM {_table(Ticket)} t
        ){median_cte}
        SELECT %s, tk.province_id, {category}, COUNT(*), COUNT(*) - SUM(tk.is_closed), SUM(tk.is_overdue),
               SUM(tk.is_closed), SUM(tk.in_time), SUM(tk.is_upheld), {median}
        FROM tk {median_join}
        GROUP BY {", ".join(f"tk.{key}" for key in keys)}
    """
    return sql, [today, snapshot_id]
