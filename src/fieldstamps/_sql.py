"""SQL elements that stamp rows inside the statement that writes them.

Each element compiles per dialect through ``@compiles``; a dialect with no
entry raises :class:`UnsupportedDatabaseError`. Values being written are
referred to with :func:`sqlalchemy.sql.expression.from_dml_column`, so one
``default=``/``onupdate=`` expression serves every compiled INSERT and UPDATE.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import (
    JSON,
    REAL,
    BigInteger,
    Boolean,
    ColumnClause,
    ColumnElement,
    Date,
    DateTime,
    Double,
    Enum,
    Float,
    Integer,
    Interval,
    Numeric,
    String,
    Text,
    Time,
    Uuid,
    case,
    cast,
    or_,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import FromClause
from sqlalchemy.sql.compiler import SQLCompiler, StrSQLCompiler
from sqlalchemy.sql.elements import DMLTargetCopy
from sqlalchemy.sql.expression import from_dml_column
from sqlalchemy.sql.visitors import InternalTraversal, _TraverseInternalsType
from sqlalchemy.types import TypeDecorator, TypeEngine

from ._errors import UnsupportedDatabaseError
from ._types import StampText, UTCDateTime

_MYSQL = ("mysql", "mariadb")


class ValueKind(enum.Enum):
    """How a column's value is written as JSON inside ``changes``."""

    STRING = "string"
    INTEGER = "integer"
    FLOAT = "float"
    BOOLEAN = "boolean"
    DECIMAL = "decimal"  # a JSON string, so no digit is lost to float
    TEMPORAL = "temporal"  # the database's ISO-8601 text of date/time/datetime
    UUID = "uuid"
    JSON = "json"


def value_kind(type_: TypeEngine[Any]) -> ValueKind | None:
    """The JSON form of a column type, or None where there is no faithful one."""
    while isinstance(type_, TypeDecorator):
        type_ = type_.impl_instance
    # Order matters: Enum is a String, Boolean is not an Integer, Float is a
    # Numeric.
    if isinstance(type_, Boolean):
        return ValueKind.BOOLEAN
    if isinstance(type_, Enum | String):
        return ValueKind.STRING
    if isinstance(type_, Integer):
        return ValueKind.INTEGER
    if isinstance(type_, Float):
        return ValueKind.FLOAT
    if isinstance(type_, Numeric):
        return ValueKind.DECIMAL if type_.asdecimal else ValueKind.FLOAT
    if isinstance(type_, Date | DateTime | Time) and not isinstance(type_, Interval):
        return ValueKind.TEMPORAL
    if isinstance(type_, Uuid):
        return ValueKind.UUID
    if isinstance(type_, JSON):
        return ValueKind.JSON
    # LargeBinary, Interval, ARRAY, ...: the stamp is kept, the value is not.
    return None


def _unsupported(element: Any, compiler: SQLCompiler, **kw: Any) -> str:
    if isinstance(compiler, StrSQLCompiler):
        # str(statement) with no dialect: a readable stand-in, not SQL.
        return f"fieldstamps.{type(element).__name__}(...)"
    raise UnsupportedDatabaseError(compiler.dialect.name)


def _literal(compiler: SQLCompiler, text: str) -> str:
    # render_literal_value quotes and escapes for the dialect, including the
    # doubled % that format-paramstyle drivers need.
    return compiler.render_literal_value(text, String())


def _assigned_keys(compiler: SQLCompiler) -> frozenset[str] | None:
    """Keys of the columns the UPDATE being compiled assigns; None if unknown.

    Fields the statement does not assign cannot change, so their comparisons
    and JSON entries are left out of the SQL. Safe with the statement cache:
    SQLAlchemy caches a compiled UPDATE per set of parameter keys.
    """
    state = getattr(compiler, "compile_state", None)
    if state is None or not getattr(state, "isupdate", False):
        return None
    if getattr(state, "is_multitable", False):
        return None
    keys = set(compiler.column_keys or ())
    for key in getattr(state, "_dict_parameters", None) or {}:
        name = key if isinstance(key, str) else getattr(key, "key", None)
        if not isinstance(name, str):
            return None
        keys.add(name)
    return frozenset(keys)


