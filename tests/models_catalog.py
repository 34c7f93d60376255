"""Relationship models in a second module, sharing tests.models' Base.

Imported at the end of tests/models.py, which names these classes by string
before they exist; they name its classes back the same way. No
``from __future__ import annotations`` here, unlike tests/models.py: the
other way users write forward references, as quoted strings.
"""

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from fieldstamps import ChangeTrackingMixin, TimestampMixin, changed_at
from tests.models import Base, table_of

if TYPE_CHECKING:
    from tests.models import Item, Shelf


def _item_tag(suffix: str) -> Table:
    """The association of Items and Tags of one mode (``suffix`` ends a
    trigger-mode twin's table names)."""
    return Table(
        f"item_tag{suffix}",
        Base.metadata,
        Column("item_id", ForeignKey(f"item{suffix}.id"), primary_key=True),
        Column("tag_id", ForeignKey(f"tag{suffix}.id"), primary_key=True),
    )


item_tag = _item_tag("")
_item_tag("_triggers")


class CategoryColumns:
    """Untracked target of Item's forward-typed foreign key."""

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(30))

    @declared_attr
    def items(cls) -> Mapped[list["Item"]]:
        return relationship("Item", back_populates="category", order_by="Item.id")


class Category(CategoryColumns, Base):
    __tablename__ = "category"


class TagColumns:
    """Tracked many-to-many side without TimestampMixin."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30))

    @declared_attr
    def items(cls) -> Mapped[list["Item"]]:
        return relationship(
            "Item",
            secondary=table_of(cls, "item_tag"),
            back_populates="tags",
            order_by="Item.id",
        )


class Tag(TagColumns, ChangeTrackingMixin, Base):
    __tablename__ = "tag"


class BookColumns:
    """Tracked child of the untracked Shelf, deleted when orphaned."""

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(50))
    isbn: Mapped[str | None] = mapped_column(String(20))
    shelf_changed_at: Mapped[dt.datetime | None] = changed_at("shelf_id", index=True)

    @declared_attr
    def shelf_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey(f"{table_of(cls, 'shelf')}.id"))

    @declared_attr
    def shelf(cls) -> Mapped["Shelf"]:
        return relationship("Shelf", back_populates="books")


class Book(BookColumns, TimestampMixin, ChangeTrackingMixin, Base):
    __tablename__ = "book"
    __fieldstamps__: ClassVar[dict[str, list[str]]] = {"exclude": ["isbn"]}


class StockColumns:
    """A tracked association object: composite primary key of two foreign
    keys (not tracked, being the key), one tracked column."""

    quantity: Mapped[int] = mapped_column(Integer)

    @declared_attr
    def shelf_id(cls) -> Mapped[int]:
        return mapped_column(
            ForeignKey(f"{table_of(cls, 'shelf')}.id"), primary_key=True
        )

    @declared_attr
    def item_id(cls) -> Mapped[int]:
        return mapped_column(
            ForeignKey(f"{table_of(cls, 'item')}.id"), primary_key=True
        )

    @declared_attr
    def shelf(cls) -> Mapped["Shelf"]:
        return relationship("Shelf", back_populates="stock")

    @declared_attr
    def item(cls) -> Mapped["Item"]:
        return relationship("Item")


class Stock(StockColumns, TimestampMixin, ChangeTrackingMixin, Base):
    __tablename__ = "stock"


#: This module's models, for tests.models.RELATIONS.
MODELS = (Category, Tag, Book, Stock)
