"""How UPDATEs and upserts of stamped tables are compiled, on every dialect.

SQLAlchemy compiles them; two adjustments follow, for tables with stamps
only:

* A stamp that the statement cannot move (its fields are not assigned)
  compiles to the column itself; that ``col=col`` item is dropped from the
  SET, since some databases (SQLite) rewrite index entries for every column a
  SET names, changed or not.
* The dialect's :meth:`~.base.DialectSql.statement_prefix` is put in front,
  told whether a SET value reads the table's own columns (MariaDB's
  simultaneous assignment, see ``mysql.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnClause, Table
from sqlalchemy.sql import ClauseElement, visitors
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import Insert, Update

from .._compat import on_duplicate_key_assignments, update_assignments
from .._spec import TableSpec, spec_of
from .base import DialectSql, Writer

Previous = Callable[..., str]


def _reads_own_columns(spec: TableSpec, assignments: Any) -> bool:
    """Whether a SET value (other than a stamp's) reads a column of the
    stamped table."""
    stamp_keys = {column.key for column in spec.columns}
    pairs = assignments.items() if isinstance(assignments, dict) else assignments
    for key, value in pairs or ():
        name = key if isinstance(key, str) else getattr(key, "key", None)
        if name in stamp_keys or not isinstance(value, ClauseElement):
            continue
        for element in visitors.iterate(value):
            # Compared through the spec: ORM statements carry annotated
            # copies of the table and its columns.
            if isinstance(element, ColumnClause) and spec_of(element.table) is spec:
                return True
    return False


def _without_noop_stamps(sql: str, compiler: SQLCompiler, spec: TableSpec) -> str:
    for column in spec.columns:
        name = re.escape(compiler.preparer.format_column(column))
        item = f"{name}={name}"
        # First item, or a later one; a stamp that is the whole SET stays
        # (harmless, and the SET cannot be empty).
        sql, found = re.subn(rf" SET {item}, ", " SET ", sql, count=1)
        if not found:
            sql = re.sub(rf", {item}(?=,| |$)", "", sql, count=1)
    return sql


def _statement_spec(element: Update | Insert) -> TableSpec | None:
    table = element.table
    return spec_of(table) if isinstance(table, Table) else None


def _prefixed(
    dialect: DialectSql,
    sql: str,
    compiler: SQLCompiler,
    kw: dict[str, Any],
    spec: TableSpec,
    assignments: Any,
) -> str:
    if kw.get("asfrom"):
        return sql  # a statement inside another takes no statement prefix
    reads = _reads_own_columns(spec, assignments)
    return dialect.statement_prefix(Writer(compiler, kw), reads_own_columns=reads) + sql


def compile_update(
    dialect: DialectSql | None,
    previous: Previous,
    element: Update,
    compiler: SQLCompiler,
    **kw: Any,
) -> str:
    sql = previous(element, compiler, **kw)
    spec = _statement_spec(element)
    if spec is None or dialect is None:
        return sql
    sql = _without_noop_stamps(sql, compiler, spec)
    return _prefixed(dialect, sql, compiler, kw, spec, update_assignments(element))


def compile_insert(
    dialect: DialectSql | None,
    previous: Previous,
    element: Insert,
    compiler: SQLCompiler,
    **kw: Any,
) -> str:
    sql = previous(element, compiler, **kw)
    # Only an upsert's UPDATE branch has a SET to order.
    assignments = on_duplicate_key_assignments(element)
    spec = _statement_spec(element)
    if spec is None or dialect is None or assignments is None:
        return sql
    return _prefixed(dialect, sql, compiler, kw, spec, assignments)
