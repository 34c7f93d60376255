"""Database-enforced capture: triggers that stamp every INSERT and UPDATE,
from any client, exactly as the compiled stamps do.

A class asks for them with ``__fieldstamps__ = {"triggers": True}``;
``metadata.create_all()`` then installs them and ``drop_all()`` removes them,
and SQLAlchemy's own writes leave the stamps to them. :func:`trigger_ddl`
gives the SQL, for migrations or a database console::

    >>> import fieldstamps
    >>> from sqlalchemy import Integer, String
    >>> from sqlalchemy.orm import DeclarativeBase, mapped_column
    >>> class Base(DeclarativeBase):
    ...     pass
    >>> class Note(fieldstamps.TimestampMixin, fieldstamps.ChangeTrackingMixin, Base):
    ...     __tablename__ = "note"
    ...     __fieldstamps__ = {"triggers": True}
    ...     id = mapped_column(Integer, primary_key=True)
    ...     body = mapped_column(String(100))
    >>> ddl = fieldstamps.trigger_ddl(Note, "postgresql")
    >>> ddl.install[-1].split(" ON ")[0]
    'CREATE TRIGGER fieldstamps_note BEFORE INSERT OR UPDATE'
    >>> len(ddl.hash)
    12

The bodies are written by the same per-dialect SQL as the compiled stamps
(``_sql``), with ``OLD``/``NEW`` in place of the row and the statement's
values: one instant per statement, a stamp moves only for a NULL-safely
distinct value, strings compare as binary on MariaDB. PostgreSQL and MariaDB
use BEFORE triggers that assign ``NEW``, so stamps a client writes itself are
replaced; SQLite cannot assign ``NEW``, so an AFTER trigger rewrites the
stamps of the row it just wrote (from ``OLD``, so forged stamps are replaced
there too).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    MetaData,
    Table,
    event,
    literal,
    literal_column,
)
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import Connection, Dialect, Engine, ExceptionContext
from sqlalchemy.engine.default import DefaultDialect
from sqlalchemy.engine.interfaces import DBAPICursor
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql import ClauseElement, TableClause

from ._errors import (
    CatalogError,
    ConfigurationError,
    MissingFunctionError,
    UnsupportedDatabaseError,
)
from ._spec import TableSpec, TrackedField, spec_of
from ._sql import (
    DIALECTS,
    ChangesOnInsert,
    ChangesOnUpdate,
    UtcNow,
    dialect_sql,
    on_driver_cursor,
)
from ._sql.base import (
    HASH_SLOT,
    PREFIX,
    ChangesFunctionTarget,
    HistoryField,
    HistoryTarget,
    InstalledTrigger,
    JsonDocument,
    StampTextOf,
    TriggerSql,
    TriggerTarget,
    ValueChanged,
    has_changes_function,
)
from ._types import value_kind


@dataclass(frozen=True)
class TriggerDDL:
    """The SQL that installs and removes one table's fieldstamps triggers."""

    #: Statements to run in order (functions before the triggers using them).
    install: tuple[str, ...]
    #: Statements to run in order (triggers before their functions).
    uninstall: tuple[str, ...]
    #: A short stable digest of ``install``: of the trigger bodies in it,
    #: each of which carries it as a ``-- fieldstamps <hash>`` line.
    hash: str


# Dialects writing text that a console or migration runs as it is: no
# doubled % (that is for drivers with format-style parameters).
_CONSOLE_DIALECTS: dict[str, tuple[type[DefaultDialect], dict[str, Any]]] = {
    "postgresql": (postgresql.dialect, {}),
    "sqlite": (sqlite.dialect, {}),
    "mysql": (mysql.dialect, {}),
    "mariadb": (mysql.dialect, {"is_mariadb": True}),
}


def _dialect(name: str) -> Dialect:
    if name not in _CONSOLE_DIALECTS:
        raise UnsupportedDatabaseError(name)
    dialect_class, options = _CONSOLE_DIALECTS[name]
    return dialect_class(paramstyle="named", **options)


