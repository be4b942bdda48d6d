"""The SQL that fills a snapshot's "after the money" rows (``ResultTally``): one ``INSERT … SELECT``.

Per funded application (approved or later) it joins small per-group / per-application aggregates —
training invitations, registrations and attendance; the open mentor assignment and the last done
visit; the 6- and 12-month rounds and the latest reported round — and sums them by year × programme
× regency. Members, women and people with disability come from the snapshot's own regency rows
(written just before, so the member table is read once per snapshot), the targets from each scheme's
``OutcomeTerms``. Plain SQL that PostgreSQL and SQLite both run; dates arrive as parameters.
"""

import datetime

from django.db import connection

from applications.models import Application, Scheme
from dashboards.models import RegencyTally, ResultTally
from dashboards.tallies import APPROVED_OR_LATER, _columns, _in, _q, _table, paid_amounts_by_application
from groups.models import Group, Member
from mentoring.models import CaseAssignment, Visit
from outcomes.models import MonitoringRound, OutcomeTerms
from regions.models import Regency
from training.models import Attendance, Invitation, Mode, Participant

FIGURES = (
    "groups_funded",
    "groups_invited",
    "people_invited",
    "registered_offline",
    "registered_online",
    "attended_offline",
    "attended_online",
    "groups_mentored",
    "visited_30",
    "visited_90",
    "reported_6",
    "alive_6",
    "reported_12",
    "alive_12",
    "groups_reporting",
    "jobs_members",
    "jobs_others",
    "paid_reporting",
)


def insert_result_rows(snapshot_id: int, *, today: datetime.date) -> int:
    """Write the ResultTally rows of ``snapshot_id`` (after its RegencyTally rows); returns their count."""
    sql, params = result_insert(snapshot_id, today=today)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _ctes(today: datetime.date) -> tuple[str, list[object]]:
    offline = f"'{Mode.OFFLINE.value}'"
    reported = f"'{MonitoringRound.Status.REPORTED.value}'"
    paid_sql, paid_params = paid_amounts_by_application().query.sql_with_params()
    sql = f"""
        fa AS (
            SELECT a.id AS app_id, a.group_id AS group_id, a.scheme_id AS scheme_id, s.{_q("year")} AS year,
                   s.programme AS programme, g.regency_id AS regency_id, r.province_id AS province_id
            FROM {_table(Application)} a
            JOIN {_table(Scheme)} s ON s.id = a.scheme_id
            JOIN {_table(Group)} g ON g.id = a.group_id
            JOIN {_table(Regency)} r ON r.code = g.regency_id
            WHERE {_in("a.status", APPROVED_OR_LATER)}
        ),
        inv AS (SELECT DISTINCT group_id FROM {_table(Invitation)}),
        invited_people AS (
            SELECT m.group_id AS group_id, COUNT(*) AS n FROM {_table(Member)} m
            WHERE m.group_id IN (SELECT group_id FROM inv) GROUP BY m.group_id
        ),
        reg AS (
            SELECT i.group_id AS group_id,
                   SUM(CASE WHEN p.mode = {offline} THEN 1 ELSE 0 END) AS offline,
                   SUM(CASE WHEN p.mode = {offline} THEN 0 ELSE 1 END) AS online
            FROM {_table(Participant)} p JOIN {_table(Invitation)} i ON i.id = p.invitation_id
            GROUP BY i.group_id
        ),
        person AS (
            SELECT participant_id, MAX(CASE WHEN mode = {offline} THEN 1 ELSE 0 END) AS any_offline
            FROM {_table(Attendance)} GROUP BY participant_id
        ),
        att AS (
            SELECT i.group_id AS group_id, SUM(x.any_offline) AS offline, SUM(1 - x.any_offline) AS online
            FROM person x
            JOIN {_table(Participant)} p ON p.id = x.participant_id
            JOIN {_table(Invitation)} i ON i.id = p.invitation_id
            GROUP BY i.group_id
        ),
        mentored AS (SELECT DISTINCT group_id FROM {_table(CaseAssignment)} WHERE ended_at IS NULL),
        visited AS (
            SELECT group_id, MAX(done_on) AS last_done FROM {_table(Visit)}
            WHERE status = '{Visit.Status.DONE.value}' GROUP BY group_id
        ),
        rounds AS (
            SELECT application_id,
                   MAX(CASE WHEN months = 6 THEN 1 ELSE 0 END) AS rep6,
                   MAX(CASE WHEN months = 6 AND operating THEN 1 ELSE 0 END) AS alive6,
                   MAX(CASE WHEN months = 12 THEN 1 ELSE 0 END) AS rep12,
                   MAX(CASE WHEN months = 12 AND operating THEN 1 ELSE 0 END) AS alive12
            FROM {_table(MonitoringRound)} WHERE status = {reported} GROUP BY application_id
        ),
        ranked AS (
            SELECT application_id, members_working, others_working,
                   ROW_NUMBER() OVER (PARTITION BY application_id ORDER BY months DESC) AS rn
            FROM {_table(MonitoringRound)} WHERE status = {reported}
        ),
        latest AS (SELECT application_id, members_working, others_working FROM ranked WHERE rn = 1),
        paid AS ({paid_sql})"""
    return sql, list(paid_params)


