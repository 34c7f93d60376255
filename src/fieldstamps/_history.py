"""Per-field history: every change of a tracked field, with its old and new
value, when, in which transaction, by whom and why, recorded by database
triggers for every writer.

>>> import datetime as dt
>>> import fieldstamps
>>> from sqlalchemy import Integer, String, create_engine
>>> from sqlalchemy.orm import DeclarativeBase, Session, mapped_column
>>> class Base(DeclarativeBase):
...     pass
>>> class Note(fieldstamps.TimestampMixin, Base):
...     __tablename__ = "note"
...     __fieldstamps__ = {"history": True}
...     id = mapped_column(Integer, primary_key=True)
...     body = mapped_column(String(100))
>>> engine = create_engine("sqlite://")
>>> Base.metadata.create_all(engine)
>>> with Session(engine) as session:
...     note = Note(body="draft")
...     session.add(note)
...     session.commit()
...     with fieldstamps.context(actor="ann", reason="typo"):
...         note.body = "final"
...         session.commit()
...     [(c.operation, c.old, c.new, c.actor) for c in note.get_history("body")]
[('update', 'draft', 'final', 'ann'), ('insert', None, 'draft', None)]

Values are the JSON forms ``changes`` uses (a Decimal as its text, a date
as ISO text); None for a redacted or erased value.
"""

from __future__ import annotations

import datetime as dt
import uuid
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    Engine,
    Enum,
    Table,
    and_,
    case,
    delete,
    func,
    inspect,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapper, Session, object_session, registry

from ._errors import HistoryError, NaiveDatetimeError, UnknownFieldError
from ._spec import TableSpec, TrackedField, spec_of
from ._sql import dialect_sql
from ._sql.base import HISTORY_COLUMNS
from ._types import ValueKind, to_utc, unwrap, value_kind

OPERATIONS = ("insert", "update", "delete")


@dataclass(frozen=True)
class Change:
    """One recorded change of one field of one row."""

    field: str
    #: The value before and after, in the JSON form ``changes`` uses; None
    #: for a redacted or erased value (and ``old`` of an insert, ``new`` of
    #: a delete).
    old: Any
    new: Any
    #: Aware UTC; the row's ``updated_at`` of that write.
    changed_at: dt.datetime
    #: ``"insert"``, ``"update"`` or ``"delete"``.
    operation: str
    #: Equal for every change of one database transaction.
    transaction_id: str
    actor: str | None
    reason: str | None
    context: dict[str, Any]


class HistoryEntry:
    """The base of every :func:`history_class`: one row of a history table."""

    if TYPE_CHECKING:
        history_id: int
        field: str
        old: Any
        new: Any
        changed_at: dt.datetime
        operation: str
        transaction_id: int
        actor: str | None
        reason: str | None
        context: dict[str, Any] | None

    def to_change(self) -> Change:
        return _change([getattr(self, name) for name in HISTORY_COLUMNS])

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self.operation} {self.field} "
            f"{self.old!r} -> {self.new!r} at {self.changed_at}>"
        )


_registry = registry()
_CLASSES: weakref.WeakKeyDictionary[Table, type[HistoryEntry]] = (
    weakref.WeakKeyDictionary()
)


def _mapper_of(model: object) -> Mapper[Any]:
    mapper = inspect(model, raiseerr=False)
    if not isinstance(mapper, Mapper):
        raise HistoryError(f"{model!r} is not a mapped class")
    return mapper


def history_spec(model: object) -> tuple[TableSpec, Table, Mapper[Any]]:
    """The spec and history table of a mapped class with history."""
    mapper = _mapper_of(model)
    spec = spec_of(mapper.local_table)
    if spec is None or spec.history is None:
        raise HistoryError(
            f"{mapper.class_.__name__} records no history: set "
            "__fieldstamps__ = {'history': True} on it"
        )
    return spec, spec.history, mapper


def history_class(model: type[Any]) -> type[HistoryEntry]:
    """The mapped class of ``model``'s history table, for queries of your own:
    attributes named as ``model``'s primary key, and ``field``, ``old``,
    ``new``, ``changed_at``, ``operation``, ``transaction_id``, ``actor``,
    ``reason``, ``context`` (and ``history_id``)."""
    spec, table, _ = history_spec(model)
    found = _CLASSES.get(table)
    if found is None:
        found = type(
            f"{spec.owner}History",
            (HistoryEntry,),
            {"__module__": HistoryEntry.__module__},
        )
        _registry.map_imperatively(found, table)
        _CLASSES[table] = found
    return found


