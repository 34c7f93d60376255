"""A replay of the seed post's sessions that prints every stamp after each step.

Run it on a throwaway SQLite file, or on a server of your own::

    python -m fieldstamps demo
    python -m fieldstamps demo --url postgresql+psycopg://postgres@127.0.0.1/test
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from sqlalchemy import (
    Engine,
    String,
    Table,
    Text,
    cast,
    create_engine,
    make_url,
    select,
    update,
)
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from ._errors import FieldstampsError, UnsupportedDatabaseError
from ._model import ChangeTrackingMixin, TimestampMixin, changed_at

TABLE_NAME = "fieldstamps_demo_user"

#: Long enough for SQLite's millisecond clock to show two steps apart.
PAUSE_SECONDS = 0.05


class _Base(DeclarativeBase):
    # A registry of its own: create_all/drop_all then touch only the demo's
    # table, whatever else the database (or the process) holds.
    pass


class User(TimestampMixin, ChangeTrackingMixin, _Base):
    """The seed post's ``User``, plus one ``changed_at()`` column."""

    __tablename__ = TABLE_NAME

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30))
    fullname: Mapped[str | None] = mapped_column(String(100))
    name_changed_at: Mapped[dt.datetime | None] = changed_at("name")


class DemoError(FieldstampsError):
    """The database cannot be used; the message is one line for the user."""


