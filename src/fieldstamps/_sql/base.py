"""The SQL elements that stamp rows, and every rule they share across dialects.

An element's SQL is written by one function here, which applies the rules
below and asks the dialect's module (``postgresql.py``, ``sqlite.py``,
``mysql.py``: the same functions in each, see :class:`DialectSql`) for the
dialect's own SQL text. ``__init__.py`` registers them with ``@compiles``.

The shared rules:

* a dialect without a module is refused (:class:`UnsupportedDatabaseError`);
* an UPDATE compares and rewrites only the fields it assigns, and a stamp
  whose fields it does not assign is assigned to itself; each stamp's SET
  value is recorded (:func:`recording_set_items`) so that ``dml.py`` can drop
  such items and, where SET is assigned left to right, put stamps first;
* an INSERT records, for a column it leaves out, the value the database will
  store when that can be known from the column's server default, and no value
  when it cannot;
* function calls are chunked below the databases' argument limits.

Values being written are referred to with ``from_dml_column()``, so one
``default=``/``onupdate=`` expression serves every compiled INSERT and UPDATE.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from sqlalchemy import (
    Boolean,
    ColumnClause,
    ColumnElement,
    String,
    Table,
    TextClause,
    case,
    cast,
    or_,
)
from sqlalchemy.engine import Connection
from sqlalchemy.engine.interfaces import DBAPICursor
from sqlalchemy.exc import CompileError
from sqlalchemy.sql import ClauseElement, FromClause
from sqlalchemy.sql.compiler import SQLCompiler, StrSQLCompiler
from sqlalchemy.sql.expression import from_dml_column
from sqlalchemy.sql.visitors import InternalTraversal, _TraverseInternalsType
from sqlalchemy.types import TypeEngine

from .._compat import (
    from_objects,
    is_dml_target_copy,
    name_copied_binds,
    statement_parameter_keys,
)
from .._errors import UnsupportedDatabaseError
from .._spec import key_of
from .._types import StampText, UTCDateTime, ValueKind, value_kind

#: The scratch key that SQLite's JSON merge writes an unchanged field's entry
#: to, and removes again (MariaDB/MySQL's points below it, where nothing is
#: written); no field may be named so.
NOOP_KEY = "~fieldstamps-noop"


# -- writing SQL ----------------------------------------------------------------


@dataclass(frozen=True)
class Writer:
    """What a dialect module needs from the compiler: nested SQL and literals."""

    compiler: SQLCompiler
    kw: dict[str, Any]

    def sql(self, element: ClauseElement) -> str:
        return str(self.compiler.process(element, **self.kw))

    def literal(self, text: str) -> str:
        # Quoted and escaped for the dialect, including the doubled % that
        # format-paramstyle drivers need.
        return str(self.compiler.render_literal_value(text, String()))

    def quoted_column(self, column: ColumnElement[Any]) -> str:
        assert isinstance(column, ColumnClause)
        return str(self.compiler.preparer.format_column(column))


@dataclass(frozen=True)
class Entry:
    """One field's entry in ``changes``, as SQL."""

    key: str
    #: The ``{"value": ..., "updated_at": ...}`` object.
    document: str
    #: True when the field's value changes; empty on INSERT, where all do.
    changed: str = ""


@dataclass(frozen=True)
class TriggerTarget:
    """What a dialect needs to write one table's fieldstamps triggers: quoted
    names, and each stamp's (quoted column, SQL of its value) on INSERT and on
    UPDATE, written with ``OLD``/``NEW``."""

    table: str
    name: str
    #: ``name`` unquoted, as the catalog spells it.
    catalog_name: str
    #: Quotes an identifier for the dialect (names built from ``catalog_name``).
    quote: Callable[[str], str]
    key: tuple[str, ...]
    #: The table's own columns (every column but the stamps).
    own_columns: tuple[str, ...]
    on_insert: tuple[tuple[str, str], ...]
    on_update: tuple[tuple[str, str], ...]
    #: An UPDATE's assignments while paused: every stamp kept, ``changes``
    #: values following the columns.
    on_paused_update: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ChangesFunctionTarget:
    """What a dialect needs to write a table's ``changes`` function: its
    quoted name, a (quoted name, type) per argument, and the SQL of the
    object it returns, written with the arguments and ``stamp``."""

    name: str
    #: ``name`` unquoted, as the catalog spells it.
    catalog_name: str
    arguments: tuple[tuple[str, str], ...]
    #: The variable holding the stamp text, which ``document`` reads, and
    #: the SQL computing it.
    stamp: str
    stamp_value: str
    document: str


@dataclass(frozen=True)
class ChangesFunction:
    """How a dialect writes a table's ``changes`` function."""

    #: The statements installing and removing it, and its body.
    sql: Callable[[ChangesFunctionTarget], TriggerSql]
    #: The type a field's value is handed to it as: the one its JSON form is
    #: computed from, so that it is computed as from the value itself.
    argument_type: Callable[[ColumnElement[Any]], TypeEngine[Any]]
    #: Whether a call casts each value to its argument's type: PostgreSQL
    #: resolves a function by its arguments' types, and an untyped parameter
    #: finds none; MariaDB converts each value to its argument's type itself.
    cast_arguments: bool
    #: The SQL the body reads an argument with, given its name and column.
    read_argument: Callable[[str, ColumnElement[Any]], str] = lambda name, _: name