# -- reading ------------------------------------------------------------------


def _aware(when: object, what: str) -> dt.datetime:
    if not isinstance(when, dt.datetime):
        raise HistoryError(f"{what} takes a datetime, not {when!r}")
    if when.tzinfo is None:
        raise NaiveDatetimeError(
            f"{what} got the naive datetime {when!r}: history times are UTC "
            "instants, and a naive time's zone would be a guess; pass an aware "
            "datetime (e.g. datetime.now(timezone.utc))"
        )
    return to_utc(when)


def _history_field(spec: TableSpec, key: str) -> TrackedField:
    for tracked in spec.history_fields:
        if tracked.key == key:
            return tracked
    raise UnknownFieldError(
        spec.owner, key, (tracked.key for tracked in spec.history_fields)
    )


def _row_of(mapper: Mapper[Any], table: Table, pk: object) -> list[ColumnElement[bool]]:
    keys = [str(column.key) for column in mapper.primary_key]
    values = pk if isinstance(pk, tuple) else (pk,)
    if len(values) != len(keys):
        wanted = f"a tuple of {len(keys)} values" if len(keys) > 1 else "one value"
        raise HistoryError(
            f"{mapper.class_.__name__}'s primary key is ({', '.join(keys)}): "
            f"give {wanted}, not {pk!r}"
        )
    return [table.c[key] == value for key, value in zip(keys, values, strict=True)]


Reader = Session | Connection


