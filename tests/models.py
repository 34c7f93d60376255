"""Models shared by the behaviour tests: the seed post's User, and variants.

The relationship models at the end name classes that do not exist yet when
they are mapped (later in this module, or in tests/models_catalog.py, which is
imported last): fieldstamps' mapper hook must cope with that, as it must in
any application that imports fieldstamps before its models.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    Time,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from fieldstamps import (
    ChangeTrackingMixin,
    TimestampMixin,
    changed_at,
    updated_at_column,
)

if TYPE_CHECKING:
    # Only for type checkers: at run time these names are resolved by
    # SQLAlchemy's class registry, after tests.models_catalog has run.
    from tests.models_catalog import Book, Category, Stock, Tag


class Base(DeclarativeBase):
    pass


class UserColumns:
    """The seed post's User's own columns, with a dedicated stamp column for
    ``name``; shared by its SQL-mode and trigger-mode classes."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30))
    fullname: Mapped[str | None] = mapped_column(String(100))
    age: Mapped[int | None] = mapped_column(Integer)
    name_changed_at: Mapped[dt.datetime | None] = changed_at("name")
    contact_changed_at: Mapped[dt.datetime | None] = changed_at("fullname", "age")
    # Indexed copy of changes' stamp of name: what updated_at_of("name") reads.
    name_updated_at: Mapped[dt.datetime | None] = updated_at_column("name")


class User(UserColumns, TimestampMixin, ChangeTrackingMixin, Base):
    """The seed post's model: stamps compiled into SQLAlchemy's writes."""

    __tablename__ = "user_account"


class TriggeredUser(UserColumns, TimestampMixin, ChangeTrackingMixin, Base):
    """The same, with stamps computed by database triggers."""

    __tablename__ = "user_account_triggers"
    __fieldstamps__: ClassVar[dict[str, bool]] = {"triggers": True}


def both_modes(
    name: str,
    bases: tuple[type, ...],
    table: str,
    *,
    triggers_table: str | None = None,
    options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A model class per stamping mode, keyed by the ids the ``mode`` fixture
    gives: ``name`` on table ``table`` (SQL mode), and ``Triggered<name>`` on
    ``triggers_table`` (default ``<table>_triggers``) with ``options`` and
    ``{"triggers": True}``; ``bases`` give both the same columns (a
    ``...Columns`` mixin, as UserColumns does)."""
    options = options or {}
    return {
        "sql": type(name, bases, {"__tablename__": table, "__fieldstamps__": options}),
        "triggers": type(
            f"Triggered{name}",
            bases,
            {
                "__tablename__": triggers_table or f"{table}_triggers",
                "__fieldstamps__": {**options, "triggers": True},
            },
        ),
    }


#: The User of each stamping mode, by the ids the ``mode`` fixture gives.
USERS: dict[str, type[User] | type[TriggeredUser]] = {
    "sql": User,
    "triggers": TriggeredUser,
}


class Color(enum.Enum):
    RED = "r"
    GREEN = "g"


class EverythingColumns:
    """One column per documented value type, shared by Everything's SQL-mode
    and trigger-mode classes."""

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str | None] = mapped_column(Text)
    number: Mapped[int | None] = mapped_column(Integer)
    ratio: Mapped[float | None] = mapped_column(Float)
    flag: Mapped[bool | None] = mapped_column(Boolean)
    price: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    day: Mapped[dt.date | None] = mapped_column(Date)
    moment: Mapped[dt.datetime | None] = mapped_column(DateTime)
    clock: Mapped[dt.time | None] = mapped_column(Time)
    token: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    color: Mapped[Color | None] = mapped_column(Enum(Color))
    doc: Mapped[Any] = mapped_column(JSON, nullable=True)
    blob: Mapped[bytes | None] = mapped_column(LargeBinary)


class Everything(Base, ChangeTrackingMixin, EverythingColumns):
    """Base order reversed on purpose, and no TimestampMixin."""

    __tablename__ = "everything"


class TriggeredEverything(Base, ChangeTrackingMixin, EverythingColumns):
    """The same, with stamps computed by database triggers."""

    __tablename__ = "everything_triggers"
    __fieldstamps__: ClassVar[dict[str, bool]] = {"triggers": True}


#: Everything of each stamping mode.
EVERYTHING: dict[str, type[Everything] | type[TriggeredEverything]] = {
    "sql": Everything,
    "triggers": TriggeredEverything,
}


class Secretive(TimestampMixin, ChangeTrackingMixin, Base):
    """Narrowed tracking: ``include``/``exclude``/``store_values``."""

    __tablename__ = "secretive"
    __fieldstamps__: ClassVar[dict[str, list[str]]] = {
        "exclude": ["notes"],
        "store_values": ["login"],
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(50))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(String(200))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class Product(Base):
    """``changed_at()`` without ChangeTrackingMixin (like MonitorField)."""

    __tablename__ = "product"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(50))
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    price_changed_at: Mapped[dt.datetime | None] = changed_at("price", index=True)


# -- relationships --------------------------------------------------------------


class Owner(TimestampMixin, ChangeTrackingMixin, Base):
    """Tracked parent of Items defined below; removing an item from ``items``
    nulls its foreign key rather than deleting it."""

    __tablename__ = "owner"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30))
    name_changed_at: Mapped[dt.datetime | None] = changed_at("name")
    items: Mapped[list[Item]] = relationship(back_populates="owner", order_by="Item.id")


class Item(TimestampMixin, ChangeTrackingMixin, Base):
    """Tracked child whose foreign keys are tracked fields too."""

    __tablename__ = "item"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(30))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("owner.id"))
    # No type of its own: SQLAlchemy copies it from category.id once that
    # table exists, which is after this class is mapped.
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))
    owner_changed_at: Mapped[dt.datetime | None] = changed_at("owner_id")
    owner: Mapped[Owner | None] = relationship(back_populates="items")
    category: Mapped[Category | None] = relationship(back_populates="items")
    tags: Mapped[list[Tag]] = relationship(
        secondary="item_tag", back_populates="items", order_by="Tag.id"
    )


class Node(TimestampMixin, Base):
    """A tree with ``changed_at()`` columns, one on its own foreign key, and no
    ``changes``."""

    __tablename__ = "node"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30))
    # ON DELETE CASCADE for the suite's cleanup, one DELETE per table: MariaDB
    # checks a self-referencing key row by row and refuses to delete a parent
    # before its children. The ORM still writes children's keys itself.
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("node.id", ondelete="CASCADE")
    )
    parent_changed_at: Mapped[dt.datetime | None] = changed_at("parent_id")
    name_changed_at: Mapped[dt.datetime | None] = changed_at("name")
    parent: Mapped[Node | None] = relationship(
        back_populates="children", remote_side=[id]
    )
    children: Mapped[list[Node]] = relationship(
        back_populates="parent", order_by="Node.id"
    )


class Shelf(Base):
    """Untracked parent owning tracked Books (delete-orphan) and Stock rows."""

    __tablename__ = "shelf"

    id: Mapped[int] = mapped_column(primary_key=True)
    place: Mapped[str] = mapped_column(String(30))
    books: Mapped[list[Book]] = relationship(
        back_populates="shelf", cascade="all, delete-orphan", order_by="Book.id"
    )
    stock: Mapped[list[Stock]] = relationship(
        back_populates="shelf", cascade="all, delete-orphan"
    )


# Last, so that every class above was mapped before its targets there existed.
import tests.models_catalog  # noqa: E402, F401
