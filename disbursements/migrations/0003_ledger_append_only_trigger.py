"""PostgreSQL refuses UPDATE and DELETE on the ledger: not even raw SQL or a bulk update can rewrite
money history. SQLite (the embedded default) has no such trigger; the model and its QuerySet refuse
there."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION disbursements_ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = 'disbursements_ledgerentry is append-only: ' || TG_OP || ' refused';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER disbursements_ledger_append_only
    BEFORE UPDATE OR DELETE ON disbursements_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION disbursements_ledger_refuse_change();
"""
DROP = """
DROP TRIGGER IF EXISTS disbursements_ledger_append_only ON disbursements_ledgerentry;
DROP FUNCTION IF EXISTS disbursements_ledger_refuse_change();
"""


def create_trigger(apps, schema_editor) -> None:  # noqa: ANN001
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor) -> None:  # noqa: ANN001
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("disbursements", "0002_batches_ledger_reconciliation")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
