"""Inserting many rows at once. On PostgreSQL through COPY, because Django's bulk_create spends
most of its time building model instances, compiling SQL and binding parameters (the deadline
sweep writes tens of thousands of rows a second); elsewhere through bulk_create."""

from django.db import connections, models, router
from psycopg.types.json import Jsonb


def insert_rows(model: type[models.Model], rows: list[dict]) -> None:
    """Insert rows given as {attname: value} dicts, every dict with the same keys.

    Values go in as they are: give auto_now_add fields and defaults explicitly.
    """
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows], batch_size=1000)
        return
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    names = list(rows[0])
    json_positions = [i for i, name in enumerate(names) if isinstance(by_attname[name], models.JSONField)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(by_attname[name].column) for name in names)
    sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            values = list(row.values())
            for i in json_positions:
                values[i] = Jsonb(values[i])
            copy.write_row(values)
