"""Insert many new rows of a model together with their history rows, fast on PostgreSQL.

``simple_history``'s ``bulk_create_with_history`` builds a model instance, then a historical instance,
per row, and Django prepares every value of both in Python: for 20,000 attendance rows that was most
of an import's time. Here the caller gives plain tuples for every column. On PostgreSQL they go in with
one multi-row ``INSERT … RETURNING id`` per page (psycopg2's ``execute_values``) and their history rows
with one ``INSERT … SELECT`` from the rows just written (history type "+", the acting user, one
timestamp); elsewhere (SQLite) through model instances and the library.

Values must be what the database stores (ids for foreign keys, aware datetimes, text): no JSON and no
custom field types. ``tests/jps_portal/test_bulk_history.py`` holds the rows and history to the same."""

import datetime
from collections.abc import Sequence

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, models
from simple_history.utils import bulk_create_with_history

PAGE = 5_000


def insert_rows_with_history(
    model: type[models.Model],
    columns: Sequence[str],
    values: Sequence[tuple],
    *,
    by: AbstractBaseUser | None,
    now: datetime.datetime,
) -> list[int]:
    """Insert ``values`` (one tuple per row, in the order of ``columns``, the fields' attnames: every
    non-pk field of ``model``) and a history row each; returns the new ids in the same order."""
    if not values:
        return []
    fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
    if set(columns) != set(fields):
        raise ValueError(f"{model.__name__}: give every field, {sorted(fields)}")
    if connection.vendor != "postgresql":
        rows = [model(**dict(zip(columns, row, strict=True))) for row in values]
        bulk_create_with_history(rows, model, batch_size=2_000, default_user=by, default_date=now)
        return [row.pk for row in rows]
    from psycopg2.extras import execute_values

    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    names = ", ".join(quote(fields[name].column) for name in columns)
    with connection.cursor() as cursor:
        returned = execute_values(
            cursor.cursor, f"INSERT INTO {table} ({names}) VALUES %s RETURNING {pk}", values, page_size=PAGE,
            fetch=True,
        )  # fmt: skip
        ids = [row[0] for row in returned]
        cursor.execute(
            f"""INSERT INTO {quote(model.history.model._meta.db_table)}
                       ({pk}, {names}, history_date, history_change_reason, history_type, history_user_id)
                SELECT {pk}, {names}, %s, NULL, '+', %s FROM {table} WHERE {pk} = ANY(%s)""",  # noqa: S608
            [now, getattr(by, "pk", None), ids],
        )
    return ids
