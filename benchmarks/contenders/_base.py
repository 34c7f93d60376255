"""The interface every contender implements, and the table they all share."""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import DateTime, Engine, Integer, MetaData, Numeric, Select, String
from sqlalchemy import func as sql_func
from sqlalchemy.orm import Mapped, mapped_column

#: The five tracked columns, of mixed types, every contender's table has.
TRACKED_FIELDS = ("name", "email", "city", "age", "balance")


class UserColumns:
    """The benchmark's user table: a key and five tracked columns.

    Each contender maps it on its own declarative base together with its own
    tracking mixins or columns, so the tracked data is identical everywhere.
    """

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(100))
    city: Mapped[str] = mapped_column(String(100))
    age: Mapped[int] = mapped_column(Integer)
    balance: Mapped[Decimal] = mapped_column(Numeric(12, 2))


class PostTimestampMixin:
    """``created_at``/``updated_at`` exactly as the seed post defines them.

    The floor (``plain``), the seed and Continuum all use it, so the only
    difference between them is the per-field tracking.
    """

    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=sql_func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, default=sql_func.now(), onupdate=sql_func.now()
    )


class Contender(abc.ABC):
    """One way of answering "when did this field last change?".

    A module in this package defines ``contender(dialect) -> Contender``; the
    worker process imports only the module it runs, so module-level side
    effects (Continuum patches SQLAlchemy globally) stay in that process.
    """

    #: Shown in the results; the module name with ``-`` for ``_``.
    name: ClassVar[str]
    #: False for the floor, which records no per-field time at all.
    tracks_fields: ClassVar[bool] = True
    #: One line for the results' notes: what was configured and why.
    note: ClassVar[str] = ""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect

    @property
    @abc.abstractmethod
    def model(self) -> type[UserColumns]:
        """The mapped user class."""

    @property
    def metadata(self) -> MetaData:
        metadata = getattr(self.model, "metadata", None)
        assert isinstance(metadata, MetaData)
        return metadata

    @property
    def engine_options(self) -> Mapping[str, Any]:
        """Extra ``create_engine()`` keyword arguments this contender needs."""
        return {}

    def create_schema(self, engine: Engine) -> None:
        self.metadata.create_all(engine)

    @abc.abstractmethod
    def changed_at(self, row: Any, field: str) -> dt.datetime | None:
        """When ``field`` of the loaded ``row`` last changed, via the
        contender's own API (W5 and the correctness checks)."""

    @abc.abstractmethod
    def count_changed_since(self, field: str, since: dt.datetime) -> Select[Any]:
        """``SELECT count`` of rows whose ``field`` changed at or after the
        aware UTC instant ``since``, as the contender would write it (W6)."""

    # -- history (W8 and the history sizes); contenders without history keep
    # these defaults and read n/a there.

    def last_changes(self, field: str, row_id: int, limit: int) -> Select[Any] | None:
        """The newest ``limit`` recorded changes of ``field`` of the row with
        key ``row_id``, newest first, as the contender would query them (W8);
        None if it keeps no history."""
        return None

    @property
    def history_tables(self) -> tuple[str, ...]:
        """The tables holding the history, for its size; () without one."""
        return ()

    def count_field_changes(self) -> Select[Any] | None:
        """``SELECT`` of how many field changes the history holds (an insert
        counts each tracked field), the unit of its size; None without one."""
        return None
