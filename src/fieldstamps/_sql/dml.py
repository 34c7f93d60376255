"""How UPDATEs and upserts of stamped tables are compiled, on every dialect.

SQLAlchemy compiles them, recording each stamp's SET item
(``base.recording_set_items``); then, for tables with stamps only:

* A stamp that the statement cannot move (its fields are not assigned)
  compiles to the column itself; that ``col=col`` item is dropped from the
  SET, since some databases (SQLite) rewrite index entries for every column a
  SET names, changed or not.
* Where the dialect assigns SET items left to right (MariaDB, MySQL), the
  stamps move to the front of the SET, so that they compare the columns'
  old values with the new ones. SQLAlchemy orders SET by table column order,
  which is the user's: stamp columns need not come first in the table.
* The dialect's :meth:`~.base.DialectSql.statement_prefix` is put in front,
  told whether a SET value reads the table's own columns (MariaDB's
  simultaneous assignment, see ``mysql.py``).

A statement executed inside :func:`fieldstamps.paused` carries the
:class:`PausedStamps` option (part of its cache key, so it is compiled and
cached apart) and compiles its stamps kept as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnClause, Table
from sqlalchemy.sql import ClauseElement, visitors
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import Insert, Update

from .._compat import (
    StatementMark,
    on_duplicate_key_assignments,
    update_assignments,
)
from .._spec import TableSpec, key_of, spec_of
from .base import DialectSql, Writer, compiling_paused, recording_set_items

Previous = Callable[..., str]


class PausedStamps(StatementMark):
    """Marks an UPDATE or upsert made inside :func:`fieldstamps.paused`."""

    inherit_cache = True


def _reads_own_columns(spec: TableSpec, assignments: Any) -> bool:
    """Whether a SET value (other than a stamp's) reads a column of the
    stamped table."""
    stamp_keys = {column.key for column in spec.columns}
    pairs = assignments.items() if isinstance(assignments, dict) else assignments
    for key, value in pairs or ():
        if key_of(key) in stamp_keys or not isinstance(value, ClauseElement):
            continue
        for element in visitors.iterate(value):
            # Compared through the spec: ORM statements carry annotated
            # copies of the table and its columns.
            if isinstance(element, ColumnClause) and spec_of(element.table) is spec:
                return True
    return False


# from_dml_column() renders a marker that SQLAlchemy replaces with the
# column's value only after the whole SET is written.
_MARKER = re.compile(r"__BINDMARKER_~~(.+?)~~")


def _item_pattern(name: str, value: str) -> re.Pattern[str]:
    """``name = value`` as it stands in the finished SQL: markers in ``value``
    match whatever replaced them, the same text each time. SQLAlchemy writes
    ``name=value`` in UPDATE and ``name = value`` in ON DUPLICATE KEY UPDATE."""
    parts = [re.escape(name), r" ?= ?"]
    groups: dict[str, str] = {}
    position = 0
    for marker in _MARKER.finditer(value):
        parts.append(re.escape(value[position : marker.start()]))
        key = marker.group(1)
        if key in groups:
            parts.append(f"(?P={groups[key]})")
        else:
            groups[key] = f"m{len(groups)}"
            parts.append(f"(?P<{groups[key]}>.+?)")
        position = marker.end()
    parts.append(re.escape(value[position:]))
    return re.compile("(?:(?<= SET )|(?<=UPDATE )|(?<=, ))" + "".join(parts))


def _find_item(sql: str, name: str, value: str) -> tuple[int, int] | None:
    """Where the SET item ``name = value`` stands in ``sql``."""
    found = _item_pattern(name, value).search(sql)
    return None if found is None else found.span()


def _cut(sql: str, start: int, end: int) -> str | None:
    """``sql`` without the SET item at [start, end) and one separator; None
    for the only item of its SET, which must stay."""
    if sql.startswith(", ", end):
        return sql[:start] + sql[end + 2 :]
    if sql.startswith(", ", start - 2):
        return sql[: start - 2] + sql[end:]
    return None


def _arrange_set(sql: str, items: list[tuple[str, str]], *, stamps_first: bool) -> str:
    """Drop the stamps that cannot move; with ``stamps_first``, put the
    others at the front of their SET list."""
    front: list[str] = []
    head = -1
    for name, value in items:
        found = _find_item(sql, name, value)
        if found is None:
            continue  # another hook changed the text: leave it as it is
        start, end = found
        if value != name and not stamps_first:
            continue
        cut = _cut(sql, start, end)
        if cut is None:
            continue
        if value != name:
            front.append(sql[start:end])
            head = start if head < 0 else min(head, start)
        sql = cut
    if front:
        # The SET list starts after the last keyword before the first stamp.
        keyword = max(sql.rfind(" SET ", 0, head), sql.rfind(" UPDATE ", 0, head))
        position = sql.index(" ", keyword + 1) + 1
        sql = sql[:position] + ", ".join(front) + ", " + sql[position:]
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
    spec = _statement_spec(element)
    if spec is None or dialect is None:
        return previous(element, compiler, **kw)
    paused = PausedStamps.marks(element)
    with recording_set_items(compiler) as items, compiling_paused(compiler, paused):
        sql = previous(element, compiler, **kw)
    sql = _arrange_set(sql, items, stamps_first=dialect.assigns_left_to_right)
    return _prefixed(dialect, sql, compiler, kw, spec, update_assignments(element))


def compile_insert(
    dialect: DialectSql | None,
    previous: Previous,
    element: Insert,
    compiler: SQLCompiler,
    **kw: Any,
) -> str:
    spec = _statement_spec(element)
    if spec is None or dialect is None:
        return previous(element, compiler, **kw)
    paused = PausedStamps.marks(element)
    with recording_set_items(compiler) as items, compiling_paused(compiler, paused):
        sql = previous(element, compiler, **kw)
    if not items:
        return sql  # only an upsert's UPDATE branch has a SET to arrange
    sql = _arrange_set(sql, items, stamps_first=dialect.assigns_left_to_right)
    return _prefixed(
        dialect, sql, compiler, kw, spec, on_duplicate_key_assignments(element)
    )