def _cannot_change(
    compiler: SQLCompiler, column: ColumnElement[Any], new: ColumnElement[Any]
) -> bool:
    """True when ``new`` copies the statement's value for a column it leaves
    alone, which ``from_dml_column`` would render as the column itself."""
    if not isinstance(new, DMLTargetCopy):
        return False
    assigned = _assigned_keys(compiler)
    return assigned is not None and column.key not in assigned


def _self_assignment(compiler: SQLCompiler, column: ColumnElement[Any]) -> str:
    """The value of a stamp the statement cannot move: the column, unqualified,
    so that the UPDATE compiler in _dml.py recognises ``col=col`` and drops it.

    Only reached for single-table UPDATEs (see _assigned_keys), where the bare
    name is the row's own column.
    """
    assert isinstance(column, ColumnClause)
    return compiler.preparer.format_column(column)


def json_path(key: str) -> str:
    """A JSON path naming one top-level key, quoted so any key is a label."""
    return '$."' + key + '"'


# -- the clock ----------------------------------------------------------------


class UtcNow(ColumnElement[dt.datetime]):
    """The database server's current instant, as stored in stamp columns.

    PostgreSQL: ``now()`` (the transaction's start, as for ``func.now()``);
    SQLite and MariaDB/MySQL: the statement's time, constant within it.
    """

    type = UTCDateTime()
    inherit_cache = True
    # SQLAlchemy's base declares this without ClassVar; mypy refuses one here.
    _traverse_internals: _TraverseInternalsType = []  # noqa: RUF012


class UtcNowText(ColumnElement[str]):
    """The same instant as :class:`UtcNow`, in the stamp's fixed-width text."""

    type = String()
    inherit_cache = True
    # SQLAlchemy's base declares this without ClassVar; mypy refuses one here.
    _traverse_internals: _TraverseInternalsType = []  # noqa: RUF012


compiles(UtcNow)(_unsupported)
compiles(UtcNowText)(_unsupported)


