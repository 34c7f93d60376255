"""Reading stamps straight from the database, for assertions."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Session

from fieldstamps import trigger_ddl, upsert_set
from fieldstamps._triggers import install
from fieldstamps._types import parse_stamp_text
from tests.models import User
from tests.requirements import dialect_insert, requires

TRACKED = ("name", "fullname", "age")


@dataclass(frozen=True)
class UserStamps:
    values: dict[str, Any]
    stamps: dict[str, dt.datetime | None]
    stored: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime
    name_changed_at: dt.datetime | None
    contact_changed_at: dt.datetime | None


def insert_user(db: Engine, model: Any = User, **values: Any) -> int:
    """Commit one ``model`` (User, or TriggeredUser) through the ORM; return
    its id."""
    defaults = {"name": "spongebob", "fullname": "Spongebob Squarepants", "age": 1}
    with Session(db) as session:
        user = model(**{**defaults, **values})
        session.add(user)
        session.commit()
        return user.id


def read_user(db: Engine, user_id: int, model: Any = User) -> UserStamps:
    """The row as the database holds it now, in a fresh connection; ``model``
    is User or a class with its columns (tests.models.TriggeredUser)."""
    with db.connect() as conn:
        row = conn.execute(
            select(
                model.name,
                model.fullname,
                model.age,
                model.changes,
                model.created_at,
                model.updated_at,
                model.name_changed_at,
                model.contact_changed_at,
            ).where(model.id == user_id)
        ).one()
    changes = row.changes if isinstance(row.changes, dict) else {}
    entries = {key: changes.get(key) or {} for key in TRACKED}
    return UserStamps(
        values={key: getattr(row, key) for key in TRACKED},
        stamps={
            key: parse_stamp_text(entries[key].get("updated_at")) for key in TRACKED
        },
        stored={key: entries[key].get("value", "<missing>") for key in TRACKED},
        created_at=row.created_at,
        updated_at=row.updated_at,
        name_changed_at=row.name_changed_at,
        contact_changed_at=row.contact_changed_at,
    )


def tick() -> None:
    """Let the server clock move past the last write (SQLite counts ms)."""
    time.sleep(0.003)


def assert_wrote(before: UserStamps, after: UserStamps, changed: set[str]) -> None:
    """``after`` is one write later than ``before`` that changed exactly
    ``changed``: their stamps are the write's instant, the rest kept theirs."""
    assert after.updated_at > before.updated_at
    for key in TRACKED:
        assert after.stored[key] == after.values[key], key
        if key in changed:
            assert after.values[key] != before.values[key], key
            assert after.stamps[key] == after.updated_at, key
        else:
            assert after.stamps[key] == before.stamps[key], key
    name_moved = "name" in changed
    contact_moved = bool({"fullname", "age"} & changed)
    assert after.name_changed_at == (
        after.updated_at if name_moved else before.name_changed_at
    )
    assert after.contact_changed_at == (
        after.updated_at if contact_moved else before.contact_changed_at
    )


@contextmanager
def triggers_off(db: Engine, model: Any) -> Iterator[None]:
    """Writes inside the block skip ``model``'s triggers, as a bulk load run
    with triggers off does (README, "What triggers do not see"): they are
    removed, then installed again. Nothing to do for a SQL-mode class."""
    if not getattr(model, "__fieldstamps__", {}).get("triggers"):
        yield
        return
    dialect = db.dialect
    name = "mariadb" if getattr(dialect, "is_mariadb", False) else dialect.name
    ddl = trigger_ddl(model, name)
    with db.begin() as conn:
        for statement in ddl.uninstall:
            conn.exec_driver_sql(statement)
    try:
        yield
    finally:
        # As `fieldstamps install` repairs them, missing as they are.
        with db.begin() as conn:
            repaired = install(conn, model.__table__)
        assert [drift.status for drift in repaired] == ["missing"], repaired


def upsert_statement(db: Engine, model: Any, **values: Any) -> Any:
    """The documented upsert recipe for ``db``'s backend: insert ``values``
    (``id`` included), or update the row with the others."""
    table = model.__table__
    new = {key: value for key, value in values.items() if key != "id"}
    if requires.on_duplicate_key_update(db):
        my = mysql.insert(table).values(**values)
        return my.on_duplicate_key_update(
            upsert_set(model, {key: my.inserted[key] for key in new})
        )
    ins = dialect_insert(db)(table).values(**values)
    return ins.on_conflict_do_update(
        index_elements=[table.c.id],
        set_=upsert_set(model, {key: ins.excluded[key] for key in new}),
    )


def raw_sql(db: Engine, *statements: str, commit: bool = True) -> None:
    """Run SQL through the DB-API driver itself, as a writer outside
    SQLAlchemy does: no SQLAlchemy statement, compiler or event."""
    connection = db.raw_connection()
    try:
        cursor = connection.cursor()
        for statement in statements:
            cursor.execute(statement)
        if commit:
            connection.commit()
        else:
            connection.rollback()
    finally:
        connection.close()


def routines(db: Engine, prefix: str) -> list[str]:
    """The names of the database's routines (PostgreSQL's and MariaDB's
    changes functions) that start with ``prefix``, sorted."""
    with db.connect() as conn:
        names = conn.execute(
            text(
                "SELECT routine_name FROM information_schema.routines "
                "WHERE routine_name LIKE 'fieldstamps%'"
            )
        ).scalars()
        return sorted(name for name in names if name.startswith(prefix))
