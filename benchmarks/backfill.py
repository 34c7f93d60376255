"""``python -m benchmarks.backfill``: how fast ``fieldstamps.backfill()`` fills
a table written before tracking, and how long one batch holds its locks.

Run by hand, not in CI (a million rows take a while)::

    python -m benchmarks.backfill --db postgresql --rows 1000000
    python -m benchmarks.backfill --db mariadb --rows 100000
    python -m benchmarks.backfill --db sqlite --rows 100000

In a scratch database of its own (dropped afterwards), it creates the
benchmark suite's user table with ``TimestampMixin``, ``ChangeTrackingMixin``
(five tracked fields), ``changed_at("name")`` and the indexed
``updated_at_column("name")``, fills it on the server with rows that have
no ``changes`` and no ``name_changed_at`` (as before tracking), refreshes the
planner's statistics, and runs ``backfill(at=...)`` twice: the fill, then the
idempotent re-run that finds nothing to do. Per batch it times the UPDATE
and its COMMIT together, which is how long the batch holds its row locks.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import DeclarativeBase, Mapped

from fieldstamps import (
    ChangeTrackingMixin,
    TimestampMixin,
    backfill,
    changed_at,
    updated_at_column,
)

from .contenders._base import UserColumns
from .databases import (
    BACKENDS,
    DEFAULT_URLS,
    analyze,
    scratch_database,
    server_version,
)


class Base(DeclarativeBase):
    pass


class User(TimestampMixin, ChangeTrackingMixin, UserColumns, Base):
    name_changed_at: Mapped[dt.datetime | None] = changed_at("name")
    name_updated_at: Mapped[dt.datetime | None] = updated_at_column("name")


# Rows made on the server: streaming a million through the driver would
# take longer than the backfill being measured.
_LOAD = {
    "postgresql": """
        INSERT INTO user_account
            (id, name, email, city, age, balance, created_at, updated_at)
        SELECT g, 'name ' || g, 'user' || g || '@example.com', 'city ' || (g % 97),
               g % 90, (g % 100000) / 100.0,
               timestamptz '2020-01-01 00:00:00+00' + g * interval '1 second',
               timestamptz '2021-01-01 00:00:00.5+00' + g * interval '1 second'
        FROM generate_series(1, :rows) AS g
    """,
    "mariadb": """
        INSERT INTO user_account
            (id, name, email, city, age, balance, created_at, updated_at)
        SELECT seq, CONCAT('name ', seq), CONCAT('user', seq, '@example.com'),
               CONCAT('city ', seq % 97), seq % 90, (seq % 100000) / 100.0,
               TIMESTAMPADD(SECOND, seq, '2020-01-01 00:00:00'),
               TIMESTAMPADD(SECOND, seq, '2021-01-01 00:00:00.5')
        FROM seq_1_to_{rows}
    """,
    "sqlite": """
        INSERT INTO user_account
            (id, name, email, city, age, balance, created_at, updated_at)
        WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < :rows)
        SELECT x, 'name ' || x, 'user' || x || '@example.com', 'city ' || (x % 97),
               x % 90, (x % 100000) / 100.0,
               strftime('%Y-%m-%d %H:%M:%S', 1577836800 + x, 'unixepoch')
                   || '.000000',
               strftime('%Y-%m-%d %H:%M:%S', 1609459200 + x, 'unixepoch')
                   || '.500000'
        FROM g
    """,
}


def load(engine: Engine, backend: str, rows: int) -> None:
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        # MariaDB's sequence engine takes the count in the table name.
        conn.execute(text(_LOAD[backend].format(rows=int(rows))), {"rows": rows})
    if backend == "postgresql":
        # A table in use has been vacuumed: its visibility map lets the
        # keyset SELECT read the primary key's index alone.
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("VACUUM user_account")
            )
    analyze(engine, ["user_account"])


@dataclass
class Run:
    filled: int
    #: Rows the run went through, filled or not.
    walked: int
    seconds: float
    #: UPDATE + COMMIT of each batch, in seconds.
    batches: list[float]

    @property
    def rate(self) -> float:
        return self.walked / self.seconds if self.seconds else 0.0

    def row(self, label: str) -> str:
        batches = sorted(self.batches)
        p95 = batches[int(0.95 * (len(batches) - 1))] if batches else 0.0
        return (
            f"| {label} | {self.filled:,} | {self.seconds:.1f} s | "
            f"{self.rate:,.0f} | {len(batches)} | "
            f"{statistics.median(batches) * 1000:.0f} ms | {p95 * 1000:.0f} ms | "
            f"{max(batches) * 1000:.0f} ms |"
        )


def measure(engine: Engine, at: Any, batch_size: int) -> Run:
    update_started: list[float] = []
    batches: list[float] = []
    walked = [0]

    def before(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        if statement.lstrip().startswith("UPDATE"):
            update_started.append(time.perf_counter())

    def progress(done: int, total: int) -> None:
        # Called right after each batch's COMMIT.
        if update_started and len(batches) < len(update_started):
            batches.append(time.perf_counter() - update_started[-1])
        walked[0] = done
        if sys.stderr.isatty():
            print(f"\r  {done:,}/{total:,} rows", end="", file=sys.stderr, flush=True)

    event.listen(engine, "before_cursor_execute", before)
    try:
        started = time.perf_counter()
        with engine.connect() as conn:
            filled = backfill(
                conn, User, at=at, batch_size=batch_size, progress=progress
            )
        seconds = time.perf_counter() - started
    finally:
        event.remove(engine, "before_cursor_execute", before)
        print(file=sys.stderr)
    return Run(filled, walked[0], seconds, batches)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.backfill")
    parser.add_argument("--db", choices=BACKENDS, required=True)
    parser.add_argument("--url", help="server URL (default: the project's local one)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument(
        "--at", default="updated_at", help="updated_at, created_at or none"
    )
    args = parser.parse_args(argv)
    at = None if args.at == "none" else args.at
    with scratch_database(args.db, args.url or DEFAULT_URLS.get(args.db)) as url:
        engine = create_engine(url)
        try:
            version = server_version(engine)
            started = time.perf_counter()
            load(engine, args.db, args.rows)
            print(
                f"{version}: {args.rows:,} rows loaded in "
                f"{time.perf_counter() - started:.1f} s; batch size "
                f"{args.batch_size:,}, at={args.at}",
                file=sys.stderr,
            )
            fill = measure(engine, at, args.batch_size)
            again = measure(engine, at, args.batch_size)
        finally:
            engine.dispose()
    print(f"### {version}, {args.rows:,} rows, batches of {args.batch_size:,}\n")
    print(
        "| run | rows filled | time | rows/s walked | batches | median batch "
        "| p95 batch | longest batch |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print(fill.row("fill"))
    print(again.row("re-run (nothing to fill)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
