"""Bulk writes with PostgreSQL COPY, for imports and synthetic data (quality.md P4).

`bulk_create` builds a model instance per row and one multi-row INSERT per batch; at hundreds of thousands
of rows that Python work costs more than the database. `copy_rows` takes plain dicts keyed by field name
(or attname), fills every other column from the field's default (callables are called per row, so unique
tokens stay unique; `auto_now`/`auto_now_add` fields get one timestamp), and streams the rows with COPY.

Audit history (quality.md R8) is kept for every row. A row-level trigger per row is the slowest part of a
large insert (PL/pgSQL per row), so for a model tracked by pghistory `copy_rows` ignores its insert trigger
during the COPY and writes the same insert events with one `INSERT … SELECT` over the new rows: same columns,
same label, the same context (acting user) through `_pgh_attach_context()`. The pghistory and pgtrigger
settings reach the database through a transaction-local setting injected into the next statement run
through Django's cursor: `copy_rows` runs one before each COPY (COPY itself bypasses Django's wrappers).
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
_MISSING = object()
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


def allocate_ids(model, count: int) -> list[int]:
    """`count` fresh primary keys from the model's sequence, so rows can be linked before they are copied."""
    if count <= 0:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _insert_history_triggers(model) -> list:
    """pghistory insert-event triggers of the model that `copy_rows` can replace by one statement."""
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


def _record_insert_events(model, triggers: list, ids: list[int]) -> None:
    quote = connection.ops.quote_name
    where = f"{quote(model._meta.db_table)} WHERE {quote(model._meta.pk.column)} = ANY(%s)"
    with connection.cursor() as cursor:
        for trigger in triggers:
            cursor.execute(_insert_events_sql(model, trigger, where), [trigger.label, ids])


def copy_rows(model, rows: Iterable[dict], *, now: datetime.datetime | None = None) -> int:
    """Inserts the rows with COPY in chunks, inside the caller's transaction (or one of its own)."""
    triggers = _insert_history_triggers(model)
    if triggers:
        uris = [f"{model._meta.label}:{trigger.name}" for trigger in triggers]
        with transaction.atomic(), pgtrigger.ignore(*uris):
            return _copy_rows(model, rows, now=now, history=triggers)
    return _copy_rows(model, rows, now=now, history=[])


def _copy_rows(model, rows: Iterable[dict], *, now, history: list) -> int:
    now = now or timezone.now()
    pk = model._meta.pk
    table = connection.ops.quote_name(model._meta.db_table)
    written = 0
    rows = iter(rows)
    with transaction.atomic(), connection.cursor() as cursor:
        while chunk := list(itertools.islice(rows, CHUNK)):
            keys = [row.get(pk.attname, row.get(pk.name)) for row in chunk]
            if None in keys and (history or any(key is not None for key in keys)):
                # Keys for the rows that came without one, so that their history can be written after the COPY.
                fresh = iter(allocate_ids(model, keys.count(None)))
                keys = [key if key is not None else next(fresh) for key in keys]
            with_pk = bool(history) or any(key is not None for key in keys)
            given = set().union(*(row.keys() for row in chunk))
            variable, constant = _columns(model, given, with_pk=with_pk, now=now)
            # Columns nobody gave and whose default is a constant go last, as one string per chunk.
            suffix = "".join("\t" + value for _column, value in constant)
            buffer = io.StringIO()
            write, by_type = buffer.write, _BY_TYPE.get
            for row, key in zip(chunk, keys, strict=True):
                values = []
                for field, name, attname in variable:
                    if field is pk:
                        value = key
                    else:
                        value = row.get(attname, _MISSING)
                        if value is _MISSING:
                            value = row.get(name, _MISSING)
                            if value is _MISSING:
                                value = field.get_default()
                            elif hasattr(value, "pk"):
                                value = value.pk
                    convert = by_type(type(value))
                    values.append(convert(value) if convert is not None else copy_value(value))
                write("\t".join(values))
                write(suffix)
                write("\n")
            buffer.seek(0)
            quote = connection.ops.quote_name
            columns = ", ".join([quote(f.column) for f, _n, _a in variable] + [quote(c) for c, _v in constant])
            # A statement through Django's cursor carries the pghistory context and pgtrigger's ignore list
            # into the transaction for the COPY, which bypasses Django's execute wrappers.
            cursor.execute("SET LOCAL kertapati.bulk_copy = 'on'")
            cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)
            if history:
                _record_insert_events(model, history, keys)
            written += len(chunk)
    return written


def _constant_default(field, now):
    """The value a column not given takes on every row: `now` for auto_now(_add), else the field's default
    ("" for text without one)."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    return field.get_default()


def _columns(model, given: set, *, with_pk: bool, now) -> tuple[list, list]:
    """(fields whose value comes per row, [(column, COPY text)] of fields with the same value on every row)."""
    variable, constant = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            if with_pk:
                variable.insert(0, (field, field.name, field.attname))
        elif field.attname in given or field.name in given or (field.has_default() and callable(field.default)):
            variable.append((field, field.name, field.attname))
        else:
            constant.append((field.column, copy_value(_constant_default(field, now))))
    return variable, constant


def copy_tuples(model, names: list[str], rows: Iterable[tuple | list], *, now=None) -> int:
    """COPY rows given as sequences in the order of `names` (attnames); the other columns take their default.

    For tables without audit history (staging rows). The rows are written by the csv module, in C: values are
    str, int, bool, date or None (JSON columns take their JSON text). Every string is quoted, and a NULL is an
    empty field forced to NULL, which only non-text columns may take (a nullable text column is refused: its
    None and "" would look alike)."""
    if _insert_history_triggers(model):
        raise ValueError(f"{model._meta.label} keeps history: use copy_rows")
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
    its RETURNING rows, with the current context (acting user), as `copy_rows` does after a COPY."""
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
