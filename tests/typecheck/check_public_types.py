"""Checked by ``mypy --strict`` in the lint step, not run by pytest.

Each ``# type: ignore[...]`` marks a mistake mypy must catch; under
``--strict`` (``warn_unused_ignores``) an ignore that is no longer needed,
because the typing stopped catching the mistake, fails the check.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from fieldstamps import (
    ChangeTrackingMixin,
    FieldstampsOptions,
    TimestampMixin,
    changed_at,
    updated_at_column,
)


class Base(DeclarativeBase):
    pass


class User(TimestampMixin, ChangeTrackingMixin, Base):
    __tablename__ = "typed_user"
    __fieldstamps__: ClassVar[FieldstampsOptions] = {
        "include": ["name", "email"],
        "store_values": ["name"],
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30))
    email: Mapped[str] = mapped_column(String(30))
    name_changed_at: Mapped[dt.datetime | None] = changed_at("name")
    email_updated_at: Mapped[dt.datetime | None] = updated_at_column("email")
    # A stamp is a datetime, never an int.
    wrong: Mapped[int] = changed_at("name")  # type: ignore[assignment]
    wrong_too: Mapped[str] = updated_at_column("name")  # type: ignore[assignment]


class Misspelt(ChangeTrackingMixin, Base):
    __tablename__ = "typed_misspelt"
    __fieldstamps__: ClassVar[FieldstampsOptions] = {
        "inclde": ["name"],  # type: ignore[typeddict-unknown-key]
    }

    id: Mapped[int] = mapped_column(primary_key=True)


def stamp_of(user: User) -> dt.datetime | None:
    return user.get_updated_at("name")
