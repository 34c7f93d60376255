"""Stamp columns belong to the database: writes naming them are refused,
except inside manual_stamps(); ``changes`` of ``None``/``{}`` on a new row
(what forms and SQLModel send) is dropped so the insert's stamps stand.

In both modes (``model``: User or TriggeredUser): the refusals are the same;
what manual_stamps() lets through differs, since a trigger-mode table's
triggers replace stamps a writer gives (see
test_manual_stamps_stores_the_stamps_a_write_gives)."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from sqlalchemy import Engine, Table, insert, select, update
from sqlalchemy.orm import Session

from fieldstamps import StampWriteError, manual_stamps
from tests.models import User
from tests.requirements import requires
from tests.stamps import TRACKED, insert_user, read_user, tick

IMPORTED = dt.datetime(2001, 2, 3, 4, 5, 6, 789000, tzinfo=dt.UTC)


def _table(model: Any) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("updated_at", IMPORTED),
        ("created_at", IMPORTED),
        ("name_changed_at", IMPORTED),
        ("changes", {"name": {"value": "x", "updated_at": "2001-01-01T00:00:00Z"}}),
    ],
)
def test_an_orm_flush_writing_a_stamp_is_refused(
    db: Engine, model: Any, key: str, value: Any
) -> None:
    user_id = insert_user(db, model)
    before = read_user(db, user_id, model)
    with Session(db) as session:
        user = session.get_one(model, user_id)
        user.name = "Patrick"
        setattr(user, key, value)
        refused = f"{model.__name__}.{key} is set by the database"
        with pytest.raises(StampWriteError, match=refused):
            session.commit()
    assert read_user(db, user_id, model) == before


def test_core_writes_naming_a_stamp_are_refused(db: Engine, model: Any) -> None:
    user_id = insert_user(db, model)
    before = read_user(db, user_id, model)
    table = _table(model)
    statements: list[tuple[Any, Any]] = [
        (update(table).values(updated_at=IMPORTED), None),
        (update(table), {"contact_changed_at": IMPORTED, "age": 3}),
        (insert(table).values(id=900_001, name="x", created_at=IMPORTED), None),
        (insert(table), [{"id": 900_002, "name": "y", "changes": {"name": {}}}]),
        (update(model).values(name="z", name_changed_at=IMPORTED), None),
    ]
    for statement, params in statements:
        with db.begin() as conn, pytest.raises(StampWriteError):
            conn.execute(statement, params)
    assert read_user(db, user_id, model) == before
    with db.connect() as conn:
        refused = table.c.id.in_([900_001, 900_002])
        assert conn.scalar(select(table.c.id).where(refused)) is None


@pytest.mark.parametrize("nothing", [None, {}])
def test_changes_of_nothing_on_a_new_row_keeps_the_inserts_stamps(
    db: Engine, model: Any, nothing: Any
) -> None:
    with Session(db) as session:
        user = model(id=1, name="spongebob", fullname="S", age=1, changes=nothing)
        session.add(user)
        session.commit()
    with db.begin() as conn:
        conn.execute(
            insert(_table(model)), [{"id": 2, "name": "patrick", "changes": nothing}]
        )
    for user_id in (1, 2):
        row = read_user(db, user_id, model)
        assert row.stamps == dict.fromkeys(TRACKED, row.created_at), user_id
        assert row.stored == row.values, user_id


def test_an_unchanged_value_posted_back_is_no_write(db: Engine, model: Any) -> None:
    user_id = insert_user(db, model)
    tick()
    with Session(db) as session:
        user = session.get_one(model, user_id)
        # As a form does: every column assigned what it showed, one edited.
        user.changes = dict(user.changes or {})
        user.updated_at = user.updated_at
        user.name = "Patrick"
        session.commit()
        assert user.get_updated_at("name") == user.updated_at > user.created_at


def test_manual_stamps_stores_the_stamps_a_write_gives(
    db: Engine, mode: str, model: Any
) -> None:
    """SQL mode stores the stamps a write inside manual_stamps() gives. In
    trigger mode they pass the refusal, and the triggers then replace them
    (README, "Capture every writer"), except where SQLite's do not fire."""
    with manual_stamps(), Session(db) as session:
        user = model(id=1, name="imported", created_at=IMPORTED, updated_at=IMPORTED)
        session.add(user)
        session.commit()
        if mode == "sql":
            assert (user.created_at, user.updated_at) == (IMPORTED, IMPORTED)
        else:
            # Every INSERT trigger stamps created_at and updated_at itself.
            assert user.created_at == user.updated_at == user.name_changed_at
        # What the write does not give is stamped as usual, by the server.
        assert user.name_changed_at is not None
        assert user.name_changed_at > IMPORTED
    before = read_user(db, 1, model)
    with manual_stamps(), db.begin() as conn:
        conn.execute(update(_table(model)).values(name_changed_at=IMPORTED))
    stamp = read_user(db, 1, model).name_changed_at
    if mode == "triggers" and requires.triggers_assign_new(db):
        # The BEFORE UPDATE trigger recomputes it: name did not change.
        assert stamp == before.name_changed_at
    else:
        # Stored as given. In trigger mode on SQLite too: its AFTER trigger
        # fires for writes of the table's own columns only, so a write of
        # stamp columns alone stands there.
        assert stamp == IMPORTED


def test_manual_stamps_is_per_thread(db: Engine) -> None:
    refused: list[BaseException] = []

    def other_thread() -> None:
        try:
            with db.begin() as conn:
                conn.execute(update(_table(User)).values(updated_at=IMPORTED))
        except StampWriteError as exc:
            refused.append(exc)

    insert_user(db)
    with manual_stamps():
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
    assert len(refused) == 1
