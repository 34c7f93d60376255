"""SQLite's SQL for fieldstamps: JSON1 functions, ``strftime``, ``IS NOT``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Numeric, Table, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeEngine

from .._errors import HistoryError
from .._types import ValueKind, unwrap, value_kind
from .base import (
    HASH_SLOT,
    PREFIX,
    ChangesFunction,
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
    set_fn="json_set",
    remove_fn="json_remove",
    valid_fn="json_valid",
    type_fn="json_type",
    object_fn="json_object",
    object_type="object",
    empty="json('{}')",
    # SQLite's default SQLITE_MAX_FUNCTION_ARG is 127 before 3.48.
    pairs_per_call=60,
    ignores_missing_parent=False,
)


# Every SET item sees the row as it was.
assigns_left_to_right = False


def utc_now(w: Writer) -> str:
    # SQLAlchemy stores SQLite datetimes with six fraction digits; matching
    # that width keeps text comparisons with bound values exact. SQLite's
    # clock has milliseconds, constant within one statement.
    return f"strftime({w.literal('%Y-%m-%d %H:%M:%f000')}, 'now')"


def utc_now_text(w: Writer) -> str:
    return f"strftime({w.literal('%Y-%m-%dT%H:%M:%f000Z')}, 'now')"


def value_changed(w: Writer, old: str, new: str, kind: ValueKind | None) -> str:
    return f"({old} IS NOT {new})"


def _decimal_scale(type_: TypeEngine[Any]) -> int:
    """The digits SQLAlchemy keeps when it loads a Decimal from a double."""
    type_ = unwrap(type_)
    if isinstance(type_, Numeric):
        if type_.decimal_return_scale is not None:
            return type_.decimal_return_scale
        if type_.scale is not None:
            return type_.scale
    return 10  # SQLAlchemy's default decimal_return_scale


def json_value(w: Writer, column: ColumnElement[Any], expr: ColumnElement[Any]) -> str:
    value = w.sql(expr)
    kind = value_kind(column.type)
    if kind is ValueKind.BOOLEAN:
        return (
            f"json(CASE WHEN {value} IS NULL THEN 'null' "
            f"WHEN {value} THEN 'true' ELSE 'false' END)"
        )
    if kind is ValueKind.FLOAT:
        # SQLite's JSON prints 15 digits, which most doubles do not survive
        # (0.1 + 0.2 reads back as 0.3), and an infinity as Inf, which is not
        # JSON. 15 digits where they read back, 18 otherwise (17 are not
        # exact in SQLite's printf); infinities as PostgreSQL writes them.
        short = f"printf({w.literal('%!.15g')}, {value})"
        full = f"printf({w.literal('%!.18g')}, {value})"
        return (
            f"json(CASE WHEN {value} IS NULL THEN NULL "
            f"""WHEN {value} = 9e999 THEN '"Infinity"' """
            f"""WHEN {value} = -9e999 THEN '"-Infinity"' """
            f"WHEN CAST({short} AS REAL) = {value} THEN {short} ELSE {full} END)"
        )
    if kind is ValueKind.DECIMAL:
        # SQLite stores the number as a double and SQLAlchemy rounds it to
        # the scale when loading; printing it to that scale reads the same.
        text_format = w.literal(f"%.{_decimal_scale(column.type)}f")
        return (
            f"CASE WHEN {value} IS NULL THEN NULL "
            f"ELSE printf({text_format}, {value}) END"
        )
    if kind is ValueKind.JSON:
        return f"json({value})"
    return value


# The JSON-set merge shared with MariaDB/MySQL, in this dialect's names.
json_object = _JSON.json_object
changes_on_insert = _JSON.changes_on_insert
changes_on_update = _JSON.changes_on_update


def stamp_of(w: Writer, changes: str, field: str) -> str:
    return f"json_extract({changes}, {w.literal(stamp_path(field))})"


def statement_prefix(w: Writer, *, reads_own_columns: bool) -> str:
    return ""  # every SET item sees the row as it was


# -- backfill -------------------------------------------------------------------

# The form SQLAlchemy stores datetimes in here; anything else is read by
# strftime, which keeps milliseconds only.
_STORED_DATETIME = "dddd-dd-dd dd:dd:dd.dddddd".replace("d", "[0-9]")


def stamp_text_of(w: Writer, instant: str) -> str:
    return (
        f"CASE WHEN {instant} GLOB {w.literal(_STORED_DATETIME)} "
        f"THEN substr({instant}, 1, 10) || 'T' || substr({instant}, 12) || 'Z' "
        f"ELSE strftime({w.literal('%Y-%m-%dT%H:%M:%f000Z')}, {instant}) END"
    )


def changes_lack(w: Writer, changes: str, keys: Sequence[str]) -> str:
    # CASE, not OR: SQLite may evaluate json_type() on text that is not
    # JSON, which raises. A key path finds nothing in an array or a scalar.
    missing = " OR ".join(
        f"json_type({changes}, {w.literal(json_path(key))}) IS NULL" for key in keys
    )
    return (
        f"(CASE WHEN {changes} IS NULL THEN 1 "
        f"WHEN NOT json_valid({changes}) THEN 1 "
        f"WHEN {missing} THEN 1 ELSE 0 END)"
    )


def changes_backfill(w: Writer, current: str, entries: Sequence[Entry]) -> str:
    return json_insert_entries(_JSON, "json_insert", w, current, entries)


# SQLite has no session variables: a pause is a row of this table, written
# inside the paused transaction and deleted before it commits (a rollback
# takes it away by itself), so no other connection ever sees one.
PAUSE_TABLE = f"{PREFIX}pause"
# AFTER triggers: RETURNING shows the row as the statement wrote it.
returning_precedes_triggers = True
hash_mark = "-- fieldstamps "


def _table_exists(name: str) -> str:
    """A query returning a row where the database has table ``name``: the
    tables of the pause and the transaction marker exist only where
    fieldstamps installed triggers that read them."""
    return f"SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '{name}'"


pause_mark = PauseMark(
    condition=f"EXISTS (SELECT 1 FROM {PAUSE_TABLE})",
    set_sql=(
        f"INSERT INTO {PAUSE_TABLE} SELECT 1 "
        f"WHERE NOT EXISTS (SELECT 1 FROM {PAUSE_TABLE})"
    ),
    clear_sql=f"DELETE FROM {PAUSE_TABLE}",
    ends_with_transaction=False,
    settable_sql=_table_exists(PAUSE_TABLE),
)
_CREATE_PAUSE_TABLE = (
    f"CREATE TABLE IF NOT EXISTS {PAUSE_TABLE} (paused INTEGER NOT NULL)"
)


def trigger_sql(target: TriggerTarget) -> TriggerSql:
    def trigger(
        suffix: str, event: str, assignments: Sequence[tuple[str, str]], when: str = ""
    ) -> tuple[str, str]:
        # SQLite cannot assign NEW: rewrite the row just written. That UPDATE
        # names stamp columns only, so it fires neither trigger: the UPDATE
        # triggers listen to the table's own columns (a writer that sets only
        # stamp columns is therefore not corrected on SQLite).
        sets = ", ".join(f"{column} = {value}" for column, value in assignments)
        where = " AND ".join(f"{column} = NEW.{column}" for column in target.key)
        name = target.quote(f"{target.catalog_name}_{suffix}")
        return (
            f"CREATE TRIGGER {name} AFTER {event} ON {target.table} "
            f"FOR EACH ROW {when}BEGIN\n{hash_mark}{HASH_SLOT}\n"
            f"UPDATE {target.table} SET {sets} WHERE {where}; END"
        ), f"{target.catalog_name}_{suffix}"

    updating = f"UPDATE OF {', '.join(target.own_columns)}"
    paused = pause_mark.condition
    triggers = [
        trigger("insert", "INSERT", target.on_insert),
        trigger("update", updating, target.on_update, f"WHEN NOT {paused} "),
        trigger("paused", updating, target.on_paused_update, f"WHEN {paused} "),
    ]
    return TriggerSql(
        # The pause table is shared by every table's triggers: created with
        # the first, and left in place when they are removed.
        install=[_CREATE_PAUSE_TABLE, *(create for create, _ in triggers)],
        uninstall=[
            f"DROP TRIGGER IF EXISTS {target.quote(name)}" for _, name in triggers
        ],
        # sqlite_master keeps the whole statement as it was written.
        bodies=[(name, create) for create, name in triggers],
    )


def json_document(w: Writer, value: str) -> str:
    # json_quote keeps a JSON value (json()'s result) as it is and quotes
    # text; NULL becomes null.
    return f"json_quote({value})"


# SQLite has no transaction id: a marker row, one per transaction, whose
# AUTOINCREMENT id is one (never reused). The history triggers insert it
# when the transaction has none; a client writes actor/reason/context into
# it, and deletes it before commit, so the next transaction draws another.
# (A writer that never deletes it shares its id with the transactions that
# follow until one does: see the README.)
TRANSACTION_TABLE = f"{PREFIX}txn"
_CREATE_TRANSACTION_TABLE = (
    f"CREATE TABLE IF NOT EXISTS {TRANSACTION_TABLE} (id INTEGER PRIMARY KEY "
    "AUTOINCREMENT, actor TEXT, reason TEXT, context TEXT)"
)
_DRAW_TRANSACTION_ID = (
    f"INSERT INTO {TRANSACTION_TABLE} (id) SELECT NULL "
    f"WHERE NOT EXISTS (SELECT 1 FROM {TRANSACTION_TABLE})"
)
_THIS_TRANSACTION = (
    f"(SELECT id, actor, reason, context FROM {TRANSACTION_TABLE} "
    "ORDER BY id DESC LIMIT 1) AS fs_txn"
)
# INSERTs spell a new row's changes out: there is no plan to save.
changes_function: ChangesFunction | None = None
# The pause's table and the transaction marker's: shared by every table's
# triggers, created with the first, never dropped by fieldstamps.
own_tables: tuple[str, ...] = (PAUSE_TABLE, TRANSACTION_TABLE)
history_context = HistoryContext(
    send=(
        _DRAW_TRANSACTION_ID,
        f"UPDATE {TRANSACTION_TABLE} SET actor = :actor, reason = :reason, "
        f"context = :context WHERE id = (SELECT max(id) FROM {TRANSACTION_TABLE})",
    ),
    end=(f"DELETE FROM {TRANSACTION_TABLE}",),
    present_sql=_table_exists(TRANSACTION_TABLE),
)


def history_sql(target: HistoryTarget) -> TriggerSql:
    insert = target.insert_into()
    tail = "fs_txn.id, fs_txn.actor, fs_txn.reason, fs_txn.context"

    def entries(
        row: str, operation: str, pairs: list[tuple[str, str, str, str]]
    ) -> str:
        # One INSERT per row event, the transaction's marker read once.
        fields = " UNION ALL ".join(
            f"SELECT {key} AS field, {old} AS old, {new} AS new"
            + (f" WHERE {changed}" if changed else "")
            for key, old, new, changed in pairs
        )
        return (
            f"{insert} SELECT {row}, fs_field.field, fs_field.old, fs_field.new, "
            f"{target.now}, '{operation}', {tail} "
            f"FROM ({fields}) AS fs_field, {_THIS_TRANSACTION}"
        )

    def trigger(event: str, on: str, when: str, statement: str) -> tuple[str, str]:
        catalog_name = f"{target.catalog_name}_{event}"
        return (
            f"CREATE TRIGGER {target.quote(catalog_name)} AFTER {on} "
            f"ON {target.table} FOR EACH ROW {when}BEGIN\n{hash_mark}{HASH_SLOT}\n"
            f"{_DRAW_TRANSACTION_ID};\n{statement}; END"
        ), catalog_name

    fields = target.fields
    changed = " OR ".join(f"({field.changed})" for field in fields)
    triggers = [
        trigger(
            "insert",
            "INSERT",
            "",
            entries(
                target.row("NEW"),
                "insert",
                [(f.key, "NULL", f.new, "") for f in fields],
            ),
        ),
        trigger(
            "update",
            f"UPDATE OF {', '.join(target.columns)}",
            f"WHEN {changed} ",
            entries(
                target.row("NEW"),
                "update",
                [(f.key, f.old, f.new, f.changed) for f in fields],
            ),
        ),
        trigger(
            "delete",
            "DELETE",
            "",
            entries(
                target.row("OLD"),
                "delete",
                [(f.key, f.old, "NULL", "") for f in fields],
            ),
        ),
    ]
    return TriggerSql(
        install=[_CREATE_TRANSACTION_TABLE, *(create for create, _ in triggers)],
        uninstall=[
            f"DROP TRIGGER IF EXISTS {target.quote(name)}" for _, name in triggers
        ],
        bodies=[(name, create) for create, name in triggers],
    )


def poll_history(
    connection: Connection,
    table: Table,
    columns: Sequence[ColumnElement[Any]],
    cursor: str | None,
) -> tuple[list[Any], str]:
    # One writer at a time: entries commit in the order of their ids, and
    # prune() never removes the newest, so ids are never reused.
    try:
        last = -1 if cursor is None else int(cursor)
    except ValueError as exc:
        raise HistoryError(
            f"{cursor!r} is not a cursor poll_history() returned on SQLite"
        ) from exc
    rows = connection.execute(
        select(*columns).where(table.c.history_id > last).order_by(table.c.history_id)
    ).all()
    following = rows[-1].history_id if rows else last
    return [tuple(row) for row in rows], str(following)


def installed_triggers(
    connection: Connection, schema: str | None
) -> list[InstalledTrigger]:
    # SQLite has no way to disable a trigger.
    quote = connection.dialect.identifier_preparer.quote
    database = quote(schema or "main")
    rows = connection.execute(
        text(
            f"SELECT name, tbl_name, sql FROM {database}.sqlite_master "
            "WHERE type = 'trigger' AND name LIKE 'fieldstamps%'"
        )
    )
    return [
        InstalledTrigger(
            name=name,
            table=table,
            body=sql,
            enabled=True,
            drop=(f"DROP TRIGGER IF EXISTS {database}.{quote(name)}",),
            create=(_CREATE_PAUSE_TABLE, _CREATE_TRANSACTION_TABLE, sql),
        )
        for name, table, sql in rows
        if name.startswith(PREFIX)
    ]


def script(statements: Sequence[str]) -> str:
    """``statements`` as one script for the sqlite3 shell."""
    return "".join(f"{statement};\n" for statement in statements)
