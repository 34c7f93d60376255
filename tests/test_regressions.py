"""Regressions: bugs found (mostly by tests/test_model_based.py), one test each.

The two field keys found by the hostile-input tests are pinned there, in
test_field_keys_the_sql_cannot_carry_are_refused.

Each test is self-contained and runs on every configured backend, in both
modes (``model``: User, or TriggeredUser whose triggers compute the stamps).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, Table, insert, update

from tests.stamps import TRACKED, UserStamps, assert_wrote, read_user, tick


def _insert_two_spongebobs(db: Engine, model: Any) -> dict[int, UserStamps]:
    """Row 1's fullname equals the old name, row 2's the new one: under
    left-to-right SET the copy changes the first and not the second, under
    standard SET the other way round."""
    table = model.__table__
    assert isinstance(table, Table)
    with db.begin() as conn:
        conn.execute(
            insert(table),
            [
                {"id": 1, "name": "spongebob", "fullname": "spongebob"},
                {"id": 2, "name": "spongebob", "fullname": "Spongebob"},
            ],
        )
    before = {uid: read_user(db, uid, model) for uid in (1, 2)}
    tick()
    return before


def _assert_stamps_follow_values(
    db: Engine, model: Any, before: dict[int, UserStamps]
) -> None:
    for uid, was in before.items():
        after = read_user(db, uid, model)
        # Whatever the database stored, changes must agree with it, and stamps
        # must move exactly for the columns that changed.
        assert after.stored == after.values, uid
        changed = {
            field for field in TRACKED if after.values[field] != was.values[field]
        }
        assert_wrote(was, after, changed)


def test_set_copying_a_column_assigned_earlier_in_the_same_update(
    db: Engine, model: Any
) -> None:
    """``SET name = 'Spongebob', fullname = name`` in one UPDATE.

    MariaDB assigns SET items left to right, so ``fullname`` received the
    *new* name while the stamps, assigned first, compared with and recorded
    the *old* one. Found by the model-based test; fixed by compiling such
    statements with SIMULTANEOUS_ASSIGNMENT (fieldstamps/_sql/mysql.py).
    """
    before = _insert_two_spongebobs(db, model)
    table = model.__table__
    assert isinstance(table, Table)
    with db.begin() as conn:
        conn.execute(
            update(table)
            .where(table.c.id.in_([1, 2]))
            .values(name="Spongebob", fullname=table.c.name)
        )
    _assert_stamps_follow_values(db, model, before)


def test_upsert_copying_a_column_assigned_earlier_in_the_same_set(
    db: Engine, model: Any
) -> None:
    """The same bug through ``upsert_set()``: MariaDB's ``ON DUPLICATE KEY
    UPDATE name = VALUES(name), fullname = name`` also assigns left to right.
    Fixed the same way (MariaDB 10.11 honours SIMULTANEOUS_ASSIGNMENT there).
    Found by the model-based test. On a trigger-mode table MariaDB assigns
    left to right even so (see the README); what is checked holds either
    way: the stamps follow the values stored."""
    from sqlalchemy.dialects import mysql

    from fieldstamps import upsert_set
    from tests.requirements import dialect_insert, requires

    before = _insert_two_spongebobs(db, model)
    table = model.__table__
    assert isinstance(table, Table)
    with db.begin() as conn:
        for uid in (1, 2):
            stmt: Any
            if requires.on_duplicate_key_update(db):
                my = mysql.insert(table).values(id=uid, name="Spongebob")
                stmt = my.on_duplicate_key_update(
                    upsert_set(
                        model, {"name": my.inserted.name, "fullname": table.c.name}
                    )
                )
            else:
                ins = dialect_insert(db)(table).values(id=uid, name="Spongebob")
                stmt = ins.on_conflict_do_update(
                    index_elements=[table.c.id],
                    set_=upsert_set(
                        model, {"name": ins.excluded.name, "fullname": table.c.name}
                    ),
                )
            conn.execute(stmt)
    _assert_stamps_follow_values(db, model, before)


def test_orm_update_copying_a_column_assigned_earlier_in_the_same_set(
    db: Engine, model: Any
) -> None:
    """The ORM form of the MariaDB left-to-right case: its statement carries
    annotated copies of the table's columns, which must still be recognised
    as reading the table (found by the model-based test)."""
    from sqlalchemy.orm import Session

    with Session(db, expire_on_commit=False) as session:
        user = model(id=1, name="spongebob", fullname="Spongebob")
        session.add(user)
        session.commit()
    before = read_user(db, 1, model)
    tick()
    with Session(db) as session:
        session.execute(
            update(model)
            .where(model.id == 1)
            .values(name="Sponge", fullname=model.name)
        )
        session.commit()
    after = read_user(db, 1, model)
    # Every database now gives the standard answer: fullname gets the old name.
    assert after.values == {"name": "Sponge", "fullname": "spongebob", "age": None}
    assert after.stored == after.values
    assert_wrote(before, after, {"name", "fullname"})
