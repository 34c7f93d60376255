"""Many writers, few hot rows: no stamp is lost, none predates its transaction.

Each of ``THREADS`` workers runs ``TRANSACTIONS`` random transactions. A
transaction writes one or two of the ``ROWS`` hot rows, in random order (so
MariaDB and PostgreSQL find deadlocks), each on a random write path (ORM flush
of an object loaded without a lock, ORM ``update()``, Core ``update()``) and
changing random fields to values from small domains (so writing the value a
field already has, which must not move its stamp, is common). Serialization
failures, deadlocks and lock wait timeouts roll back and retry the whole
transaction, as an application should.

Every write also increments the row's ``version`` in the same UPDATE. The
UPDATE holds the row lock until COMMIT, so versions number each row's
committed writes in the database's own order and "the last write of a field"
is well defined. The log of committed transactions is then replayed from the
initial rows and compared with the final rows: values, ``changes`` values,
per-field stamps, ``changed_at`` columns and ``updated_at``.

``FIELDSTAMPS_LONG=1`` runs the long profile (8 threads x 1,000 transactions);
the figures are printed (``pytest -s``) and recorded as user properties.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pytest
from sqlalchemy import (
    Boolean,
    Engine,
    Integer,
    String,
    event,
    inspect,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from fieldstamps import ChangeTrackingMixin, TimestampMixin, changed_at, get_history
from fieldstamps._spec import spec_of
from fieldstamps._types import parse_stamp_text
from tests.backends import Backend
from tests.conftest import BACKENDS, make_engine
from tests.requirements import requires

LONG = os.environ.get("FIELDSTAMPS_LONG") == "1"
THREADS = 8
TRANSACTIONS = 1_000 if LONG else 60
ROWS = 5
# Small domains: repeated values (no change), NULL transitions, a case-only
# change (MariaDB's default collation calls it equal), a combining accent.
DOMAINS: dict[str, tuple[Any, ...]] = {
    "name": ("spongebob", "Spongebob", "SpongeBob", None),
    "score": (0, 1, 2, None),
    "note": ("e\u0301", "\u00e9", 'say "hi"', "\U0001f9fd"),
    "active": (True, False, None),
}
FIELDS = tuple(DOMAINS)
# Same host, same clock; SQLite truncates its stamps to milliseconds.
CLOCK_SLACK = dt.timedelta(milliseconds=5)
MAX_ATTEMPTS = 200


class ConcurrencyBase(DeclarativeBase):
    pass


class HotColumns:
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str | None] = mapped_column(String(30))
    score: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(30))
    active: Mapped[bool | None] = mapped_column(Boolean)
    name_changed_at: Mapped[dt.datetime | None] = changed_at("name")
    detail_changed_at: Mapped[dt.datetime | None] = changed_at("score", "note")


class Hot(HotColumns, TimestampMixin, ChangeTrackingMixin, ConcurrencyBase):
    """Stamps compiled into SQLAlchemy's writes."""

    __tablename__ = "fieldstamps_hot_rows"
    # version orders the writes; it is bookkeeping, not a tracked field.
    __fieldstamps__: ClassVar[dict[str, Any]] = {"exclude": ["version"]}


class HotTriggered(HotColumns, TimestampMixin, ChangeTrackingMixin, ConcurrencyBase):
    """The same rows, stamped by database triggers."""

    __tablename__ = "fieldstamps_hot_rows_triggers"
    __fieldstamps__: ClassVar[dict[str, Any]] = {
        "exclude": ["version"],
        "triggers": True,
    }


class HotHistory(HotColumns, TimestampMixin, ChangeTrackingMixin, ConcurrencyBase):
    """The same rows with per-field history (and so triggers)."""

    __tablename__ = "fieldstamps_hot_rows_history"
    __fieldstamps__: ClassVar[dict[str, Any]] = {
        "exclude": ["version"],
        "history": True,
    }


MODES = {"sql": Hot, "triggers": HotTriggered, "history": HotHistory}


CHANGED_AT = {"name_changed_at": ("name",), "detail_changed_at": ("score", "note")}


@dataclass(frozen=True)
class Write:
    """One committed write of one row, as the writing transaction saw it."""

    row: int
    version: int
    values: dict[str, Any]  # only the fields the UPDATE really assigned
    updated_at: dt.datetime  # read back in the transaction, before COMMIT
    started: dt.datetime  # wall clock before the successful attempt began
    committed: dt.datetime  # wall clock after COMMIT returned
    transaction: tuple[int, int]  # (worker, its transaction's number)


