"""What fieldstamps maintains on one table: one frozen spec, read by
everything that writes or reads stamps (the compiled stamps, upserts, the
session upkeep).

Specs are kept here, keyed by table, not in ``Table.info``: Alembic's
autogenerate writes ``Table.info`` into migrations with ``repr()``. Annotated
copies of a table, which ORM statements carry, hash and compare equal to it,
so they find its spec too.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Table

from ._errors import UnknownFieldError
from ._types import value_kind


@dataclass(frozen=True)
class TrackedField:
    """One field recorded in ``changes``."""

    key: str
    column: Column[Any]
    #: Whether ``store_values`` asks for the value beside the stamp.
    value_wanted: bool

    @property
    def stores_value(self) -> bool:
        """Whether the value is kept: wanted, and the type has a JSON form.

        Asked when statements are compiled, not when the class is mapped: a
        ``ForeignKey`` column declared without a type gets its target's type
        only once the target table exists.
        """
        return self.value_wanted and value_kind(self.column.type) is not None


@dataclass(frozen=True)
class TableSpec:
    """Every stamp column fieldstamps maintains on one table."""

    #: The mapped class that declared it, for messages.
    owner: str
    changes: Column[Any] | None = None
    fields: tuple[TrackedField, ...] = ()
    #: Each ``changed_at()`` column with the columns it watches.
    changed_at: tuple[tuple[Column[Any], tuple[Column[Any], ...]], ...] = ()
    updated_at: tuple[Column[Any], ...] = ()
    #: Each ``updated_at_column()`` with the field it mirrors.
    mirrors: tuple[tuple[str, Column[Any]], ...] = ()
    created_at: tuple[Column[Any], ...] = ()
    #: Whether database triggers compute the stamps (``{"triggers": True}``)
    #: instead of the SQL SQLAlchemy compiles into its own writes.
    triggers: bool = False
    #: Fields whose value fieldstamps never stores (``{"redact": [...]}``).
    redacted: frozenset[str] = frozenset()
    #: The fields whose changes the history table records
    #: (``{"history": ...}``), and that table; none without history.
    history_fields: tuple[TrackedField, ...] = ()
    history: Table | None = None

    @property
    def columns(self) -> tuple[Column[Any], ...]:
        """The columns a write can move (``created_at`` is written once)."""
        own = () if self.changes is None else (self.changes,)
        changed_at = tuple(column for column, _ in self.changed_at)
        mirrors = tuple(column for _, column in self.mirrors)
        return own + changed_at + self.updated_at + mirrors

    @property
    def keys(self) -> tuple[str, ...]:
        """The keys of the fields recorded in ``changes``."""
        return tuple(field.key for field in self.fields)

    def field(self, key: str) -> TrackedField:
        for field in self.fields:
            if field.key == key:
                return field
        raise UnknownFieldError(self.owner, key, self.keys)

    def mirror(self, key: str) -> Column[Any] | None:
        return dict(self.mirrors).get(key)


_SPECS: weakref.WeakKeyDictionary[Table, TableSpec] = weakref.WeakKeyDictionary()


def key_of(item: object) -> str | None:
    """The column key of ``item``: a key string, a Column, or an ORM attribute
    (``User.name``), as statements and admin settings take them alike; None
    for anything else."""
    key = item if isinstance(item, str) else getattr(item, "key", None)
    return key if isinstance(key, str) else None


def spec_of(table: object) -> TableSpec | None:
    """The spec of a table (or an annotated copy of one); None if it has none."""
    return _SPECS.get(table) if isinstance(table, Table) else None


def attach_spec(table: Table, spec: TableSpec) -> None:
    _SPECS[table] = spec