@compiles(UtcNow, "sqlite")
def _utcnow_sqlite(element: UtcNow, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLAlchemy stores SQLite datetimes with six fraction digits; matching
    # that width keeps text comparisons with bound values exact. SQLite's
    # clock has milliseconds.
    return f"strftime({_literal(compiler, '%Y-%m-%d %H:%M:%f000')}, 'now')"


@compiles(UtcNowText, "sqlite")
def _utcnow_text_sqlite(element: UtcNowText, compiler: SQLCompiler, **kw: Any) -> str:
    return f"strftime({_literal(compiler, '%Y-%m-%dT%H:%M:%f000Z')}, 'now')"


@compiles(UtcNow, "postgresql")
def _utcnow_pg(element: UtcNow, compiler: SQLCompiler, **kw: Any) -> str:
    return "now()"


@compiles(UtcNowText, "postgresql")
def _utcnow_text_pg(element: UtcNowText, compiler: SQLCompiler, **kw: Any) -> str:
    text_format = _literal(compiler, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
    return f"to_char(now() AT TIME ZONE 'UTC', {text_format})"


@compiles(UtcNow, *_MYSQL)
def _utcnow_mysql(element: UtcNow, compiler: SQLCompiler, **kw: Any) -> str:
    # UTC_TIMESTAMP ignores the session time_zone; NOW() would follow it.
    return "UTC_TIMESTAMP(6)"


@compiles(UtcNowText, *_MYSQL)
def _utcnow_text_mysql(element: UtcNowText, compiler: SQLCompiler, **kw: Any) -> str:
    text_format = _literal(compiler, "%Y-%m-%dT%H:%i:%s.%fZ")
    return f"DATE_FORMAT(UTC_TIMESTAMP(6), {text_format})"


# -- "did this column's value change in this statement" -----------------------


class ValueChanged(ColumnElement[bool]):
    """True when the statement writes a value NULL-safely distinct from the
    column's current one.

    ``new`` defaults to the value the enclosing INSERT/UPDATE assigns to the
    column (the column itself when the statement leaves it alone).
    """

    type = Boolean()
    inherit_cache = True
    # SQLAlchemy's base declares this without ClassVar; mypy refuses one here.
    _traverse_internals: _TraverseInternalsType = [  # noqa: RUF012
        ("column", InternalTraversal.dp_clauseelement),
        ("new", InternalTraversal.dp_clauseelement),
    ]

    def __init__(
        self, column: ColumnElement[Any], new: ColumnElement[Any] | None = None
    ) -> None:
        self.column = column
        self.new = from_dml_column(column) if new is None else new


compiles(ValueChanged)(_unsupported)


@compiles(ValueChanged, "sqlite")
def _changed_sqlite(element: ValueChanged, compiler: SQLCompiler, **kw: Any) -> str:
    if _cannot_change(compiler, element.column, element.new):
        return "(1 = 0)"
    old = compiler.process(element.column, **kw)
    new = compiler.process(element.new, **kw)
    return f"({old} IS NOT {new})"


@compiles(ValueChanged, "postgresql")
def _changed_pg(element: ValueChanged, compiler: SQLCompiler, **kw: Any) -> str:
    if _cannot_change(compiler, element.column, element.new):
        return "(1 = 0)"
    old = compiler.process(element.column, **kw)
    new = compiler.process(element.new, **kw)
    if value_kind(element.column.type) is ValueKind.JSON:
        # The json type has no equality operator; jsonb compares by value.
        old, new = f"CAST({old} AS JSONB)", f"CAST({new} AS JSONB)"
    return f"({old} IS DISTINCT FROM {new})"


@compiles(ValueChanged, *_MYSQL)
def _changed_mysql(element: ValueChanged, compiler: SQLCompiler, **kw: Any) -> str:
    if _cannot_change(compiler, element.column, element.new):
        return "(1 = 0)"
    old = compiler.process(element.column, **kw)
    new = compiler.process(element.new, **kw)
    if value_kind(element.column.type) in (ValueKind.STRING, ValueKind.JSON):
        # <=> follows the collation: under a case-insensitive one
        # 'spongebob' -> 'Spongebob' would not count as a change.
        old, new = f"CAST({old} AS BINARY)", f"CAST({new} AS BINARY)"
    return f"(NOT ({old} <=> {new}))"


class StampOnUpdate(ColumnElement[dt.datetime]):
    """A ``changed_at()`` column after an UPDATE: the server's now when one of
    ``watched`` changes, else the column as it was.

    ``news`` default to the values the statement assigns (``from_dml_column``);
    an upsert passes its own.
    """

    type = UTCDateTime()
    inherit_cache = True
    # SQLAlchemy's base declares this without ClassVar; mypy refuses one here.
    _traverse_internals: _TraverseInternalsType = [  # noqa: RUF012
        ("column", InternalTraversal.dp_clauseelement),
        ("watched", InternalTraversal.dp_clauseelement_tuple),
        ("news", InternalTraversal.dp_clauseelement_tuple),
    ]

    def __init__(
        self,
        column: ColumnElement[Any],
        watched: Sequence[ColumnElement[Any]],
        news: Sequence[ColumnElement[Any]] | None = None,
    ) -> None:
        self.column = column
        self.watched = tuple(watched)
        self.news = (
            tuple(from_dml_column(target) for target in self.watched)
            if news is None
            else tuple(news)
        )


@compiles(StampOnUpdate)
def _stamp_on_update(element: StampOnUpdate, compiler: SQLCompiler, **kw: Any) -> str:
    moved = [
        ValueChanged(target, new)
        for target, new in zip(element.watched, element.news, strict=True)
        if not _cannot_change(compiler, target, new)
    ]
    if not moved:
        return _self_assignment(compiler, element.column)
    return compiler.process(case((or_(*moved), UtcNow()), else_=element.column), **kw)


# -- a column's value as JSON -------------------------------------------------


class JsonValue(ColumnElement[Any]):
    """``expr`` (a value of ``column``) written as a JSON value of its kind."""

    type = JSON()
    inherit_cache = True
    # SQLAlchemy's base declares this without ClassVar; mypy refuses one here.
    _traverse_internals: _TraverseInternalsType = [  # noqa: RUF012
        ("column", InternalTraversal.dp_clauseelement),
        ("expr", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: ColumnElement[Any], expr: ColumnElement[Any]) -> None:
        self.column = column
        self.expr = expr

    @property
    def kind(self) -> ValueKind:
        kind = value_kind(self.column.type)
        assert kind is not None, "only columns with a JSON form get a JsonValue"
        return kind


compiles(JsonValue)(_unsupported)

_PG_CASTS: dict[ValueKind, TypeEngine[Any]] = {
    ValueKind.INTEGER: BigInteger(),
    ValueKind.FLOAT: Double(),
    ValueKind.BOOLEAN: Boolean(),
}


@compiles(JsonValue, "postgresql")
def _json_value_pg(element: JsonValue, compiler: SQLCompiler, **kw: Any) -> str:
    kind = element.kind
    if kind in _PG_CASTS:
        # A copied bind parameter has no type of its own in a function call.
        inner: ColumnElement[Any] = cast(element.expr, _PG_CASTS[kind])
    elif kind is ValueKind.JSON:
        inner = cast(element.expr, element.column.type)
    else:
        # The column's own type first: PostgreSQL types a parameter used
        # twice by its first use, and a native enum column refuses a
        # parameter typed text; it also rounds as the stored value is.
        inner = cast(cast(element.expr, element.column.type), Text())
    return f"to_jsonb({compiler.process(inner, **kw)})"


def _unwrap(type_: TypeEngine[Any]) -> TypeEngine[Any]:
    while isinstance(type_, TypeDecorator):
        type_ = type_.impl_instance
    return type_


def _decimal_scale(type_: TypeEngine[Any]) -> int:
    """The digits SQLAlchemy keeps when it loads a Decimal from a double."""
    type_ = _unwrap(type_)
    if isinstance(type_, Numeric):
        if type_.decimal_return_scale is not None:
            return type_.decimal_return_scale
        if type_.scale is not None:
            return type_.scale
    return 10  # SQLAlchemy's default decimal_return_scale


def _is_single_precision(type_: TypeEngine[Any]) -> bool:
    """Whether MariaDB/MySQL stores ``type_`` as a 4-byte FLOAT."""
    type_ = _unwrap(type_)
    if not isinstance(type_, Float) or isinstance(type_, Double | REAL):
        return False
    return type_.precision is None or type_.precision <= 24


@compiles(JsonValue, "sqlite")
def _json_value_sqlite(element: JsonValue, compiler: SQLCompiler, **kw: Any) -> str:
    expr = compiler.process(element.expr, **kw)
    kind = element.kind
    if kind is ValueKind.BOOLEAN:
        return (
            f"json(CASE WHEN {expr} IS NULL THEN 'null' "
            f"WHEN {expr} THEN 'true' ELSE 'false' END)"
        )
    if kind is ValueKind.FLOAT:
        # SQLite's JSON prints 15 digits, which most doubles do not survive
        # (0.1 + 0.2 reads back as 0.3), and an infinity as Inf, which is not
        # JSON. 15 digits where they read back, 18 otherwise (17 are not
        # exact in SQLite's printf); infinities as PostgreSQL writes them.
        short = f"printf({_literal(compiler, '%!.15g')}, {expr})"
        full = f"printf({_literal(compiler, '%!.18g')}, {expr})"
        return (
            f"json(CASE WHEN {expr} IS NULL THEN NULL "
            f"""WHEN {expr} = 9e999 THEN '"Infinity"' """
            f"""WHEN {expr} = -9e999 THEN '"-Infinity"' """
            f"WHEN CAST({short} AS REAL) = {expr} THEN {short} ELSE {full} END)"
        )
    if kind is ValueKind.DECIMAL:
        # SQLite stores the number as a double and SQLAlchemy rounds it to
        # the scale when loading; printing it to that scale reads the same.
        digits = _decimal_scale(element.column.type)
        fmt = _literal(compiler, f"%.{digits}f")
        return f"CASE WHEN {expr} IS NULL THEN NULL ELSE printf({fmt}, {expr}) END"
    if kind is ValueKind.JSON:
        return f"json({expr})"
    return expr


@compiles(JsonValue, *_MYSQL)
def _json_value_mysql(element: JsonValue, compiler: SQLCompiler, **kw: Any) -> str:
    kind = element.kind
    if kind in (ValueKind.DECIMAL, ValueKind.TEMPORAL):
        # Cast to the column's own type first: the stored value is rounded to
        # the column's scale / fractional seconds, and so must the copy be.
        typed = compiler.process(cast(element.expr, element.column.type), **kw)
        return f"CAST({typed} AS CHAR)"
    if kind is ValueKind.FLOAT and _is_single_precision(element.column.type):
        # FLOAT keeps single precision here: the copy must lose what the
        # stored value loses.
        return compiler.process(cast(element.expr, Float()), **kw)
    expr = compiler.process(element.expr, **kw)
    if kind is ValueKind.BOOLEAN:
        return (
            f"JSON_EXTRACT(CASE WHEN {expr} IS NULL THEN 'null' "
            f"WHEN {expr} THEN 'true' ELSE 'false' END, '$')"
        )
    if kind is ValueKind.JSON:
        return f"JSON_EXTRACT({expr}, '$')"
    return expr


# -- the changes object -------------------------------------------------------


_Entry = tuple[str, ColumnElement[Any], ColumnElement[Any], bool]


class _ChangesElement(ColumnElement[Any]):
    """Shared state of the INSERT and UPDATE forms of the ``changes`` value.

    ``keys[i]`` names the field of ``columns[i]``; ``news[i]`` is the value
    written to it (``from_dml_column`` unless an upsert passes its own);
    ``stored[i]`` is ``"1"`` when the value is kept beside the stamp.
    """

    type = JSON()
    inherit_cache = True
    # SQLAlchemy's base declares this without ClassVar; mypy refuses one here.
    _traverse_internals: _TraverseInternalsType = [  # noqa: RUF012
        ("changes", InternalTraversal.dp_clauseelement),
        ("keys", InternalTraversal.dp_string_list),
        ("columns", InternalTraversal.dp_clauseelement_tuple),
        ("news", InternalTraversal.dp_clauseelement_tuple),
        ("stored", InternalTraversal.dp_string_list),
    ]

    def __init__(
        self,
        changes: ColumnElement[Any],
        fields: Sequence[tuple[str, ColumnElement[Any], bool]],
        news: Sequence[ColumnElement[Any]] | None = None,
    ) -> None:
        self.changes = changes
        self.keys = [key for key, _, _ in fields]
        self.columns = tuple(column for _, column, _ in fields)
        self.news = (
            tuple(from_dml_column(column) for column in self.columns)
            if news is None
            else tuple(news)
        )
        self.stored = ["1" if store else "" for _, _, store in fields]

    def entries(self) -> list[_Entry]:
        stored = map(bool, self.stored)
        return list(zip(self.keys, self.columns, self.news, stored, strict=True))

    def changeable_entries(self, compiler: SQLCompiler) -> list[_Entry]:
        """The entries whose field the statement being compiled may change."""
        return [
            entry
            for entry in self.entries()
            if not _cannot_change(compiler, entry[1], entry[2])
        ]


class ChangesOnInsert(_ChangesElement):
    """The whole ``changes`` object of a new row: every field, stamped now."""

    inherit_cache = True


class ChangesOnUpdate(_ChangesElement):
    """The ``changes`` object after an UPDATE: the current object (or ``{}``
    where it is not one) with an entry replaced for each field whose value
    changed."""

    inherit_cache = True


compiles(ChangesOnInsert)(_unsupported)
compiles(ChangesOnUpdate)(_unsupported)


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _entry_sql(
    compiler: SQLCompiler,
    object_fn: str,
    column: ColumnElement[Any],
    new: ColumnElement[Any],
    store: bool,
    now_text: str,
    kw: dict[str, Any],
) -> str:
    parts = []
    if store:
        parts.append("'value', " + compiler.process(JsonValue(column, new), **kw))
    parts.append("'updated_at', " + now_text)
    return f"{object_fn}({', '.join(parts)})"


def _register_insert_binds(element: _ChangesElement, kw: dict[str, Any]) -> None:
    # SQLAlchemy 2.1's batched INSERT ("insertmanyvalues") renames each row's
    # parameters only where it knows the column expression uses them, and
    # from_dml_column() copies another column's SQL without saying so. Naming
    # the copied parameters here lets the batch rename the copies too.
    names = kw.get("accumulate_bind_names")
    if names is not None:
        for _, column, _, store in element.entries():
            if store:
                names.add(column.key)


# PostgreSQL functions take at most 100 arguments: 50 key/value pairs.
_PG_PAIRS = 50
# SQLite's default SQLITE_MAX_FUNCTION_ARG is 127 before 3.48.
_SQLITE_PAIRS = 60
NOOP_KEY = "~fieldstamps-noop"


@compiles(ChangesOnInsert, "postgresql")
def _insert_pg(element: ChangesOnInsert, compiler: SQLCompiler, **kw: Any) -> str:
    _register_insert_binds(element, kw)
    now = compiler.process(UtcNowText(), **kw)
    pieces = []
    for chunk in _chunks(list(element.entries()), _PG_PAIRS):
        pairs = [
            _literal(compiler, key)
            + ", "
            + _entry_sql(compiler, "jsonb_build_object", column, new, store, now, kw)
            for key, column, new, store in chunk
        ]
        pieces.append(f"jsonb_build_object({', '.join(pairs)})")
    return " || ".join(pieces) or "CAST('{}' AS JSONB)"


@compiles(ChangesOnUpdate, "postgresql")
def _update_pg(element: ChangesOnUpdate, compiler: SQLCompiler, **kw: Any) -> str:
    current = compiler.process(element.changes, **kw)
    entries = element.changeable_entries(compiler)
    if not entries:
        return _self_assignment(compiler, element.changes)
    now = compiler.process(UtcNowText(), **kw)
    # Flat: one || per field keeps the SQL linear in the number of fields.
    pieces = [
        f"COALESCE(CASE WHEN jsonb_typeof({current}) = 'object' "
        f"THEN {current} END, CAST('{{}}' AS JSONB))"
    ]
    for key, column, new, store in entries:
        changed = compiler.process(ValueChanged(column, new), **kw)
        entry = _entry_sql(compiler, "jsonb_build_object", column, new, store, now, kw)
        pieces.append(
            f"CASE WHEN {changed} THEN jsonb_build_object({_literal(compiler, key)}, "
            f"{entry}) ELSE CAST('{{}}' AS JSONB) END"
        )
    return "(" + " || ".join(pieces) + ")"


def _set_paths_sql(
    compiler: SQLCompiler,
    function: str,
    document: str,
    entries: list[_Entry],
    pairs_per_call: int,
    object_fn: str,
    kw: dict[str, Any],
    *,
    conditional: bool,
) -> str:
    """``function(document, path, entry, ...)`` nested per chunk of fields.

    With ``conditional``, an unchanged field's path points at a scratch key
    removed afterwards: json_set has no "skip this pair", and a CASE around
    the whole document per field would grow the SQL exponentially.
    """
    now = compiler.process(UtcNowText(), **kw)
    noop = _literal(compiler, json_path(NOOP_KEY))
    for chunk in _chunks(entries, pairs_per_call):
        args = [document]
        for key, column, new, store in chunk:
            path = _literal(compiler, json_path(key))
            entry = _entry_sql(compiler, object_fn, column, new, store, now, kw)
            if conditional:
                # Unchanged fields write NULL to the scratch key: no entry is
                # built for them.
                changed = compiler.process(ValueChanged(column, new), **kw)
                path = f"CASE WHEN {changed} THEN {path} ELSE {noop} END"
                entry = f"CASE WHEN {changed} THEN {entry} END"
            args.append(path)
            args.append(entry)
        document = f"{function}({', '.join(args)})"
    return document


@compiles(ChangesOnInsert, "sqlite")
def _insert_sqlite(element: ChangesOnInsert, compiler: SQLCompiler, **kw: Any) -> str:
    _register_insert_binds(element, kw)
    return _set_paths_sql(
        compiler,
        "json_set",
        "json('{}')",
        element.entries(),
        _SQLITE_PAIRS,
        "json_object",
        kw,
        conditional=False,
    )


@compiles(ChangesOnUpdate, "sqlite")
def _update_sqlite(element: ChangesOnUpdate, compiler: SQLCompiler, **kw: Any) -> str:
    current = compiler.process(element.changes, **kw)
    entries = element.changeable_entries(compiler)
    if not entries:
        return _self_assignment(compiler, element.changes)
    # Nested CASE: SQLite's AND does not promise to skip json_type() on text
    # that is not JSON, which would raise.
    base = (
        f"CASE WHEN json_valid({current}) THEN CASE json_type({current}) "
        f"WHEN 'object' THEN {current} ELSE '{{}}' END ELSE '{{}}' END"
    )
    document = _set_paths_sql(
        compiler,
        "json_set",
        base,
        entries,
        _SQLITE_PAIRS,
        "json_object",
        kw,
        conditional=True,
    )
    return f"json_remove({document}, {_literal(compiler, json_path(NOOP_KEY))})"


@compiles(ChangesOnInsert, *_MYSQL)
def _insert_mysql(element: ChangesOnInsert, compiler: SQLCompiler, **kw: Any) -> str:
    _register_insert_binds(element, kw)
    return _set_paths_sql(
        compiler,
        "JSON_SET",
        "JSON_OBJECT()",
        element.entries(),
        10_000,
        "JSON_OBJECT",
        kw,
        conditional=False,
    )


@compiles(ChangesOnUpdate, *_MYSQL)
def _update_mysql(element: ChangesOnUpdate, compiler: SQLCompiler, **kw: Any) -> str:
    current = compiler.process(element.changes, **kw)
    entries = element.changeable_entries(compiler)
    if not entries:
        return _self_assignment(compiler, element.changes)
    base = (
        f"CASE WHEN JSON_VALID({current}) THEN CASE JSON_TYPE({current}) "
        f"WHEN 'OBJECT' THEN {current} ELSE JSON_OBJECT() END "
        f"ELSE JSON_OBJECT() END"
    )
    document = _set_paths_sql(
        compiler,
        "JSON_SET",
        base,
        entries,
        10_000,
        "JSON_OBJECT",
        kw,
        conditional=True,
    )
    return f"JSON_REMOVE({document}, {_literal(compiler, json_path(NOOP_KEY))})"


# -- reading a stamp back in SQL ----------------------------------------------


class StampOf(ColumnElement[dt.datetime]):
    """The text stamp of field ``key`` inside ``changes``, typed to compare
    with aware datetimes and to load as one."""

    type = StampText()
    inherit_cache = True
    # SQLAlchemy's base declares this without ClassVar; mypy refuses one here.
    _traverse_internals: _TraverseInternalsType = [  # noqa: RUF012
        ("changes", InternalTraversal.dp_clauseelement),
        ("field", InternalTraversal.dp_string),
    ]

    def __init__(self, changes: ColumnElement[Any], field: str) -> None:
        self.changes = changes
        self.field = field

    @property
    def _from_objects(self) -> list[FromClause]:
        # So that select(...).where(updated_at_of(...)) finds its table.
        return self.changes._from_objects


compiles(StampOf)(_unsupported)


@compiles(StampOf, "postgresql")
def _stamp_of_pg(element: StampOf, compiler: SQLCompiler, **kw: Any) -> str:
    # ->> on jsonb is IMMUTABLE, so this exact expression can be indexed.
    changes = compiler.process(element.changes, **kw)
    return f"(({changes} -> {_literal(compiler, element.field)}) ->> 'updated_at')"


@compiles(StampOf, "sqlite")
def _stamp_of_sqlite(element: StampOf, compiler: SQLCompiler, **kw: Any) -> str:
    changes = compiler.process(element.changes, **kw)
    path = _literal(compiler, json_path(element.field) + ".updated_at")
    return f"json_extract({changes}, {path})"


@compiles(StampOf, *_MYSQL)
def _stamp_of_mysql(element: StampOf, compiler: SQLCompiler, **kw: Any) -> str:
    changes = compiler.process(element.changes, **kw)
    path = _literal(compiler, json_path(element.field) + ".updated_at")
    return f"JSON_UNQUOTE(JSON_EXTRACT({changes}, {path}))"
