""" "Rows whose field X changed since T" is an index lookup on every backend.

The plans are read with EXPLAIN. Two recipes, both documented in the README:
``changed_at(..., index=True)`` and ``updated_at_column(field)`` (a stored
generated column over ``changes``, which ``updated_at_of(field)`` then reads).
On PostgreSQL and SQLite an expression index on ``updated_at_of(field)``
works as well; MariaDB cannot index a JSON expression, hence the column.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, Index, Select, func, select, text
from sqlalchemy.exc import DBAPIError

from tests.models import Product, User

_SINCE = dt.datetime(2999, 1, 1, tzinfo=dt.UTC)  # no row qualifies: pure lookup


def _sql(conn: Connection, stmt: Select[Any]) -> str:
    return str(stmt.compile(conn, compile_kwargs={"literal_binds": True}))


def _plan_sqlite(conn: Connection, stmt: Select[Any]) -> str:
    rows = conn.execute(text("EXPLAIN QUERY PLAN " + _sql(conn, stmt))).all()
    return "\n".join(str(row[-1]) for row in rows)


def _plan_postgresql(conn: Connection, stmt: Select[Any]) -> str:
    # With a few test rows a sequential scan is cheaper; forbidding it shows
    # whether the index *can* answer the query, which is what is asserted.
    conn.execute(text("SET LOCAL enable_seqscan = off"))
    rows = conn.execute(text("EXPLAIN " + _sql(conn, stmt))).all()
    return "\n".join(row[0] for row in rows)


def _plan_mariadb(conn: Connection, stmt: Select[Any]) -> str:
    rows = conn.execute(text("EXPLAIN " + _sql(conn, stmt))).mappings().all()
    return "\n".join(f"type={row['type']} key={row['key']}" for row in rows)


_PLANS: dict[str, Callable[[Connection, Select[Any]], str]] = {
    "sqlite": _plan_sqlite,
    "postgresql": _plan_postgresql,
    "mariadb": _plan_mariadb,
    "mysql": _plan_mariadb,
}


@pytest.fixture
def filled(db: Engine) -> Engine:
    with db.begin() as conn:
        conn.execute(
            User.__table__.insert(), [{"name": f"user{i}"} for i in range(300)]
        )
        conn.execute(
            Product.__table__.insert(),
            [{"title": f"p{i}", "price": Decimal(i)} for i in range(300)],
        )
        if db.dialect.name in ("mysql", "mariadb"):
            conn.execute(text("ANALYZE TABLE user_account, product"))
        elif db.dialect.name == "sqlite":
            conn.execute(text("ANALYZE"))
    if db.dialect.name == "postgresql":
        # VACUUM, not just ANALYZE: earlier tests' updates leave broken HOT
        # chains, and an index built over those is invisible to the very
        # transaction that builds it (pg_index.indcheckxmin).
        with db.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE user_account, product"))
    return db


def test_changed_at_column_is_an_index_lookup(filled: Engine) -> None:
    stmt = select(func.count()).where(Product.price_changed_at >= _SINCE)
    with filled.begin() as conn:
        plan = _PLANS[filled.dialect.name](conn, stmt)
        assert conn.execute(stmt).scalar() == 0
    assert "ix_product_price_changed_at" in plan, plan


def test_updated_at_column_makes_updated_at_of_an_index_lookup(filled: Engine) -> None:
    stmt = select(func.count()).where(User.updated_at_of("name") >= _SINCE)
    with filled.begin() as conn:
        plan = _PLANS[filled.dialect.name](conn, stmt)
        assert conn.execute(stmt).scalar() == 0
    assert "ix_user_account_name_updated_at" in plan, plan


def test_expression_index_on_updated_at_of(filled: Engine) -> None:
    index = Index("ix_user_fullname_stamp", User.updated_at_of("fullname"))
    # Index() attaches itself to the shared table; keep create_all() clean.
    User.__table__.indexes.discard(index)
    stmt = select(func.count()).where(User.updated_at_of("fullname") >= _SINCE)
    backend = filled.dialect.name
    if backend in ("mysql", "mariadb"):
        # Why updated_at_column() exists: no index on a JSON expression here.
        with filled.begin() as conn, pytest.raises(DBAPIError):
            index.create(conn)
        with filled.connect() as conn:  # the query itself works, as a scan
            assert conn.execute(stmt).scalar() == 0
        return
    with filled.begin() as conn:
        index.create(conn)
        try:
            conn.execute(text("ANALYZE"))
            plan = _PLANS[backend](conn, stmt)
            assert conn.execute(stmt).scalar() == 0
        finally:
            index.drop(conn)
    assert "ix_user_fullname_stamp" in plan, plan
