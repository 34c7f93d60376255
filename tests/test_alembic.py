"""Alembic, as a user runs it: a scratch project per test, ``alembic`` run as a
command in a subprocess (autogenerate, upgrade, check, downgrade), on every
backend; a migration generated on one database applied to the others; and a
table that already has rows gaining stamps."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text

from tests.conftest import BACKENDS
from tests.test_docs_adoption import ENV_LINE, readme_migration

ROOT = Path(__file__).resolve().parents[1]

PLAIN = """
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

class Base(DeclarativeBase):
    pass

class Author(Base):
    __tablename__ = "{prefix}_author"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(60))
"""

TRACKED = """
import datetime as dt
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
import fieldstamps

class Base(DeclarativeBase):
    pass

class Author(fieldstamps.TimestampMixin, fieldstamps.ChangeTrackingMixin, Base):
    __tablename__ = "{prefix}_author"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(60))
    name_changed_at: Mapped[dt.datetime | None] = fieldstamps.changed_at(
        "name", index=True
    )
    name_updated_at: Mapped[dt.datetime | None] = fieldstamps.updated_at_column(
        "name"
    )
    books: Mapped[list["Book"]] = relationship(back_populates="author")

class Book(fieldstamps.ChangeTrackingMixin, Base):
    __tablename__ = "{prefix}_book"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(50))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("{prefix}_author.id"))
    author: Mapped["Author"] = relationship(back_populates="books")
"""

ENV = """
from alembic import context
from sqlalchemy import create_engine
{hook}
import models

config = context.config
metadata = models.Base.metadata


def include_name(name, type_, parent_names):
    # The scratch database holds other tests' tables too.
    return type_ != "table" or name in metadata.tables


engine = create_engine(config.get_main_option("sqlalchemy.url"))
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        compare_server_default=True,
        include_name=include_name,
        version_table=config.get_main_option("version_table"),
    )
    with context.begin_transaction():
        context.run_migrations()
"""

INI = """
[alembic]
script_location = %(here)s/migrations
sqlalchemy.url = {url}
version_table = {version_table}
"""


@dataclass
class Project:
    """A scratch Alembic project in ``folder`` against the database at ``url``."""

    folder: Path
    url: str
    prefix: str

    @classmethod
    def create(
        cls, folder: Path, url: str, *, prefix: str, hook: bool = True
    ) -> Project:
        folder.mkdir(parents=True, exist_ok=True)
        project = cls(folder, url, prefix)
        project.alembic("init", "migrations")
        (folder / "alembic.ini").write_text(
            INI.format(url=url.replace("%", "%%"), version_table=f"{prefix}_version")
        )
        hook_line = ENV_LINE if hook else ""
        (folder / "migrations" / "env.py").write_text(ENV.format(hook=hook_line))
        return project

    def models(self, source: str) -> None:
        (self.folder / "models.py").write_text(source.format(prefix=self.prefix))

    def alembic(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "alembic", *args],
            cwd=self.folder,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PYTHONPATH": f"{self.folder}{os.pathsep}{ROOT}"},
        )
        assert result.returncode == 0, (
            f"alembic {args}:\n{result.stdout}{result.stderr}"
        )
        return result.stdout + result.stderr

    def autogenerate(self, message: str) -> str:
        self.alembic("revision", "--autogenerate", "-m", message)
        [script] = [
            path
            for path in (self.folder / "migrations" / "versions").glob("*.py")
            if message in path.name
        ]
        return script.read_text()

    def versions(self) -> Path:
        return self.folder / "migrations" / "versions"


@pytest.fixture
def prefix() -> str:
    return "ab" + uuid.uuid4().hex[:6]


@pytest.fixture
def project(tmp_path: Path, db: Engine, prefix: str) -> Iterator[Project]:
    url = db.url.render_as_string(hide_password=False)
    yield Project.create(tmp_path / "app", url, prefix=prefix)
    _drop_tables(db, prefix)


def _drop_tables(db: Engine, prefix: str) -> None:
    names = [name for name in inspect(db).get_table_names() if name.startswith(prefix)]
    with db.begin() as conn:
        # Children first: the book table refers to the author table.
        for name in sorted(names, key=lambda name: "author" in name):
            conn.execute(text(f"DROP TABLE {name}"))


def _assert_public_and_clean(script: str) -> None:
    assert "info=" not in script
    assert not re.search(r"fieldstamps\._", script), "private fieldstamps name"
    if "fieldstamps." in script.split("depends_on", 1)[1]:
        assert "import fieldstamps" in script
    compile(script, "migration", "exec")


def test_a_new_tracked_table_migrates_with_no_hand_edit(
    project: Project, db: Engine
) -> None:
    project.models(TRACKED)
    script = project.autogenerate("create")
    _assert_public_and_clean(script)
    project.alembic("upgrade", "head")
    # A second autogenerate finds nothing to do.
    project.alembic("check")
    _write_and_read(project, db)
    project.alembic("downgrade", "base")
    left = [n for n in inspect(db).get_table_names() if n.startswith(project.prefix)]
    assert left == [f"{project.prefix}_version"]


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
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=project.folder,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": f"{project.folder}{os.pathsep}{ROOT}"},
    )
    assert result.stdout.strip() == "ok", result.stderr


def test_stamps_added_to_a_table_with_rows(project: Project, db: Engine) -> None:
    project.models(PLAIN)
    project.autogenerate("plain")
    project.alembic("upgrade", "head")
    table = f"{project.prefix}_author"
    with db.begin() as conn:
        for i in range(1, 4):
            conn.execute(
                text(f"INSERT INTO {table} (id, name) VALUES (:i, :name)"),
                {"i": i, "name": f"author {i}"},
            )
    project.models(TRACKED)
    script = project.autogenerate("stamps")
    _assert_public_and_clean(script)
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
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=project.folder,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": f"{project.folder}{os.pathsep}{ROOT}"},
    )
    assert result.stdout.strip() == "ok", result.stderr


@pytest.mark.parametrize("origin", [backend.id for backend in BACKENDS])
def test_a_migration_generated_on_one_database_runs_on_another(
    origin: str,
    project: Project,
    db: Engine,
    backend_urls: dict[str, str],
    tmp_path: Path,
) -> None:
    """``project`` is the database the migration runs on; it is generated
    against ``origin``'s, in a project of its own."""
    generated_on = Project.create(
        tmp_path / "origin", backend_urls[origin], prefix=project.prefix
    )
    generated_on.models(TRACKED)
    script = generated_on.autogenerate("create")
    _assert_public_and_clean(script)
    project.models(TRACKED)
    shutil.rmtree(project.versions())
    shutil.copytree(generated_on.versions(), project.versions())
    project.alembic("upgrade", "head")
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
        _assert_public_and_clean(script)
        project.alembic("upgrade", "head")
        project.alembic("check")
    finally:
        _drop_tables(db, prefix)


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
    _assert_public_and_clean(script)
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
