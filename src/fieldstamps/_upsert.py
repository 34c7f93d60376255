"""Stamping the UPDATE branch of upserts, which SQLAlchemy leaves to the caller."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, Table, inspect, literal

from ._errors import ConfigurationError
from ._spec import key_of, spec_of
from ._sql import ChangesOnUpdate, StampOnUpdate, TouchedAt


def _table_of(target: Any) -> Table:
    if isinstance(target, Table):
        return target
    mapper = inspect(target, raiseerr=False)
    table = getattr(mapper, "local_table", None)
    if not isinstance(table, Table):
        raise ConfigurationError(
            f"upsert_set() needs a mapped class or Table as its first "
            f"argument, got {target!r}"
        )
    return table


def upsert_set(target: Any, values: Mapping[Any, Any]) -> dict[str, Any]:
    """The SET of an upsert's update branch, with every stamp assignment added.

    ``Column.onupdate`` does not apply to ``ON CONFLICT DO UPDATE`` or
    ``ON DUPLICATE KEY UPDATE``; pass the values you would have given there
    and use the returned mapping instead::

        stmt = insert(User).values(id=1, name="Spongebob")
        stmt = stmt.on_conflict_do_update(          # PostgreSQL, SQLite
            index_elements=[User.id],
            set_=upsert_set(User, {"name": stmt.excluded.name}),
        )
        stmt = insert(User).values(id=1, name="Spongebob")
        stmt = stmt.on_duplicate_key_update(         # MariaDB, MySQL
            upsert_set(User, {"name": stmt.inserted.name})
        )

    Keys are column keys (strings) or columns. Stamps move exactly as for an
    UPDATE: only for fields whose value is distinct from the stored one.
    The stamp assignments come first, as MariaDB's left-to-right SET needs.
    """
    table = _table_of(target)
    spec = spec_of(table)
    if spec is None:
        raise ConfigurationError(
            f"table {table.name!r} has no fieldstamps columns to stamp"
        )
    news: dict[str, ColumnElement[Any]] = {}
    for key, value in values.items():
        column_key = key_of(key)
        if column_key is None or column_key not in table.c:
            raise ConfigurationError(
                f"upsert_set(): {key!r} is not a column of table {table.name!r}"
            )
        column = table.c[column_key]
        if column in spec.columns:
            raise ConfigurationError(
                f"upsert_set(): {column_key!r} is a stamp column fieldstamps "
                "sets itself"
            )
        if hasattr(value, "__clause_element__"):  # User.name, an ORM attribute
            value = value.__clause_element__()
        news[column_key] = (
            value if isinstance(value, ColumnElement) else literal(value, column.type)
        )

    if spec.triggers:
        return dict(news)  # the table's triggers stamp the update branch
    assignments: dict[str, Any] = {}
    if spec.changes is not None:
        written = [field for field in spec.fields if field.column.key in news]
        assignments[spec.changes.key] = ChangesOnUpdate(
            spec.changes,
            [(field.key, field.column, field.value_wanted) for field in written],
            news=[news[field.column.key] for field in written],
        )
    for column, watched in spec.changed_at:
        assigned = [target for target in watched if target.key in news]
        if assigned:
            assignments[column.key] = StampOnUpdate(
                column, assigned, news=[news[target.key] for target in assigned]
            )
    for column in spec.updated_at:
        assignments[column.key] = TouchedAt(column)
    assignments.update(news)
    return assignments