def get_history(
    session: Reader,
    model: type[Any],
    pk: object,
    field: str | None = None,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> list[Change]:
    """The recorded changes of the row of ``model`` with primary key ``pk``
    (a tuple for a composite key), newest first; of one ``field`` if given,
    from ``since`` and up to ``until`` (inclusive, aware datetimes) if
    given. The row may no longer exist: its history outlives it.

    Newest first is the order in which the row's writes took its lock. On
    PostgreSQL, whose instants are the transactions' starts, a later write
    can carry an earlier ``changed_at``."""
    spec, table, mapper = history_spec(model)
    where = _row_of(mapper, table, pk)
    if field is not None:
        _history_field(spec, field)
        where.append(table.c.field == field)
    if since is not None:
        where.append(table.c.changed_at >= _aware(since, "get_history(since=...)"))
    if until is not None:
        where.append(table.c.changed_at <= _aware(until, "get_history(until=...)"))
    statement = (
        select(*_change_columns(table))
        .where(*where)
        .order_by(table.c.history_id.desc())
    )
    return [_change(row) for row in session.execute(statement)]


def _change_columns(table: Table) -> list[ColumnElement[Any]]:
    """The columns a :class:`Change` is made of, in its order."""
    return [table.c[name] for name in HISTORY_COLUMNS]


def _change(row: Sequence[Any]) -> Change:
    name, old, new, changed_at, operation, txn, actor, reason, context = row
    return Change(
        name, old, new, changed_at, operation, str(txn), actor, reason, context or {}
    )


def as_of(
    session: Reader, model: type[Any], pk: object, when: dt.datetime
) -> dict[str, Any] | None:
    """The recorded fields' values of a row at the instant ``when`` (aware),
    in the JSON forms of :class:`Change`; None if the row did not exist then
    (not yet inserted, or deleted)."""
    spec, table, mapper = history_spec(model)
    at = _aware(when, "as_of()")
    row = _row_of(mapper, table, pk)
    # Per field, the newest entry at or before ``at``: a backward scan of
    # the (key, field, history_id) index each, from its newest entry.
    newest = [
        select(table.c.history_id)
        .where(*row, table.c.field == tracked.key, table.c.changed_at <= at)
        .order_by(table.c.history_id.desc())
        .limit(1)
        .scalar_subquery()
        for tracked in spec.history_fields
    ]
    statement = (
        select(table.c.field, table.c.new, table.c.operation)
        .where(or_(*(table.c.history_id == entry for entry in newest)))
        .order_by(table.c.history_id.desc())
    )
    entries = session.execute(statement).all()
    if not entries or entries[0].operation == "delete":
        return None
    values: dict[str, Any] = {tracked.key: None for tracked in spec.history_fields}
    for name, new, _ in entries:
        values[name] = new
    return values


@dataclass(frozen=True)
class HistoryPoll:
    """What :func:`poll_history` returns."""

    #: (primary key, change) of every entry committed since the cursor given,
    #: the key a tuple for a composite one.
    changes: list[tuple[Any, Change]]
    #: What to pass to the next poll; opaque, store it as text.
    cursor: str


def poll_history(
    connection: Connection, model: type[Any], cursor: str | None = None
) -> HistoryPoll:
    """The history entries of ``model`` committed since the poll that returned
    ``cursor`` (since the start with None), each exactly once across polls,
    however long a writing transaction runs and in whatever order
    transactions commit.

    ``changed_at`` cannot serve as such a cursor: on PostgreSQL it is the
    transaction's start, and on every database a transaction that wrote at
    t0 and commits at t5 is invisible to a poll at t3 that then moves past
    t0. The cursor is the reading snapshot on PostgreSQL, a horizon of the
    oldest running transaction on MariaDB/MySQL (which needs the PROCESS
    privilege), the last entry's id on SQLite, whose writers take turns.
    """
    _, table, mapper = history_spec(model)
    keys = [table.c[str(column.key)] for column in mapper.primary_key]
    columns = [table.c.history_id, *keys, *_change_columns(table)]
    rows, following = dialect_sql(connection.dialect).poll_history(
        connection, table, columns, cursor
    )
    width = len(keys)
    changes = []
    for row in rows:
        key = tuple(row[1 : 1 + width])
        changes.append((key if width > 1 else key[0], _change(row[1 + width :])))
    return HistoryPoll(changes, following)


# -- writing ------------------------------------------------------------------


def _python_value(tracked: TrackedField, form: Any) -> Any:
    """A JSON form as history holds it, back as the column's Python value."""
    if form is None:
        return None
    column_type = unwrap(tracked.column.type)
    kind = value_kind(tracked.column.type)
    if kind is ValueKind.DECIMAL:
        return Decimal(str(form))
    if kind is ValueKind.FLOAT:
        return float(form)
    if kind is ValueKind.INTEGER:
        return int(form)
    if kind is ValueKind.BOOLEAN:
        return bool(form)
    if kind is ValueKind.UUID:
        return uuid.UUID(str(form))
    if kind is ValueKind.TEMPORAL:
        python_type = column_type.python_type
        if python_type is dt.datetime:
            return dt.datetime.fromisoformat(str(form).replace(" ", "T"))
        if python_type is dt.date:
            return dt.date.fromisoformat(str(form)[:10])
        return dt.time.fromisoformat(str(form))
    if isinstance(column_type, Enum) and column_type.enum_class is not None:
        return column_type.enum_class[form]
    return form


def revert(
    session: Session, obj: object, *fields: str, to: dt.datetime
) -> dict[str, Any]:
    """Set ``fields`` of ``obj`` (every recorded field whose values are
    stored, when none are named) to their values at ``to``, as an ordinary
    change of the object: the next flush writes, stamps and records it like
    any other. Returns the values set, as the object now holds them."""
    spec, _, mapper = history_spec(type(obj))
    state = inspect(obj)
    identity = state.identity
    if identity is None:
        raise HistoryError(
            f"revert() needs a {spec.owner} that is in the database; this one "
            "has not been flushed"
        )

    def kept(tracked: TrackedField) -> bool:
        return (
            tracked.key not in spec.redacted
            and value_kind(tracked.column.type) is not None
        )

    if fields:
        chosen = [_history_field(spec, name) for name in fields]
    else:
        chosen = [tracked for tracked in spec.history_fields if kept(tracked)]
    for tracked in chosen:
        if not kept(tracked):
            raise HistoryError(
                f"{spec.owner}.{tracked.key} cannot be reverted: its values "
                "are never stored (redacted, or of a type with no JSON form)"
            )
    pk = identity if len(identity) > 1 else identity[0]
    values = as_of(session, type(obj), pk, to)
    if values is None:
        raise HistoryError(
            f"{spec.owner} {pk!r} did not exist at {to.isoformat()}: there is "
            "nothing to revert to"
        )
    reverted = {}
    for tracked in chosen:
        value = _python_value(tracked, values[tracked.key])
        attribute = mapper.get_property_by_column(tracked.column).key
        setattr(obj, attribute, value)
        reverted[tracked.key] = value
    return reverted


@contextmanager
def _own_transaction(target: Connection | Engine) -> Iterator[Connection]:
    """A transaction of its own: committed on the way out for an Engine or
    a connection outside one; a savepoint inside a caller's transaction."""
    if isinstance(target, Engine):
        with target.begin() as connection:
            yield connection
    elif isinstance(target, Connection):
        begin = target.begin_nested if target.in_transaction() else target.begin
        with begin():
            yield target
    else:
        raise HistoryError(
            f"prune() and erase() take a Connection or Engine, not {target!r}"
        )


_DELETE_BATCH = 500


def prune(
    connection: Connection | Engine,
    model: type[Any],
    *,
    older_than: dt.datetime | None = None,
    keep_last: int | None = None,
) -> int:
    """Remove history entries that a retention rule lets go: those older than
    ``older_than``, or beyond the newest ``keep_last`` of each field of each
    row, or (both given) those both rules let go. The entry holding each
    field's value at the cut is always kept, so :func:`as_of` stays right
    for every instant after it. Returns the number of entries removed."""
    _, table, mapper = history_spec(model)
    if older_than is None and keep_last is None:
        raise HistoryError("prune() needs older_than=, keep_last= or both")
    if keep_last is not None and (
        not isinstance(keep_last, int) or isinstance(keep_last, bool) or keep_last < 1
    ):
        raise HistoryError(f"prune(keep_last=...) takes an int >= 1, not {keep_last!r}")
    cut = None if older_than is None else _aware(older_than, "prune(older_than=...)")
    key = [table.c[str(column.key)] for column in mapper.primary_key]
    group = [*key, table.c.field]
    newest_first = table.c.history_id.desc()
    rules = []
    columns: list[ColumnElement[Any]] = [table.c.history_id]
    if keep_last is not None:
        rank = func.row_number().over(partition_by=group, order_by=newest_first)
        columns.append(rank.label("fs_rank"))
    if cut is not None:
        before_cut = case((table.c.changed_at <= cut, 1), else_=0)
        rank_at_cut = func.row_number().over(
            partition_by=[*group, before_cut], order_by=newest_first
        )
        columns += [rank_at_cut.label("fs_rank_at_cut"), table.c.changed_at]
    ranked = select(*columns).subquery()
    if keep_last is not None:
        rules.append(ranked.c.fs_rank > keep_last)
    if cut is not None:
        # Older than the cut, and not the entry holding the value at the cut.
        rules.append(and_(ranked.c.changed_at < cut, ranked.c.fs_rank_at_cut > 1))
    removed = 0
    with _own_transaction(connection) as conn:
        ids = list(conn.scalars(select(ranked.c.history_id).where(*rules)))
        for start in range(0, len(ids), _DELETE_BATCH):
            batch = ids[start : start + _DELETE_BATCH]
            removed += conn.execute(
                delete(table).where(table.c.history_id.in_(batch))
            ).rowcount
    return removed


def erase(
    connection: Connection | Engine,
    model: type[Any],
    pk: object,
    fields: Sequence[str] | None = None,
) -> int:
    """Blank the stored values (``old``, ``new``) of the history of one row,
    of ``fields`` or of every recorded field, keeping when, what operation
    and who: for a right-to-erasure request. Returns the number of entries
    blanked."""
    spec, table, mapper = history_spec(model)
    if isinstance(fields, str):
        raise HistoryError(f"erase(fields=...) takes a list of fields, not {fields!r}")
    where = _row_of(mapper, table, pk)
    if fields is not None:
        where.append(
            table.c.field.in_([_history_field(spec, name).key for name in fields])
        )
    statement = (
        update(table)
        .where(*where, or_(table.c.old.is_not(None), table.c.new.is_not(None)))
        .values(old=literal(None), new=literal(None))
    )
    with _own_transaction(connection) as conn:
        return conn.execute(statement).rowcount


# -- the methods a model gets ---------------------------------------------------


class HistoryMethods:
    """``get_history()`` and ``as_of()`` on instances of a class with history."""

    def get_history(
        self,
        field: str | None = None,
        *,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> list[Change]:
        """This row's recorded changes, newest first (see
        :func:`fieldstamps.get_history`)."""
        session, pk = _bound(self, "get_history")
        return get_history(session, type(self), pk, field, since=since, until=until)

    def as_of(self, when: dt.datetime) -> dict[str, Any] | None:
        """This row's recorded fields at ``when`` (see :func:`fieldstamps.as_of`)."""
        session, pk = _bound(self, "as_of")
        return as_of(session, type(self), pk, when)


def _bound(obj: object, method: str) -> tuple[Session, object]:
    history_spec(type(obj))
    session = object_session(obj)
    identity = inspect(obj).identity
    if session is None or identity is None:
        raise HistoryError(
            f"{type(obj).__name__}.{method}() needs an object loaded from or "
            "flushed to the database by a Session; use "
            f"fieldstamps.{method}(session, Model, pk, ...) otherwise"
        )
    return session, identity if len(identity) > 1 else identity[0]
