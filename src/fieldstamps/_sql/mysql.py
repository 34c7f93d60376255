"""MariaDB's and MySQL's SQL for fieldstamps: JSON functions, UTC_TIMESTAMP,
``<=>`` on binary strings, and MariaDB's simultaneous assignment.

MariaDB and MySQL assign ``SET a = ..., b = ...`` left to right: a value
that reads a column assigned earlier in the same statement sees the new
value. Stamps compare each column's old value with the value the statement
assigns, so ``update(User).values(name="B", fullname=User.name)`` would stamp
and record the old name while ``fullname`` receives the new one.
``SET STATEMENT sql_mode=... FOR`` turns on ``SIMULTANEOUS_ASSIGNMENT``
(MariaDB >= 10.3.5) for that one statement, so every SET item sees the row
as it was, as on PostgreSQL and SQLite. MySQL has no such mode; there, stamp
columns sorting first in the table is what keeps comparisons on the old
values.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    REAL,
    ColumnElement,
    Double,
    Enum,
    Float,
    String,
    Table,
    Text,
    cast,
    select,
    text,
)
from sqlalchemy.dialects.mysql import LONGTEXT
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import TypeEngine

from .._errors import HistoryError
from .._types import ValueKind, is_blank_padded, unwrap, value_kind
from .base import (
    HASH_SLOT,
    PREFIX,
    ChangesFunction,
    ChangesFunctionTarget,
    Entry,
    HistoryContext,
    HistoryTarget,
    InstalledTrigger,
    JsonSetSyntax,
    PauseMark,
    TriggerSql,
    TriggerTarget,
    Writer,
    json_insert_entries,
    json_path,
    stamp_path,
)

_JSON = JsonSetSyntax(
    set_fn="JSON_SET",
    remove_fn="JSON_REMOVE",
    valid_fn="JSON_VALID",
    type_fn="JSON_TYPE",
    object_fn="JSON_OBJECT",
    object_type="OBJECT",
    empty="JSON_OBJECT()",
    pairs_per_call=10_000,  # no argument limit short of the packet size
    ignores_missing_parent=True,
)

_SIMULTANEOUS = (
    "SET STATEMENT sql_mode = CONCAT(@@sql_mode, ',SIMULTANEOUS_ASSIGNMENT') FOR "
)


# SET items are assigned in order: stamps go first (see the module's docstring).
assigns_left_to_right = True


def utc_now(w: Writer) -> str:
    # UTC_TIMESTAMP ignores the session time_zone; NOW() would follow it.
    return "UTC_TIMESTAMP(6)"


def utc_now_text(w: Writer) -> str:
    return f"DATE_FORMAT(UTC_TIMESTAMP(6), {w.literal('%Y-%m-%dT%H:%i:%s.%fZ')})"


def value_changed(w: Writer, old: str, new: str, kind: ValueKind | None) -> str:
    if kind in (ValueKind.STRING, ValueKind.JSON):
        # <=> follows the collation: under a case-insensitive one
        # 'spongebob' -> 'Spongebob' would not count as a change.
        old, new = f"CAST({old} AS BINARY)", f"CAST({new} AS BINARY)"
    return f"(NOT ({old} <=> {new}))"


def _is_single_precision(type_: TypeEngine[Any]) -> bool:
    """Whether MariaDB/MySQL stores ``type_`` as a 4-byte FLOAT."""
    type_ = unwrap(type_)
    if not isinstance(type_, Float) or isinstance(type_, Double | REAL):
        return False
    return type_.precision is None or type_.precision <= 24


def json_value(w: Writer, column: ColumnElement[Any], expr: ColumnElement[Any]) -> str:
    kind = value_kind(column.type)
    if kind in (ValueKind.DECIMAL, ValueKind.TEMPORAL):
        # Cast to the column's own type first: the stored value is rounded to
        # the column's scale / fractional seconds, and so must the copy be.
        return f"CAST({w.sql(cast(expr, column.type))} AS CHAR)"
    if kind is ValueKind.FLOAT and _is_single_precision(column.type):
        # FLOAT keeps single precision here: the copy must lose what the
        # stored value loses. Only a dialect that has met its server knows
        # CAST AS FLOAT is there (MariaDB 10.4.5, MySQL 8.0.17); without one
        # (DDL: triggers, the changes function) the value read is a stored
        # FLOAT already, and SQLAlchemy would skip the cast with a warning.
        if w.compiler.dialect.server_version_info is None:
            return w.sql(expr)
        return w.sql(cast(expr, Float()))
    value = w.sql(expr)
    if kind is ValueKind.BOOLEAN:
        return (
            f"JSON_EXTRACT(CASE WHEN {value} IS NULL THEN 'null' "
            f"WHEN {value} THEN 'true' ELSE 'false' END, '$')"
        )
    if kind is ValueKind.JSON:
        return f"JSON_EXTRACT({value}, '$')"
    if kind is ValueKind.STRING:
        return _as_stored_text(value, column.type)
    return value


def _as_stored_text(value: str, type_: TypeEngine[Any]) -> str:
    """``value`` as a column of ``type_`` keeps it: cut to its length (the
    column drops spaces past it even in strict mode, where any other excess
    fails the write) and, for CHAR, read without trailing spaces."""
    stored = unwrap(type_)
    if (
        not isinstance(stored, String)
        or isinstance(stored, Enum | Text)
        or stored.length is None
    ):
        return value
    cut = f"LEFT({value}, {int(stored.length)})"
    return f"RTRIM({cut})" if is_blank_padded(stored) else cut


# The JSON-set merge shared with SQLite, in this dialect's names.
json_object = _JSON.json_object
changes_on_insert = _JSON.changes_on_insert
changes_on_update = _JSON.changes_on_update


def stamp_of(w: Writer, changes: str, field: str) -> str:
    return f"JSON_UNQUOTE(JSON_EXTRACT({changes}, {w.literal(stamp_path(field))}))"


def statement_prefix(w: Writer, *, reads_own_columns: bool) -> str:
    # Only statements whose SET values read the table's own columns can tell
    # left-to-right from simultaneous assignment; the rest (ORM flushes,
    # executemany, literal values) skip the prefix. One dialect class serves
    # MySQL and MariaDB; only MariaDB has the mode.
    if reads_own_columns and getattr(w.compiler.dialect, "is_mariadb", False):
        return _SIMULTANEOUS
    return ""


# -- backfill -------------------------------------------------------------------


def stamp_text_of(w: Writer, instant: str) -> str:
    # Stamp columns hold UTC wall time here (DATETIME(6)).
    return f"DATE_FORMAT({instant}, {w.literal('%Y-%m-%dT%H:%i:%s.%fZ')})"


def changes_lack(w: Writer, changes: str, keys: Sequence[str]) -> str:
    # A key path finds nothing in an array or a scalar.
    paths = ", ".join(w.literal(json_path(key)) for key in keys)
    return (
        f"(CASE WHEN {changes} IS NULL THEN 1 "
        f"WHEN NOT JSON_VALID({changes}) THEN 1 "
        f"WHEN JSON_CONTAINS_PATH({changes}, 'all', {paths}) THEN 0 ELSE 1 END)"
    )


def changes_backfill(w: Writer, current: str, entries: Sequence[Entry]) -> str:
    return json_insert_entries(_JSON, "JSON_INSERT", w, current, entries)


# A session variable: cleared when the pause ends, at the transaction's end
# and when the pool takes the connection back (``_pause.py``).
returning_precedes_triggers = False
own_tables: tuple[str, ...] = ()
# A label on the body's block: the mariadb console and a restored dump drop
# comments from a trigger body, which would lose a hash kept in one.
hash_mark = "fieldstamps_"

# What changes holds, and so what its function returns.
_DOCUMENT_TYPE = "LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
# A text argument in a character set of its own would lose what the
# database's default one cannot hold (an emoji in latin1).
_TEXT_ARGUMENT = LONGTEXT(charset="utf8mb4")


def _changes_function_sql(target: ChangesFunctionTarget) -> TriggerSql:
    """A stored function per table returning a new row's ``changes``: an
    INSERT spelling the object out per row costs, per field, more than
    the call (docs/design/performance.md). ``NO SQL``: it reads and writes
    no table, and a server writing a binary log refuses a function declared
    none of DETERMINISTIC, NO SQL, READS SQL DATA; ``NOT DETERMINISTIC``: it
    reads the clock."""
    arguments = ", ".join(f"{name} {type_}" for name, type_ in target.arguments)
    body = (
        f"{hash_mark}{HASH_SLOT}: BEGIN\n"
        f"  DECLARE {target.stamp} VARCHAR(27) DEFAULT {target.stamp_value};\n"
        f"  RETURN {target.document};\n"
        "END"
    )
    return TriggerSql(
        install=[
            f"CREATE FUNCTION {target.name}({arguments}) RETURNS {_DOCUMENT_TYPE} "
            f"NOT DETERMINISTIC NO SQL\n{body}"
        ],
        uninstall=[f"DROP FUNCTION IF EXISTS {target.name}"],
        bodies=[(target.catalog_name, body)],
    )


def _argument_type(column: ColumnElement[Any]) -> TypeEngine[Any]:
    # A string, UUID or JSON value reaches the document as the client sent
    # it, as when the document is spelt out: not cut to the column's length
    # nor reformatted by a UUID type. The others take the column's type,
    # which json_value() converts them to in any case.
    kind = value_kind(column.type)
    if kind in (ValueKind.STRING, ValueKind.UUID, ValueKind.JSON):
        return _TEXT_ARGUMENT
    return column.type


def _read_argument(name: str, column: ColumnElement[Any]) -> str:
    # MariaDB's JSON functions write a stored program's numeric variable as
    # a string ({"n": "1"}); an expression computed from it stays a number.
    # A FLOAT's is read back from that string, which has the digits a FLOAT
    # column shows (0.333333; + 0 would widen it to 0.3333333432674408).
    kind = value_kind(column.type)
    if kind is ValueKind.FLOAT and _is_single_precision(column.type):
        return f"JSON_EXTRACT({name}, '$')"
    if kind in (ValueKind.INTEGER, ValueKind.FLOAT):
        return f"({name} + 0)"
    return name


changes_function: ChangesFunction | None = ChangesFunction(
    sql=_changes_function_sql,
    argument_type=_argument_type,
    cast_arguments=False,
    read_argument=_read_argument,
)
pause_mark = PauseMark(
    condition="@fieldstamps_paused IS NOT NULL",
    set_sql="SET @fieldstamps_paused = 'on'",
    clear_sql="SET @fieldstamps_paused = NULL",
    ends_with_transaction=False,
    keep_condition="@fieldstamps_paused = 'kept'",
    keep_sql="SET @fieldstamps_paused = 'kept'",
)


def trigger_sql(target: TriggerTarget) -> TriggerSql:
    def sets(assignments: Sequence[tuple[str, str]], indent: str) -> str:
        # One SET per column, each reading OLD/NEW only: none sees another's
        # result, whatever their order. BEFORE triggers assign NEW.
        return "\n".join(
            f"{indent}SET NEW.{column} = {value};" for column, value in assignments
        )

    def trigger(suffix: str, event: str, statements: str) -> tuple[str, str, str]:
        # What information_schema.TRIGGERS.ACTION_STATEMENT returns.
        body = f"{hash_mark}{HASH_SLOT}: BEGIN\n{statements}\nEND"
        name = target.quote(f"{target.catalog_name}_{suffix}")
        create = (
            f"CREATE TRIGGER {name} BEFORE {event} ON {target.table} "
            f"FOR EACH ROW\n{body}"
        )
        return create, f"{target.catalog_name}_{suffix}", body

    inserted = trigger("insert", "INSERT", sets(target.on_insert, "  "))
    updated = trigger(
        "update",
        "UPDATE",
        f"  IF {pause_mark.keep_condition} THEN\n    BEGIN END;\n"
        f"  ELSEIF {pause_mark.condition} THEN\n"
        f"{sets(target.on_paused_update, '    ')}\n"
        f"  ELSE\n{sets(target.on_update, '    ')}\n  END IF;",
    )
    return TriggerSql(
        install=[inserted[0], updated[0]],
        uninstall=[
            f"DROP TRIGGER IF EXISTS {target.quote(target.catalog_name + '_insert')}",
            f"DROP TRIGGER IF EXISTS {target.quote(target.catalog_name + '_update')}",
        ],
        bodies=[inserted[1:], updated[1:]],
    )


def json_document(w: Writer, value: str) -> str:
    # The element of a one-element array: JSON text of any value, a string
    # quoted, a JSON value kept as JSON, SQL NULL as null.
    return f"JSON_EXTRACT(JSON_ARRAY({value}), '$[0]')"


# Session variables outlive the transaction: cleared with its end (and at
# pool check-in). The transaction id is drawn by the first history entry a
# transaction writes; no server variable holds one (see
# docs/design/history.md).
_HISTORY_VARIABLES = (
    "@fieldstamps_txn",
    "@fieldstamps_actor",
    "@fieldstamps_reason",
    "@fieldstamps_context",
)
history_context = HistoryContext(
    send=(
        "SET @fieldstamps_actor = :actor, @fieldstamps_reason = :reason, "
        "@fieldstamps_context = :context",
    ),
    end=("SET " + ", ".join(f"{name} = NULL" for name in _HISTORY_VARIABLES),),
)
_TRANSACTION_ID = (
    "IF @fieldstamps_txn IS NULL THEN SET @fieldstamps_txn = UUID_SHORT(); END IF;"
)


def history_sql(target: HistoryTarget) -> TriggerSql:
    insert = target.insert_into()
    tail = ", ".join(_HISTORY_VARIABLES)

    def trigger(event: str, statements: str) -> tuple[str, str, str]:
        body = f"{hash_mark}{HASH_SLOT}: BEGIN\n{statements}\nEND"
        catalog_name = f"{target.catalog_name}_{event.lower()}"
        create = (
            f"CREATE TRIGGER {target.quote(catalog_name)} AFTER {event} "
            f"ON {target.table} FOR EACH ROW\n{body}"
        )
        return create, catalog_name, body

    updates = "\n".join(
        f"  IF {field.changed} THEN\n    {_TRANSACTION_ID}\n"
        f"    {insert} VALUES {target.values('update', tail, [field])};\n  END IF;"
        for field in target.fields
    )
    inserted = target.values("insert", tail)
    deleted = target.values("delete", tail)
    triggers = [
        trigger("INSERT", f"  {_TRANSACTION_ID}\n  {insert} VALUES {inserted};"),
        trigger("UPDATE", updates),
        trigger("DELETE", f"  {_TRANSACTION_ID}\n  {insert} VALUES {deleted};"),
    ]
    return TriggerSql(
        install=[create for create, _, _ in triggers],
        uninstall=[
            f"DROP TRIGGER IF EXISTS {target.quote(name)}" for _, name, _ in triggers
        ],
        bodies=[(name, body) for _, name, body in triggers],
    )


# A poller's cursor: the horizon before which every transaction that could
# still write history has ended (the oldest running transaction's start,
# less a second for InnoDB's transaction list, cached up to 0.1 s), and the
# entries from it on already returned, which the next poll reads again.
_HORIZON = text(
    "SELECT UTC_TIMESTAMP(6) - INTERVAL (1000000 + COALESCE(MAX("
    "TIMESTAMPDIFF(MICROSECOND, trx_started, NOW(6))), 0)) MICROSECOND "
    "FROM information_schema.INNODB_TRX"
)


def poll_history(
    connection: Connection,
    table: Table,
    columns: Sequence[ColumnElement[Any]],
    cursor: str | None,
) -> tuple[list[Any], str]:
    start, seen = _read_cursor(cursor)
    try:
        horizon = connection.execute(_HORIZON).scalar_one()
    except DBAPIError as exc:
        raise HistoryError(
            "polling history on MariaDB/MySQL reads information_schema.INNODB_TRX, "
            "which needs the PROCESS privilege: GRANT PROCESS ON *.* TO <user>"
        ) from exc
    statement = select(*columns).order_by(table.c.changed_at, table.c.history_id)
    if start is not None:
        statement = statement.where(table.c.changed_at >= start)
    rows = connection.execute(statement).all()
    horizon = horizon.replace(tzinfo=dt.UTC)
    following = {
        "from": horizon.isoformat(),
        "seen": [row.history_id for row in rows if row.changed_at >= horizon],
    }
    unseen = [tuple(row) for row in rows if row.history_id not in seen]
    return unseen, json.dumps(following)


def _read_cursor(cursor: str | None) -> tuple[dt.datetime | None, set[int]]:
    if cursor is None:
        return None, set()
    try:
        state = json.loads(cursor)
        return dt.datetime.fromisoformat(state["from"]), set(state["seen"])
    except (ValueError, KeyError, TypeError) as exc:
        raise HistoryError(
            f"{cursor!r} is not a cursor poll_history() returned on MariaDB/MySQL"
        ) from exc


# The functions beside their tables, with what it takes to create each again:
# information_schema spells each type without its character set.
_INSTALLED_FUNCTIONS = text(
    "SELECT r.ROUTINE_SCHEMA, r.ROUTINE_NAME, t.TABLE_NAME, r.ROUTINE_DEFINITION, "
    "r.IS_DETERMINISTIC, r.SQL_DATA_ACCESS, "
    "CONCAT_WS(' ', r.DTD_IDENTIFIER, CONCAT('CHARACTER SET ', r.CHARACTER_SET_NAME), "
    "CONCAT('COLLATE ', r.COLLATION_NAME)), "
    "(SELECT GROUP_CONCAT(CONCAT_WS(' ', p.PARAMETER_NAME, p.DTD_IDENTIFIER, "
    "CONCAT('CHARACTER SET ', p.CHARACTER_SET_NAME)) "
    "ORDER BY p.ORDINAL_POSITION SEPARATOR ', ') "
    "FROM information_schema.PARAMETERS p "
    "WHERE p.SPECIFIC_SCHEMA = r.ROUTINE_SCHEMA AND p.SPECIFIC_NAME = r.ROUTINE_NAME "
    "AND p.ORDINAL_POSITION > 0) "
    "FROM information_schema.ROUTINES r "
    "JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = r.ROUTINE_SCHEMA "
    "AND r.ROUTINE_NAME = CONCAT('fieldstamps_', t.TABLE_NAME, '_changes') "
    "WHERE r.ROUTINE_SCHEMA = coalesce(:schema, DATABASE()) "
    "AND r.ROUTINE_TYPE = 'FUNCTION' AND r.ROUTINE_NAME LIKE 'fieldstamps%'"
)

_INSTALLED = text(
    "SELECT TRIGGER_SCHEMA, TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_STATEMENT, "
    "ACTION_TIMING, EVENT_MANIPULATION "
    "FROM information_schema.TRIGGERS "
    "WHERE TRIGGER_SCHEMA = coalesce(:schema, DATABASE()) "
    "AND TRIGGER_NAME LIKE 'fieldstamps%'"
)


def installed_triggers(
    connection: Connection, schema: str | None
) -> list[InstalledTrigger]:
    # information_schema lists only the triggers of tables the user holds the
    # TRIGGER privilege on, and a function's definition only to a user who
    # may see it (NULL otherwise): both read as missing, as the database
    # shows them. MariaDB and MySQL cannot disable a trigger.
    quote = connection.dialect.identifier_preparer.quote
    functions = [
        InstalledTrigger(
            name=name,
            table=table,
            body=body,
            enabled=True,
            drop=(f"DROP FUNCTION IF EXISTS {quote(database)}.{quote(name)}",),
            create=(
                f"CREATE FUNCTION {quote(name)}({arguments or ''}) "
                f"RETURNS {returns} "
                f"{'DETERMINISTIC' if deterministic == 'YES' else 'NOT DETERMINISTIC'} "
                f"{access}\n{body}",
            ),
        )
        for database, name, table, body, deterministic, access, returns, arguments in (
            connection.execute(_INSTALLED_FUNCTIONS, {"schema": schema})
        )
        if body is not None
    ]
    return functions + [
        InstalledTrigger(
            name=name,
            table=table,
            body=body,
            enabled=True,
            drop=(f"DROP TRIGGER IF EXISTS {quote(database)}.{quote(name)}",),
            create=(
                f"CREATE TRIGGER {quote(name)} {timing} {event} ON {quote(table)} "
                f"FOR EACH ROW\n{body}",
            ),
        )
        for database, name, table, body, timing, event in connection.execute(
            _INSTALLED, {"schema": schema}
        )
        if name.startswith(PREFIX)
    ]


def script(statements: Sequence[str]) -> str:
    """``statements`` as one script for the mariadb/mysql console, which
    would otherwise end a trigger at the first ``;`` of its body."""
    return (
        "DELIMITER //\n" + "".join(f"{s}\n//\n" for s in statements) + ("DELIMITER ;\n")
    )
