"""The workloads W1-W8, the correctness checks, the W2 memory pass and the
size of the history (for contenders that keep one).

Every workload opens a plain default ``Session`` (``expire_on_commit=True``)
so all contenders pay the same ORM bookkeeping.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from .contenders import TRACKED_FIELDS, Contender
from .contenders._base import extra_value
from .databases import analyze, storage_bytes, table_bytes, vacuum_full
from .plans import explain

WORKLOADS = ("W1", "W2", "W3", "W4", "W5", "W6", "W7", "W8")
#: The writes of a whole table (``writes_only`` runs these, the sweep's).
TABLE_WRITES = ("W1", "W2", "W3", "W4")
#: What each workload does, for the report's legend.
DESCRIPTIONS = {
    "W1": "insert N rows, one commit",
    "W2": "load all N, change 2 fields on each, commit",
    "W3": "one update() statement changing 1 field on all rows",
    "W4": "bulk UPDATE by primary key of N rows",
    "W5": "read when `name` last changed, 100 random rows, own API",
    "W6": "count rows whose `name` changed since T (10 queries)",
    "W7": "single-row transactions (load, change `name`, commit)",
    "W8": "last 10 changes of `name` for 100 random rows (history only)",
}
_CITIES = ("Lisbon", "Oslo", "Quito", "Hanoi", "Accra", "Perth", "Lima")
#: The fields W2 (and its memory pass) changes on every row; W7's.
_W2_FIELDS = ("name", "email")
_W7_FIELDS = ("name",)
_W5_ROWS = 100
_W6_QUERIES = 10
_W8_ROWS = 100
_W8_CHANGES = 10
_CHECK_ROWS = 20
# Stamps on SQLite have milliseconds; a pause before a write under check
# keeps its stamp distinguishable from the previous one.
_PAUSE = 0.02


@dataclass
class Outcome:
    """What one worker measured; serialised to JSON for the parent."""

    contender: str
    server: str = ""
    seconds: dict[str, float] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    reflects: dict[str, bool | None] = field(default_factory=dict)
    plan: str = ""
    plan_text: str = ""
    index_lookup: bool | None = None
    w6_count: int | None = None
    w6_expected: int | None = None
    w2_peak_mib: float | None = None
    table_bytes: dict[str, int] | None = None
    w8_plan: str = ""
    w8_plan_text: str = ""
    w8_index_lookup: bool | None = None
    #: Changes W8 read over its 100 rows (its last pass).
    w8_changes: int | None = None
    #: The history's size: see ``Runner._history_size``.
    history: dict[str, Any] | None = None
    #: Tracked columns of the table (5 but in the sweep).
    fields: int = len(TRACKED_FIELDS)
    note: str = ""


def _timed(outcome: Outcome, name: str, work: Callable[[], object]) -> None:
    start = time.perf_counter()
    try:
        work()
    except Exception as exc:
        # One workload failing (a contender not supporting a write path) must
        # not hide the others' figures: record why, carry on.
        outcome.errors[name] = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
        return
    outcome.seconds[name] = time.perf_counter() - start


def _user_values(i: int, extras: tuple[str, ...]) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": f"name-{i}",
        "email": f"user{i}@example.com",
        "city": _CITIES[i % len(_CITIES)],
        "age": 20 + i % 50,
        "balance": Decimal(i) + Decimal("0.25"),
    }
    for key in extras:
        values[key] = extra_value(key, i)
    return values


def _stamps(
    contender: Contender, engine: Engine, ids: list[int], field_name: str
) -> list[dt.datetime | None]:
    model = contender.model
    with Session(engine) as session:
        rows = session.scalars(
            select(model).where(model.id.in_(ids)).order_by(model.id)
        ).all()
        return [contender.changed_at(row, field_name) for row in rows]


def _moved(before: list[dt.datetime | None], after: list[dt.datetime | None]) -> bool:
    return len(before) == len(after) > 0 and all(
        new is not None and (old is None or new > old)
        for old, new in zip(before, after, strict=True)
    )


class Runner:
    def __init__(
        self,
        contender: Contender,
        engine: Engine,
        n: int,
        transactions: int,
        seed: int,
        *,
        writes_only: bool = False,
    ) -> None:
        self.contender = contender
        self.engine = engine
        self.model: type[Any] = contender.model
        self.n = n
        self.transactions = transactions
        #: Run W1-W4 only (the sweep's points): no reads, W7, memory pass.
        self.writes_only = writes_only
        # The same seed in every process: all contenders touch the same rows.
        self.rng = random.Random(seed)
        self.ids: list[int] = []
        self.extras = contender.fields[len(TRACKED_FIELDS) :]
        self.outcome = Outcome(
            contender.name, fields=len(contender.fields), note=contender.note
        )

    # -- the workloads --------------------------------------------------------

    def w1_insert(self) -> None:
        model, extras = self.model, self.extras
        # The floors' hook (writes_extra): called only for them.
        extra = self.contender.insert_values if self.contender.writes_extra else None
        rows = []
        for i in range(self.n):
            values = _user_values(i, extras)
            if extra is not None:
                values.update(extra(values))
            rows.append(model(**values))
        with Session(self.engine) as session:
            session.add_all(rows)
            session.commit()

    def _change_two(self, tag: str) -> None:
        changed = self.contender.changed if self.contender.writes_extra else None
        with Session(self.engine) as session:
            for row in session.scalars(select(self.model)).all():
                row.name = f"name-{row.id}-{tag}"
                row.email = f"user{row.id}-{tag}@example.com"
                if changed is not None:
                    changed(row, _W2_FIELDS)
            session.commit()

    def w2_load_change_commit(self) -> None:
        self._change_two("w2")

    def w3_update_statement(self) -> None:
        values: dict[str, Any] = {"age": self.model.age + 1}
        if self.contender.writes_extra:
            values.update(self.contender.statement_values(values))
        with Session(self.engine) as session:
            session.execute(update(self.model).values(values))
            session.commit()

    def w4_bulk_by_primary_key(self, rows: list[dict[str, Any]]) -> None:
        if self.contender.writes_extra:
            # Timed: the floor builds its values on every write.
            extra = self.contender.statement_values
            rows = [{**row, **extra(row)} for row in rows]
        with Session(self.engine) as session:
            session.execute(update(self.model), rows)
            session.commit()

    def w5_read_stamps(self, ids: list[int]) -> None:
        with Session(self.engine) as session:
            rows = session.scalars(
                select(self.model).where(self.model.id.in_(ids))
            ).all()
            for row in rows:
                self.contender.changed_at(row, "name")

    def w6_count(self, since: dt.datetime) -> None:
        stmt = self.contender.count_changed_since("name", since)
        with Session(self.engine) as session:
            for _ in range(_W6_QUERIES):
                self.outcome.w6_count = int(session.execute(stmt).scalar_one())

    def w7_single_row_transactions(self, ids: list[int]) -> None:
        changed = self.contender.changed if self.contender.writes_extra else None
        with Session(self.engine) as session:
            for k, row_id in enumerate(ids):
                row = session.get(self.model, row_id)
                assert row is not None
                row.name = f"name-{row_id}-w7-{k}"
                if changed is not None:
                    changed(row, _W7_FIELDS)
                session.commit()

    def w8_last_changes(self, ids: list[int]) -> None:
        read = 0
        with Session(self.engine) as session:
            for row_id in ids:
                stmt = self.contender.last_changes("name", row_id, _W8_CHANGES)
                assert stmt is not None
                read += len(session.execute(stmt).all())
        self.outcome.w8_changes = read

    # -- what run() prepares between workloads (also benchmarks.profile's) ---

    def load_ids(self) -> None:
        """The keys W1 inserted, which W4 and the samples draw on."""
        with Session(self.engine) as session:
            self.ids = list(session.scalars(select(self.model.id).order_by("id")))

    def w4_rows(self) -> list[dict[str, Any]]:
        """W4's parameter sets: a new balance for every row, by primary key."""
        return [
            {"id": row_id, "balance": Decimal(row_id) + Decimal("0.75")}
            for row_id in self.ids
        ]

    # -- the run --------------------------------------------------------------

    def run(self) -> Outcome:
        outcome = self.outcome
        _timed(outcome, "W1", self.w1_insert)
        self.load_ids()
        check = sorted(self.rng.sample(self.ids, min(_CHECK_ROWS, len(self.ids))))

        _timed(outcome, "W2", self.w2_load_change_commit)

        # W3 changes age on every row: does the age stamp move?
        before = self._stamps_or_none(check, "age")
        time.sleep(_PAUSE)
        _timed(outcome, "W3", self.w3_update_statement)
        self._reflects("W3", before, check, "age")

        # W4 changes balance on every row, by primary key.
        rows = self.w4_rows()
        before = self._stamps_or_none(check, "balance")
        time.sleep(_PAUSE)
        _timed(outcome, "W4", lambda: self.w4_bulk_by_primary_key(rows))
        self._reflects("W4", before, check, "balance")
        if self.writes_only:
            return outcome

        sample = self.rng.sample(self.ids, min(_W5_ROWS, len(self.ids)))
        _timed(outcome, "W5", lambda: self.w5_read_stamps(sample))

        # W7 before W6: W6 counts the rows W7 renamed, a realistic "recently
        # changed" slice (10% at N=10,000) rather than all rows or none.
        shuffled = self.rng.sample(self.ids, len(self.ids))
        w7_ids = [shuffled[k % len(shuffled)] for k in range(self.transactions)]
        since = dt.datetime.now(dt.UTC)
        time.sleep(_PAUSE)
        _timed(outcome, "W7", lambda: self.w7_single_row_transactions(w7_ids))

        outcome.w6_expected = len(set(w7_ids))
        tables = sorted(self.contender.metadata.tables)
        analyze(self.engine, tables)
        self._plan(since)
        _timed(outcome, "W6", lambda: self.w6_count(since))

        # Drawn after every other sample: the earlier workloads touch the same
        # rows as before W8 existed.
        w8_ids = self.rng.sample(self.ids, min(_W8_ROWS, len(self.ids)))
        if self.contender.last_changes("name", w8_ids[0], _W8_CHANGES) is not None:
            self._w8_plan(w8_ids[0])
            _timed(outcome, "W8", lambda: self.w8_last_changes(w8_ids))

        outcome.w2_peak_mib = self._w2_peak_mib()
        outcome.table_bytes = table_bytes(self.engine, tables)
        outcome.history = self._history_size()
        return outcome

    # -- helpers --------------------------------------------------------------

    def _stamps_or_none(
        self, ids: list[int], field_name: str
    ) -> list[dt.datetime | None] | None:
        if not self.contender.tracks_fields:
            return None
        return _stamps(self.contender, self.engine, ids, field_name)

    def _reflects(
        self,
        workload: str,
        before: list[dt.datetime | None] | None,
        ids: list[int],
        field_name: str,
    ) -> None:
        if before is None or workload in self.outcome.errors:
            self.outcome.reflects[workload] = None
            return
        after = _stamps(self.contender, self.engine, ids, field_name)
        self.outcome.reflects[workload] = _moved(before, after)

    def _plan(self, since: dt.datetime) -> None:
        stmt = self.contender.count_changed_since("name", since)
        with self.engine.connect() as conn:
            plan = explain(conn, stmt)
        self.outcome.plan = plan.summary
        self.outcome.plan_text = plan.text
        self.outcome.index_lookup = plan.is_index_lookup

    def _w8_plan(self, row_id: int) -> None:
        stmt = self.contender.last_changes("name", row_id, _W8_CHANGES)
        assert stmt is not None
        with self.engine.connect() as conn:
            plan = explain(conn, stmt)
        self.outcome.w8_plan = plan.summary
        self.outcome.w8_plan_text = plan.text
        self.outcome.w8_index_lookup = plan.is_index_lookup

    def _history_size(self) -> dict[str, Any] | None:
        """The history tables' rows, the field changes they hold and their
        bytes (indexes included) as the run left them; on PostgreSQL also
        after VACUUM FULL, without the dead rows of updated versions."""
        tables = list(self.contender.history_tables)
        count = self.contender.count_field_changes()
        if not tables or count is None:
            return None
        history = self.contender.metadata.tables[tables[0]]
        with Session(self.engine) as session:
            rows = int(
                session.execute(select(func.count()).select_from(history)).scalar_one()
            )
            field_changes = int(session.execute(count).scalar_one())
        sizes = storage_bytes(self.engine, tables)
        compacted = None
        if self.engine.dialect.name == "postgresql":
            vacuum_full(self.engine, tables)
            compacted = storage_bytes(self.engine, tables)
        return {
            "tables": tables,
            "rows": rows,
            "field_changes": field_changes,
            "bytes": sizes,
            "compacted_bytes": compacted,
        }

    def _w2_peak_mib(self) -> float | None:
        # A separate, untimed pass: tracemalloc slows allocation down several
        # times, so it must not run under the W2 stopwatch.
        tracemalloc.start()
        try:
            self._change_two("mem")
            _, peak = tracemalloc.get_traced_memory()
        except Exception as exc:
            self.outcome.errors["W2 memory"] = f"{type(exc).__name__}: {exc}"[:300]
            return None
        finally:
            tracemalloc.stop()
        return peak / 2**20
