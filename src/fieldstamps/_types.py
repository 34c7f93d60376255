"""Column types for stamps: aware UTC datetimes in, aware UTC datetimes out."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    CHAR,
    JSON,
    NCHAR,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    Integer,
    Interval,
    Numeric,
    String,
    Time,
    Uuid,
)
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.operators import OperatorType
from sqlalchemy.types import TypeDecorator, TypeEngine

from ._errors import NaiveDatetimeError, UnreadableStampError

#: The one text form of a stamp, used inside ``changes`` and for every value
#: bound against it: fixed width, so text order is time order.
STAMP_TEXT_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
STAMP_TEXT_LENGTH = len("2000-01-01T00:00:00.000000Z")


class ValueKind(enum.Enum):
    """How a column's value is written as JSON inside ``changes``."""

    STRING = "string"
    INTEGER = "integer"
    FLOAT = "float"
    BOOLEAN = "boolean"
    DECIMAL = "decimal"  # a JSON string, so no digit is lost to float
    TEMPORAL = "temporal"  # the database's ISO-8601 text of date/time/datetime
    UUID = "uuid"
    JSON = "json"


def unwrap(type_: TypeEngine[Any]) -> TypeEngine[Any]:
    """The type a TypeDecorator stores as."""
    while isinstance(type_, TypeDecorator):
        type_ = type_.impl_instance
    return type_


def is_blank_padded(type_: TypeEngine[Any]) -> bool:
    """Whether ``type_`` stores text padded to its length (CHAR, NCHAR),
    which each database hands back its own way."""
    return isinstance(unwrap(type_), CHAR | NCHAR)


def value_kind(type_: TypeEngine[Any]) -> ValueKind | None:
    """The JSON form of a column type, or None where there is no faithful one."""
    while isinstance(type_, TypeDecorator):
        if isinstance(type_, Interval):
            return None  # stored as a DateTime on some databases; not one
        type_ = type_.impl_instance
    # Order matters: Enum is a String, Boolean is not an Integer, Float is a
    # Numeric.
    if isinstance(type_, Boolean):
        return ValueKind.BOOLEAN
    if isinstance(type_, Enum | String):
        return ValueKind.STRING
    if isinstance(type_, Integer):
        return ValueKind.INTEGER
    if isinstance(type_, Float):
        return ValueKind.FLOAT
    if isinstance(type_, Numeric):
        return ValueKind.DECIMAL if type_.asdecimal else ValueKind.FLOAT
    if isinstance(type_, Date | DateTime | Time):
        return ValueKind.TEMPORAL
    if isinstance(type_, Uuid):
        return ValueKind.UUID
    if isinstance(type_, JSON):
        return ValueKind.JSON
    # LargeBinary, Interval, ARRAY, ...: the stamp is kept, the value is not.
    return None


def _require_aware(value: Any, what: object) -> None:
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        raise NaiveDatetimeError(
            f"cannot compare {what} with the naive datetime {value!r}: "
            "stamps are UTC instants; pass an aware datetime, e.g. "
            "value.replace(tzinfo=datetime.UTC) if it is already UTC"
        )


class _AwareOnlyComparator(TypeEngine.Comparator[dt.datetime]):
    # Checked when the expression is built, so the mistake points at the
    # user's line instead of surfacing later as a wrapped StatementError.
    def operate(self, op: OperatorType, *other: Any, **kwargs: Any) -> Any:
        for value in other:
            if isinstance(value, list | tuple):
                for item in value:
                    _require_aware(item, self.expr)
            else:
                _require_aware(value, self.expr)
        return super().operate(op, *other, **kwargs)


def to_utc(value: dt.datetime) -> dt.datetime:
    """Return ``value`` as an aware UTC datetime; naive values are refused."""
    _require_aware(value, "a stamp")
    return value.astimezone(dt.UTC)


