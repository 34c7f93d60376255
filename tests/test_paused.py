"""fieldstamps.paused(): writes inside the block change values but move no
stamp, ``changes`` values still follow the columns; in SQL and trigger mode,
sync and async, only for the block's own session or connection, and never
beyond the block (not on the pooled connection, not after an exception)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlalchemy.orm import Session

import fieldstamps
from fieldstamps import PauseError
from tests.models import TriggeredUser
from tests.requirements import requires
from tests.stamps import (
    TRACKED,
    UserStamps,
    assert_wrote,
    insert_user,
    read_user,
    tick,
    upsert_statement,
)


def assert_kept(before: UserStamps, after: UserStamps, changed: set[str]) -> None:
    """``after`` is a paused write later than ``before`` that changed exactly
    ``changed``: values and ``changes`` values moved, no stamp did."""
    assert after.updated_at == before.updated_at
    assert after.created_at == before.created_at
    assert after.name_changed_at == before.name_changed_at
    assert after.contact_changed_at == before.contact_changed_at
    for key in TRACKED:
        assert after.stamps[key] == before.stamps[key], key
        assert after.stored[key] == after.values[key], key
        assert (after.values[key] != before.values[key]) == (key in changed), key


def _setup(db: Engine, model: Any) -> tuple[int, UserStamps]:
    user_id = insert_user(db, model)
    tick()
    return user_id, read_user(db, user_id, model)


def test_orm_core_bulk_and_upsert_writes_move_no_stamp(db: Engine, model: Any) -> None:
    user_id, before = _setup(db, model)
    with Session(db) as session, fieldstamps.paused(session):
        user = session.get_one(model, user_id)
        user.name = "Patrick"
        session.flush()
        session.execute(update(model).where(model.id == user_id).values(age=7))
        session.execute(update(model), [{"id": user_id, "fullname": "Star"}])
        session.commit()
    after = read_user(db, user_id, model)
    assert_kept(before, after, {"name", "age", "fullname"})

    # An upsert's UPDATE branch is paused too; a new row is stamped as usual.
    with db.connect() as conn, fieldstamps.paused(conn):
        conn.execute(upsert_statement(db, model, id=user_id, name="Squidward"))
        conn.commit()
    upserted = read_user(db, user_id, model)
    assert_kept(after, upserted, {"name"})
    with Session(db) as session, fieldstamps.paused(session):
        fresh = model(name="Sandy")
        session.add(fresh)
        session.commit()
        assert fresh.created_at == fresh.updated_at == fresh.name_changed_at
        assert fresh.get_updated_at("name") == fresh.created_at


def test_the_next_write_after_the_block_is_stamped(db: Engine, model: Any) -> None:
    user_id, before = _setup(db, model)
    with Session(db) as session:
        with fieldstamps.paused(session):
            session.get_one(model, user_id).name = "Patrick"
            session.flush()
        # Same transaction, same connection: stamped again at once.
        tick()
        session.get_one(model, user_id).age = 9
        session.commit()
    after = read_user(db, user_id, model)
    assert after.values["name"] == "Patrick"
    assert after.stamps["name"] == before.stamps["name"]
    assert after.stamps["age"] == after.updated_at > before.updated_at


def test_a_block_spans_the_commits_inside_it(db: Engine, model: Any) -> None:
    user_id, before = _setup(db, model)
    with Session(db) as session, fieldstamps.paused(session):
        session.get_one(model, user_id).name = "Patrick"
        session.commit()
        session.get_one(model, user_id).age = 3
        session.commit()
    assert_kept(before, read_user(db, user_id, model), {"name", "age"})


def test_a_block_entered_inside_a_transaction_it_commits(
    db: Engine, model: Any
) -> None:
    # The block's first transaction is already open (the object was loaded
    # before it): the commit inside ends that transaction's connection, and
    # leaving the block must not trip over it.
    user_id, before = _setup(db, model)
    with Session(db) as session:
        user = session.get_one(model, user_id)
        with fieldstamps.paused(session):
            user.name = "Patrick"
            session.commit()
            user.age = 3
            session.commit()
    assert_kept(before, read_user(db, user_id, model), {"name", "age"})


def test_an_exception_ends_the_pause_inside_an_open_transaction(
    db: Engine, model: Any
) -> None:
    user_id, before = _setup(db, model)
    with db.connect() as conn:
        with pytest.raises(RuntimeError), fieldstamps.paused(conn):
            conn.execute(update(model).where(model.id == user_id).values(age=5))
            raise RuntimeError("a data fix gone wrong")
        assert conn.in_transaction()
        tick()
        conn.execute(update(model).where(model.id == user_id).values(name="Gary"))
        conn.commit()
    after = read_user(db, user_id, model)
    assert after.stamps["age"] == before.stamps["age"]
    assert after.stored["age"] == after.values["age"] == 5
    assert after.stamps["name"] == after.updated_at > before.updated_at


def test_a_savepoint_rolled_back_keeps_the_block_paused(db: Engine, model: Any) -> None:
    user_id, before = _setup(db, model)
    with Session(db) as session, fieldstamps.paused(session):
        session.get_one(model, user_id)  # begins the transaction
        nested = session.begin_nested()
        session.get_one(model, user_id).fullname = "rolled back"
        session.flush()
        nested.rollback()
        session.get_one(model, user_id).name = "Patrick"
        session.commit()
    assert_kept(before, read_user(db, user_id, model), {"name"})


def test_never_leaks_to_the_next_user_of_a_pooled_connection(
    db: Engine, model: Any
) -> None:
    # One pooled connection: whoever writes next gets the same one.
    engine = create_engine(db.url, pool_size=1, max_overflow=0)
    try:
        user_id, before = _setup(engine, model)
        with Session(engine) as session, fieldstamps.paused(session):
            session.get_one(model, user_id).name = "Patrick"
            session.commit()
            session.close()  # the connection goes back while the block is open
            with Session(engine) as other:
                tick()
                other.get_one(model, user_id).age = 11
                other.commit()
        after = read_user(engine, user_id, model)
        assert after.stamps["name"] == before.stamps["name"]
        assert after.stamps["age"] == after.updated_at > before.updated_at
    finally:
        engine.dispose()


def test_other_connections_are_stamped_meanwhile(
    db: Engine, model: Any, backend: Any
) -> None:
    first, before_first = _setup(db, model)
    second, before_second = _setup(db, model)

    def write_second(age: int) -> None:
        with db.connect() as other:
            other.execute(update(model).where(model.id == second).values(age=age))
            other.commit()

    with db.connect() as paused_conn, fieldstamps.paused(paused_conn):
        paused_conn.execute(update(model).where(model.id == first).values(age=41))
        if not requires.single_writer(backend):
            write_second(2)  # while the paused transaction is open
            after_second = read_user(db, second, model)
            assert_wrote(before_second, after_second, {"age"})
            before_second = after_second
            tick()
        paused_conn.commit()
        write_second(3)  # after its commit, the block still open
    assert_kept(before_first, read_user(db, first, model), {"age"})
    assert_wrote(before_second, read_user(db, second, model), {"age"})


def test_raw_sql_inside_the_block_is_paused_by_the_triggers(db: Engine) -> None:
    user_id, before = _setup(db, TriggeredUser)
    table = TriggeredUser.__table__.name
    with db.connect() as conn, fieldstamps.paused(conn):
        conn.execute(text(f"UPDATE {table} SET name = 'Plankton' WHERE id = {user_id}"))
        conn.exec_driver_sql(f"UPDATE {table} SET age = 70 WHERE id = {user_id}")
        conn.commit()
    assert_kept(before, read_user(db, user_id, TriggeredUser), {"name", "age"})


async def test_async_session_and_connection(
    db: Engine, async_engine: AsyncEngine, model: Any
) -> None:
    user_id, before = _setup(db, model)
    try:
        async with async_sessionmaker(async_engine)() as session:
            async with fieldstamps.paused(session):
                user = await session.get_one(model, user_id)
                user.name = "Patrick"
                await session.commit()
            with (
                pytest.raises(PauseError, match="async with"),
                fieldstamps.paused(session),
            ):
                pass
        async with async_engine.connect() as conn:
            async with fieldstamps.paused(conn):
                await conn.execute(
                    update(model).where(model.id == user_id).values(age=4)
                )
            await conn.commit()
        assert_kept(before, read_user(db, user_id, model), {"name", "age"})
    finally:
        await async_engine.dispose()


def test_bad_targets_are_named(db: Engine) -> None:
    with pytest.raises(PauseError, match=r"takes a Session.*not 42"):
        fieldstamps.paused(42)  # type: ignore[arg-type]
    with Session(db) as session:
        pause = fieldstamps.paused(session)
        with pause, pytest.raises(PauseError, match="entered twice"), pause:
            pass


def test_importing_fieldstamps_needs_no_greenlet() -> None:
    # An application without async code may not have greenlet, which
    # sqlalchemy.ext.asyncio requires: paused() must not import it.
    code = (
        "import sys; sys.modules['greenlet'] = None\n"
        "import fieldstamps, sqlalchemy\n"
        "from sqlalchemy.orm import Session\n"
        "with fieldstamps.paused(Session(sqlalchemy.create_engine('sqlite://'))):\n"
        "    pass\n"
        "print('ok')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.stdout.strip() == "ok", result.stderr
