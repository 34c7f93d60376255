"""The offline compile tier: the SQL fieldstamps puts into statements, per dialect.

No database server is involved, so every case runs in a plain ``pytest``. The
PostgreSQL (psycopg), SQLite, MySQL (PyMySQL) and MariaDB (PyMySQL) dialects
come from real engines of those drivers whose connections reach a stand-in: a
DBAPI connection that records what it is sent and answers the queries a
dialect asks when it first connects (version, sql_mode, ...) as PostgreSQL 15,
MySQL 8.0 and MariaDB 10.11 would. SQLAlchemy compiles some SQL by server
version, so dialects that never connected would show SQL no server runs.
``mariadb+pymysql://`` is MariaDB from the start; ``mysql+pymysql://``
becomes MariaDB when the server says so, as the suite's own server URL does
(``test_mysql_url_on_mariadb_compiles_as_mariadb``). The stand-in also shows
what drivers receive: SQLAlchemy's batched "insertmanyvalues" INSERT, an ORM
flush, stamp values as bound.

Only the public API is used (``fieldstamps``, models of this module's own
``DeclarativeBase``, SQLAlchemy), so that the private modules can be
restructured without touching this file. The SQL is compared with golden
files; short SQL is asserted inline.

Golden files: ``tests/golden/<case>/<dialect>.sql``, the statement pretty-printed
(the formatter only changes whitespace, which every comparison checks) and
followed by its parameters. A missing golden file fails the test. After a
deliberate change of the SQL, regenerate and review:

    FIELDSTAMPS_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_compile.py
    git diff tests/golden

With ``FIELDSTAMPS_UPDATE_GOLDEN=1`` every golden test writes its file and then
fails, so a regenerating run can never pass for a checking one. Files no case
writes any more fail ``test_no_stale_golden_files``.

What the tier buys is line coverage of the dialect SQL with no server
configured (``FIELDSTAMPS_TEST_URLS`` unset); measure it with::

    .venv/bin/python -m coverage run --data-file=/tmp/fieldstamps.coverage \
        --source=src/fieldstamps -m pytest
    .venv/bin/python -m coverage report --data-file=/tmp/fieldstamps.coverage -m
"""

from __future__ import annotations

import datetime as dt
import difflib
import enum
import functools
import math
import os
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar

import pytest
from sqlalchemy import (
    JSON,
    REAL,
    BigInteger,
    Boolean,
    ClauseElement,
    Column,
    Date,
    DateTime,
    Double,
    Engine,
    Enum,
    Float,
    Integer,
    Interval,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
    Time,
    Uuid,
    bindparam,
    create_engine,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.dialects import mssql, mysql, oracle, postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    make_transient_to_detached,
    mapped_column,
)
from sqlalchemy.schema import CreateIndex, CreateTable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import Insert, Update
from sqlalchemy.types import TypeDecorator, TypeEngine

import fieldstamps
from fieldstamps import (
    ChangeTrackingMixin,
    TimestampMixin,
    changed_at,
    updated_at_column,
    upsert_set,
)
from fieldstamps._triggers import table_ddl
from tests.requirements import requires

# -- dialects: engines connected to a stand-in for the server -----------------

DIALECTS = ("postgresql", "sqlite", "mysql", "mariadb")
_MYSQL_FAMILY = ("mysql", "mariadb")


@dataclass(frozen=True)
class _Server:
    """A server as SQLAlchemy sees it when it connects: the answers to the
    queries its dialect asks (version, settings) before any statement runs."""

    url: str
    answers: dict[str, str]
    engine_options: dict[str, Any] = field(default_factory=dict)


# The versions DESIGN.md measured on; MySQL a current 8.0. Dialects compile
# some SQL by server version (MySQL/MariaDB: CAST AS FLOAT, INSERT .. AS new
# for upserts, RETURNING), so an unconnected dialect would show other SQL
# than the servers run.
SERVERS = {
    "postgresql": _Server(
        "postgresql+psycopg://",
        {
            "select pg_catalog.version()": "PostgreSQL 15.20 on x86_64-pc-linux-gnu",
            "select current_schema()": "public",
            "show transaction isolation level": "read committed",
            "show standard_conforming_strings": "on",
        },
        # Looking hstore up goes through psycopg's own API, not a cursor.
        {"use_native_hstore": False},
    ),
    # The sqlite3 module's own library answers for the version.
    "sqlite": _Server("sqlite+pysqlite://", {}),
    "mysql": _Server(
        "mysql+pymysql://",
        {
            "SELECT VERSION()": "8.0.36",
            "SELECT DATABASE()": "test",
            "SELECT @@transaction_isolation": "REPEATABLE-READ",
            "SELECT @@sql_mode": "ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,"
            "NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,"
            "NO_ENGINE_SUBSTITUTION",
            "SELECT @@lower_case_table_names": "0",
        },
    ),
    "mariadb": _Server(
        "mariadb+pymysql://",
        {
            "SELECT VERSION()": "10.11.19-MariaDB-0+deb12u1",
            "SELECT DATABASE()": "test",
            "SELECT @@tx_isolation": "REPEATABLE-READ",
            "SELECT @@sql_mode": "STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,"
            "NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION",
            "SELECT @@lower_case_table_names": "0",
        },
    ),
}


@dataclass(frozen=True)
class DriverCall:
    sql: str
    params: Any
    many: bool


class _Cursor:
    """A DBAPI cursor that records what it is sent, answers the server's
    known queries and returns no rows for any other."""

    def __init__(self, answers: dict[str, str], calls: list[DriverCall]) -> None:
        self._answers = answers
        self._calls = calls
        self._rows: list[tuple[Any, ...]] = []
        self.description: list[tuple[Any, ...]] | None = None
        self.rowcount = -1
        self.lastrowid = None

    def execute(self, sql: str, params: Any = None, **kw: Any) -> None:
        self._calls.append(DriverCall(sql, params, many=False))
        self.rowcount = 1
        answer = self._answers.get(sql)
        self._rows = [] if answer is None else [(answer,)]
        returns_rows = answer is not None or re.match(r"\s*(SELECT|PRAGMA)", sql)
        if returns_rows or " RETURNING " in sql:
            self.description = [("column", *[None] * 6)]
        else:
            self.description = None

    def executemany(self, sql: str, params: Sequence[Any], **kw: Any) -> None:
        self._calls.append(DriverCall(sql, params, many=True))
        self.rowcount = len(params)
        self.description = None

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows, self._rows = self._rows, []
        return rows

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._rows.pop(0) if self._rows else None

    def close(self) -> None:
        pass


