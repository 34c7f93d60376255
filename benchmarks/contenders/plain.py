"""``plain``: SQLAlchemy with ``created_at``/``updated_at`` only — the floor."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import DeclarativeBase

from ._base import Contender, PostTimestampMixin, UserColumns


class Base(DeclarativeBase):
    pass


class User(PostTimestampMixin, UserColumns, Base):
    pass


class Plain(Contender):
    name = "plain"
    tracks_fields = False
    note = (
        "no per-field time: W5 reads the row's updated_at, W6 counts rows with "
        "updated_at >= T (a row-level stand-in) without an index"
    )

    @property
    def model(self) -> type[UserColumns]:
        return User

    def changed_at(self, row: Any, field: str) -> dt.datetime | None:
        # The closest a table without per-field stamps gets.
        value: dt.datetime | None = row.updated_at
        return value

    def count_changed_since(self, field: str, since: dt.datetime) -> Select[Any]:
        # func.now() fills naive columns with the server's wall time; the
        # benchmark servers run in UTC.
        naive = since.astimezone(dt.UTC).replace(tzinfo=None)
        return select(func.count()).select_from(User).where(User.updated_at >= naive)


def contender(dialect: str) -> Contender:
    return Plain(dialect)
