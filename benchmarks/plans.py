"""EXPLAIN a query and say whether it is answered by an index or a scan."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ClauseElement, Connection, Select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.compiler import SQLCompiler


class Explain(Executable, ClauseElement):
    """``EXPLAIN <select>`` with the select's parameters bound as usual, so
    the plan is the one the real query gets (same types, same processors)."""

    inherit_cache = False

    def __init__(self, stmt: Select[Any], prefix: str) -> None:
        self.stmt = stmt
        self.prefix = prefix


@compiles(Explain)
def _compile_explain(element: Explain, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{element.prefix} {compiler.process(element.stmt, **kw)}"


@dataclass(frozen=True)
class Access:
    """How the plan reaches one table: through an index, or by reading it all."""

    table: str
    index: str | None
    lookup: bool


@dataclass(frozen=True)
class Plan:
    text: str
    accesses: tuple[Access, ...]

    @property
    def is_index_lookup(self) -> bool:
        return bool(self.accesses) and all(a.lookup for a in self.accesses)

    @property
    def summary(self) -> str:
        indexes = sorted({a.index for a in self.accesses if a.lookup and a.index})
        scanned = sorted({a.table for a in self.accesses if not a.lookup})
        used = f"index ({', '.join(indexes)})" if indexes else ""
        if not scanned:
            return used or "index"
        scan = f"scan ({', '.join(scanned)})"
        return f"{scan} + {used}" if used else scan


_SQLITE = re.compile(
    r"^(?P<op>SEARCH|SCAN) (?P<table>\S+)(?: AS \S+)?"
    r"(?: USING (?:COVERING |AUTOMATIC (?:PARTIAL )?COVERING )?INDEX (?P<index>\S+)"
    r"| USING (?P<pk>INTEGER PRIMARY KEY))?"
)
_POSTGRESQL = re.compile(
    r"(?P<op>Seq Scan|Index Only Scan|Index Scan|Bitmap Index Scan)"
    r"(?: Backward)?(?: using (?P<index>\S+))?(?: on (?P<table>\S+))?"
)


def _sqlite(conn: Connection, stmt: Select[Any]) -> Plan:
    rows = conn.execute(Explain(stmt, "EXPLAIN QUERY PLAN")).all()
    details = [str(row[-1]) for row in rows]
    accesses = []
    for detail in details:
        match = _SQLITE.match(detail)
        if match is None:
            continue
        index = match["index"] or (match["pk"] and "PRIMARY KEY")
        # SCAN ... USING COVERING INDEX reads the whole index: still a scan.
        accesses.append(Access(match["table"], index, match["op"] == "SEARCH"))
    return Plan("\n".join(details), tuple(accesses))


def _postgresql(conn: Connection, stmt: Select[Any]) -> Plan:
    lines = [str(row[0]) for row in conn.execute(Explain(stmt, "EXPLAIN")).all()]
    accesses = []
    for line in lines:
        match = _POSTGRESQL.search(line)
        if match is None:
            continue
        if match["op"] == "Seq Scan":
            accesses.append(Access(match["table"] or "?", None, False))
        else:
            # A Bitmap Index Scan names the index only ("on <index>").
            index = match["index"] or match["table"]
            accesses.append(Access(match["table"] or "?", index, True))
    return Plan("\n".join(lines), tuple(accesses))


def _mariadb(conn: Connection, stmt: Select[Any]) -> Plan:
    rows = conn.execute(Explain(stmt, "EXPLAIN")).mappings().all()
    accesses = []
    lines = []
    for row in rows:
        lines.append(
            f"table={row['table']} type={row['type']} key={row['key']} "
            f"rows={row['rows']} extra={row['Extra']}"
        )
        if row["table"] is None:  # e.g. "Select tables optimized away"
            continue
        # ALL reads the table, "index" the whole index: both are scans.
        lookup = row["type"] not in ("ALL", "index")
        accesses.append(Access(str(row["table"]), row["key"], lookup))
    return Plan("\n".join(lines), tuple(accesses))


def explain(conn: Connection, stmt: Select[Any]) -> Plan:
    name = conn.dialect.name
    if name == "sqlite":
        return _sqlite(conn, stmt)
    if name == "postgresql":
        return _postgresql(conn, stmt)
    return _mariadb(conn, stmt)