@dataclass
class Figures:
    transactions: int = 0
    retries: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    lost: int = 0
    mismatches: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.transactions / self.seconds if self.seconds else 0.0


# -- retrying the way an application does --------------------------------------


def retry_reason(exc: DBAPIError) -> str | None:
    """Why ``exc`` means "run the transaction again", or None if it does not."""
    orig = exc.orig
    # MariaDB's error number first: its deadlock also carries SQLSTATE 40001.
    code = orig.args[0] if orig is not None and orig.args else None
    if code == 1213:  # MariaDB ER_LOCK_DEADLOCK
        return "deadlock"
    if code == 1205:  # MariaDB ER_LOCK_WAIT_TIMEOUT
        return "lock wait timeout"
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate == "40001":
        return "serialization failure"
    if sqlstate == "40P01":
        return "deadlock"
    if "database is locked" in str(orig):  # SQLite SQLITE_BUSY
        return "busy"
    return None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _write_row(
    model: Any, session: Session, rng: random.Random, row_id: int
) -> tuple[int, dict[str, Any], dt.datetime]:
    """Change random fields of one row on a random write path; return the new
    version, the fields the UPDATE assigned and the row's updated_at."""
    chosen = rng.sample(FIELDS, rng.randint(1, len(FIELDS)))
    values = {key: rng.choice(DOMAINS[key]) for key in chosen}
    path = rng.choice(("orm_flush", "orm_update", "core_update"))
    if path == "orm_flush":
        # Loaded without a lock, so possibly stale by the time it is flushed:
        # the SQL merge of ``changes`` must work on the current row anyway.
        hot = session.get_one(model, row_id)
        for key, value in values.items():
            setattr(hot, key, value)
        # The ORM leaves out a field set to the value it loaded: that field
        # is not written, so it is not logged as written either.
        state = inspect(hot)
        values = {k: v for k, v in values.items() if state.attrs[k].history.added}
        hot.version = model.version + 1  # type: ignore[assignment]
        session.flush()
    else:
        stmt = (
            update(model)
            .where(model.id == row_id)
            .values(version=model.version + 1, **values)
        )
        if path == "orm_update":
            session.execute(stmt.execution_options(synchronize_session=False))
        else:
            session.connection().execute(
                update(model.__table__)
                .where(model.__table__.c.id == row_id)
                .values(version=model.__table__.c.version + 1, **values)
            )
    # The row lock is ours until COMMIT: this is the committed state's order.
    version, updated_at = (
        session.connection()
        .execute(select(model.version, model.updated_at).where(model.id == row_id))
        .one()
    )
    return version, values, updated_at


def _worker(
    model: Any,
    engine: Engine,
    seed: int,
    log: list[Write],
    figures: Figures,
    lock: threading.Lock,
) -> None:
    rng = random.Random(seed)
    for number in range(TRANSACTIONS):
        rows = rng.sample(range(1, ROWS + 1), rng.choice((1, 1, 2)))
        for attempt in range(MAX_ATTEMPTS):
            started = _now()
            with Session(engine) as session:
                try:
                    writes = [
                        (row, *_write_row(model, session, rng, row)) for row in rows
                    ]
                    session.commit()
                except DBAPIError as exc:
                    reason = retry_reason(exc)
                    if reason is None or attempt == MAX_ATTEMPTS - 1:
                        raise
                    session.rollback()
                    with lock:
                        figures.retries[reason] = figures.retries.get(reason, 0) + 1
                    time.sleep(rng.uniform(0, 0.002 * min(attempt + 1, 10)))
                    continue
            committed = _now()
            with lock:
                figures.transactions += 1
                log.extend(
                    Write(
                        row,
                        version,
                        values,
                        updated_at,
                        started,
                        committed,
                        (seed, number),
                    )
                    for row, version, values, updated_at in writes
                )
            break


# -- verification --------------------------------------------------------------


