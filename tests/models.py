"""Models shared by the behaviour tests: the seed post's User, and variants.

The relationship models at the end name classes that do not exist yet when
they are mapped (later in this module, or in tests/models_catalog.py, which is
imported last): fieldstamps' mapper hook must cope with that, as it must in
any application that imports fieldstamps before its models.

Each model that a suite runs in both stamping modes has a trigger-mode twin
with the same columns (a ``...Columns`` mixin): TriggeredUser,
TriggeredEverything, and ``RELATIONS["triggers"]`` for the relationship
models; ``both_modes()`` builds such pairs for suites' own models.
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
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    declared_attr,
    mapped_column,
    relationship,
)

from fieldstamps import (
    ChangeTrackingMixin,
    TimestampMixin,
    changed_at,
    updated_at_column,
)
from fieldstamps._spec import spec_of

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


class HistoriedUser(UserColumns, TimestampMixin, ChangeTrackingMixin, Base):
    """The same, with per-field history (which implies triggers)."""

    __tablename__ = "historied_user"
    __fieldstamps__: ClassVar[dict[str, bool]] = {"history": True}


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


class Account(TimestampMixin, ChangeTrackingMixin, Base):
    """Per-field history of every tracked field, one of them redacted."""

    __tablename__ = "account"
    __fieldstamps__: ClassVar[dict[str, Any]] = {
        "history": True,
        "redact": ["password_hash"],
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(100))
    age: Mapped[int | None] = mapped_column(Integer)
    balance: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    password_hash: Mapped[str | None] = mapped_column(String(100))


#: The fields Account's history records.
ACCOUNT_FIELDS = ("name", "email", "age", "balance", "password_hash")


class Membership(TimestampMixin, Base):
    """History of one field, a composite key, no ``changes``, a named table."""

    __tablename__ = "membership"
    __fieldstamps__: ClassVar[dict[str, Any]] = {
        "history": {"fields": ["role"], "table": "membership_log"}
    }

    org_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    role: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(String(50))


# -- relationships --------------------------------------------------------------

# Each relationship model's columns and relationships live on a ``...Columns``
# mixin, shared by its SQL-mode class here (or in tests/models_catalog.py)
# and its trigger-mode twin (``RELATIONS``, at the end). A twin has the same
# class name in a registry of its own, so that the relationships' class names
# ("Item", "Tag") find the twins of their mode; foreign keys, which name
# tables, name the table of their class's mode (``table_of``).


class TriggersBase(DeclarativeBase):
    """The relationship models' trigger-mode twins: a registry of their own,
    tables in Base's MetaData (created, emptied and dropped with the rest)."""

    metadata = Base.metadata


def table_of(cls: type[Any], table: str) -> str:
    """Table ``table``'s name in ``cls``'s mode: a twin's tables end in
    ``_triggers``."""
    return f"{table}_triggers" if issubclass(cls, TriggersBase) else table


