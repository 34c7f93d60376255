"""The ``fieldstamps`` command: ``fieldstamps demo [--url URL]``,
``fieldstamps backfill MODULE:Model --url URL --at AT``, the trigger commands
``fieldstamps sql|check|install MODULE:ATTR``,
``fieldstamps history MODULE:Model PK --url URL`` and ``--version``."""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import sys
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from sqlalchemy import MetaData, Table

    from ._triggers import Drift


class _VersionAction(argparse.Action):
    """``--version``, read from the installed distribution when asked.

    Not argparse's ``version=`` string: that is computed for every run, so a
    source tree without metadata could not even run ``demo``. The metadata is
    what pip installed, so the number shown is the one a bug report needs.
    """

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any):
        super().__init__(
            option_strings,
            dest=argparse.SUPPRESS,
            default=argparse.SUPPRESS,
            nargs=0,
            help="print the installed fieldstamps version and exit",
        )

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        try:
            version = metadata.version("fieldstamps")
        except metadata.PackageNotFoundError:
            parser.exit(
                1,
                "fieldstamps: no installed distribution to read the version from "
                "(run from a source tree? pip install -e . first)\n",
            )
        print(f"fieldstamps {version}")
        parser.exit(0)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fieldstamps",
        description="Per-field change stamps for SQLAlchemy, set by the database.",
    )
    parser.add_argument("--version", action=_VersionAction)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = commands.add_parser(
        "demo",
        help="replay the seed post's sessions and show the stamps after each step",
        description=(
            "Replay the seed post's sessions (create, rename, update(), a no-op "
            "write, a Core update) and print every stamp after each step. Only "
            "the table fieldstamps_demo_user is created and dropped."
        ),
    )
    demo.add_argument(
        "--url",
        help=(
            "SQLAlchemy database URL, e.g. "
            "postgresql+psycopg://postgres@127.0.0.1/test "
            "(default: a temporary SQLite file)"
        ),
    )
    backfill = commands.add_parser(
        "backfill",
        help="fill the stamps and values that rows from before tracking lack",
        description=(
            "Fill what rows written before fieldstamps tracked the table lack "
            "(changes entries, NULL changed_at() columns), one committed "
            "batch at a time, in primary-key order; never overwrites a stamp, "
            "moves no updated_at, and resumes where an interrupted run "
            "stopped. Progress goes to stderr."
        ),
    )
    backfill.add_argument(
        "model",
        metavar="MODULE:Model",
        help=(
            "the mapped class, e.g. myapp.models:User (imported with the "
            "current directory on the import path)"
        ),
    )
    backfill.add_argument("--url", required=True, help="SQLAlchemy database URL")
    backfill.add_argument(
        "--at",
        required=True,
        help=(
            "where stamps come from: updated_at or created_at (that column of "
            "each row), an ISO-8601 datetime with a zone "
            "(2024-01-31T12:00:00Z), or none (values only, stamps unknown)"
        ),
    )
    backfill.add_argument(
        "--batch-size",
        type=_positive_int,
        default=10_000,
        help="rows per committed batch (default: %(default)s)",
    )
    target_help = (
        "a declarative base, a MetaData or a model class, e.g. "
        "myapp.models:Base (imported with the current directory on the "
        "import path)"
    )
    sql = commands.add_parser(
        "sql",
        help="print the install SQL of every table whose class asks for triggers",
        description=(
            "Print, as one script for the database's console, the SQL that "
            "installs the triggers of every table whose class sets "
            "__fieldstamps__ = {'triggers': True}."
        ),
    )
    sql.add_argument("target", metavar="MODULE:ATTR", help=target_help)
    sql.add_argument(
        "--dialect",
        required=True,
        choices=["postgresql", "sqlite", "mariadb", "mysql"],
        help="the database the SQL is for",
    )
    check = commands.add_parser(
        "check",
        help="compare the installed triggers with the models (exit 1 on drift)",
        description=(
            "Read the database's catalog and list each table whose fieldstamps "
            "triggers are missing, outdated, modified by hand, orphaned or "
            "disabled. Exit status 0 when all is as declared, 1 on drift."
        ),
    )
    check.add_argument("target", metavar="MODULE:ATTR", help=target_help)
    check.add_argument("--url", required=True, help="SQLAlchemy database URL")
    install = commands.add_parser(
        "install",
        help="install or replace the triggers that check reports, drop orphans",
        description=(
            "Install the triggers that are missing, replace those outdated, "
            "modified or disabled, and remove orphaned ones, in one "
            "transaction where the database has transactional DDL. Running "
            "it again changes nothing."
        ),
    )
    install.add_argument("target", metavar="MODULE:ATTR", help=target_help)
    install.add_argument("--url", required=True, help="SQLAlchemy database URL")
    history = commands.add_parser(
        "history",
        help="print the recorded changes of one row, newest first",
        description=(
            "Print the history of one row of a class with "
            "__fieldstamps__ = {'history': True}: when, which field, the "
            "operation, the old and new value, who and why, newest first. "
            "The row may have been deleted."
        ),
    )
    history.add_argument(
        "model",
        metavar="MODULE:Model",
        help="the mapped class, e.g. myapp.models:User",
    )
    history.add_argument(
        "pk",
        metavar="PK",
        help="the row's primary key; comma-separated for a composite key",
    )
    history.add_argument("--url", required=True, help="SQLAlchemy database URL")
    history.add_argument("--field", help="only this field's changes")
    history.add_argument(
        "--since",
        type=_aware_datetime,
        help="only changes at or after this ISO-8601 time with a zone",
    )
    return parser


