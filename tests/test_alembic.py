"""Alembic, as a user runs it: a scratch project per test, ``alembic`` run as a
command in a subprocess (autogenerate, upgrade, check, downgrade), on every
backend; a migration generated on one database applied to the others; and a
table that already has rows gaining stamps."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text

from tests.alembic_project import (
    PLAIN,
    TRACKED,
    Project,
    assert_public_and_clean,
    drop_tables,
    insert_authors,
)
from tests.conftest import BACKENDS
from tests.requirements import requires
from tests.stamps import routines
from tests.test_docs_adoption import readme_migration


def test_a_new_tracked_table_migrates_with_no_hand_edit(
    project: Project, db: Engine
) -> None:
    project.models(TRACKED)
    script = project.autogenerate("create")
    assert_public_and_clean(script)
    project.alembic("upgrade", "head")
    # A second autogenerate finds nothing to do.
    project.alembic("check")
    _write_and_read(project, db)
    if requires.changes_function(db):
        assert _functions(db, project) == [
            f"fieldstamps_{project.prefix}_{table}_changes"
            for table in ("author", "book")
        ]
    project.alembic("downgrade", "base")
    left = [n for n in inspect(db).get_table_names() if n.startswith(project.prefix)]
    assert left == [f"{project.prefix}_version"]
    # A function outlives its table unless the migration drops it too.
    assert _functions(db, project) == []


def _functions(db: Engine, project: Project) -> list[str]:
    """The project's changes functions on ``db`` (none on SQLite)."""
    if not requires.changes_function(db):
        return []
    return routines(db, f"fieldstamps_{project.prefix}")


def _write_and_read(project: Project, db: Engine) -> None:
    """Stamps work on the migrated tables, through a fresh interpreter."""
    code = textwrap.dedent(f"""
        import models
        from sqlalchemy import create_engine, update
        from sqlalchemy.orm import Session
        engine = create_engine({project.url!r})
        with Session(engine) as session:
            author = models.Author(id=1, name="a", email="e")
            session.add(author)
            session.add(models.Book(id=1, title="t", author=author))
            session.commit()
            session.execute(update(models.Author).values(name="b"))
            session.commit()
            assert author.get_updated_at("name") == author.updated_at
            assert author.name_changed_at == author.updated_at
            assert author.get_updated_at("email") == author.created_at
            assert author.name_updated_at == author.updated_at
            book = session.get(models.Book, 1)
            assert book.changes["author_id"]["value"] == 1
        print("ok")
    """)
    project.run_python(code)


def test_stamps_added_to_a_table_with_rows(project: Project, db: Engine) -> None:
    project.models(PLAIN)
    project.autogenerate("plain")
    project.alembic("upgrade", "head")
    table = f"{project.prefix}_author"
    insert_authors(db, table)
    project.models(TRACKED)
    script = project.autogenerate("stamps")
    assert_public_and_clean(script)
    assert "op.add_stamp_columns(" in script
    # The README shows this migration as generated.
    generated = [
        line.strip() for line in script.replace(project.prefix + "_", "").splitlines()
    ]
    for line in readme_migration():
        assert line in generated, line
    project.alembic("upgrade", "head")
    project.alembic("check")
    with db.connect() as conn:
        rows = conn.execute(
            text(f"SELECT created_at, updated_at, changes FROM {table}")
        ).all()
    assert len(rows) == 3
    for created_at, updated_at, changes in rows:
        # The database clock at migration time, the same instant in both.
        assert created_at is not None
        assert created_at == updated_at
        assert changes is None  # unknown until a backfill or a write
    _write_and_read_existing(project)
    project.alembic("downgrade", "-1")
    columns = {c["name"] for c in inspect(db).get_columns(table)}
    assert columns == {"id", "name", "email"}


def _write_and_read_existing(project: Project) -> None:
    code = textwrap.dedent(f"""
        import models
        from sqlalchemy import create_engine
        from sqlalchemy.orm import Session
        engine = create_engine({project.url!r})
        with Session(engine) as session:
            author = session.get(models.Author, 1)
            created = author.created_at
            assert created.tzinfo is not None
            author.name = "renamed"
            session.commit()
            assert author.get_updated_at("name") == author.updated_at > created
            assert author.get_updated_at("email") is None  # never known
        print("ok")
    """)
    project.run_python(code)


@pytest.mark.parametrize("origin", [backend.id for backend in BACKENDS])
def test_a_migration_generated_on_one_database_runs_on_another(
    origin: str,
    project: Project,
    db: Engine,
    backend_urls: dict[str, str],
) -> None:
    """``project`` is the database the migration runs on; it is generated
    against ``origin``'s, in a project of its own."""
    script = project.run_migration_generated_on(backend_urls[origin], TRACKED)
    assert_public_and_clean(script)
    project.alembic("check")
    _write_and_read(project, db)
    project.alembic("downgrade", "base")


def test_a_migration_runs_without_the_env_py_line(
    tmp_path: Path, db: Engine, prefix: str
) -> None:
    url = db.url.render_as_string(hide_password=False)
    project = Project.create(tmp_path / "bare", url, prefix=prefix, hook=False)
    try:
        project.models(TRACKED)
        script = project.autogenerate("create")
        # models.py imports fieldstamps after Alembic: the same operations.
        assert_public_and_clean(script)
        project.alembic("upgrade", "head")
        project.alembic("check")
    finally:
        drop_tables(db, prefix)


def test_stamp_columns_and_tracked_fields_come_and_go(
    project: Project, db: Engine
) -> None:
    project.models(TRACKED)
    project.autogenerate("create")
    project.alembic("upgrade", "head")
    # A new tracked field; the changed_at() and updated_at_column() removed.
    fewer = _without_attributes(TRACKED, "name_changed_at", "name_updated_at")
    fewer = fewer.replace(
        "    email: Mapped[str | None] = mapped_column(String(60))\n",
        "    email: Mapped[str | None] = mapped_column(String(60))\n"
        "    bio: Mapped[str | None] = mapped_column(String(200))\n",
    )
    assert "name_changed_at" not in fewer and "bio" in fewer
    project.models(fewer)
    script = project.autogenerate("fewer")
    assert_public_and_clean(script)
    project.alembic("upgrade", "head")
    project.alembic("check")
    columns = {c["name"] for c in inspect(db).get_columns(f"{project.prefix}_author")}
    assert "bio" in columns and "name_changed_at" not in columns
    project.alembic("downgrade", "-1")
    columns = {c["name"] for c in inspect(db).get_columns(f"{project.prefix}_author")}
    assert {"name_changed_at", "name_updated_at"} <= columns and "bio" not in columns


def _without_attributes(source: str, *names: str) -> str:
    """``source`` without the (multi-line) class attributes ``names``."""
    kept: list[str] = []
    skipping = False
    for line in source.splitlines(keepends=True):
        if line.lstrip().startswith(tuple(f"{name}:" for name in names)):
            skipping = not line.rstrip().endswith(")")
            continue
        if skipping:
            skipping = line.rstrip() != "    )"
            continue
        kept.append(line)
    return "".join(kept)
