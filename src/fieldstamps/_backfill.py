"""Fill in what rows written before fieldstamps tracked their table are missing.

>>> from sqlalchemy import String, create_engine, text
>>> from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
>>> from fieldstamps import ChangeTrackingMixin, TimestampMixin, backfill
>>> class Base(DeclarativeBase):
...     pass
>>> class Pet(TimestampMixin, ChangeTrackingMixin, Base):
...     __tablename__ = "pet"
...     id: Mapped[int] = mapped_column(primary_key=True)
...     name: Mapped[str] = mapped_column(String(30))
>>> engine = create_engine("sqlite://")
>>> Base.metadata.create_all(engine)
>>> with engine.begin() as conn:  # a row from before tracking: no changes
...     _ = conn.execute(text(
...         "INSERT INTO pet (id, name, created_at, updated_at) VALUES (1, 'Rex', "
...         "'2020-01-01 00:00:00.000000', '2021-06-01 12:00:00.250000')"))
>>> with engine.connect() as conn:
...     print(backfill(conn, Pet, at="updated_at"))
...     print(backfill(conn, Pet, at="updated_at"))  # nothing left to fill
1
0
>>> with Session(engine) as session:
...     pet = session.get_one(Pet, 1)
...     print(pet.changes)
...     print(pet.get_updated_at("name") == pet.updated_at)
{'name': {'value': 'Rex', 'updated_at': '2021-06-01T12:00:00.250000Z'}}
True

What is missing, and filled:

* a ``changes`` that is NULL, or not a JSON object (treated as ``{}``, as
  every write does), or has no entry for a tracked field: the entry is added,
  ``{"value": <the column's value>, "updated_at": <at>}``. The value is
  computed by the database exactly as a stamped write computes it; a field
  outside ``store_values`` (or of a type without a JSON form) gets no value.
* a ``changed_at()`` column that is NULL: it gets ``at``.

An entry that exists is never touched, not even one without a stamp or a
damaged one, and no other column moves: ``updated_at`` keeps its value (the
UPDATE assigns every column that has an ``onupdate`` to itself), and so do
stamps that are there. A second run finds nothing to fill and returns 0.

``at`` is the caller's choice, because no right answer exists: the name of a
stamp column of the row (``"updated_at"``, ``"created_at"``: any column of
fieldstamps' UTC type), an aware ``datetime``, or ``None``. With ``None`` the
values are filled and the stamps stay unknown: entries are ``{"value": ...}``
without ``updated_at``, ``get_updated_at()`` keeps returning None, and
``changed_at()`` columns stay NULL, so no invented time answers a "changed
since T" query; the next write that changes a field stamps it. A row whose
``at`` column is NULL is filled the same way.

The work is done by the database, one UPDATE per batch of ``batch_size``
rows taken in primary-key order (keyset: the batch's last key is read with
``ORDER BY pk LIMIT 1 OFFSET batch_size - 1``, the UPDATE covers
``last < pk <= that key``). Each batch is committed on its own, so locks are
held for one batch only, finished batches stay done if a later one fails,
and running again resumes where it stopped (done rows no longer qualify). A
composite primary key is walked the same way, in the order of its columns.
``progress(rows_done, rows_total)`` is called once before the first batch
and after each commit: ``rows_done`` counts the rows walked so far, filled
or not, and ``rows_total`` is the table's row count when the run started
(rows inserted meanwhile can take ``rows_done`` past it).
"""

# No ``from __future__ import annotations``: the example above declares a
# model, whose string annotations would be resolved in this module.
import contextlib
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Row,
    String,
    Table,
    and_,
    func,
    inspect,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapper

from ._errors import BackfillError
from ._guard import manual_stamps
from ._pause import stamps_as_written
from ._spec import TableSpec, spec_of
from ._sql.base import ChangesBackfill, ChangesLack, StampTextOf
from ._types import STAMP_TEXT_FORMAT, UTCDateTime, to_utc

#: ``progress(rows_done, rows_total)``; its return value is ignored.
Progress = Callable[[int, int], object]


