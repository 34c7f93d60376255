"""``fieldstamps-triggers-json``: ``fieldstamps-json`` with
``{"triggers": True}``: database triggers compute every stamp."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy.orm import DeclarativeBase

from fieldstamps import ChangeTrackingMixin, TimestampMixin

from ._base import Contender, UserColumns
from .fieldstamps_json import FieldstampsJson, NameMirror


class Base(DeclarativeBase):
    pass


class User(TimestampMixin, ChangeTrackingMixin, NameMirror, UserColumns, Base):
    __fieldstamps__: ClassVar[dict[str, Any]] = {"triggers": True}


class FieldstampsTriggersJson(FieldstampsJson):
    name = "fieldstamps-triggers-json"
    note = "triggers; W6 index: updated_at_column('name')"
    user_class = User


def contender(dialect: str) -> Contender:
    return FieldstampsTriggersJson(dialect)