#: What every database object of fieldstamps is named with.
PREFIX = "fieldstamps_"


#: The history table's columns beside the model's key, as the triggers fill
#: them.
HISTORY_COLUMNS = (
    "field",
    "old",
    "new",
    "changed_at",
    "operation",
    "transaction_id",
    "actor",
    "reason",
    "context",
)


@dataclass(frozen=True)
class HistoryField:
    """One field a history trigger records, as SQL written with OLD/NEW."""

    #: The field's key as an SQL string literal.
    key: str
    #: True when an UPDATE changed the field (NULL-safe, as the stamps see it).
    changed: str
    #: The JSON document of the old and of the new value ('null' for SQL
    #: NULL; NULL where no value is stored: redacted, or no JSON form).
    old: str
    new: str


@dataclass(frozen=True)
class HistoryTarget:
    """What a dialect needs to write one table's history triggers."""

    #: The model's table and its history table, quoted.
    table: str
    history: str
    #: The triggers' base name, unquoted (``fieldstamps_<table>_history``).
    catalog_name: str
    quote: Callable[[str], str]
    #: The primary-key columns, quoted; the history table names them alike.
    key: tuple[str, ...]
    #: The recorded fields' columns, quoted (SQLite's ``UPDATE OF``).
    columns: tuple[str, ...]
    fields: tuple[HistoryField, ...]
    #: The clock, as the stamps read it (one instant per statement).
    now: str

    def insert_into(self) -> str:
        names = ", ".join((*self.key, *HISTORY_COLUMNS))
        return f"INSERT INTO {self.history} ({names})"

    def row(self, which: str) -> str:
        """The primary key of the OLD or NEW row, as a VALUES prefix."""
        return ", ".join(f"{which}.{column}" for column in self.key)

    def values(
        self, operation: str, tail: str, fields: Sequence[HistoryField] | None = None
    ) -> str:
        """VALUES rows of ``operation``'s entries of ``fields`` (default:
        all), each ending with ``tail``: the transaction id, actor, reason
        and context as the dialect reads them."""
        which = "OLD" if operation == "delete" else "NEW"
        rows = []
        for field in self.fields if fields is None else fields:
            old = "NULL" if operation == "insert" else field.old
            new = "NULL" if operation == "delete" else field.new
            rows.append(
                f"({self.row(which)}, {field.key}, {old}, {new}, {self.now}, "
                f"'{operation}', {tail})"
            )
        return ", ".join(rows)


#: Where each trigger body carries its hash: the hash is computed with the
#: slot in place, then written into it (``_triggers``). Each dialect puts it
#: behind a mark of its own (``DialectSql.hash_mark``), in a form its tools
#: keep: a comment where they keep comments, a block label on MariaDB/MySQL,
#: whose console and dump restore drop comments from a trigger's body.
HASH_SLOT = "<hash>"


@dataclass(frozen=True)
class TriggerSql:
    """One table's trigger SQL, with ``hash_mark`` + :data:`HASH_SLOT` in
    every body."""

    install: list[str]
    uninstall: list[str]
    #: (trigger name as the catalog spells it, its body exactly as the
    #: catalog returns it): what ``check`` re-hashes.
    bodies: list[tuple[str, str]]


@dataclass(frozen=True)
class PauseMark:
    """How a dialect tells its triggers that a transaction is paused
    (:func:`fieldstamps.paused`): a mark set and cleared on the connection."""

    #: True, inside a trigger, while the mark is set.
    condition: str
    set_sql: str
    clear_sql: str
    #: Whether the database clears the mark at the transaction's end itself.
    ends_with_transaction: bool
    #: A query returning a row where the mark can be set, None where it always
    #: can (SQLite's mark lives in a table that only databases with
    #: trigger-mode tables have: without one there is nothing to tell).
    settable_sql: str | None = None
    #: The other mark, for ``backfill()``: an UPDATE's stamps are kept as it
    #: writes them. None where the UPDATE triggers never see a write of
    #: stamp columns alone (SQLite's listen to the table's own columns).
    keep_condition: str | None = None
    keep_sql: str | None = None

    def set(self, cursor: DBAPICursor) -> bool:
        """Set the mark; False where there is nothing to mark."""
        if self.settable_sql is not None:
            cursor.execute(self.settable_sql)
            if cursor.fetchone() is None:
                return False
        cursor.execute(self.set_sql)
        return True

    def clear(self, cursor: DBAPICursor) -> None:
        cursor.execute(self.clear_sql)


@dataclass(frozen=True)
class HistoryContext:
    """How a client hands actor, reason and context to the history triggers
    of its transaction, and what it must undo when the transaction ends."""

    #: Statements with the named parameters ``actor``, ``reason`` and
    #: ``context`` (None when unset), run once per transaction and again
    #: when the values change inside it.
    send: tuple[str, ...]
    #: Run before commit and rollback and at pool check-in by a connection
    #: that may have written history: what would otherwise outlive the
    #: transaction (a session variable, a marker row). Empty where the
    #: database ends it with the transaction.
    end: tuple[str, ...] = ()
    #: A query returning a row where there is anything to send to or end
    #: (SQLite's marker table exists only where history was installed).
    present_sql: str | None = None
    #: Whether a context cannot be sent as SQL NULL (PostgreSQL's settings
    #: hold text: the empty string stands for none).
    null_as_empty: bool = False