def result_insert(snapshot_id: int, *, today: datetime.date) -> tuple[str, list[object]]:
    ctes, params = _ctes(today)
    columns = _columns(
        ResultTally,
        ["snapshot", "year", "programme", "province", "regency", *FIGURES, "members", "women", "disabled",
         "women_target_percent", "disability_target_percent"],
    )  # fmt: skip
    rt = {name: _q(RegencyTally._meta.get_field(name).column) for name in
          ("members_approved", "women_approved", "disability_approved")}  # fmt: skip
    sql = f"""
        INSERT INTO {_table(ResultTally)} ({columns})
        WITH {ctes},
        per_place AS (
            SELECT fa.year AS year, fa.programme AS programme, fa.province_id AS province_id,
                   fa.regency_id AS regency_id,
                   COUNT(*) AS groups_funded,
                   SUM(CASE WHEN inv.group_id IS NULL THEN 0 ELSE 1 END) AS groups_invited,
                   SUM(COALESCE(ip.n, 0)) AS people_invited,
                   SUM(COALESCE(reg.offline, 0)) AS registered_offline,
                   SUM(COALESCE(reg.online, 0)) AS registered_online,
                   SUM(COALESCE(att.offline, 0)) AS attended_offline,
                   SUM(COALESCE(att.online, 0)) AS attended_online,
                   SUM(CASE WHEN mentored.group_id IS NULL THEN 0 ELSE 1 END) AS groups_mentored,
                   SUM(CASE WHEN v.last_done >= %s THEN 1 ELSE 0 END) AS visited_30,
                   SUM(CASE WHEN v.last_done >= %s THEN 1 ELSE 0 END) AS visited_90,
                   SUM(COALESCE(rounds.rep6, 0)) AS reported_6,
                   SUM(COALESCE(rounds.alive6, 0)) AS alive_6,
                   SUM(COALESCE(rounds.rep12, 0)) AS reported_12,
                   SUM(COALESCE(rounds.alive12, 0)) AS alive_12,
                   SUM(CASE WHEN latest.application_id IS NULL THEN 0 ELSE 1 END) AS groups_reporting,
                   SUM(COALESCE(latest.members_working, 0)) AS jobs_members,
                   SUM(COALESCE(latest.others_working, 0)) AS jobs_others,
                   SUM(CASE WHEN latest.application_id IS NULL THEN 0 ELSE COALESCE(paid.paid, 0) END)
                       AS paid_reporting,
                   MAX(COALESCE(t.women_target_percent, 0)) AS women_target,
                   MAX(COALESCE(t.disability_target_percent, 0)) AS disability_target
            FROM fa
            LEFT JOIN inv ON inv.group_id = fa.group_id
            LEFT JOIN invited_people ip ON ip.group_id = fa.group_id
            LEFT JOIN reg ON reg.group_id = fa.group_id
            LEFT JOIN att ON att.group_id = fa.group_id
            LEFT JOIN mentored ON mentored.group_id = fa.group_id
            LEFT JOIN visited v ON v.group_id = fa.group_id
            LEFT JOIN rounds ON rounds.application_id = fa.app_id
            LEFT JOIN latest ON latest.application_id = fa.app_id
            LEFT JOIN paid ON paid.application_id = fa.app_id
            LEFT JOIN {_table(OutcomeTerms)} t ON t.scheme_id = fa.scheme_id
            GROUP BY fa.year, fa.programme, fa.province_id, fa.regency_id
        )
        SELECT %s, pp.year, pp.programme, pp.province_id, pp.regency_id,
               {", ".join(f"pp.{name}" for name in FIGURES)},
               COALESCE(rt.{rt["members_approved"]}, 0), COALESCE(rt.{rt["women_approved"]}, 0),
               COALESCE(rt.{rt["disability_approved"]}, 0), pp.women_target, pp.disability_target
        FROM per_place pp
        LEFT JOIN {_table(RegencyTally)} rt ON rt.snapshot_id = %s AND rt.{_q("year")} = pp.year
             AND rt.programme = pp.programme AND rt.regency_id = pp.regency_id
    """
    since_30 = today - datetime.timedelta(days=30)
    since_90 = today - datetime.timedelta(days=90)
    return sql, [*params, since_30, since_90, snapshot_id, snapshot_id]
