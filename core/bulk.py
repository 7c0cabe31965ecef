"""Set-based writes for imports and synthetic data (docs/quality.md P4).

`bulk_create` builds a model instance per row and one multi-row INSERT per batch; at hundreds of thousands of
rows that Python work costs more than the database. Two ways in instead:

- `copy_tuples`: COPY of plain tuples through the csv module (C), for staging tables without history;
- `insert_select`: one `INSERT … SELECT` from rows already in the database (staging rows, a plan table);
- `insert_ignoring_conflicts`: one multi-row `INSERT … ON CONFLICT DO NOTHING` of model instances (a device's
  batch of deliveries), telling which went in.

Audit history (docs/quality.md R8) is kept for every row. A row-level trigger runs PL/pgSQL per row, the slowest part
of a large insert, so for a model tracked by pghistory `insert_select` ignores its insert trigger for that one
statement and the same statement writes the same insert events from `RETURNING`: same columns, same label, the
same context (acting user) through `_pgh_attach_context()`. `copy_value` is COPY's text format for one value
(used by `generate_synthetic`).
"""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import itertools
import json
from collections.abc import Iterable

import pghistory.trigger
import pgtrigger
from django.db import connection, transaction
from django.utils import timezone

CHUNK = 20_000
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value: str) -> str:
    return value.translate(_ESCAPES)


def _json(value) -> str:
    return _text(json.dumps(value, ensure_ascii=False))


_BY_TYPE = {
    type(None): lambda value: r"\N",
    bool: lambda value: "t" if value else "f",
    int: str,
    float: str,
    decimal.Decimal: str,
    str: _text,
    datetime.date: datetime.date.isoformat,
    datetime.datetime: datetime.datetime.isoformat,
    dict: _json,
    list: _json,
}


def copy_value(value) -> str:
    """One value in COPY's text format (NULL as \\N; backslash, tab and line breaks escaped)."""
    convert = _BY_TYPE.get(type(value))
    if convert is not None:
        return convert(value)
    if isinstance(value, dict | list):
        return _json(value)
    return _text(str(value))


def _insert_history_triggers(model) -> list:
    """pghistory insert-event triggers of the model that `insert_select` replaces by its own statement."""
    return [
        trigger
        for tracked, trigger in pgtrigger.registered()
        if tracked is model
        and isinstance(trigger, pghistory.trigger.Event)
        and str(trigger.operation) == "INSERT"
        and trigger.condition is None
    ]


def _insert_events_sql(model, trigger, source: str) -> str:
    """`INSERT INTO <event table> … SELECT … FROM <source>`: the insert events pghistory's trigger would write for
    the rows of `source` (the model's table or a CTE of inserted rows), with the current context; one parameter,
    the label."""
    quote = connection.ops.quote_name
    event_model = trigger.event_model
    columns = [f.column for f in event_model._meta.concrete_fields if not f.name.startswith("pgh_") and f.column]
    names = ", ".join(quote(c) for c in columns)
    return (
        f"INSERT INTO {quote(event_model._meta.db_table)} "  # noqa: S608  # nosec B608 - names from models
        f"(pgh_created_at, pgh_label, pgh_obj_id, pgh_context_id, {names}) "
        f"SELECT NOW(), %s, {quote(model._meta.pk.column)}, (SELECT _pgh_attach_context()), {names} FROM {source}"
    )