def _aware_datetime(text: str) -> dt.datetime:
    try:
        instant = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO-8601 time: {text!r}") from None
    if instant.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"{text} needs a zone (Z or +HH:MM): without one the instant would "
            "be a guess"
        )
    return instant


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


class _UsageError(Exception):
    """A command-line argument cannot be used; the message is for the user."""


def _parse_at(text: str) -> str | dt.datetime | None:
    if text.lower() == "none":
        return None
    try:
        instant = dt.datetime.fromisoformat(text)
    except ValueError:
        return text  # a column name; backfill() checks it
    if instant.tzinfo is None:
        raise _UsageError(
            f"--at {text}: a datetime needs a zone (Z or +HH:MM): "
            "without one the instant would be a guess"
        )
    return instant


def _load_model(spec: str, shape: str = "MODULE:Model, e.g. myapp.models:User") -> Any:
    module_name, _, path = spec.partition(":")
    if not module_name or not path:
        raise _UsageError(f"{spec!r} is not {shape}")
    # Like `python -m`: the application's package is where the command runs.
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        target: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise _UsageError(f"cannot import {module_name!r}: {exc}") from None
    for name in path.split("."):
        try:
            target = getattr(target, name)
        except AttributeError:
            raise _UsageError(f"{module_name!r} has no {path!r}") from None
    return target


def _load_scope(spec: str) -> MetaData | Table:
    """The MetaData a declarative base or MetaData names, or a model class's
    Table: a class checks its own table only."""
    from sqlalchemy import MetaData, Table

    target = _load_model(spec, "MODULE:ATTR, e.g. myapp.models:Base")
    if isinstance(target, MetaData | Table):
        return target
    table = getattr(target, "__table__", None)
    if isinstance(table, Table):
        return table
    metadata = getattr(target, "metadata", None)
    if isinstance(metadata, MetaData):
        return metadata
    raise _UsageError(
        f"{spec} is {target!r}, not a declarative base, a MetaData or a model class"
    )


def _sql(args: argparse.Namespace) -> int:
    from sqlalchemy import Table

    from ._triggers import install_script

    try:
        scope = _load_scope(args.target)
    except _UsageError as exc:
        print(f"fieldstamps sql: {exc}", file=sys.stderr)
        return 2
    tables = [scope] if isinstance(scope, Table) else scope.sorted_tables
    script = install_script(tables, args.dialect)
    if not script:
        print(
            f"fieldstamps sql: no class of {args.target} asks for triggers",
            file=sys.stderr,
        )
        return 1
    sys.stdout.write(script)
    return 0


def drift_table(drifts: Sequence[Drift]) -> str:
    """``drifts`` as a plain-text table, one row each."""
    return _plain_table(
        [("table", "status", "expected", "installed")]
        + [
            (d.table, d.status, d.expected_hash or "-", d.installed_hash or "-")
            for d in drifts
        ]
    )


