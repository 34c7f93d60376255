"""Database-enforced capture ({"triggers": True}): writes that bypass
SQLAlchemy entirely, through the DB-API driver on a connection of their own,
are stamped exactly as SQLAlchemy's compiled stamps stamp its writes; and
SQLAlchemy's own writes leave the work to the triggers."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import (
    Engine,
    ForeignKey,
    Integer,
    String,
    create_mock_engine,
    make_url,
    select,
    text,
    update,
)
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

import fieldstamps
from fieldstamps import (
    ChangeTrackingMixin,
    ConfigurationError,
    TimestampMixin,
    UnsupportedDatabaseError,
    changed_at,
    trigger_ddl,
    updated_at_column,
)
from tests.conftest import _scratch_database, make_engine
from tests.requirements import requires
from tests.stamps import raw_sql


class Base(DeclarativeBase):
    pass


class Note(TimestampMixin, ChangeTrackingMixin, Base):
    __tablename__ = "trigger_note"
    __fieldstamps__ = {"triggers": True}  # noqa: RUF012

    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(String(100))
    n: Mapped[int | None] = mapped_column(Integer)
    body_changed_at: Mapped[dt.datetime | None] = changed_at("body")
    body_updated_at: Mapped[dt.datetime | None] = updated_at_column("body")


class Price(Base):
    """changed_at() alone, no mixin, asks for triggers too."""

    __tablename__ = "trigger_price"
    __fieldstamps__ = {"triggers": True}  # noqa: RUF012

    id: Mapped[int] = mapped_column(primary_key=True)
    amount: Mapped[int] = mapped_column(Integer)
    amount_changed_at: Mapped[dt.datetime | None] = changed_at("amount")


@pytest.fixture
def notes(db: Engine) -> Iterator[Engine]:
    Base.metadata.drop_all(db)
    Base.metadata.create_all(db)
    yield db
    Base.metadata.drop_all(db)


def _row(db: Engine, row_id: int = 1) -> Any:
    with Session(db) as session:
        note = session.get_one(Note, row_id)
        session.expunge(note)
        return note


def _tick() -> None:
    time.sleep(0.005)  # SQLite's clock counts milliseconds


def test_raw_inserts_and_updates_are_stamped(notes: Engine) -> None:
    raw_sql(notes, "INSERT INTO trigger_note (id, body, n) VALUES (1, 'a', 1)")
    inserted = _row(notes)
    assert inserted.created_at == inserted.updated_at
    for key in ("body", "n"):
        assert inserted.get_updated_at(key) == inserted.created_at, key
    assert inserted.changes["body"]["value"] == "a"
    assert inserted.changes["n"]["value"] == 1
    assert inserted.body_changed_at == inserted.body_updated_at == inserted.created_at

    _tick()
    raw_sql(notes, "UPDATE trigger_note SET body = 'B' WHERE id = 1")
    renamed = _row(notes)
    assert renamed.updated_at > inserted.updated_at
    # One instant for the statement, in every stamp it moves.
    assert renamed.get_updated_at("body") == renamed.updated_at
    assert renamed.body_changed_at == renamed.body_updated_at == renamed.updated_at
    assert renamed.changes["body"]["value"] == "B"
    assert renamed.get_updated_at("n") == inserted.created_at
    assert renamed.created_at == inserted.created_at

    _tick()
    raw_sql(notes, "UPDATE trigger_note SET body = 'B', n = NULL WHERE id = 1")
    again = _row(notes)
    # The same value again is no change; value -> NULL is one.
    assert again.get_updated_at("body") == renamed.get_updated_at("body")
    assert again.get_updated_at("n") == again.updated_at > renamed.updated_at
    assert again.changes["n"]["value"] is None


def test_a_rolled_back_raw_write_leaves_the_stamps(notes: Engine) -> None:
    raw_sql(notes, "INSERT INTO trigger_note (id, body) VALUES (1, 'a')")
    before = _row(notes)
    _tick()
    raw_sql(notes, "UPDATE trigger_note SET body = 'z' WHERE id = 1", commit=False)
    after = _row(notes)
    assert (after.body, after.changes, after.updated_at) == (
        before.body,
        before.changes,
        before.updated_at,
    )


def test_stamps_a_raw_writer_forges_are_replaced(notes: Engine) -> None:
    raw_sql(notes, "INSERT INTO trigger_note (id, body) VALUES (1, 'a')")
    _tick()
    # With a change of the row's own columns: replaced on every database
    # (SQLite's trigger fires for writes of the table's own columns).
    raw_sql(
        notes,
        "UPDATE trigger_note SET body = 'b', created_at = '2000-01-01 00:00:00', "
        "updated_at = '2000-01-01 00:00:00' WHERE id = 1",
    )
    row = _row(notes)
    assert row.created_at.year > 2000
    assert row.updated_at == row.get_updated_at("body") > row.created_at


def test_sqlalchemy_writes_leave_the_stamps_to_the_triggers(notes: Engine) -> None:
    with Session(notes) as session:
        note = Note(id=1, body="a", n=1)
        session.add(note)
        session.flush()
        # Read back after the flush, in one SELECT, as in SQL mode.
        assert note.get_updated_at("body") == note.updated_at == note.created_at
        session.commit()
        _tick()
        note.body = "b"
        session.flush()
        assert note.get_updated_at("body") == note.updated_at > note.created_at
        session.commit()
        _tick()
        session.execute(update(Note).values(n=2))
        session.commit()
        assert note.get_updated_at("n") == note.updated_at
        assert note.get_updated_at("body") < note.updated_at
    with notes.begin() as conn:
        conn.execute(update(Note.__table__).values(body="c"))
    assert _row(notes).body_changed_at == _row(notes).updated_at


DIALECTS: dict[str, Dialect] = {
    "postgresql": postgresql.dialect(),
    "sqlite": sqlite.dialect(),
    "mysql": mysql.dialect(),
    "mariadb": mysql.dialect(is_mariadb=True),
}


@pytest.mark.parametrize("name", list(DIALECTS))
def test_sqlalchemy_computes_no_stamp_itself(name: str) -> None:
    # No work done twice: the UPDATE carries the user's values only.
    sql = str(update(Note).values(body="x").compile(dialect=DIALECTS[name]))
    assert "changes" not in sql and "CASE" not in sql and "updated_at" not in sql


def test_changed_at_alone_is_stamped_by_triggers(notes: Engine) -> None:
    raw_sql(notes, "INSERT INTO trigger_price (id, amount) VALUES (1, 10)")
    _tick()
    raw_sql(notes, "UPDATE trigger_price SET amount = 10 WHERE id = 1")
    with notes.connect() as conn:
        first = conn.execute(select(Price.amount_changed_at)).scalar_one()
    _tick()
    raw_sql(notes, "UPDATE trigger_price SET amount = 11 WHERE id = 1")
    with notes.connect() as conn:
        second = conn.execute(select(Price.amount_changed_at)).scalar_one()
    assert first is not None and second > first


def test_create_all_installs_and_drop_all_removes(db: Engine) -> None:
    Base.metadata.create_all(db)
    Base.metadata.drop_all(db)
    # The table comes back without fieldstamps: no trigger of ours is left
    # to stamp it (a leftover would fail on the missing columns).
    with db.begin() as conn:
        conn.execute(
            text("CREATE TABLE trigger_note (id INTEGER PRIMARY KEY, body VARCHAR(10))")
        )
        conn.execute(text("INSERT INTO trigger_note (id, body) VALUES (1, 'a')"))
        conn.execute(text("UPDATE trigger_note SET body = 'b'"))
        conn.execute(text("DROP TABLE trigger_note"))
    if requires.trigger_functions(db):
        with db.connect() as conn:
            ours = "SELECT count(*) FROM pg_proc WHERE proname LIKE :name"
            left = conn.execute(
                text(ours), {"name": "fieldstamps_trigger_%"}
            ).scalar_one()
        assert left == 0


def test_trigger_ddl_is_stable_and_named_with_the_prefix() -> None:
    for name in DIALECTS:
        ddl = trigger_ddl(Note, name)
        assert ddl == trigger_ddl(Note, name)
        assert len(ddl.hash) == 12 and ddl.hash.isalnum()
        # Each statement creates a trigger or function named for the table, or
        # (SQLite) the pause table every table's triggers share.
        created = [
            re.search(r"CREATE (?:OR REPLACE )?\w+(?: IF NOT EXISTS)? (\S+)", sql)
            for sql in ddl.install
        ]
        assert all(match and "fieldstamps_" in match[1] for match in created)
        assert [m[1] for m in created if m and "trigger_note" not in m[1]] in (
            [],
            ["fieldstamps_pause"],
        )
        assert all("fieldstamps_trigger_note" in sql for sql in ddl.uninstall)
        # Text a console runs as it is: one % where SQL has one.
        assert "%%" not in "".join(ddl.install)
    assert trigger_ddl(Note, "postgresql").hash != trigger_ddl(Note, "sqlite").hash


def test_trigger_ddl_refuses_what_it_cannot_write() -> None:
    with pytest.raises(UnsupportedDatabaseError, match="'oracle'"):
        trigger_ddl(Note, "oracle")
    with pytest.raises(ConfigurationError, match="does not ask for triggers"):
        from tests.models import User

        trigger_ddl(User, "postgresql")
    with pytest.raises(ConfigurationError, match="needs a mapped class or Table"):
        trigger_ddl("trigger_note", "postgresql")


def test_a_triggers_option_that_is_no_boolean_is_refused() -> None:
    class Other(DeclarativeBase):
        pass

    with pytest.raises(ConfigurationError, match=r"\['triggers'\] must be True"):

        class Bad(ChangeTrackingMixin, Other):
            __tablename__ = "bad"
            __fieldstamps__ = {"triggers": "yes"}  # noqa: RUF012
            id: Mapped[int] = mapped_column(primary_key=True)

    assert fieldstamps.TriggerDDL is type(trigger_ddl(Note, "sqlite"))


class OddNames(DeclarativeBase):
    pass


class Odd(TimestampMixin, ChangeTrackingMixin, OddNames):
    """A table name every database must quote."""

    __tablename__ = "Odd Note"
    __fieldstamps__ = {"triggers": True}  # noqa: RUF012

    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(String(20))


def test_a_table_name_that_needs_quoting(db: Engine) -> None:
    OddNames.metadata.create_all(db)
    try:
        quoted = db.dialect.identifier_preparer.quote("Odd Note")
        raw_sql(db, f"INSERT INTO {quoted} (id, body) VALUES (1, 'a')")
        with Session(db) as session:
            odd = session.get_one(Odd, 1)
            assert odd.get_updated_at("body") == odd.created_at is not None
    finally:
        OddNames.metadata.drop_all(db)


_SEPARATE_WRITER = """
import sys
from sqlalchemy import make_url
url = make_url(sys.argv[1])
# The DB-API driver alone: this process never imports fieldstamps or creates
# an engine, as another service or a console would write.
if url.get_backend_name() == "sqlite":
    import sqlite3
    connection = sqlite3.connect(url.database)
