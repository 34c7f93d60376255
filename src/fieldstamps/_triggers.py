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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, ColumnElement, Table, event, literal_column
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.engine.default import DefaultDialect
from sqlalchemy.sql import ClauseElement

from ._errors import ConfigurationError, UnsupportedDatabaseError
from ._spec import TableSpec, spec_of
from ._sql import DIALECTS, ChangesOnInsert, ChangesOnUpdate, UtcNow
from ._sql.base import TriggerTarget, ValueChanged

_PREFIX = "fieldstamps_"


@dataclass(frozen=True)
class TriggerDDL:
    """The SQL that installs and removes one table's fieldstamps triggers."""

    #: Statements to run in order (functions before the triggers using them).
    install: tuple[str, ...]
    #: Statements to run in order (triggers before their functions).
    uninstall: tuple[str, ...]
    #: A short stable digest of ``install``.
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


def _assignments(spec: TableSpec, dialect: Dialect) -> _Assignments:
    now = _sql(UtcNow(), dialect)
    quote = dialect.identifier_preparer.quote
    on_insert: list[tuple[str, str]] = []
    on_update: list[tuple[str, str]] = []
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
        updated = ChangesOnUpdate(_row(spec.changes, "OLD", dialect), fields, news=news)
        on_insert.append((quote(spec.changes.name), _sql(inserted, dialect)))
        on_update.append((quote(spec.changes.name), _sql(updated, dialect)))
    return _Assignments(on_insert, on_update)


def _digest(statements: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(statements).encode()).hexdigest()[:12]


def table_trigger_ddl(table: Table, dialect_name: str) -> TriggerDDL:
    spec = spec_of(table)
    if spec is None or not spec.triggers:
        raise ConfigurationError(
            f"table {table.name!r} does not ask for triggers: set "
            "__fieldstamps__ = {'triggers': True} on its class"
        )
    dialect = _dialect(dialect_name)
    quote = dialect.identifier_preparer
    stamps = _assignments(spec, dialect)
    install, uninstall = DIALECTS[dialect_name].trigger_sql(
        TriggerTarget(
            table=quote.format_table(table),
            name=quote.quote(f"{_PREFIX}{table.name}"),
            key=tuple(quote.quote(column.name) for column in table.primary_key.columns),
            own_columns=tuple(
                quote.quote(column.name)
                for column in table.columns
                if not any(
                    column is stamp for stamp in (*spec.columns, *spec.created_at)
                )
            ),
            on_insert=tuple(stamps.on_insert),
            on_update=tuple(stamps.on_update),
        )
    )
    return TriggerDDL(tuple(install), tuple(uninstall), _digest(install))


def trigger_ddl(model: Any, dialect_name: str) -> TriggerDDL:
    """The SQL installing and removing ``model``'s triggers on a database of
    ``dialect_name`` (``"postgresql"``, ``"sqlite"``, ``"mysql"``,
    ``"mariadb"``), for a class or Table with ``{"triggers": True}``."""
    table = model if isinstance(model, Table) else getattr(model, "__table__", None)
    if not isinstance(table, Table):
        raise ConfigurationError(
            f"trigger_ddl() needs a mapped class or Table, got {model!r}"
        )
    return table_trigger_ddl(table, dialect_name)


def _run(connection: Connection, statements: Sequence[str]) -> None:
    # Through the driver's own cursor with no parameters: the SQL is meant to
    # run as written, % signs included, which a driver with format-style
    # parameters would otherwise read as placeholders.
    cursor = connection.connection.cursor()
    try:
        for statement in statements:
            cursor.execute(statement)
    finally:
        cursor.close()


def _dialect_name(connection: Connection) -> str:
    dialect = connection.dialect
    return "mariadb" if getattr(dialect, "is_mariadb", False) else dialect.name


def install_with_table(table: Table) -> None:
    """Make ``create_all()``/``drop_all()`` install and remove the triggers."""

    @event.listens_for(table, "after_create")
    def _install(target: Table, connection: Connection, **kw: Any) -> None:
        _run(connection, table_trigger_ddl(target, _dialect_name(connection)).install)

    @event.listens_for(table, "before_drop")
    def _uninstall(target: Table, connection: Connection, **kw: Any) -> None:
        _run(connection, table_trigger_ddl(target, _dialect_name(connection)).uninstall)
