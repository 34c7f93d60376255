"""Alembic and trigger mode, as a user runs it: ``alembic revision
--autogenerate`` writes the installation of ``{"triggers": True}`` tables'
triggers with their SQL frozen in the migration, its exact reverse in
``downgrade()``, a replacement when the tracked fields change, and nothing on a
second run; upgrade and downgrade on every backend, a migration generated on
one database run on the others, and a populated table turned to triggers."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import Engine, MetaData, inspect, text

import fieldstamps
from tests.alembic_project import (
    PLAIN,
    ROOT,
    TRACKED,
    Project,
    assert_public_and_clean,
    insert_authors,
)
from tests.conftest import BACKENDS

TRIGGERED = TRACKED.replace(
    '    __tablename__ = "{prefix}_author"\n',
    '    __tablename__ = "{prefix}_author"\n'
    '    __fieldstamps__ = {{"triggers": True}}\n',
).replace(
    '    __tablename__ = "{prefix}_book"\n',
    '    __tablename__ = "{prefix}_book"\n    __fieldstamps__ = {{"triggers": True}}\n',
)
# One more tracked field on the author: its triggers change.
WIDER = TRIGGERED.replace(
    "    email: Mapped[str | None] = mapped_column(String(60))\n",
    "    email: Mapped[str | None] = mapped_column(String(60))\n"
    "    bio: Mapped[str | None] = mapped_column(String(200))\n",
)


def _installed(db: Engine, prefix: str) -> dict[str, str | None]:
    """Table -> the hash its installed fieldstamps triggers carry."""
    metadata = MetaData()
    with db.connect() as conn:
        metadata.reflect(conn, only=lambda name, _: name.startswith(prefix))
        drifts = fieldstamps.check(conn, metadata)
    # Reflected tables ask for no triggers: every installed set is "orphaned"
    # (other tests' tables included, whose names lack the prefix).
    ours = [d for d in drifts if d.table.startswith(prefix)]
    assert {d.status for d in ours} <= {"orphaned"}
    return {d.table: d.installed_hash for d in ours}


def _at(script: str, operation: str, table: str) -> int:
    """Where ``op.<operation>(`` of ``table`` starts in ``script``."""
    found = re.search(rf"op\.{operation}\(\s*'{table}'", script)
    assert found is not None, f"no op.{operation}() of {table}"
    return found.start()


def _functions_left(db: Engine, prefix: str) -> list[str]:
    if db.dialect.name != "postgresql":
        return []
    with db.connect() as conn:
        return list(
            conn.execute(
                text("SELECT proname FROM pg_proc WHERE proname LIKE :name"),
                {"name": f"fieldstamps_{prefix}%"},
            ).scalars()
        )


def _raw_write_is_stamped(project: Project) -> None:
    """A write through the DB-API driver, in a fresh interpreter that knows
    nothing of SQLAlchemy's models: the migrated triggers stamp it."""
    code = textwrap.dedent(f"""
        import datetime as dt
        from sqlalchemy import create_engine
        engine = create_engine({project.url!r})
        raw = engine.raw_connection()
        cursor = raw.cursor()
        table = "{project.prefix}_author"
        cursor.execute(f"INSERT INTO {{table}} (id, name, email) VALUES (7, 'a', 'e')")
        raw.commit()
        cursor.execute(f"UPDATE {{table}} SET name = 'b' WHERE id = 7")
        raw.commit()
        cursor.close()
        raw.close()
        import models
        from sqlalchemy.orm import Session
        with Session(engine) as session:
            author = session.get(models.Author, 7)
            assert author.updated_at > author.created_at, author.updated_at
            assert author.get_updated_at("name") == author.updated_at
            assert author.get_updated_at("email") == author.created_at
            assert author.name_changed_at == author.updated_at
            assert author.changes["name"]["value"] == "b"
        print("ok")
    """)
    project.run_python(code)


def test_a_new_triggered_table_migrates_and_reverses_exactly(
    project: Project, db: Engine
) -> None:
    project.models(TRIGGERED)
    script = project.autogenerate("create")
    assert_public_and_clean(script)
    upgrade, downgrade = script.split("def downgrade", 1)
    # Frozen SQL for every database, installed after the tables it reads.
    assert upgrade.count("op.install_triggers(") == 2
    for dialect in ("'postgresql'", "'sqlite'", "'mysql'"):
        assert upgrade.count(f"{dialect}: [") == 2
    assert upgrade.index("op.install_triggers(") > upgrade.index("op.create_table(")
    assert downgrade.count("op.drop_triggers(") == 2
    assert downgrade.index("op.drop_triggers(") < downgrade.index("op.drop_table(")
    project.alembic("upgrade", "head")
    project.alembic("check")  # a second autogenerate finds nothing to do
    assert set(_installed(db, project.prefix)) == {
        f"{project.prefix}_author",
        f"{project.prefix}_book",
    }
    _raw_write_is_stamped(project)
    project.alembic("downgrade", "base")
    assert _installed(db, project.prefix) == {}
    assert _functions_left(db, project.prefix) == []


def test_turning_triggers_on_for_a_populated_table(
    project: Project, db: Engine
) -> None:
    project.migrate(PLAIN, "plain")
    table = f"{project.prefix}_author"
    insert_authors(db, table)
    project.models(TRIGGERED)
    script = project.autogenerate("triggers")
    assert_public_and_clean(script)
    upgrade = script.split("def downgrade", 1)[0]
    assert _at(upgrade, "add_stamp_columns", table) < _at(
        upgrade, "install_triggers", table
    )
    project.alembic("upgrade", "head")
    project.alembic("check")
    with db.connect() as conn:
        rows = conn.execute(text(f"SELECT created_at, updated_at FROM {table}")).all()
    assert len(rows) == 3 and all(row[0] is not None for row in rows)
    _raw_write_is_stamped(project)
    project.alembic("downgrade", "-1")
    assert table not in _installed(db, project.prefix)
    assert {c["name"] for c in inspect(db).get_columns(table)} == {
        "id",
        "name",
        "email",
    }


def test_alembic_check_reports_what_a_migration_would_do(
    project: Project, db: Engine
) -> None:
    project.migrate(PLAIN, "plain")
    project.models(TRIGGERED)
    # Exit 1 with the pending operations listed, not a NotImplementedError.
    with pytest.raises(AssertionError) as failed:
        project.alembic("check")
    table = f"{project.prefix}_author"
    report = str(failed.value)
    assert "NotImplementedError" not in report
    assert f"('add_stamp_columns', None, '{table}'" in report
    assert f"('install_triggers', None, '{table}')" in report


def test_a_change_of_tracked_fields_replaces_the_triggers(
    project: Project, db: Engine
) -> None:
    project.migrate(TRIGGERED, "create")
    before = _installed(db, project.prefix)

    project.models(WIDER)
    script = project.autogenerate("wider")
    assert_public_and_clean(script)
    upgrade, downgrade = script.split("def downgrade", 1)
    # Only the author's triggers change: out before the new column, back in
    # after it; the downgrade puts the old ones back, read from the catalog.
    author = f"{project.prefix}_author"
    assert upgrade.count("op.drop_triggers(") == 1
    assert upgrade.count("op.install_triggers(") == 1
    assert upgrade.index("op.drop_triggers(") < upgrade.index("add_column")
    assert upgrade.index("add_column") < upgrade.index("op.install_triggers(")
    assert _at(downgrade, "install_triggers", author) > _at(
        downgrade, "drop_triggers", author
    )
    project.alembic("upgrade", "head")
    project.alembic("check")
    after = _installed(db, project.prefix)
    book = f"{project.prefix}_book"
    assert after[book] == before[book]
    assert after[f"{project.prefix}_author"] != before[f"{project.prefix}_author"]

    project.alembic("downgrade", "-1")
    assert _installed(db, project.prefix) == before  # the old ones, exactly


def test_a_migration_keeps_its_meaning_when_the_model_changes_later(
    project: Project, db: Engine
) -> None:
    project.migrate(TRIGGERED, "create")
    frozen = _installed(db, project.prefix)
    project.alembic("downgrade", "base")
    # The model gains a field; the old migration still installs what it froze.
    project.models(WIDER.replace("bio: Mapped", "bio2: Mapped"))
    project.alembic("upgrade", "head")
    assert _installed(db, project.prefix) == frozen
    project.alembic("downgrade", "base")


def test_a_dropped_triggered_table_takes_its_function_along(
    project: Project, db: Engine
) -> None:
    project.migrate(TRIGGERED, "create")
    without_books = TRIGGERED.split("class Book", 1)[0].replace(
        '    books: Mapped[list["Book"]] = relationship(back_populates="author")\n', ""
    )
    project.models(without_books)
    script = project.autogenerate("nobooks")
    upgrade = script.split("def downgrade", 1)[0]
    book = f"{project.prefix}_book"
    assert _at(upgrade, "drop_triggers", book) < _at(upgrade, "drop_table", book)
    project.alembic("upgrade", "head")
    project.alembic("check")
    functions = _functions_left(db, project.prefix)
    assert functions == ([f"fieldstamps_{project.prefix}_author"] if functions else [])
    project.alembic("downgrade", "-1")
    assert f"{project.prefix}_book" in _installed(db, project.prefix)


# The two tables without the foreign key between them: Alembic orders the
# DROP TABLEs of removed tables as a set does, not by their dependencies.
UNRELATED = (
    TRIGGERED.replace(
        'mapped_column(ForeignKey("{prefix}_author.id"))', "mapped_column()"
    )
    .replace(
        '    books: Mapped[list["Book"]] = relationship(back_populates="author")\n', ""
    )
    .replace(
        '    author: Mapped["Author"] = relationship(back_populates="books")\n', ""
    )
)


def test_every_dropped_triggered_table_takes_its_triggers_along(
    project: Project, db: Engine
) -> None:
    assert "ForeignKey(" not in UNRELATED and "relationship(" not in UNRELATED
    project.migrate(UNRELATED, "create")
    project.models(TRIGGERED.split("class Author", 1)[0])  # no model left
    upgrade = project.autogenerate("none").split("def downgrade", 1)[0]
    for table in (f"{project.prefix}_author", f"{project.prefix}_book"):
        assert _at(upgrade, "drop_triggers", table) < _at(upgrade, "drop_table", table)
    project.alembic("upgrade", "head")
    assert _functions_left(db, project.prefix) == []
    project.alembic("downgrade", "-1")
    assert set(_installed(db, project.prefix)) == {
        f"{project.prefix}_author",
        f"{project.prefix}_book",
    }


@pytest.mark.parametrize("origin", [backend.id for backend in BACKENDS])
def test_a_trigger_migration_generated_on_one_database_runs_on_another(
    origin: str,
    project: Project,
    db: Engine,
    backend_urls: dict[str, str],
) -> None:
    project.run_migration_generated_on(backend_urls[origin], TRIGGERED)
    project.alembic("check")
    _raw_write_is_stamped(project)
    project.alembic("downgrade", "base")
    assert _installed(db, project.prefix) == {}
    assert not re.search("fieldstamps_", " ".join(_functions_left(db, project.prefix)))


README = ROOT / "README.md"
PRICE_IMPORTS = """
import datetime as dt
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
import fieldstamps

class Base(DeclarativeBase):
    pass

"""


def _readme_trigger_migration() -> tuple[str, str]:
    """The README's model and the migration it says a user gets."""
    section = README.read_text().split("## Capture every writer", 1)[1]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    [model] = [block for block in blocks if "class Price" in block]
    [migration] = [block for block in blocks if "def upgrade" in block]
    return model, migration


def test_the_readme_shows_the_migration_a_user_gets(
    project: Project, db: Engine
) -> None:
    model, migration = _readme_trigger_migration()
    escaped = model.replace("{", "{{").replace("}", "}}")
    source = PRICE_IMPORTS + escaped.replace('"price"', '"{prefix}_price"')
    script = project.autogenerate_from(source, "prices")
    generated = {
        line.strip() for line in script.replace(project.prefix + "_", "").splitlines()
    }
    shown = [line.strip() for line in migration.splitlines()]
    # Every line shown is generated; "..." stands for what is left out.
    missing = [line for line in shown if "..." not in line and line not in generated]
    assert missing == []
    # Offline (--sql), the frozen SQL comes out as a script for this
    # database's console (MariaDB's with DELIMITER, for trigger bodies).
    offline = project.alembic("upgrade", "head", "--sql")
    assert f"CREATE TRIGGER fieldstamps_{project.prefix}_price" in offline
    assert ("DELIMITER //" in offline) == (db.dialect.name in ("mysql", "mariadb"))


HISTORIED = TRACKED.replace(
    '    __tablename__ = "{prefix}_author"\n',
    '    __tablename__ = "{prefix}_author"\n'
    '    __fieldstamps__ = {{"history": True, "redact": ["email"]}}\n',
)


def test_history_added_to_a_populated_table_migrates_and_reverses(
    project: Project, db: Engine
) -> None:
    prefix = project.prefix
    project.migrate(PLAIN, "plain")
    insert_authors(db, f"{prefix}_author")
    script = project.migrate(HISTORIED, "history")
    assert_public_and_clean(script)
    upgrade, downgrade = script.split("def downgrade", 1)
    history = _at(upgrade, "create_table", f"{prefix}_author_history")
    installed = _at(upgrade, "install_triggers", f"{prefix}_author")
    # The triggers write the history table: installed after it exists.
    assert installed > history
    assert _at(downgrade, "drop_triggers", f"{prefix}_author") < _at(
        downgrade, "drop_table", f"{prefix}_author_history"
    )
    project.alembic("check")
    code = textwrap.dedent(f"""
        from sqlalchemy import create_engine
        from sqlalchemy.orm import Session
        import fieldstamps, models
        engine = create_engine({project.url!r})
        raw = engine.raw_connection()
        cursor = raw.cursor()
        table = "{prefix}_author"
        cursor.execute(
            f"UPDATE {{table}} SET name = 'renamed', email = 'e' WHERE id = 1"
        )
        raw.commit()
        raw.close()
        with Session(engine) as session:
            changes = fieldstamps.get_history(session, models.Author, 1)
            got = sorted((c.field, c.old, c.new) for c in changes)
            assert got == [("email", None, None), ("name", "author 1", "renamed")], got
            author = session.get(models.Author, 1)
            with fieldstamps.context(actor="app"):
                author.name = "again"
                session.commit()
            [newest] = fieldstamps.get_history(session, models.Author, 1, "name")[:1]
            assert (newest.old, newest.new, newest.actor) == ("renamed", "again", "app")
        print("ok")
    """)
    project.run_python(code)
    project.alembic("downgrade", "-1")
    assert f"{prefix}_author_history" not in inspect(db).get_table_names()
    assert _installed(db, prefix) == {}
    assert _functions_left(db, prefix) == []


def test_autogenerate_leaves_the_triggers_own_tables_alone(tmp_path: Path) -> None:
    # SQLite's triggers keep the pause and the transaction marker in tables
    # no model declares: with an env.py that compares every table (found in
    # a scratch app), autogenerate proposed dropping them.
    from alembic.autogenerate import produce_migrations
    from alembic.migration import MigrationContext
    from sqlalchemy import Integer, String, create_engine
    from sqlalchemy.orm import DeclarativeBase, mapped_column

    import fieldstamps.alembic

    class OwnBase(DeclarativeBase):
        pass

    class Logged(fieldstamps.TimestampMixin, OwnBase):
        __tablename__ = "logged"
        __fieldstamps__ = {"history": True}  # noqa: RUF012
        id = mapped_column(Integer, primary_key=True)
        body = mapped_column(String(20))

    engine = create_engine(f"sqlite:///{tmp_path / 'own.db'}")
    OwnBase.metadata.create_all(engine)
    with engine.connect() as conn:
        names = set(inspect(conn).get_table_names())
        assert {"fieldstamps_pause", "fieldstamps_txn"} <= names
        migration = produce_migrations(
            MigrationContext.configure(conn), OwnBase.metadata
        )
    engine.dispose()
    assert migration.upgrade_ops is not None
    assert migration.upgrade_ops.ops == []
