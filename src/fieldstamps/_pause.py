"""Writes that move no stamp: :func:`paused`.

A data fix, a re-import or a bulk normalisation changes values without being
a change anyone should see as recent. Inside ``with paused(...)``, UPDATEs on
that session or connection keep every stamp (``updated_at``, field stamps,
``changed_at()`` columns) while ``changes`` values follow the columns, in SQL
mode and in trigger mode::

    with fieldstamps.paused(session):
        session.execute(update(User).values(email=func.lower(User.email)))
        session.commit()

How, per transaction of the session or connection (its "pause"):

* SQL mode: its UPDATEs and upserts carry the :class:`PausedStamps` option,
  so they compile (and are cached) with their stamps kept.
* Trigger mode: the triggers read a mark that lives only inside the
  transaction: a transaction-local setting on PostgreSQL, a session variable
  cleared at commit, rollback and pool check-in on MariaDB/MySQL, a row that
  is deleted before commit on SQLite (``_sql/<dialect>.py``).

The pause is armed when a transaction of the target begins inside the block
(or at once, for one already open), disarmed at that transaction's end and
when the block exits, normally or by an exception. Nothing is ever altered
for other sessions (no ``ALTER TABLE ... DISABLE TRIGGER``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any
from weakref import WeakSet

from sqlalchemy import Pool, event
from sqlalchemy.engine import Connection
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import Session, SessionTransaction

from ._compat import session_connections
from ._errors import PauseError
from ._sql import dialect_sql, on_driver_cursor
from ._sql.base import PauseMark

if TYPE_CHECKING:
    # Not at run time: sqlalchemy.ext.asyncio needs greenlet, which an
    # application without async code may not have installed.
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession


#: Key, in the DB-API connection's ``info``, of the :class:`PauseMark` set
#: in its current transaction.
ARMED = "fieldstamps.paused"

# The connections of open blocks. Kept apart from ARMED: a statement is
# checked before the transaction it autobegins (and arms) has begun.
_PAUSED: WeakSet[Connection] = WeakSet()


def is_paused(connection: Connection) -> bool:
    """Whether ``connection`` writes inside a :func:`paused` block."""
    return connection in _PAUSED


class Paused:
    """The context manager :func:`paused` returns; ``with`` for a Session or
    Connection, ``async with`` for an AsyncSession or AsyncConnection."""

    def __init__(
        self, target: Session | Connection | AsyncSession | AsyncConnection
    ) -> None:
        # The async forms are known by the sync object they wrap.
        wrapped = getattr(target, "sync_session", None) or getattr(
            target, "sync_connection", None
        )
        sync = target if isinstance(target, Session | Connection) else wrapped
        if not isinstance(sync, Session | Connection):
            raise PauseError(
                "fieldstamps.paused() takes a Session, Connection, AsyncSession "
                f"or AsyncConnection, not {target!r}"
            )
        self._target = target
        self._sync: Session | Connection = sync
        self._is_async = sync is not target
        self._watched: list[Connection] = []
        self._active = False

    # -- the block ------------------------------------------------------------

    def __enter__(self) -> Paused:
        if self._is_async:
            raise PauseError(
                f"fieldstamps.paused({type(self._target).__name__}) is entered "
                "with 'async with'"
            )
        self._start(self._sync)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop()

    async def __aenter__(self) -> Paused:
        if not self._is_async:
            raise PauseError(
                f"fieldstamps.paused({type(self._target).__name__}) is entered with "
                "'with', not 'async with'"
            )
        await self._run_sync(lambda _: self._start(self._sync))
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._run_sync(lambda _: self._stop())

    async def _run_sync(self, work: Callable[[Any], None]) -> None:
        # Where the driver's I/O can run: inside the async form's greenlet.
        target: Any = self._target
        await target.run_sync(work)

    def _start(self, target: Session | Connection) -> None:
        if self._active:
            raise PauseError("a fieldstamps.paused() block cannot be entered twice")
        self._active = True
        if isinstance(target, Session):
            event.listen(target, "after_begin", self._session_began)
            for connection in session_connections(target):
                self._watch(connection)
        else:
            self._watch(target)

    def _stop(self) -> None:
        if not self._active:
            return
        self._active = False
        if isinstance(self._sync, Session):
            event.remove(self._sync, "after_begin", self._session_began)
        for connection in self._watched:
            _PAUSED.discard(connection)
            self._disarm(connection, ending=False)
            for name, listener in self._listeners():
                # A connection closed inside the block (a session's commit
                # ends its connection) has dropped its listeners already.
                if event.contains(connection, name, listener):
                    event.remove(connection, name, listener)
        self._watched.clear()

    # -- per connection -------------------------------------------------------

    def _listeners(self) -> list[tuple[str, Callable[..., None]]]:
        return [
            ("begin", self._arm),
            ("rollback_savepoint", self._rearm),
            ("commit", self._committing),
            ("rollback", self._rolling_back),
        ]

    def _session_began(
        self, session: Session, transaction: SessionTransaction, connection: Connection
    ) -> None:
        if connection not in self._watched:
            self._watch(connection)

    def _watch(self, connection: Connection) -> None:
        self._watched.append(connection)
        _PAUSED.add(connection)
        for name, listener in self._listeners():
            event.listen(connection, name, listener)
        if connection.in_transaction():
            self._arm(connection)

    def _arm(self, connection: Connection) -> None:
        mark = dialect_sql(connection.dialect).pause_mark
        if on_driver_cursor(connection.connection, mark.set):
            connection.info[ARMED] = mark

    def _rearm(self, connection: Connection, name: str, context: Any) -> None:
        # A rolled-back savepoint takes back a mark set after it began.
        if ARMED in connection.info:
            self._arm(connection)

    def _committing(self, connection: Connection) -> None:
        # Before the commit: the mark must not be part of what it commits.
        self._disarm(connection, ending=True)

    def _rolling_back(self, connection: Connection) -> None:
        self._disarm(connection, ending=True)

    def _disarm(self, connection: Connection, *, ending: bool) -> None:
        if connection.closed or connection.invalidated:
            return
        mark: PauseMark | None = connection.info.pop(ARMED, None)
        if mark is None:
            return
        if ending and mark.ends_with_transaction:
            return  # the transaction's end takes the mark with it
        try:
            on_driver_cursor(connection.connection, mark.clear)
        except Exception:
            if mark.ends_with_transaction:
                # A failed transaction cannot run the reset; it can only end,
                # and the mark ends with it.
                return
            # A mark that might outlive the block must not reach the pool.
            connection.invalidate()
            raise


@contextmanager
def stamps_as_written(connection: Connection) -> Iterator[None]:
    """Trigger-mode UPDATEs inside keep the stamps they write: what
    ``backfill()`` needs, whose UPDATE writes stamp columns only. Restores a
    :func:`paused` block's mark, if one is armed, on the way out."""
    mark = dialect_sql(connection.dialect).pause_mark
    if mark.keep_sql is None:
        yield
        return
    keep_sql = mark.keep_sql
    on_driver_cursor(connection.connection, lambda cursor: cursor.execute(keep_sql))
    try:
        yield
    finally:
        armed = ARMED in connection.info
        on_driver_cursor(connection.connection, mark.set if armed else mark.clear)


def paused(target: Session | Connection | AsyncSession | AsyncConnection) -> Paused:
    """Writes made on ``target`` inside the block change values but move no
    stamp: ``updated_at``, field stamps and ``changed_at()`` columns keep
    their instants, while ``changes`` values follow the columns. INSERTs are
    stamped as usual (a new row has no earlier instant to keep).

    Works in SQL and trigger mode; ``with`` for a Session or Connection,
    ``async with`` for their async forms. It applies to every transaction of
    ``target`` that the block spans and ends with the block, normally or by an
    exception; other sessions and connections are stamped as usual, and so is
    the next user of a pooled connection.
    """
    return Paused(target)


@event.listens_for(Pool, "reset")
def _reset_pause(
    dbapi_connection: DBAPIConnection, record: Any, reset_state: Any
) -> None:
    # Last line of defence for a session variable (MariaDB): a connection
    # that goes back to the pool with a mark armed leaves without it.
    mark: PauseMark | None = record.info.pop(ARMED, None)
    if mark is not None:
        on_driver_cursor(dbapi_connection, mark.clear)
