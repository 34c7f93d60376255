"""Regressions: bugs found (mostly by tests/test_model_based.py), one test each.

Each test is self-contained and runs on every configured backend.
"""

from __future__ import annotations

from sqlalchemy import Engine, Table, insert, update

from tests.models import User
from tests.stamps import TRACKED, UserStamps, assert_wrote, read_user, tick


def _insert_two_spongebobs(db: Engine) -> dict[int, UserStamps]:
    """Row 1's fullname equals the old name, row 2's the new one: under
    left-to-right SET the copy changes the first and not the second, under
    standard SET the other way round."""
    table = User.__table__
    assert isinstance(table, Table)
    with db.begin() as conn:
        conn.execute(
            insert(table),
            [
                {"id": 1, "name": "spongebob", "fullname": "spongebob"},
                {"id": 2, "name": "spongebob", "fullname": "Spongebob"},
            ],
        )
    before = {uid: read_user(db, uid) for uid in (1, 2)}
    tick()
    return before


def _assert_stamps_follow_values(db: Engine, before: dict[int, UserStamps]) -> None:
    for uid, was in before.items():
        after = read_user(db, uid)
        # Whatever the database stored, changes must agree with it, and stamps
        # must move exactly for the columns that changed.
        assert after.stored == after.values, uid
        changed = {
            field for field in TRACKED if after.values[field] != was.values[field]
        }
        assert_wrote(was, after, changed)


def test_set_copying_a_column_assigned_earlier_in_the_same_update(
    db: Engine,
) -> None:
    """``SET name = 'Spongebob', fullname = name`` in one UPDATE.

    MariaDB assigns SET items left to right, so ``fullname`` received the
    *new* name while the stamps, assigned first, compared with and recorded
    the *old* one. Found by the model-based test; fixed by compiling such
    statements with SIMULTANEOUS_ASSIGNMENT (fieldstamps/_dml.py).
    """
    before = _insert_two_spongebobs(db)
    table = User.__table__
    assert isinstance(table, Table)
    with db.begin() as conn:
        conn.execute(
            update(table)
            .where(table.c.id.in_([1, 2]))
            .values(name="Spongebob", fullname=table.c.name)
        )
    _assert_stamps_follow_values(db, before)


def test_upsert_copying_a_column_assigned_earlier_in_the_same_set(
    db: Engine,
) -> None:
    """The same bug through ``upsert_set()``: MariaDB's ``ON DUPLICATE KEY
    UPDATE name = VALUES(name), fullname = name`` also assigns left to right.
    Fixed the same way (MariaDB 10.11 honours SIMULTANEOUS_ASSIGNMENT there).
    Found by the model-based test."""
    from typing import Any

    from sqlalchemy.dialects import mysql, postgresql, sqlite

    from fieldstamps import upsert_set

    before = _insert_two_spongebobs(db)
    table = User.__table__
    assert isinstance(table, Table)
    with db.begin() as conn:
        for uid in (1, 2):
            stmt: Any
            if db.dialect.name in ("mysql", "mariadb"):
                my = mysql.insert(table).values(id=uid, name="Spongebob")
                stmt = my.on_duplicate_key_update(
                    upsert_set(
                        User, {"name": my.inserted.name, "fullname": table.c.name}
                    )
                )
            else:
                dialect = postgresql if db.dialect.name == "postgresql" else sqlite
                ins = dialect.insert(table).values(id=uid, name="Spongebob")
                stmt = ins.on_conflict_do_update(
                    index_elements=[table.c.id],
                    set_=upsert_set(
                        User, {"name": ins.excluded.name, "fullname": table.c.name}
                    ),
                )
            conn.execute(stmt)
    _assert_stamps_follow_values(db, before)


# -- found by the hostile-input tests (tests/test_hostile.py) -----------------


def _hostile_key_model(key: str) -> type:
    """A mapped class tracking a field whose key is ``key``, plus ``other``."""
    from sqlalchemy import Integer, String
    from sqlalchemy.orm import DeclarativeBase, mapped_column

    from fieldstamps import ChangeTrackingMixin, TimestampMixin

    class Base(DeclarativeBase):
        pass

    return type(
        "HostileKey",
        (TimestampMixin, ChangeTrackingMixin, Base),
        {
            "__tablename__": "hostile_key",
            "id": mapped_column(Integer, primary_key=True),
            key: mapped_column("odd", String(20)),
            "other": mapped_column(String(20)),
        },
    )