elif url.get_backend_name() == "postgresql":
    import psycopg
    connection = psycopg.connect(
        host=url.host, port=url.port or 5432, user=url.username, dbname=url.database
    )
else:
    import pymysql
    connection = pymysql.connect(
        host=url.host, port=url.port or 3306, user=url.username,
        password=url.password or "", database=url.database,
    )
cursor = connection.cursor()
cursor.execute("INSERT INTO trigger_note (id, body, n) VALUES (7, 'from elsewhere', 1)")
connection.commit()
import time
time.sleep(0.005)  # SQLite's clock counts milliseconds
cursor.execute("UPDATE trigger_note SET n = 2 WHERE id = 7")
connection.commit()
assert "fieldstamps" not in sys.modules
"""


def test_a_writer_in_another_process_is_stamped(notes: Engine) -> None:
    url = notes.url.render_as_string(hide_password=False)
    result = subprocess.run(
        [sys.executable, "-c", _SEPARATE_WRITER, url],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    note = _row(notes, 7)
    assert note.changes["body"]["value"] == "from elsewhere"
    assert note.get_updated_at("body") == note.created_at
    assert note.get_updated_at("n") == note.updated_at > note.created_at
    assert note.changes["n"]["value"] == 2


class CascadeBase(DeclarativeBase):
    pass


class Shop(CascadeBase):
    __tablename__ = "trigger_shop"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)


class Branch(TimestampMixin, ChangeTrackingMixin, CascadeBase):
    """Its tracked shop_code follows the shop's code by a foreign-key cascade."""

    __tablename__ = "trigger_branch"
    __fieldstamps__ = {"triggers": True}  # noqa: RUF012

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_code: Mapped[str] = mapped_column(
        String(10), ForeignKey("trigger_shop.code", onupdate="CASCADE")
    )


