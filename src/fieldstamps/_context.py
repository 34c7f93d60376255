"""Who changed what, and why: :func:`context`, recorded on every history
entry written inside it.

>>> import fieldstamps
>>> with fieldstamps.context(actor="alice", reason="support ticket 42"):
...     with fieldstamps.context(ticket=42):  # merges: actor, reason, ticket
...         pass

The values follow ``contextvars`` (each thread and asyncio task has its
own) and reach the database once per transaction, with bound parameters,
before the first statement a connection runs inside the context, and again
when they change mid-transaction:

* PostgreSQL: transaction-local settings (``set_config(..., true)``), which
  end with the transaction or a rolled-back savepoint;
* MariaDB/MySQL: session variables, cleared before commit and rollback and
  when the pool takes the connection back, together with the variable in
  which the history triggers keep the transaction's id;
* SQLite: the transaction's marker row (``fieldstamps_txn``), deleted before
  commit.

So the next user of a pooled connection records no actor unless it sets
one. A writer outside SQLAlchemy sets them itself (the README shows how).
"""

from __future__ import annotations

import functools
import inspect
import json
import weakref
from collections.abc import Callable, Mapping
from contextvars import ContextVar, Token
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TypeVar, cast

from sqlalchemy import Engine, MetaData, Pool, event, text
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.engine.interfaces import DBAPIConnection, DBAPICursor
from sqlalchemy.sql import TextClause
from sqlalchemy.sql.dml import Delete, Insert, Update

from ._errors import HistoryError
from ._sql import dialect_sql, on_driver_cursor
from ._sql.base import HistoryContext

_F = TypeVar("_F", bound=Callable[..., Any])

# Keys in the DB-API connection's ``info``: the values sent in its current
# transaction, and that the transaction may have written history (so that
# what a session variable or marker row holds must be ended with it).
_SENT = "fieldstamps.context"
_WROTE = "fieldstamps.history_written"
# The dialect, for the pool's reset, which sees a DB-API connection only.
_DIALECT = "fieldstamps.dialect"
# That the database has SQLite's marker table.
_PRESENT = "fieldstamps.marker_table"

_ACTOR_LIMIT = 255


@dataclass(frozen=True)
class _Values:
    actor: str | None
    reason: str | None
    #: The extra keys as one JSON object (sorted keys), or None.
    context: str | None
    extra: tuple[tuple[str, Any], ...]

    def merged(self, inner: _Values) -> _Values:
        extra = dict(self.extra)
        extra.update(inner.extra)
        return _values(
            inner.actor if inner.actor is not None else self.actor,
            inner.reason if inner.reason is not None else self.reason,
            extra,
        )


def _values(actor: object, reason: object, extra: Mapping[str, Any]) -> _Values:
    for name, value in (("actor", actor), ("reason", reason)):
        if value is not None and not isinstance(value, str):
            raise HistoryError(
                f"fieldstamps.context({name}=...) takes a string or None, not {value!r}"
            )
    if isinstance(actor, str) and len(actor) > _ACTOR_LIMIT:
        raise HistoryError(
            f"fieldstamps.context(actor=...) is {len(actor)} characters long; "
            f"the history's actor column holds {_ACTOR_LIMIT}"
        )
    for key, value in extra.items():
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise HistoryError(
                f"fieldstamps.context({key}=...) cannot be stored: {value!r} "
                f"has no JSON form ({exc}); pass strings, numbers, booleans, "
                "None, or lists and dicts of them"
            ) from exc
    document = (
        json.dumps(dict(sorted(extra.items())), separators=(",", ":"))
        if extra
        else None
    )
    return _Values(
        cast("str | None", actor),
        cast("str | None", reason),
        document,
        tuple(sorted(extra.items())),
    )


_CURRENT: ContextVar[_Values | None] = ContextVar("fieldstamps_context", default=None)


class Context:
    """What :func:`context` returns: a context manager, and a decorator for
    functions and coroutine functions."""

    def __init__(self, values: _Values) -> None:
        self._values = values
        self._tokens: list[Token[_Values | None]] = []

    @property
    def actor(self) -> str | None:
        return self._values.actor

    @property
    def reason(self) -> str | None:
        return self._values.reason

    @property
    def extra(self) -> dict[str, Any]:
        return dict(self._values.extra)

    def __enter__(self) -> Context:
        outer = _CURRENT.get()
        values = self._values if outer is None else outer.merged(self._values)
        self._tokens.append(_CURRENT.set(values))
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        _CURRENT.reset(self._tokens.pop())

    def __call__(self, function: _F) -> _F:
        values = self._values
        if inspect.iscoroutinefunction(function):

            @functools.wraps(function)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                with Context(values):
                    return await function(*args, **kwargs)

            return cast("_F", run_async)

        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            with Context(values):
                return function(*args, **kwargs)

        return cast("_F", run)


def context(
    actor: str | None = None, reason: str | None = None, **extra: Any
) -> Context:
    """Record ``actor``, ``reason`` and ``extra`` (as ``Change.context``) on
    every history entry written inside the block or decorated function.

    Nested contexts merge, the inner one winning per key (an inner ``None``
    keeps the outer value). ``extra`` values must have a JSON form: anything
    else raises :class:`HistoryError`, as does an actor longer than 255
    characters.
    """
    return Context(_values(actor, reason, extra))


