"""A scratch Alembic project, run as a user runs it: ``alembic`` as a command
in a subprocess, models in a ``models.py`` of its own, tables named with a
prefix of the test's own in a database other tests share."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, inspect, text

from tests.test_docs_adoption import ENV_LINE

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
    # The scratch database holds other tests' tables too; this project's
    # carry its prefix (a table dropped from the models included).
    prefix = config.get_main_option("version_table").removesuffix("version")
    return type_ != "table" or name.startswith(prefix)


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

    def run_python(self, code: str) -> None:
        """Run ``code`` in a fresh interpreter in the project (``import
        models`` works); it must print ``ok``."""
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=self.folder,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PYTHONPATH": f"{self.folder}{os.pathsep}{ROOT}"},
        )
        assert result.stdout.strip() == "ok", result.stderr

    def run_migration_generated_on(self, url: str, source: str) -> str:
        """Generate the migration of ``source``'s models against the
        database at ``url``, in a project of its own, then upgrade this
        project's database with it; returns the migration."""
        origin = Project.create(self.folder.parent / "origin", url, prefix=self.prefix)
        origin.models(source)
        script = origin.autogenerate("create")
        self.models(source)
        shutil.rmtree(self.versions())
        shutil.copytree(origin.versions(), self.versions())
        self.alembic("upgrade", "head")
        return script

    def autogenerate_from(self, source: str, message: str) -> str:
        """Models from ``source`` (``{prefix}`` filled in) and the migration
        autogenerated for them."""
        self.models(source)
        return self.autogenerate(message)

    def migrate(self, source: str, message: str) -> str:
        """Models from ``source``, a migration autogenerated for them, and
        the database upgraded to it; returns the migration."""
        script = self.autogenerate_from(source, message)
        self.alembic("upgrade", "head")
        return script


def drop_tables(db: Engine, prefix: str) -> None:
    names = [name for name in inspect(db).get_table_names() if name.startswith(prefix)]
    with db.begin() as conn:
        # Children first: the book table refers to the author table.
        for name in sorted(names, key=lambda name: "author" in name):
            conn.execute(text(f"DROP TABLE {name}"))


def assert_public_and_clean(script: str) -> None:
    assert "info=" not in script
    assert not re.search(r"fieldstamps\._", script), "private fieldstamps name"
    if "fieldstamps." in script.split("depends_on", 1)[1]:
        assert "import fieldstamps" in script
    compile(script, "migration", "exec")


def insert_authors(db: Engine, table: str, count: int = 3) -> None:
    """Rows in an author table that has no stamps yet."""
    with db.begin() as conn:
        for i in range(1, count + 1):
            conn.execute(
                text(f"INSERT INTO {table} (id, name) VALUES (:i, :name)"),
                {"i": i, "name": f"author {i}"},
            )
