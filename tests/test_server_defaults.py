"""Tracked columns with server defaults, left out of INSERTs, on every backend.

A column an INSERT leaves out gets its server default; ``changes`` records
that value where the statement can know it (``text()`` and string defaults,
typed as the column is) and no value where it cannot (``FetchedValue()``, a
default only the database knows) - never a wrong one.
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
from tests.requirements import requires
from tests.stamps import tick


class Base(DeclarativeBase):
    pass


class Task(TimestampMixin, ChangeTrackingMixin, Base):
    __tablename__ = "task_defaults"

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


@pytest.fixture
def tasks(db: Engine) -> Iterator[Engine]:
    Base.metadata.drop_all(db)
    Base.metadata.create_all(db)
    # SQLite cannot change a column's default after the fact; there the
    # FetchedValue column simply has none, and NULL is what it stores.
    if requires.alter_column_default(db):
        with db.begin() as conn:
            conn.execute(
                text("ALTER TABLE task_defaults ALTER COLUMN external SET DEFAULT 42")
            )
    yield db
    Base.metadata.drop_all(db)


def _rows(db: Engine) -> dict[int, Any]:
    with db.connect() as conn:
        return {row.id: row for row in conn.execute(select(Task.__table__))}


def _insert_every_way(db: Engine) -> None:
    with Session(db) as session:
        session.add(Task(id=1, title="orm"))
        session.commit()
        session.execute(insert(Task).values(id=2, title="orm insert()"))
        session.execute(
            insert(Task), [{"id": 3, "title": "bulk"}, {"id": 4, "title": "bulk"}]
        )
        session.commit()
    with db.begin() as conn:
        conn.execute(insert(Task.__table__), [{"id": 5, "title": "core"}])
        conn.execute(insert(Task.__table__).values(id=6, title="core values()"))


def test_columns_left_out_get_their_server_default_and_its_value(
    tasks: Engine,
) -> None:
    _insert_every_way(tasks)
    rows = _rows(tasks)
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
    tasks: Engine,
) -> None:
    _insert_every_way(tasks)
    for row in _rows(tasks).values():
        assert set(row.changes["external"]) == {"updated_at"}
        assert row.external == (42 if requires.alter_column_default(tasks) else None)


def test_a_given_value_is_recorded_and_later_changes_move_the_stamp(
    tasks: Engine,
) -> None:
    with Session(tasks) as session:
        session.add(Task(id=1, title="t", status="paused", external=5, retries=1))
        session.commit()
    row = _rows(tasks)[1]
    assert row.changes["status"]["value"] == "paused"
    assert row.changes["external"]["value"] == 5
    assert row.changes["retries"]["value"] == 1
    tick()
    with tasks.begin() as conn:
        conn.execute(update(Task.__table__).values(external=6, status="paused"))
    after = _rows(tasks)[1]
    assert after.changes["external"] == {
        "value": 6,
        "updated_at": after.changes["external"]["updated_at"],
    }
    assert after.external_changed_at == after.updated_at > row.updated_at
    assert after.status_changed_at == row.status_changed_at  # same value