def parse_stamp_text(text: object) -> dt.datetime | None:
    """Read a stamp written in the ``changes`` JSON; None for anything else."""
    if not isinstance(text, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            return None
        return parsed.astimezone(dt.UTC)
    except (ValueError, OverflowError):  # year 1 minus an offset overflows
        return None


# Public types say they live in ``fieldstamps``: Alembic writes a column
# type into migrations as ``<type's module>.<repr>``, and a migration should
# name only public things.


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp column that stores UTC and returns aware UTC datetimes.

    PostgreSQL keeps ``timestamptz``; MariaDB/MySQL a ``DATETIME(6)`` in UTC;
    SQLite SQLAlchemy's fixed-width text with microseconds.
    """

    __module__ = "fieldstamps"

    impl = (
        DateTime(timezone=True)
        .with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
        .with_variant(DateTime(timezone=False), "sqlite")
    )
    cache_ok = True
    comparator_factory = _AwareOnlyComparator

    #: "table.column", for errors about a value read from the database; set
    #: on each stamp column's own copy of the type when its class is mapped.
    column_label: str | None = None

    def process_bind_param(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        value = to_utc(value)
        if getattr(self.impl_instance.dialect_impl(dialect), "timezone", False):
            return value
        # Storage without a zone holds UTC wall time.
        return value.replace(tzinfo=None)

    def result_processor(
        self, dialect: Dialect, coltype: object
    ) -> Callable[[Any], dt.datetime | None]:
        # The driver's or SQLAlchemy's own parsing fails first on what is
        # not a datetime (SQLite text); PyMySQL hands a zero date over as a
        # string. Either way: an error that says which column holds what.
        process = super().result_processor(dialect, coltype)
        label = self.column_label

        def slow(value: Any) -> dt.datetime | None:
            try:
                read: dt.datetime | None = (
                    process(value) if process is not None else value
                )
            except (ValueError, TypeError) as exc:
                raise UnreadableStampError(label, value) from exc
            return read

        # Every stamp of every loaded row passes here: the common forms are
        # read without the generic path's calls (datetime.replace alone
        # costs more than parsing the text), with the same results.
        combine = dt.datetime.combine
        parse = dt.datetime.fromisoformat
        utc = dt.UTC

        def read(value: Any) -> dt.datetime | None:
            if type(value) is dt.datetime:
                instant: dt.datetime = value
                if instant.tzinfo is None:  # UTC wall time (MariaDB/MySQL)
                    return combine(instant.date(), instant.time(), utc)
                return instant.astimezone(utc)  # timestamptz (PostgreSQL)
            if type(value) is str:
                try:
                    # SQLite's fixed-width UTC text.
                    parsed = parse(value + "+00:00")
                except ValueError:
                    parsed = None  # not that form: the generic path decides
                # A date alone parses, but without the zone.
                if parsed is not None and parsed.tzinfo is utc:
                    return parsed
            return slow(value)

        return read

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise UnreadableStampError(self.column_label, value)
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class StampText(TypeDecorator[dt.datetime]):
    """A stamp read out of the ``changes`` JSON: text in SQL, datetime in Python.

    Bound values are rendered in the stamp's own fixed-width text form so that
    comparisons and ``ORDER BY`` work on the text, and can use an index on it.
    """

    __module__ = "fieldstamps"

    impl = String(STAMP_TEXT_LENGTH)
    cache_ok = True
    comparator_factory = _AwareOnlyComparator

    @property
    def python_type(self) -> type[dt.datetime]:
        return dt.datetime

    def process_bind_param(
        self, value: dt.datetime | str | None, dialect: Dialect
    ) -> str | None:
        if value is None or isinstance(value, str):
            return value
        return to_utc(value).strftime(STAMP_TEXT_FORMAT)

    def process_result_value(
        self, value: str | None, dialect: Dialect
    ) -> dt.datetime | None:
        return parse_stamp_text(value)


class ChangesJSON(TypeDecorator[Any]):
    """The type of ``changes``: JSON, ``jsonb`` on PostgreSQL.

    Python ``None`` is SQL NULL (not JSON ``null``), the "no stamps yet" that
    an insert's own stamps replace.
    """

    __module__ = "fieldstamps"

    impl = JSON(none_as_null=True).with_variant(
        postgresql.JSONB(none_as_null=True), "postgresql"
    )
    cache_ok = True
