"""Inserting many rows at once. On PostgreSQL through COPY, because Django's bulk_create spends
most of its time building model instances, compiling SQL and binding parameters (the deadline
sweep writes tens of thousands of rows a second); elsewhere through bulk_create.

A raw writer must never leave a column to chance: a column the rows leave out is filled from
the field's own default exactly as the ORM would fill it (or left to its database default), and
a column with neither is refused before anything is written. A column added to a model later
therefore reaches every bulk writer without touching it."""

import json
from collections.abc import Callable

from django.db import connections, models, router
from django.db.models import NOT_PROVIDED
from django.utils import timezone


def _json_once() -> Callable[[object], str]:
    """JSON text for COPY's text format (PostgreSQL parses it into the jsonb column), each value
    object dumped once: rows written together often share one (every recipient of a message its
    wording, every row an empty dict). Keyed by identity: the rows keep each value alive meanwhile."""
    dumped: dict[int, str] = {}

    def as_json(value) -> str:
        if not value and isinstance(value, dict):
            return "{}"
        key = id(value)
        text = dumped.get(key)
        if text is None:
            text = dumped[key] = json.dumps(value)
        return text

    return as_json


class IncompleteRows(ValueError):
    """The rows leave out a column that has no default: writing them would put NULL (or fail)."""


def _filler(field: models.Field, now) -> Callable[[], object] | None:
    """What fills `field` when the rows leave it out; None when the database's default does."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda: now
    if field.has_default():
        return field.get_default  # a fresh value per row, as the ORM gives (dict, list, callables)
    if field.db_default is not NOT_PROVIDED:
        return None
    if field.null:
        return lambda: None
    if field.blank and field.empty_strings_allowed:
        # Django's implicit default for an optional text column (CharField(blank=True) and the like);
        # a required one (blank=False) has no value to invent.
        return lambda: ""
    raise IncompleteRows(
        f"{field.model.__name__}.{field.name}: the rows leave out a column that has no default "
        "(give it a value in each row, or a default / db_default on the field)"
    )


def complete_rows(model: type[models.Model], rows: list[dict]) -> list[dict]:
    """The rows with every concrete column the model writes on insert: those the rows leave out
    filled from the field's default. Refuses (IncompleteRows) unknown keys, rows with different
    keys, and left-out columns that have no default."""
    if not rows:
        return []
    given = set(rows[0])
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    unknown = given - set(by_attname)
    if unknown:
        raise IncompleteRows(f"{model.__name__}: no such columns {sorted(unknown)}")
    keys = rows[0].keys()
    for row in rows:
        if row.keys() != keys:
            raise IncompleteRows(f"{model.__name__}: every row must name the same columns ({sorted(given)})")
    now = timezone.now()
    fillers = {}
    for attname, field in by_attname.items():
        if attname in given or (field.primary_key and isinstance(field, models.AutoField)):
            continue
        filler = _filler(field, now)
        if filler is not None:
            fillers[attname] = filler
    if not fillers:
        return rows
    return [{**row, **{attname: fill() for attname, fill in fillers.items()}} for row in rows]


def insert_rows(model: type[models.Model], rows: list[dict]) -> None:
    """Insert rows given as {attname: value} dicts, every dict with the same keys; the columns
    they leave out get the field's default (complete_rows)."""
    rows = complete_rows(model, rows)
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
    as_json = _json_once()
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            values = [row[name] for name in names]
            for i in json_positions:
                values[i] = as_json(values[i])
            copy.write_row(values)