def current_values() -> tuple[str | None, str | None, dict[str, Any]]:
    """The actor, reason and extra values in effect here."""
    values = _CURRENT.get()
    if values is None:
        return None, None, {}
    return values.actor, values.reason, dict(values.extra)


# -- reaching the database --------------------------------------------------------

# The MetaData of every class with history: a write to any of its tables
# may write history (a cascade reaches a table with history from another).
_RECORDING: weakref.WeakSet[MetaData] = weakref.WeakSet()


def record_history(metadata: MetaData) -> None:
    """Called when a class with history is mapped: from then on, connections
    send contexts and end what the history triggers leave in a session."""
    _RECORDING.add(metadata)


def _may_write_history(statement: object) -> bool:
    if isinstance(statement, Insert | Update | Delete):
        return getattr(statement.table, "metadata", None) in _RECORDING
    # SQL text may write anything; SELECTs, DDL and the like write no history.
    return isinstance(statement, str | TextClause)


@functools.lru_cache(maxsize=64)
def _driver_sql(
    dialect: Dialect, sql: str
) -> tuple[str, Callable[[Mapping[str, Any]], Any]]:
    """``sql``, with ``:name`` parameters, in the driver's paramstyle, and
    how to turn named values into the driver's parameters."""
    compiled = text(sql).compile(dialect=dialect)
    if compiled.positional:
        order = tuple(compiled.positiontup or ())
        return compiled.string, lambda values: tuple(values[n] for n in order)
    return compiled.string, dict


def _present(cursor: DBAPICursor, how: HistoryContext, info: dict[str, Any]) -> bool:
    """Whether the connection's database has what ``how`` sends to and ends
    (SQLite's marker table); remembered once found, as nothing of
    fieldstamps' drops it."""
    if how.present_sql is None or info.get(_PRESENT):
        return True
    cursor.execute(how.present_sql)
    found = cursor.fetchone() is not None
    if found:
        info[_PRESENT] = True
    return found


def _send(connection: Connection, values: _Values | None) -> None:
    how = dialect_sql(connection.dialect).history_context
    empty = "" if how.null_as_empty else None
    named = {
        "actor": empty if values is None or values.actor is None else values.actor,
        "reason": empty if values is None or values.reason is None else values.reason,
        "context": empty
        if values is None or values.context is None
        else values.context,
    }

    def run(cursor: DBAPICursor) -> None:
        if not _present(cursor, how, connection.info):
            return
        for statement in how.send:
            sql, parameters = _driver_sql(connection.dialect, statement)
            cursor.execute(sql, parameters(named))

    on_driver_cursor(connection.connection, run)


@event.listens_for(Engine, "before_execute")
def _before_execute(
    conn: Connection,
    clauseelement: Any,
    multiparams: Any,
    params: Any,
    execution_options: Any,
) -> None:
    if not _RECORDING:
        return
    info = conn.info
    if _may_write_history(clauseelement):
        info[_WROTE] = True
    current = _CURRENT.get()
    sent = info.get(_SENT)
    if current is sent:
        return
    _send(conn, current)
    info[_SENT] = current
    info[_WROTE] = True


def _end(
    dbapi_connection: DBAPIConnection, dialect: Dialect, info: dict[str, Any]
) -> None:
    how = dialect_sql(dialect).history_context
    if not how.end:
        return

    def run(cursor: DBAPICursor) -> None:
        if _present(cursor, how, info):
            for statement in how.end:
                cursor.execute(statement)

    on_driver_cursor(dbapi_connection, run)


def _ending(connection: Connection) -> None:
    info = connection.info
    info.pop(_SENT, None)
    if not info.get(_WROTE) or connection.closed or connection.invalidated:
        return
    dbapi_connection = connection.connection.dbapi_connection
    if dbapi_connection is None:
        return
    try:
        _end(dbapi_connection, connection.dialect, info)
    except Exception:
        # A dead connection: the commit or rollback that follows meets the
        # same error and lets SQLAlchemy handle it. The mark stays, so that
        # the pool's reset tries again, or discards the connection.
        return
    info.pop(_WROTE, None)


@event.listens_for(Engine, "commit")
def _committing(connection: Connection) -> None:
    # Before the commit: a marker row must not be part of what it commits.
    _ending(connection)


@event.listens_for(Engine, "rollback")
def _rolling_back(connection: Connection) -> None:
    _ending(connection)


@event.listens_for(Engine, "rollback_savepoint")
def _savepoint_rolled_back(connection: Connection, name: str, context: Any) -> None:
    # It takes back settings and marker rows sent after it began.
    connection.info.pop(_SENT, None)


@event.listens_for(Pool, "reset")
def _reset(dbapi_connection: DBAPIConnection, record: Any, reset_state: Any) -> None:
    info = record.info
    wrote = info.pop(_WROTE, False)
    info.pop(_SENT, None)
    dialect = info.get(_DIALECT)
    if wrote and dialect is not None:
        _end(dbapi_connection, dialect, info)


@event.listens_for(Engine, "engine_connect")
def _remember_dialect(connection: Connection) -> None:
    if _RECORDING:
        connection.info.setdefault(_DIALECT, connection.dialect)
