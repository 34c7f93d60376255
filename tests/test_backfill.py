"""``fieldstamps.backfill()`` fills what rows from before tracking lack.

Rows are written "before tracking" through a plain copy of the model's table
(same name and column types, none of fieldstamps' defaults), so the database
holds what an application that adopts fieldstamps has: ``changes`` NULL or
partial, NULL ``changed_at()`` columns. Every test runs on every backend.

What is filled is checked in both modes (``model``: User or TriggeredUser;
a trigger-mode table's rows from before tracking are written with its
triggers off).
"""

from __future__ import annotations

import datetime as dt
import doctest
import io
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    insert,
    literal_column,
    select,
    update,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

import fieldstamps._backfill
from fieldstamps import (
    BackfillError,
    ChangeTrackingMixin,
    NaiveDatetimeError,
    TimestampMixin,
    backfill,
)
from fieldstamps.__main__ import ProgressBar, main
from fieldstamps._types import STAMP_TEXT_FORMAT, parse_stamp_text
from tests.models import (
    EVERYTHING,
    Color,
    Item,
    Product,
    Secretive,
    Shelf,
    User,
)
from tests.models_catalog import Stock
from tests.requirements import requires
from tests.stamps import triggers_off
from tests.test_values import READ_BACK

T0 = dt.datetime(2020, 3, 4, 5, 6, 7, 123456, tzinfo=dt.UTC)
# Not UTC on purpose: stamps are written in UTC whatever zone ``at`` has.
AT = dt.datetime(2022, 1, 2, 3, 4, 5, 654321, tzinfo=dt.timezone(dt.timedelta(hours=2)))
USER_FIELDS = ("name", "fullname", "age")
OLD_ENTRY = {"value": "remembered", "updated_at": "2001-02-03T04:05:06.000007Z"}
OLD_STAMP = dt.datetime(2001, 2, 3, 4, 5, 6, 7, tzinfo=dt.UTC)


# -- rows from before tracking ------------------------------------------------

_LEGACY: dict[Table, Table] = {}


def legacy_table(table: Table) -> Table:
    """``table`` as it was before tracking: same columns and types, no
    fieldstamps defaults, so nothing stamps the rows written through it."""
    if table not in _LEGACY:
        _LEGACY[table] = Table(
            table.name,
            MetaData(),
            *(
                Column(column.name, column.type, primary_key=column.primary_key)
                for column in table.c
                if column.computed is None
            ),
        )
    return _LEGACY[table]


def insert_legacy(db: Engine, model: Any, rows: list[dict[str, Any]]) -> None:
    """Write ``rows``; a row without a ``changes`` key gets SQL NULL there.
    With ``model``'s triggers off, if it has any: they would stamp the rows."""
    table = legacy_table(model.__table__)
    with triggers_off(db, model), db.begin() as conn:
        for row in rows:
            conn.execute(insert(table).values(row))


def user_rows(count: int, **extra: Any) -> list[dict[str, Any]]:
    return [
        {
            "id": i,
            "name": f"name{i}",
            "fullname": None if i % 3 == 0 else f"Full Name {i}",
            "age": i * 10,
            "created_at": T0 + dt.timedelta(days=i),
            "updated_at": T0 + dt.timedelta(days=i, hours=i, microseconds=i),
            **extra,
        }
        for i in range(1, count + 1)
    ]


def snapshot(db: Engine, model: Any) -> list[dict[str, Any]]:
    table = model.__table__
    with db.connect() as conn:
        rows = conn.execute(select(table).order_by(*table.primary_key.columns))
        return [dict(row._mapping) for row in rows]


def without(rows: list[dict[str, Any]], *keys: str) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k not in keys} for row in rows]


def run(db: Engine, model: Any, **kw: Any) -> int:
    with db.connect() as conn:
        return backfill(conn, model, **kw)


@pytest.fixture
def own_engine(db: Engine) -> Iterator[Engine]:
    """An engine of its own, so that listeners and session settings leave
    the shared one alone."""
    engine = create_engine(db.url)
    yield engine
    engine.dispose()


def expected_stamp(at: str | dt.datetime | None, row: Mapping[str, Any]) -> Any:
    if isinstance(at, str):
        return row[at]
    return None if at is None else at.astimezone(dt.UTC)


STAMP_SOURCES: dict[str, str | dt.datetime | None] = {
    "updated_at": "updated_at",
    "created_at": "created_at",
    "datetime": AT,
    "none": None,
}


