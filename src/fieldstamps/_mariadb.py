"""Standard SET semantics for UPDATEs and upserts of stamped tables on MariaDB.

MariaDB assigns ``SET a = ..., b = ...`` left to right: a value that reads a
column assigned earlier in the same statement sees the new value. Stamps
compare each column's old value with the value the statement assigns, so
``update(User).values(name="B", fullname=User.name)`` would stamp and record
the old name while ``fullname`` receives the new one. ``SET STATEMENT
sql_mode=... FOR`` turns on ``SIMULTANEOUS_ASSIGNMENT`` (MariaDB >= 10.3.5)
for that one statement, so every SET item sees the row as it was, as on
PostgreSQL and SQLite. MySQL has no such mode; there, stamp columns sorting
first in the table is what keeps comparisons on the old values.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import Insert, Update

from ._model import table_stamps

_SIMULTANEOUS = (
    "SET STATEMENT sql_mode = CONCAT(@@sql_mode, ',SIMULTANEOUS_ASSIGNMENT') FOR "
)


@compiles(Update, "mysql", "mariadb")
def _update_with_simultaneous_assignment(
    element: Update, compiler: SQLCompiler, **kw: Any
) -> str:
    sql = compiler.visit_update(element, **kw)
    # One dialect class serves MySQL and MariaDB; only MariaDB has the mode.
    if not getattr(compiler.dialect, "is_mariadb", False):
        return sql
    if table_stamps(element.table) is None or kw.get("asfrom"):
        return sql
    return _SIMULTANEOUS + sql


@compiles(Insert, "mysql", "mariadb")
def _upsert_with_simultaneous_assignment(
    element: Insert, compiler: SQLCompiler, **kw: Any
) -> str:
    # visit_insert is untyped in SQLAlchemy; it returns the statement's text.
    sql: str = compiler.visit_insert(element, **kw)  # type: ignore[no-untyped-call]
    # Only INSERT .. ON DUPLICATE KEY UPDATE has a SET list to order.
    if getattr(element, "_post_values_clause", None) is None:
        return sql
    if not getattr(compiler.dialect, "is_mariadb", False):
        return sql
    if table_stamps(element.table) is None or kw.get("asfrom"):
        return sql
    return _SIMULTANEOUS + sql