@dataclass(frozen=True)
class InstalledTrigger:
    """A ``fieldstamps_`` trigger as the database's catalog holds it."""

    name: str
    table: str
    #: The part of its definition the database keeps verbatim.
    body: str
    #: False where the database lets a trigger be disabled and it is.
    enabled: bool
    #: Statements removing it (and, on PostgreSQL, its function).
    drop: tuple[str, ...]
    #: Statements creating it again as it is (and, on PostgreSQL, its
    #: function first): what a migration's downgrade puts back.
    create: tuple[str, ...]


class DialectSql(Protocol):
    """The functions each dialect module defines; their SQL differs, their
    meaning does not."""

    #: Whether ``SET a = ..., b = ...`` assigns left to right, a later value
    #: seeing an earlier new one (MariaDB, MySQL): stamps must then come
    #: first, while their columns still hold the old values.
    assigns_left_to_right: bool

    def utc_now(self, w: Writer) -> str:
        """The statement's server instant, as stored in stamp columns."""

    def utc_now_text(self, w: Writer) -> str:
        """The same instant in the stamp's fixed-width text form."""

    def value_changed(
        self, w: Writer, old: str, new: str, kind: ValueKind | None
    ) -> str:
        """True when ``new`` is NULL-safely distinct from ``old``."""

    def json_value(
        self, w: Writer, column: ColumnElement[Any], expr: ColumnElement[Any]
    ) -> str:
        """``expr``, a value of ``column``, as a JSON value of its kind."""

    def json_object(self, pairs: Sequence[tuple[str, str]]) -> str:
        """A JSON object of (quoted key, value) SQL pairs."""

    def changes_on_insert(self, w: Writer, entries: Sequence[Entry]) -> str:
        """A new row's ``changes``: every entry."""

    def changes_on_update(
        self, w: Writer, current: str, entries: Sequence[Entry]
    ) -> str:
        """``current`` (or ``{}`` where it is not an object) with each entry
        whose field changed replaced."""

    def stamp_of(self, w: Writer, changes: str, field: str) -> str:
        """The text stamp of ``field`` inside ``changes``."""

    def statement_prefix(self, w: Writer, *, reads_own_columns: bool) -> str:
        """What an UPDATE or upsert of a stamped table is prefixed with."""

    #: How triggers learn that the writing transaction is paused.
    pause_mark: PauseMark
    #: What stands before the hash in a trigger body (:data:`HASH_SLOT`).
    hash_mark: str
    #: Whether a statement's RETURNING gives the row before its triggers
    #: stamped it (SQLite's AFTER triggers), so the stamps are read again.
    returning_precedes_triggers: bool
    #: Tables the triggers keep for themselves, which no model declares (so
    #: a migration must not drop them).
    own_tables: tuple[str, ...]

    #: Where an INSERT's ``changes`` is one call of a function created with
    #: the table (PostgreSQL: planning the object spelt out in every row of
    #: a batch costs more than computing it; MariaDB: evaluating it, per
    #: field), how that function is written; None where INSERTs spell it
    #: out (SQLite).
    changes_function: ChangesFunction | None

    def history_sql(self, target: HistoryTarget) -> TriggerSql:
        """The triggers recording ``target``'s history (with no fields:
        only their removal is meaningful, by name)."""
        ...

    def json_document(self, w: Writer, value: str) -> str:
        """``value``, a :meth:`json_value` result, as JSON text ('null' for
        SQL NULL), as history stores it."""
        ...

    #: How a client tells the history triggers who writes, per transaction.
    history_context: HistoryContext

    def poll_history(
        self,
        connection: Connection,
        table: Table,
        columns: Sequence[ColumnElement[Any]],
        cursor: str | None,
    ) -> tuple[list[Any], str]:
        """The history entries (as ``columns``) committed since ``cursor``
        (None: since the start), and the cursor of the next poll."""
        ...

    def trigger_sql(self, target: TriggerTarget) -> TriggerSql:
        """The statements installing, and those removing, ``target``'s
        triggers, and their bodies as the catalog will return them."""

    def installed_triggers(
        self, connection: Connection, schema: str | None
    ) -> list[InstalledTrigger]:
        """The ``fieldstamps_`` triggers of ``schema`` (None: the connection's
        default one), read from the catalog."""

    def script(self, statements: Sequence[str]) -> str:
        """``statements`` as one script the database's console runs."""

    def stamp_text_of(self, w: Writer, instant: str) -> str:
        """``instant``, a value as stamp columns store it, in the stamp's
        fixed-width text form (NULL stays NULL)."""

    def changes_lack(self, w: Writer, changes: str, keys: Sequence[str]) -> str:
        """True where ``changes`` is not a JSON object or has no entry for one
        of ``keys`` (NULL included)."""

    def changes_backfill(
        self, w: Writer, current: str, entries: Sequence[Entry]
    ) -> str:
        """``current`` (or ``{}`` where it is not an object) with each entry
        added whose key it lacks; an entry it has is never replaced."""


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def json_path(key: str) -> str:
    """A JSON path naming one top-level key, quoted so any key is a label."""
    return '$."' + key + '"'