# -- what is filled, from each source -----------------------------------------

# In trigger mode the backfill's UPDATE, which writes stamp columns only,
# keeps what it writes: PostgreSQL's and MariaDB's BEFORE UPDATE triggers
# would otherwise recompute them from the row (backfill marks its
# transaction, _pause.stamps_as_written); SQLite's do not fire for it.


@pytest.mark.parametrize("source", list(STAMP_SOURCES))
def test_fills_missing_entries_and_stamps_from_the_source(
    db: Engine, model: Any, source: str
) -> None:
    at = STAMP_SOURCES[source]
    rows = user_rows(6)
    rows[1]["changes"] = {"name": OLD_ENTRY}  # one entry there already
    rows[1]["name_changed_at"] = OLD_STAMP
    rows[2]["contact_changed_at"] = OLD_STAMP
    insert_legacy(db, model, rows)
    before = snapshot(db, model)

    assert run(db, model, at=at) == 6

    after = snapshot(db, model)
    stamps = ("changes", "name_changed_at", "contact_changed_at", "name_updated_at")
    assert without(after, *stamps) == without(before, *stamps)  # updated_at too
    for old, new in zip(before, after, strict=True):
        stamp = expected_stamp(at, new)
        for field in USER_FIELDS:
            entry = new["changes"][field]
            if field == "name" and old["changes"] is not None:
                assert entry == OLD_ENTRY  # never overwritten
                continue
            assert entry["value"] == new[field]
            if stamp is None:
                assert entry == {"value": new[field]}
            else:
                assert entry["updated_at"] == stamp.strftime(STAMP_TEXT_FORMAT)
        for column in ("name_changed_at", "contact_changed_at"):
            assert new[column] == (old[column] or stamp)
        # The generated mirror column follows changes.
        assert new["name_updated_at"] == parse_stamp_text(
            new["changes"]["name"].get("updated_at")
        )
    with Session(db) as session:
        user = session.get_one(model, 1)
        for field in USER_FIELDS:
            assert user.get_updated_at(field) == expected_stamp(at, after[0])

    # Idempotent: nothing is left to fill, and nothing moves.
    assert run(db, model, at=at) == 0
    assert snapshot(db, model) == after


def test_unknown_stamps_stay_unknown_until_a_real_change(
    db: Engine, model: Any
) -> None:
    insert_legacy(db, model, user_rows(1))
    assert run(db, model, at=None) == 1
    with Session(db) as session:
        user = session.get_one(model, 1)
        assert [user.get_updated_at(field) for field in USER_FIELDS] == [None] * 3
        assert user.name_changed_at is None
        assert user.changes == {
            "name": {"value": "name1"},
            "fullname": {"value": "Full Name 1"},
            "age": {"value": 10},
        }
        user.name = "renamed"
        user.age = 10  # the same value: not a change, so still unknown
        session.commit()
        assert user.get_updated_at("name") == user.updated_at
        assert user.name_changed_at == user.updated_at
        assert user.changes["name"]["value"] == "renamed"
        assert user.get_updated_at("age") is None
        assert user.get_updated_at("fullname") is None


def test_damaged_documents_get_entries_and_damaged_entries_stay(
    db: Engine, model: Any
) -> None:
    documents: list[Any] = [
        None,  # JSON null
        [],
        list(USER_FIELDS),  # an array of the names is no object holding them
        "a string",
        42,
        {"name": "garbage"},
    ]
    insert_legacy(
        db,
        model,
        [
            {**row, "changes": document}
            for row, document in zip(user_rows(6), documents, strict=True)
        ],
    )
    assert run(db, model, at="updated_at") == 6
    for row in snapshot(db, model):
        changes = row["changes"]
        assert set(changes) == set(USER_FIELDS), changes
        if row["id"] == 6:
            assert changes["name"] == "garbage"  # there: not ours to replace
        else:
            assert changes["name"]["value"] == row["name"]
        assert parse_stamp_text(changes["age"]["updated_at"]) == row["updated_at"]
    assert run(db, model, at="updated_at") == 0


