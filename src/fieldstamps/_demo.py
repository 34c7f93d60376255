"""``fieldstamps demo``: the seed post's sessions, replayed and checked.

Each step is a function whose docstring is the step's title and whose body is
the code printed for it, so the demo shows exactly what it ran.
"""

from __future__ import annotations

import ast
import datetime as dt
import inspect
import json
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from sqlalchemy import Engine, cast, create_engine, make_url, select, update
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.types import String, Text

from . import ChangeTrackingMixin, TimestampMixin, changed_at
from ._errors import FieldstampsError, UnsupportedDatabaseError

#: Long enough for SQLite's millisecond clock to show two steps apart.
PAUSE_SECONDS = 0.05
NAME, FULLNAME = 'get_updated_at("name")', 'get_updated_at("fullname")'
Stamps = dict[str, dt.datetime | None]


class Base(DeclarativeBase):
    # A registry of its own: create_all/drop_all then touch only the demo's
    # table, whatever else the database (or the process) holds.
    pass


class User(TimestampMixin, ChangeTrackingMixin, Base):
    __tablename__ = "fieldstamps_demo_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30))
    fullname: Mapped[str | None] = mapped_column(String(100))
    name_changed_at: Mapped[dt.datetime | None] = changed_at("name")


TABLE_NAME = User.__tablename__
user_table = Base.metadata.tables[TABLE_NAME]


class DemoError(FieldstampsError):
    """The database cannot be used; the message is one line for the user."""


def create(session: Session) -> User:
    """Create spongebob. Seed flaw 1: each field got its own client time."""
    spongebob = User(name="spongebob", fullname="Spongebob Squarepants")
    session.add(spongebob)
    session.commit()
    return spongebob


def rename(engine: Engine, session: Session, spongebob: User) -> None:
    """Rename: every field changed by one commit carries one instant."""
    spongebob.name = "Spongebob"
    session.commit()


def update_name(engine: Engine, session: Session, spongebob: User) -> None:
    """An update() statement. Seed flaw 2: it bypassed __setattr__."""
    session.execute(update(User).values(name="SpongeBob"))
    session.commit()
    session.refresh(spongebob)


def update_name_again(engine: Engine, session: Session, spongebob: User) -> None:
    """The same statement again: the row is written, but the name did not change."""
    session.execute(update(User).values(name="SpongeBob"))
    session.commit()
    session.refresh(spongebob)


def update_in_core(engine: Engine, session: Session, spongebob: User) -> None:
    """A Core UPDATE of user_table (User.__table__), outside the ORM session."""
    with engine.begin() as conn:
        conn.execute(update(user_table).values(fullname="SpongeBob SquarePants"))
    session.refresh(spongebob)


def read_changes(engine: Engine) -> str | None:
    """The changes column as stored, read back as text."""
    with engine.connect() as conn:
        return conn.scalar(select(cast(User.changes, Text)))


#: The writes (one signature, so one loop runs them) and the stamps each must
#: move to one new instant; every other stamp must keep its instant.
WRITES: tuple[tuple[Callable[[Engine, Session, User], None], tuple[str, ...]], ...] = (
    (rename, ("updated_at", NAME, "name_changed_at")),
    (update_name, ("updated_at", NAME, "name_changed_at")),
    (update_name_again, ("updated_at",)),
    (update_in_core, ("updated_at", FULLNAME)),
)


@dataclass(frozen=True)
class Check:
    label: str
    passed: bool
    detail: str  # the stamps it is about, or the shape expected


@dataclass(frozen=True)
class Step:
    title: str  # the docstring of the step's function
    code: str  # the body of that function
    checks: tuple[Check, ...]
    values: dict[str, str | None]  # the row's values after a write, or what was read
    stamps: Stamps  # keyed by the expression that reads each; none for a read


@dataclass(frozen=True)
class DemoResult:
    where: str
    steps: tuple[Step, ...]

    @property
    def passed(self) -> bool:
        return all(check.passed for step in self.steps for check in step.checks)


def listing(fn: Callable[..., object]) -> tuple[str, str]:
    """A step's title and code: ``fn``'s docstring, and its body after that."""
    source = textwrap.dedent(inspect.getsource(fn))
    function = ast.parse(source).body[0]
    assert isinstance(function, ast.FunctionDef)
    title = ast.get_docstring(function)
    assert title, f"{fn.__name__}: a step's docstring is its title"
    body = source.splitlines()[function.body[0].end_lineno :]
    return title, textwrap.dedent("\n".join(body)).strip("\n")


def _load(session: Session, user: User) -> tuple[dict[str, str | None], Stamps]:
    values: dict[str, str | None] = {"name": user.name, "fullname": user.fullname}
    stamps: Stamps = {
        "created_at": user.created_at,
        "updated_at": user.updated_at,
        NAME: user.get_updated_at("name"),
        FULLNAME: user.get_updated_at("fullname"),
        "name_changed_at": user.name_changed_at,
    }
    # End the read transaction: on PostgreSQL now() is the transaction's start,
    # and MariaDB's REPEATABLE READ would keep showing this row to the next step.
    session.commit()
    return values, stamps


def _later(now: dt.datetime | None, before: dt.datetime | None) -> bool:
    return now is not None and before is not None and now > before