def backfill(
    connection: Connection,
    model: Any,
    *,
    at: str | dt.datetime | None,
    batch_size: int = 10_000,
    progress: Progress | None = None,
) -> int:
    """Fill the ``changes`` entries and ``changed_at()`` stamps that rows of
    ``model`` (a mapped class or its Table) are missing; return how many
    rows were filled.

    ``at``: where stamps come from, ``"updated_at"`` / ``"created_at"`` (that
    column of each row), an aware ``datetime``, or ``None`` (values only,
    stamps unknown). Commits after every batch of ``batch_size`` rows, so
    ``connection`` must not be in a transaction. Raises
    :class:`BackfillError` for a class without field stamps, an ``at`` that
    is not a timestamp column, and :class:`NaiveDatetimeError` for a naive
    ``at``.
    """
    table, spec, mapper = _target(model)
    if isinstance(batch_size, bool) or not isinstance(batch_size, int):
        raise BackfillError(f"batch_size must be an int, not {batch_size!r}")
    if batch_size < 1:
        raise BackfillError(f"batch_size must be at least 1, not {batch_size}")
    source = _Source.of(at, table, spec, mapper)
    if not isinstance(connection, Connection):
        raise BackfillError(
            f"backfill() needs a Connection (engine.connect()), not {connection!r}"
        )
    if connection.in_transaction():
        raise BackfillError(
            "backfill() commits after every batch: commit or roll back the "
            "connection's transaction first"
        )
    assignments, needs_filling = _fill(table, spec, source)
    if needs_filling is None:
        return 0  # at=None and no changes column: nothing can be filled
    return _run(connection, table, assignments, needs_filling, batch_size, progress)


# -- what to fill ---------------------------------------------------------------


def _target(model: Any) -> tuple[Table, TableSpec, Mapper[Any] | None]:
    mapper = inspect(model, raiseerr=False)
    if isinstance(model, Table):
        table, mapper = model, None
    elif isinstance(mapper, Mapper) and isinstance(mapper.local_table, Table):
        table = mapper.local_table
    else:
        raise BackfillError(
            f"backfill() needs a mapped class or a Table, got {model!r}"
        )
    name = getattr(model, "__name__", table.name)
    spec = spec_of(table)
    if spec is None or (not spec.fields and not spec.changed_at):
        raise BackfillError(
            f"{name} has no field stamps to fill: it has neither tracked fields "
            "(ChangeTrackingMixin) nor changed_at() columns"
        )
    if not table.primary_key.columns:
        raise BackfillError(
            f"{name} has no primary key, which backfill() walks the table by"
        )
    return table, spec, mapper


class _Source:
    """Where stamps come from: a column of the row, a constant, or nowhere."""

    def __init__(
        self,
        instant: ColumnElement[dt.datetime] | None = None,
        text: ColumnElement[str] | None = None,
        column: Column[Any] | None = None,
    ) -> None:
        #: The instant as stamp columns store it, for ``changed_at()``.
        self.instant = instant
        #: The instant as ``changes`` writes it.
        self.text = text
        #: The column it is read from, if any.
        self.column = column

    @property
    def nullable(self) -> bool:
        return self.column is not None and bool(self.column.nullable)

    @classmethod
    def of(
        cls, at: object, table: Table, spec: TableSpec, mapper: Mapper[Any] | None
    ) -> "_Source":
        if at is None:
            return cls()
        if isinstance(at, dt.datetime):
            utc = to_utc(at)  # NaiveDatetimeError: its zone would be a guess
            return cls(
                literal(utc, UTCDateTime()),
                literal(utc.strftime(STAMP_TEXT_FORMAT), String()),
            )
        if isinstance(at, str):
            column = _at_column(at, table, spec, mapper)
            return cls(column, StampTextOf(column), column)
        raise BackfillError(
            "at must name a timestamp column of the row ('updated_at', "
            f"'created_at'), be an aware datetime or None, not {at!r}"
        )


def _at_column(
    key: str, table: Table, spec: TableSpec, mapper: Mapper[Any] | None
) -> Column[Any]:
    # Attribute keys for a mapped class, column keys for a Table.
    columns = {
        attr: column
        for attr, column in (mapper.columns.items() if mapper else table.c.items())
        if isinstance(column, Column) and column.table is table
    }
    column = columns.get(key)
    if column is None:
        stamps = [attr for attr, column in columns.items() if _is_stamp_type(column)]
        raise BackfillError(
            f"at={key!r}: {spec.owner} has no column {key!r}; its timestamp "
            f"columns: {', '.join(stamps) or '(none)'}"
        )
    if not _is_stamp_type(column):
        raise BackfillError(
            f"at={key!r}: {spec.owner}.{key} is not a fieldstamps timestamp "
            "column (UTCDateTime, as TimestampMixin's created_at and "
            "updated_at), so its values cannot be read as UTC instants; pass "
            "an aware datetime instead"
        )
    return column


