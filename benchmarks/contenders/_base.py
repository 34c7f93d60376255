"""The interface every contender implements, and the table they all share."""

from __future__ import annotations

import abc
import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import DateTime, Engine, Integer, MetaData, Numeric, Select, String
from sqlalchemy import func as sql_func
from sqlalchemy.orm import Mapped, mapped_column

#: The five tracked columns, of mixed types, every contender's table has.
TRACKED_FIELDS = ("name", "email", "city", "age", "balance")
#: The sweep's widest table (``python -m benchmarks --sweep``).
MAX_FIELDS = 50


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


def extra_fields(count: int) -> tuple[str, ...]:
    """The columns a table of ``count`` tracked fields has beyond the five:
    ``field_06`` ... ``field_<count>``, strings where the number is even,
    integers where it is odd (see :func:`user_columns`)."""
    if not len(TRACKED_FIELDS) <= count <= MAX_FIELDS:
        raise ValueError(
            f"tracked fields must be {len(TRACKED_FIELDS)} to {MAX_FIELDS}, not {count}"
        )
    return tuple(f"field_{k:02d}" for k in range(len(TRACKED_FIELDS) + 1, count + 1))


def is_text_field(key: str) -> bool:
    """Whether an extra field (``field_NN``) is a string column."""
    return int(key.rsplit("_", 1)[1]) % 2 == 0


def extra_value(key: str, i: int) -> str | int:
    """The value of extra field ``key`` in the ``i``-th row the workloads
    insert (never changed afterwards)."""
    number = int(key.rsplit("_", 1)[1])
    return f"value-{i}-{number:02d}" if is_text_field(key) else i + number


@functools.cache
def user_columns(count: int = len(TRACKED_FIELDS)) -> type[UserColumns]:
    """:class:`UserColumns` with ``count`` tracked columns in all: itself for
    five, else a subclass adding :func:`extra_fields` (the sweep's tables).

    Cached: every contender of a process maps the same mixin, as it maps
    UserColumns; declarative copies its columns into each class.
    """
    extras = extra_fields(count)
    if not extras:
        return UserColumns
    columns: dict[str, Any] = {
        key: mapped_column(String(40) if is_text_field(key) else Integer)
        for key in extras
    }
    return type(f"UserColumns{count}", (UserColumns,), columns)


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

    #: True where the workloads must call the write hooks below (the
    #: floors); for every other contender they skip the calls, so it runs
    #: exactly the code it ran before the hooks existed.
    writes_extra: ClassVar[bool] = False

    def __init__(self, dialect: str, fields: int = len(TRACKED_FIELDS)) -> None:
        self.dialect = dialect
        #: The tracked columns of this contender's table: the five, then
        #: the sweep's extra ones (a contender module whose ``contender()``
        #: takes ``fields`` builds its table for any count).
        self.fields: tuple[str, ...] = TRACKED_FIELDS + extra_fields(fields)

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

    # -- write hooks: the extra values a floor writes beside the workload's
    # own (the same bytes a fieldstamps layout writes, without tracking).
    # Called only where ``writes_extra`` is True.

    def insert_values(self, values: Mapping[str, Any]) -> Mapping[str, Any]:
        """Extra constructor arguments for a new row of ``values`` (W1)."""
        return {}

    def changed(self, row: Any, fields: Sequence[str]) -> None:
        """The workload has just set ``fields`` of the loaded ``row`` (W2, W7
        and W2's memory pass); assign whatever else the write stores."""
        return None

    def statement_values(self, values: Mapping[str, Any]) -> Mapping[str, Any]:
        """Extra values for an UPDATE statement that sets ``values``: W3's
        ``update().values()`` (once per statement, where a value may be a SQL
        expression) and each parameter set of W4's bulk UPDATE by primary
        key (the key included)."""
        return {}

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