def test_a_foreign_key_cascade_into_a_tracked_column(db: Engine) -> None:
    CascadeBase.metadata.create_all(db)
    try:
        pragma = (
            ["PRAGMA foreign_keys = ON"]
            if requires.foreign_keys_need_pragma(db)
            else []
        )
        raw_sql(
            db,
            *pragma,
            "INSERT INTO trigger_shop (code) VALUES ('old')",
            "INSERT INTO trigger_branch (id, shop_code) VALUES (1, 'old')",
        )
        _tick()
        raw_sql(
            db,
            *pragma,
            "UPDATE trigger_shop SET code = 'new' WHERE code = 'old'",
        )
        with Session(db) as session:
            branch = session.get_one(Branch, 1)
            assert branch.shop_code == "new"
            if requires.triggers_fire_on_cascades(db):
                assert branch.changes["shop_code"]["value"] == "new"
                assert branch.get_updated_at("shop_code") == branch.updated_at
                assert branch.updated_at > branch.created_at
            else:
                # MariaDB runs no trigger for a change a cascade makes: the
                # row keeps the stamps of its last own write.
                assert branch.changes["shop_code"]["value"] == "old"
                assert branch.updated_at == branch.created_at
    finally:
        CascadeBase.metadata.drop_all(db)


# -- a backup restored elsewhere ---------------------------------------------------


