"""Models shared by the behaviour tests: the seed post's User, and variants."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from decimal import Decimal
from typing import Any, ClassVar

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
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from fieldstamps import (
    ChangeTrackingMixin,
    TimestampMixin,
    changed_at,
    updated_at_column,
)


class Base(DeclarativeBase):
    pass


class User(TimestampMixin, ChangeTrackingMixin, Base):
    """The seed post's model, with a dedicated stamp column for ``name``."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30))
    fullname: Mapped[str | None] = mapped_column(String(100))
    age: Mapped[int | None] = mapped_column(Integer)
    name_changed_at: Mapped[dt.datetime | None] = changed_at("name")
    contact_changed_at: Mapped[dt.datetime | None] = changed_at("fullname", "age")
    # Indexed copy of changes' stamp of name: what updated_at_of("name") reads.
    name_updated_at: Mapped[dt.datetime | None] = updated_at_column("name")


class Color(enum.Enum):
    RED = "r"
    GREEN = "g"


class Everything(Base, ChangeTrackingMixin):
    """One column per documented value type; base order reversed on purpose,
    and no TimestampMixin."""

    __tablename__ = "everything"

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