def test_a_nullable_source_column_leaves_those_rows_unstamped(
    db: Engine, model: Any
) -> None:
    rows = user_rows(2)
    rows[0]["contact_changed_at"] = OLD_STAMP
    insert_legacy(db, model, rows)
    # Any stamp column of the row will do; this one is NULL in row 2.
    assert run(db, model, at="contact_changed_at") == 2
    first, second = snapshot(db, model)
    assert first["name_changed_at"] == OLD_STAMP
    assert parse_stamp_text(first["changes"]["name"]["updated_at"]) == OLD_STAMP
    assert second["name_changed_at"] is None
    assert second["contact_changed_at"] is None
    assert second["changes"]["name"] == {"value": "name2"}
    assert run(db, model, at="contact_changed_at") == 0


def test_a_session_time_zone_does_not_shift_the_stamps(own_engine: Engine) -> None:
    insert_legacy(own_engine, User, user_rows(2))
    with own_engine.connect() as conn:
        if requires.time_zone_variable(conn):
            conn.exec_driver_sql("SET time_zone = '+05:00'")
        elif requires.session_time_zone(conn):
            conn.exec_driver_sql("SET TIME ZONE 'America/New_York'")
        conn.commit()
        assert backfill(conn, User, at="updated_at") == 2
    for row in snapshot(own_engine, User):
        assert row["changes"]["age"]["updated_at"] == row["updated_at"].strftime(
            STAMP_TEXT_FORMAT
        )


def test_rows_with_nothing_missing_are_not_counted(db: Engine, model: Any) -> None:
    with Session(db) as session:
        session.add(model(id=1, name="tracked", fullname="T", age=1))
        session.commit()
    insert_legacy(db, model, user_rows(3)[1:])
    before = snapshot(db, model)
    assert run(db, model, at="updated_at") == 2
    assert snapshot(db, model)[0] == before[0]


# -- values -------------------------------------------------------------------

VALUE_ROWS: list[dict[str, Any]] = [
    {
        "text": 'O\'Brien said "hi" café ☕ %s %(x)s',
        "number": -7,
        "ratio": 0.1 + 0.2,
        "flag": True,
        "price": Decimal("19.99"),
        "day": dt.date(2024, 2, 29),
        "moment": dt.datetime(2024, 2, 29, 23, 59, 58, 123456),
        "clock": dt.time(12, 30, 0, 500),
        "token": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "color": Color.RED,
        "doc": {"a": [1, "two", None, {"b": True}], 'he said "hi"': "C:\\path"},
        "blob": b"\x00\xff",
    },
    {
        "text": "",
        "number": 0,
        "ratio": -2.5,
        "flag": False,
        "price": Decimal("-0.0001"),
        "day": dt.date(1970, 1, 1),
        "moment": dt.datetime(1999, 12, 31, 0, 0, 0),
        "clock": dt.time(0, 0),
        "token": uuid.UUID(int=0),
        "color": Color.GREEN,
        "doc": [],
        "blob": b"",
    },
    {key: None for key in ("text", "number", "ratio", "flag", "price", "day")},
]


def test_values_are_those_a_stamped_write_records(db: Engine, mode: str) -> None:
    """Each kind of value comes out of backfill in the very form a stamped
    INSERT of the same row writes (compiled, or by the triggers), and reads
    back as the column's value."""
    everything = EVERYTHING[mode]
    tracked_ids = [10 + i for i in range(len(VALUE_ROWS))]
    with db.begin() as conn:
        for row_id, values in zip(tracked_ids, VALUE_ROWS, strict=True):
            conn.execute(insert(everything.__table__).values(id=row_id, **values))
    insert_legacy(
        db, everything, [{"id": i + 1, **values} for i, values in enumerate(VALUE_ROWS)]
    )
    assert run(db, everything, at=None) == len(VALUE_ROWS)

    rows = {row["id"]: row for row in snapshot(db, everything)}
    table = everything.__table__
    for i, tracked_id in enumerate(tracked_ids):
        filled, tracked = rows[i + 1], rows[tracked_id]
        for field, entry in filled["changes"].items():
            # The tracked row's entry, less its stamp: backfill had none.
            assert entry == {
                key: value
                for key, value in tracked["changes"][field].items()
                if key != "updated_at"
            }, field
            if field == "blob":
                assert entry == {}  # no JSON form: neither value nor stamp
                continue
            read_back = READ_BACK[type(table.c[field].type)]
            assert read_back(entry["value"]) == filled[field], field
        assert set(filled["changes"]) == set(tracked["changes"])


