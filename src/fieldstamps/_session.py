"""Keeping in-session objects' stamps in step with the database.

The stamps themselves are written by SQL on every path; this module only
decides which already-loaded attributes no longer match the database:

* After a flush, stamps computed by an UPDATE's SQL are expired by
  SQLAlchemy. They are reloaded at once, in one SELECT per class for the
  whole flush, unless the flush belongs to a ``commit()`` that expires
  everything anyway. Objects stay readable without lazy loads, which an
  ``AsyncSession`` cannot do. INSERTed objects are reloaded the same way
  (``eager_defaults`` is off for stamped classes: RETURNING them would be
  wasted on the usual expiring commit).
* SQLAlchemy expires SQL-computed columns itself after ORM UPDATE statements
  with ``synchronize_session="evaluate"`` or ``"fetch"``; it leaves them as
  they were for ``synchronize_session=False`` and for bulk UPDATE by primary
  key, which are expired here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, inspect, select, tuple_
from sqlalchemy.engine import Result
from sqlalchemy.orm import InstanceState, Mapper, ORMExecuteState, Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.unitofwork import UOWTransaction

from ._spec import spec_of
from ._sql import DIALECTS

_COMMITTING = "fieldstamps.committing"
_FLUSHED = "fieldstamps.flushed"
# Rows per reload SELECT: well under every backend's bound-parameter limit.
_RELOAD_CHUNK = 500


def _stamp_keys(mapper: Mapper[Any], *, with_created_at: bool = False) -> list[str]:
    spec = spec_of(mapper.local_table)
    if spec is None:
        return []
    columns = spec.columns + (spec.created_at if with_created_at else ())
    return [
        mapper.get_property_by_column(column).key
        for column in columns
        if column in mapper.columns.values()
    ]


# -- reloading after a flush --------------------------------------------------


@event.listens_for(Session, "before_commit")
def _mark_committing(session: Session) -> None:
    if session.expire_on_commit and not session.in_nested_transaction():
        session.info[_COMMITTING] = True


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _clear_committing(session: Session) -> None:
    session.info.pop(_COMMITTING, None)


@event.listens_for(Session, "after_flush")
def _note_flushed(session: Session, flush_context: UOWTransaction) -> None:
    if session.info.get(_COMMITTING):
        return  # the commit will expire these objects anyway
    # "dirty" and "new" still list what this flush updates and inserts; the
    # reload after it fetches whichever of their stamps came back expired.
    states = (inspect(obj) for obj in (*session.dirty, *session.new))
    flushed = [
        state for state in states if spec_of(state.mapper.local_table) is not None
    ]
    if flushed:
        session.info[_FLUSHED] = flushed


@event.listens_for(Session, "after_flush_postexec")
def _reload_flushed(session: Session, flush_context: UOWTransaction) -> None:
    flushed: list[InstanceState[Any]] | None = session.info.pop(_FLUSHED, None)
    if not flushed:
        return
    by_mapper: dict[Mapper[Any], list[InstanceState[Any]]] = {}
    for state in flushed:
        if state.key is not None and not state.deleted and not state.detached:
            by_mapper.setdefault(state.mapper, []).append(state)
    for mapper, states in by_mapper.items():
        keys = _stamp_keys(mapper, with_created_at=True)
        if _returned_before_triggers(session, mapper):
            _reload(session, mapper, keys, states, every_key=True)
            continue
        stale = [state for state in states if state.unloaded.intersection(keys)]
        if stale:
            _reload(session, mapper, keys, stale)


def _returned_before_triggers(session: Session, mapper: Mapper[Any]) -> bool:
    """Whether stamps an ``eager_defaults`` RETURNING loaded may predate the
    triggers that write them (SQLite's AFTER triggers)."""
    spec = spec_of(mapper.local_table)
    if spec is None or not spec.triggers or not mapper.eager_defaults:
        return False
    dialect = session.connection(bind_arguments={"mapper": mapper}).dialect
    written = DIALECTS.get(dialect.name)
    return written is not None and written.returning_precedes_triggers


def _reload(
    session: Session,
    mapper: Mapper[Any],
    keys: list[str],
    states: Iterable[InstanceState[Any]],
    *,
    every_key: bool = False,
) -> None:
    pk = mapper.primary_key
    wanted = [mapper.columns[key] for key in keys]
    by_identity = {
        state.identity: state for state in states if state.identity is not None
    }
    identities = list(by_identity)
    # A Core SELECT on the flush's own connection: no autoflush, no ORM
    # loading; values are set as committed state, so nothing turns dirty.
    connection = session.connection(bind_arguments={"mapper": mapper})
    for start in range(0, len(identities), _RELOAD_CHUNK):
        chunk = identities[start : start + _RELOAD_CHUNK]
        where = (
            pk[0].in_([identity[0] for identity in chunk])
            if len(pk) == 1
            else tuple_(*pk).in_(chunk)
        )
        for row in connection.execute(select(*pk, *wanted).where(where)):
            state = by_identity.get(tuple(row[: len(pk)]))
            if state is None or state.obj() is None:
                continue
            for key, value in zip(keys, row[len(pk) :], strict=True):
                if every_key or key in state.unloaded:
                    set_committed_value(state.obj(), key, value)


# -- ORM UPDATE statements ----------------------------------------------------


@event.listens_for(Session, "do_orm_execute")
def _expire_stale_stamps(state: ORMExecuteState) -> Result[Any] | None:
    if not state.is_update:
        return None
    mapper = state.bind_mapper
    if mapper is None:
        return None
    keys = _stamp_keys(mapper)
    if not keys:
        return None
    params = state.parameters
    by_primary_key = isinstance(params, list)
    synchronize = state.execution_options.get("synchronize_session", "auto")
    if not by_primary_key and synchronize is not False:
        return None

    result = state.invoke_statement()
    session = state.session
    if by_primary_key:
        assert isinstance(params, list)
        pk_keys = [mapper.get_property_by_column(col).key for col in mapper.primary_key]
        for row in params:
            identity = mapper.identity_key_from_primary_key(
                tuple(row.get(key) for key in pk_keys)
            )
            obj = session.identity_map.get(identity)
            if obj is not None:
                session.expire(obj, keys)
    else:
        # Which rows matched is unknown: expire every loaded object of the class.
        for obj in list(session.identity_map.values()):
            if isinstance(obj, mapper.class_):
                session.expire(obj, keys)
    return result
