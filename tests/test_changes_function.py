"""SQL mode's ``changes`` function: where a database has one (PostgreSQL,
MariaDB/MySQL), a JSON-layout table's INSERTs compute the new row's
``changes`` with it. ``create_all()`` creates it and ``drop_all()`` drops
it; ``check()``, ``install()`` and the command see it as they see triggers;
an INSERT on a database that lacks it is a clear error that writes
nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import (
    Engine,
    Integer,
    String,
    create_engine,
    func,
    insert,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from fieldstamps import (
    ChangeTrackingMixin,
    Drift,
    MissingFunctionError,
    TimestampMixin,
    check,
)
from fieldstamps._triggers import (
    connection_dialect_name,
    install,
    read_catalog,
    run_sql,
    table_ddl,
)
from tests.requirements import requires
from tests.stamps import routines


class Base(DeclarativeBase):
    pass


class Note(TimestampMixin, ChangeTrackingMixin, Base):
    __tablename__ = "fn_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(50))
    n: Mapped[int | None] = mapped_column(Integer)
    # Left out of an INSERT, it still has a value the document must hold.
    rank: Mapped[int] = mapped_column(Integer, server_default="7")


@pytest.fixture
def notes(own_db: Engine) -> Iterator[Engine]:
    Base.metadata.drop_all(own_db)
    Base.metadata.create_all(own_db)
    yield own_db
    Base.metadata.drop_all(own_db)


def _check(db: Engine) -> list[Drift]:
    with db.connect() as conn:
        return check(conn, Base.metadata)


def _uninstall(db: Engine) -> tuple[str, ...]:
    with db.begin() as conn:
        uninstall = table_ddl(Note.__table__, connection_dialect_name(conn)).uninstall
        run_sql(conn, uninstall)
    return uninstall


def _documents(db: Engine) -> dict[str, dict[str, Any]]:
    with Session(db) as session:
        notes = session.scalars(select(Note).order_by(Note.id)).all()
        return {note.title: (note.changes, note.created_at) for note in notes}


def _entries(changes: dict[str, Any]) -> dict[str, Any]:
    return {key: entry.get("value") for key, entry in changes.items()}


def _assert_an_insert_is_documented(db: Engine, title: str, n: int) -> None:
    with Session(db) as session:
        session.add(Note(title=title, n=n))
        session.commit()
    assert _entries(_documents(db)[title][0]) == {"title": title, "n": n, "rank": 7}


def test_every_insert_path_writes_the_same_document(notes: Engine) -> None:
    with Session(notes) as session:
        session.add_all([Note(title="orm", n=1), Note(title="orm-null", n=None)])
        session.commit()
    with notes.begin() as conn:
        conn.execute(
            insert(Note), [{"title": "many-1", "n": 2}, {"title": "many-2", "n": None}]
        )
        conn.execute(insert(Note).values(title="expression", n=func.abs(-3)))
        conn.execute(insert(Note).values(title="ranked", n=4, rank=9))
    documents = _documents(notes)
    assert {title: _entries(changes) for title, (changes, _) in documents.items()} == {
        "orm": {"title": "orm", "n": 1, "rank": 7},
        "orm-null": {"title": "orm-null", "n": None, "rank": 7},
        "many-1": {"title": "many-1", "n": 2, "rank": 7},
        "many-2": {"title": "many-2", "n": None, "rank": 7},
        "expression": {"title": "expression", "n": 3, "rank": 7},
        "ranked": {"title": "ranked", "n": 4, "rank": 9},
    }
    for changes, created_at in documents.values():
        # Every entry stamped with the row's own instant, in the stamp's text.
        stamps = {entry["updated_at"] for entry in changes.values()}
        assert stamps == {created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")}


def test_check_sees_the_function_and_install_repairs_it(notes: Engine) -> None:
    assert _check(notes) == []
    uninstall = _uninstall(notes)
    if not requires.changes_function(notes):
        assert uninstall == ()  # nothing created, nothing to drift
        assert _check(notes) == []
        return
    [drift] = _check(notes)
    assert (drift.table, drift.status, drift.installed_hash) == (
        "fn_note",
        "missing",
        None,
    )
    with notes.begin() as conn:
        assert install(conn, Base.metadata) == [drift]
        assert install(conn, Base.metadata) == []
    _assert_an_insert_is_documented(notes, "after", 5)


def _without_function(db: Engine) -> bool:
    """True, having checked there is nothing to create, where INSERTs spell
    the document out (SQLite)."""
    if requires.changes_function(db):
        return False
    with db.connect() as conn:
        assert table_ddl(Note.__table__, connection_dialect_name(conn)).install == ()
    return True


def test_an_edited_function_is_modified_and_replaced(notes: Engine) -> None:
    if _without_function(notes):
        return
    with notes.begin() as conn:
        ddl = table_ddl(Note.__table__, connection_dialect_name(conn))
        run_sql(conn, ddl.uninstall)
        run_sql(conn, [ddl.install[0].replace("'value'", "'valeur'")])
    assert [drift.status for drift in _check(notes)] == ["modified"]
    with notes.begin() as conn:
        install(conn, Base.metadata)
    assert _check(notes) == []


def test_the_catalog_creates_the_function_again_as_it_was(notes: Engine) -> None:
    # What a migration's downgrade runs to put a dropped function back.
    if _without_function(notes):
        return
    with notes.begin() as conn:
        [function] = [
            each
            for each in read_catalog(conn, None)
            if each.name == "fieldstamps_fn_note_changes"
        ]
        run_sql(conn, function.drop)
    assert [drift.status for drift in _check(notes)] == ["missing"]
    with notes.begin() as conn:
        run_sql(conn, function.create)
    assert _check(notes) == []
    _assert_an_insert_is_documented(notes, "again", 6)


def test_a_function_declared_with_its_columns_modifiers_is_as_declared(
    notes: Engine,
) -> None:
    # Databases created before the call dropped its casts' type modifiers
    # declared the arguments with them (title VARCHAR(50)); PostgreSQL drops
    # them from a function's arguments, so such a function is the same one
    # and needs no migration. MariaDB keeps no such declaration to compare.
    if notes.dialect.name != "postgresql":
        return
    with notes.begin() as conn:
        ddl = table_ddl(Note.__table__, "postgresql")
        run_sql(conn, ddl.uninstall)
        declared = ddl.install[0].replace("fs_1 VARCHAR,", "fs_1 VARCHAR(50),")
        assert declared != ddl.install[0]
        run_sql(conn, [declared])
    assert _check(notes) == []
    _assert_an_insert_is_documented(notes, "declared", 8)


def test_a_function_hidden_from_the_user_reads_as_missing(notes: Engine) -> None:
    # A DML-only account may call the function but not read its definition:
    # check() run as that account says "missing", as for triggers it cannot
    # see, rather than failing.
    if not requires.hidden_definitions(notes):
        return
    account = "fieldstamps_dml_only"
    database = notes.url.database
    with notes.begin() as conn:
        run_sql(
            conn,
            [
                f"DROP USER IF EXISTS '{account}'@'%'",
                f"CREATE USER '{account}'@'%'",
                f"GRANT SELECT, INSERT, UPDATE, DELETE, EXECUTE ON {database}.* "
                f"TO '{account}'@'%'",
            ],
        )
    reader = create_engine(notes.url.set(username=account, password=None))
    try:
        with reader.connect() as conn:
            assert [(d.table, d.status) for d in check(conn, Base.metadata)] == [
                ("fn_note", "missing")
            ]
        _assert_an_insert_is_documented(reader, "as the application", 8)
    finally:
        reader.dispose()
        with notes.begin() as conn:
            run_sql(conn, [f"DROP USER IF EXISTS '{account}'@'%'"])
    assert _check(notes) == []


def test_an_insert_without_the_function_names_it_and_writes_nothing(
    notes: Engine,
) -> None:
    if _without_function(notes):
        return
    _uninstall(notes)
    with Session(notes) as session:
        session.add(Note(title="lost?", n=1))
        with pytest.raises(MissingFunctionError) as raised:
            session.commit()
    error = raised.value
    assert (error.table, error.function) == ("fn_note", "fieldstamps_fn_note_changes")
    assert "'fieldstamps install MODULE:ATTR --url URL'" in str(error)
    with notes.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Note)) == 0


def test_drop_all_drops_the_function(notes: Engine) -> None:
    if _without_function(notes):
        return
    name = "fieldstamps_fn_note_changes"
    assert routines(notes, name) == [name]
    Base.metadata.drop_all(notes)
    assert routines(notes, name) == []
