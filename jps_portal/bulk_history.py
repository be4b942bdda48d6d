"""Insert many new rows of a model together with their history rows, fast on PostgreSQL.

``simple_history``'s ``bulk_create_with_history`` builds a model instance, then a historical instance,
per row, and Django prepares every value of both in Python: for 20,000 attendance rows that is most of
an import's time. On PostgreSQL the rows go in with one multi-row ``INSERT … RETURNING id`` per page
(psycopg2's ``execute_values``) and their history rows with one ``INSERT … SELECT`` from the rows just
written (history type "+", the acting user, one timestamp). Elsewhere (SQLite), the library path.

Only for models whose fields psycopg2 adapts as they are (numbers, text, dates, booleans, foreign
keys): no JSON, no custom field types; ``tests/jps_portal/test_bulk_history.py`` holds the two paths
to the same rows."""

import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, models
from simple_history.utils import bulk_create_with_history

PAGE = 5_000


def bulk_insert_with_history(
    rows: list[models.Model], model: type[models.Model], *, by: AbstractBaseUser | None, now: datetime.datetime
) -> list[models.Model]:
    """Save ``rows`` (new instances of ``model``) and one history row each; returns them with their pks."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        return bulk_create_with_history(rows, model, batch_size=2_000, default_user=by, default_date=now)
    from psycopg2.extras import execute_values

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    columns = ", ".join(quote(f.column) for f in fields)
    values = [tuple(getattr(row, f.attname) for f in fields) for row in rows]
    with connection.cursor() as cursor:
        returned = execute_values(
            cursor.cursor, f"INSERT INTO {table} ({columns}) VALUES %s RETURNING {pk}", values, page_size=PAGE,
            fetch=True,
        )  # fmt: skip
        ids = [row[0] for row in returned]
        for row, row_id in zip(rows, ids, strict=True):
            row.pk = row_id
            row._state.adding, row._state.db = False, connection.alias
        history = model.history.model
        history_table = quote(history._meta.db_table)
        cursor.execute(
            f"""INSERT INTO {history_table} ({pk}, {columns}, history_date, history_change_reason, history_type,
                                             history_user_id)
                SELECT {pk}, {columns}, %s, NULL, '+', %s FROM {table} WHERE {pk} = ANY(%s)""",  # noqa: S608
            [now, getattr(by, "pk", None), ids],
        )
    return rows
