""" "Rows whose field X changed since T" is an index lookup on every backend.

The plans are read with EXPLAIN. Two recipes, both documented in the README:
``changed_at(..., index=True)`` and ``updated_at_column(field)`` (a stored
generated column over ``changes``, which ``updated_at_of(field)`` then reads).
On PostgreSQL and SQLite an expression index on ``updated_at_of(field)``
works as well; MariaDB cannot index a JSON expression, hence the column.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, Index, Select, func, select, text
from sqlalchemy.exc import DBAPIError

from tests.models import Product, User
from tests.requirements import requires

_SINCE = dt.datetime(2999, 1, 1, tzinfo=dt.UTC)  # no row qualifies: pure lookup


def _sql(conn: Connection, stmt: Select[Any]) -> str:
    return str(stmt.compile(conn, compile_kwargs={"literal_binds": True}))


def _plan(conn: Connection, stmt: Select[Any]) -> str:
    """The plan as text that names the indexes it uses."""
    sql = _sql(conn, stmt)
    if requires.explain_query_plan(conn):
        rows = conn.execute(text("EXPLAIN QUERY PLAN " + sql)).all()
        return "\n".join(str(row[-1]) for row in rows)
    if requires.tabular_explain(conn):
        rows = conn.execute(text("EXPLAIN " + sql)).mappings().all()
        return "\n".join(f"type={row['type']} key={row['key']}" for row in rows)
    if requires.enable_seqscan(conn):
        # With a few test rows a sequential scan is cheaper; forbidding it
        # shows whether the index *can* answer the query, which is what is
        # asserted.
        conn.execute(text("SET LOCAL enable_seqscan = off"))
    return "\n".join(row[0] for row in conn.execute(text("EXPLAIN " + sql)))


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
        if requires.analyze_table(db):
            conn.execute(text("ANALYZE TABLE user_account, product"))
        elif not requires.vacuum(db):  # there VACUUM ANALYZE follows
            conn.execute(text("ANALYZE"))
    if requires.vacuum(db):
        # VACUUM, not just ANALYZE: earlier tests' updates leave broken HOT
        # chains, and an index built over those is invisible to the very
        # transaction that builds it (pg_index.indcheckxmin).
        with db.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE user_account, product"))
    return db


def test_changed_at_column_is_an_index_lookup(filled: Engine) -> None:
    stmt = select(func.count()).where(Product.price_changed_at >= _SINCE)
    with filled.begin() as conn:
        plan = _plan(conn, stmt)
        assert conn.execute(stmt).scalar() == 0
    assert "ix_product_price_changed_at" in plan, plan


def test_updated_at_column_makes_updated_at_of_an_index_lookup(filled: Engine) -> None:
    stmt = select(func.count()).where(User.updated_at_of("name") >= _SINCE)
    with filled.begin() as conn:
        plan = _plan(conn, stmt)
        assert conn.execute(stmt).scalar() == 0
    assert "ix_user_account_name_updated_at" in plan, plan


def test_expression_index_on_updated_at_of(filled: Engine) -> None:
    index = Index("ix_user_fullname_stamp", User.updated_at_of("fullname"))
    # Index() attaches itself to the shared table; keep create_all() clean.
    User.__table__.indexes.discard(index)
    stmt = select(func.count()).where(User.updated_at_of("fullname") >= _SINCE)
    if not requires.expression_index(filled):
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
            plan = _plan(conn, stmt)
            assert conn.execute(stmt).scalar() == 0
        finally:
            index.drop(conn)
    assert "ix_user_fullname_stamp" in plan, plan
