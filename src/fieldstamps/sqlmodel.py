"""fieldstamps' stamps as SQLModel fields, for SQLModel table models and FastAPI.

>>> from datetime import datetime
>>> from sqlmodel import Field, Session, SQLModel, create_engine, update
>>> from fieldstamps.sqlmodel import (
...     ChangeTrackingFields, TimestampFields, changed_at_field)
>>> class Team(TimestampFields, ChangeTrackingFields, SQLModel, table=True):
...     id: int | None = Field(default=None, primary_key=True)
...     name: str
...     headquarters: str | None = None
...     name_changed_at: datetime | None = changed_at_field("name")
>>> engine = create_engine("sqlite://")
>>> SQLModel.metadata.create_all(engine)
>>> with Session(engine, expire_on_commit=False) as session:
...     team = Team(name="Preventers", headquarters="Sharp Tower")
...     session.add(team)
...     session.commit()
...     _ = session.exec(update(Team).values(name="Z-Force"))
...     session.commit()
...     session.refresh(team)
...     print(team.get_updated_at("name") == team.name_changed_at == team.updated_at)
...     print(team.get_updated_at("headquarters") == team.created_at)
True
True

The mixins of :mod:`fieldstamps` declare SQLAlchemy ``Mapped[...]`` columns,
which SQLModel (Pydantic) cannot take. The classes and helpers here declare
the same columns as SQLModel fields, built from the very columns of
:class:`fieldstamps.TimestampMixin`, :class:`fieldstamps.ChangeTrackingMixin`,
:func:`fieldstamps.changed_at` and :func:`fieldstamps.updated_at_column`
(same types, server-side defaults and markers), so fieldstamps wires them
exactly as it wires those: every write path, every supported database.

Stamps are Pydantic fields like any other: ``model_dump()`` and JSON include
them as aware UTC datetimes (``None`` until the row is written), and the JSON
Schema marks them ``readOnly``. Declare request models without them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Column, event
from sqlalchemy.orm import MappedColumn, Mapper
from sqlalchemy.sql.schema import ColumnDefault
from sqlmodel import Field, SQLModel

from ._errors import ConfigurationError
from ._history import HistoryMethods
from ._model import (
    _CHANGED_AT_INFO,
    _CHANGES_INFO,
    _CREATED_AT_INFO,
    _MIRROR_INFO,
    _UPDATED_AT_INFO,
    ChangeTrackingMixin,
    TimestampMixin,
    _ChangeTracking,
    changed_at,
    updated_at_column,
)

__all__ = [
    "ChangeTrackingFields",
    "TimestampFields",
    "changed_at_field",
    "updated_at_field",
]


class _ColumnKwargs(Mapping[str, Any]):
    """``sa_column_kwargs`` that give each table's column its own ``info``.

    SQLModel builds a new Column for every table class that inherits a field,
    from the one mapping the field holds: a plain dict would put one shared
    ``info`` dict on the columns of every such table.
    """

    def __init__(self, kwargs: dict[str, Any]) -> None:
        self._kwargs = kwargs

    def __getitem__(self, key: str) -> Any:
        value = self._kwargs[key]
        return dict(value) if key == "info" else value

    def __iter__(self) -> Iterator[str]:
        return iter(self._kwargs)

    def __len__(self) -> int:
        return len(self._kwargs)

    def __repr__(self) -> str:
        return repr(self._kwargs)


def _field_of(declared: MappedColumn[Any]) -> Any:
    """A SQLModel field declaring the column that ``declared`` declares.

    Made from the column fieldstamps' own mixins and helpers build, so that
    the type, the server-side defaults and the ``info`` markers the mapper
    hook wires by are the library's, not a copy kept in step by hand.
    """
    column = declared.column
    kwargs: dict[str, Any] = {"info": column.info}
    for name in ("default", "onupdate"):
        generator = getattr(column, name)
        if generator is not None:
            assert isinstance(generator, ColumnDefault)
            kwargs[name] = generator.arg
    return Field(
        default=None,
        sa_type=column.type,
        nullable=bool(column.nullable),
        index=bool(column.index),
        sa_column_kwargs=_ColumnKwargs(kwargs),
        # Written by the database only; None until the row is.
        schema_extra={"json_schema_extra": {"readOnly": True}},
    )


def _declared(mixin: type[Any], key: str) -> MappedColumn[Any]:
    declared = vars(mixin)[key]
    assert isinstance(declared, MappedColumn)
    return declared


# What to write on a SQLModel class instead of the SQLAlchemy spelling of a
# stamp column, by the marker that spelling leaves in ``Column.info``.
_INSTEAD = {
    _CREATED_AT_INFO: ("TimestampMixin", "TimestampFields"),
    _UPDATED_AT_INFO: ("TimestampMixin", "TimestampFields"),
    _CHANGES_INFO: ("ChangeTrackingMixin", "ChangeTrackingFields"),
    _CHANGED_AT_INFO: ("changed_at()", "changed_at_field()"),
    _MIRROR_INFO: ("updated_at_column()", "updated_at_field()"),
}


def _refuse_mapped_column(owner: str, key: str, value: object) -> None:
    if not isinstance(value, MappedColumn):
        return
    for info, (spelling, instead) in _INSTEAD.items():
        if info in value.column.info:
            raise ConfigurationError(
                f"{owner}.{key}: fieldstamps.{spelling} declares a SQLAlchemy "
                "mapped_column, which a SQLModel class cannot take; use "
                f"fieldstamps.sqlmodel.{instead} instead"
            )


def _refuse_mapped_columns(cls: type[Any]) -> None:
    # Runs before Pydantic looks at the class, whose error for a Mapped[...]
    # annotation would name neither fieldstamps nor the SQLModel spelling.
    for key, value in vars(cls).items():
        _refuse_mapped_column(cls.__name__, key, value)


class TimestampFields(SQLModel, HistoryMethods):
    """``created_at`` and ``updated_at`` of :class:`fieldstamps.TimestampMixin`,
    as SQLModel fields.

    ``None`` on a new object until it is flushed; then the server's instant
    of the INSERT, and ``updated_at`` again on every UPDATE. With
    ``__fieldstamps__ = {"history": True}``, ``get_history()`` and
    ``as_of()`` as there.
    """

    created_at: datetime | None = _field_of(_declared(TimestampMixin, "created_at"))
    updated_at: datetime | None = _field_of(_declared(TimestampMixin, "updated_at"))

    def __init_subclass__(cls, **kwargs: Any) -> None:
        _refuse_mapped_columns(cls)
        super().__init_subclass__(**kwargs)


class ChangeTrackingFields(SQLModel, _ChangeTracking):
    """``changes`` of :class:`fieldstamps.ChangeTrackingMixin`, as a SQLModel
    field, with ``get_updated_at()``, ``updated_at_of()`` and
    ``__fieldstamps__`` options as there.
    """

    changes: dict[str, Any] | None = _field_of(
        _declared(ChangeTrackingMixin, "changes")
    )

    def __init_subclass__(cls, **kwargs: Any) -> None:
        _refuse_mapped_columns(cls)
        super().__init_subclass__(**kwargs)


def changed_at_field(*fields: str, index: bool = False) -> Any:
    """:func:`fieldstamps.changed_at` as a SQLModel field.

    ::

        name_changed_at: datetime | None = changed_at_field("name")
    """
    return _field_of(changed_at(*fields, index=index))


def updated_at_field(field: str, *, index: bool = True) -> Any:
    """:func:`fieldstamps.updated_at_column` as a SQLModel field.

    ::

        name_updated_at: datetime | None = updated_at_field("name")

    Needs :class:`ChangeTrackingFields`.
    """
    return _field_of(updated_at_column(field, index=index))


# -- checks, when a SQLModel class is mapped ----------------------------------


def _check_sqlmodel_class(mapper: Mapper[Any], cls: type[Any]) -> None:
    if not issubclass(cls, SQLModel):
        return
    owner = cls.__name__
    for key, field in cls.model_fields.items():
        # Without a Mapped[...] annotation Pydantic takes a mapped_column for
        # a default value, and SQLModel makes a plain column around it.
        _refuse_mapped_column(owner, key, field.default)
    columns = {
        key: column
        for key, column in mapper.columns.items()
        if isinstance(column, Column) and column.table is mapper.local_table
    }
    declared: dict[str, tuple[str, str]] = {}
    if issubclass(cls, TimestampFields):
        declared |= {
            "created_at": (_CREATED_AT_INFO, "TimestampFields"),
            "updated_at": (_UPDATED_AT_INFO, "TimestampFields"),
        }
    if issubclass(cls, ChangeTrackingFields):
        declared["changes"] = (_CHANGES_INFO, "ChangeTrackingFields")
    for key, (info, mixin) in declared.items():
        column = columns.get(key)
        if column is None or info not in column.info:
            raise ConfigurationError(
                f"{owner}.{key} re-declares the field of "
                f"fieldstamps.sqlmodel.{mixin}, so the database would not set "
                "it; remove it from the class (the mixin declares it)"
            )
    if issubclass(cls, ChangeTrackingFields):
        return
    for key, column in columns.items():
        if _CHANGES_INFO in column.info:
            # The mapper hook would leave it unwired: a column never written.
            raise ConfigurationError(
                f"{owner}.{key} is fieldstamps' changes column, which only "
                "fieldstamps.sqlmodel.ChangeTrackingFields wires; subclass it "
                "instead of declaring the column"
            )
        if _MIRROR_INFO in column.info:
            raise ConfigurationError(
                f"{owner}.{key} = updated_at_field(...) needs "
                "fieldstamps.sqlmodel.ChangeTrackingFields, whose changes "
                "column it mirrors"
            )


# Before fieldstamps' own hook, so that SQLModel classes get messages in
# SQLModel's terms; the wiring itself is that hook's.
event.listen(Mapper, "after_mapper_constructed", _check_sqlmodel_class, insert=True)