def _verify(
    model: Any, engine: Engine, initial: dict[int, Any], log: list[Write]
) -> Figures:
    """Replay the committed log in version order; compare with the database."""
    figures = Figures()
    bad = figures.mismatches
    for write in log:
        if not write.started - CLOCK_SLACK <= write.updated_at:
            bad.append(f"{write}: stamped before its transaction started")
        if not write.updated_at <= write.committed + CLOCK_SLACK:
            bad.append(f"{write}: stamped after its transaction committed")

    with engine.connect() as conn:
        final = {row.id: row for row in conn.execute(select(model))}
    # (row, field) -> (transaction, old, new, instant) of each write that
    # changed the field, in commit order: what its history must hold.
    recorded: dict[tuple[int, str], list[tuple[Any, Any, Any, dt.datetime]]] = {}
    for row_id, start in initial.items():
        writes = sorted((w for w in log if w.row == row_id), key=lambda w: w.version)
        versions = [w.version for w in writes]
        if versions != list(range(1, len(writes) + 1)):
            bad.append(f"row {row_id}: versions {versions[:20]}... not 1..n")
        values = {key: getattr(start, key) for key in FIELDS}
        stamps = dict.fromkeys(FIELDS, start.created_at)
        # A changed_at() column takes the stamp of the last write (in commit
        # order) that changed one of its fields. That is not the latest of
        # their stamps: PostgreSQL stamps a transaction's start, so a write
        # committed later can carry an earlier instant.
        column_stamps = dict.fromkeys(CHANGED_AT, start.created_at)
        updated_at = start.created_at
        for write in writes:
            for key, value in write.values.items():
                if value != values[key]:
                    recorded.setdefault((row_id, key), []).append(
                        (write.transaction, values[key], value, write.updated_at)
                    )
                    stamps[key] = write.updated_at
                    for column, watched in CHANGED_AT.items():
                        if key in watched:
                            column_stamps[column] = write.updated_at
                values[key] = value
            updated_at = write.updated_at

        row = final[row_id]
        if row.version != len(writes):
            bad.append(f"row {row_id}: version {row.version}, {len(writes)} logged")
        if row.updated_at != updated_at:
            bad.append(f"row {row_id}: updated_at {row.updated_at} != {updated_at}")
        changes = row.changes if isinstance(row.changes, dict) else {}
        for key in FIELDS:
            entry = changes.get(key) if isinstance(changes.get(key), dict) else {}
            stamp = parse_stamp_text(entry.get("updated_at"))
            if stamp is None or stamp < stamps[key]:
                figures.lost += 1
                bad.append(f"row {row_id}.{key}: LOST stamp {stamp} < {stamps[key]}")
            elif stamp != stamps[key]:
                bad.append(f"row {row_id}.{key}: stamp {stamp} != {stamps[key]}")
            if getattr(row, key) != values[key]:
                bad.append(f"row {row_id}.{key}: {getattr(row, key)!r} != last write")
            if entry.get("value", "<missing>") != getattr(row, key):
                bad.append(f"row {row_id}.{key}: changes value {entry.get('value')!r}")
        for column, expected in column_stamps.items():
            got = getattr(row, column)
            if got is None or got < expected:
                figures.lost += 1
                bad.append(f"row {row_id}.{column}: LOST {got} < {expected}")
            elif got != expected:
                bad.append(f"row {row_id}.{column}: {got} != {expected}")
    if spec_of(model.__table__).history is not None:  # type: ignore[union-attr]
        _verify_history(model, engine, recorded, bad)
    return figures


def _verify_history(
    model: Any,
    engine: Engine,
    recorded: dict[tuple[int, str], list[tuple[Any, Any, Any, dt.datetime]]],
    bad: list[str],
) -> None:
    """Each field's update entries are the replay's changes, in commit order;
    one transaction id per transaction, another for every other one."""
    ids: dict[Any, set[str]] = {}
    with Session(engine) as session:
        for row_id in {row for row, _ in recorded} | set(range(1, ROWS + 1)):
            for key in FIELDS:
                entries = [
                    c
                    for c in reversed(get_history(session, model, row_id, key))
                    if c.operation == "update"
                ]
                expected = recorded.get((row_id, key), [])
                # In the order of the row's writes (history_id); on PostgreSQL
                # changed_at is the transaction's start, out of that order.
                got = [(c.old, c.new, c.changed_at) for c in entries]
                want = [(old, new, at) for _, old, new, at in expected]
                if got != want:
                    bad.append(f"row {row_id}.{key}: history {got[:5]} != {want[:5]}")
                for change, (transaction, *_) in zip(entries, expected, strict=False):
                    ids.setdefault(transaction, set()).add(change.transaction_id)
    for transaction, found in ids.items():
        if len(found) != 1:
            bad.append(f"transaction {transaction}: transaction ids {found}")
    owners: dict[str, Any] = {}
    for transaction, found in ids.items():
        for txn in found:
            if owners.setdefault(txn, transaction) != transaction:
                bad.append(f"transaction id {txn}: {transaction} and {owners[txn]}")


