"""Tracked columns with server defaults, left out of INSERTs, on every backend.

A column an INSERT leaves out gets its server default; ``changes`` records
that value where the statement can know it (``text()`` and string defaults,
typed as the column is) and no value where it cannot (``FetchedValue()``, a
default only the database knows) - never a wrong one.

In both modes (``task``: Task, or TriggeredTask whose triggers compute the
stamps). Triggers see the row as stored, so in trigger mode the database-only
default's value is recorded too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import (
    Boolean,
    Engine,
    FetchedValue,
    Integer,
    String,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from fieldstamps import ChangeTrackingMixin, TimestampMixin, changed_at
from tests.conftest import mode_fixture
from tests.models import both_modes
from tests.requirements import requires
from tests.stamps import tick


class Base(DeclarativeBase):
    pass


class TaskColumns:
    """Task's columns, shared by its SQL-mode and trigger-mode classes."""

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), server_default=text("'active'"))
    priority: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    retries: Mapped[int] = mapped_column(Integer, server_default="7")
    done: Mapped[bool] = mapped_column(Boolean, server_default="0")
    # Its default lives in the database only (see _database_default).
    external: Mapped[int | None] = mapped_column(Integer, server_default=FetchedValue())
    status_changed_at: Mapped[dt.datetime | None] = changed_at("status")
    external_changed_at: Mapped[dt.datetime | None] = changed_at("external")


TASKS = both_modes(
    "Task", (TaskColumns, TimestampMixin, ChangeTrackingMixin, Base), "task_defaults"
)


task = mode_fixture("task", TASKS)


@pytest.fixture
def tasks(db: Engine, task: Any) -> Iterator[Engine]:
    """``db`` with ``task``'s table, new."""
    table = task.__table__
    table.drop(db, checkfirst=True)
    table.create(db)
    # SQLite cannot change a column's default after the fact; there the
    # FetchedValue column simply has none, and NULL is what it stores.
    if requires.alter_column_default(db):
        with db.begin() as conn:
            conn.execute(
                text(f"ALTER TABLE {table.name} ALTER COLUMN external SET DEFAULT 42")
            )
    yield db
    table.drop(db)


def _rows(db: Engine, task: Any) -> dict[int, Any]:
    with db.connect() as conn:
        return {row.id: row for row in conn.execute(select(task.__table__))}


def _insert_every_way(db: Engine, task: Any) -> None:
    with Session(db) as session:
        session.add(task(id=1, title="orm"))
        session.commit()
        session.execute(insert(task).values(id=2, title="orm insert()"))
        session.execute(
            insert(task), [{"id": 3, "title": "bulk"}, {"id": 4, "title": "bulk"}]
        )
        session.commit()
    with db.begin() as conn:
        conn.execute(insert(task.__table__), [{"id": 5, "title": "core"}])
        conn.execute(insert(task.__table__).values(id=6, title="core values()"))


def test_columns_left_out_get_their_server_default_and_its_value(
    tasks: Engine, task: Any
) -> None:
    _insert_every_way(tasks, task)
    rows = _rows(tasks, task)
    assert sorted(rows) == [1, 2, 3, 4, 5, 6]
    for row in rows.values():
        assert (row.status, row.priority, row.retries, row.done) == (
            "active",
            0,
            7,
            False,
        )
        changes = row.changes
        # The value the database stored, as a JSON value of the column's
        # kind: server_default="7" on an Integer is the number 7.
        assert changes["status"]["value"] == "active"
        assert changes["priority"]["value"] == 0
        assert changes["retries"]["value"] == 7
        assert changes["done"]["value"] is False
        for key in ("title", "status", "priority", "retries", "done", "external"):
            assert changes[key]["updated_at"] is not None, key
        assert row.status_changed_at == row.created_at
        assert row.external_changed_at == row.created_at


def test_a_default_only_the_database_knows_is_stamped_without_a_value(
    tasks: Engine, mode: str, task: Any
) -> None:
    _insert_every_way(tasks, task)
    for row in _rows(tasks, task).values():
        assert row.external == (42 if requires.alter_column_default(tasks) else None)
        if mode == "sql":
            # The INSERT cannot know the value: no "value" rather than a guess.
            assert set(row.changes["external"]) == {"updated_at"}
        else:
            # A trigger reads the row as stored: the default's value is known.
            assert row.changes["external"] == {
                "value": row.external,
                "updated_at": row.changes["external"]["updated_at"],
            }


def test_a_given_value_is_recorded_and_later_changes_move_the_stamp(
    tasks: Engine, task: Any
) -> None:
    with Session(tasks) as session:
        session.add(task(id=1, title="t", status="paused", external=5, retries=1))
        session.commit()
    row = _rows(tasks, task)[1]
    assert row.changes["status"]["value"] == "paused"
    assert row.changes["external"]["value"] == 5
    assert row.changes["retries"]["value"] == 1
    tick()
    with tasks.begin() as conn:
        conn.execute(update(task.__table__).values(external=6, status="paused"))
    after = _rows(tasks, task)[1]
    assert after.changes["external"] == {
        "value": 6,
        "updated_at": after.changes["external"]["updated_at"],
    }
    assert after.external_changed_at == after.updated_at > row.updated_at
    assert after.status_changed_at == row.status_changed_at  # same value
