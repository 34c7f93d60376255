"""fieldstamps' process-wide hooks live beside other libraries' and the
class's own choices: an earlier ``@compiles(Update)`` keeps running, an
explicit ``eager_defaults`` stands, and UPDATEs name no stamp they cannot
move."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import Engine, String, event, inspect, update
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from fieldstamps import ChangeTrackingMixin, TimestampMixin, changed_at
from tests.models import both_modes
from tests.requirements import requires
from tests.stamps import tick

ROOT = Path(__file__).resolve().parents[1]

# Another library's hooks, registered before fieldstamps is imported: one for
# every dialect, one for PostgreSQL only.
_EARLIER_HOOKS = """
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.dml import Update

@compiles(Update)
def _audit_comment(element, compiler, **kw):
    return "/* audited */ " + compiler.visit_update(element, **kw)

@compiles(Update, "postgresql")
def _pg_comment(element, compiler, **kw):
    return "/* pg */ " + compiler.visit_update(element, **kw)
"""

_THEN_FIELDSTAMPS = """
import datetime as dt
import fieldstamps
from sqlalchemy import String, create_engine, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

class Base(DeclarativeBase):
    pass

class User(fieldstamps.TimestampMixin, fieldstamps.ChangeTrackingMixin, Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30))
    nick: Mapped[str | None] = mapped_column(String(30))
    name_changed_at: Mapped[dt.datetime | None] = fieldstamps.changed_at("name")

stmt = update(User).values(nick="b")
print(stmt.compile(dialect=postgresql.dialect()))
engine = create_engine("sqlite://")
Base.metadata.create_all(engine)
with Session(engine) as session:
    session.add(User(id=1, name="a"))
    session.commit()
    session.execute(update(User).values(name="b"))
    session.commit()
    user = session.get(User, 1)
    print(user.get_updated_at("name") == user.updated_at == user.name_changed_at)
"""


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_an_earlier_update_hook_keeps_running() -> None:
    result = _run(_EARLIER_HOOKS + _THEN_FIELDSTAMPS)
    assert result.returncode == 0, result.stderr
    pg_sql, stamped = result.stdout.strip().splitlines()[-2:]
    # Both earlier hooks ran on PostgreSQL (the dialect-specific one, which
    # @compiles prefers), and fieldstamps' own rule too: the stamp of the
    # unassigned name is not in the SET.
    assert pg_sql.startswith("/* pg */ UPDATE users SET")
    assert "name_changed_at" not in pg_sql
    assert "changes=" in pg_sql
    # On SQLite the generic hook ran, and the stamps were written.
    assert stamped == "True"


def test_the_generic_earlier_hook_runs_on_sqlite() -> None:
    code = _EARLIER_HOOKS + textwrap.dedent("""
        import fieldstamps
        from sqlalchemy import Column, Integer, MetaData, Table, update
        from sqlalchemy.dialects import sqlite
        table = Table("t", MetaData(), Column("id", Integer, primary_key=True))
        print(update(table).values(id=2).compile(dialect=sqlite.dialect()))
    """)
    result = _run(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("/* audited */ UPDATE t SET id=?")


class Base(DeclarativeBase):
    pass


class EagerColumns:
    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012

    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(String(50))


# In both modes: stamps compiled into the INSERT, or computed by triggers.
EAGER = both_modes(
    "Eager", (EagerColumns, TimestampMixin, ChangeTrackingMixin, Base), "eager_note"
)
Eager = EAGER["sql"]


class Lazy(TimestampMixin, ChangeTrackingMixin, Base):
    __tablename__ = "lazy_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(String(50))


def test_an_explicit_eager_defaults_stands() -> None:
    assert inspect(Eager).eager_defaults is True
    # Left to fieldstamps: stamps are reloaded after the flush instead.
    assert inspect(Lazy).eager_defaults is False


# In trigger mode on SQLite, RETURNING gives the row before the AFTER trigger
# stamps it: the stamps are read again after the flush.
def test_eager_defaults_loads_stamps_with_the_insert(db: Engine, mode: str) -> None:
    eager = EAGER[mode]
    Base.metadata.create_all(db)
    statements: list[str] = []

    def record(conn: object, cursor: object, sql: str, *args: object) -> None:
        statements.append(sql)

    event.listen(db, "before_cursor_execute", record)
    try:
        with Session(db) as session:
            note = eager(id=1, body="a")
            session.add(note)
            session.flush()
            inserts = [sql for sql in statements if sql.startswith("INSERT")]
            assert note.updated_at == note.created_at
            assert note.get_updated_at("body") == note.updated_at
            assert note.changes is not None
            reads_again = (
                mode == "triggers" and requires.returning_precedes_after_triggers(db)
            )
            if db.dialect.insert_returning:
                # The stamps came back with the INSERT: no SELECT of ours,
                # unless they were returned before the triggers wrote them.
                assert "RETURNING" in inserts[0]
                selects = [s for s in statements if s.startswith("SELECT")]
                assert bool(selects) == reads_again
            session.commit()
            tick()
            note.body = "b"  # a new transaction: PostgreSQL's now() moves
            session.flush()
            assert note.changes["body"]["value"] == "b"
            assert note.get_updated_at("body") == note.updated_at > note.created_at
            session.commit()
    finally:
        event.remove(db, "before_cursor_execute", record)
        Base.metadata.drop_all(db)


class Versioned(ChangeTrackingMixin, Base):
    """No TimestampMixin; ``note`` is not tracked."""

    __tablename__ = "versioned"
    __fieldstamps__ = {"exclude": ["note"]}  # noqa: RUF012

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(String(20))
    value_changed_at = changed_at("value")


@pytest.mark.parametrize(
    "dialect",
    [
        postgresql.dialect(),
        sqlite.dialect(),
        mysql.dialect(),
        mysql.dialect(is_mariadb=True),
    ],
    ids=["postgresql", "sqlite", "mysql", "mariadb"],
)
def test_an_update_of_untracked_columns_names_no_stamp(dialect: Dialect) -> None:
    # The no-op stamp is the last SET item here, after the assigned column.
    sql = str(update(Versioned).values(note=None).compile(dialect=dialect))
    assert "changes" not in sql
    assert "value_changed_at" not in sql
    sql = str(update(Versioned).values(value="x").compile(dialect=dialect))
    assert "changes=" in sql and "value_changed_at=" in sql