def stamp_path(field: str) -> str:
    """The JSON path of ``field``'s stamp inside ``changes``."""
    return json_path(field) + ".updated_at"


@dataclass(frozen=True)
class JsonSetSyntax:
    """A ``changes`` merge built from ``json_set``-style calls, as SQLite and
    MariaDB/MySQL write it; they differ only in these names.

    ``json_set`` has no "skip this pair": an unchanged field's pair writes
    NULL to the scratch key :data:`NOOP_KEY`, removed at the end. A CASE
    around the whole document per field would grow exponentially. Where
    ``json_set`` ignores a path under a member that is not there
    (``ignores_missing_parent``: MariaDB/MySQL; SQLite creates it), the pair
    points below the scratch key instead, and there is nothing to remove:
    one pass over the document fewer per row.
    """

    set_fn: str
    remove_fn: str
    valid_fn: str
    type_fn: str
    object_fn: str
    object_type: str
    empty: str
    pairs_per_call: int
    ignores_missing_parent: bool

    def _noop_path(self) -> str:
        path = json_path(NOOP_KEY)
        return path + '."~"' if self.ignores_missing_parent else path

    def json_object(self, pairs: Sequence[tuple[str, str]]) -> str:
        return f"{self.object_fn}({', '.join(f'{k}, {v}' for k, v in pairs)})"

    def _set_paths(self, w: Writer, document: str, entries: Sequence[Entry]) -> str:
        noop = w.literal(self._noop_path())
        for chunk in chunks(entries, self.pairs_per_call):
            args = [document]
            for entry in chunk:
                path = w.literal(json_path(entry.key))
                value = entry.document
                if entry.changed:
                    path = f"CASE WHEN {entry.changed} THEN {path} ELSE {noop} END"
                    value = f"CASE WHEN {entry.changed} THEN {value} END"
                args += [path, value]
            document = f"{self.set_fn}({', '.join(args)})"
        return document

    def changes_on_insert(self, w: Writer, entries: Sequence[Entry]) -> str:
        # A new row's document is built whole by the object function, not set
        # pair by pair into an empty one: MariaDB's json_set rewrites the
        # document once per pair (13x the time at 50 fields), SQLite's 1.2-1.5x
        # (docs/design/performance.md). Pairs beyond one call's argument limit
        # are set into it.
        if not entries:
            return self.empty
        first = entries[: self.pairs_per_call]
        document = self.json_object(
            [(w.literal(entry.key), entry.document) for entry in first]
        )
        return self._set_paths(w, document, entries[self.pairs_per_call :])

    def changes_on_update(
        self, w: Writer, current: str, entries: Sequence[Entry]
    ) -> str:
        # Nested CASE: SQLite's AND does not promise to skip the type check
        # on text that is not JSON, which would raise.
        base = (
            f"CASE WHEN {self.valid_fn}({current}) THEN "
            f"CASE {self.type_fn}({current}) WHEN '{self.object_type}' "
            f"THEN {current} ELSE {self.empty} END ELSE {self.empty} END"
        )
        if len(entries) == 1 and entries[0].changed:
            # One field: set only where it changed and leave the document as
            # it is elsewhere, with no scratch key to remove, and no parse of
            # the document at all for a row whose value is unchanged.
            entry = entries[0]
            path = w.literal(json_path(entry.key))
            changed = f"{self.set_fn}({base}, {path}, {entry.document})"
            return f"CASE WHEN {entry.changed} THEN {changed} ELSE {current} END"
        document = self._set_paths(w, base, entries)
        if self.ignores_missing_parent:
            return document
        return f"{self.remove_fn}({document}, {w.literal(json_path(NOOP_KEY))})"


# -- what the statement being compiled writes ------------------------------------


def _written_keys(compiler: SQLCompiler) -> frozenset[str] | None:
    """Keys of the columns the INSERT/UPDATE being compiled is given values
    for; None where that is not known (multi-table UPDATEs).

    Safe with the statement cache: SQLAlchemy caches a compiled statement per
    set of parameter keys.
    """
    state = getattr(compiler, "compile_state", None)
    if state is None or getattr(state, "is_multitable", False):
        return None
    keys = set(compiler.column_keys or ())
    for key in map(key_of, statement_parameter_keys(compiler) or ()):
        if key is not None:
            keys.add(key)
    return frozenset(keys)


def _is_update(compiler: SQLCompiler) -> bool:
    return bool(getattr(getattr(compiler, "compile_state", None), "isupdate", False))


def cannot_change(
    compiler: SQLCompiler, column: ColumnElement[Any], new: ColumnElement[Any]
) -> bool:
    """True when ``new`` copies the UPDATE's value for a column it leaves
    alone, which ``from_dml_column`` would render as the column itself."""
    if not is_dml_target_copy(new) or not _is_update(compiler):
        return False
    written = _written_keys(compiler)
    return written is not None and column.key not in written


_TRUE = frozenset({"1", "t", "true", "y", "yes", "on"})
_FALSE = frozenset({"0", "f", "false", "n", "no", "off"})


