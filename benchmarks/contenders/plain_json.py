"""``plain-json``: the physical floor of ``fieldstamps-json`` (issue 11).

``plain``'s table plus what ``fieldstamps-json`` adds: a ``changes`` column
of fieldstamps.ChangesJSON's storage (``jsonb`` on PostgreSQL) and the
stored, indexed generated column mirroring its ``name`` stamp, as
``updated_at_column("name")`` declares it. Plain SQLAlchemy writes a
document of the same shape as fieldstamps' — ``{field: {"value": ...,
"updated_at": "YYYY-MM-DDTHH:MM:SS.ffffffZ"}}`` for every tracked field —
built in Python, on every write, with one constant stamp:

* INSERT (W1): the whole document, from the new row's values;
* ORM change (W2, W7): a copy of the loaded document with the written
  fields' entries replaced, as a correct seed would;
* ``update()`` statement (W3): one document per statement, bound: typical
  values (the row is not loaded, and ``age + 1`` is SQL), the same size;
* bulk UPDATE by primary key (W4): one document per parameter set, typical
  values with the written fields' entries from that set.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Computed, Select, String, func, select
from sqlalchemy.orm import DeclarativeBase, mapped_column
from sqlalchemy.sql import ClauseElement

from ._base import (
    TRACKED_FIELDS,
    Contender,
    PostTimestampMixin,
    UserColumns,
    user_columns,
)
from ._floor import (
    CHANGES_JSON,
    STAMP_TEXT,
    STAMP_TEXT_FORMAT,
    STAMP_TEXT_LENGTH,
    json_value,
    mirror_sql,
    typical_values,
)


@functools.cache
def _model(dialect: str, count: int) -> type[UserColumns]:
    class Base(DeclarativeBase):
        pass

    columns = {
        "changes": mapped_column(CHANGES_JSON, nullable=True),
        "name_updated_at": mapped_column(
            String(STAMP_TEXT_LENGTH),
            Computed(mirror_sql(dialect, "name"), persisted=True),
            nullable=True,
            index=True,
        ),
    }
    # A mixin of their own, after the timestamps: the column order (and so
    # the row layout) of fieldstamps-json's table.
    changes_columns = type("ChangesColumns", (), columns)
    model: type[UserColumns] = type(
        "User", (PostTimestampMixin, changes_columns, user_columns(count), Base), {}
    )
    return model


def _entry(value: Any) -> dict[str, Any]:
    return {"value": json_value(value), "updated_at": STAMP_TEXT}


class PlainJson(Contender):
    name = "plain-json"
    tracks_fields = False
    writes_extra = True
    note = (
        "floor of fieldstamps-json: plain's table plus changes (jsonb on "
        "PostgreSQL) and its indexed name mirror; the document built in "
        "Python on every write with a constant stamp (W3: one bound document "
        "per statement, W4: one per row, of typical values); W6 counts the "
        "mirror >= T (the constant is older than T: 0 rows)"
    )

    def __init__(self, dialect: str, fields: int = len(TRACKED_FIELDS)) -> None:
        super().__init__(dialect, fields)
        self._user = _model(dialect, len(self.fields))
        self._tracked = frozenset(self.fields)
        self._typical = {
            key: _entry(value) for key, value in typical_values(self.fields).items()
        }

    @property
    def model(self) -> type[UserColumns]:
        return self._user

    @property
    def engine_options(self) -> Mapping[str, Any]:
        # The document's text as long as fieldstamps' own: SQLite's
        # json_object() writes it without spaces (MariaDB's JSON_OBJECT()
        # with, as json.dumps does; PostgreSQL stores jsonb either way).
        if self.dialect == "sqlite":
            return {
                "json_serializer": functools.partial(json.dumps, separators=(",", ":"))
            }
        return {}

    def insert_values(self, values: Mapping[str, Any]) -> Mapping[str, Any]:
        return {"changes": {key: _entry(values[key]) for key in self.fields}}

    def changed(self, row: Any, fields: Sequence[str]) -> None:
        changes = dict(row.changes)
        for field in fields:
            changes[field] = _entry(getattr(row, field))
        row.changes = changes

    def statement_values(self, values: Mapping[str, Any]) -> Mapping[str, Any]:
        changes = dict(self._typical)
        for key, value in values.items():
            if key in self._tracked and not isinstance(value, ClauseElement):
                changes[key] = _entry(value)
        return {"changes": changes}

    def changed_at(self, row: Any, field: str) -> dt.datetime | None:
        entry = (row.changes or {}).get(field)
        if not isinstance(entry, dict) or not entry.get("updated_at"):
            return None
        return dt.datetime.fromisoformat(entry["updated_at"])

    def count_changed_since(self, field: str, since: dt.datetime) -> Select[Any]:
        assert field == "name", "only name has a mirror column"
        text = since.astimezone(dt.UTC).strftime(STAMP_TEXT_FORMAT)
        user: Any = self._user
        return (
            select(func.count()).select_from(user).where(user.name_updated_at >= text)
        )


def contender(dialect: str, fields: int = len(TRACKED_FIELDS)) -> Contender:
    return PlainJson(dialect, fields)
