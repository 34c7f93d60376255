"""Model-based property tests: random write sequences against a reference model.

A hypothesis state machine keeps one Session open per run and drives it
through inserts, writes on every SQLAlchemy write path (with new values, the
same values again, NULLs set and cleared), commits, rollbacks and savepoints.
A plain-Python model holds what every row must contain, committed and
in-transaction, with a snapshot per open savepoint, and each row's timeline:
its values after every write, at that write's instant.

The model cannot know server times in advance: after each write it reads the
written rows back on the session's own connection and takes their
``updated_at`` as that write's instant. A field the write changed must then
carry that instant; every other field keeps the stamp the model already has.
PostgreSQL's ``now()`` is the transaction start, so several writes of one
transaction share an instant; the rule still holds.

Checked after every write, in the transaction, and after every commit, on a
fresh connection: for every row and tracked field, the stamp equals the
``updated_at`` of the write that last changed the field (so it never moves on a
no-op), ``changes[f]["value"]`` equals the column, the ``changed_at()`` columns
and the ``updated_at_column()`` mirror agree; rollbacks and savepoint
rollbacks restore the model's state exactly. In-session objects whose stamps
the README promises to keep fresh must show the database's stamps. With
history (``HistoriedUser``), after every commit and rollback, ``as_of()`` at
each instant of every row's timeline gives the values a replay of the
timeline gives, and None before the row's insert: rolled-back writes left
no history.

CI runs a bounded profile; ``FIELDSTAMPS_LONG=1`` runs the long one (500 runs
of up to 30 steps per backend). ``pytest -s`` prints each backend's figures.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import (
    Connection,
    Engine,
    Table,
    bindparam,
    create_engine,
    event,
    func,
    insert,
    null,
    select,
    update,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.sql import ColumnElement

import fieldstamps
from fieldstamps import upsert_set
from fieldstamps._types import parse_stamp_text
from tests.backends import Backend
from tests.models import Base, HistoriedUser, User
from tests.requirements import dialect_insert, requires

TRACKED = ("name", "fullname", "age")
CONTACT = ("fullname", "age")

# Small alphabets: repeats (no-op writes), NULL transitions and case-only
# changes, which MariaDB's default collation would call equal, come up often.
NAMES = ("spongebob", "Spongebob", "SPONGEBOB", "patrick")
FULLNAMES = (None, "spongebob", "Spongebob", "Patrick Star")
AGES = (None, 0, 1, 2)
VALUES: dict[str, tuple[Any, ...]] = {
    "name": NAMES,
    "fullname": FULLNAMES,
    "age": AGES,
}

LONG = os.environ.get("FIELDSTAMPS_LONG") == "1"
PROFILE = settings(
    max_examples=500 if LONG else 25,
    stateful_step_count=30 if LONG else 15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _user_table() -> Table:
    table = User.__table__
    assert isinstance(table, Table)  # typed as FromClause; narrows for DML
    return table


TABLE = _user_table()

# Row ids are chosen here, not by the database: upserts need explicit keys,
# and a PostgreSQL sequence does not see explicitly keyed inserts.
_IDS = itertools.count(1)


# -- SQL expressions a statement may assign, with their Python meaning -----------

Row = dict[str, Any]


@dataclass(frozen=True)
class Expression:
    # Given the columns to use: the mapped class, or the Table's ``.c``.
    sql: Callable[[Any], ColumnElement[Any]]
    # (row before the statement, row as assigned so far) -> the new value; the
    # second argument is what MariaDB's left-to-right SET lets it see.
    python: Callable[[Row, Row], Any]


def _upper(value: str | None) -> str | None:
    return None if value is None else value.upper()


def _lower(value: str | None) -> str | None:
    return None if value is None else value.lower()


EXPRESSIONS: dict[str, dict[str, Expression]] = {
    "name": {
        "upper(name)": Expression(
            lambda c: func.upper(c.name), lambda old, now: _upper(now["name"])
        ),
        "lower(name)": Expression(
            lambda c: func.lower(c.name), lambda old, now: _lower(now["name"])
        ),
        "name": Expression(lambda c: c.name, lambda old, now: now["name"]),
    },
    "fullname": {
        "NULL": Expression(lambda c: null(), lambda old, now: None),
        "upper(fullname)": Expression(
            lambda c: func.upper(c.fullname),
            lambda old, now: _upper(now["fullname"]),
        ),
        "name": Expression(lambda c: c.name, lambda old, now: now["name"]),
    },
    "age": {
        "age + 1": Expression(
            lambda c: c.age + 1,
            lambda old, now: None if now["age"] is None else now["age"] + 1,
        ),
        "age * 1": Expression(lambda c: c.age * 1, lambda old, now: now["age"]),
        "coalesce(age, 0)": Expression(
            lambda c: func.coalesce(c.age, 0),
            lambda old, now: 0 if now["age"] is None else now["age"],
        ),
        "NULL": Expression(lambda c: null(), lambda old, now: None),
    },
}

#: A statement-wide assignment: ("literal", value) or ("expression", name).
Assignment = tuple[str, Any]


def evaluate(old: Row, spec: dict[str, Assignment], left_to_right: bool) -> Row:
    """The row after ``SET`` ``spec``, under the database's SET semantics.

    SQLAlchemy orders SET by table column order (name, fullname, age).
    Standard SQL evaluates every right-hand side on the old row; MariaDB
    assigns left to right, so a later item sees an earlier item's new value.
    """
    new = dict(old)
    for field in TRACKED:
        if field not in spec:
            continue
        kind, what = spec[field]
        seen = new if left_to_right else old
        new[field] = (
            what
            if kind == "literal"
            else EXPRESSIONS[field][what].python(old, dict(seen))
        )
    return new


def upsert_assigns_left_to_right(engine: Engine, table: Table) -> bool:
    """Whether an ON DUPLICATE KEY UPDATE's SET sees values assigned earlier
    in that SET, as measured on ``table`` (then rolled back): on MariaDB 10.11
    a table with BEFORE UPDATE triggers is assigned left to right even under
    SIMULTANEOUS_ASSIGNMENT, which the SQL text does not show."""
    probe = -1
    upsert = mysql.insert(table).values(id=probe, name="new")
    upsert = upsert.on_duplicate_key_update(
        upsert_set(table, {"name": "new", "fullname": table.c.name})
    )
    with engine.connect() as conn, conn.begin() as transaction:
        conn.execute(insert(table).values(id=probe, name="old"))
        conn.execute(upsert)
        copied = conn.execute(
            select(table.c.fullname).where(table.c.id == probe)
        ).scalar_one()
        transaction.rollback()
    return bool(copied == "new")


def assigns_left_to_right(engine: Engine, statement: Any) -> bool:
    """Whether ``statement``'s SET sees values assigned earlier in that SET.

    MariaDB/MySQL assign left to right unless MariaDB's SIMULTANEOUS_ASSIGNMENT
    mode is on, for the session or (as fieldstamps does for UPDATEs) for the
    one statement.
    """
    if not requires.left_to_right_set(engine):
        return False
    if not requires.simultaneous_assignment(engine):
        return True
    if "SIMULTANEOUS_ASSIGNMENT" in str(statement.compile(dialect=engine.dialect)):
        return False
    with engine.connect() as conn:
        mode = conn.exec_driver_sql("SELECT @@sql_mode").scalar()
    return "SIMULTANEOUS_ASSIGNMENT" not in str(mode).upper()


def sql_values(spec: dict[str, Assignment], columns: Any) -> dict[str, Any]:
    return {
        field: value if kind == "literal" else EXPRESSIONS[field][value].sql(columns)
        for field, (kind, value) in spec.items()
    }


# -- what the database holds ---------------------------------------------------------


@dataclass(frozen=True)
class DbRow:
    values: Row
    changes: Any
    created_at: dt.datetime
    updated_at: dt.datetime
    name_changed_at: dt.datetime | None
    contact_changed_at: dt.datetime | None
    name_updated_at: dt.datetime | None


def read_rows(
    conn: Connection, table: Table, ids: Iterable[int] | None = None
) -> dict[int, DbRow]:
    query = select(
        table.c.id,
        table.c.name,
        table.c.fullname,
        table.c.age,
        table.c.changes,
        table.c.created_at,
        table.c.updated_at,
        table.c.name_changed_at,
        table.c.contact_changed_at,
        table.c.name_updated_at,
    )
    if ids is not None:
        query = query.where(table.c.id.in_(list(ids)))
    return {
        row.id: DbRow(
            values={field: getattr(row, field) for field in TRACKED},
            changes=row.changes,
            created_at=row.created_at,
            updated_at=row.updated_at,
            name_changed_at=row.name_changed_at,
            contact_changed_at=row.contact_changed_at,
            name_updated_at=row.name_updated_at,
        )
        for row in conn.execute(query)
    }


# -- the reference model -----------------------------------------------------------


@dataclass
class RowModel:
    values: Row
    stamps: dict[str, dt.datetime]
    created_at: dt.datetime
    updated_at: dt.datetime
    name_changed_at: dt.datetime
    contact_changed_at: dt.datetime
    #: (instant of a write, the values it left), in the order of the writes.
    timeline: list[tuple[dt.datetime, Row]]

    @classmethod
    def inserted(cls, values: Row, db: DbRow) -> RowModel:
        at = db.created_at
        return cls(
            dict(values),
            dict.fromkeys(TRACKED, at),
            at,
            at,
            at,
            at,
            [(at, dict(values))],
        )

    def as_of(self, instant: dt.datetime) -> Row | None:
        """The replay: the values the last write at or before ``instant`` left."""
        found = None
        for at, values in self.timeline:
            if at <= instant:
                found = values
        return found

    def wrote(self, new: Row, db: DbRow) -> None:
        """Record one write that left the row holding ``new``."""
        changed = {field for field in TRACKED if new[field] != self.values[field]}
        for field in changed:
            self.stamps[field] = db.updated_at
        if "name" in changed:
            self.name_changed_at = db.updated_at
        if changed & set(CONTACT):
            self.contact_changed_at = db.updated_at
        self.values = dict(new)
        self.updated_at = db.updated_at
        self.timeline.append((db.updated_at, dict(new)))


def check_history(
    conn: Connection, model: type[Any], rows: dict[int, RowModel], when: str
) -> None:
    """``as_of()`` agrees with the replay at every instant of every timeline."""
    for uid, expected in rows.items():
        first = expected.timeline[0][0]
        instants = [first - dt.timedelta(microseconds=1)]
        instants += sorted({at for at, _ in expected.timeline})
        for instant in instants:
            got = fieldstamps.as_of(conn, model, uid, instant)
            assert got == expected.as_of(instant), (
                f"{when}: as_of(row {uid}, {instant}) = {got}, replay gives "
                f"{expected.as_of(instant)}"
            )


def check_rows(db: dict[int, DbRow], model: dict[int, RowModel], when: str) -> None:
    assert sorted(db) == sorted(model), f"{when}: row ids"
    for uid, expected in model.items():
        row = db[uid]
        where = f"{when}: row {uid}"
        assert row.values == expected.values, f"{where}: values"
        assert isinstance(row.changes, dict), f"{where}: changes = {row.changes!r}"
        for field in TRACKED:
            entry = row.changes.get(field)
            assert isinstance(entry, dict), f"{where}: changes[{field!r}] = {entry!r}"
            assert entry.get("value", "<missing>") == row.values[field], (
                f"{where}: changes[{field!r}]['value'] = {entry.get('value')!r} "
                f"but the column holds {row.values[field]!r}"
            )
            assert (
                parse_stamp_text(entry.get("updated_at")) == expected.stamps[field]
            ), (
                f"{where}: stamp of {field!r} is {entry.get('updated_at')!r}, "
                f"expected {expected.stamps[field]} (last write that changed it)"
            )
        assert row.created_at == expected.created_at, f"{where}: created_at"
        assert row.updated_at == expected.updated_at, f"{where}: updated_at"
        assert row.name_changed_at == expected.name_changed_at, (
            f"{where}: name_changed_at {row.name_changed_at}, "
            f"expected {expected.name_changed_at}"
        )
        assert row.contact_changed_at == expected.contact_changed_at, (
            f"{where}: contact_changed_at {row.contact_changed_at}, "
            f"expected {expected.contact_changed_at}"
        )
        assert row.name_updated_at == expected.stamps["name"], (
            f"{where}: name_updated_at"
        )


# -- strategies ----------------------------------------------------------------------

INSERT_PATHS = ("orm", "core", "upsert")
# Statements that assign one SET to every chosen row; the other write paths
# give each row its own fields and values.
STATEMENT_PATHS = ("orm_update", "core_update")
SYNCHRONIZE = ("auto", "evaluate", "fetch", False)


def field_value(field: str) -> st.SearchStrategy[Any]:
    return st.sampled_from(VALUES[field])


def fields() -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(TRACKED), min_size=1, max_size=3, unique=True)


# -- the machine ---------------------------------------------------------------------


class FieldstampsMachine(RuleBasedStateMachine):
    """Bound to one backend's engine by :func:`machine_for`."""

    engine: Engine
    # User, or its twin whose stamps database triggers compute.
    model: type[Any]
    table: Table
    # Shared by every run of one test, for the figures printed at its end.
    stats: Counter[str]

    def __init__(self) -> None:
        super().__init__()
        self.stats["examples"] += 1
        _empty_tables(self.engine)
        # One flag per statement kind: the UPDATE is what every update path
        # but the upsert compiles. The probes read a column in their SET, the
        # only case where the order of assignment shows.
        self.update_left_to_right = assigns_left_to_right(
            self.engine, update(self.table).values(name="x", fullname=self.table.c.name)
        )
        self.upsert_left_to_right = requires.on_duplicate_key_update(
            self.engine
        ) and upsert_assigns_left_to_right(self.engine, self.table)
        self.session = Session(self.engine)
        self.committed: dict[int, RowModel] = {}
        self.pending: dict[int, RowModel] = {}
        self.savepoints: list[tuple[SessionTransaction, dict[int, RowModel]]] = []
        # In-session objects SQLAlchemy documents as not refreshed by a path:
        # their tracked values, or their stamps, may differ from the database.
        self.stale_values: set[int] = set()
        self.stale_stamps: set[int] = set()
        self.records_history = self.model is HistoriedUser

    def teardown(self) -> None:
        self.session.rollback()
        self.session.close()
        _empty_tables(self.engine)

    # -- helpers -------------------------------------------------------------------

    def conn(self) -> Connection:
        return self.session.connection()

    def after_write(self, what: str, new: dict[int, Row], statement: bool) -> None:
        """Read the written rows back in the transaction and advance the model."""
        db = read_rows(self.conn(), self.table, new)
        for uid, values in new.items():
            model = self.pending[uid]
            assert db[uid].values == values, (
                f"{what}: row {uid} holds {db[uid].values}, expected {values}"
            )
            if statement:
                # Every UPDATE moves updated_at (PostgreSQL: to the same
                # transaction instant), whether or not a field changed.
                assert db[uid].updated_at >= model.updated_at, what
            model.wrote(values, db[uid])
        self.check_transaction(what)

    def after_insert(self, what: str, rows: dict[int, Row]) -> None:
        db = read_rows(self.conn(), self.table, rows)
        for uid, values in rows.items():
            assert db[uid].created_at == db[uid].updated_at, what
            self.pending[uid] = RowModel.inserted(values, db[uid])
        self.check_transaction(what)

    def check_transaction(self, what: str) -> None:
        check_rows(read_rows(self.conn(), self.table), self.pending, f"after {what}")
        self.check_session_objects(what)

    def check_session_objects(self, what: str) -> None:
        """Objects the README promises to keep fresh show the database's stamps."""
        db = read_rows(self.conn(), self.table)
        for obj in list(self.session.identity_map.values()):
            if not isinstance(obj, self.model) or obj.id in self.stale_stamps:
                continue
            row = db[obj.id]
            where = f"after {what}: in-session self.model {obj.id}"
            assert obj.updated_at == row.updated_at, f"{where}: updated_at"
            assert obj.name_changed_at == row.name_changed_at, where
            assert obj.contact_changed_at == row.contact_changed_at, where
            assert obj.name_updated_at == row.name_updated_at, where
            for field in TRACKED:
                assert obj.get_updated_at(field) == parse_stamp_text(
                    row.changes[field]["updated_at"]
                ), f"{where}: get_updated_at({field!r})"

    def current(self, uid: int) -> Row:
        return dict(self.pending[uid].values)

    def draw_spec(
        self,
        data: st.DataObject,
        uid: int,
        chosen: list[str],
        expressions: bool,
        label: str,
        left_to_right: bool,
    ) -> dict[str, Assignment]:
        """Assignments to ``chosen``: a value, often the current one (a no-op),
        or with ``expressions`` a SQL expression of the row.

        ``left_to_right``: whether the statement will assign SET items left to
        right (MariaDB without SIMULTANEOUS_ASSIGNMENT).
        """
        spec: dict[str, Assignment] = {}
        for field in chosen:
            kind = data.draw(
                st.sampled_from(
                    ["same", "value", "expression"]
                    if expressions
                    else ["same", "value"]
                ),
                label=f"{label}{field}",
            )
            if kind == "same":
                spec[field] = ("literal", self.pending[uid].values[field])
            elif kind == "value":
                spec[field] = ("literal", data.draw(field_value(field)))
            else:
                spec[field] = (
                    "expression",
                    data.draw(st.sampled_from(sorted(EXPRESSIONS[field]))),
                )
        return spec

    def draw_row_specs(
        self,
        data: st.DataObject,
        ids: list[int],
        same_fields: bool,
        expressions: bool,
        left_to_right: bool,
    ) -> dict[int, dict[str, Assignment]]:
        shared = data.draw(fields(), label="fields") if same_fields else None
        return {
            uid: self.draw_spec(
                data,
                uid,
                shared or data.draw(fields(), label=f"fields of {uid}"),
                expressions,
                label=f"{uid}.",
                left_to_right=left_to_right,
            )
            for uid in ids
        }

    # -- rules: inserts ------------------------------------------------------------

    @rule(
        path=st.sampled_from(INSERT_PATHS),
        rows=st.lists(
            st.fixed_dictionaries({field: field_value(field) for field in TRACKED}),
            min_size=1,
            max_size=3,
        ),
        name_every_column=st.booleans(),
    )
    def insert_rows(self, path: str, rows: list[Row], name_every_column: bool) -> None:
        self.stats[f"insert via {path}"] += 1
        new = {next(_IDS): row for row in rows}
        # Columns left out of the INSERT must be stamped all the same.
        omit = set() if name_every_column else {"fullname", "age"}
        if path == "orm":
            self.session.add_all(
                self.model(
                    id=uid,
                    **{k: v for k, v in row.items() if v is not None or k not in omit},
                )
                for uid, row in new.items()
            )
            self.session.flush()
        elif path == "core":
            keys = [
                k
                for k in TRACKED
                if k not in omit or any(r[k] is not None for r in rows)
            ]
            self.conn().execute(
                insert(self.table),
                [{"id": uid, **{k: row[k] for k in keys}} for uid, row in new.items()],
            )
            # Core rows written with omitted keys hold NULL there.
            new = {
                uid: {k: (row[k] if k in keys else None) for k in TRACKED}
                for uid, row in new.items()
            }
        else:
            for uid, row in new.items():
                self.upsert(uid, {k: ("literal", v) for k, v in row.items()})
        self.after_insert(f"insert via {path}", new)

    # -- rules: writes -------------------------------------------------------------

    # One rule per write path, so that writes outnumber the transaction rules
    # (hypothesis picks among enabled rules uniformly).
    @precondition(lambda self: bool(self.pending))
    @rule(data=st.data())
    def write_orm_flush(self, data: st.DataObject) -> None:
        self.write("orm_flush", data)

    @precondition(lambda self: bool(self.pending))
    @rule(data=st.data())
    def write_bulk_pk(self, data: st.DataObject) -> None:
        self.write("bulk_pk", data)

    @precondition(lambda self: bool(self.pending))
    @rule(data=st.data())
    def write_bulk_update_mappings(self, data: st.DataObject) -> None:
        self.write("bulk_update_mappings", data)

    @precondition(lambda self: bool(self.pending))
    @rule(data=st.data())
    def write_core_executemany(self, data: st.DataObject) -> None:
        self.write("core_executemany", data)

    @precondition(lambda self: bool(self.pending))
    @rule(data=st.data())
    def write_upsert(self, data: st.DataObject) -> None:
        self.write("upsert", data)

    @precondition(lambda self: bool(self.pending))
    @rule(data=st.data())
    def write_orm_update(self, data: st.DataObject) -> None:
        self.write("orm_update", data)

    @precondition(lambda self: bool(self.pending))
    @rule(data=st.data())
    def write_core_update(self, data: st.DataObject) -> None:
        self.write("core_update", data)

    def write(self, path: str, data: st.DataObject) -> None:
        self.stats[f"write via {path}"] += 1
        ids = data.draw(
            st.lists(
                st.sampled_from(sorted(self.pending)),
                min_size=1,
                max_size=3,
                unique=True,
            ),
            label="rows",
        )
        if path in STATEMENT_PATHS:
            self.statement_write(path, ids, data)
            return
        left_to_right = (
            self.upsert_left_to_right if path == "upsert" else self.update_left_to_right
        )
        specs = self.draw_row_specs(
            data,
            ids,
            same_fields=path == "core_executemany",
            # The other paths take parameters only.
            expressions=path in ("orm_flush", "upsert"),
            left_to_right=left_to_right,
        )
        new = {
            uid: evaluate(self.current(uid), spec, left_to_right)
            for uid, spec in specs.items()
        }
        writes = {
            uid: {field: value for field, (_, value) in spec.items()}
            for uid, spec in specs.items()
        }
        if path == "orm_flush":
            for uid in specs:
                user = self.session.get_one(self.model, uid)
                if uid in self.stale_values:
                    # Else the unit of work compares with a stale value and
                    # may skip a real change: SQLAlchemy's rule, not ours.
                    self.session.refresh(user)
                for field, value in sql_values(specs[uid], self.model).items():
                    setattr(user, field, value)
            self.session.flush()
            self.stale_values -= set(writes)
            self.stale_stamps -= set(writes)
        elif path == "bulk_pk":
            self.session.execute(
                update(self.model), [{"id": uid, **row} for uid, row in writes.items()]
            )
            self.stale_values |= set(writes)
            self.stale_stamps -= set(writes)  # the README: expired
        elif path == "bulk_update_mappings":
            self.session.bulk_update_mappings(
                self.model,
                [{"id": uid, **row} for uid, row in writes.items()],
            )
            self.stale_values |= set(writes)
            self.stale_stamps |= set(writes)
        elif path == "core_executemany":
            keys = list(next(iter(writes.values())))
            self.conn().execute(
                update(self.table)
                .where(self.table.c.id == bindparam("uid"))
                .values({k: bindparam(f"new_{k}") for k in keys}),
                [
                    {"uid": uid, **{f"new_{k}": row[k] for k in keys}}
                    for uid, row in writes.items()
                ],
            )
            self.stale_values |= set(writes)
            self.stale_stamps |= set(writes)
        else:
            for uid, spec in specs.items():
                self.upsert(uid, spec)
            self.stale_values |= set(writes)
            self.stale_stamps |= set(writes)
        # ORM flushes skip objects with no net change: then no statement ran.
        self.after_write(f"{path} {specs}", new, statement=path != "orm_flush")

    def statement_write(self, path: str, ids: list[int], data: st.DataObject) -> None:
        # "same" means the first row's current value: a no-op for that row.
        spec = self.draw_spec(
            data,
            ids[0],
            data.draw(fields(), label="fields"),
            True,
            label="",
            left_to_right=self.update_left_to_right,
        )
        new = {
            uid: evaluate(self.current(uid), spec, self.update_left_to_right)
            for uid in ids
        }
        if path == "orm_update":
            # "evaluate" cannot run SQL functions in Python and raises.
            allowed = [
                s
                for s in SYNCHRONIZE
                if s != "evaluate"
                or all(kind == "literal" for kind, _ in spec.values())
            ]
            synchronize = data.draw(st.sampled_from(allowed), label="synchronize")
            self.session.execute(
                update(self.model)
                .where(self.model.id.in_(ids))
                .values(sql_values(spec, self.model)),
                execution_options={"synchronize_session": synchronize},
            )
            what = f"orm_update {spec} of {ids}, synchronize_session={synchronize!r}"
            if synchronize is False:
                self.stale_values |= set(ids)
            # The README: in-session stamps are refreshed for every mode.
            self.stale_stamps -= set(ids)
        else:
            self.conn().execute(
                update(self.table)
                .where(self.table.c.id.in_(ids))
                .values(sql_values(spec, self.table.c))
            )
            what = f"core_update {spec} of {ids}"
            self.stale_values |= set(ids)
            self.stale_stamps |= set(ids)
        self.after_write(what, new, statement=True)

    def upsert(self, uid: int, spec: dict[str, Assignment]) -> None:
        """The README's recipe. The update branch assigns ``spec``: values
        through the proposed row, expressions of the existing row as is."""
        literal = {k: v for k, (kind, v) in spec.items() if kind == "literal"}
        # VALUES must hold a valid row, though only ``spec`` is applied.
        values = {"id": uid, "name": "(not applied)", **literal}
        stmt: Any
        if requires.on_duplicate_key_update(self.engine):
            my = mysql.insert(self.table).values(**values)
            proposed = my.inserted
        else:
            ins = dialect_insert(self.engine)(self.table).values(**values)
            proposed = ins.excluded
        assignments = {
            k: proposed[k] if kind == "literal" else EXPRESSIONS[k][v].sql(self.table.c)
            for k, (kind, v) in spec.items()
        }
        if requires.on_duplicate_key_update(self.engine):
            stmt = my.on_duplicate_key_update(upsert_set(self.model, assignments))
        else:
            stmt = ins.on_conflict_do_update(
                index_elements=[self.table.c.id],
                set_=upsert_set(self.model, assignments),
            )
        self.conn().execute(stmt)

    # -- rules: transactions -------------------------------------------------------

    @rule(action=st.sampled_from(["commit", "rollback"]))
    def end_transaction(self, action: str) -> None:
        if action == "commit":
            self.commit()
        else:
            self.rollback()

    @rule(action=st.sampled_from(["begin", "rollback", "release"]))
    def savepoint(self, action: str) -> None:
        if action == "begin" and len(self.savepoints) < 3:
            self.begin_savepoint()
        elif action == "rollback" and self.savepoints:
            self.rollback_savepoint()
        elif action == "release" and self.savepoints:
            self.release_savepoint()

    def commit(self) -> None:
        self.stats["commit"] += 1
        self.session.commit()
        self.committed = copy.deepcopy(self.pending)
        self.savepoints.clear()
        self.stale_values.clear()
        self.stale_stamps.clear()
        # A fresh connection: MariaDB's REPEATABLE READ would otherwise show
        # an older snapshot, and this is what other clients see.
        with self.engine.connect() as conn:
            check_rows(read_rows(conn, self.table), self.committed, "after commit")
            if self.records_history:
                check_history(conn, self.model, self.committed, "after commit")

    def rollback(self) -> None:
        self.stats["rollback"] += 1
        self.session.rollback()
        self.pending = copy.deepcopy(self.committed)
        self.savepoints.clear()
        self.stale_values.clear()
        self.stale_stamps.clear()
        self.check_transaction("rollback")
        if self.records_history:
            check_history(self.conn(), self.model, self.pending, "after rollback")

    def begin_savepoint(self) -> None:
        self.stats["begin_savepoint"] += 1
        self.savepoints.append(
            (self.session.begin_nested(), copy.deepcopy(self.pending))
        )

    def rollback_savepoint(self) -> None:
        self.stats["rollback_savepoint"] += 1
        savepoint, self.pending = self.savepoints.pop()
        savepoint.rollback()
        # Objects refreshed inside the savepoint may hold its values now.
        ids = {
            obj.id
            for obj in self.session.identity_map.values()
            if isinstance(obj, self.model)
        }
        self.stale_values |= ids
        self.stale_stamps |= ids
        self.check_transaction("savepoint rollback")
        if self.records_history:
            check_history(
                self.conn(), self.model, self.pending, "after savepoint rollback"
            )

    def release_savepoint(self) -> None:
        self.stats["release_savepoint"] += 1
        savepoint, _ = self.savepoints.pop()
        savepoint.commit()
        self.check_transaction("savepoint release")