def _server_default_sql(w: Writer, column: ColumnElement[Any]) -> str | None:
    """SQL for what the database stores in ``column`` when an INSERT leaves it
    out; None where the statement cannot know it (a ``FetchedValue``, or a
    string default that does not read as a value of the column's kind)."""
    server_default = getattr(column, "server_default", None)
    if server_default is None:
        return "NULL"
    arg = getattr(server_default, "arg", None)
    if isinstance(arg, TextClause | ColumnElement):
        return w.sql(arg)
    if not isinstance(arg, str):
        return None
    # server_default="7" is DEFAULT '7' in the DDL, which the database casts
    # to the column's type: the copy must hold the 7 it stores, not "7".
    kind = value_kind(column.type)
    value: object = arg
    try:
        if kind is ValueKind.INTEGER:
            value = int(arg)
        elif kind is ValueKind.FLOAT:
            value = float(arg)
        elif kind is ValueKind.DECIMAL:
            value = Decimal(arg)
        elif kind is ValueKind.BOOLEAN:
            word = arg.strip().lower()
            if word not in _TRUE | _FALSE:
                return None
            value = word in _TRUE
        return str(w.compiler.render_literal_value(value, column.type))
    except (ValueError, InvalidOperation, CompileError, NotImplementedError):
        return None


class Verbatim(ColumnElement[Any]):
    """SQL text already written for the dialect, typed as ``column``."""

    inherit_cache = False  # made while compiling, never part of a cache key

    def __init__(self, sql: str, column: ColumnElement[Any]) -> None:
        self.sql = sql
        self.type = column.type


def compile_verbatim(element: Verbatim, compiler: SQLCompiler, **kw: Any) -> str:
    return element.sql


# -- elements -------------------------------------------------------------------

# SQLAlchemy declares ``_traverse_internals`` without ClassVar; mypy refuses
# one here, hence the RUF012 ignores below.


class UtcNow(ColumnElement[dt.datetime]):
    """The database server's current instant, as stored in stamp columns.

    PostgreSQL: ``now()`` (the transaction's start, as for ``func.now()``);
    SQLite and MariaDB/MySQL: the statement's time, constant within it.
    """

    type = UTCDateTime()
    inherit_cache = True
    _traverse_internals: _TraverseInternalsType = []  # noqa: RUF012