def _is_stamp_type(column: Column[Any]) -> bool:
    return isinstance(column.type, UTCDateTime)


def _fill(
    table: Table, spec: TableSpec, source: _Source
) -> tuple[dict[str, Any], ColumnElement[bool] | None]:
    """The SET of the backfill UPDATE, and the condition of the rows it fills
    (None when no row can ever need filling)."""
    values: dict[str, Any] = {}
    needs: list[ColumnElement[bool]] = []
    if spec.changes is not None and spec.fields:
        values[spec.changes.key] = ChangesBackfill(
            spec.changes,
            [(field.key, field.column, field.value_wanted) for field in spec.fields],
            source.text,
            at_nullable=source.nullable,
        )
        needs.append(ChangesLack(spec.changes, spec.keys))
    if source.instant is not None:
        for column, _ in spec.changed_at:
            values[column.key] = func.coalesce(column, source.instant)
            missing: ColumnElement[bool] = column.is_(None)
            if source.column is not None and source.nullable:
                missing = and_(missing, source.column.is_not(None))
            needs.append(missing)
    # Every other onupdate would fire too (updated_at's now, fieldstamps'
    # stamps, the application's own): a column the SET names keeps it off.
    for column in table.c:
        if column.onupdate is not None and column.key not in values:
            values[column.key] = column
    return values, (or_(*needs) if needs else None)


# -- the batches ----------------------------------------------------------------


def _after(keys: Sequence[Column[Any]], last: Row[Any] | None) -> list[Any]:
    """The condition for rows whose key sorts after ``last`` (none for the
    first batch)."""
    if last is None:
        return []
    return [_compare(keys, tuple(last), strict=True, after=True)]


def _up_to(keys: Sequence[Column[Any]], end: Row[Any]) -> ColumnElement[bool]:
    return _compare(keys, tuple(end), strict=False, after=False)


def _compare(
    keys: Sequence[Column[Any]], values: Sequence[Any], *, strict: bool, after: bool
) -> ColumnElement[bool]:
    """Key order against ``values``, lexicographic over the key's columns.

    Spelt out with AND/OR rather than a row-value comparison, which not
    every database can serve from the primary key's index; the leading
    column's own bound comes first so that the index range is plain to see.
    """
    first, value = keys[0], values[0]
    if len(keys) == 1:
        last: ColumnElement[bool]
        if after:
            last = first > value if strict else first >= value
        else:
            last = first < value if strict else first <= value
        return last
    # Within the leading column's bound, either beyond it or, equal to it,
    # in order by the remaining columns.
    rest = _compare(keys[1:], values[1:], strict=strict, after=after)
    beyond = first > value if after else first < value
    within = first >= value if after else first <= value
    return and_(within, or_(beyond, rest))


def _run(
    connection: Connection,
    table: Table,
    values: dict[str, Any],
    needs_filling: ColumnElement[bool],
    batch_size: int,
    progress: Progress | None,
) -> int:
    keys = list(table.primary_key.columns)
    spec = spec_of(table)
    triggered = spec is not None and spec.triggers
    filled = done = 0
    last: Row[Any] | None = None
    try:
        total = connection.scalar(select(func.count()).select_from(table)) or 0
        connection.commit()
        if progress is not None:
            progress(0, total)
        while True:
            after = _after(keys, last)
            end = connection.execute(
                select(*keys)
                .where(*after)
                .order_by(*keys)
                .limit(1)
                .offset(batch_size - 1)
            ).first()
            if end is None:
                rows = connection.scalar(
                    select(func.count()).select_from(table).where(*after)
                )
                if not rows:
                    connection.commit()
                    return filled  # the last batch ended at the last row
                batch = after
            else:
                rows, batch = batch_size, [*after, _up_to(keys, end)]
            # Writing stamps is this function's whole point.
            with (
                manual_stamps(),
                (
                    stamps_as_written(connection)
                    if triggered
                    else contextlib.nullcontext()
                ),
            ):
                result = connection.execute(
                    update(table).where(*batch, needs_filling).values(values)
                )
            filled += result.rowcount
            connection.commit()
            done += rows or 0
            if progress is not None:
                progress(done, total)
            if end is None:
                return filled
            last = end
    except BaseException:
        # Leave the connection usable; the batches committed stay done. A
        # failing rollback (the connection is gone) must not hide the cause.
        with contextlib.suppress(Exception):
            connection.rollback()
        raise