def _empty_tables(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


def machine_for(
    engine: Engine, label: str, stats: Counter[str], model: type[Any] = User
) -> type[FieldstampsMachine]:
    table = model.__table__
    assert isinstance(table, Table)
    return type(
        f"FieldstampsMachine_{label}",
        (FieldstampsMachine,),
        {"engine": engine, "stats": stats, "model": model, "table": table},
    )


def _with_savepoints_inside_transactions(engine: Engine) -> Engine:
    """An engine on the same database whose transactions begin before their
    first savepoint (SQLAlchemy's pysqlite recipe): pysqlite sends no BEGIN
    before SAVEPOINT, so a savepoint opened first is its own transaction and
    releasing it commits, whatever the session does afterwards."""
    if not requires.savepoint_needs_explicit_begin(engine):
        return engine
    engine = create_engine(engine.url)

    @event.listens_for(engine, "connect")
    def _no_implicit_transactions(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


# The same machine in both modes (the ``model`` fixture): stamps compiled
# into SQLAlchemy's writes, and stamps computed by database triggers.
def test_model_based(backend: Backend, db: Engine, model: type[Any]) -> None:
    stats: Counter[str] = Counter()
    began = time.perf_counter()
    engine = _with_savepoints_inside_transactions(db)
    machine = machine_for(engine, backend.id, stats, model)
    run_state_machine_as_test(machine, settings=PROFILE)
    # Shown with pytest -s (or -rP): the figures the README quotes.
    steps = sum(n for key, n in stats.items() if key != "examples")
    print(
        f"\n{backend.id}: {stats['examples']} runs, {steps} steps, "
        f"{time.perf_counter() - began:.1f} s; "
        + ", ".join(f"{key}: {n}" for key, n in sorted(stats.items()))
    )


def test_model_based_history(backend: Backend, db: Engine) -> None:
    """The same machine with history on: ``as_of()`` checked against the
    replay of each row's timeline."""
    stats: Counter[str] = Counter()
    engine = _with_savepoints_inside_transactions(db)
    machine = machine_for(engine, f"{backend.id}_history", stats, HistoriedUser)
    run_state_machine_as_test(machine, settings=PROFILE)
    assert stats["commit"] > 0