def _sql(element: ClauseElement, dialect: Dialect) -> str:
    return str(element.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def _row(column: Column[Any], which: str, dialect: Dialect) -> ColumnElement[Any]:
    """``OLD.column`` or ``NEW.column``, typed as the column is."""
    name = dialect.identifier_preparer.quote(column.name)
    return literal_column(f"{which}.{name}", column.type)


@dataclass(frozen=True)
class _Assignments:
    """``column name -> SQL`` of every stamp, for an INSERT and an UPDATE."""

    on_insert: list[tuple[str, str]]
    on_update: list[tuple[str, str]]
    on_paused_update: list[tuple[str, str]]


def _assignments(spec: TableSpec, dialect: Dialect) -> _Assignments:
    now = _sql(UtcNow(), dialect)
    quote = dialect.identifier_preparer.quote
    on_insert: list[tuple[str, str]] = []
    on_update: list[tuple[str, str]] = []
    # Paused, every stamp keeps what it held (a forged one is replaced).
    on_paused_update = [
        (quote(column.name), _sql(_row(column, "OLD", dialect), dialect))
        for column in (
            *spec.created_at,
            *spec.updated_at,
            *(column for column, _ in spec.changed_at),
        )
    ]
    for column in spec.created_at:
        on_insert.append((quote(column.name), now))
        on_update.append(
            (quote(column.name), _sql(_row(column, "OLD", dialect), dialect))
        )
    for column in spec.updated_at:
        on_insert.append((quote(column.name), now))
        on_update.append((quote(column.name), now))
    for column, watched in spec.changed_at:
        changed = " OR ".join(
            _sql(
                ValueChanged(
                    _row(target, "OLD", dialect), _row(target, "NEW", dialect)
                ),
                dialect,
            )
            for target in watched
        )
        old = _sql(_row(column, "OLD", dialect), dialect)
        on_insert.append((quote(column.name), now))
        on_update.append(
            (quote(column.name), f"CASE WHEN {changed} THEN {now} ELSE {old} END")
        )
    if spec.changes is not None:
        fields = [
            (field.key, _row(field.column, "OLD", dialect), field.value_wanted)
            for field in spec.fields
        ]
        news = [_row(field.column, "NEW", dialect) for field in spec.fields]
        inserted = ChangesOnInsert(
            _row(spec.changes, "NEW", dialect), fields, news=news
        )
        current = _row(spec.changes, "OLD", dialect)
        updated = ChangesOnUpdate(current, fields, news=news)
        paused = ChangesOnUpdate(current, fields, news=news, paused=True)
        on_insert.append((quote(spec.changes.name), _sql(inserted, dialect)))
        on_update.append((quote(spec.changes.name), _sql(updated, dialect)))
        on_paused_update.append((quote(spec.changes.name), _sql(paused, dialect)))
    return _Assignments(on_insert, on_update, on_paused_update)


def _digest(bodies: Sequence[tuple[str, str]]) -> str:
    """The hash of a table's triggers: a digest of their bodies, in name order,
    each with :data:`HASH_SLOT` as written (the hash cannot be part of what
    it digests). Bodies only, because they are what a catalog returns
    verbatim; what lies outside them (names, events, PostgreSQL's pinned
    ``search_path``) follows from the table name alone."""
    text = "\n".join(body for _, body in sorted(bodies))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _with_hash(sql: str, digest: str) -> str:
    return sql.replace(HASH_SLOT, digest)


@dataclass(frozen=True)
class ExpectedTriggers:
    ddl: TriggerDDL
    #: The trigger names the catalog will list.
    names: frozenset[str]


def _written(
    table: TableClause, dialect_name: str, spec: TableSpec | None
) -> TriggerSql:
    """The dialect's trigger SQL for ``table``; with no spec, only its
    removal is meaningful (it follows from the table's name alone)."""
    dialect = _dialect(dialect_name)
    quote = dialect.identifier_preparer
    if spec is not None and not spec.triggers:
        return _changes_function(table, dialect_name, spec)
    stamps = _Assignments([], [], []) if spec is None else _assignments(spec, dialect)
    stamp_columns = () if spec is None else (*spec.columns, *spec.created_at)
    stamping = DIALECTS[dialect_name].trigger_sql(
        TriggerTarget(
            table=quote.format_table(table),
            name=quote.quote(f"{PREFIX}{table.name}"),
            catalog_name=f"{PREFIX}{table.name}",
            quote=quote.quote,
            key=tuple(quote.quote(column.name) for column in table.primary_key),
            own_columns=tuple(
                quote.quote(column.name)
                for column in table.columns
                if not any(column is stamp for stamp in stamp_columns)
            ),
            on_insert=tuple(stamps.on_insert),
            on_update=tuple(stamps.on_update),
            on_paused_update=tuple(stamps.on_paused_update),
        )
    )
    if spec is not None and spec.history is None:
        return stamping
    # With no spec, the history triggers' and the changes function's
    # removal too (by name alone).
    recording = DIALECTS[dialect_name].history_sql(
        _history_target(table, dialect, spec)
    )
    written = TriggerSql(
        install=[*stamping.install, *recording.install],
        uninstall=[*recording.uninstall, *stamping.uninstall],
        bodies=[*stamping.bodies, *recording.bodies],
    )
    if spec is None:
        written.uninstall.extend(_changes_function(table, dialect_name, None).uninstall)
    return written


_NOTHING = TriggerSql(install=[], uninstall=[], bodies=[])


def _changes_function(
    table: TableClause, dialect_name: str, spec: TableSpec | None
) -> TriggerSql:
    """SQL mode's one object: the function writing a new row's ``changes``,
    on a dialect that has one (:attr:`DialectSql.changes_function`); with
    no spec, only its removal is meaningful."""
    function = DIALECTS[dialect_name].changes_function
    if function is None or (spec is not None and spec.changes is None):
        return _NOTHING
    dialect = _dialect(dialect_name)
    quote = dialect.identifier_preparer.quote
    catalog_name = f"{PREFIX}{table.name}_changes"
    name = quote(catalog_name)
    if table.schema is not None:
        name = f"{dialect.identifier_preparer.quote_schema(table.schema)}.{name}"
    if spec is None:
        return function.sql(ChangesFunctionTarget(name, catalog_name, (), "", "", ""))
    assert spec.changes is not None
    fields = [(field.key, field.column, field.value_wanted) for field in spec.fields]
    inserted = ChangesOnInsert(spec.changes, fields)
    if not has_changes_function(inserted):
        return _NOTHING
    # One argument per stored value, in the order an INSERT hands them over:
    # fields() decides which values are stored, for both.
    arguments = {
        key: (f"fs_{number}", column)
        for number, (key, column) in enumerate(
            ((key, column) for key, column, _, store in inserted.fields() if store), 1
        )
    }
    stamp = "fs_stamp"
    document = ChangesOnInsert(
        spec.changes,
        fields,
        news=[
            literal_column(
                function.read_argument(arguments[key][0], column), column.type
            )
            if key in arguments
            else column
            for key, column, _ in fields
        ],
        stamp=stamp,
    )
    type_compiler = dialect.type_compiler_instance
    return function.sql(
        ChangesFunctionTarget(
            name=name,
            catalog_name=catalog_name,
            arguments=tuple(
                (argument, type_compiler.process(function.argument_type(column)))
                for argument, column in arguments.values()
            ),
            stamp=stamp,
            stamp_value=_sql(StampTextOf(UtcNow()), dialect),
            document=_sql(document, dialect),
        )
    )


def _history_target(
    table: TableClause, dialect: Dialect, spec: TableSpec | None
) -> HistoryTarget:
    quote = dialect.identifier_preparer
    fields = () if spec is None else spec.history_fields
    redacted = frozenset() if spec is None else spec.redacted
    history = None if spec is None else spec.history

    def document(field: TrackedField, which: str) -> str:
        if field.key in redacted or value_kind(field.column.type) is None:
            return "NULL"  # that and when it changed, never the value
        column = field.column
        return _sql(JsonDocument(column, _row(column, which, dialect)), dialect)

    return HistoryTarget(
        table=quote.format_table(table),
        history="" if history is None else quote.format_table(history),
        catalog_name=f"{PREFIX}{table.name}_history",
        quote=quote.quote,
        key=tuple(quote.quote(column.name) for column in table.primary_key),
        columns=tuple(quote.quote(field.column.name) for field in fields),
        fields=tuple(
            HistoryField(
                key=_sql(literal(field.key), dialect),
                changed=_sql(
                    ValueChanged(
                        _row(field.column, "OLD", dialect),
                        _row(field.column, "NEW", dialect),
                    ),
                    dialect,
                ),
                old=document(field, "OLD"),
                new=document(field, "NEW"),
            )
            for field in fields
        ),
        now=_sql(UtcNow(), dialect),
    )


def expected_objects(table: Table, dialect_name: str) -> ExpectedTriggers | None:
    """The fieldstamps objects ``table`` needs on ``dialect_name``: its
    triggers, or SQL mode's ``changes`` function where the dialect has one;
    None where it needs none."""
    spec = spec_of(table)
    if spec is None:
        return None
    written = _written(table, dialect_name, spec)
    if not written.bodies:
        return None
    digest = _digest(written.bodies)
    ddl = TriggerDDL(
        tuple(_with_hash(sql, digest) for sql in written.install),
        tuple(_with_hash(sql, digest) for sql in written.uninstall),
        digest,
    )
    return ExpectedTriggers(ddl, frozenset(name for name, _ in written.bodies))


def expected_triggers(table: Table, dialect_name: str) -> ExpectedTriggers:
    spec = spec_of(table)
    if spec is None or not spec.triggers:
        raise ConfigurationError(
            f"table {table.name!r} does not ask for triggers: set "
            "__fieldstamps__ = {'triggers': True} on its class"
        )
    expected = expected_objects(table, dialect_name)
    assert expected is not None  # a table with triggers has trigger bodies
    return expected


def uninstall_sql(table: TableClause, dialect_name: str) -> tuple[str, ...]:
    """The statements removing the fieldstamps triggers of ``table`` on a
    database of ``dialect_name``, whatever its class asks: they follow from
    the table's name alone."""
    return tuple(_written(table, dialect_name, None).uninstall)


def table_ddl(table: Table, dialect_name: str) -> TriggerDDL:
    """``table``'s fieldstamps objects on ``dialect_name``: none, for a table
    that needs none there."""
    expected = expected_objects(table, dialect_name)
    return TriggerDDL((), (), "") if expected is None else expected.ddl


def trigger_ddl(model: Any, dialect_name: str) -> TriggerDDL:
    """The SQL installing and removing ``model``'s triggers on a database of
    ``dialect_name`` (``"postgresql"``, ``"sqlite"``, ``"mysql"``,
    ``"mariadb"``), for a class or Table with ``{"triggers": True}``."""
    table = model if isinstance(model, Table) else getattr(model, "__table__", None)
    if not isinstance(table, Table):
        raise ConfigurationError(
            f"trigger_ddl() needs a mapped class or Table, got {model!r}"
        )
    return expected_triggers(table, dialect_name).ddl


def run_sql(connection: Connection, statements: Sequence[str]) -> None:
    """Run ``statements`` as written, on the driver's own cursor."""

    def run(cursor: DBAPICursor) -> None:
        for statement in statements:
            cursor.execute(statement)

    on_driver_cursor(connection.connection, run)


def connection_dialect_name(connection: Connection) -> str:
    dialect = connection.dialect
    return "mariadb" if getattr(dialect, "is_mariadb", False) else dialect.name


def install_with_table(table: Table) -> None:
    """Make ``create_all()``/``drop_all()`` install and remove the triggers."""

    @event.listens_for(table, "after_create")
    def _install(target: Table, connection: Connection, **kw: Any) -> None:
        run_sql(
            connection, table_ddl(target, connection_dialect_name(connection)).install
        )

    @event.listens_for(table, "before_drop")
    def _uninstall(target: Table, connection: Connection, **kw: Any) -> None:
        run_sql(
            connection, table_ddl(target, connection_dialect_name(connection)).uninstall
        )


# What the database says when an INSERT calls a changes function that is
# not there: PostgreSQL 'function "fieldstamps_t_changes"(text, ...) does not
# exist' (SQLSTATE 42883), MariaDB 'FUNCTION db.fieldstamps_t_changes does
# not exist' (error 1305). Only fieldstamps' own functions are so named.
_MISSING_FUNCTION = re.compile(
    rf'function (?:"?[^".(]*"?\.)?"?({PREFIX}(.+?)_changes)"?(?:\(.*?\))? '
    "does not exist",
    re.IGNORECASE,
)


@event.listens_for(Engine, "handle_error")
def _name_missing_function(context: ExceptionContext) -> None:
    missing = _MISSING_FUNCTION.search(str(context.original_exception))
    if missing is not None:
        raise MissingFunctionError(missing.group(2), missing.group(1)) from (
            context.original_exception
        )


# -- checking what the database holds ----------------------------------------------


@dataclass(frozen=True)
class Drift:
    """One table whose fieldstamps triggers are not as its class declares.

    ``status`` is ``"missing"`` (none, or not all, installed), ``"outdated"``
    (installed with another hash: another model or library version),
    ``"modified"`` (an installed body no longer matches the hash it
    carries: edited by hand), ``"orphaned"`` (triggers on a table whose class
    does not ask for them, or that the metadata does not have) or
    ``"disabled"`` (PostgreSQL's ``ALTER TABLE .. DISABLE TRIGGER``, or
    ``ENABLE REPLICA TRIGGER``, which stamps no local write).
    """

    table: str
    status: str
    expected_hash: str | None
    installed_hash: str | None


def _carried(
    triggers: Sequence[InstalledTrigger], mark: str
) -> tuple[str | None, bool]:
    """The hash the installed bodies carry behind ``mark``, and whether
    re-hashing the bodies gives it (False too when they carry none, or
    disagree)."""
    carrying = re.compile(re.escape(mark) + r"([0-9a-f]{12})")
    found = {match for trigger in triggers for match in carrying.findall(trigger.body)}
    if len(found) != 1:
        return (found.pop() if found else None), False
    carried = found.pop()
    bodies = [
        (trigger.name, trigger.body.replace(mark + carried, mark + HASH_SLOT))
        for trigger in triggers
    ]
    return carried, _digest(bodies) == carried


def drift_of(
    table: str,
    expected: ExpectedTriggers | None,
    triggers: Sequence[InstalledTrigger],
    dialect_name: str,
) -> Drift | None:
    expected_hash = None if expected is None else expected.ddl.hash
    carried, sealed = _carried(triggers, DIALECTS[dialect_name].hash_mark)
    if expected is None:
        return Drift(table, "orphaned", None, carried) if triggers else None
    if {trigger.name for trigger in triggers} != expected.names:
        status = "missing"
    elif not sealed:
        status = "modified"
    elif carried != expected_hash:
        status = "outdated"
    elif not all(trigger.enabled for trigger in triggers):
        status = "disabled"
    else:
        return None
    return Drift(table, status, expected_hash, carried)


def read_catalog(connection: Connection, schema: str | None) -> list[InstalledTrigger]:
    written = dialect_sql(connection.dialect)
    try:
        return written.installed_triggers(connection, schema)
    except SQLAlchemyError as exc:
        url = connection.engine.url.render_as_string(hide_password=True)
        where = f"schema {schema!r} of " if schema else ""
        raise CatalogError(f"{where}{url}", exc) from exc


def _compare(
    connection: Connection, scope: MetaData | Table
) -> list[tuple[Drift, ExpectedTriggers | None, list[InstalledTrigger]]]:
    """Drift of every table of a MetaData (and of tables it lacks), or of one
    Table alone: then the other tables' triggers are not its business."""
    only = scope if isinstance(scope, Table) else None
    tables = [scope] if isinstance(scope, Table) else scope.sorted_tables
    dialect_name = connection_dialect_name(connection)
    declared: dict[tuple[str | None, str], ExpectedTriggers] = {}
    schemas: set[str | None] = {None} if only is None else set()
    for table in tables:
        schemas.add(table.schema)
        expected = expected_objects(table, dialect_name)
        if expected is not None:
            declared[table.schema, table.name] = expected
    installed: dict[tuple[str | None, str], list[InstalledTrigger]] = {}
    for schema in sorted(schemas, key=lambda name: name or ""):
        for trigger in read_catalog(connection, schema):
            installed.setdefault((schema, trigger.table), []).append(trigger)
    found = []
    keys = {*declared, *installed} if only is None else {(only.schema, only.name)}
    for key in sorted(keys, key=lambda k: (k[0] or "", k[1])):
        triggers = installed.get(key, [])
        drift = drift_of(key[1], declared.get(key), triggers, dialect_name)
        if drift is not None:
            found.append((drift, declared.get(key), triggers))
    return found


def check(connection: Connection, metadata: MetaData | Table) -> list[Drift]:
    """Compare the fieldstamps triggers ``connection``'s database holds with
    what ``metadata``'s classes declare: one :class:`Drift` per table that
    differs, an empty list when all is as declared.

    Given one Table, only its triggers are compared. Reads the catalog only
    (of the metadata's schemas); raises
    :class:`CatalogError` when the connection cannot read it.
    """
    return [drift for drift, _, _ in _compare(connection, metadata)]


def install(connection: Connection, scope: MetaData | Table) -> list[Drift]:
    """Make the database hold what :func:`check` expects: (re)install the
    triggers of every drifted table and remove orphaned ones. Returns the
    drift it repaired; a second run finds none and does nothing."""
    drifts = _compare(connection, scope)
    for _, expected, triggers in drifts:
        # Every drifted object goes first: one left from another version
        # could keep a name the new SQL does not replace.
        for trigger in triggers:
            run_sql(connection, trigger.drop)
        if expected is not None:
            run_sql(connection, expected.ddl.uninstall)
            run_sql(connection, expected.ddl.install)
    return [drift for drift, _, _ in drifts]


def install_script(tables: Sequence[Table], dialect_name: str) -> str:
    """The install SQL of every table of ``tables`` that asks for triggers,
    as one script for ``dialect_name``'s console."""
    parts = []
    for table in tables:
        expected = expected_objects(table, dialect_name)
        if expected is None:
            continue
        ddl = expected.ddl
        parts.append(
            f"-- {PREFIX}{table.name} {ddl.hash}\n"
            + DIALECTS[dialect_name].script(ddl.install)
        )
    return "\n".join(parts)