# -- plain-text output ---------------------------------------------------------------


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Left-aligned columns under a dashed rule, two spaces apart."""
    widths = [len(header) for header in headers]
    for row in rows:
        widths = [
            max(width, len(cell)) for width, cell in zip(widths, row, strict=True)
        ]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.ljust(width) for cell, width in zip(cells, widths, strict=True)
        ).rstrip()

    return [line(headers), line(["-" * width for width in widths])] + [
        line(row) for row in rows
    ]


def format_instant(value: dt.datetime | None) -> str:
    if value is None:
        return "(none)"
    # Six fraction digits on every backend keep the column aligned; SQLite's
    # last three are always zero.
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


# -- what one step shows -------------------------------------------------------------


@dataclass(frozen=True)
class Stamp:
    label: str
    value: str
    instant: dt.datetime | None


@dataclass(frozen=True)
class Snapshot:
    """Every stamp of the demo row, as loaded after one step."""

    created_at: Stamp
    updated_at: Stamp
    name: Stamp
    fullname: Stamp
    name_changed_at: Stamp

    @classmethod
    def of(cls, user: User) -> Snapshot:
        return cls(
            created_at=Stamp("created_at", "", user.created_at),
            updated_at=Stamp("updated_at", "", user.updated_at),
            name=Stamp(
                'get_updated_at("name")', user.name, user.get_updated_at("name")
            ),
            fullname=Stamp(
                'get_updated_at("fullname")',
                user.fullname or "",
                user.get_updated_at("fullname"),
            ),
            name_changed_at=Stamp("name_changed_at", "", user.name_changed_at),
        )

    def __iter__(self) -> Iterator[Stamp]:
        yield from (
            self.created_at,
            self.updated_at,
            self.name,
            self.fullname,
            self.name_changed_at,
        )


def _movement(now: Stamp, before: Stamp | None) -> str:
    if before is None:
        return "new"
    return "kept" if now.instant == before.instant else "moved"


class Demo:
    """Runs the steps against one engine, printing to ``out``."""

    def __init__(self, engine: Engine, out: TextIO) -> None:
        self.engine = engine
        self.out = out
        self.checks = 0
        self.failures: list[str] = []
        self.steps = 0
        self.previous: Snapshot | None = None

    def say(self, text: str = "") -> None:
        print(text, file=self.out)

    def step(self, title: str, code: Sequence[str]) -> None:
        self.steps += 1
        self.say()
        self.say(f"{self.steps}. {title}")
        for line in code:
            prompt = "..." if line.startswith(" ") else ">>>"
            self.say(f"   {prompt} {line}")

    def check(self, label: str, ok: bool, why: str) -> None:
        self.checks += 1
        if not ok:
            self.failures.append(f"step {self.steps}: {label}")
        self.say(f"   {label}: {'yes' if ok else 'NO'}  ({why})")

    def rename_with_update_statement(
        self, session: Session, user: User, title: str
    ) -> Snapshot:
        """The seed's own bulk statement, shown and run."""
        self.step(
            title,
            [
                'session.execute(update(User).values(name="SpongeBob"))',
                "session.commit()",
                "session.refresh(spongebob)",
            ],
        )
        session.execute(update(User).values(name="SpongeBob"))
        session.commit()
        session.refresh(user)
        return self.show(session, user)

    def show(self, session: Session, user: User) -> Snapshot:
        snapshot = Snapshot.of(user)
        # End the read transaction: on PostgreSQL now() is the transaction's
        # start, and MariaDB's REPEATABLE READ would keep showing this
        # snapshot after the next writer.
        session.commit()
        before = {stamp.label: stamp for stamp in self.previous or ()}
        rows = [
            [
                stamp.label,
                stamp.value,
                format_instant(stamp.instant),
                _movement(stamp, before.get(stamp.label)),
            ]
            for stamp in snapshot
        ]
        self.say()
        for line in format_table(["stamp", "value", "instant (UTC)", "change"], rows):
            self.say("   " + line)
        self.say()
        self.previous = snapshot
        return snapshot

    def run(self) -> bool:
        _Base.metadata.drop_all(self.engine)
        _Base.metadata.create_all(self.engine)
        try:
            with Session(self.engine) as session:
                self._steps(session)
        finally:
            _Base.metadata.drop_all(self.engine)
        self.say()
        if self.failures:
            self.say(f"{len(self.failures)} of {self.checks} checks FAILED:")
            for failure in self.failures:
                self.say(f"  - {failure}")
            return False
        self.say(
            f"All {self.checks} checks passed: one server instant per write, "
            "equal to updated_at, on every write path."
        )
        return True

    def _steps(self, session: Session) -> None:
        self.step(
            "Create spongebob. Seed flaw 1: each field got its own client time.",
            [
                'spongebob = User(name="spongebob", fullname="Spongebob Squarepants")',
                "session.add(spongebob)",
                "session.commit()",
            ],
        )
        spongebob = User(name="spongebob", fullname="Spongebob Squarepants")
        session.add(spongebob)
        session.commit()
        s1 = self.show(session, spongebob)
        self.check(
            "same instant",
            len({stamp.instant for stamp in s1}) == 1,
            "created_at = updated_at = every field's stamp",
        )

        time.sleep(PAUSE_SECONDS)
        self.step(
            "Rename: every field changed by one commit carries one instant.",
            ['spongebob.name = "Spongebob"', "session.commit()"],
        )
        spongebob.name = "Spongebob"
        session.commit()
        s2 = self.show(session, spongebob)
        self.check(
            "same instant",
            s2.name.instant == s2.name_changed_at.instant == s2.updated_at.instant,
            "name stamp = name_changed_at = updated_at",
        )
        self.check(
            "name stamp moved",
            s2.name.instant != s1.name.instant,
            "the value changed",
        )
        self.check(
            "fullname stamp unchanged",
            s2.fullname.instant == s1.fullname.instant,
            "fullname was not written",
        )

        time.sleep(PAUSE_SECONDS)
        s3 = self.rename_with_update_statement(
            session,
            spongebob,
            "An update() statement. Seed flaw 2: it bypassed __setattr__.",
        )
        self.check(
            "name stamp moved",
            s3.name.instant is not None
            and s2.name.instant is not None
            and s3.name.instant > s2.name.instant,
            "update() is stamped too",
        )
        self.check(
            "same instant",
            s3.name.instant == s3.name_changed_at.instant == s3.updated_at.instant,
            "name stamp = name_changed_at = updated_at",
        )
        self.check(
            "fullname stamp unchanged",
            s3.fullname.instant == s2.fullname.instant,
            "untouched fields keep their stamps",
        )

        time.sleep(PAUSE_SECONDS)
        s4 = self.rename_with_update_statement(
            session,
            spongebob,
            "Write the same value again: a statement ran, nothing changed.",
        )
        self.check(
            "updated_at moved",
            s4.updated_at.instant != s3.updated_at.instant,
            "the row was written",
        )
        self.check(
            "name stamp unchanged",
            s4.name.instant == s3.name.instant
            and s4.name_changed_at.instant == s3.name_changed_at.instant,
            "writing the same value is not a change",
        )

        time.sleep(PAUSE_SECONDS)
        self.step(
            "A Core statement on a connection, outside the ORM session.",
            [
                "with engine.begin() as conn:",
                "    conn.execute(update(User.__table__)"
                '.values(fullname="SpongeBob SquarePants"))',
                "session.refresh(spongebob)",
            ],
        )
        table = User.__table__
        assert isinstance(table, Table)  # typed as FromClause; narrows for update()
        with self.engine.begin() as conn:
            conn.execute(update(table).values(fullname="SpongeBob SquarePants"))
        session.refresh(spongebob)
        s5 = self.show(session, spongebob)
        self.check(
            "fullname stamp moved",
            s5.fullname.instant != s4.fullname.instant,
            "Core writes are captured",
        )
        self.check(
            "same instant",
            s5.fullname.instant == s5.updated_at.instant,
            "fullname stamp = updated_at",
        )
        self.check(
            "name stamps unchanged",
            s5.name.instant == s4.name.instant
            and s5.name_changed_at.instant == s4.name_changed_at.instant,
            "name was not written",
        )

        self.step(
            "The changes column as stored, read back as text.",
            ["conn.scalar(select(cast(User.changes, Text)))"],
        )
        with self.engine.connect() as conn:
            stored = conn.scalar(select(cast(User.changes, Text)))
        self.say()
        self.say(f"   {stored}")
        self.say()
        parsed = json.loads(stored) if isinstance(stored, str) else None
        self.check(
            "seed's shape",
            isinstance(parsed, dict)
            and set(parsed) == {"name", "fullname"}
            and all(
                isinstance(entry, dict) and set(entry) == {"value", "updated_at"}
                for entry in parsed.values()
            ),
            '{field: {"value": ..., "updated_at": "<ISO-8601>"}}',
        )