def test_store_values_and_exclude_are_respected(db: Engine) -> None:
    with db.begin() as conn:
        conn.execute(insert(User.__table__).values(id=1, name="owner"))
    insert_legacy(
        db,
        Secretive,
        [
            {
                "id": 1,
                "login": "sb",
                "password_hash": "x" * 20,
                "notes": "n",
                "owner_id": 1,
                "created_at": T0,
                "updated_at": T0,
            }
        ],
    )
    assert run(db, Secretive, at="updated_at") == 1
    (row,) = snapshot(db, Secretive)
    stamp = T0.strftime(STAMP_TEXT_FORMAT)
    assert row["changes"] == {
        "login": {"value": "sb", "updated_at": stamp},
        "password_hash": {"updated_at": stamp},
        "owner_id": {"updated_at": stamp},
    }


def test_changed_at_columns_without_changes(db: Engine) -> None:
    insert_legacy(
        db,
        Product,
        [
            {"id": 1, "title": "a", "price": Decimal("1.50")},
            {"id": 2, "title": "b", "price": Decimal("2.50"), "price_changed_at": T0},
        ],
    )
    assert run(db, Product, at=None) == 0  # nothing it could fill
    assert run(db, Product, at=AT) == 1
    assert [row["price_changed_at"] for row in snapshot(db, Product)] == [AT, T0]
    assert run(db, Product, at=AT) == 0


class _OwnBase(DeclarativeBase):
    pass


class Versioned(TimestampMixin, ChangeTrackingMixin, _OwnBase):
    """An application's own onupdate, which the backfill must not fire."""

    __tablename__ = "fieldstamps_backfill_versioned"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(30))
    version: Mapped[int] = mapped_column(
        Integer, default=1, onupdate=literal_column("version + 1")
    )


@pytest.fixture
def versioned_db(db: Engine) -> Iterator[Engine]:
    _OwnBase.metadata.create_all(db)
    yield db
    _OwnBase.metadata.drop_all(db)


def test_no_onupdate_fires(versioned_db: Engine) -> None:
    insert_legacy(
        versioned_db,
        Versioned,
        [
            {"id": 1, "title": "t", "version": 7, "created_at": T0, "updated_at": T0},
        ],
    )
    assert run(versioned_db, Versioned, at="created_at") == 1
    (row,) = snapshot(versioned_db, Versioned)
    assert (row["version"], row["updated_at"]) == (7, T0)
    assert row["changes"]["title"] == {
        "value": "t",
        "updated_at": T0.strftime(STAMP_TEXT_FORMAT),
    }
    # The column's onupdate itself still works for ordinary writes.
    with versioned_db.begin() as conn:
        conn.execute(update(Versioned.__table__).values(title="u"))
    (row,) = snapshot(versioned_db, Versioned)
    assert row["version"] == 8


# -- batches ------------------------------------------------------------------


class Recorder:
    """The UPDATEs and commits a separate engine runs, in order; optionally
    failing the n-th UPDATE as a crash would."""

    def __init__(self, engine: Engine, fail_update: int | None = None) -> None:
        self.events: list[str] = []
        self.fail_update = fail_update
        event.listen(engine, "before_cursor_execute", self._execute)
        event.listen(engine, "commit", self._commit)

    def _execute(self, conn: Connection, cursor: Any, statement: str, *_: Any) -> None:
        if " UPDATE " in f" {statement}" and "SET" in statement:
            self.events.append("update")
            if self.events.count("update") == self.fail_update:
                raise RuntimeError("the machine went down")

    def _commit(self, conn: Connection) -> None:
        self.events.append("commit")


def test_batches_walk_the_key_and_commit_each(db: Engine, own_engine: Engine) -> None:
    rows = user_rows(10)
    for row in rows[3:6]:  # batch 2 has nothing to fill
        row["changes"] = {field: OLD_ENTRY for field in USER_FIELDS}
        row["name_changed_at"] = row["contact_changed_at"] = OLD_STAMP
    insert_legacy(db, User, rows)
    recorder = Recorder(own_engine)
    calls: list[tuple[int, int]] = []
    with own_engine.connect() as conn:
        filled = backfill(
            conn,
            User,
            at="updated_at",
            batch_size=3,
            progress=lambda done, total: calls.append((done, total)),
        )
        assert not conn.in_transaction()
    assert filled == 7
    # The row count is read in a commit of its own, then UPDATE + COMMIT for
    # each batch: 3 + 3 + 3 + 1 rows.
    assert recorder.events == ["commit"] + ["update", "commit"] * 4
    assert calls == [(0, 10), (3, 10), (6, 10), (9, 10), (10, 10)]
    assert all(row["changes"]["age"] for row in snapshot(db, User))


