"""Faults: a connection killed before COMMIT, non-UTC session and process time
zones, and naive datetimes compared with stamps.

The writes under a fault (the killed connection, the session zone) run in
both modes (``model``: User or TriggeredUser). The rest is about the client
alone, the same code in both modes, and runs on User: the process zone (the
server computes every stamp; only reading them back could be shifted) and
naive datetimes (refused when a comparison is built or a value bound)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import (
    ColumnElement,
    Engine,
    bindparam,
    create_engine,
    event,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.orm import Session

from fieldstamps import NaiveDatetimeError, manual_stamps
from tests.backends import Backend
from tests.conftest import BACKENDS, backend_params, make_engine
from tests.models import Base, Everything, Product, User
from tests.requirements import requires
from tests.stamps import insert_user, read_user, tick

# Killing a connection takes a server; SQLite has none.
SERVERS = backend_params([backend for backend in BACKENDS if backend.is_server])
ROOT = Path(__file__).resolve().parent.parent


# -- 1. a connection killed between the UPDATE and COMMIT ----------------------


def _backend_id(conn: Any) -> int:
    sql = (
        "SELECT pg_backend_pid()"
        if requires.terminate_backend(conn)
        else "SELECT CONNECTION_ID()"
    )
    return int(conn.execute(text(sql)).scalar_one())


def _kill(admin: Engine, victim: int) -> None:
    with admin.connect() as conn:
        if requires.terminate_backend(conn):
            # Wait (up to 5 s) until the backend is gone, so COMMIT cannot
            # race the signal.
            killed = conn.execute(
                text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": victim}
            ).scalar_one()
            assert killed, victim
        else:
            conn.execute(text(f"KILL CONNECTION {victim:d}"))


def _update_via_flush(session: Session, model: Any, user_id: int) -> None:
    user = session.get_one(model, user_id)
    user.name = "Spongebob"
    user.age = 2
    session.flush()
    # The flush's stamps were reloaded inside the transaction: the write
    # really happened on the server before the kill.
    assert user.get_updated_at("name") == user.updated_at


def _update_via_statement(session: Session, model: Any, user_id: int) -> None:
    session.execute(
        update(model).where(model.id == user_id).values(name="Spongebob", age=2)
    )


@pytest.fixture(params=SERVERS)
def server(
    request: pytest.FixtureRequest, backend_urls: dict[str, str]
) -> Iterator[tuple[Backend, Engine, Engine]]:
    """(backend, an engine of its own with User's tables, an admin engine)."""
    backend = request.param
    url = backend_urls[backend.id]
    engine = make_engine(url, pool_size=2, max_overflow=0)
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    Base.metadata.create_all(engine)  # already there when `engine` ran first
    yield backend, engine, admin
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    engine.dispose()
    admin.dispose()


@pytest.mark.parametrize(
    "write",
    [_update_via_flush, _update_via_statement],
    ids=["orm_flush", "orm_update"],
)
def test_killed_connection_leaves_row_and_stamps_unchanged(
    server: tuple[Backend, Engine, Engine],
    model: Any,
    write: Callable[[Session, Any, int], None],
) -> None:
    _, engine, admin = server
    user_id = insert_user(engine, model, fullname="S S")
    before = read_user(engine, user_id, model)
    tick()
    with Session(engine) as session:
        victim = _backend_id(session.connection())
        write(session, model, user_id)
        _kill(admin, victim)
        with pytest.raises(DBAPIError) as failure:
            session.commit()
        # SQLAlchemy recognised the disconnect and dropped the connection,
        # so the pool will not hand it out again.
        assert failure.value.connection_invalidated, failure.value
    assert read_user(engine, user_id, model) == before

    # The same engine's pool serves a working connection, and stamping works.
    tick()
    with Session(engine) as session:
        assert _backend_id(session.connection()) != victim
        session.get_one(model, user_id).age = 3
        session.commit()
    after = read_user(engine, user_id, model)
    assert after.values == {**before.values, "age": 3}
    assert after.stamps["age"] == after.updated_at > before.updated_at
    assert after.stamps["name"] == before.stamps["name"]


def test_pool_pre_ping_replaces_a_killed_idle_connection(
    server: tuple[Backend, Engine, Engine], backend_urls: dict[str, str]
) -> None:
    backend, _, admin = server
    engine = make_engine(
        backend_urls[backend.id], pool_size=1, max_overflow=0, pool_pre_ping=True
    )
    try:
        with engine.connect() as conn:
            victim = _backend_id(conn)
        _kill(admin, victim)  # the pooled, idle connection dies
        user_id = insert_user(engine, fullname="S S")
        with engine.connect() as conn:
            assert _backend_id(conn) != victim
        assert read_user(engine, user_id).stamps["name"] is not None
    finally:
        engine.dispose()


# -- 2. time zones: session zone and process TZ --------------------------------


def _zone_statement(engine: Engine) -> str | None:
    """The statement giving a connection a session zone far from UTC."""
    if not requires.session_time_zone(engine):
        return None
    if requires.time_zone_variable(engine):
        return "SET time_zone = '+05:00'"
    return "SET TIME ZONE 'America/New_York'"


def _zoned_engine(url: str) -> Engine:
    """An engine whose every connection runs in a non-UTC session zone."""
    engine = create_engine(url)
    statement = _zone_statement(engine)  # connects: the server tells its kind
    if statement is not None:

        @event.listens_for(engine, "connect")
        def _set_zone(dbapi_conn: Any, record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute(statement)
            cursor.close()
            dbapi_conn.commit()

        engine.dispose()  # the connection made before the listener existed
    return engine


def _session_zone(engine: Engine) -> str:
    sql = (
        "SELECT @@session.time_zone"
        if requires.time_zone_variable(engine)
        else "SHOW TIME ZONE"
    )
    with engine.connect() as conn:
        return str(conn.execute(text(sql)).scalar_one())


def _stamps_of(engine: Engine, user_id: int, model: Any = User) -> dict[str, Any]:
    """Every stamp of the row as aware UTC datetimes, read through ``engine``."""
    with Session(engine) as session:
        user = session.get_one(model, user_id)
        return {
            "created_at": user.created_at,
            "updated_at": user.updated_at,
            "name_changed_at": user.name_changed_at,
            "contact_changed_at": user.contact_changed_at,
            **{f"changes.{key}": user.get_updated_at(key) for key in ("name", "age")},
            "name_updated_at": user.name_updated_at,
        }


def _assert_utc_and_within(
    stamps: dict[str, Any], earliest: dt.datetime, latest: dt.datetime
) -> None:
    slack = dt.timedelta(milliseconds=5)
    for key, stamp in stamps.items():
        assert isinstance(stamp, dt.datetime), key
        assert stamp.utcoffset() == dt.timedelta(0), (key, stamp)
        # A stamp shifted by the session's offset would be hours away.
        assert earliest - slack <= stamp <= latest + slack, (key, stamp)


def test_session_time_zone_does_not_shift_stamps(db: Engine, model: Any) -> None:
    zoned = _zoned_engine(db.url.render_as_string(hide_password=False))
    try:
        if requires.session_time_zone(db):
            assert _session_zone(zoned) in ("America/New_York", "+05:00")
        earliest = dt.datetime.now(dt.UTC)
        user_id = insert_user(zoned, model, fullname="S S")
        tick()
        with Session(zoned) as session:  # ORM flush
            session.get_one(model, user_id).name = "Spongebob"
            session.commit()
        with zoned.begin() as conn:  # Core
            conn.execute(
                update(model.__table__)
                .where(model.__table__.c.id == user_id)
                .values(age=7)
            )
        latest = dt.datetime.now(dt.UTC)

        seen_zoned = _stamps_of(zoned, user_id, model)
        seen_utc = _stamps_of(db, user_id, model)
        assert seen_zoned == seen_utc
        _assert_utc_and_within(seen_utc, earliest, latest)
        # And the changes text agrees with the typed columns to the microsecond.
        assert seen_utc["changes.name"] == seen_utc["name_changed_at"]
        assert seen_utc["changes.age"] == seen_utc["updated_at"]

        # A filter built in the zoned session finds the row by its UTC instant.
        stamp = seen_utc["updated_at"]
        with zoned.connect() as conn:
            found = conn.execute(
                select(model.id).where(
                    model.updated_at == stamp.astimezone(ZoneInfo("Asia/Tokyo")),
                    model.updated_at_of("age") == stamp,
                )
            ).all()
        assert found == [(user_id,)]
    finally:
        zoned.dispose()


_CHILD = textwrap.dedent(
    """
    import datetime as dt, json, os, sys, time
    time.tzset()
    assert time.localtime().tm_gmtoff != 0, "TZ did not take"
    from sqlalchemy import update
    from sqlalchemy.orm import Session
    from tests.models import User
    from tests.test_faults import _zoned_engine

    engine = _zoned_engine(os.environ["URL"])
    earliest = time.time()
    with Session(engine) as session:
        user = User(name="spongebob", fullname="S S", age=1)
        session.add(user)
        session.commit()
        user_id = user.id
    time.sleep(0.003)
    with Session(engine) as session:
        session.execute(update(User).where(User.id == user_id).values(name="Bob"))
        session.commit()
    with Session(engine) as session:
        user = session.get_one(User, user_id)
        stamps = {
            "created_at": user.created_at,
            "updated_at": user.updated_at,
            "name_changed_at": user.name_changed_at,
            "contact_changed_at": user.contact_changed_at,
            "changes.name": user.get_updated_at("name"),
            "changes.age": user.get_updated_at("age"),
            "name_updated_at": user.name_updated_at,
        }
    json.dump(
        {
            "id": user_id,
            "earliest": earliest,
            "latest": time.time(),
            "stamps": {k: v.isoformat() for k, v in stamps.items()},
        },
        sys.stdout,
    )
    """
)


@pytest.mark.parametrize("tz", ["Asia/Kolkata", "America/New_York"])
def test_process_tz_does_not_shift_stamps(db: Engine, tz: str) -> None:
    env = {
        **os.environ,
        "TZ": tz,
        # The child also sets a non-UTC session zone, as the server allows.
        "URL": db.url.render_as_string(hide_password=False),
        "PYTHONPATH": str(ROOT),
    }
    child = subprocess.run(
        [sys.executable, "-c", _CHILD],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert child.returncode == 0, child.stderr
    report = json.loads(child.stdout)
    seen_child = {
        key: dt.datetime.fromisoformat(value) for key, value in report["stamps"].items()
    }
    # Identical instants, printed with +00:00 by a process whose local zone
    # is hours away from UTC.
    assert all(value.endswith("+00:00") for value in report["stamps"].values())
    assert _stamps_of(db, report["id"]) == seen_child
    _assert_utc_and_within(
        seen_child,
        dt.datetime.fromtimestamp(report["earliest"], dt.UTC),
        dt.datetime.fromtimestamp(report["latest"], dt.UTC),
    )


# -- 3. naive datetimes are refused in every stamp comparison ------------------

NAIVE = dt.datetime(2024, 1, 2, 3, 4, 5, 678000)
AWARE = NAIVE.replace(tzinfo=dt.UTC)

# Every kind of stamp expression: TimestampMixin columns, changed_at()
# columns (with and without ChangeTrackingMixin), updated_at_of() reading the
# changes JSON and reading an updated_at_column() mirror.
STAMP_EXPRESSIONS: dict[str, Callable[[], ColumnElement[Any]]] = {
    "created_at": lambda: User.created_at,
    "updated_at": lambda: User.updated_at,
    "changed_at": lambda: User.name_changed_at,
    "changed_at_two_fields": lambda: User.contact_changed_at,
    "changed_at_no_mixin": lambda: Product.price_changed_at,
    "updated_at_of_json": lambda: User.updated_at_of("age"),
    "updated_at_of_mirror": lambda: User.updated_at_of("name"),
    "updated_at_of_no_timestamps": lambda: Everything.updated_at_of("text"),
}

COMPARISONS: dict[str, Callable[[Any], Any]] = {
    "eq": lambda e: e == NAIVE,
    "ne": lambda e: e != NAIVE,
    "lt": lambda e: e < NAIVE,
    "le": lambda e: e <= NAIVE,
    "gt": lambda e: e > NAIVE,
    "ge": lambda e: e >= NAIVE,
    "reflected": lambda e: NAIVE < e,  # noqa: SIM300 - the reflected operator
    "in_": lambda e: e.in_([NAIVE]),
    "in_mixed": lambda e: e.in_([AWARE, NAIVE]),
    "not_in": lambda e: e.not_in([AWARE, NAIVE]),
    "between_low": lambda e: e.between(NAIVE, AWARE),
    "between_high": lambda e: e.between(AWARE, NAIVE),
    "is_not_distinct_from": lambda e: e.is_not_distinct_from(NAIVE),
}


@pytest.mark.parametrize("comparison", list(COMPARISONS))
@pytest.mark.parametrize("expression", list(STAMP_EXPRESSIONS))
def test_naive_datetime_is_refused_when_the_expression_is_built(
    expression: str, comparison: str
) -> None:
    column = STAMP_EXPRESSIONS[expression]()
    with pytest.raises(NaiveDatetimeError, match="naive datetime") as refused:
        COMPARISONS[comparison](column)
    # Also a TypeError, and the message says how to fix it.
    assert isinstance(refused.value, TypeError)
    assert "aware datetime" in str(refused.value)


@pytest.mark.parametrize("expression", list(STAMP_EXPRESSIONS))
def test_naive_datetime_bound_at_execution_is_refused(
    db: Engine, expression: str
) -> None:
    """A naive value arriving only at execution time (``bindparam``) fails as
    the statement runs, with NaiveDatetimeError as the cause; never shifted."""
    column = STAMP_EXPRESSIONS[expression]()
    stmt = select(column).where(column > bindparam("since", type_=column.type))
    with db.connect() as conn, pytest.raises(StatementError) as refused:
        conn.execute(stmt, {"since": NAIVE})
    assert isinstance(refused.value.orig, NaiveDatetimeError)


def test_naive_datetime_written_to_a_stamp_column_is_refused(db: Engine) -> None:
    user_id = insert_user(db, fullname="S S")
    before = read_user(db, user_id)
    # Only manual_stamps() lets a write name a stamp column at all; even then
    # a naive datetime's zone would be a guess.
    with (
        manual_stamps(),
        db.begin() as conn,
        pytest.raises(StatementError) as refused,
    ):
        conn.execute(
            update(User.__table__)
            .where(User.__table__.c.id == user_id)
            .values(name_changed_at=NAIVE)
        )
    assert isinstance(refused.value.orig, NaiveDatetimeError)
    assert read_user(db, user_id) == before


ZONES = ["Asia/Kolkata", "America/New_York", "Pacific/Chatham"]


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize(
    "expression", [key for key in STAMP_EXPRESSIONS if "no_" not in key]
)
def test_aware_non_utc_datetime_compares_as_its_instant(
    db: Engine, expression: str, zone: str
) -> None:
    user_id = insert_user(db, fullname="S S")
    tick()
    with Session(db) as session:
        session.execute(
            update(User).where(User.id == user_id).values(name="Bob", age=2)
        )
        session.commit()
    column = STAMP_EXPRESSIONS[expression]()
    with db.connect() as conn:
        stamp = conn.execute(select(column).where(User.id == user_id)).scalar_one()
    assert stamp is not None and stamp.utcoffset() == dt.timedelta(0)
    local = stamp.astimezone(ZoneInfo(zone))
    micro = dt.timedelta(microseconds=1)
    # The silent shift a naive reading would make: same wall time, read as UTC.
    shifted = local.replace(tzinfo=dt.UTC)
    assert shifted != stamp

    def ids(*conditions: Any) -> list[int]:
        with db.connect() as conn:
            query = select(User.id).where(User.id == user_id, *conditions)
            return list(conn.scalars(query))

    assert ids(column == local) == [user_id]
    assert ids(column != local) == []
    assert ids(column >= local, column <= local) == [user_id]
    assert ids(column > local) == []
    assert ids(column < local + micro * 1000) == [user_id]
    assert ids(column.between(local - micro * 1000, local + micro * 1000)) == [user_id]
    assert ids(column.in_([shifted, local])) == [user_id]
    assert ids(column == shifted) == []
    assert ids(column.between(shifted - micro, shifted + micro)) == []
