"""``fieldstamps-history``: ``fieldstamps-triggers-json`` with
``{"history": True}``: the same triggers also record every field change in
``user_account_history`` (one row per changed field), read back for W8
through ``history_class()``."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import DeclarativeBase

from fieldstamps import ChangeTrackingMixin, TimestampMixin, history_class

from ._base import Contender, UserColumns
from .fieldstamps_json import FieldstampsJson, NameMirror


class Base(DeclarativeBase):
    pass


class User(TimestampMixin, ChangeTrackingMixin, NameMirror, UserColumns, Base):
    # History implies triggers: this is fieldstamps-triggers-json plus the
    # history table, so the two rows' difference is what history costs.
    __fieldstamps__: ClassVar[dict[str, Any]] = {"history": True}


class FieldstampsHistory(FieldstampsJson):
    name = "fieldstamps-history"
    note = (
        "triggers + history; W6 index: updated_at_column('name'); W8 reads "
        "history_class(User) rows by its (id, field, history_id) index"
    )
    user_class = User

    def last_changes(self, field: str, row_id: int, limit: int) -> Select[Any]:
        # get_history()'s query and order (a row's entries in the order its
        # writes took the row lock), with a limit: get_history() has none.
        entry: Any = history_class(self.user_class)
        return (
            select(entry)
            .where(entry.id == row_id, entry.field == field)
            .order_by(entry.history_id.desc())
            .limit(limit)
        )

    @property
    def history_tables(self) -> tuple[str, ...]:
        entry: Any = history_class(self.user_class)
        return (entry.__table__.name,)

    def count_field_changes(self) -> Select[Any]:
        # One history row per changed field.
        entry = history_class(self.user_class)
        return select(func.count()).select_from(entry)


def contender(dialect: str) -> Contender:
    return FieldstampsHistory(dialect)