class OwnerColumns:
    """Tracked parent of Items defined below; removing an item from ``items``
    nulls its foreign key rather than deleting it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30))
    name_changed_at: Mapped[dt.datetime | None] = changed_at("name")

    @declared_attr
    def items(cls) -> Mapped[list[Item]]:
        return relationship("Item", back_populates="owner", order_by="Item.id")


class Owner(OwnerColumns, TimestampMixin, ChangeTrackingMixin, Base):
    __tablename__ = "owner"


class ItemColumns:
    """Tracked child whose foreign keys are tracked fields too."""

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(30))
    owner_changed_at: Mapped[dt.datetime | None] = changed_at("owner_id")

    @declared_attr
    def owner_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey(f"{table_of(cls, 'owner')}.id"))

    @declared_attr
    def category_id(cls) -> Mapped[int | None]:
        # A table defined after this class is mapped (tests/models_catalog).
        return mapped_column(ForeignKey(f"{table_of(cls, 'category')}.id"))

    @declared_attr
    def owner(cls) -> Mapped[Owner | None]:
        return relationship("Owner", back_populates="items")

    @declared_attr
    def category(cls) -> Mapped[Category | None]:
        return relationship("Category", back_populates="items")

    @declared_attr
    def tags(cls) -> Mapped[list[Tag]]:
        return relationship(
            "Tag",
            secondary=table_of(cls, "item_tag"),
            back_populates="items",
            order_by="Tag.id",
        )


class Item(ItemColumns, TimestampMixin, ChangeTrackingMixin, Base):
    __tablename__ = "item"


class NodeColumns:
    """A tree with ``changed_at()`` columns, one on its own foreign key, and no
    ``changes``."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30))
    parent_changed_at: Mapped[dt.datetime | None] = changed_at("parent_id")
    name_changed_at: Mapped[dt.datetime | None] = changed_at("name")

    @declared_attr
    def parent_id(cls) -> Mapped[int | None]:
        # ON DELETE CASCADE for the suite's cleanup, one DELETE per table:
        # MariaDB checks a self-referencing key row by row and refuses to
        # delete a parent before its children. The ORM still writes
        # children's keys itself.
        return mapped_column(
            ForeignKey(f"{table_of(cls, 'node')}.id", ondelete="CASCADE")
        )

    @declared_attr
    def parent(cls) -> Mapped[Node | None]:
        return relationship("Node", back_populates="children", remote_side="Node.id")

    @declared_attr
    def children(cls) -> Mapped[list[Node]]:
        return relationship("Node", back_populates="parent", order_by="Node.id")


class Node(NodeColumns, TimestampMixin, Base):
    __tablename__ = "node"


class ShelfColumns:
    """Untracked parent owning tracked Books (delete-orphan) and Stock rows."""

    id: Mapped[int] = mapped_column(primary_key=True)
    place: Mapped[str] = mapped_column(String(30))

    @declared_attr
    def books(cls) -> Mapped[list[Book]]:
        return relationship(
            "Book",
            back_populates="shelf",
            cascade="all, delete-orphan",
            order_by="Book.id",
        )

    @declared_attr
    def stock(cls) -> Mapped[list[Stock]]:
        return relationship(
            "Stock", back_populates="shelf", cascade="all, delete-orphan"
        )


class Shelf(ShelfColumns, Base):
    __tablename__ = "shelf"


def triggered_twin(cls: type[Any]) -> type[Any]:
    """``cls``'s trigger-mode twin: the same name and bases but TriggersBase
    for Base, its table's name ending in ``_triggers``, and
    ``{"triggers": True}`` added to its options. Its columns must come from
    its bases (a ``...Columns`` mixin), not from its own class body."""
    options = dict(getattr(cls, "__fieldstamps__", {}))
    namespace: dict[str, Any] = {
        "__tablename__": table_of(TriggersBase, cls.__tablename__)
    }
    if spec_of(cls.__table__) is not None:  # untracked classes stay so
        namespace["__fieldstamps__"] = {**options, "triggers": True}
    bases = tuple(TriggersBase if base is Base else base for base in cls.__bases__)
    return type(cls.__name__, bases, namespace)


# Last, so that every class above was mapped before its targets there existed.
import tests.models_catalog  # noqa: E402

#: The relationship models of each mode, by class name, and the association
#: table ``item_tag``.
RELATIONS: dict[str, dict[str, Any]] = {
    "sql": {
        cls.__name__: cls
        for cls in (
            Owner,
            Item,
            Node,
            Shelf,
            *tests.models_catalog.MODELS,
        )
    },
}
RELATIONS["triggers"] = {
    name: triggered_twin(cls) for name, cls in RELATIONS["sql"].items()
}
for _mode, _models in RELATIONS.items():
    _models["item_tag"] = Base.metadata.tables[table_of(_models["Item"], "item_tag")]
