"""A ``changes`` value damaged in the database degrades, then heals.

Reading never raises: ``get_updated_at`` is None for what it cannot read and
the stamp for what it can. The next write, on any path, leaves a JSON object
again, with a proper entry for the changed field and every readable entry
that was there before. In both modes (``model``: User or TriggeredUser): a
trigger-mode table's damage comes from a write its triggers did not see (a
load run with them off), and the triggers' next write repairs it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine, select, text, update
from sqlalchemy.orm import Session

from fieldstamps._types import parse_stamp_text
from tests.models import User
from tests.requirements import requires
from tests.stamps import insert_user, triggers_off

TRACKED = ("name", "fullname", "age")
GOOD_AT = "2001-02-03T04:05:06.000007Z"
GOOD_STAMP = dt.datetime(2001, 2, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
GOOD_ENTRY = {"value": 30, "updated_at": GOOD_AT}

# Each case: the raw JSON text put into ``changes`` (None: SQL NULL).
WHOLE_DOCUMENT: dict[str, str | None] = {
    "sql_null": None,
    "json_null": "null",
    "json_string": json.dumps("name changed yesterday"),
    "json_encoded_twice": json.dumps(json.dumps({"age": GOOD_ENTRY})),
    "json_array": json.dumps([{"age": GOOD_ENTRY}]),
    "json_number": "42",
    "json_true": "true",
    "empty_array": "[]",
}
# Damaged entries for "name" and "fullname"; "age" stays readable.
ENTRIES: dict[str, tuple[Any, Any]] = {
    "entry_string": ("yesterday", GOOD_AT),
    "entry_array_and_null": ([GOOD_AT], None),
    "entry_number_and_bool": (1700000000, False),
    "updated_at_not_a_date": (
        {"value": "x", "updated_at": "yesterday"},
        {"value": "y", "updated_at": ""},
    ),
    "updated_at_impossible_date": (
        {"value": "x", "updated_at": "2023-02-30T00:00:00.000000Z"},
        {"value": "y", "updated_at": "2023-01-01T25:00:00.000000Z"},
    ),
    "updated_at_number_and_null": (
        {"value": "x", "updated_at": 1700000000},
        {"value": "y", "updated_at": None},
    ),
    "updated_at_missing_and_object": (
        {"value": "x"},
        {"value": "y", "updated_at": {"at": GOOD_AT}},
    ),
}
CASES: dict[str, str | None] = {
    **WHOLE_DOCUMENT,
    **{
        name: json.dumps({"name": bad, "fullname": also_bad, "age": GOOD_ENTRY})
        for name, (bad, also_bad) in ENTRIES.items()
    },
}


def _readable(raw: str | None) -> dict[str, Any]:
    """The entries of ``raw`` that must survive, with their stamps."""
    document = None if raw is None else json.loads(raw)
    if not isinstance(document, dict):
        return {}
    return {key: entry for key, entry in document.items() if entry == GOOD_ENTRY}


def _corrupt(db: Engine, model: Any, user_id: int, raw: str | None) -> None:
    # Raw SQL on purpose: the damage comes from outside SQLAlchemy (and, in
    # trigger mode, from outside the triggers, which would replace it).
    value = "CAST(:raw AS JSONB)" if requires.json_needs_cast(db) else ":raw"
    table = db.dialect.identifier_preparer.format_table(model.__table__)
    with triggers_off(db, model), db.begin() as conn:
        conn.execute(
            text(f"UPDATE {table} SET changes = {value} WHERE id = :id"),
            {"raw": raw, "id": user_id},
        )


def _row(db: Engine, model: Any, user_id: int) -> Any:
    with db.connect() as conn:
        return conn.execute(
            select(model.changes, model.updated_at, model.name, model.fullname).where(
                model.id == user_id
            )
        ).one()


@pytest.fixture(params=list(CASES))
def damaged(
    request: pytest.FixtureRequest, db: Engine, model: Any
) -> tuple[int, str | None]:
    user_id = insert_user(db, model, fullname="Spongebob S", age=30)
    raw = CASES[request.param]
    _corrupt(db, model, user_id, raw)
    stored = _row(db, model, user_id).changes
    # The damage must really be in the database for the test to mean anything.
    assert stored == (None if raw is None else json.loads(raw))
    return user_id, raw


def test_get_updated_at_is_none_for_what_it_cannot_read(
    db: Engine, model: Any, damaged: tuple[int, str | None]
) -> None:
    user_id, raw = damaged
    readable = _readable(raw)
    with Session(db) as session:
        user = session.get_one(model, user_id)
        for field in TRACKED:
            expected = GOOD_STAMP if field in readable else None
            assert user.get_updated_at(field) == expected, field


def _write_orm_flush(
    db: Engine, model: Any, user_id: int, field: str, value: str
) -> None:
    with Session(db) as session:
        user = session.get_one(model, user_id)
        setattr(user, field, value)
        session.commit()
        # The object in hand, not only the row, must show the repair.
        assert user.get_updated_at(field) == user.updated_at


def _write_orm_update(
    db: Engine, model: Any, user_id: int, field: str, value: str
) -> None:
    with Session(db) as session:
        session.execute(update(model).where(model.id == user_id).values({field: value}))
        session.commit()


def _write_core_update(
    db: Engine, model: Any, user_id: int, field: str, value: str
) -> None:
    table = model.__table__
    with db.begin() as conn:
        conn.execute(update(table).where(table.c.id == user_id).values({field: value}))


WRITES: dict[str, Callable[[Engine, Any, int, str, str], None]] = {
    "orm_flush": _write_orm_flush,
    "orm_update": _write_orm_update,
    "core_update": _write_core_update,
}
NEW_VALUES = {"name": "Spongebob", "fullname": "Spongebob Squarepants"}


@pytest.mark.parametrize("field", list(NEW_VALUES))
@pytest.mark.parametrize("path", list(WRITES))
def test_next_write_repairs_changes(
    db: Engine, model: Any, damaged: tuple[int, str | None], path: str, field: str
) -> None:
    user_id, raw = damaged
    WRITES[path](db, model, user_id, field, NEW_VALUES[field])

    row = _row(db, model, user_id)
    assert getattr(row, field) == NEW_VALUES[field]
    changes = row.changes
    assert isinstance(changes, dict), changes
    entry = changes[field]
    assert entry["value"] == NEW_VALUES[field]
    assert parse_stamp_text(entry["updated_at"]) == row.updated_at
    for key, kept in _readable(raw).items():
        assert changes[key] == kept, key
    # Nothing but tracked fields: no scratch key of the SQL merge leaks out.
    assert set(changes) <= set(TRACKED), changes

    with Session(db) as session:
        user = session.get_one(model, user_id)
        assert user.get_updated_at(field) == row.updated_at


@pytest.mark.parametrize(
    "stamp", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"]
)
def test_stamp_beyond_datetime_range_in_utc_reads_as_none(
    db: Engine, stamp: str
) -> None:
    # Reading alone, the same in both modes: SQL mode's User only.
    user_id = insert_user(db, fullname="Spongebob S", age=30)
    raw = json.dumps({"name": {"value": "x", "updated_at": stamp}, "age": GOOD_ENTRY})
    _corrupt(db, User, user_id, raw)
    with Session(db) as session:
        user = session.get_one(User, user_id)
        assert user.get_updated_at("name") is None
        assert user.get_updated_at("age") == GOOD_STAMP
