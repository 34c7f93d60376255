"""PostgreSQL's SQL for fieldstamps: jsonb, ``now()``, ``IS DISTINCT FROM``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ColumnElement,
    Double,
    Enum,
    Float,
    Numeric,
    String,
    Table,
    Text,
    cast,
    literal_column,
    text,
)
from sqlalchemy.engine import Connection
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
    PauseMark,
    TriggerSql,
    TriggerTarget,
    Writer,
    chunks,
)

# PostgreSQL functions take at most 100 arguments: 50 key/value pairs.
_PAIRS_PER_CALL = 50

_JSON_CASTS: dict[ValueKind, TypeEngine[Any]] = {
    ValueKind.INTEGER: BigInteger(),
    ValueKind.FLOAT: Double(),
    ValueKind.BOOLEAN: Boolean(),
}


# Every SET item sees the row as it was.
assigns_left_to_right = False


def utc_now(w: Writer) -> str:
    # The transaction's start, as func.now(): one instant per transaction.
    return "now()"


def utc_now_text(w: Writer) -> str:
    text_format = w.literal('YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
    return f"to_char(now() AT TIME ZONE 'UTC', {text_format})"


def value_changed(w: Writer, old: str, new: str, kind: ValueKind | None) -> str:
    if kind is ValueKind.JSON:
        # The json type has no equality operator; jsonb compares by value.
        old, new = f"CAST({old} AS JSONB)", f"CAST({new} AS JSONB)"
    return f"({old} IS DISTINCT FROM {new})"


def json_value(w: Writer, column: ColumnElement[Any], expr: ColumnElement[Any]) -> str:
    kind = value_kind(column.type)
    if kind in _JSON_CASTS:
        # A copied bind parameter has no type of its own in a function call.
        inner: ColumnElement[Any] = cast(expr, _JSON_CASTS[kind])
    elif kind is ValueKind.JSON:
        inner = cast(expr, column.type)
    elif is_blank_padded(column.type):
        # A CHAR is kept blank-padded to its length; a cast to text would
        # drop the padding, to_jsonb() keeps it.
        inner = cast(expr, column.type)
    else:
        # The column's own type first: PostgreSQL types a parameter used
        # twice by its first use, and a native enum column refuses a
        # parameter typed text; it also rounds as the stored value is.
        inner = cast(cast(expr, column.type), Text())
    return f"to_jsonb({w.sql(inner)})"


def json_object(pairs: Sequence[tuple[str, str]]) -> str:
    return f"jsonb_build_object({', '.join(f'{k}, {v}' for k, v in pairs)})"


def changes_on_insert(w: Writer, entries: Sequence[Entry]) -> str:
    objects = [
        json_object([(w.literal(entry.key), entry.document) for entry in chunk])
        for chunk in chunks(entries, _PAIRS_PER_CALL)
    ]
    return " || ".join(objects) or "CAST('{}' AS JSONB)"


def changes_on_update(w: Writer, current: str, entries: Sequence[Entry]) -> str:
    # Flat: one || per field keeps the SQL linear in the number of fields.
    pieces = [
        f"COALESCE(CASE WHEN jsonb_typeof({current}) = 'object' "
        f"THEN {current} END, CAST('{{}}' AS JSONB))"
    ]
    for entry in entries:
        entry_object = json_object([(w.literal(entry.key), entry.document)])
        pieces.append(
            f"CASE WHEN {entry.changed} THEN {entry_object} "
            "ELSE CAST('{}' AS JSONB) END"
        )
    return "(" + " || ".join(pieces) + ")"


def stamp_of(w: Writer, changes: str, field: str) -> str:
    # ->> on jsonb is IMMUTABLE, so this exact expression can be indexed.
    return f"(({changes} -> {w.literal(field)}) ->> 'updated_at')"


def statement_prefix(w: Writer, *, reads_own_columns: bool) -> str:
    return ""  # every SET item sees the row as it was


# -- backfill -------------------------------------------------------------------


def stamp_text_of(w: Writer, instant: str) -> str:
    # Stamp columns are timestamptz here: AT TIME ZONE 'UTC' gives UTC wall
    # time whatever the session's zone.
    text_format = w.literal('YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
    return f"to_char({instant} AT TIME ZONE 'UTC', {text_format})"


def changes_lack(w: Writer, changes: str, keys: Sequence[str]) -> str:
    # ?& on an array tests its string elements: only an object counts.
    names = ", ".join(w.literal(key) for key in keys)
    return (
        f"(jsonb_typeof({changes}) IS DISTINCT FROM 'object' "
        f"OR NOT ({changes} ?& ARRAY[{names}]))"
    )


def changes_backfill(w: Writer, current: str, entries: Sequence[Entry]) -> str:
    # jsonb || keeps the right-hand side's value for a key both hold: the
    # existing document goes last, so an entry it has is never replaced.
    added = changes_on_insert(w, entries)
    existing = (
        f"COALESCE(CASE WHEN jsonb_typeof({current}) = 'object' "
        f"THEN {current} END, CAST('{{}}' AS JSONB))"
    )
    return f"({added} || {existing})"


# A transaction-local setting: it ends with the transaction (and with a
# rolled-back savepoint), whatever happens to the client.
returning_precedes_triggers = False
own_tables: tuple[str, ...] = ()
hash_mark = "-- fieldstamps "
_PAUSE_SETTING = "current_setting('fieldstamps.paused', true)"
pause_mark = PauseMark(
    condition=f"{_PAUSE_SETTING} = 'on'",
    set_sql="SELECT set_config('fieldstamps.paused', 'on', true)",
    clear_sql="SELECT set_config('fieldstamps.paused', '', true)",
    ends_with_transaction=True,
    keep_condition=f"{_PAUSE_SETTING} = 'kept'",
    keep_sql="SELECT set_config('fieldstamps.paused', 'kept', true)",
)


def trigger_sql(target: TriggerTarget) -> TriggerSql:
    def block(assignments: Sequence[tuple[str, str]]) -> str:
        return "\n".join(
            f"    NEW.{column} := {value};" for column, value in assignments
        )

    # The pause setting is read once per updated row, into a variable: the
    # conditions of pause_mark, with the variable for the setting.
    def on(condition: str | None) -> str:
        assert condition is not None
        return condition.replace(_PAUSE_SETTING, "paused")

    # What pg_proc.prosrc returns: the text between the dollar quotes.
    body = (
        "\nDECLARE\n"
        "  paused text;\n"
        "BEGIN\n"
        f"  {hash_mark}{HASH_SLOT}\n"
        "  IF TG_OP = 'INSERT' THEN\n"
        f"{block(target.on_insert)}\n"
        "    RETURN NEW;\n"
        "  END IF;\n"
        f"  paused := {_PAUSE_SETTING};\n"
        f"  IF {on(pause_mark.keep_condition)} THEN\n"
        "    NULL;\n"
        f"  ELSIF {on(pause_mark.condition)} THEN\n"
        f"{block(target.on_paused_update)}\n"
        "  ELSE\n"
        f"{block(target.on_update)}\n"
        "  END IF;\n"
        "  RETURN NEW;\n"
        "END\n"
    )
    function = (
        f"CREATE OR REPLACE FUNCTION {target.name}() RETURNS trigger "
        "LANGUAGE plpgsql\n"
        # Pinned, so that a dump restored with an empty search_path works.
        f"SET search_path = pg_catalog, public AS $fieldstamps${body}$fieldstamps$"
    )
    trigger = (
        f"CREATE TRIGGER {target.name} BEFORE INSERT OR UPDATE ON {target.table} "
        f"FOR EACH ROW EXECUTE FUNCTION {target.name}()"
    )
    return TriggerSql(
        install=[function, trigger],
        uninstall=[
            f"DROP TRIGGER IF EXISTS {target.name} ON {target.table}",
            f"DROP FUNCTION IF EXISTS {target.name}()",
        ],
        bodies=[(target.catalog_name, body)],
    )


def _changes_function_sql(target: ChangesFunctionTarget) -> TriggerSql:
    """A PL/pgSQL function per table returning a new row's ``changes``. Not
    ``LANGUAGE sql``: the planner would inline that into every row of a
    batched INSERT again, where it costs the same as the object spelt out
    (docs/design/performance.md). Nothing pins its ``search_path``: only
    SQLAlchemy's INSERTs call it, and a pinned one is set and reset on every
    call."""
    arguments = ", ".join(f"{name} {type_}" for name, type_ in target.arguments)
    body = (
        "\nDECLARE\n"
        f"  {target.stamp} text := {target.stamp_value};\n"
        "BEGIN\n"
        f"  {hash_mark}{HASH_SLOT}\n"
        f"  RETURN {target.document};\n"
        "END\n"
    )
    return TriggerSql(
        install=[
            f"CREATE OR REPLACE FUNCTION {target.name}({arguments}) RETURNS jsonb "
            f"LANGUAGE plpgsql STABLE AS $fieldstamps${body}$fieldstamps$"
        ],
        # Without arguments: the name alone is enough while it is not
        # overloaded, and a removal by name must not know them.
        uninstall=[f"DROP FUNCTION IF EXISTS {target.name}"],
        bodies=[(target.catalog_name, body)],
    )


def _argument_type(column: ColumnElement[Any]) -> TypeEngine[Any]:
    # What json_value() casts a value to before to_jsonb(): a REAL column's
    # value is handed over as the double it is written from, not as a real.
    kind = value_kind(column.type)
    if kind in _JSON_CASTS:
        return _JSON_CASTS[kind]
    return _without_modifiers(column.type)


def _without_modifiers(type_: TypeEngine[Any]) -> TypeEngine[Any]:
    """``type_`` without the length, precision or scale PostgreSQL drops from
    a function's arguments anyway. The body casts each value to its column's
    own type, so a cast with them in the call computed each length check and
    rounding twice: 71-75 against 55-58 ms of server time per 1,000-row
    batch (docs/design/performance.md). CHAR keeps its length (a bare CHAR
    is char(1), a bare NCHAR nchar(1)), and so does every other type."""
    stored = unwrap(type_)
    if (
        isinstance(stored, String)
        and not isinstance(stored, Enum)
        and not is_blank_padded(stored)
        and stored.length is not None
    ):
        text_type = stored.copy()
        text_type.length = None
        return text_type
    if (
        isinstance(stored, Numeric)
        and not isinstance(stored, Float)
        and (stored.precision, stored.scale) != (None, None)
    ):
        number_type = stored.copy()
        number_type.precision = number_type.scale = None
        return number_type
    return type_


changes_function: ChangesFunction | None = ChangesFunction(
    sql=_changes_function_sql, argument_type=_argument_type, cast_arguments=True
)


def json_document(w: Writer, value: str) -> str:
    return f"COALESCE({value}, CAST('null' AS JSONB))"


# Transaction-local settings, read by the history trigger; text, so the
# empty string is "none" (a setting once used reads '' after its
# transaction, not NULL).
history_context = HistoryContext(
    send=(
        "SELECT set_config('fieldstamps.actor', :actor, true), "
        "set_config('fieldstamps.reason', :reason, true), "
        "set_config('fieldstamps.context', :context, true)",
    ),
    null_as_empty=True,
)


def _setting(name: str) -> str:
    return f"nullif(current_setting('fieldstamps.{name}', true), '')"


def history_sql(target: HistoryTarget) -> TriggerSql:
    name = target.quote(target.catalog_name)
    insert = target.insert_into()
    tail = "fs_txn, fs_actor, fs_reason, fs_context"

    updates = "\n".join(
        f"    IF {field.changed} THEN\n"
        f"      {insert} VALUES {target.values('update', tail, [field])};\n"
        "    END IF;"
        for field in target.fields
    )
    inserted = target.values("insert", tail)
    deleted = target.values("delete", tail)
    body = (
        "\nDECLARE\n"
        "  fs_txn bigint := CAST(CAST(pg_current_xact_id() AS text) AS bigint);\n"
        f"  fs_actor text := {_setting('actor')};\n"
        f"  fs_reason text := {_setting('reason')};\n"
        f"  fs_context jsonb := CAST({_setting('context')} AS jsonb);\n"
        "BEGIN\n"
        f"  {hash_mark}{HASH_SLOT}\n"
        "  IF TG_OP = 'UPDATE' THEN\n"
        f"{updates}\n"
        "  ELSIF TG_OP = 'INSERT' THEN\n"
        f"    {insert} VALUES {inserted};\n"
        "  ELSE\n"
        f"    {insert} VALUES {deleted};\n"
        "  END IF;\n"
        "  RETURN NULL;\n"
        "END\n"
    )
    function = (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql\n"
        # Pinned to where the tables are being created (an unqualified
        # history table is found there), so a dump restored with an empty
        # search_path, or a writer with another, writes the same table.
        f"SET search_path FROM CURRENT AS $fieldstamps${body}$fieldstamps$"
    )
    trigger = (
        f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE ON {target.table} "
        f"FOR EACH ROW EXECUTE FUNCTION {name}()"
    )
    return TriggerSql(
        install=[function, trigger],
        uninstall=[
            f"DROP TRIGGER IF EXISTS {name} ON {target.table}",
            f"DROP FUNCTION IF EXISTS {name}()",
        ],
        bodies=[(target.catalog_name, body)],
    )


# A poller's cursor is the snapshot its last poll read under: the next one
# reads what that snapshot could not see (transactions running then, or
# begun since) and has committed now, whatever the order of commits.
_EVERYTHING = "1:1:"
_SNAPSHOT = re.compile(r"[0-9]+:[0-9]+:([0-9]+(,[0-9]+)*)?")


def poll_history(
    connection: Connection,
    table: Table,
    columns: Sequence[ColumnElement[Any]],
    cursor: str | None,
) -> tuple[list[Any], str]:
    if cursor is not None and not _SNAPSHOT.fullmatch(cursor):
        raise HistoryError(
            f"{cursor!r} is not a cursor poll_history() returned on PostgreSQL"
        )
    quote = connection.dialect.identifier_preparer
    names = ", ".join(quote.quote(str(c.name)) for c in columns)
    snapshot = "CAST(:cursor AS pg_snapshot)"
    # One statement: the rows, and the snapshot they were read under.
    statement = text(
        "SELECT fs_now.fs_next, fs_unseen.* FROM "
        "(SELECT CAST(pg_current_snapshot() AS text) AS fs_next) AS fs_now "
        f"LEFT JOIN (SELECT {names} FROM {quote.format_table(table)} WHERE "
        "transaction_id >= CAST(CAST(pg_snapshot_xmin("
        f"{snapshot}) AS text) AS bigint) AND NOT pg_visible_in_snapshot("
        f"CAST(CAST(transaction_id AS text) AS xid8), {snapshot})) AS fs_unseen "
        "ON true ORDER BY fs_unseen.transaction_id, fs_unseen.history_id"
    ).columns(literal_column("fs_next", Text()), *columns)
    rows = connection.execute(statement, {"cursor": cursor or _EVERYTHING}).all()
    unseen = [tuple(row[1:]) for row in rows if row[1] is not None]
    return unseen, rows[0][0]


# The body checked is the function's: the trigger statement itself holds
# nothing the model decides. tgenabled: 'O' enabled, 'A' ENABLE ALWAYS (local
# and replicated rows), 'D' DISABLE, 'R' ENABLE REPLICA: fires only for rows a
# logical-replication subscriber applies, so no local write is stamped.
_INSTALLED = text(
    """
    SELECT t.tgname, c.relname, n.nspname, p.proname, pn.nspname, p.prosrc,
           t.tgenabled IN ('O', 'A'),
           pg_catalog.pg_get_functiondef(p.oid), pg_catalog.pg_get_triggerdef(t.oid)
    FROM pg_catalog.pg_trigger t
    JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid
    JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace
    WHERE NOT t.tgisinternal
      AND t.tgname LIKE 'fieldstamps%'
      AND n.nspname = coalesce(:schema, current_schema())
    """
)


# SQL mode's changes functions, found by name: fieldstamps_<table>_changes
# beside its table.
_INSTALLED_FUNCTIONS = text(
    """
    SELECT p.proname, c.relname, n.nspname, p.prosrc,
           pg_catalog.pg_get_functiondef(p.oid),
           pg_catalog.pg_get_function_identity_arguments(p.oid)
    FROM pg_catalog.pg_proc p
    JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
    JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid
     AND p.proname = 'fieldstamps_' || c.relname || '_changes'
    WHERE c.relkind IN ('r', 'p')
      AND n.nspname = coalesce(:schema, current_schema())
    """
)


def installed_triggers(
    connection: Connection, schema: str | None
) -> list[InstalledTrigger]:
    quote = connection.dialect.identifier_preparer.quote
    found = [
        InstalledTrigger(
            name=name,
            table=table,
            body=body,
            enabled=True,
            drop=(
                f"DROP FUNCTION IF EXISTS {quote(function_schema)}.{quote(name)}"
                f"({arguments})",
            ),
            create=(function_sql,),
        )
        for name, table, function_schema, body, function_sql, arguments in (
            connection.execute(_INSTALLED_FUNCTIONS, {"schema": schema})
        )
    ]
    for (
        name,
        table,
        table_schema,
        function,
        function_schema,
        body,
        enabled,
        function_sql,
        trigger_sql,
    ) in connection.execute(_INSTALLED, {"schema": schema}):
        if not name.startswith(PREFIX):
            continue
        on = f"{quote(table_schema)}.{quote(table)}"
        found.append(
            InstalledTrigger(
                name=name,
                table=table,
                body=body,
                enabled=bool(enabled),
                drop=(
                    f"DROP TRIGGER IF EXISTS {quote(name)} ON {on}",
                    f"DROP FUNCTION IF EXISTS "
                    f"{quote(function_schema)}.{quote(function)}()",
                ),
                create=(function_sql, trigger_sql),
            )
        )
    return found


def script(statements: Sequence[str]) -> str:
    """``statements`` as one script for psql."""
    return "".join(f"{statement};\n" for statement in statements)
