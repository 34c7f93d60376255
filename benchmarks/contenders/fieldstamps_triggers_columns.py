"""``fieldstamps-triggers-columns``: ``fieldstamps-columns`` with
``{"triggers": True}``: database triggers compute every stamp."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy.orm import DeclarativeBase

from fieldstamps import TimestampMixin

from ._base import Contender, UserColumns
from .fieldstamps_columns import ChangedAtColumns, FieldstampsColumns


class Base(DeclarativeBase):
    pass


class User(TimestampMixin, ChangedAtColumns, UserColumns, Base):
    __fieldstamps__: ClassVar[dict[str, Any]] = {"triggers": True}


class FieldstampsTriggersColumns(FieldstampsColumns):
    name = "fieldstamps-triggers-columns"
    note = "triggers; W6 index: changed_at('name', index=True)"
    user_class = User


def contender(dialect: str) -> Contender:
    return FieldstampsTriggersColumns(dialect)
