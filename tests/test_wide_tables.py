"""Tables with more tracked fields than one SQL function call takes: SQLite's
127 arguments (60 pairs per call), PostgreSQL's 100 (50 pairs per
``jsonb_build_object``, and no ``changes`` function past 100 values). Every
field is still documented on INSERT and stamped on UPDATE, in both modes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, Integer, insert, select, update
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column

from fieldstamps import ChangeTrackingMixin, TimestampMixin
from fieldstamps._types import parse_stamp_text
from tests.models import both_modes
from tests.stamps import tick


class _Base(DeclarativeBase):
    pass


def _columns(fields: int) -> type:
    attrs: dict[str, Any] = {"id": mapped_column(Integer, primary_key=True)}
    attrs.update(
        {_key(i): mapped_column(Integer, nullable=True) for i in range(fields)}
    )
    return type(f"Wide{fields}Columns", (), attrs)


def _key(i: int) -> str:
    return f"f{i:03d}"


# One past SQLite's 60 pairs per call (a chunk of one pair left over), and
# one past PostgreSQL's 100 function arguments (the INSERT spells the
# document out in chunks of 50, 50 and 1).
WIDTHS = (61, 101)
MODELS = {
    fields: both_modes(
        f"Wide{fields}",
        (TimestampMixin, ChangeTrackingMixin, _columns(fields), _Base),
        f"fieldstamps_wide_{fields}",
    )
    for fields in WIDTHS
}


@pytest.fixture
def wide_db(engine: Engine) -> Iterator[Engine]:
    _Base.metadata.create_all(engine)
    yield engine
    _Base.metadata.drop_all(engine)


def _documents(
    db: Engine, model: Any, keys: list[str]
) -> dict[int, tuple[Any, Any, Any]]:
    """Per row id: its values of ``keys``, its document and its timestamps."""
    with Session(db) as session:
        rows = session.scalars(select(model).order_by(model.id)).all()
        return {
            row.id: (
                {key: getattr(row, key) for key in keys},
                row.changes,
                (row.created_at, row.updated_at),
            )
            for row in rows
        }


@pytest.mark.parametrize("fields", WIDTHS)
def test_every_field_of_a_wide_table_is_documented_and_stamped(
    wide_db: Engine, mode: str, fields: int
) -> None:
    model = MODELS[fields][mode]
    keys = [_key(i) for i in range(fields)]
    inserted = {
        1: {key: i for i, key in enumerate(keys)},
        2: {key: -i for i, key in enumerate(keys)},
        3: dict.fromkeys(keys),
    }
    with Session(wide_db) as session:
        session.add(model(id=1, **inserted[1]))
        session.commit()
    with wide_db.begin() as conn:
        conn.execute(
            insert(model), [{"id": 2, **inserted[2]}, {"id": 3, **inserted[3]}]
        )
    documents = _documents(wide_db, model, keys)
    for row_id, expected in inserted.items():
        values, changes, (created_at, _) = documents[row_id]
        assert set(changes) == set(keys), row_id
        assert values == expected, row_id
        assert {key: entry["value"] for key, entry in changes.items()} == expected
        stamps = {parse_stamp_text(entry["updated_at"]) for entry in changes.values()}
        assert stamps == {created_at}, row_id

    # An UPDATE of the first and last field, and one writing every field's
    # own value again: only the two fields move.
    tick()
    with wide_db.begin() as conn:
        conn.execute(
            update(model).where(model.id == 1).values({keys[0]: 100, keys[-1]: 200})
        )
        conn.execute(update(model).where(model.id == 2).values(inserted[2]))
    after = _documents(wide_db, model, keys)
    values, changes, (created_at, updated_at) = after[1]
    assert values == {**documents[1][0], keys[0]: 100, keys[-1]: 200}
    assert {key: entry["value"] for key, entry in changes.items()} == values
    for key, entry in changes.items():
        moved = key in (keys[0], keys[-1])
        expected_stamp = updated_at if moved else created_at
        assert parse_stamp_text(entry["updated_at"]) == expected_stamp, key
    assert updated_at > created_at
    assert after[2][1] == documents[2][1]