def _plain_table(rows: Sequence[Sequence[str]]) -> str:
    """``rows`` (the first the header) in columns as wide as their cells."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "".join(
        "  ".join(
            cell.ljust(width) for cell, width in zip(row, widths, strict=True)
        ).rstrip()
        + "\n"
        for row in rows
    )


def _check_or_install(args: argparse.Namespace) -> int:
    from sqlalchemy import create_engine
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from ._errors import FieldstampsError
    from ._triggers import check, install

    name = f"fieldstamps {args.command}"
    try:
        scope = _load_scope(args.target)
        engine = create_engine(args.url)
    except (_UsageError, ArgumentError) as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 2
    try:
        if args.command == "check":
            with engine.connect() as conn:
                drifts = check(conn, scope)
        else:
            with engine.begin() as conn:
                drifts = install(conn, scope)
    except (FieldstampsError, SQLAlchemyError) as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    if args.command == "check":
        if not drifts:
            print("fieldstamps triggers are as declared")
            return 0
        sys.stdout.write(drift_table(drifts))
        return 1
    if drifts:
        sys.stdout.write("repaired:\n" + drift_table(drifts))
    else:
        print("nothing to do: fieldstamps triggers are as declared")
    return 0


class ProgressBar:
    """``progress`` for :func:`~fieldstamps.backfill`, drawn as plain text.

    On a terminal one line is redrawn in place; elsewhere (a log, a pipe) a
    line is written at most every ``interval`` seconds, and for the last
    batch.
    """

    WIDTH = 30

    def __init__(
        self,
        stream: TextIO,
        *,
        interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.interval = 0.1 if self.tty else interval
        self.clock = clock
        self.started = clock()
        self.shown: float | None = None
        self.done = self.total = 0

    def __call__(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        now = self.clock()
        if self.shown is None or now - self.shown >= self.interval or done >= total:
            self.shown = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        elapsed = now - self.started
        share = min(self.done / self.total, 1.0) if self.total else 1.0
        bar = "#" * int(self.WIDTH * share)
        line = f"[{bar:.<{self.WIDTH}}] {share:4.0%} {self.done:,}/{self.total:,} rows"
        if elapsed > 0 and self.done:
            rate = self.done / elapsed
            line += f", {rate:,.0f} rows/s"
            if self.done < self.total:
                line += f", {(self.total - self.done) / rate:,.0f} s left"
        if self.tty:
            self.stream.write(f"\r{line}\x1b[K")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        """End the redrawn line, so that what follows starts on its own."""
        if self.tty and self.shown is not None:
            self.stream.write("\n")
            self.stream.flush()


def _backfill(args: argparse.Namespace) -> int:
    from sqlalchemy import create_engine
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from ._backfill import backfill
    from ._errors import FieldstampsError

    try:
        at = _parse_at(args.at)
        model = _load_model(args.model)
        engine = create_engine(args.url)
    except (_UsageError, ArgumentError) as exc:
        print(f"fieldstamps backfill: {exc}", file=sys.stderr)
        return 2
    bar = ProgressBar(sys.stderr)
    try:
        with engine.connect() as conn:
            filled = backfill(
                conn, model, at=at, batch_size=args.batch_size, progress=bar
            )
    except FieldstampsError as exc:
        bar.close()
        print(f"fieldstamps backfill: {exc}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        bar.close()
        print(
            f"fieldstamps backfill: stopped after {bar.done:,} rows: {exc}\n"
            "The batches committed before stay filled; run the same command "
            "again to resume.",
            file=sys.stderr,
        )
        return 1
    finally:
        engine.dispose()
    bar.close()
    seconds = time.monotonic() - bar.started
    print(f"filled {filled:,} of {bar.done:,} rows in {seconds:.1f} s")
    return 0


def _primary_key(model: Any, text: str) -> object:
    """``text`` as ``model``'s primary-key value: each part converted to its
    column's Python type, a tuple for a composite key."""
    from sqlalchemy import inspect
    from sqlalchemy.orm import Mapper

    mapper = inspect(model, raiseerr=False)
    if not isinstance(mapper, Mapper):
        raise _UsageError(f"{model!r} is not a mapped class")
    columns = mapper.primary_key
    parts = text.split(",") if len(columns) > 1 else [text]
    if len(parts) != len(columns):
        names = ", ".join(str(column.key) for column in columns)
        raise _UsageError(f"{text!r}: {model.__name__}'s primary key is ({names})")
    values = []
    for column, part in zip(columns, parts, strict=True):
        try:
            convert = column.type.python_type
        except NotImplementedError:
            convert = str
        try:
            values.append(convert(part))
        except (TypeError, ValueError):
            raise _UsageError(
                f"{part!r} is not a value of {model.__name__}.{column.key}"
            ) from None
    return tuple(values) if len(values) > 1 else values[0]


def history_table(changes: Sequence[Any]) -> str:
    """Changes as a plain-text table, one row each."""
    import json

    def shown(value: object) -> str:
        return "-" if value is None else json.dumps(value, ensure_ascii=False)

    rows = [("changed_at", "field", "operation", "old", "new", "actor", "reason")]
    rows += [
        (
            change.changed_at.isoformat(sep=" "),
            change.field,
            change.operation,
            shown(change.old),
            shown(change.new),
            change.actor or "-",
            change.reason or "-",
        )
        for change in changes
    ]
    return _plain_table(rows)


def _history(args: argparse.Namespace) -> int:
    from sqlalchemy import create_engine
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from ._errors import FieldstampsError
    from ._history import get_history

    try:
        model = _load_model(args.model)
        pk = _primary_key(model, args.pk)
        engine = create_engine(args.url)
    except (_UsageError, ArgumentError) as exc:
        print(f"fieldstamps history: {exc}", file=sys.stderr)
        return 2
    try:
        with engine.connect() as conn:
            changes = get_history(conn, model, pk, args.field, since=args.since)
    except FieldstampsError as exc:
        print(f"fieldstamps history: {exc}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        print(f"fieldstamps history: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    if not changes:
        print(f"no recorded changes of {model.__name__} {args.pk}", file=sys.stderr)
        return 1
    sys.stdout.write(history_table(changes))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    if args.command == "backfill":
        return _backfill(args)
    if args.command == "sql":
        return _sql(args)
    if args.command == "history":
        return _history(args)
    if args.command in ("check", "install"):
        return _check_or_install(args)
    # Imported here so that --help does not pay for mapping the demo model.
    from ._demo import DemoError, render, run_demo

    if args.command == "demo":
        try:
            result = run_demo(args.url)
        except DemoError as exc:
            print(f"fieldstamps demo: {exc}", file=sys.stderr)
            return 2
        render(result, sys.stdout)
        return 0 if result.passed else 1
    raise AssertionError(f"unhandled command {args.command!r}")  # argparse refused it


if __name__ == "__main__":
    sys.exit(main())