@pytest.mark.parametrize(("rows", "updates"), [(9, 3), (1, 1), (0, 0)])
def test_the_walk_ends_at_the_last_row(
    db: Engine, own_engine: Engine, rows: int, updates: int
) -> None:
    insert_legacy(db, User, user_rows(rows))
    recorder = Recorder(own_engine)
    calls: list[tuple[int, int]] = []
    with own_engine.connect() as conn:
        filled = backfill(
            conn,
            User,
            at=None,
            batch_size=3,
            progress=lambda done, total: calls.append((done, total)),
        )
    assert filled == rows
    assert recorder.events.count("update") == updates
    assert calls[-1] == (rows, rows)


def test_a_crash_midway_keeps_finished_batches_and_a_rerun_resumes(
    db: Engine, own_engine: Engine
) -> None:
    insert_legacy(db, User, user_rows(10))
    recorder = Recorder(own_engine, fail_update=2)
    with own_engine.connect() as conn:
        with pytest.raises(RuntimeError, match="went down"):
            backfill(conn, User, at="updated_at", batch_size=3)
        assert not conn.in_transaction()  # rolled back, usable again
        filled = [row["id"] for row in snapshot(db, User) if row["changes"]]
        assert filled == [1, 2, 3]
        recorder.fail_update = None
        assert backfill(conn, User, at="updated_at", batch_size=3) == 7
    after = snapshot(db, User)
    assert all(
        parse_stamp_text(row["changes"]["name"]["updated_at"]) == row["updated_at"]
        for row in after
    )


def test_a_composite_primary_key_is_walked_in_order(
    db: Engine, own_engine: Engine
) -> None:
    with db.begin() as conn:
        conn.execute(
            insert(Shelf.__table__), [{"id": s, "place": f"s{s}"} for s in (1, 2, 3)]
        )
        conn.execute(
            insert(Item.__table__), [{"id": i, "label": f"i{i}"} for i in range(1, 5)]
        )
    insert_legacy(
        db,
        Stock,
        [
            {
                "shelf_id": s,
                "item_id": i,
                "quantity": s * i,
                "created_at": T0 + dt.timedelta(seconds=s * 10 + i),
                "updated_at": T0,
            }
            for s in (3, 1, 2)
            for i in (4, 2, 1, 3)
        ],
    )
    recorder = Recorder(own_engine)
    calls: list[tuple[int, int]] = []
    with own_engine.connect() as conn:
        assert (
            backfill(
                conn,
                Stock,
                at="created_at",
                batch_size=5,
                progress=lambda done, total: calls.append((done, total)),
            )
            == 12
        )
    assert recorder.events.count("update") == 3
    assert calls == [(0, 12), (5, 12), (10, 12), (12, 12)]
    for row in snapshot(db, Stock):
        assert row["changes"] == {
            "quantity": {
                "value": row["quantity"],
                "updated_at": row["created_at"].strftime(STAMP_TEXT_FORMAT),
            }
        }
    assert run(db, Stock, at="created_at", batch_size=5) == 0


# -- refusals -----------------------------------------------------------------


class _PlainBase(DeclarativeBase):
    pass


class OnlyTimestamps(TimestampMixin, _PlainBase):
    __tablename__ = "fieldstamps_backfill_only_timestamps"
    id: Mapped[int] = mapped_column(primary_key=True)


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (Shelf, "Shelf has no field stamps"),
        (OnlyTimestamps, "OnlyTimestamps has no field stamps"),
        (TimestampMixin, "needs a mapped class or a Table"),
        ("user_account", "needs a mapped class or a Table"),
    ],
)
def test_a_class_without_field_stamps_is_refused(
    db: Engine, model: Any, message: str
) -> None:
    with db.connect() as conn, pytest.raises(BackfillError, match=message):
        backfill(conn, model, at="updated_at")


