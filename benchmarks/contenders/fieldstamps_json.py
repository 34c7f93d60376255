"""``fieldstamps-json``: ChangeTrackingMixin + TimestampMixin, as the README
recommends, with ``updated_at_column("name")`` as W6's index."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped

from fieldstamps import ChangeTrackingMixin, TimestampMixin, updated_at_column

from ._base import TRACKED_FIELDS, Contender, UserColumns, user_columns


class Base(DeclarativeBase):
    pass


class NameMirror:
    # Indexed generated column mirroring changes' name stamp; what
    # User.updated_at_of("name") reads.
    name_updated_at: Mapped[dt.datetime | None] = updated_at_column("name")


class User(TimestampMixin, ChangeTrackingMixin, NameMirror, UserColumns, Base):
    pass


@functools.cache
def _model(count: int) -> type[Any]:
    """The table with ``count`` tracked columns (the sweep's): the mixin
    tracks every column, the extra ones too."""
    if count == len(TRACKED_FIELDS):
        return User

    class SweepBase(DeclarativeBase):
        pass

    return type(
        "User",
        (
            TimestampMixin,
            ChangeTrackingMixin,
            NameMirror,
            user_columns(count),
            SweepBase,
        ),
        {},
    )


class FieldstampsJson(Contender):
    name = "fieldstamps-json"
    note = "W6 index: updated_at_column('name') (stored generated column)"
    user_class: type[Any] = User

    def __init__(self, dialect: str, fields: int = len(TRACKED_FIELDS)) -> None:
        super().__init__(dialect, fields)
        if fields != len(TRACKED_FIELDS):
            self.user_class = _model(fields)

    @property
    def model(self) -> type[UserColumns]:
        model: type[UserColumns] = self.user_class
        return model

    def changed_at(self, row: Any, field: str) -> dt.datetime | None:
        stamp: dt.datetime | None = row.get_updated_at(field)
        return stamp

    def count_changed_since(self, field: str, since: dt.datetime) -> Select[Any]:
        return (
            select(func.count())
            .select_from(self.user_class)
            .where(self.user_class.updated_at_of(field) >= since)
        )


def contender(dialect: str, fields: int = len(TRACKED_FIELDS)) -> Contender:
    return FieldstampsJson(dialect, fields)