class _Connection:
    """A DBAPI connection for :class:`_Cursor`, with the few driver methods
    SQLAlchemy's dialects call when a connection is made."""

    # psycopg's dialect reads the transaction status to decide on a rollback.
    info = SimpleNamespace(transaction_status=None)

    def __init__(self, answers: dict[str, str], calls: list[DriverCall]) -> None:
        self._answers = answers
        self._calls = calls

    def cursor(self, *args: Any, **kw: Any) -> _Cursor:
        return _Cursor(self._answers, self._calls)

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass

    def close(self) -> None:
        pass

    def add_notice_handler(self, handler: Any) -> None:  # psycopg
        pass

    def create_function(self, *args: Any, **kw: Any) -> None:  # pysqlite
        pass

    def character_set_name(self) -> str:  # PyMySQL
        return "utf8mb4"


def stand_in_engine(
    name: str, calls: list[DriverCall] | None = None, *, url: str = "", **kw: Any
) -> Engine:
    """An engine of ``name``'s driver whose connections reach the stand-in,
    its dialect initialized as against the real server; ``calls`` receives
    every statement sent after that."""
    server = SERVERS[name]
    sink = [] if calls is None else calls
    engine = create_engine(
        url or server.url,
        creator=lambda: _Connection(server.answers, sink),
        **server.engine_options,
        **kw,
    )
    with engine.connect():
        pass  # the first connection initializes the dialect
    sink.clear()
    return engine


@functools.cache
def _dialect(name: str) -> Dialect:
    return stand_in_engine(name).dialect


@pytest.fixture(params=DIALECTS)
def dialect_name(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


def _compile(stmt: ClauseElement, name: str) -> SQLCompiler:
    compiled = stmt.compile(dialect=_dialect(name))
    assert isinstance(compiled, SQLCompiler)
    return compiled


def _sql(stmt: ClauseElement, name: str) -> str:
    return str(_compile(stmt, name))


def _run_sql(stmt: Insert | Update, name: str) -> str:
    """What the database runs for ``stmt``: its SQL, and the table's changes
    function where an INSERT calls one (PostgreSQL, MariaDB/MySQL)."""
    assert isinstance(stmt.table, Table)
    return "\n".join([_sql(stmt, name), *table_ddl(stmt.table, name).install])


# -- models (this module's own metadata: never created anywhere) --------------


class Base(DeclarativeBase):
    pass


class Account(TimestampMixin, ChangeTrackingMixin, Base):
    """Every stamp kind on one table, plus an untracked and a server-default
    column."""

    __tablename__ = "account"
    __fieldstamps__: ClassVar[dict[str, list[str]]] = {"exclude": ["notes"]}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30))
    fullname: Mapped[str | None] = mapped_column(String(100))
    age: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), server_default="new")
    notes: Mapped[str | None] = mapped_column(Text)
    name_changed_at: Mapped[dt.datetime | None] = changed_at("name")
    contact_changed_at: Mapped[dt.datetime | None] = changed_at(
        "fullname", "age", index=True
    )
    name_updated_at: Mapped[dt.datetime | None] = updated_at_column("name")


class Price(Base):
    """``changed_at()`` with neither mixin."""

    __tablename__ = "price"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(50))
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    amount_changed_at: Mapped[dt.datetime | None] = changed_at("amount", index=True)


