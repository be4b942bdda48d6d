"""The database as the last guard against paying a tahap twice: PostgreSQL refuses any ledger row that
would put a tranche's net paid amount (paid − returned by the bank) above the tranche's amount, whatever
wrote it — a service, a bulk insert, raw SQL or a path nobody has found yet.

A trigger at the end of each inserting (or updating) statement, over the statement's rows at once
(a transition table), so an ``INSERT … SELECT`` of several rows for one tranche is summed whole. It
locks the tranches that gain money first (in id order): two transactions paying the same tahap at
once queue there, and the second one's sum — a statement of its own, so a fresh snapshot — sees the
first one's committed row.

Why not a row-level ``CONSTRAINT TRIGGER`` (PostgreSQL has them per row only): the same check per row
cost 3.8 s more on the 96,464 paid rows of a 100,000-line bank file (5.0 s against 1.2 s with no
trigger), set-based it costs 1.3 s (2.6 s): one INSERT of those rows timed on the data of
bench/reconcile_bank_results.py, 2-core dev machine at load ~3.

SQLite (the embedded default) has no such trigger: ``disbursements.services`` makes the same check
before it writes (``OverpaymentError``)."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION disbursements_ledger_refuse_overpayment() RETURNS trigger AS $$
DECLARE
    over record;
BEGIN
    PERFORM 1 FROM disbursements_tranche
        WHERE id IN (SELECT tranche_id FROM new_rows WHERE amount > 0) ORDER BY id FOR NO KEY UPDATE;
    SELECT t.id, t.amount, s.net INTO over
        FROM (SELECT e.tranche_id, SUM(e.amount) AS net FROM disbursements_ledgerentry AS e
              WHERE e.tranche_id IN (SELECT tranche_id FROM new_rows WHERE amount > 0)
                AND e.kind IN ('paid', 'returned')
              GROUP BY e.tranche_id) AS s
        JOIN disbursements_tranche AS t ON t.id = s.tranche_id
        WHERE s.net > t.amount
        ORDER BY t.id LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING
            ERRCODE = 'check_violation',
            CONSTRAINT = 'ledger_net_paid_within_tranche',
            MESSAGE = format(
                'ledger_net_paid_within_tranche: tranche %s would be paid %s net against its amount %s',
                over.id, over.net, over.amount
            );
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
"""
# A trigger with a transition table takes one event: one for INSERT, one for UPDATE (which the
# append-only trigger of migration 0003 refuses before it gets here; kept should that one go).
CREATE = [
    FUNCTION,
    "CREATE TRIGGER ledger_net_paid_within_tranche AFTER INSERT ON disbursements_ledgerentry "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION disbursements_ledger_refuse_overpayment()",
    "CREATE TRIGGER ledger_net_paid_within_tranche_update AFTER UPDATE ON disbursements_ledgerentry "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION disbursements_ledger_refuse_overpayment()",
]
DROP = [
    "DROP TRIGGER IF EXISTS ledger_net_paid_within_tranche_update ON disbursements_ledgerentry",
    "DROP TRIGGER IF EXISTS ledger_net_paid_within_tranche ON disbursements_ledgerentry",
    "DROP FUNCTION IF EXISTS disbursements_ledger_refuse_overpayment()",
]


class PostgreSQLOnlyRunSQL(migrations.RunSQL):
    """``RunSQL`` (with its reverse) applied on PostgreSQL only; a no-op on SQLite."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:  # noqa: ANN001
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:  # noqa: ANN001
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("disbursements", "0005_redundant_fk_indexes")]

    operations = [PostgreSQLOnlyRunSQL(sql=CREATE, reverse_sql=DROP)]
