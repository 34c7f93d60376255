"""Per-field change stamps for SQLAlchemy, computed by the database server.

>>> from sqlalchemy import String, create_engine, update
>>> from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
>>> from fieldstamps import ChangeTrackingMixin, TimestampMixin
>>> class Base(DeclarativeBase):
...     pass
>>> class User(TimestampMixin, ChangeTrackingMixin, Base):
...     __tablename__ = "user_account"
...     id: Mapped[int] = mapped_column(primary_key=True)
...     name: Mapped[str] = mapped_column(String(30))
...     fullname: Mapped[str | None] = mapped_column(String(100))
>>> engine = create_engine("sqlite://")
>>> Base.metadata.create_all(engine)
>>> with Session(engine) as session:
...     user = User(name="spongebob", fullname="Spongebob Squarepants")
...     session.add(user)
...     session.commit()
...     _ = session.execute(update(User).values(name="Spongebob"))
...     session.commit()
...     print(user.get_updated_at("name") == user.updated_at > user.created_at)
...     print(user.get_updated_at("fullname") == user.created_at)
True
True
"""

import sys as _sys

from . import _session, _sql  # noqa: F401  (register listeners, compilers)
from ._backfill import backfill
from ._context import Context, context
from ._errors import (
    BackfillError,
    CatalogError,
    ConfigurationError,
    FieldstampsError,
    HistoryError,
    MigrationError,
    MissingFunctionError,
    NaiveDatetimeError,
    PauseError,
    StampWriteError,
    UnknownFieldError,
    UnreadableStampError,
    UnsupportedDatabaseError,
)
from ._guard import manual_stamps
from ._history import (
    Change,
    HistoryEntry,
    HistoryPoll,
    as_of,
    erase,
    get_history,
    history_class,
    poll_history,
    prune,
    revert,
)
from ._history_table import HistoryJSON, TransactionId
from ._model import (
    ChangeTrackingMixin,
    FieldstampsOptions,
    TimestampMixin,
    changed_at,
    updated_at_column,
)
from ._pause import Paused, paused
from ._triggers import Drift, TriggerDDL, check, trigger_ddl
from ._types import ChangesJSON, StampText, UTCDateTime
from ._upsert import upsert_set

__all__ = [
    "BackfillError",
    "CatalogError",
    "Change",
    "ChangeTrackingMixin",
    "ChangesJSON",
    "ConfigurationError",
    "Context",
    "Drift",
    "FieldstampsError",
    "FieldstampsOptions",
    "HistoryEntry",
    "HistoryError",
    "HistoryJSON",
    "HistoryPoll",
    "MigrationError",
    "MissingFunctionError",
    "NaiveDatetimeError",
    "PauseError",
    "Paused",
    "StampText",
    "StampWriteError",
    "TimestampMixin",
    "TransactionId",
    "TriggerDDL",
    "UTCDateTime",
    "UnknownFieldError",
    "UnreadableStampError",
    "UnsupportedDatabaseError",
    "as_of",
    "backfill",
    "changed_at",
    "check",
    "context",
    "erase",
    "get_history",
    "history_class",
    "manual_stamps",
    "paused",
    "poll_history",
    "prune",
    "revert",
    "trigger_ddl",
    "updated_at_column",
    "upsert_set",
]

if "alembic" in _sys.modules:
    # Imported from an Alembic env.py: make autogenerate write portable
    # stamp operations even if env.py does not import fieldstamps.alembic.
    from . import alembic as _alembic  # noqa: F401