@pytest.mark.parametrize(
    ("at", "error", "message"),
    [
        ("nope", BackfillError, "User has no column 'nope'.*created_at, updated_at"),
        ("name", BackfillError, "User.name is not a fieldstamps timestamp column"),
        (42, BackfillError, "at must name a timestamp column"),
        ("", BackfillError, "no column ''"),
        (dt.datetime(2024, 1, 1), NaiveDatetimeError, "naive datetime"),
    ],
)
def test_a_bad_at_is_refused_before_anything_is_written(
    db: Engine, at: Any, error: type[Exception], message: str
) -> None:
    insert_legacy(db, User, user_rows(2))
    with db.connect() as conn, pytest.raises(error, match=message):
        backfill(conn, User, at=at)
    assert all(row["changes"] is None for row in snapshot(db, User))


@pytest.mark.parametrize("batch_size", [0, -1, "10", True, 2.5])
def test_a_bad_batch_size_is_refused(db: Engine, batch_size: Any) -> None:
    with db.connect() as conn, pytest.raises(BackfillError, match="batch_size"):
        backfill(conn, User, at=None, batch_size=batch_size)


def test_a_connection_in_a_transaction_is_refused(db: Engine) -> None:
    insert_legacy(db, User, user_rows(1))
    with db.connect() as conn:
        conn.execute(select(1))
        with pytest.raises(BackfillError, match="commit or roll back"):
            backfill(conn, User, at="updated_at")
    with pytest.raises(BackfillError, match="needs a Connection"):
        backfill(db, User, at="updated_at")  # type: ignore[arg-type]
    assert snapshot(db, User)[0]["changes"] is None


# -- the command line ---------------------------------------------------------

CLI_MODELS = """
    from sqlalchemy import String
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

    from fieldstamps import ChangeTrackingMixin, TimestampMixin


    class Base(DeclarativeBase):
        pass


    class Widget(TimestampMixin, ChangeTrackingMixin, Base):
        __tablename__ = "fieldstamps_backfill_widget"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(String(30))
"""
WIDGET = Table(
    "fieldstamps_backfill_widget",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("name", String(30)),
    *(
        Column(column.name, column.type)
        for column in User.__table__.c
        if column.name in ("changes", "created_at", "updated_at")
    ),
)


@pytest.fixture
def cli_app(
    db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, str]]:
    """(MODULE:Model, URL) of an application with 5 rows from before tracking,
    the module in the current directory."""
    module = f"fieldstamps_cli_models_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{module}.py").write_text(textwrap.dedent(CLI_MODELS))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    WIDGET.create(db)
    with db.begin() as conn:
        conn.execute(
            insert(WIDGET),
            [
                {"id": i, "name": f"w{i}", "created_at": T0, "updated_at": AT}
                for i in range(1, 6)
            ],
        )
    yield f"{module}:Widget", db.url.render_as_string(hide_password=False)
    sys.modules.pop(module, None)
    WIDGET.drop(db)


def widget_changes(db: Engine) -> list[Any]:
    with db.connect() as conn:
        return list(conn.scalars(select(WIDGET.c.changes).order_by(WIDGET.c.id)))


