"""A stamp column holding what is no instant (a zero date) is reported as
such, naming table and column, never as an AttributeError deep in a load."""

from __future__ import annotations

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
