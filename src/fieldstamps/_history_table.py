"""The history table of a class with ``{"history": ...}``: its columns and
indexes, built beside the model's table in the same MetaData, so that
``create_all()``, ``drop_all()`` and Alembic's autogenerate handle it as
any other table.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Index,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from ._errors import ConfigurationError
from ._sql.base import HISTORY_COLUMNS
from ._types import UTCDateTime

# Databases cap identifiers at 63 (PostgreSQL) or 64 (MariaDB) characters.
_NAME_LIMIT = 63


class HistoryJSON(TypeDecorator[Any]):
    """A JSON document as history stores it: ``jsonb`` on PostgreSQL, text
    elsewhere (whose values the triggers write as JSON text), decoded on
    load. SQL NULL loads as None, as JSON null does."""

    __module__ = "fieldstamps"

    impl = (
        Text()
        .with_variant(postgresql.JSONB(none_as_null=True), "postgresql")
        .with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
    )
    cache_ok = True

    def _is_text(self, dialect: Dialect) -> bool:
        # jsonb encodes and decodes itself; text holds what the triggers wrote.
        return not isinstance(self.impl_instance.dialect_impl(dialect), JSON)

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None or not self._is_text(dialect):
            return value
        return json.dumps(value, separators=(",", ":"))

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if isinstance(value, str) and self._is_text(dialect):
            return json.loads(value)
        return value


class TransactionId(TypeDecorator[int]):
    """A history entry's transaction id: ``bigint``; unsigned on MariaDB/MySQL,
    whose ids (``UUID_SHORT()``) use all 64 bits."""

    __module__ = "fieldstamps"

    impl = BigInteger().with_variant(mysql.BIGINT(unsigned=True), "mysql", "mariadb")
    cache_ok = True


def history_table(owner: str, table: Table, name: str | None) -> Table:
    """Declare ``table``'s history table in its MetaData: ``<table>_history``
    unless ``name`` is given."""
    name = name or f"{table.name}_history"
    if len(name) > _NAME_LIMIT - 4:  # room for the indexes' suffixes
        raise ConfigurationError(
            f"{owner}: the history table name {name!r} is longer than "
            f"{_NAME_LIMIT - 4} characters; name a shorter one with "
            "__fieldstamps__ = {'history': {'table': '...'}}"
        )
    key = f"{table.schema}.{name}" if table.schema else name
    if key in table.metadata.tables:
        raise ConfigurationError(
            f"{owner}: its MetaData has a table {key!r} already; name the "
            "history table with __fieldstamps__ = {'history': {'table': '...'}}"
        )
    columns: list[Column[Any]] = [
        Column(
            "history_id",
            BigInteger().with_variant(Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        )
    ]
    key_names = []
    for column in table.primary_key.columns:
        if column.name in ("history_id", *HISTORY_COLUMNS):
            raise ConfigurationError(
                f"{owner}: its primary-key column {column.name!r} has the name "
                "of a history column; history cannot be recorded for it"
            )
        # Named and keyed as the model's own, with no foreign key: a
        # row's history outlives it.
        columns.append(Column(column.name, column.type, key=column.key, nullable=False))
        key_names.append(column.name)
    history = Table(
        name,
        table.metadata,
        *columns,
        Column("field", String(64), nullable=False),
        Column("old", HistoryJSON()),
        Column("new", HistoryJSON()),
        Column("changed_at", UTCDateTime(), nullable=False),
        Column("operation", String(6), nullable=False),
        Column("transaction_id", TransactionId(), nullable=False),
        Column("actor", String(255)),
        Column("reason", Text()),
        Column("context", HistoryJSON()),
        schema=table.schema,
        comment=f"fieldstamps: the history of {table.name}",
    )
    # "Last N changes of field F of row R", and as_of: one index range, in
    # the order of the row's writes (history_id; on PostgreSQL changed_at
    # is the transaction's start, and a later write can carry an earlier one).
    Index(f"ix_{name}_row", *(history.c[n] for n in key_names), "field", "history_id")
    # "Changes of field F since T", across rows.
    Index(f"ix_{name}_field", history.c.field, history.c.changed_at)
    return history