def test_cli_fills_with_a_progress_bar(
    db: Engine, cli_app: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    model, url = cli_app
    argv = ["backfill", model, "--url", url, "--at", "updated_at", "--batch-size", "2"]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert out.startswith("filled 5 of 5 rows in ")
    lines = err.splitlines()
    assert lines[0].startswith("[..............................]   0% 0/5 rows")
    assert lines[-1].startswith("[##############################] 100% 5/5 rows")
    stamp = AT.astimezone(dt.UTC).strftime(STAMP_TEXT_FORMAT)
    assert widget_changes(db) == [
        {"name": {"value": f"w{i}", "updated_at": stamp}} for i in range(1, 6)
    ]
    assert main(argv) == 0
    assert capsys.readouterr().out.startswith("filled 0 of 5 rows")


@pytest.mark.parametrize(
    ("at", "stamp"),
    [
        ("none", None),
        ("NONE", None),
        ("2024-01-31T12:00:00Z", "2024-01-31T12:00:00.000000Z"),
        ("2024-01-31T12:00:00.5+01:00", "2024-01-31T11:00:00.500000Z"),
        ("created_at", T0.strftime(STAMP_TEXT_FORMAT)),
    ],
)
def test_cli_at_choices(
    db: Engine, cli_app: tuple[str, str], at: str, stamp: str | None
) -> None:
    model, url = cli_app
    assert main(["backfill", model, "--url", url, "--at", at]) == 0
    expected = (
        {"value": "w1"} if stamp is None else {"value": "w1", "updated_at": stamp}
    )
    assert widget_changes(db)[0] == {"name": expected}


def _module_of(model: str) -> str:
    return model.split(":")[0]


CLI_REFUSALS: dict[str, tuple[Callable[[str, str], list[str]], str]] = {
    "naive_at": (
        lambda model, url: [model, "--url", url, "--at", "2024-01-31T12:00:00"],
        "a datetime needs a zone",
    ),
    "unknown_column": (
        lambda model, url: [model, "--url", url, "--at", "nope"],
        "Widget has no column 'nope'",
    ),
    "unknown_class": (
        lambda model, url: [f"{_module_of(model)}:Nope", "--url", url, "--at", "none"],
        "has no 'Nope'",
    ),
    "unknown_module": (
        lambda model, url: ["no_such_module_xyz:M", "--url", url, "--at", "none"],
        "cannot import 'no_such_module_xyz'",
    ),
    "no_colon": (
        lambda model, url: [_module_of(model), "--url", url, "--at", "none"],
        "is not MODULE:Model",
    ),
    "bad_url": (
        lambda model, url: [model, "--url", "nodialect://", "--at", "none"],
        "nodialect",
    ),
}


@pytest.mark.parametrize("case", list(CLI_REFUSALS))
def test_cli_refusals(
    db: Engine,
    cli_app: tuple[str, str],
    capsys: pytest.CaptureFixture[str],
    case: str,
) -> None:
    arguments, message = CLI_REFUSALS[case]
    assert main(["backfill", *arguments(*cli_app)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("fieldstamps backfill: ") and message in err, err
    assert widget_changes(db) == [None] * 5


@pytest.mark.parametrize("size", ["0", "-5", "ten"])
def test_cli_refuses_a_bad_batch_size(
    cli_app: tuple[str, str], capsys: pytest.CaptureFixture[str], size: str
) -> None:
    model, url = cli_app
    with pytest.raises(SystemExit) as exit_:
        main(["backfill", model, "--url", url, "--at", "none", "--batch-size", size])
    assert exit_.value.code == 2
    assert "--batch-size" in capsys.readouterr().err


def test_cli_reports_a_database_failure_and_how_to_resume(
    db: Engine, cli_app: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    model, url = cli_app
    WIDGET.drop(db)
    try:
        assert main(["backfill", model, "--url", url, "--at", "none"]) == 1
    finally:
        WIDGET.create(db)
    assert "run the same command again to resume" in capsys.readouterr().err


def test_the_installed_command_imports_from_the_current_directory(
    db: Engine, cli_app: tuple[str, str], tmp_path: Path
) -> None:
    model, url = cli_app
    command = [sys.executable, "-m", "fieldstamps", "backfill", model]
    result = subprocess.run(
        [*command, "--url", url, "--at", "created_at"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("filled 5 of 5 rows")
    assert "100% 5/5 rows" in result.stderr
    assert all(changes["name"]["value"] for changes in widget_changes(db))


def test_progress_bar_lines_are_throttled_off_a_terminal() -> None:
    clock = iter([0.0, 0.0, 0.4, 0.9, 1.2, 1.3, 1.5]).__next__
    stream = io.StringIO()
    bar = ProgressBar(stream, clock=clock)
    for done in (0, 2, 4, 6, 8, 10):
        bar(done, 10)
    bar.close()
    assert stream.getvalue().splitlines() == [
        "[..............................]   0% 0/10 rows",
        "[##################............]  60% 6/10 rows, 5 rows/s, 1 s left",
        "[##############################] 100% 10/10 rows, 7 rows/s",
    ]


def test_progress_bar_redraws_one_line_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    clock: Callable[[], float] = iter([0.0, 0.0, 1.0, 2.0]).__next__
    stream = Terminal()
    bar = ProgressBar(stream, clock=clock)
    bar(0, 4)
    bar(2, 4)
    bar(4, 4)
    bar.close()
    text = stream.getvalue()
    assert text.count("\r") == 3 and text.endswith("\n") and text.count("\n") == 1
    assert "\r[###############...............]  50% 2/4 rows, 2 rows/s" in text


# -- the module's own example -------------------------------------------------


def test_module_docstring_example() -> None:
    failures, tried = doctest.testmod(fieldstamps._backfill, raise_on_error=False)
    assert tried > 0
    assert failures == 0
