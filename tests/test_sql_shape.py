"""The UPDATE SQL names only the stamps the statement can move.

Not a timing test: SQLite rewrites index entries of every column a SET names,
so a stamp assigned to itself costs index maintenance on every row.
"""

from __future__ import annotations

from sqlalchemy import Engine, update

from tests.models import Product, User


def test_unassigned_fields_leave_their_stamps_out_of_the_set(engine: Engine) -> None:
    sql = str(update(User).values(age=3).compile(engine))
    set_clause = sql.split(" SET ", 1)[1].split(" WHERE ")[0]
    assert "name_changed_at=" not in set_clause  # name is not assigned
    assert "contact_changed_at=" in set_clause  # age is one of its fields
    assert "changes=" in set_clause

    sql = str(update(Product).values(title="x").compile(engine))
    assert "price_changed_at" not in sql
    # A write of untracked columns only leaves changes alone entirely.
    sql = str(update(User).values(name_changed_at=None).compile(engine))
    assert "changes=" not in sql


def test_assigned_fields_keep_their_stamps_in_the_set(engine: Engine) -> None:
    sql = str(update(User).values(name="x").compile(engine))
    assert "name_changed_at=CASE" in sql
    assert "contact_changed_at=" not in sql
