"""A stamp column holding what is no instant (a zero date) is reported as
such, naming table and column, never as an AttributeError deep in a load."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from fieldstamps import UnreadableStampError
from tests.models import User
from tests.requirements import requires

ZERO = "0000-00-00 00:00:00"


def test_a_zero_date_reads_as_a_clear_error(db: Engine) -> None:
    try:
        with db.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO user_account (id, name, created_at, updated_at) "
                    "VALUES (1, 'x', :zero, :zero)"
                ),
                {"zero": ZERO},
            )
    except DBAPIError:
        assert not requires.stores_zero_dates(db)  # PostgreSQL refuses it
        return
    assert requires.stores_zero_dates(db)
    with (
        Session(db) as session,
        pytest.raises(
            UnreadableStampError, match=r"user_account\.created_at holds '0000-00-00"
        ) as caught,
    ):
        session.get(User, 1)
    assert caught.value.column == "user_account.created_at"
    with db.connect() as conn, pytest.raises(UnreadableStampError):
        conn.execute(select(User.updated_at)).all()


@pytest.mark.parametrize(
    ("dialect_name", "stored"),
    [
        ("sqlite", "2026-11-30 10:40:01.123000"),
        ("sqlite", "2026-11-30 10:40:01"),
        ("sqlite", "2026-11-30"),
        ("sqlite", "not a date"),
        ("sqlite", ZERO),
        ("mysql", dt.datetime(2026, 11, 30, 10, 40, 1, 123000)),
        ("mysql", ZERO),
        (
            "postgresql",
            dt.datetime(
                2026, 11, 30, 12, 40, 1, tzinfo=dt.timezone(dt.timedelta(hours=2))
            ),
        ),
        ("postgresql", dt.datetime(2026, 11, 30, 10, 40, 1, tzinfo=dt.UTC)),
    ],
)
def test_each_form_a_driver_returns_loads_as_the_generic_path_does(
    dialect_name: str, stored: object
) -> None:
    # The loader reads common forms on a short path: the same aware UTC
    # instant, or the same error, as SQLAlchemy's processor followed by the
    # type's process_result_value.
    from sqlalchemy.dialects import mysql, postgresql, sqlite
    from sqlalchemy.types import TypeDecorator

    from fieldstamps import UTCDateTime

    dialect = {"sqlite": sqlite, "mysql": mysql, "postgresql": postgresql}[
        dialect_name
    ].dialect()
    stamp = UTCDateTime()
    stamp.column_label = "t.c"
    adapted = stamp.dialect_impl(dialect)
    fast = adapted.result_processor(dialect, None)
    generic = TypeDecorator.result_processor(adapted, dialect, None)

    def outcome(read: Any) -> object:
        try:
            return read(stored)
        except (UnreadableStampError, ValueError, TypeError) as exc:
            return type(exc)

    expected = outcome(generic)
    got = outcome(fast)
    if isinstance(expected, dt.datetime):
        assert got == expected and got.tzinfo is dt.UTC  # type: ignore[union-attr]
    else:
        assert got is UnreadableStampError
