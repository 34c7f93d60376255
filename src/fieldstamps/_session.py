"""Keeping in-session objects' stamps fresh after ORM UPDATE statements.

The stamps themselves are written by SQL on every path; this only decides
which already-loaded attributes no longer match the database. SQLAlchemy
expires SQL-computed columns itself for ``synchronize_session="evaluate"``
and ``"fetch"``; it leaves them as they were for ``synchronize_session=False``
and for bulk UPDATE by primary key, which this listener covers.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Result
from sqlalchemy.orm import Mapper, ORMExecuteState, Session

from ._model import table_stamps


def _stamp_keys(mapper: Mapper[Any]) -> list[str]:
    stamps = table_stamps(mapper.local_table)
    if stamps is None:
        return []
    return [
        mapper.get_property_by_column(column).key
        for column in stamps.columns
        if column in mapper.columns.values()
    ]


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
