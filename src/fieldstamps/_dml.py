"""How UPDATEs and upserts of stamped tables are compiled.

Two adjustments to SQLAlchemy's own compilation, for tables with stamps only:

* A stamp that the statement cannot move (its fields are not assigned)
  compiles to the column itself; that ``col=col`` item is dropped from the
  SET, since some databases (SQLite) rewrite index entries for every column a
  SET names, changed or not.
* MariaDB assigns ``SET a = ..., b = ...`` left to right: a value that
  reads a column assigned earlier in the same statement sees the new value.
  Stamps compare each column's old value with the value the statement
  assigns, so ``update(User).values(name="B", fullname=User.name)`` would
  stamp and record the old name while ``fullname`` receives the new one.
  ``SET STATEMENT sql_mode=... FOR`` turns on ``SIMULTANEOUS_ASSIGNMENT``
  (MariaDB >= 10.3.5)
  for that one statement, so every SET item sees the row as it was, as on
  PostgreSQL and SQLite. MySQL has no such mode; there, stamp columns sorting
  first in the table is what keeps comparisons on the old values.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnClause, Table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ClauseElement, visitors
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import Insert, Update

from ._model import TableStamps, table_stamps

_SIMULTANEOUS = (
    "SET STATEMENT sql_mode = CONCAT(@@sql_mode, ',SIMULTANEOUS_ASSIGNMENT') FOR "
)


def _reads_own_columns(stamps: TableStamps, assignments: Any) -> bool:
    """Whether a SET value (other than a stamp's) reads a column of the
    stamped table.

    Only such statements can tell left-to-right from simultaneous assignment;
    the rest (ORM flushes, executemany, literal values) skip the prefix.
    """
    stamp_keys = {column.key for column in stamps.columns}
    pairs = assignments.items() if isinstance(assignments, dict) else assignments
    for key, value in pairs or ():
        name = key if isinstance(key, str) else getattr(key, "key", None)
        if name in stamp_keys or not isinstance(value, ClauseElement):
            continue
        for element in visitors.iterate(value):
            # Compared through the stamps: ORM statements carry annotated
            # copies of the table and its columns.
            if (
                isinstance(element, ColumnClause)
                and table_stamps(element.table) is stamps
            ):
                return True
    return False


def _simultaneous(
    sql: str,
    compiler: SQLCompiler,
    kw: dict[str, Any],
    stamps: TableStamps,
    assignments: Any,
) -> str:
    # One dialect class serves MySQL and MariaDB; only MariaDB has the mode.
    if not getattr(compiler.dialect, "is_mariadb", False) or kw.get("asfrom"):
        return sql
    if not _reads_own_columns(stamps, assignments):
        return sql
    return _SIMULTANEOUS + sql


def _stamps_of(element: Update | Insert) -> TableStamps | None:
    table = element.table
    return table_stamps(table) if isinstance(table, Table) else None


def _without_noop_stamps(sql: str, compiler: SQLCompiler, stamps: TableStamps) -> str:
    for column in stamps.columns:
        name = compiler.preparer.format_column(column)
        # SET items are rendered "col=value" and joined by ", "; stamps sort
        # first, so a dropped item is never the last.
        for lead in (" SET ", ", "):
            item = f"{lead}{name}={name}, "
            if item in sql:
                sql = sql.replace(item, lead, 1)
                break
    return sql


@compiles(Update)
@compiles(Update, "mysql", "mariadb")
def _compile_update(element: Update, compiler: SQLCompiler, **kw: Any) -> str:
    sql = compiler.visit_update(element, **kw)
    stamps = _stamps_of(element)
    if stamps is None:
        return sql
    sql = _without_noop_stamps(sql, compiler, stamps)
    return _simultaneous(sql, compiler, kw, stamps, element._values)


@compiles(Insert, "mysql", "mariadb")
def _upsert_with_simultaneous_assignment(
    element: Insert, compiler: SQLCompiler, **kw: Any
) -> str:
    # visit_insert is untyped in SQLAlchemy; it returns the statement's text.
    sql: str = compiler.visit_insert(element, **kw)  # type: ignore[no-untyped-call]
    # Only INSERT .. ON DUPLICATE KEY UPDATE has a SET list to order.
    on_duplicate = getattr(element, "_post_values_clause", None)
    stamps = _stamps_of(element)
    if on_duplicate is None or stamps is None:
        return sql
    return _simultaneous(sql, compiler, kw, stamps, on_duplicate.update)
