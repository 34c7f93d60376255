"""What the two physical floors share (``plain-wide``, ``plain-json``).

A floor writes the same bytes as a fieldstamps layout, through plain
SQLAlchemy, with no tracking logic: every stamp is one constant Python
datetime (:data:`STAMP`), written where the layout writes a stamp.

The column types repeat fieldstamps' (``UTCDateTime``, ``ChangesJSON``, the
mirror's ``String(27)``) rather than import them: importing ``fieldstamps``
installs its engine and session event listeners in the process, work that a
floor must not carry. ``tests/test_benchmarks.py`` checks that both compile
to the same DDL as fieldstamps' own types on every database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, DateTime
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from ._base import TRACKED_FIELDS, extra_value

#: Every stamp a floor writes. Microseconds included, so that the stored
#: text (SQLite) has the width of a real stamp's.
STAMP = dt.datetime(2026, 1, 1, 12, 0, 0, 123456, tzinfo=dt.UTC)
#: fieldstamps' text form of a stamp inside ``changes`` (fixed width).
STAMP_TEXT_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
STAMP_TEXT = STAMP.strftime(STAMP_TEXT_FORMAT)
#: The length of that text: the type of fieldstamps' mirror column.
STAMP_TEXT_LENGTH = len(STAMP_TEXT)


class StampDateTime(TypeDecorator[dt.datetime]):
    """fieldstamps.UTCDateTime's storage and conversions: ``timestamptz`` on
    PostgreSQL, ``DATETIME(6)`` on MariaDB, SQLAlchemy's text on SQLite;
    aware UTC datetimes in and out."""

    impl = (
        DateTime(timezone=True)
        .with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
        .with_variant(DateTime(timezone=False), "sqlite")
    )
    cache_ok = True

    def process_bind_param(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        value = value.astimezone(dt.UTC)
        if getattr(self.impl_instance.dialect_impl(dialect), "timezone", False):
            return value
        return value.replace(tzinfo=None)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


#: fieldstamps.ChangesJSON's storage: JSON, ``jsonb`` on PostgreSQL, Python
#: None as SQL NULL.
CHANGES_JSON = JSON(none_as_null=True).with_variant(
    postgresql.JSONB(none_as_null=True), "postgresql"
)


def mirror_sql(dialect: str, field: str) -> str:
    """The expression of fieldstamps' ``updated_at_column(field)``: the text
    of ``changes``' stamp of ``field``, as its DDL spells it."""
    if dialect == "postgresql":
        return f"((changes -> '{field}') ->> 'updated_at')"
    path = f"'$.\"{field}\".updated_at'"
    if dialect == "sqlite":
        return f"json_extract(changes, {path})"
    return f"JSON_UNQUOTE(JSON_EXTRACT(changes, {path}))"


def json_value(value: Any) -> Any:
    """A column value as fieldstamps writes it into ``changes``: a Decimal
    as its text (no digit lost to a float), everything else as is."""
    return str(value) if isinstance(value, Decimal) else value


def typical_values(fields: Sequence[str]) -> dict[str, Any]:
    """Values of a row as the workloads leave it (W2's renames included), for
    the entries of a document bound where the row is not loaded (W3, W4)."""
    i = 12_345
    known = {
        "name": f"name-{i}-w2",
        "email": f"user{i}-w2@example.com",
        "city": "Lisbon",
        "age": 42,
        "balance": Decimal(i) + Decimal("0.75"),
    }
    assert tuple(known) == TRACKED_FIELDS
    return {key: known[key] if key in known else extra_value(key, i) for key in fields}
