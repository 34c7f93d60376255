"""``seed``: the blog post's design, written from its description.

A JSON column ``changes`` filled from ``__setattr__`` with the Python clock
(``datetime.now().isoformat()``), read with ``obj.get_updated_at(field)``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from functools import partial
from typing import Any

from sqlalchemy import JSON, ColumnElement, Index, Select, func, literal_column, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.orm.attributes import flag_modified

from ._base import Contender, PostTimestampMixin, UserColumns


class ChangeTrackingMixin:
    """The post's mixin, as published."""

    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=JSON.NULL)

    def __setattr__(self, attr: str, value: Any) -> None:
        table = self.__table__  # type: ignore[attr-defined]
        if attr != "changes" and attr in table.c.keys():  # noqa: SIM118 (as published)
            self._record_field_change(attr, value)
        super().__setattr__(attr, value)

    def _record_field_change(self, attr: str, new_value: Any) -> None:
        if self.changes is JSON.NULL or self.changes is None:
            self.changes = {}
        self.changes[attr] = {
            "value": new_value,
            "updated_at": dt.datetime.now().isoformat(),
        }
        flag_modified(self, "changes")

    def get_updated_at(self, attr: str) -> dt.datetime | None:
        updated_at = self.changes.get(attr, {}).get("updated_at")
        if updated_at:
            return dt.datetime.fromisoformat(updated_at)
        return None


class Base(DeclarativeBase):
    pass


class User(PostTimestampMixin, ChangeTrackingMixin, UserColumns, Base):
    pass


def _name_stamp(dialect: str) -> ColumnElement[Any]:
    # The text of changes' name stamp, spelled with a literal path so that the
    # query repeats the indexed expression exactly (SQLite matches expression
    # indexes textually; a bound path parameter would not match).
    if dialect == "postgresql":
        return func.json_extract_path_text(
            User.changes, literal_column("'name'"), literal_column("'updated_at'")
        )
    stamp = func.json_extract(User.changes, literal_column("'$.name.updated_at'"))
    return stamp if dialect == "sqlite" else func.json_unquote(stamp)


class Seed(Contender):
    name = "seed"
    note = (
        "the post's code plus a json_serializer for Decimal (as published it "
        "raises TypeError on a Decimal column); W6 index: an expression index "
        "on the name stamp where the database allows one (not MariaDB)"
    )

    @property
    def model(self) -> type[UserColumns]:
        return User

    @property
    def engine_options(self) -> Mapping[str, Any]:
        # The post stores the raw new value; json.dumps refuses Decimal, so a
        # user of the post with a Numeric column has to add this.
        return {"json_serializer": partial(json.dumps, default=str)}

    def create_schema(self, engine: Any) -> None:
        # MariaDB cannot index a JSON expression: the seed's natural index
        # exists on SQLite and PostgreSQL only.
        if self.dialect in ("sqlite", "postgresql"):
            Index("ix_user_account_name_stamp", _name_stamp(self.dialect))
        super().create_schema(engine)

    def changed_at(self, row: Any, field: str) -> dt.datetime | None:
        value: dt.datetime | None = row.get_updated_at(field)
        return value

    def count_changed_since(self, field: str, since: dt.datetime) -> Select[Any]:
        assert field == "name", "the W6 expression is written for name"
        # The post stamps naive local time; compare in the same text form.
        local = since.astimezone().replace(tzinfo=None).isoformat()
        return (
            select(func.count())
            .select_from(User)
            .where(_name_stamp(self.dialect) >= local)
        )


def contender(dialect: str) -> Contender:
    return Seed(dialect)
