"""``plain``: SQLAlchemy with ``created_at``/``updated_at`` only — the floor."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import DeclarativeBase

from ._base import (
    TRACKED_FIELDS,
    Contender,
    PostTimestampMixin,
    UserColumns,
    user_columns,
)


class Base(DeclarativeBase):
    pass


class User(PostTimestampMixin, UserColumns, Base):
    pass


@functools.cache
def _model(count: int) -> type[UserColumns]:
    """The table with ``count`` tracked columns (the sweep's)."""
    if count == len(TRACKED_FIELDS):
        return User

    class SweepBase(DeclarativeBase):
        pass

    model: type[UserColumns] = type(
        "User", (PostTimestampMixin, user_columns(count), SweepBase), {}
    )
    return model


class Plain(Contender):
    name = "plain"
    tracks_fields = False
    note = (
        "no per-field time: W5 reads the row's updated_at, W6 counts rows with "
        "updated_at >= T (a row-level stand-in) without an index"
    )

    def __init__(self, dialect: str, fields: int = len(TRACKED_FIELDS)) -> None:
        super().__init__(dialect, fields)
        self._user = _model(len(self.fields))

    @property
    def model(self) -> type[UserColumns]:
        return self._user

    def changed_at(self, row: Any, field: str) -> dt.datetime | None:
        # The closest a table without per-field stamps gets.
        value: dt.datetime | None = row.updated_at
        return value

    def count_changed_since(self, field: str, since: dt.datetime) -> Select[Any]:
        # func.now() fills naive columns with the server's wall time; the
        # benchmark servers run in UTC.
        naive = since.astimezone(dt.UTC).replace(tzinfo=None)
        user: Any = self._user
        return select(func.count()).select_from(user).where(user.updated_at >= naive)


def contender(dialect: str, fields: int = len(TRACKED_FIELDS)) -> Contender:
    return Plain(dialect, fields)