# -- the test ------------------------------------------------------------------


def _profiles() -> Iterator[Any]:
    # Which profiles a backend has depends on its server: conftest asked each
    # server what it is at session start, before collection.
    for backend in BACKENDS:
        if requires.snapshot_isolation(backend):
            for level in ("READ COMMITTED", "REPEATABLE READ"):
                yield pytest.param(backend, level, id=f"{backend.id}-{level}")
        else:
            # MariaDB's default is REPEATABLE READ; SQLite is serializable.
            yield pytest.param(backend, None, id=backend.id)


def _engine(url: str, backend: Backend, isolation: str | None) -> Engine:
    kw: dict[str, Any] = {"pool_size": THREADS + 2, "max_overflow": 0}
    if requires.single_writer(backend):
        kw = {"connect_args": {"timeout": 60}}
    if isolation is not None:
        kw["isolation_level"] = isolation
    engine = make_engine(url, **kw)
    if requires.single_writer(backend):
        # pysqlite's deferred BEGIN lets two readers both try to upgrade and
        # fail with "database is locked"; BEGIN IMMEDIATE queues the writers.
        @event.listens_for(engine, "connect")
        def _no_pysqlite_begin(dbapi_conn: Any, record: Any) -> None:
            dbapi_conn.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin_immediate(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    if requires.deadlock_timeout(backend):
        # PostgreSQL looks for deadlocks only after deadlock_timeout (1 s by
        # default), during which both transactions sit idle; a shorter wait
        # keeps the run quick without changing what is tested.
        @event.listens_for(engine, "connect")
        def _quick_deadlocks(dbapi_conn: Any, record: Any) -> None:
            with dbapi_conn.cursor() as cursor:
                cursor.execute("SET deadlock_timeout = '20ms'")
            dbapi_conn.commit()

    engine.dispose()  # connections made before the listeners existed
    return engine


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize(("backend", "isolation"), list(_profiles()))
def test_hot_rows_lose_no_stamp(
    mode: str,
    backend: Backend,
    isolation: str | None,
    backend_urls: dict[str, str],
    record_property: Any,
) -> None:
    model = MODES[mode]
    engine = _engine(backend_urls[backend.id], backend, isolation)
    ConcurrencyBase.metadata.drop_all(engine)
    ConcurrencyBase.metadata.create_all(engine)
    try:
        with Session(engine, expire_on_commit=False) as session:
            rng = random.Random(0)
            session.add_all(
                model(id=i, **{key: rng.choice(DOMAINS[key]) for key in FIELDS})
                for i in range(1, ROWS + 1)
            )
            session.commit()
        with engine.connect() as conn:
            initial = {row.id: row for row in conn.execute(select(model))}

        log: list[Write] = []
        running = Figures()
        lock = threading.Lock()
        errors: list[BaseException] = []

        def run(seed: int) -> None:
            try:
                _worker(model, engine, seed, log, running, lock)
            except BaseException as exc:  # re-raised in the main thread
                errors.append(exc)

        threads = [
            threading.Thread(target=run, args=(seed,)) for seed in range(THREADS)
        ]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - began
        if errors:
            raise errors[0]

        figures = _verify(model, engine, initial, log)
        figures.transactions = running.transactions
        figures.retries = running.retries
        figures.seconds = seconds
        summary = (
            f"{backend.id} {isolation or 'default'}: {figures.transactions} tx "
            f"in {seconds:.1f}s = {figures.per_second:.0f} tx/s, "
            f"retries {sum(figures.retries.values())} {figures.retries}, "
            f"lost {figures.lost}"
        )
        print("\n" + summary)
        record_property("concurrency", summary)
        assert figures.transactions == THREADS * TRANSACTIONS
        assert figures.lost == 0, figures.mismatches[:20]
        assert figures.mismatches == [], figures.mismatches[:20]
    finally:
        ConcurrencyBase.metadata.drop_all(engine)
        engine.dispose()