def test_field_key_with_pyformat_placeholder_on_sqlite() -> None:
    """A field key like ``%(id)s`` is rendered into SQL string literals (the
    JSON path ``'$."%(id)s"'``). SQLAlchemy's conversion to SQLite's qmark
    paramstyle rewrites ``%(name)s`` inside that literal into ``?`` whenever
    ``name`` is a bind name of the statement (``id``, any column key), so the
    INSERT and UPDATE fail with sqlite3.ProgrammingError ("Incorrect number
    of bindings supplied") instead of writing or raising FieldstampsError.
    PostgreSQL and MariaDB (pyformat, ``%`` doubled) are fine.
    Fixed when the write works, or the key is refused with ConfigurationError.
    """
    from typing import Any

    from sqlalchemy import create_engine, select, update
    from sqlalchemy.orm import Session

    from fieldstamps import ConfigurationError

    try:
        model: Any = _hostile_key_model("%(id)s")
    except ConfigurationError:
        return
    engine = create_engine("sqlite://")
    model.metadata.create_all(engine)
    with Session(engine) as session:
        obj = model(id=1, other="a")
        setattr(obj, "%(id)s", "x")
        session.add(obj)
        session.commit()
        session.execute(update(model).values(other="b"))
        session.commit()
        changes = session.scalars(select(model.changes)).one()
    assert changes["%(id)s"]["value"] == "x"
    assert changes["other"]["value"] == "b"


def test_field_key_equal_to_the_noop_scratch_key_loses_its_stamp() -> None:
    """SQLite's and MariaDB's UPDATE merge send every unchanged field to the
    scratch path ``$."~fieldstamps-noop"`` and JSON_REMOVE it afterwards. A
    tracked field whose key is ``~fieldstamps-noop`` therefore loses its
    entry on every UPDATE, whether it changed or not, silently (PostgreSQL
    keeps it). Fixed when the entry survives, or the key is refused with
    ConfigurationError when the class is created."""
    from typing import Any

    from sqlalchemy import create_engine, select, update
    from sqlalchemy.orm import Session

    from fieldstamps import ConfigurationError

    try:
        model: Any = _hostile_key_model("~fieldstamps-noop")
    except ConfigurationError:
        return
    engine = create_engine("sqlite://")
    model.metadata.create_all(engine)
    with Session(engine) as session:
        obj = model(id=1, other="a")
        setattr(obj, "~fieldstamps-noop", "x")
        session.add(obj)
        session.commit()
        session.execute(update(model).values(other="b"))  # leaves the field alone
        session.commit()
        kept = session.scalars(select(model.changes)).one()
        session.execute(update(model).values({"~fieldstamps-noop": "y"}))
        session.commit()
        changed = session.scalars(select(model.changes)).one()
    assert kept.get("~fieldstamps-noop", {}).get("value") == "x", kept
    assert changed.get("~fieldstamps-noop", {}).get("value") == "y", changed


def test_orm_update_copying_a_column_assigned_earlier_in_the_same_set(
    db: Engine,
) -> None:
    """The ORM form of the MariaDB left-to-right case: its statement carries
    annotated copies of the table's columns, which must still be recognised
    as reading the table (found by the model-based test)."""
    from sqlalchemy.orm import Session

    with Session(db, expire_on_commit=False) as session:
        user = User(id=1, name="spongebob", fullname="Spongebob")
        session.add(user)
        session.commit()
    before = read_user(db, 1)
    tick()
    with Session(db) as session:
        session.execute(
            update(User).where(User.id == 1).values(name="Sponge", fullname=User.name)
        )
        session.commit()
    after = read_user(db, 1)
    # Every database now gives the standard answer: fullname gets the old name.
    assert after.values == {"name": "Sponge", "fullname": "spongebob", "age": None}
    assert after.stored == after.values
    assert_wrote(before, after, {"name", "fullname"})
