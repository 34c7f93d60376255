"""``fieldstamps-columns``: one ``changed_at()`` column per tracked field,
``name``'s indexed, with fieldstamps' TimestampMixin."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped

from fieldstamps import TimestampMixin, changed_at

from ._base import TRACKED_FIELDS, Contender, UserColumns, extra_fields, user_columns


class Base(DeclarativeBase):
    pass


class ChangedAtColumns:
    """One changed_at() column per tracked field (also the trigger variant's)."""

    name_changed_at: Mapped[dt.datetime | None] = changed_at("name", index=True)
    email_changed_at: Mapped[dt.datetime | None] = changed_at("email")
    city_changed_at: Mapped[dt.datetime | None] = changed_at("city")
    age_changed_at: Mapped[dt.datetime | None] = changed_at("age")
    balance_changed_at: Mapped[dt.datetime | None] = changed_at("balance")


class User(TimestampMixin, ChangedAtColumns, UserColumns, Base):
    pass


@functools.cache
def _model(count: int) -> type[UserColumns]:
    """The table with ``count`` tracked columns (the sweep's): one more
    changed_at() column per extra field."""
    if count == len(TRACKED_FIELDS):
        return User

    class SweepBase(DeclarativeBase):
        pass

    extras = {f"{key}_changed_at": changed_at(key) for key in extra_fields(count)}
    more = type("MoreChangedAtColumns", (), extras)
    model: type[UserColumns] = type(
        "User",
        (TimestampMixin, ChangedAtColumns, more, user_columns(count), SweepBase),
        {},
    )
    return model


class FieldstampsColumns(Contender):
    name = "fieldstamps-columns"
    note = "W6 index: changed_at('name', index=True)"
    user_class: type[UserColumns] = User

    def __init__(self, dialect: str, fields: int = len(TRACKED_FIELDS)) -> None:
        super().__init__(dialect, fields)
        if fields != len(TRACKED_FIELDS):
            self.user_class = _model(fields)

    @property
    def model(self) -> type[UserColumns]:
        return self.user_class

    def changed_at(self, row: Any, field: str) -> dt.datetime | None:
        value: dt.datetime | None = getattr(row, f"{field}_changed_at")
        return value

    def count_changed_since(self, field: str, since: dt.datetime) -> Select[Any]:
        column = getattr(self.model, f"{field}_changed_at")
        return select(func.count()).select_from(self.model).where(column >= since)


def contender(dialect: str, fields: int = len(TRACKED_FIELDS)) -> Contender:
    return FieldstampsColumns(dialect, fields)
