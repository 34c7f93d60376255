"""upsert_set() makes INSERT .. ON CONFLICT / ON DUPLICATE KEY stamp like UPDATE,
in both modes (``model``: User, or TriggeredUser whose triggers stamp the
update branch)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, Table
from sqlalchemy.dialects import mysql

from fieldstamps import ConfigurationError, upsert_set
from tests.models import Product, TriggeredUser, User
from tests.requirements import dialect_insert, requires
from tests.stamps import TRACKED, assert_wrote, read_user, tick, upsert_statement


def _upsert(db: Engine, model: Any, **values: Any) -> None:
    """The documented recipe for this backend."""
    with db.begin() as conn:
        conn.execute(upsert_statement(db, model, **values))


def test_upsert_inserts_then_stamps_only_real_changes(db: Engine, model: Any) -> None:
    _upsert(
        db, model, id=1, name="spongebob", fullname="Spongebob Squarepants", age=None
    )
    inserted = read_user(db, 1, model)
    assert inserted.stamps == dict.fromkeys(TRACKED, inserted.created_at)
    assert inserted.stored == {
        "name": "spongebob",
        "fullname": "Spongebob Squarepants",
        "age": None,
    }

    tick()
    _upsert(
        db, model, id=1, name="Spongebob", fullname="Spongebob Squarepants", age=None
    )
    renamed = read_user(db, 1, model)
    assert_wrote(inserted, renamed, {"name"})

    tick()
    _upsert(
        db, model, id=1, name="Spongebob", fullname="Spongebob Squarepants", age=None
    )
    again = read_user(db, 1, model)
    assert again.stamps == renamed.stamps  # same values: no stamp moved
    assert again.updated_at > renamed.updated_at  # but the row was written


def test_upsert_of_a_subset_of_columns(db: Engine, model: Any) -> None:
    _upsert(db, model, id=2, name="patrick", fullname="Patrick Star", age=30)
    before = read_user(db, 2, model)
    tick()
    _upsert(db, model, id=2, name="patrick", age=31)
    assert_wrote(before, read_user(db, 2, model), {"age"})


def test_upsert_set_accepts_literal_values() -> None:
    assignments = upsert_set(User, {"name": "x", User.age: 3})
    assert list(assignments)[-2:] == ["name", "age"]
    # Stamp assignments come first: MariaDB assigns SET left to right.
    assert list(assignments)[:2] == ["changes", "name_changed_at"]
    assert "updated_at" in assignments
    # In trigger mode the update branch's triggers stamp it: no stamp is
    # assigned, only the values given.
    triggered = upsert_set(TriggeredUser, {"name": "x", TriggeredUser.age: 3})
    assert list(triggered) == ["name", "age"]


def test_upsert_set_refuses_unknown_and_stamp_columns(model: Any) -> None:
    table = model.__tablename__
    with pytest.raises(
        ConfigurationError, match=f"'nope' is not a column of table '{table}'"
    ):
        upsert_set(model, {"nope": 1})
    with pytest.raises(ConfigurationError, match="'updated_at' is a stamp column"):
        upsert_set(model, {"updated_at": None})
    with pytest.raises(ConfigurationError, match="no fieldstamps columns"):
        from sqlalchemy import Column, Integer, MetaData

        upsert_set(
            Table("plain", MetaData(), Column("id", Integer, primary_key=True)), {}
        )
    # changed_at()-only tables are supported.
    assert "price_changed_at" in upsert_set(Product, {"price": 1})


def test_upsert_values_may_be_orm_attributes(db: Engine, model: Any) -> None:
    # SET fullname = <the row's own name>, written as model.name.
    _upsert(db, model, id=7, name="sandy", fullname="Sandy Cheeks", age=None)
    before = read_user(db, 7, model)
    tick()
    if requires.on_duplicate_key_update(db):
        my = mysql.insert(model).values(id=7, name="sandy")
        stmt: Any = my.on_duplicate_key_update(
            upsert_set(model, {"fullname": model.name})
        )
    else:
        ins = dialect_insert(db)(model).values(id=7, name="sandy")
        stmt = ins.on_conflict_do_update(
            index_elements=[model.id], set_=upsert_set(model, {"fullname": model.name})
        )
    with db.begin() as conn:
        conn.execute(stmt)
    after = read_user(db, 7, model)
    assert after.values["fullname"] == "sandy"
    assert_wrote(before, after, {"fullname"})
