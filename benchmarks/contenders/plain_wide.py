"""``plain-wide``: the physical floor of ``fieldstamps-columns`` (issue 11).

``plain``'s table plus exactly the stamp columns ``fieldstamps-columns`` has
(one per tracked field, fieldstamps.UTCDateTime's storage, ``name``'s
indexed), written by plain SQLAlchemy with no tracking logic: a constant
Python datetime into all of them on INSERT (a column default), and into the
stamp of each field an UPDATE writes (the workloads' write hooks), which is
where fieldstamps writes a stamp.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import DeclarativeBase, mapped_column
from sqlalchemy.orm.attributes import flag_modified

from ._base import (
    TRACKED_FIELDS,
    Contender,
    PostTimestampMixin,
    UserColumns,
    extra_fields,
    user_columns,
)
from ._floor import STAMP, StampDateTime


def stamp_key(field: str) -> str:
    return f"{field}_changed_at"


@functools.cache
def _model(count: int) -> type[UserColumns]:
    class Base(DeclarativeBase):
        pass

    stamps = {
        stamp_key(field): mapped_column(
            StampDateTime(), default=STAMP, nullable=True, index=field == "name"
        )
        for field in TRACKED_FIELDS + extra_fields(count)
    }
    # A mixin of their own, after the timestamps: the column order (and so
    # the row layout) of fieldstamps-columns' table.
    stamp_columns = type("StampColumns", (), stamps)
    model: type[UserColumns] = type(
        "User", (PostTimestampMixin, stamp_columns, user_columns(count), Base), {}
    )
    return model


class PlainWide(Contender):
    name = "plain-wide"
    tracks_fields = False
    writes_extra = True
    note = (
        "floor of fieldstamps-columns: plain's table plus its stamp columns "
        "(name's indexed), a constant datetime written into all of them on "
        "INSERT (column default) and into the written fields' on UPDATE "
        "(ORM: flag_modified, since the loaded value is that constant; W3/W4: "
        "in the statement's values); W6 counts name's stamp >= T (the "
        "constant is older than T: 0 rows)"
    )

    def __init__(self, dialect: str, fields: int = len(TRACKED_FIELDS)) -> None:
        super().__init__(dialect, fields)
        self._user = _model(len(self.fields))
        self._stamps = {field: stamp_key(field) for field in self.fields}

    @property
    def model(self) -> type[UserColumns]:
        return self._user

    def changed(self, row: Any, fields: Sequence[str]) -> None:
        loaded = row.__dict__
        for field in fields:
            key = self._stamps[field]
            if key in loaded:
                # Every write stores STAMP, so that is the loaded value: an
                # equal assignment would leave the column out of the UPDATE.
                flag_modified(row, key)
            else:
                setattr(row, key, STAMP)

    def statement_values(self, values: Mapping[str, Any]) -> Mapping[str, Any]:
        stamps = self._stamps
        return {stamps[key]: STAMP for key in values if key in stamps}

    def changed_at(self, row: Any, field: str) -> dt.datetime | None:
        value: dt.datetime | None = getattr(row, stamp_key(field))
        return value

    def count_changed_since(self, field: str, since: dt.datetime) -> Select[Any]:
        column = getattr(self._user, stamp_key(field))
        return select(func.count()).select_from(self._user).where(column >= since)


def contender(dialect: str, fields: int = len(TRACKED_FIELDS)) -> Contender:
    return PlainWide(dialect, fields)