# -- connecting ------------------------------------------------------------------------


def _reason(exc: BaseException) -> str:
    # The driver's own message, without SQLAlchemy's "(Background on this
    # error at ...)" line or the SQL it was running.
    source = exc.orig if isinstance(exc, DBAPIError) and exc.orig else exc
    lines = [line.strip() for line in str(source).splitlines() if line.strip()]
    return lines[0] if lines else type(source).__name__


def _shown(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def connect(url: str) -> Engine:
    """An engine on ``url`` that has answered once; DemoError if it cannot."""
    try:
        engine = create_engine(url)
    except ImportError as exc:
        raise DemoError(
            f"cannot use --url {_shown(url)}: its driver is not installed "
            f"({_reason(exc)})"
        ) from exc
    except SQLAlchemyError as exc:
        raise DemoError(f"cannot use --url {_shown(url)}: {_reason(exc)}") from exc
    if engine.dialect.name not in UnsupportedDatabaseError.SUPPORTED:
        engine.dispose()
        raise DemoError(str(UnsupportedDatabaseError(engine.dialect.name)))
    try:
        with engine.connect():
            pass
    except (SQLAlchemyError, ImportError, OSError) as exc:
        engine.dispose()
        raise DemoError(f"cannot connect to {_shown(url)}: {_reason(exc)}") from exc
    return engine


def run_demo(url: str | None, out: TextIO) -> bool:
    """Replay the seed's sessions on ``url`` (a temporary SQLite file when None).

    Returns whether every check passed; raises :class:`DemoError` when the
    database cannot be used.
    """
    with ExitStack() as stack:
        if url is None:
            folder = stack.enter_context(
                tempfile.TemporaryDirectory(prefix="fieldstamps-demo-")
            )
            url = f"sqlite:///{Path(folder) / 'demo.db'}"
            where = "a temporary SQLite file"
        else:
            where = _shown(url)
        engine = connect(url)
        stack.callback(engine.dispose)
        print(f"fieldstamps demo on {where}, table {TABLE_NAME}", file=out)
        print("   class User(TimestampMixin, ChangeTrackingMixin, Base):", file=out)
        print(
            '       id, name, fullname; name_changed_at = changed_at("name")', file=out
        )
        passed = Demo(engine, out).run()
    return passed