def _constant_default(field, now):
    """The value a column not given takes on every row: `now` for auto_now(_add), else the field's default
    ("" for text without one)."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    return field.get_default()


def copy_tuples(model, names: list[str], rows: Iterable[tuple | list], *, now=None) -> int:
    """COPY rows given as sequences in the order of `names` (attnames); the other columns take their default.

    For tables without audit history (staging rows). The rows are written by the csv module, in C: values are
    str, int, bool, date or None (JSON columns take their JSON text). Every string is quoted, and a NULL is an
    empty field forced to NULL, which only non-text columns may take (a nullable text column is refused: its
    None and "" would look alike)."""
    if _insert_history_triggers(model):
        raise ValueError(f"{model._meta.label} keeps history: use insert_select")
    now = now or timezone.now()
    by_name = {f.attname: f for f in model._meta.concrete_fields}
    others = [f for f in model._meta.concrete_fields if f.attname not in names and not f.primary_key]
    if per_row := [f.attname for f in others if f.has_default() and callable(f.default)]:
        raise ValueError(f"{model._meta.label}: give {per_row}, whose default differs per row")
    fields = [by_name[name] for name in names] + others
    if ambiguous := [f.attname for f in fields if f.null and f.empty_strings_allowed]:
        raise ValueError(f"{model._meta.label}: nullable text columns {ambiguous} cannot be copied as CSV")
    constants = tuple(_constant_default(f, now) for f in others)
    quote = connection.ops.quote_name
    nullable = ", ".join(quote(f.column) for f in fields if f.null)
    sql = (
        f"COPY {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) FROM STDIN "
        f"WITH (FORMAT csv{f', FORCE_NULL ({nullable})' if nullable else ''})"
    )
    written = 0
    rows = iter(rows)
    with transaction.atomic(), connection.cursor() as cursor:
        while chunk := list(itertools.islice(rows, CHUNK)):
            buffer = io.StringIO()
            writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
            writer.writerows([(*row, *constants) for row in chunk] if constants else chunk)
            buffer.seek(0)
            cursor.cursor.copy_expert(sql, buffer)
            written += len(chunk)
    return written


def insert_select(model, names: list[str], select_sql: str, params=(), *, now=None) -> int:
    """`INSERT INTO <model> (names…, other columns) SELECT …` in one statement; returns the rows inserted.

    `select_sql` is a SELECT whose columns give `names` (attnames) in order; the model's other columns take
    their default (a callable default is refused: it would be evaluated once for every row). For a model
    tracked by pghistory the insert trigger is ignored and the same statement writes the insert events from
    its RETURNING rows, with the current context (acting user)."""
    now = now or timezone.now()
    quote = connection.ops.quote_name
    given = set(names)
    columns, constants = [quote(model._meta.get_field(name).column) for name in names], []
    for field in model._meta.concrete_fields:
        if field.primary_key or field.attname in given:
            continue
        if field.has_default() and callable(field.default):
            raise ValueError(f"{field} has a per-row default: give it in the SELECT")
        columns.append(quote(field.column))
        constants.append(_constant_default(field, now))
    placeholders = "".join(", %s" for _value in constants)
    insert = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608  # nosec B608
        f"SELECT s.*{placeholders} FROM ({select_sql}) AS s"
    )
    params = [*constants, *params]
    triggers = _insert_history_triggers(model)
    if not triggers:
        with connection.cursor() as cursor:
            cursor.execute(insert, params)
            return cursor.rowcount
    events = [_insert_events_sql(model, trigger, "inserted") for trigger in triggers]
    params += [trigger.label for trigger in triggers]
    statement = f"WITH inserted AS ({insert} RETURNING *)"
    for number, event in enumerate(events[:-1]):
        statement += f", event_{number} AS ({event} RETURNING 1)"
    statement += " " + events[-1]
    uris = [f"{model._meta.label}:{trigger.name}" for trigger in triggers]
    with transaction.atomic(), pgtrigger.ignore(*uris), connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def insert_ignoring_conflicts(objs: list, *, key: str = "client_uuid") -> dict:
    """One `INSERT … VALUES (…), (…) ON CONFLICT DO NOTHING` of unsaved instances of one model.

    A row that would break a unique constraint (an existing row, or an earlier row of the same statement) is
    skipped; any other refusal (a check or foreign key) raises IntegrityError for the whole statement. The rows
    inserted get their primary key and are marked saved; returns {value of `key`: primary key} for them, so `key`
    must be unique among `objs`. Each row goes through the database's triggers, so audit history is written as
    for `save()`."""
    if not objs:
        return {}
    if len({getattr(obj, key) for obj in objs}) < len(objs):
        raise ValueError(f"{key} repeats among the rows: the rows inserted could not be told apart")
    model = type(objs[0])
    opts = model._meta
    fields = [f for f in opts.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    row = "(" + ", ".join("%s" for _field in fields) + ")"
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in objs for f in fields]
    sql = (
        f"INSERT INTO {quote(opts.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608  # nosec B608
        f"VALUES {', '.join([row] * len(objs))} ON CONFLICT DO NOTHING "
        f"RETURNING {quote(opts.pk.column)}, {quote(opts.get_field(key).column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        inserted = {value: pk for pk, value in cursor.fetchall()}
    for obj in objs:
        pk = inserted.get(getattr(obj, key))
        if pk is not None:
            obj.pk = pk
            obj._state.adding, obj._state.db = False, connection.alias
    return inserted