def _console_dump(dump: list[str], restore: list[str], user: str) -> Any:
    """Dump with one server command, restore with another, piped."""

    def run(source: str, target: str) -> None:
        src, dst = make_url(source), make_url(target)
        output = subprocess.run(
            [*dump, f"-h{src.host}", f"{user}{src.username}", f"{src.database}"],
            capture_output=True,
            check=True,
        ).stdout
        subprocess.run(
            [*restore, f"-h{dst.host}", f"{user}{dst.username}", f"{dst.database}"],
            input=output,
            capture_output=True,
            check=True,
        )

    return run


def _sqlite_dump(source: str, target: str) -> None:
    import sqlite3

    src = sqlite3.connect(str(make_url(source).database))
    dst = sqlite3.connect(str(make_url(target).database))
    try:
        dst.executescript("\n".join(src.iterdump()))
    finally:
        src.close()
        dst.close()


#: Each database's own backup tool, its output run into another database.
_MARIADB_DUMP = _console_dump(["mariadb-dump", "--triggers"], ["mariadb"], "-u")
_DUMP_AND_RESTORE = {
    "postgresql": _console_dump(
        ["pg_dump", "--no-owner"], ["psql", "-q", "-vON_ERROR_STOP=1"], "-U"
    ),
    "mysql": _MARIADB_DUMP,
    "mariadb": _MARIADB_DUMP,
    "sqlite": _sqlite_dump,
}


def test_a_backup_restored_elsewhere_stamps_as_before(
    notes: Engine, backend: Any, tmp_path: Any
) -> None:
    raw_sql(notes, "INSERT INTO trigger_note (id, body, n) VALUES (1, 'a', 1)")
    with contextlib.ExitStack() as stack:
        url = (
            stack.enter_context(_scratch_database(backend.url))
            if backend.url is not None
            else f"sqlite:///{tmp_path / 'restored.db'}"
        )
        _DUMP_AND_RESTORE[notes.dialect.name](
            notes.url.render_as_string(hide_password=False), url
        )
        restored = make_engine(url)
        stack.callback(restored.dispose)
        before, original = _row(restored), _row(notes)
        assert (before.changes, before.updated_at, before.body_changed_at) == (
            original.changes,
            original.updated_at,
            original.body_changed_at,
        )
        _tick()
        statements = ["UPDATE trigger_note SET body = 'B' WHERE id = 1"]
        if requires.trigger_functions(restored):
            # A restore runs with an empty search_path; the function pins its
            # own, so a writer with none is stamped too.
            statements = [
                "SELECT pg_catalog.set_config('search_path', '', true)",
                "UPDATE public.trigger_note SET body = 'B' WHERE id = 1",
            ]
            with restored.connect() as conn:
                pinned = conn.scalar(
                    text("SELECT proconfig FROM pg_proc WHERE proname = :name"),
                    {"name": "fieldstamps_trigger_note"},
                )
            assert pinned == ["search_path=pg_catalog, public"]
        raw_sql(restored, *statements)
        after = _row(restored)
        assert after.get_updated_at("body") == after.updated_at > before.updated_at
        assert after.get_updated_at("n") == before.get_updated_at("n")
        with restored.connect() as conn:
            assert fieldstamps.check(conn, Note.__table__) == []


def test_triggers_on_an_unsupported_database_are_refused_when_ddl_is_emitted() -> None:
    emitted: list[str] = []
    engine = create_mock_engine(
        "mssql+pyodbc://", lambda sql, *a, **kw: emitted.append(str(sql))
    )
    with pytest.raises(UnsupportedDatabaseError, match="mssql") as refused:
        Base.metadata.create_all(engine, tables=[Note.__table__], checkfirst=False)
    assert isinstance(refused.value, fieldstamps.FieldstampsError)
    # The table's own DDL may be written; no trigger SQL for another database.
    assert not [sql for sql in emitted if "CREATE TRIGGER" in sql.upper()]
