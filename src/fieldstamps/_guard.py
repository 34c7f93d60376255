"""Stamp columns belong to the database: writes that name them are refused.

An admin form that posts every column back, or code that copies a row, would
otherwise write stamps it read earlier (truncated, or simply old) and so move
them backwards or leave a changed field unstamped. Outside
:func:`manual_stamps`, an INSERT or UPDATE that gives a stamp column a value
raises :class:`StampWriteError` before anything is sent. One exception: an
INSERT's ``changes`` given as ``None`` or ``{}`` (what forms and SQLModel
send for "nothing yet") is dropped, so the insert's own stamps are recorded.

>>> import fieldstamps
>>> with fieldstamps.manual_stamps():
...     pass  # writes here may carry their own stamps
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Engine, Table, event
from sqlalchemy.engine import Connection
from sqlalchemy.sql.dml import Insert, Update

from ._compat import statement_value_keys
from ._errors import StampWriteError
from ._pause import is_paused
from ._spec import TableSpec, spec_of
from ._sql.dml import PausedStamps

_MANUAL: ContextVar[bool] = ContextVar("fieldstamps_manual_stamps", default=False)
# What forms and SQLModel send for "no changes yet" on a new row.
_NOTHING_YET: tuple[object, ...] = (None, {})


@contextmanager
def manual_stamps() -> Iterator[None]:
    """Allow writes of stamp columns inside the ``with`` block, for imports
    from another system that carry their own times::

        with fieldstamps.manual_stamps():
            session.add(User(name="x", created_at=imported, updated_at=imported))
            session.commit()

    Stamps the write gives are stored as given; the others are computed as
    usual. The permission is per thread and per asyncio task.
    """
    token = _MANUAL.set(True)
    try:
        yield
    finally:
        _MANUAL.reset(token)


def _stamp_keys(spec: TableSpec) -> dict[str, str]:
    return {
        str(column.key): f"{spec.owner}.{column.key}"
        for column in (*spec.columns, *spec.created_at)
    }


def _refuse(owner_column: str) -> StampWriteError:
    return StampWriteError(
        f"{owner_column} is set by the database: a value written to it would "
        "move a stamp backwards or leave a change unstamped. Leave it out of "
        "the write (admin forms: see the README's 'Admin interfaces'), or "
        "write inside `with fieldstamps.manual_stamps():` to import stamps "
        "that come from another system"
    )


def _without_nothing_yet(
    rows: Sequence[Mapping[str, Any]], changes_key: str
) -> list[Mapping[str, Any]]:
    return [
        {key: value for key, value in row.items() if key != changes_key}
        if row.get(changes_key, 0) in _NOTHING_YET
        else row
        for row in rows
    ]


@event.listens_for(Engine, "before_execute", retval=True)
def _guard_stamp_columns(
    conn: Connection,
    clauseelement: Any,
    multiparams: list[Mapping[str, Any]],
    params: Mapping[str, Any],
    execution_options: Mapping[str, Any],
) -> tuple[Any, list[Mapping[str, Any]], Mapping[str, Any]]:
    if not isinstance(clauseelement, Insert | Update):
        return clauseelement, multiparams, params
    table = clauseelement.table
    spec = spec_of(table) if isinstance(table, Table) else None
    if spec is None:
        return clauseelement, multiparams, params
    if _MANUAL.get():
        return _marked_if_paused(conn, clauseelement), multiparams, params
    stamps = _stamp_keys(spec)
    changes_key = None if spec.changes is None else str(spec.changes.key)
    if isinstance(clauseelement, Insert) and changes_key is not None:
        multiparams = _without_nothing_yet(multiparams, changes_key)
        params = _without_nothing_yet([params], changes_key)[0]
    # The first row names the columns of every row: SQLAlchemy compiles an
    # executemany from its keys.
    given = statement_value_keys(clauseelement)
    given.update(multiparams[0] if multiparams else params)
    for key in given:
        if key in stamps:
            raise _refuse(stamps[key])
    return _marked_if_paused(conn, clauseelement), multiparams, params


def _marked_if_paused(conn: Connection, statement: Insert | Update) -> Insert | Update:
    # Trigger-mode tables read the pause from the database; the mark makes
    # SQL-mode stamps compile kept (an INSERT's only in an upsert's UPDATE).
    return statement.options(PausedStamps()) if is_paused(conn) else statement