def _checks(now: Stamps, before: Stamps, moved: tuple[str, ...]) -> tuple[Check, ...]:
    checks = []
    if before:  # the first step has nothing to compare with
        kept = [key for key in now if key not in moved]
        later = all(_later(now[key], before[key]) for key in moved)
        checks.append(Check("moved", later, ", ".join(moved)))
        same = all(now[key] == before[key] for key in kept)
        checks.append(Check("kept", same, ", ".join(kept)))
    if len(moved) > 1:  # one stamp alone is trivially one instant
        instants = {now[key] for key in moved}
        passed = len(instants) == 1 and None not in instants
        detail = "every stamp" if len(moved) == len(now) else " = ".join(moved)
        checks.append(Check("same instant", passed, detail))
    return tuple(checks)


def _seed_shaped(stored: str | None) -> bool:
    changes = json.loads(stored) if stored is not None else None
    if not isinstance(changes, dict) or set(changes) != {"name", "fullname"}:
        return False
    return all(
        isinstance(entry, dict) and set(entry) == {"value", "updated_at"}
        for entry in changes.values()
    )


def _steps(engine: Engine, session: Session) -> Iterator[Step]:
    spongebob = create(session)
    values, before = _load(session, spongebob)
    yield Step(*listing(create), _checks(before, {}, tuple(before)), values, before)
    for write, moves in WRITES:
        time.sleep(PAUSE_SECONDS)
        write(engine, session, spongebob)
        values, now = _load(session, spongebob)
        yield Step(*listing(write), _checks(now, before, moves), values, now)
        before = now
    stored = read_changes(engine)
    shape = '{field: {"value": ..., "updated_at": ...}}'
    check = Check("seed's shape", _seed_shaped(stored), shape)
    yield Step(*listing(read_changes), (check,), {"changes": stored}, {})


def run(engine: Engine, where: str | None = None) -> DemoResult:
    """Replay the steps on ``engine``; only the demo's own table is touched."""
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    try:
        with Session(engine) as session:
            steps = tuple(_steps(engine, session))
    finally:
        Base.metadata.drop_all(engine)
    return DemoResult(where or engine.url.render_as_string(hide_password=True), steps)


def render(result: DemoResult, out: TextIO) -> None:
    """Print ``result`` for a reader: each step's code, then its stamps and checks."""
    out.writelines(f"{line}\n" for line in _lines(result))


def _lines(result: DemoResult) -> Iterator[str]:
    yield f"fieldstamps demo on {result.where}\n\n{inspect.getsource(User).rstrip()}"
    width = max(len(key) for step in result.steps for key in step.stamps)
    row = f"   {{:{width}}}  {{:26}}  {{:6}}  {{}}"
    value_of = {NAME: "name", FULLNAME: "fullname"}
    before: Stamps = {}
    for number, step in enumerate(result.steps, 1):
        yield f"\n{number}. {step.title}\n\n{textwrap.indent(step.code, ' ' * 7)}\n"
        if step.stamps:
            yield row.format("stamp", "instant (UTC)", "change", "value")
            yield row.format("-" * width, "-" * 26, "-" * 6, "-" * 5)
        else:  # a step that only read: show what it read
            yield from (f"   {value}" for value in step.values.values())
        for key, at in step.stamps.items():
            change = "new" if not before else "kept" if before[key] == at else "moved"
            # Six fraction digits on every backend keep the column aligned.
            instant = (
                f"{at.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S.%f}" if at else "(none)"
            )
            value = step.values.get(value_of.get(key, ""))
            yield row.format(key, instant, change, value or "").rstrip()
        before = step.stamps or before
        yield ""
        for check in step.checks:
            passed = "yes" if check.passed else "NO"
            yield f"   {check.label}: {passed}  ({check.detail})"
    checks = [(n, c) for n, step in enumerate(result.steps, 1) for c in step.checks]
    failed = [
        f"  - step {n}: {c.label} ({c.detail})" for n, c in checks if not c.passed
    ]
    if failed:
        yield from ("", f"{len(failed)} of {len(checks)} checks FAILED:", *failed)
    else:
        yield (
            f"\nAll {len(checks)} checks passed: one server instant per write, "
            "equal to updated_at, on every write path."
        )


def _reason(exc: BaseException) -> str:
    # The driver's own message, without SQLAlchemy's "(Background on this
    # error at ...)" line or the SQL it was running.
    source = exc.orig if isinstance(exc, DBAPIError) and exc.orig else exc
    lines = [line.strip() for line in str(source).splitlines() if line.strip()]
    return lines[0] if lines else type(source).__name__


def connect(url: str) -> Engine:
    """An engine on ``url`` that has answered once; DemoError if it cannot."""
    shown = url  # until it parses; then without its password
    try:
        shown = make_url(url).render_as_string(hide_password=True)
        engine = create_engine(url)
    except ImportError as exc:
        why = f"its driver is not installed ({_reason(exc)})"
        raise DemoError(f"cannot use --url {shown}: {why}") from exc
    except SQLAlchemyError as exc:
        raise DemoError(f"cannot use --url {shown}: {_reason(exc)}") from exc
    if engine.dialect.name not in UnsupportedDatabaseError.SUPPORTED:
        engine.dispose()
        raise DemoError(str(UnsupportedDatabaseError(engine.dialect.name)))
    try:
        with engine.connect():
            pass
    except (SQLAlchemyError, ImportError, OSError) as exc:
        engine.dispose()
        raise DemoError(f"cannot connect to {shown}: {_reason(exc)}") from exc
    return engine


def run_demo(url: str | None) -> DemoResult:
    """Run on ``url``, or on a temporary SQLite file when None."""
    with tempfile.TemporaryDirectory(prefix="fieldstamps-demo-") as folder:
        engine = connect(url or f"sqlite:///{Path(folder) / 'demo.db'}")
        try:
            return run(engine, None if url else "a temporary SQLite file")
        finally:
            engine.dispose()