def _table(model: type[Any]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


ACCOUNT = _table(Account)
PRICE = _table(Price)
# No stamps at all: fieldstamps' compile hooks must leave it alone.
PLAIN = Table(
    "plain",
    Base.metadata,
    Column("id", Integer, primary_key=True),
    Column("x", Integer),
)


class Color(enum.Enum):
    RED = "r"
    GREEN = "g"


class Label(TypeDecorator[str]):
    """A user type over String: its JSON form is the wrapped type's."""

    impl = String(40)
    cache_ok = True


class Ratio(TypeDecorator[float]):
    """A user type over a single-precision Float."""

    impl = Float()
    cache_ok = True


# One single-column model per kind of value the JSON builders write: the
# golden file of each shows exactly how that kind is put into ``changes``.
VALUE_KINDS: dict[str, tuple[TypeEngine[Any], Any]] = {
    "string": (String(20), "Spongebob"),
    "text": (Text(), "Who lives in a pineapple under the sea?"),
    "type_decorator": (Label(), "label"),
    "enum": (Enum(Color, name="compile_color"), Color.RED),
    "boolean": (Boolean(), True),
    "integer": (Integer(), 42),
    "big_integer": (BigInteger(), 2**53 + 1),
    "float": (Float(), 0.1),
    "float_type_decorator": (Ratio(), 0.1),
    "float_53": (Float(precision=53), 0.1),
    "double": (Double(), 0.1 + 0.2),
    "real": (REAL(), 0.5),
    "numeric_as_float": (Numeric(10, 2, asdecimal=False), 19.99),
    "decimal": (Numeric(12, 4), Decimal("19.99")),
    "decimal_no_scale": (Numeric(), Decimal("1.5")),
    "decimal_return_scale": (Numeric(12, 4, decimal_return_scale=2), Decimal("2.5")),
    "date": (Date(), dt.date(2024, 2, 29)),
    "datetime": (DateTime(), dt.datetime(2024, 2, 29, 23, 59, 58, 123456)),
    "datetime_tz": (
        DateTime(timezone=True),
        dt.datetime(2024, 2, 29, 23, 59, 58, 123456, tzinfo=dt.UTC),
    ),
    "time": (Time(), dt.time(12, 30, 0, 500)),
    "uuid": (Uuid(), uuid.UUID("12345678-1234-5678-1234-567812345678")),
    "json": (JSON(), {"tags": ["a", "b"], "n": 1}),
    "large_binary": (LargeBinary(), b"\x00\xff"),
    "interval": (Interval(), dt.timedelta(days=1, seconds=5)),
}
# Kinds without a faithful JSON form: their entries carry the stamp only.
NO_JSON_FORM = ("large_binary", "interval")
# Stored by MySQL/MariaDB as a 4-byte FLOAT, so the recorded copy is too.
SINGLE_PRECISION = ("float", "float_type_decorator")


def _one_column_model(kind: str, type_: TypeEngine[Any]) -> type[Any]:
    attrs = {
        "__tablename__": f"value_{kind}",
        "id": mapped_column(Integer, primary_key=True),
        "v": mapped_column(type_, nullable=True),
    }
    return type(f"Value_{kind}", (ChangeTrackingMixin, Base), attrs)


VALUE_MODELS = {
    kind: _one_column_model(kind, type_) for kind, (type_, _) in VALUE_KINDS.items()
}


def _wide_model(fields: int) -> type[Any]:
    attrs: dict[str, Any] = {
        "__tablename__": f"wide_{fields}",
        "id": mapped_column(Integer, primary_key=True),
    }
    attrs.update(
        {f"f{i:03d}": mapped_column(Integer, nullable=True) for i in range(fields)}
    )
    return type(f"Wide{fields}", (ChangeTrackingMixin, Base), attrs)


# Either side of PostgreSQL's 50 pairs per jsonb_build_object() and of
# SQLite's 60 per json_set().
WIDE_FIELD_COUNTS = (50, 51, 60, 61, 101)
WIDE_MODELS = {fields: _wide_model(fields) for fields in WIDE_FIELD_COUNTS}


# -- a whitespace-only SQL formatter, for readable golden files ---------------

_WIDTH = 88
_TOKEN = re.compile(
    r"""
      '(?:[^'\\]|''|\\.)*'          # string literal
    | "(?:[^"]|"")*"                # quoted identifier (PostgreSQL, SQLite)
    | `(?:[^`]|``)*`                # quoted identifier (MySQL)
    | %\(\w+\)s                     # pyformat placeholder: not a group
    | \s+
    | [(),=]
    | [^\s(),='"`]+
    """,
    re.VERBOSE,
)


@dataclass
class _Group:
    """A parenthesised run of tokens; ``call`` when a name precedes it."""

    items: list[str | _Group] = field(default_factory=list)
    call: bool = False


_Seq = list[str | _Group]


def _parse(sql: str) -> _Seq:
    stack: list[_Seq] = [[]]
    pos = 0
    for match in _TOKEN.finditer(sql):
        assert match.start() == pos, f"cannot tokenize SQL at {sql[pos:][:30]!r}"
        pos = match.end()
        token = match.group()
        if token == "(":
            current = stack[-1]
            group = _Group(
                call=bool(current)
                and isinstance(current[-1], str)
                and current[-1] != " "
            )
            current.append(group)
            stack.append(group.items)
        elif token == ")":
            stack.pop()
            assert stack, "unbalanced parentheses in SQL"
        else:
            stack[-1].append(" " if token.isspace() else token)
    assert pos == len(sql) and len(stack) == 1, "unbalanced parentheses in SQL"
    return stack[0]


def _flat(seq: _Seq) -> str:
    return "".join(
        f"({_flat(item.items)})" if isinstance(item, _Group) else item for item in seq
    )


def _strip(seq: _Seq) -> _Seq:
    start, end = 0, len(seq)
    while start < end and seq[start] == " ":
        start += 1
    while end > start and seq[end - 1] == " ":
        end -= 1
    return seq[start:end]


def _split_commas(seq: _Seq) -> list[_Seq]:
    parts: list[_Seq] = [[]]
    for item in seq:
        if item == ",":
            parts.append([])
        else:
            parts[-1].append(item)
    return [_strip(part) for part in parts]


def _split_words(seq: _Seq, words: frozenset[str], case_depth: int) -> list[_Seq]:
    """Split before each of ``words`` met at ``case_depth`` CASE nesting, so
    that the WHEN of an inner CASE stays with it."""
    parts: list[_Seq] = [[]]
    depth = 0
    for item in seq:
        is_break = isinstance(item, str) and item in words and depth == case_depth
        if is_break and _strip(parts[-1]):
            parts.append([])
        parts[-1].append(item)
        if item == "CASE":
            depth += 1
        elif item == "END":
            depth -= 1
    return [_strip(part) for part in parts]


# Where an expression too long for a line is broken, tried in this order:
# (words, CASE depth, extra indent of the lines after the first).
_BREAKS = (
    (frozenset({"||"}), 0, 0),
    (frozenset({"OR"}), 0, 0),
    (frozenset({"AND"}), 0, 0),
    (frozenset({"WHEN", "ELSE"}), 1, 4),
    (frozenset({"THEN"}), 0, 4),
)


def _layout(seq: _Seq, indent: int) -> str:
    text = _flat(seq)
    if indent + len(text) <= _WIDTH:
        return text
    pad = "\n" + " " * indent
    parts = _split_commas(seq)
    if len(parts) > 1:
        return ("," + pad).join(_layout(part, indent) for part in parts)
    for words, case_depth, extra in _BREAKS:
        parts = _split_words(seq, words, case_depth)
        if len(parts) > 1:
            rest = [_layout(part, indent + extra) for part in parts[1:]]
            tail = "".join(f"\n{' ' * (indent + extra)}{line}" for line in rest)
            return _layout(parts[0], indent) + tail
    # Nothing to break at this level: open the widest group, and any other
    # too wide for a line of its own.
    groups = [item for item in seq if isinstance(item, _Group)]
    widest = max(groups, key=lambda group: len(_flat(group.items)), default=None)
    out = []
    for item in seq:
        if isinstance(item, _Group) and (
            item is widest or indent + len(_flat(item.items)) + 2 > _WIDTH
        ):
            out.append(f"({pad}    {_layout(_strip(item.items), indent + 4)}{pad})")
        else:
            out.append(_flat([item]))
    return "".join(out)


# Top-level clauses start a line; longer keywords first.
_CLAUSES = (
    ("SET", "STATEMENT"),
    ("ON", "DUPLICATE", "KEY", "UPDATE"),
    ("ON", "CONFLICT"),
    ("DO", "UPDATE", "SET"),
    ("INSERT", "INTO"),
    ("ORDER", "BY"),
    ("UPDATE",),
    ("SET",),
    ("VALUES",),
    ("SELECT",),
    ("FROM",),
    ("WHERE",),
    ("RETURNING",),
)


def _clause_at(seq: _Seq, i: int) -> int:
    """The number of items of the clause keyword starting at ``i``, or 0."""
    if i and seq[i - 1] != " ":
        return 0
    for words in _CLAUSES:
        span = 2 * len(words) - 1
        window = seq[i : i + span]
        # VALUES(x) in ON DUPLICATE KEY UPDATE is a function, not a clause.
        followed_by_space = i + span >= len(seq) or seq[i + span] == " "
        if (
            window[::2] == list(words)
            and all(item == " " for item in window[1::2])
            and followed_by_space
        ):
            return span
    return 0


def format_sql(sql: str) -> str:
    """``sql`` with a line per clause and long expressions broken up."""
    seq = _parse(sql)
    clauses: list[tuple[str, _Seq]] = [("", [])]
    i = 0
    while i < len(seq):
        span = _clause_at(seq, i)
        if span:
            clauses.append((_flat(seq[i : i + span]), []))
            i += span
        else:
            clauses[-1][1].append(seq[i])
            i += 1
    lines = []
    for keyword, body in clauses:
        body = _strip(body)
        one_line = f"{keyword} {_flat(body)}".strip()
        if not one_line:
            continue
        if len(one_line) <= _WIDTH:
            lines.append(one_line)
        else:
            lines += [keyword, "    " + _layout(body, 4)]
    formatted = "\n".join(lines)
    assert _squash(formatted) == _squash(sql), "the formatter changed the SQL"
    return formatted


def _squash(text: str) -> str:
    """``text`` with whitespace runs as one space, none just inside parentheses."""
    text = re.sub(r"\s+", " ", text)
    return re.sub(r" \)", ")", re.sub(r"\( ", "(", text)).strip()


def _format_ddl(ddl: str) -> str:
    # SQLAlchemy lays DDL out itself; only its tabs and trailing blanks go.
    return "\n".join(line.rstrip() for line in ddl.expandtabs(4).strip().splitlines())


def _max_function_args(sql: str) -> int:
    def walk(seq: _Seq) -> Iterator[int]:
        for item in seq:
            if isinstance(item, _Group):
                if item.call:
                    yield item.items.count(",") + 1
                yield from walk(item.items)

    return max(walk(_parse(sql)), default=0)


# -- golden files -------------------------------------------------------------

GOLDEN = Path(__file__).parent / "golden"
_UPDATE_GOLDEN = os.environ.get("FIELDSTAMPS_UPDATE_GOLDEN") == "1"


def _check_golden(path: Path, text: str, *, update: bool) -> None:
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        previous = path.read_text() if path.exists() else None
        path.write_text(text)
        state = "unchanged" if previous == text else "written"
        pytest.fail(f"FIELDSTAMPS_UPDATE_GOLDEN: {path} {state}", pytrace=False)
    if not path.exists():
        pytest.fail(
            f"missing golden file {path}; create it with FIELDSTAMPS_UPDATE_GOLDEN=1 "
            "and review it",
            pytrace=False,
        )
    expected = path.read_text()
    if expected != text:
        diff = difflib.unified_diff(
            expected.splitlines(),
            text.splitlines(),
            f"{path} (golden)",
            "compiled now",
            lineterm="",
        )
        pytest.fail(
            "SQL differs from the golden file (regenerate with "
            "FIELDSTAMPS_UPDATE_GOLDEN=1 if intended):\n" + "\n".join(diff),
            pytrace=False,
        )


def assert_golden(case: str, name: str, text: str) -> None:
    _check_golden(GOLDEN / case / f"{name}.sql", text, update=_UPDATE_GOLDEN)


def _param_lines(
    pairs: Sequence[tuple[object, object]], heading: str = "params"
) -> list[str]:
    if not pairs:
        return [f"-- {heading}: none"]
    return [f"-- {heading}:"] + [f"--   {key} = {value!r}" for key, value in pairs]


def _compiled_text(compiled: SQLCompiler) -> str:
    params = compiled.params
    if compiled.positional:
        # Positional paramstyles: the values in the order of the markers.
        names = compiled.positiontup or []
        pairs: list[tuple[object, object]] = [(name, params[name]) for name in names]
    else:
        pairs = list(params.items())
    return "\n".join([format_sql(str(compiled)), *_param_lines(pairs)])


def _golden_text(sections: Sequence[tuple[str, str]]) -> str:
    if len(sections) == 1:
        return sections[0][1] + "\n"
    return "\n\n".join(f"-- {title}\n{body}" for title, body in sections) + "\n"


# -- statements as the driver receives them ----------------------------------


def _driver_text(calls: Sequence[DriverCall]) -> str:
    sections = []
    for number, call in enumerate(calls, 1):
        title = f"statement {number}"
        if call.many:
            title += f": executemany, {len(call.params)} parameter sets"
            params = "\n".join(
                line
                for row, values in enumerate(call.params, 1)
                for line in _param_lines(_pairs(values), f"parameter set {row}")
            )
        else:
            params = "\n".join(_param_lines(_pairs(call.params)))
        sections.append((title, f"{format_sql(call.sql)}\n{params}"))
    return _golden_text(sections)


def _pairs(params: Any) -> list[tuple[object, object]]:
    if params is None:
        return []
    if isinstance(params, dict):
        # Sorted: SQLAlchemy builds some of these dicts in set order.
        return sorted(params.items())
    return list(enumerate(params, 1))


# -- the statements -----------------------------------------------------------


def _upsert(
    name: str, values: dict[str, Any], new: Callable[[Any], dict[Any, Any]]
) -> Any:
    """INSERT .. ON CONFLICT DO UPDATE / ON DUPLICATE KEY UPDATE of Account,
    the update branch through upsert_set(); ``new(stmt)`` gives its values."""
    if name in _MYSQL_FAMILY:
        my = mysql.insert(ACCOUNT).values(**values)
        return my.on_duplicate_key_update(upsert_set(Account, new(my)))
    dialect_insert = postgresql.insert if name == "postgresql" else sqlite.insert
    stmt = dialect_insert(ACCOUNT).values(**values)
    return stmt.on_conflict_do_update(
        index_elements=[ACCOUNT.c.id], set_=upsert_set(Account, new(stmt))
    )


def _proposed(stmt: Any) -> Any:
    """The row an upsert proposes: ``excluded`` or MySQL's ``inserted``."""
    return stmt.inserted if hasattr(stmt, "inserted") else stmt.excluded


_NEW_ROW = {"id": 1, "name": "Spongebob", "fullname": "Spongebob Squarepants", "age": 3}

STATEMENTS: dict[str, Callable[[str], Any]] = {
    "insert_single_row": lambda name: insert(Account).values(**_NEW_ROW, status="ok"),
    "insert_multirow": lambda name: insert(Account).values(
        [
            {"id": 1, "name": "Spongebob", "fullname": "Spongebob Squarepants"},
            {"id": 2, "name": "Patrick", "fullname": None, "age": 30},
        ]
    ),
    # fullname, age and status (a server default) left out; notes untracked.
    "insert_leaving_columns_out": lambda name: insert(Account).values(name="Sandy"),
    "update_orm_literal": lambda name: (
        update(Account)
        .where(Account.id == 5)
        .values(name="Spongebob", fullname="Spongebob Squarepants", age=3)
    ),
    "update_orm_expression": lambda name: (
        update(Account)
        .where(Account.id == 5)
        .values(name="Spongebob", fullname=Account.name)
    ),
    "update_core": lambda name: (
        update(ACCOUNT)
        .where(ACCOUNT.c.id == bindparam("b_id"))
        .values(age=ACCOUNT.c.age + 1, status=bindparam("b_status"))
    ),
    # Only contact_changed_at's fields: name's stamps stay out.
    "update_some_fields": lambda name: update(Account).values(age=3),
    # Joined to another table: which columns it assigns per row is unknown
    # to the stamps, so all of them stay.
    "update_multitable": lambda name: (
        update(ACCOUNT).where(ACCOUNT.c.id == PRICE.c.id).values(name=PRICE.c.title)
    ),
    "upsert_all_fields": lambda name: _upsert(
        name,
        _NEW_ROW,
        lambda stmt: {
            key: _proposed(stmt)[key] for key in ("name", "fullname", "age", "notes")
        },
    ),
    "upsert_literal_subset": lambda name: _upsert(
        name, _NEW_ROW, lambda stmt: {"age": 4}
    ),
    "upsert_reading_own_column": lambda name: _upsert(
        name, _NEW_ROW, lambda stmt: {ACCOUNT.c.age: ACCOUNT.c.age + 1}
    ),
    "select_updated_at_of": lambda name: (
        select(Account.id)
        .where(
            Account.updated_at_of("fullname")
            >= dt.datetime(2024, 2, 29, 14, tzinfo=dt.timezone(dt.timedelta(hours=2)))
        )
        .order_by(Account.updated_at_of("name").desc(), Account.updated_at_of("age"))
    ),
}


@pytest.mark.parametrize("case", STATEMENTS)
def test_statement_sql(case: str, dialect_name: str) -> None:
    compiled = _compile(STATEMENTS[case](dialect_name), dialect_name)
    assert_golden(case, dialect_name, _golden_text([("", _compiled_text(compiled))]))


@pytest.mark.parametrize("kind", VALUE_KINDS)
def test_value_kind_sql(kind: str, dialect_name: str) -> None:
    model = VALUE_MODELS[kind]
    sample = VALUE_KINDS[kind][1]
    functions = table_ddl(model.__table__, dialect_name).install
    sections = [
        (
            "INSERT",
            _compiled_text(
                _compile(insert(model).values(id=1, v=sample), dialect_name)
            ),
        ),
        *(("CHANGES FUNCTION", sql) for sql in functions),
        (
            "UPDATE",
            _compiled_text(
                _compile(
                    update(model).where(model.id == 1).values(v=sample), dialect_name
                )
            ),
        ),
    ]
    assert_golden(f"value_{kind}", dialect_name, _golden_text(sections))


DDL_MODELS = {"ddl_account": Account, "ddl_price": Price}


@pytest.mark.parametrize("case", DDL_MODELS)
def test_create_table_ddl(case: str, dialect_name: str) -> None:
    table = _table(DDL_MODELS[case])
    dialect = _dialect(dialect_name)
    ddl = [CreateTable(table).compile(dialect=dialect)] + [
        CreateIndex(index).compile(dialect=dialect)
        for index in sorted(table.indexes, key=lambda index: str(index.name))
    ]
    assert_golden(
        case, dialect_name, "\n\n".join(_format_ddl(str(d)) for d in ddl) + "\n"
    )


def test_batched_insert(dialect_name: str) -> None:
    """Three rows in one execute(): SQLAlchemy's "insertmanyvalues" batches
    them into multi-row INSERTs where the dialect has INSERT .. RETURNING;
    each row's JSON copies must name that row's renamed parameters."""
    calls: list[DriverCall] = []
    engine = stand_in_engine(dialect_name, calls, insertmanyvalues_page_size=2)
    stmt = insert(ACCOUNT)
    if engine.dialect.insert_executemany_returning:
        # RETURNING is what makes SQLAlchemy batch the rows itself; without
        # it (MySQL) the rows go to the driver's executemany().
        stmt = stmt.returning(ACCOUNT.c.id)
    rows = [
        {"id": i, "name": f"name {i}", "fullname": None, "age": i} for i in range(3)
    ]
    with engine.connect() as conn:
        calls.clear()
        conn.execute(stmt, rows)
    if dialect_name == "mysql":
        assert [call.many for call in calls] == [True]
        row = DriverCall(calls[0].sql, calls[0].params[1], many=False)
        assert _times_bound(row, "name 1") == 2
    else:
        assert [call.many for call in calls] == [False, False]  # 2 rows + 1 row
        # Each row's name is bound twice: the column and its JSON copy.
        assert _times_bound(calls[0], "name 1") == 2
        assert _times_bound(calls[1], "name 2") == 2
    assert_golden("insert_batched", dialect_name, _driver_text(calls))


def _times_bound(call: DriverCall, value: object) -> int:
    """How often the statement binds ``value``: markers of named parameters
    holding it, or its positions among positional ones."""
    if isinstance(call.params, dict):
        keys = [key for key, bound in call.params.items() if bound == value]
        return sum(call.sql.count(f"%({key})s") for key in keys)
    return list(call.params).count(value)


def test_orm_flush(dialect_name: str) -> None:
    """The unit of work: an INSERT, an UPDATE of one changed attribute, and
    the stamps' reload after each flush."""
    calls: list[DriverCall] = []
    engine = stand_in_engine(dialect_name, calls)
    with Session(engine) as session:
        session.connection()
        calls.clear()
        # Kept referenced: stamps are reloaded for objects outliving a flush.
        spongebob = Account(id=1, name="Spongebob", fullname="S. Squarepants")
        session.add(spongebob)
        session.flush()
        known = Account(id=2, name="Patrick", fullname=None, age=40)
        make_transient_to_detached(known)
        session.add(known)
        known.name = "Patrick Star"
        session.flush()
        assert inspect(spongebob).persistent
    statements = [call.sql.split()[0] for call in calls]
    assert statements == ["INSERT", "SELECT", "UPDATE", "SELECT"]
    update_sql = calls[2].sql
    assert "name_changed_at=" in update_sql
    assert "contact_changed_at=" not in update_sql
    assert_golden("orm_flush", dialect_name, _driver_text(calls))


# -- properties of the SQL, asserted inline -----------------------------------

MARIADB_PREFIX = (
    "SET STATEMENT sql_mode = CONCAT(@@sql_mode, ',SIMULTANEOUS_ASSIGNMENT') FOR "
)

# statement, whether a SET value reads the stamped table's own columns
PREFIX_CASES: dict[str, tuple[Callable[[str], Any], bool]] = {
    "orm literal values": (
        lambda name: update(Account).values(name="B", fullname="C", age=1),
        False,
    ),
    "core bound parameters": (
        lambda name: (
            update(ACCOUNT)
            .where(ACCOUNT.c.id == bindparam("b_id"))
            .values(name=bindparam("b_name"))
        ),
        False,
    ),
    "where clause reads own columns, values do not": (
        lambda name: update(Account).where(Account.age > 3).values(name="B"),
        False,
    ),
    "value from another table": (
        lambda name: update(ACCOUNT).values(
            name=select(func.max(PRICE.c.title)).scalar_subquery()
        ),
        False,
    ),
    "orm value reads own column": (
        lambda name: update(Account).values(name="B", fullname=Account.name),
        True,
    ),
    "core value reads own column": (
        lambda name: update(ACCOUNT).values(age=ACCOUNT.c.age + 1),
        True,
    ),
    "untracked column reads own column": (
        lambda name: update(ACCOUNT).values(notes=ACCOUNT.c.name),
        True,
    ),
    "correlated subquery reads own column": (
        lambda name: update(ACCOUNT).values(
            name=select(PRICE.c.title)
            .where(PRICE.c.id == ACCOUNT.c.id)
            .scalar_subquery()
        ),
        True,
    ),
    "upsert of the proposed row": (
        lambda name: _upsert(
            name, _NEW_ROW, lambda stmt: {"name": _proposed(stmt).name}
        ),
        False,
    ),
    "upsert reads own column": (
        lambda name: _upsert(
            name, _NEW_ROW, lambda stmt: {ACCOUNT.c.age: ACCOUNT.c.age + 1}
        ),
        True,
    ),
}


@pytest.mark.parametrize("case", PREFIX_CASES)
def test_mariadb_simultaneous_assignment_prefix(case: str, dialect_name: str) -> None:
    build, reads_own_columns = PREFIX_CASES[case]
    sql = _sql(build(dialect_name), dialect_name)
    expected = reads_own_columns and dialect_name == "mariadb"
    assert sql.startswith(MARIADB_PREFIX) == expected, sql[:120]
    assert sql.count("SIMULTANEOUS_ASSIGNMENT") == int(expected)


def _mariadb_statements() -> Iterator[tuple[str, Any]]:
    for case, build in STATEMENTS.items():
        yield case, build("mariadb")
    for case, (build, _) in PREFIX_CASES.items():
        yield case, build("mariadb")


def test_mysql_url_on_mariadb_compiles_as_mariadb() -> None:
    """``mysql+pymysql://`` connected to MariaDB (as the test suite's server
    URL is) is the MySQL dialect with ``is_mariadb`` set: same SQL."""
    connected = stand_in_engine("mariadb", url="mysql+pymysql://").dialect
    assert connected.name == "mysql"
    for case, stmt in _mariadb_statements():
        assert str(stmt.compile(dialect=connected)) == _sql(stmt, "mariadb"), case


def _set_clause(sql: str) -> str:
    return sql.split(" SET ", 1)[1].split(" WHERE ")[0]


def test_update_of_untracked_columns_only(dialect_name: str) -> None:
    sql = _sql(update(Account).where(Account.id == 5).values(notes="x"), dialect_name)
    now = {
        "postgresql": "now()",
        "sqlite": "strftime('%Y-%m-%d %H:%M:%f000', 'now')",
        "mysql": "UTC_TIMESTAMP(6)",
        "mariadb": "UTC_TIMESTAMP(6)",
    }[dialect_name]
    bind = {
        "postgresql": ("%(notes)s::VARCHAR", "%(id_1)s::INTEGER"),
        "sqlite": ("?", "?"),
        "mysql": ("%(notes)s", "%(id_1)s"),
        "mariadb": ("%(notes)s", "%(id_1)s"),
    }[dialect_name]
    assert sql == (
        f"UPDATE account SET notes={bind[0]}, updated_at={now} "
        f"WHERE account.id = {bind[1]}"
    )


@pytest.mark.parametrize("dialect", [*DIALECTS, "mssql"])
def test_table_without_stamps_compiles_untouched(dialect: str) -> None:
    stmt = update(PLAIN).where(PLAIN.c.id == 1).values(x=PLAIN.c.x + 1)
    if dialect == "mssql":
        sql = str(stmt.compile(dialect=UNSUPPORTED["mssql"]()))
    else:
        sql = _sql(stmt, dialect)
    bind = {
        "postgresql": ("%(x_1)s::INTEGER", "%(id_1)s::INTEGER"),
        "sqlite": ("?", "?"),
        "mysql": ("%(x_1)s", "%(id_1)s"),
        "mariadb": ("%(x_1)s", "%(id_1)s"),
        "mssql": (":x_1", ":id_1"),
    }[dialect]
    assert sql == f"UPDATE plain SET x=(plain.x + {bind[0]}) WHERE plain.id = {bind[1]}"


def test_update_of_some_fields_leaves_the_others_stamps_out(dialect_name: str) -> None:
    set_clause = _set_clause(
        _sql(STATEMENTS["update_some_fields"](dialect_name), dialect_name)
    )
    assigned = re.findall(r"(?:^|, )(\w+) ?=", set_clause)
    assert sorted(assigned) == ["age", "changes", "contact_changed_at", "updated_at"]
    if requires.left_to_right_set(_dialect(dialect_name)):
        # The comparing stamps first, while age still holds the old value.
        assert assigned[:2] == ["contact_changed_at", "changes"]
    # changes gets an entry for age only (PostgreSQL names keys 'age',
    # the JSON paths of the others '$."age"').
    assert "'age'" in set_clause or '"age"' in set_clause
    for other in ("name", "fullname", "status"):
        assert f"'{other}'" not in set_clause
        assert f'"{other}"' not in set_clause


def test_upsert_assigns_stamps_before_the_columns(dialect_name: str) -> None:
    """MySQL assigns SET items left to right: each stamp must compare the
    stored value before its column is overwritten."""
    sql = _sql(STATEMENTS["upsert_all_fields"](dialect_name), dialect_name)
    update_branch = re.split(r"ON DUPLICATE KEY UPDATE|DO UPDATE SET", sql)[1]
    assigned = re.findall(r"(?:^ |, )(\w+) = ", update_branch)
    comparing = ["name_changed_at", "contact_changed_at", "changes"]
    columns = ["name", "fullname", "age", "notes"]
    assert sorted(assigned) == sorted([*comparing, *columns, "updated_at"])
    if requires.left_to_right_set(_dialect(dialect_name)):
        assert max(map(assigned.index, comparing)) < min(map(assigned.index, columns))


def test_multirow_insert_copies_each_rows_own_values(dialect_name: str) -> None:
    compiled = _compile(STATEMENTS["insert_multirow"](dialect_name), dialect_name)
    names = (
        list(compiled.positiontup or [])
        if compiled.positional
        else re.findall(r"%\((\w+)\)s", str(compiled))
    )
    # Each row binds its name twice: the column, and its copy in changes.
    assert names.count("name_m0") == 2
    assert names.count("name_m1") == 2
    assert compiled.params["name_m1"] == "Patrick"


def test_insert_leaving_columns_out_records_the_server_default(
    dialect_name: str,
) -> None:
    compiled = _compile(
        STATEMENTS["insert_leaving_columns_out"](dialect_name), dialect_name
    )
    sql = str(compiled)
    columns = sql.split("(", 1)[1].split(")", 1)[0].split(", ")
    # Left out, so the database stores NULL or the server default ...
    assert not {"fullname", "age", "status", "notes"} & set(columns)
    # ... and changes records that value, written inline: no parameter.
    assert "'new'" in sql
    assert set(compiled.params) == {"name"}


_STAMP_OF_SQL = {
    "postgresql": "SELECT account.id FROM account "
    "WHERE ((account.changes -> 'fullname') ->> 'updated_at') >= %(param_1)s::VARCHAR "
    "ORDER BY account.name_updated_at DESC, "
    "((account.changes -> 'age') ->> 'updated_at')",
    "sqlite": "SELECT account.id FROM account "
    "WHERE json_extract(account.changes, '$.\"fullname\".updated_at') >= ? "
    "ORDER BY account.name_updated_at DESC, "
    "json_extract(account.changes, '$.\"age\".updated_at')",
    "mysql": "SELECT account.id FROM account "
    "WHERE JSON_UNQUOTE(JSON_EXTRACT(account.changes, '$.\"fullname\".updated_at')) "
    ">= %(param_1)s "
    "ORDER BY account.name_updated_at DESC, "
    "JSON_UNQUOTE(JSON_EXTRACT(account.changes, '$.\"age\".updated_at'))",
}
_STAMP_OF_SQL["mariadb"] = _STAMP_OF_SQL["mysql"]


def test_updated_at_of_in_where_and_order_by(dialect_name: str) -> None:
    stmt = STATEMENTS["select_updated_at_of"](dialect_name)
    # name has an updated_at_column(): updated_at_of("name") reads it.
    assert " ".join(_sql(stmt, dialect_name).split()) == _STAMP_OF_SQL[dialect_name]
    calls: list[DriverCall] = []
    with stand_in_engine(dialect_name, calls).connect() as conn:
        calls.clear()
        conn.execute(stmt)
    # The aware datetime is bound as the stamps' own fixed-width UTC text.
    assert [value for _, value in _pairs(calls[0].params)] == [
        "2024-02-29T12:00:00.000000Z"
    ]


@pytest.mark.parametrize("kind", NO_JSON_FORM)
def test_value_without_json_form_keeps_only_the_stamp(
    kind: str, dialect_name: str
) -> None:
    model = VALUE_MODELS[kind]
    for stmt in (
        insert(model).values(id=1, v=VALUE_KINDS[kind][1]),
        update(model).values(v=VALUE_KINDS[kind][1]),
    ):
        sql = _run_sql(stmt, dialect_name)
        assert "'updated_at'" in sql
        assert "'value'" not in sql


@pytest.mark.parametrize(
    "kind", [*SINGLE_PRECISION, "float_53", "double", "real", "decimal"]
)
def test_single_precision_copy_on_mysql_only(kind: str, dialect_name: str) -> None:
    # The copy loses what the stored FLOAT loses: an UPDATE casts the value
    # it binds; the INSERT's function takes a FLOAT argument and reads back
    # the digits a FLOAT shows (test_values.py checks the values stored).
    model = VALUE_MODELS[kind]
    single = kind in SINGLE_PRECISION and dialect_name in _MYSQL_FAMILY
    updated = _run_sql(update(model).values(v=1.5), dialect_name)
    assert ("AS FLOAT)" in updated) == single
    inserted = _run_sql(insert(model).values(id=1, v=1.5), dialect_name)
    assert ("JSON_EXTRACT(fs_1, '$')" in inserted) == single


# chunks of the changes object per statement, by dialect
def _expected_chunks(dialect_name: str, fields: int) -> int:
    per_call = {"postgresql": 50, "sqlite": 60}.get(dialect_name)
    return 1 if per_call is None else math.ceil(fields / per_call)


# The most arguments one function call may take: PostgreSQL's limit, SQLite's
# default SQLITE_MAX_FUNCTION_ARG before 3.48.
_ARGUMENT_LIMITS = {"postgresql": 100, "sqlite": 127}


@pytest.mark.parametrize("fields", WIDE_FIELD_COUNTS)
def test_wide_insert_is_chunked(fields: int, dialect_name: str) -> None:
    model = WIDE_MODELS[fields]
    sql = _run_sql(insert(model).values(id=1), dialect_name)
    if dialect_name == "postgresql":
        chunks = len(re.findall(r"jsonb_build_object\('f\d{3}'", sql))
    else:
        # One object of the first chunk's fields (json_set rewrites the
        # document per pair), the other chunks set into it.
        objects = len(re.findall(r"json_object\('f\d{3}'", sql, re.IGNORECASE))
        assert objects == 1
        chunks = objects + sql.lower().count("json_set(")
    assert chunks == _expected_chunks(dialect_name, fields)
    assert _max_function_args(sql) <= _ARGUMENT_LIMITS.get(dialect_name, 10_000)
    for i in range(fields):
        assert f"f{i:03d}'" in sql or f'f{i:03d}"' in sql


@pytest.mark.parametrize("fields", WIDE_FIELD_COUNTS)
def test_wide_update_stays_within_argument_limits(
    fields: int, dialect_name: str
) -> None:
    model = WIDE_MODELS[fields]
    sql = _sql(
        update(model).values({f"f{i:03d}": i for i in range(fields)}), dialect_name
    )
    if dialect_name == "postgresql":
        # One || per field: flat, and no call near the limit.
        assert sql.count("jsonb_build_object('f") == fields
    else:
        function = "json_set(" if dialect_name == "sqlite" else "JSON_SET("
        assert sql.count(function) == _expected_chunks(dialect_name, fields)
    assert _max_function_args(sql) <= _ARGUMENT_LIMITS.get(dialect_name, 10_000)


def test_create_table_keeps_the_users_column_order_and_generates_mirrors(
    dialect_name: str,
) -> None:
    ddl = str(CreateTable(ACCOUNT).compile(dialect=_dialect(dialect_name)))
    columns = [
        line.split()[0] for line in ddl.splitlines()[1:] if line.startswith("\t")
    ]
    # Declared order: the model's own columns first, the mixins' after; the
    # order MySQL's SET needs is made where the UPDATE is compiled.
    assert columns[:6] == ["id", "name", "fullname", "age", "status", "notes"]
    mirror = next(line for line in ddl.splitlines() if "name_updated_at" in line)
    assert "GENERATED ALWAYS AS (" in mirror
    assert mirror.rstrip(", ").endswith("STORED")


# -- dialects without fieldstamps SQL -----------------------------------------

UNSUPPORTED: dict[str, Callable[[], Dialect]] = {
    "mssql": mssql.dialect,
    "oracle": oracle.dialect,
}
UNSUPPORTED_STATEMENTS: dict[str, Callable[[], Any]] = {
    "insert": lambda: insert(Account).values(name="x"),
    "orm update": lambda: update(Account).values(name="x"),
    "core update of an untracked column": lambda: update(ACCOUNT).values(notes="x"),
    "changed_at only": lambda: update(Price).values(amount=1),
    "updated_at_of": lambda: select(Account.id).order_by(Account.updated_at_of("age")),
    "create table": lambda: CreateTable(ACCOUNT),
}


@pytest.mark.parametrize("case", UNSUPPORTED_STATEMENTS)
@pytest.mark.parametrize("unsupported", UNSUPPORTED)
def test_unsupported_dialect_is_named(unsupported: str, case: str) -> None:
    stmt = UNSUPPORTED_STATEMENTS[case]()
    with pytest.raises(fieldstamps.UnsupportedDatabaseError) as raised:
        stmt.compile(dialect=UNSUPPORTED[unsupported]())
    assert raised.value.dialect_name == unsupported
    assert f"{unsupported!r} dialect" in str(raised.value)
    assert isinstance(raised.value, fieldstamps.FieldstampsError)


_DIALECT_SQL = (
    "now()",
    "strftime(",
    "UTC_TIMESTAMP(",
    "jsonb_build_object(",
    "json_set(",
    "JSON_SET(",
    "json_extract(",
    "JSON_EXTRACT(",
)


@pytest.mark.parametrize(
    ("case", "starts"),
    [
        ("insert", "INSERT INTO account ("),
        ("orm update", "UPDATE account SET "),
        ("updated_at_of", "SELECT account.id"),
        ("create table", "CREATE TABLE account ("),
    ],
)
def test_str_without_dialect_is_a_readable_stand_in(case: str, starts: str) -> None:
    text = str(UNSUPPORTED_STATEMENTS[case]())
    assert text.lstrip().startswith(starts)
    assert "fieldstamps" in text
    assert not any(sql in text for sql in _DIALECT_SQL), text


# -- the golden files themselves ----------------------------------------------


def _golden_cases() -> set[str]:
    cases = {*STATEMENTS, *DDL_MODELS, "insert_batched", "orm_flush"}
    cases |= {f"value_{kind}" for kind in VALUE_KINDS}
    return {f"{case}/{name}.sql" for case in cases for name in DIALECTS}


def test_no_stale_golden_files() -> None:
    on_disk = {path.relative_to(GOLDEN).as_posix() for path in GOLDEN.rglob("*.sql")}
    assert on_disk - _golden_cases() == set()


def test_a_missing_golden_file_fails_and_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "case" / "sqlite.sql"
    with pytest.raises(pytest.fail.Exception, match="missing golden file"):
        _check_golden(path, "SELECT 1\n", update=False)
    assert not path.exists()


def test_a_changed_statement_fails_with_a_diff(tmp_path: Path) -> None:
    path = tmp_path / "sqlite.sql"
    path.write_text("SELECT 1\n")
    _check_golden(path, "SELECT 1\n", update=False)
    with pytest.raises(pytest.fail.Exception, match=r"(?s)-SELECT 1.*\+SELECT 2"):
        _check_golden(path, "SELECT 2\n", update=False)


def test_regenerating_writes_the_file_and_fails(tmp_path: Path) -> None:
    path = tmp_path / "new" / "sqlite.sql"
    with pytest.raises(pytest.fail.Exception, match="FIELDSTAMPS_UPDATE_GOLDEN"):
        _check_golden(path, "SELECT 2\n", update=True)
    assert path.read_text() == "SELECT 2\n"


def test_formatter_breaks_lines_and_changes_nothing_else() -> None:
    sql = (
        "INSERT INTO t (a, b) VALUES (json_set(json('{}'), '$.\"a\"', "
        "json_object('value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', "
        "'now'))), ?) ON CONFLICT (a) DO UPDATE SET b = CASE WHEN (t.b IS NOT "
        "excluded.b) OR (t.a IS NOT excluded.a) THEN excluded.b ELSE t.b END, "
        "a = excluded.a"
    )
    assert format_sql(sql) == (
        """INSERT INTO t (a, b)
VALUES
    (
        json_set(
            json('{}'),
            '$."a"',
            json_object(
                'value', ?, 'updated_at', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
            )
        ),
        ?
    )
ON CONFLICT (a)
DO UPDATE SET
    b = CASE
        WHEN (t.b IS NOT excluded.b) OR (t.a IS NOT excluded.a) THEN excluded.b
        ELSE t.b END,
    a = excluded.a"""
    )
    with pytest.raises(AssertionError, match="unbalanced"):
        format_sql("f(a")


class Quirks(ChangeTrackingMixin, Base):
    """String server defaults of every numeric kind, and ones that do not read
    as a value of the column's kind."""

    __tablename__ = "quirky_defaults"

    id: Mapped[int] = mapped_column(primary_key=True)
    ratio: Mapped[float] = mapped_column(Float, server_default="0.5")
    price: Mapped[Decimal] = mapped_column(Numeric(8, 2), server_default="1.25")
    flag: Mapped[bool] = mapped_column(Boolean, server_default="yes")
    odd_flag: Mapped[bool | None] = mapped_column(Boolean, server_default="maybe")
    odd_count: Mapped[int | None] = mapped_column(Integer, server_default="n/a")


def test_string_defaults_are_recorded_as_their_kind_or_not_at_all(
    dialect_name: str,
) -> None:
    sql = _sql(insert(Quirks).values(id=1), dialect_name)
    # The number, not the string: what the database stores for DEFAULT '0.5'.
    assert "0.5" in sql and "'0.5'" not in sql
    assert "1.25" in sql and "'1.25'" not in sql
    # 'maybe' is no boolean and 'n/a' no integer: the database would refuse
    # them, so changes records no value rather than a wrong one.
    assert "maybe" not in sql and "n/a" not in sql


def test_an_insert_compiled_without_values_binds_every_column(
    dialect_name: str,
) -> None:
    # With no values given, every column is a parameter of the INSERT, the
    # stamps and changes too: nothing of fieldstamps' is compiled into it.
    compiled = _compile(insert(Account), dialect_name)
    assert {"fullname", "status", "changes", "updated_at"} <= set(compiled.params)
    assert "'new'" not in str(compiled)


def test_a_statement_nested_in_another_takes_no_statement_prefix() -> None:
    # SET STATEMENT ... FOR can only lead a whole statement; inside a CTE it
    # would be a syntax error.
    upsert = mysql.insert(Account).values(id=1, name="a")
    upsert = upsert.on_duplicate_key_update(
        upsert_set(Account, {"name": Account.fullname})
    )
    nested = _sql(select(upsert.returning(Account.id).cte()), "mariadb")
    assert nested.startswith("WITH") and "SET STATEMENT" not in nested
    assert _sql(upsert, "mariadb").startswith("SET STATEMENT")
