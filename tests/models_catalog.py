"""Relationship models in a second module, sharing tests.models' Base.

Imported at the end of tests/models.py, which names these classes by string
before they exist; they name its classes back the same way. No
``from __future__ import annotations`` here, unlike tests/models.py: the
other way users write forward references, as quoted strings.
"""

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldstamps import ChangeTrackingMixin, TimestampMixin, changed_at
from tests.models import Base

if TYPE_CHECKING:
    from tests.models import Item, Shelf

item_tag = Table(
    "item_tag",
    Base.metadata,
    Column("item_id", ForeignKey("item.id"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id"), primary_key=True),
)


class Category(Base):
    """Untracked target of Item's forward-typed foreign key."""

    __tablename__ = "category"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(30))
    items: Mapped[list["Item"]] = relationship(
        back_populates="category", order_by="Item.id"
    )


class Tag(ChangeTrackingMixin, Base):
    """Tracked many-to-many side without TimestampMixin."""

    __tablename__ = "tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30))
    items: Mapped[list["Item"]] = relationship(
        secondary=item_tag, back_populates="tags", order_by="Item.id"
    )


class Book(TimestampMixin, ChangeTrackingMixin, Base):
    """Tracked child of the untracked Shelf, deleted when orphaned."""

    __tablename__ = "book"
    __fieldstamps__: ClassVar[dict[str, list[str]]] = {"exclude": ["isbn"]}

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(50))
    isbn: Mapped[str | None] = mapped_column(String(20))
    shelf_id: Mapped[int] = mapped_column(ForeignKey("shelf.id"))
    shelf_changed_at: Mapped[dt.datetime | None] = changed_at("shelf_id", index=True)
    shelf: Mapped["Shelf"] = relationship(back_populates="books")


class Stock(TimestampMixin, ChangeTrackingMixin, Base):
    """A tracked association object: composite primary key of two foreign
    keys (not tracked, being the key), one tracked column."""

    __tablename__ = "stock"

    shelf_id: Mapped[int] = mapped_column(ForeignKey("shelf.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer)
    shelf: Mapped["Shelf"] = relationship(back_populates="stock")
    item: Mapped["Item"] = relationship()
