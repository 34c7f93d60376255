"""Rollbacks leave stamps untouched; concurrent writers keep each other's stamps;
in both modes (``model``: User or TriggeredUser)."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from tests.stamps import insert_user, read_user, tick


def test_rollback_leaves_stamps_exactly_as_they_were(db: Engine, model: Any) -> None:
    user_id = insert_user(db, model)
    before = read_user(db, user_id, model)
    tick()
    with Session(db) as session:
        user = session.get_one(model, user_id)
        user.name = "Spongebob"
        session.flush()
        session.execute(update(model).where(model.id == user_id).values(age=2))
        session.rollback()
    assert read_user(db, user_id, model) == before


def test_savepoint_rollback_keeps_the_outer_writes(db: Engine, model: Any) -> None:
    user_id = insert_user(db, model)
    before = read_user(db, user_id, model)
    tick()
    with Session(db) as session:
        user = session.get_one(model, user_id)
        user.fullname = "SpongeBob SquarePants"
        session.flush()
        outer = read_user_in(session, user_id, model)
        tick()
        with session.begin_nested() as savepoint:
            user.name = "Spongebob"
            user.age = 2
            session.flush()
            savepoint.rollback()
        assert read_user_in(session, user_id, model) == outer
        session.commit()
    after = read_user(db, user_id, model)
    assert after.values == {
        "name": "spongebob",
        "fullname": "SpongeBob SquarePants",
        "age": 1,
    }
    assert after.stamps["fullname"] == after.updated_at
    assert after.stamps["name"] == after.stamps["age"] == before.stamps["name"]


def read_user_in(session: Session, user_id: int, model: Any) -> tuple[object, ...]:
    row = session.execute(model.__table__.select().where(model.id == user_id)).one()
    return tuple(row)


def test_two_transactions_changing_different_fields_keep_both_stamps(
    db: Engine, model: Any
) -> None:
    """The seed's read-modify-write of the JSON loses one of these stamps."""
    user_id = insert_user(db, model)
    before = read_user(db, user_id, model)
    tick()
    first_wrote = threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with Session(db) as session:
                session.get_one(model, user_id).name = "Spongebob"
                session.flush()  # holds the row lock until commit
                first_wrote.set()
                tick()
                session.commit()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
            first_wrote.set()

    thread = threading.Thread(target=first)
    with Session(db) as session:
        user = session.get_one(model, user_id)  # loaded before the other write
        assert user.changes is not None
        session.commit()
        thread.start()
        first_wrote.wait(10)
        user.age = 2  # this flush waits for the first transaction's lock
        session.commit()
    thread.join(10)
    assert not errors, errors
    after = read_user(db, user_id, model)
    assert after.values == {
        "name": "Spongebob",
        "fullname": "Spongebob Squarepants",
        "age": 2,
    }
    assert after.stamps["name"] > before.stamps["name"]
    assert after.stamps["age"] > before.stamps["age"]
    assert after.stamps["age"] == after.updated_at
    assert after.stamps["fullname"] == before.stamps["fullname"]
    assert after.stored == after.values