class TouchedAt(ColumnElement[dt.datetime]):
    """``updated_at`` after an UPDATE: the server's now, or, in a statement
    compiled paused, the column as it was."""

    type = UTCDateTime()
    inherit_cache = True
    _traverse_internals: _TraverseInternalsType = [  # noqa: RUF012
        ("column", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: ColumnElement[Any]) -> None:
        self.column = column


class ValueChanged(ColumnElement[bool]):
    """True when ``new`` is NULL-safely distinct from the column's value."""

    type = Boolean()
    inherit_cache = True
    _traverse_internals: _TraverseInternalsType = [  # noqa: RUF012
        ("column", InternalTraversal.dp_clauseelement),
        ("new", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: ColumnElement[Any], new: ColumnElement[Any]) -> None:
        self.column = column
        self.new = new


class StampOnUpdate(ColumnElement[dt.datetime]):
    """A ``changed_at()`` column after an UPDATE: the server's now when one of
    ``watched`` changes, else the column as it was.

    ``news`` default to the values the statement assigns (``from_dml_column``);
    an upsert passes its own.
    """

    type = UTCDateTime()
    inherit_cache = True
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


class JsonValue(ColumnElement[Any]):
    """``expr`` (a value of ``column``) written as a JSON value of its kind."""

    type = String()
    inherit_cache = True
    _traverse_internals: _TraverseInternalsType = [  # noqa: RUF012
        ("column", InternalTraversal.dp_clauseelement),
        ("expr", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: ColumnElement[Any], expr: ColumnElement[Any]) -> None:
        self.column = column
        self.expr = expr


class JsonDocument(JsonValue):
    """``expr`` as JSON text ('null' for SQL NULL): how history stores a value."""

    inherit_cache = True


_Field = tuple[str, ColumnElement[Any], ColumnElement[Any], bool]


class _ChangesElement(ColumnElement[Any]):
    """Shared state of the INSERT and UPDATE forms of the ``changes`` value.

    ``keys[i]`` names the field of ``columns[i]``; ``news[i]`` is the value
    written to it (``from_dml_column`` unless an upsert passes its own);
    ``stored[i]`` is ``"1"`` when the value is wanted beside the stamp.
    """

    type = String()
    inherit_cache = True
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

    def fields(self) -> Iterator[_Field]:
        """(key, column, value written, whether the value is stored) per field.

        A wanted value is stored where the column's type has a JSON form,
        decided here, at compile time: a ``ForeignKey`` column declared
        without a type has none until its target table exists.
        """
        for key, column, new, wanted in zip(
            self.keys, self.columns, self.news, self.stored, strict=True
        ):
            yield key, column, new, bool(wanted) and value_kind(column.type) is not None


class ChangesOnInsert(_ChangesElement):
    """The whole ``changes`` object of a new row: every field, stamped now.

    ``by_function``: where the dialect has a per-table function writing the
    object (:attr:`DialectSql.changes_function`), an INSERT calls it with
    the fields' values instead of spelling the object out in every row.
    ``stamp``: SQL of the stamp text, when it is already at hand (that
    function's body computes it once).
    """

    inherit_cache = True
    _traverse_internals: _TraverseInternalsType = [  # noqa: RUF012
        *_ChangesElement._traverse_internals,
        ("by_function", InternalTraversal.dp_boolean),
        ("stamp", InternalTraversal.dp_string),
    ]

    def __init__(
        self,
        changes: ColumnElement[Any],
        fields: Sequence[tuple[str, ColumnElement[Any], bool]],
        news: Sequence[ColumnElement[Any]] | None = None,
        *,
        by_function: bool = False,
        stamp: str = "",
    ) -> None:
        super().__init__(changes, fields, news)
        self.by_function = by_function
        self.stamp = stamp


class ChangesOnUpdate(_ChangesElement):
    """The ``changes`` object after an UPDATE: the current object (or ``{}``
    where it is not one) with an entry replaced for each field whose value
    changed.

    ``paused`` (or a statement compiled paused) keeps each entry's stamp and
    replaces only its value.
    """

    inherit_cache = True
    _traverse_internals: _TraverseInternalsType = [  # noqa: RUF012
        *_ChangesElement._traverse_internals,
        ("paused", InternalTraversal.dp_boolean),
    ]

    def __init__(
        self,
        changes: ColumnElement[Any],
        fields: Sequence[tuple[str, ColumnElement[Any], bool]],
        news: Sequence[ColumnElement[Any]] | None = None,
        *,
        paused: bool = False,
    ) -> None:
        super().__init__(changes, fields, news)
        self.paused = paused


class StampOf(ColumnElement[dt.datetime]):
    """The text stamp of field ``key`` inside ``changes``, typed to compare
    with aware datetimes and to load as one."""

    type = StampText()
    inherit_cache = True
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
        return from_objects(self.changes)


# -- compiling them -------------------------------------------------------------


def unsupported(element: ClauseElement, compiler: SQLCompiler, **kw: Any) -> str:
    """The compiler of every element on a dialect without a module."""
    if isinstance(compiler, StrSQLCompiler):
        # str(statement) with no dialect: a readable stand-in, not SQL.
        return f"fieldstamps.{type(element).__name__}(...)"
    raise UnsupportedDatabaseError(compiler.dialect.name)


def compile_utc_now(
    dialect: DialectSql, element: UtcNow, compiler: SQLCompiler, **kw: Any
) -> str:
    return dialect.utc_now(Writer(compiler, kw))


def compile_touched_at(
    dialect: DialectSql, element: TouchedAt, compiler: SQLCompiler, **kw: Any
) -> str:
    w = Writer(compiler, kw)
    if _paused(compiler, element):
        return _set_item(w, element.column, _self_assignment(w, element.column))
    return dialect.utc_now(w)


def compile_value_changed(
    dialect: DialectSql, element: ValueChanged, compiler: SQLCompiler, **kw: Any
) -> str:
    w = Writer(compiler, kw)
    old, new = w.sql(element.column), w.sql(element.new)
    return dialect.value_changed(w, old, new, value_kind(element.column.type))


def compile_json_value(
    dialect: DialectSql, element: JsonValue, compiler: SQLCompiler, **kw: Any
) -> str:
    return dialect.json_value(Writer(compiler, kw), element.column, element.expr)


def compile_json_document(
    dialect: DialectSql, element: JsonDocument, compiler: SQLCompiler, **kw: Any
) -> str:
    w = Writer(compiler, kw)
    return dialect.json_document(w, dialect.json_value(w, element.column, element.expr))


_SET_ITEMS = "_fieldstamps_set_items"
_PAUSED = "_fieldstamps_paused"


@contextmanager
def compiling_paused(compiler: SQLCompiler, paused: bool) -> Iterator[None]:
    """Compile the statement's stamps as :func:`fieldstamps.paused` asks:
    kept as they are, ``changes`` values following the columns."""
    outer = getattr(compiler, _PAUSED, False)
    setattr(compiler, _PAUSED, paused)
    try:
        yield
    finally:
        setattr(compiler, _PAUSED, outer)


def _paused(compiler: SQLCompiler, element: ClauseElement) -> bool:
    return bool(getattr(element, "paused", False) or getattr(compiler, _PAUSED, False))


@contextmanager
def recording_set_items(compiler: SQLCompiler) -> Iterator[list[tuple[str, str]]]:
    """Collect, while a statement is compiled, the (quoted column name, value
    SQL) of each stamp in its SET; a stamp that cannot move has its own name
    as value. Nested statements record their own."""
    outer = getattr(compiler, _SET_ITEMS, None)
    items: list[tuple[str, str]] = []
    setattr(compiler, _SET_ITEMS, items)
    try:
        yield items
    finally:
        setattr(compiler, _SET_ITEMS, outer)


def _set_item(w: Writer, column: ColumnElement[Any], sql: str) -> str:
    items = getattr(w.compiler, _SET_ITEMS, None)
    if items is not None:
        items.append((w.quoted_column(column), sql))
    return sql


def _self_assignment(w: Writer, column: ColumnElement[Any]) -> str:
    """The value of a stamp the statement cannot move: the column, unqualified,
    so that ``dml.py`` recognises ``col=col`` and drops it. Only reached for
    single-table UPDATEs, where the bare name is the row's own column."""
    return w.quoted_column(column)


def compile_stamp_on_update(
    dialect: DialectSql, element: StampOnUpdate, compiler: SQLCompiler, **kw: Any
) -> str:
    moved = [
        ValueChanged(target, new)
        for target, new in zip(element.watched, element.news, strict=True)
        if not cannot_change(compiler, target, new)
    ]
    w = Writer(compiler, kw)
    if not moved or _paused(compiler, element):
        return _set_item(w, element.column, _self_assignment(w, element.column))
    sql = w.sql(case((or_(*moved), UtcNow()), else_=element.column))
    return _set_item(w, element.column, sql)


def _entry_document(
    dialect: DialectSql, w: Writer, now: str, value: ColumnElement[Any] | None
) -> str:
    pairs = [] if value is None else [("'value'", w.sql(value))]
    return dialect.json_object([*pairs, ("'updated_at'", now)])


def compile_changes_on_insert(
    dialect: DialectSql, element: ChangesOnInsert, compiler: SQLCompiler, **kw: Any
) -> str:
    w = Writer(compiler, kw)
    written = _written_keys(compiler)
    values: list[tuple[str, ColumnElement[Any], ColumnElement[Any] | None]] = []
    copied: list[str] = []
    unknown = False
    for key, column, new, store in element.fields():
        value: ColumnElement[Any] | None = None
        if store and _in_insert(column, written):
            value = new
            copied.append(str(column.key))
        elif store and (default := _server_default_sql(w, column)) is not None:
            value = Verbatim(default, column)
        unknown = unknown or (store and value is None)
        values.append((key, column, value))
    name_copied_binds(kw, copied)
    table = getattr(element.changes, "table", None)
    if (
        element.by_function
        and not unknown
        and isinstance(table, Table)
        and dialect.changes_function is not None
        and has_changes_function(element)
    ):
        function = dialect.changes_function
        arguments = [
            w.sql(
                cast(value, function.argument_type(column))
                if function.cast_arguments
                else value
            )
            for _, column, value in values
            if value is not None
        ]
        return f"{changes_function_name(w, table)}({', '.join(arguments)})"
    now = element.stamp or dialect.utc_now_text(w)
    entries = [
        Entry(
            key,
            _entry_document(
                dialect, w, now, None if value is None else JsonValue(column, value)
            ),
        )
        for key, column, value in values
    ]
    return dialect.changes_on_insert(w, entries)


#: The most arguments a PostgreSQL function takes (MariaDB takes more; one
#: limit keeps the SQL of one table the same shape on both): a table storing
#: more values than this spells its ``changes`` out in every INSERT.
MAX_FUNCTION_ARGUMENTS = 100


def has_changes_function(element: ChangesOnInsert) -> bool:
    """Whether a per-table ``changes`` function can take ``element``'s
    stored values as its arguments."""
    stored = sum(1 for _, _, _, store in element.fields() if store)
    return stored <= MAX_FUNCTION_ARGUMENTS


def changes_function_name(w: Writer, table: Table) -> str:
    """The per-table ``changes`` function of ``table``, quoted, in the
    table's schema."""
    preparer = w.compiler.preparer
    name = preparer.quote(f"{PREFIX}{table.name}_changes")
    if table.schema is None:
        return name
    return f"{preparer.quote_schema(table.schema)}.{name}"


def _in_insert(column: ColumnElement[Any], written: frozenset[str] | None) -> bool:
    # SQLAlchemy puts a column with a client-side default into every INSERT.
    return (
        written is None
        or column.key in written
        or getattr(column, "default", None) is not None
    )


def compile_changes_on_update(
    dialect: DialectSql, element: ChangesOnUpdate, compiler: SQLCompiler, **kw: Any
) -> str:
    w = Writer(compiler, kw)
    paused = _paused(compiler, element)
    fields = [
        (key, column, new, store)
        for key, column, new, store in element.fields()
        if not cannot_change(compiler, column, new)
        # Paused, an entry changes only where it holds the value.
        and (store or not paused)
    ]
    if not fields:
        return _set_item(w, element.changes, _self_assignment(w, element.changes))
    current = w.sql(element.changes)
    now = dialect.utc_now_text(w)
    entries = [
        Entry(
            key,
            _entry_document(
                dialect,
                w,
                # Paused: the entry keeps its stamp (none where it had none).
                dialect.stamp_of(w, current, key) if paused else now,
                JsonValue(column, new) if store else None,
            ),
            changed=w.sql(ValueChanged(column, new)),
        )
        for key, column, new, store in fields
    ]
    sql = dialect.changes_on_update(w, current, entries)
    return _set_item(w, element.changes, sql)


def compile_stamp_of(
    dialect: DialectSql, element: StampOf, compiler: SQLCompiler, **kw: Any
) -> str:
    w = Writer(compiler, kw)
    return dialect.stamp_of(w, w.sql(element.changes), element.field)


COMPILERS: dict[type[ColumnElement[Any]], Callable[..., str]] = {
    UtcNow: compile_utc_now,
    TouchedAt: compile_touched_at,
    ValueChanged: compile_value_changed,
    StampOnUpdate: compile_stamp_on_update,
    JsonValue: compile_json_value,
    JsonDocument: compile_json_document,
    ChangesOnInsert: compile_changes_on_insert,
    ChangesOnUpdate: compile_changes_on_update,
    StampOf: compile_stamp_of,
}


# -- backfill: what rows written before tracking lack ----------------------------
#
# ``fieldstamps.backfill()`` (``_backfill.py``) fills them with one UPDATE per
# batch, built from these elements; nothing is read into Python.


class StampTextOf(ColumnElement[str]):
    """``instant``, a value of a stamp column (:class:`UTCDateTime`), in the
    stamp's fixed-width text form, as ``changes`` holds stamps."""

    type = String()
    inherit_cache = True
    _traverse_internals: _TraverseInternalsType = [  # noqa: RUF012
        ("instant", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, instant: ColumnElement[Any]) -> None:
        self.instant = instant


class ChangesLack(ColumnElement[bool]):
    """True where ``changes`` is not a JSON object or has no entry for one of
    ``keys``: the rows a backfill has something to add to."""

    type = Boolean()
    inherit_cache = True
    _traverse_internals: _TraverseInternalsType = [  # noqa: RUF012
        ("changes", InternalTraversal.dp_clauseelement),
        ("keys", InternalTraversal.dp_string_list),
    ]

    def __init__(self, changes: ColumnElement[Any], keys: Sequence[str]) -> None:
        self.changes = changes
        self.keys = list(keys)


class ChangesBackfill(_ChangesElement):
    """``changes`` with an entry added for each field it lacks: the value the
    row holds now and, when ``at`` is given, ``at`` (stamp text) as its stamp.

    ``at_nullable`` says that ``at`` can be NULL for some rows; their entries
    then get no stamp rather than ``"updated_at": null``.
    """

    inherit_cache = True
    _traverse_internals: _TraverseInternalsType = [  # noqa: RUF012
        *_ChangesElement._traverse_internals,
        ("at", InternalTraversal.dp_clauseelement),
        ("at_nullable", InternalTraversal.dp_boolean),
    ]

    def __init__(
        self,
        changes: ColumnElement[Any],
        fields: Sequence[tuple[str, ColumnElement[Any], bool]],
        at: ColumnElement[str] | None,
        *,
        at_nullable: bool = False,
    ) -> None:
        # The value recorded is the column's own: there is no new value.
        super().__init__(changes, fields, news=[column for _, column, _ in fields])
        self.at = at
        self.at_nullable = at_nullable and at is not None


def compile_stamp_text_of(
    dialect: DialectSql, element: StampTextOf, compiler: SQLCompiler, **kw: Any
) -> str:
    w = Writer(compiler, kw)
    return dialect.stamp_text_of(w, w.sql(element.instant))


def compile_changes_lack(
    dialect: DialectSql, element: ChangesLack, compiler: SQLCompiler, **kw: Any
) -> str:
    w = Writer(compiler, kw)
    return dialect.changes_lack(w, w.sql(element.changes), element.keys)


def compile_changes_backfill(
    dialect: DialectSql, element: ChangesBackfill, compiler: SQLCompiler, **kw: Any
) -> str:
    w = Writer(compiler, kw)
    at = None if element.at is None else w.sql(element.at)
    entries = []
    for key, column, value, store in element.fields():
        pairs = [("'value'", w.sql(JsonValue(column, value)))] if store else []
        unknown = dialect.json_object(pairs)
        if at is None:
            document = unknown
        else:
            # Same key order as the entries compiled writes make.
            stamped = dialect.json_object([*pairs, ("'updated_at'", at)])
            document = (
                f"CASE WHEN {at} IS NULL THEN {unknown} ELSE {stamped} END"
                if element.at_nullable
                else stamped
            )
        entries.append(Entry(key, document))
    return dialect.changes_backfill(w, w.sql(element.changes), entries)


def json_object_or_empty(syntax: JsonSetSyntax, current: str) -> str:
    """``current`` where it is a JSON object, else an empty one, in the
    ``json_set`` dialects' names (nested CASE, as in ``changes_on_update``)."""
    return (
        f"CASE WHEN {syntax.valid_fn}({current}) THEN "
        f"CASE {syntax.type_fn}({current}) WHEN '{syntax.object_type}' "
        f"THEN {current} ELSE {syntax.empty} END ELSE {syntax.empty} END"
    )


def json_insert_entries(
    syntax: JsonSetSyntax,
    insert_fn: str,
    w: Writer,
    current: str,
    entries: Sequence[Entry],
) -> str:
    """``changes_backfill`` for the ``json_set`` dialects: ``json_insert``
    writes a path only where the document has none, so an entry there wins."""
    document = json_object_or_empty(syntax, current)
    for chunk in chunks(entries, syntax.pairs_per_call):
        args = [document]
        for entry in chunk:
            args += [w.literal(json_path(entry.key)), entry.document]
        document = f"{insert_fn}({', '.join(args)})"
    return document


COMPILERS.update(
    {
        StampTextOf: compile_stamp_text_of,
        ChangesLack: compile_changes_lack,
        ChangesBackfill: compile_changes_backfill,
    }
)
