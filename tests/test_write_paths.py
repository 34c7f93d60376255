"""Every SQLAlchemy write path stamps in server time, on every backend, with
the same stamps whether SQLAlchemy compiles them or triggers compute them
(``model``: User or TriggeredUser)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, bindparam, func, insert, inspect, select, update
from sqlalchemy.orm import Session

from tests.stamps import TRACKED, assert_wrote, read_user, tick


def _new_user(session: Session, model: Any, **values: Any) -> Any:
    user = model(**{"name": "spongebob", "fullname": "Spongebob Squarepants", **values})
    session.add(user)
    session.commit()
    return user


# -- INSERT -------------------------------------------------------------------


def test_orm_insert_stamps_every_field_with_the_insert_instant(
    session: Session,
    model: Any,
) -> None:
    user = _new_user(session, model)
    row = read_user(session.get_bind(), user.id, model)  # type: ignore[arg-type]
    assert row.created_at == row.updated_at
    assert row.stamps == dict.fromkeys(TRACKED, row.created_at)
    assert row.stored == {
        "name": "spongebob",
        "fullname": "Spongebob Squarepants",
        "age": None,
    }
    assert row.name_changed_at == row.contact_changed_at == row.created_at
    # Expired by the commit and loaded on access: the database's values.
    assert user.created_at == row.created_at
    assert user.get_updated_at("name") == row.created_at


def test_core_insert_stamps_columns_it_does_not_name(db: Engine, model: Any) -> None:
    with db.begin() as conn:
        user_id = conn.execute(
            insert(model.__table__).values(name="patrick")
        ).inserted_primary_key[0]
    row = read_user(db, user_id, model)
    assert row.stamps == dict.fromkeys(TRACKED, row.created_at)
    assert row.stored == {"name": "patrick", "fullname": None, "age": None}


def test_core_insert_executemany_stamps_each_row(db: Engine, model: Any) -> None:
    with db.begin() as conn:
        conn.execute(
            insert(model.__table__),
            [{"id": 11, "name": "a", "age": 1}, {"id": 12, "name": "b", "age": 2}],
        )
    for user_id, name, age in ((11, "a", 1), (12, "b", 2)):
        row = read_user(db, user_id, model)
        assert row.stored == {"name": name, "fullname": None, "age": age}
        assert row.stamps == dict.fromkeys(TRACKED, row.created_at)


def test_orm_bulk_insert_and_add_all_with_explicit_keys(
    session: Session, model: Any
) -> None:
    # Batched multi-row INSERTs ("insertmanyvalues") copy each row's values.
    session.execute(
        insert(model), [{"id": 21, "name": "x"}, {"id": 22, "name": "y", "age": 5}]
    )
    session.add_all([model(id=30 + i, name=f"n{i}", age=i) for i in range(5)])
    session.commit()
    db = session.get_bind()
    assert read_user(db, 22, model).stored == {"name": "y", "fullname": None, "age": 5}  # type: ignore[arg-type]
    for i in range(5):
        row = read_user(db, 30 + i, model)  # type: ignore[arg-type]
        assert row.stored == {"name": f"n{i}", "fullname": None, "age": i}
        assert row.stamps == dict.fromkeys(TRACKED, row.created_at)


# -- ORM unit of work ---------------------------------------------------------


def test_flush_stamps_only_the_changed_field(session: Session, model: Any) -> None:
    user = _new_user(session, model)
    db = session.get_bind()
    before = read_user(db, user.id, model)  # type: ignore[arg-type]
    tick()
    user.name = "Spongebob"  # the seed's own example: a change of case only
    session.commit()
    after = read_user(db, user.id, model)  # type: ignore[arg-type]
    assert_wrote(before, after, {"name"})
    # Fetched with the UPDATE (eager defaults): equal to the database's.
    assert user.updated_at == after.updated_at
    assert user.get_updated_at("name") == after.updated_at
    assert user.name_changed_at == after.updated_at


def test_one_flush_of_several_objects_and_fields(session: Session, model: Any) -> None:
    a, b = _new_user(session, model, name="a"), _new_user(session, model, name="b")
    db = session.get_bind()
    before_a, before_b = read_user(db, a.id, model), read_user(db, b.id, model)  # type: ignore[arg-type]
    tick()
    a.fullname, a.age = "A A", 3
    b.name = "bee"
    session.commit()
    after_a, after_b = read_user(db, a.id, model), read_user(db, b.id, model)  # type: ignore[arg-type]
    assert_wrote(before_a, after_a, {"fullname", "age"})
    assert_wrote(before_b, after_b, {"name"})


def test_session_merge(session: Session, model: Any) -> None:
    user = _new_user(session, model)
    db = session.get_bind()
    before = read_user(db, user.id, model)  # type: ignore[arg-type]
    session.expunge_all()
    tick()
    session.merge(model(id=user.id, name="spongebob", fullname="SB", age=None))
    session.commit()
    assert_wrote(before, read_user(db, user.id, model), {"fullname"})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("start", "end"),
    [(None, 7), (7, None), (7, 8)],
    ids=["null-to-value", "value-to-null", "value-to-value"],
)
def test_null_transitions_are_changes(
    session: Session, model: Any, start: int | None, end: int | None
) -> None:
    user = _new_user(session, model, age=start)
    db = session.get_bind()
    before = read_user(db, user.id, model)  # type: ignore[arg-type]
    tick()
    user.age = end
    session.commit()
    assert_wrote(before, read_user(db, user.id, model), {"age"})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value", ["spongebob", None], ids=["same-string", "null-to-null"]
)
def test_writing_the_same_value_is_not_a_change(
    db: Engine, model: Any, value: str | None
) -> None:
    with Session(db, expire_on_commit=False) as session:
        user = _new_user(session, model, fullname=value)
    before = read_user(db, user.id, model)
    tick()
    with db.begin() as conn:
        conn.execute(
            update(model.__table__)
            .where(model.id == user.id)
            .values(name="spongebob", fullname=value)
        )
    after = read_user(db, user.id, model)
    assert after.updated_at > before.updated_at  # the row was written...
    assert after.stamps == before.stamps  # ...but no field changed
    assert after.name_changed_at == before.name_changed_at
    assert after.contact_changed_at == before.contact_changed_at


# -- ORM-enabled UPDATE statements --------------------------------------------


@pytest.mark.parametrize("synchronize", ["auto", "evaluate", "fetch", False])
@pytest.mark.parametrize("form", ["literal", "expression"])
def test_orm_update_statement(
    session: Session, model: Any, synchronize: Any, form: str
) -> None:
    user = _new_user(session, model, age=1)
    other = _new_user(session, model, name="patrick", age=1)
    db = session.get_bind()
    before, before_other = read_user(db, user.id, model), read_user(db, other.id, model)  # type: ignore[arg-type]
    assert user.get_updated_at("age") == before.updated_at  # loaded in the session
    tick()
    values: dict[str, Any] = (
        {"age": 2, "fullname": "Spongebob"}
        if form == "literal"
        else {"age": model.age + 1, "fullname": func.upper(model.name)}
    )
    session.execute(
        update(model).where(model.id == user.id).values(**values),
        execution_options={"synchronize_session": synchronize},
    )
    session.commit()
    after = read_user(db, user.id, model)  # type: ignore[arg-type]
    assert_wrote(before, after, {"age", "fullname"})
    assert read_user(db, other.id, model) == before_other  # type: ignore[arg-type]
    # The object already in the session shows the new stamps, not stale ones.
    assert user.updated_at == after.updated_at
    assert user.get_updated_at("age") == after.updated_at
    assert user.get_updated_at("name") == before.stamps["name"]
    assert user.contact_changed_at == after.updated_at


def test_bulk_update_by_primary_key_with_mixed_key_sets(
    session: Session, model: Any
) -> None:
    a, b = _new_user(session, model, name="a"), _new_user(session, model, name="b")
    db = session.get_bind()
    before_a, before_b = read_user(db, a.id, model), read_user(db, b.id, model)  # type: ignore[arg-type]
    tick()
    session.execute(
        update(model),
        [{"id": a.id, "name": "A"}, {"id": b.id, "age": 9, "fullname": "Bee"}],
    )
    session.commit()
    after_a, after_b = read_user(db, a.id, model), read_user(db, b.id, model)  # type: ignore[arg-type]
    assert_wrote(before_a, after_a, {"name"})
    assert_wrote(before_b, after_b, {"age", "fullname"})
    assert a.get_updated_at("name") == after_a.updated_at
    assert b.contact_changed_at == after_b.updated_at


def test_bulk_update_mappings(session: Session, model: Any) -> None:
    a, b = _new_user(session, model, name="a"), _new_user(session, model, name="b")
    db = session.get_bind()
    before_a, before_b = read_user(db, a.id, model), read_user(db, b.id, model)  # type: ignore[arg-type]
    tick()
    session.bulk_update_mappings(
        model, [{"id": a.id, "age": 4}, {"id": b.id, "name": "B"}]
    )  # type: ignore[arg-type]
    session.commit()
    assert_wrote(before_a, read_user(db, a.id, model), {"age"})  # type: ignore[arg-type]
    assert_wrote(before_b, read_user(db, b.id, model), {"name"})  # type: ignore[arg-type]


# -- Core UPDATE --------------------------------------------------------------


def test_core_update_statement(db: Engine, model: Any) -> None:
    with Session(db, expire_on_commit=False) as session:
        user = _new_user(session, model)
    before = read_user(db, user.id, model)
    tick()
    with db.begin() as conn:
        conn.execute(
            update(model.__table__).where(model.id == user.id).values(name="Spongebob")
        )
    assert_wrote(before, read_user(db, user.id, model), {"name"})


def test_core_update_executemany(db: Engine, model: Any) -> None:
    with Session(db, expire_on_commit=False) as session:
        a, b = _new_user(session, model, name="a"), _new_user(session, model, name="b")
    before_a, before_b = read_user(db, a.id, model), read_user(db, b.id, model)
    tick()
    table = model.__table__
    with db.begin() as conn:
        conn.execute(
            update(table)
            .where(table.c.id == bindparam("uid"))
            .values(age=bindparam("new_age")),
            [{"uid": a.id, "new_age": 10}, {"uid": b.id, "new_age": None}],
        )
    assert_wrote(before_a, read_user(db, a.id, model), {"age"})
    # b's age was already NULL: written, but not changed.
    after_b = read_user(db, b.id, model)
    assert after_b.stamps == before_b.stamps


def test_where_and_order_by_stamp(session: Session, model: Any) -> None:
    a, b = _new_user(session, model, name="a"), _new_user(session, model, name="b")
    tick()
    b.name = "bee"
    session.commit()
    since = read_user(session.get_bind(), b.id, model).updated_at  # type: ignore[arg-type]
    changed = session.scalars(
        select(model.name).where(model.updated_at_of("name") >= since)
    ).all()
    assert changed == ["bee"]
    ordered = session.scalars(
        select(model.name).order_by(model.updated_at_of("name").desc())
    ).all()
    assert ordered == ["bee", "a"]
    loaded = session.execute(
        select(model.updated_at_of("name")).where(model.id == b.id)
    ).scalar_one()
    assert loaded == since
    assert b.name_updated_at == since  # the mirror column, loaded after flush
    # A field without a mirror column is read from the JSON itself.
    a.fullname = "Mr A"
    session.commit()
    a_since = read_user(session.get_bind(), a.id, model).updated_at  # type: ignore[arg-type]
    assert session.scalars(
        select(model.name).where(model.updated_at_of("fullname") >= a_since)
    ).all() == ["a"]
    assert (
        session.scalar(select(model.updated_at_of("fullname")).where(model.id == a.id))
        == a_since
    )


def test_stamps_are_loaded_after_a_flush_without_lazy_loads(
    db: Engine, model: Any
) -> None:
    with Session(db, expire_on_commit=False) as session:
        user = _new_user(session, model)
        before = read_user(db, user.id, model)
        tick()
        user.name = "Spongebob"
        session.flush()
        stamp_keys = {"updated_at", "changes", "name_changed_at", "name_updated_at"}
        assert not stamp_keys & inspect(user).unloaded  # reloaded in the flush
        in_session = (user.updated_at, user.get_updated_at("name"))
        session.commit()
        assert not stamp_keys & inspect(user).unloaded
    after = read_user(db, user.id, model)
    assert_wrote(before, after, {"name"})
    assert in_session == (after.updated_at, after.updated_at)
