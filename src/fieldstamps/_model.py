"""The mixins, ``changed_at()``, and the hook that wires them into a mapping."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar, TypedDict

from sqlalchemy import Column, ColumnElement, Computed, Table, event, inspect, text
from sqlalchemy.orm import Mapped, MappedColumn, Mapper, mapped_column
from sqlalchemy.sql.schema import ColumnDefault, DefaultClause, FetchedValue

from ._compat import attach_to_column
from ._context import record_history
from ._errors import ConfigurationError
from ._history import HistoryMethods
from ._history_table import history_table
from ._spec import TableSpec, TrackedField, attach_spec, spec_of
from ._sql import (
    NOOP_KEY,
    ChangesOnInsert,
    ChangesOnUpdate,
    StampOf,
    StampOnUpdate,
    TouchedAt,
    UtcNow,
)
from ._triggers import install_with_table
from ._types import ChangesJSON, StampText, UTCDateTime, parse_stamp_text

_CHANGED_AT_INFO = "fieldstamps.changed_at"
_CHANGES_INFO = "fieldstamps.changes"
_MIRROR_INFO = "fieldstamps.updated_at_column"
_UPDATED_AT_INFO = "fieldstamps.updated_at"
_CREATED_AT_INFO = "fieldstamps.created_at"
_OPTION_KEYS = frozenset(
    {"include", "exclude", "history", "redact", "store_values", "triggers"}
)
_HISTORY_KEYS = frozenset({"fields", "table"})
_TIMESTAMP_KEYS = frozenset({"created_at", "updated_at"})


class HistoryOptions(TypedDict, total=False):
    """The keys of ``__fieldstamps__["history"]`` given as a dict."""

    #: Record these tracked fields only (default: every tracked field).
    fields: Sequence[str]
    #: The history table's name (default: ``<table>_history``).
    table: str


class FieldstampsOptions(TypedDict, total=False):
    """The keys a class's ``__fieldstamps__`` dict may hold."""

    #: Track only these fields (default: every column but the primary key,
    #: stamps, computed and identity columns).
    include: Sequence[str]
    #: Track all but these.
    exclude: Sequence[str]
    #: Keep each tracked field's value beside its stamp in ``changes``
    #: (default ``True``), for none (``False``), or for the fields listed.
    store_values: bool | Sequence[str]
    #: Fields whose value fieldstamps never stores anywhere: only that and
    #: when they changed (passwords, tokens, personal data).
    redact: Sequence[str]
    #: Let database triggers compute every stamp, for every writer, not only
    #: SQLAlchemy's own writes (see ``fieldstamps.trigger_ddl``).
    triggers: bool
    #: Record every change of the tracked fields (old and new value, when,
    #: who and why) in a history table, written by database triggers, which
    #: this implies (see ``fieldstamps.get_history``).
    history: bool | HistoryOptions


def tracking_of(cls: type[Any]) -> TableSpec:
    """The spec of a class that uses ChangeTrackingMixin."""
    mapper = inspect(cls, raiseerr=False)
    if not isinstance(mapper, Mapper):
        raise ConfigurationError(
            f"{cls.__name__} is not mapped to a table (an abstract class, a "
            "mixin, or a class not yet declared); call this on a mapped "
            "subclass"
        )
    spec = spec_of(mapper.local_table)
    if spec is None or spec.changes is None:
        raise ConfigurationError(
            f"{cls.__name__} records no field stamps in 'changes': it does not "
            "use ChangeTrackingMixin"
        )
    return spec


def _refuse_sqlmodel(cls: type[Any], mixin: str, instead: str) -> None:
    # Checked in __init_subclass__, before Pydantic builds the class and fails
    # on the mixin's Mapped[...] annotations with an error that names neither
    # fieldstamps nor what to use instead.
    sqlmodel = sys.modules.get("sqlmodel")
    if sqlmodel is not None and issubclass(cls, sqlmodel.SQLModel):
        raise ConfigurationError(
            f"{cls.__name__}: fieldstamps.{mixin} declares SQLAlchemy "
            "Mapped[...] columns, which a SQLModel class cannot take; use "
            f"fieldstamps.sqlmodel.{instead} instead"
        )


# -- public building blocks ---------------------------------------------------


class TimestampMixin(HistoryMethods):
    """``created_at`` and ``updated_at``, set by the database server's clock.

    On INSERT both get the statement's server instant; every UPDATE, ORM or
    Core, sets ``updated_at`` again. Values load as aware UTC datetimes.
    """

    created_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(), default=UtcNow(), nullable=False, info={_CREATED_AT_INFO: True}
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(),
        default=UtcNow(),
        onupdate=UtcNow(),
        nullable=False,
        info={_UPDATED_AT_INFO: True},
    )

    def __init_subclass__(cls, **kwargs: Any) -> None:
        _refuse_sqlmodel(cls, "TimestampMixin", "TimestampFields")
        super().__init_subclass__(**kwargs)


class _ChangeTracking(HistoryMethods):
    """What a class tracking ``changes`` gets besides the column itself.

    Shared by ChangeTrackingMixin and ``fieldstamps.sqlmodel``'s
    ChangeTrackingFields, which must declare ``changes`` as a SQLModel field
    instead; the mapper hook wires the subclasses of both.
    """

    if TYPE_CHECKING:
        # Each subclass declares the column its own way.
        changes: Any

    __fieldstamps__: ClassVar[FieldstampsOptions]

    def get_updated_at(self, field: str) -> dt.datetime | None:
        """When ``field`` last changed, as an aware UTC datetime.

        None when no stamp is recorded or the recorded one cannot be read.
        Raises :class:`UnknownFieldError` for a field that is not tracked.
        """
        tracking_of(type(self)).field(field)
        changes = self.changes
        entry = changes.get(field) if isinstance(changes, dict) else None
        if not isinstance(entry, dict):
            return None
        return parse_stamp_text(entry.get("updated_at"))

    @classmethod
    def updated_at_of(cls, field: str) -> ColumnElement[dt.datetime]:
        """SQL for when ``field`` last changed, to filter and order by.

        Compare it with aware datetimes; a naive one raises
        :class:`NaiveDatetimeError`.
        """
        spec = tracking_of(cls)
        spec.field(field)
        mirror = spec.mirror(field)
        if mirror is not None:
            return mirror
        assert spec.changes is not None  # tracking_of() refuses a spec without
        return StampOf(spec.changes, field)


class ChangeTrackingMixin(_ChangeTracking):
    """A JSON column ``changes`` recording when each field last changed.

    ``changes`` is shaped ``{field: {"value": ..., "updated_at": "...Z"}}``.
    Narrow the tracked fields with a class attribute::

        __fieldstamps__ = {"include": [...], "exclude": [...],
                           "store_values": True | False | [fields]}
    """

    changes: Mapped[dict[str, Any] | None] = mapped_column(
        ChangesJSON(),
        nullable=True,
        info={_CHANGES_INFO: True},
    )

    def __init_subclass__(cls, **kwargs: Any) -> None:
        _refuse_sqlmodel(cls, "ChangeTrackingMixin", "ChangeTrackingFields")
        super().__init_subclass__(**kwargs)


def changed_at(*fields: str, index: bool = False) -> MappedColumn[dt.datetime | None]:
    """A timestamp column set by the server whenever any of ``fields`` changes.

    ::

        price_changed_at: Mapped[datetime | None] = changed_at("price")

    Stamped on INSERT, then on each UPDATE that changes one of the fields to
    a NULL-safely distinct value. ``index=True`` adds a plain index.
    """
    if not fields:
        raise ConfigurationError("changed_at() needs at least one field name")
    for field in fields:
        if not isinstance(field, str) or not field:
            raise ConfigurationError(
                f"changed_at() takes field names as strings, got {field!r}"
            )
    return mapped_column(
        UTCDateTime(),
        default=UtcNow(),
        nullable=True,
        index=index,
        info={_CHANGED_AT_INFO: tuple(fields)},
    )


def updated_at_column(
    field: str, *, index: bool = True
) -> MappedColumn[dt.datetime | None]:
    """A generated column mirroring ``changes``' stamp of ``field``, indexed.

    ::

        name_updated_at: Mapped[datetime | None] = updated_at_column("name")

    The database computes and stores it from ``changes`` on every write, so
    it is never stale; ``updated_at_of("name")`` then reads it, and "rows
    whose name changed since T" is an index range scan on SQLite, PostgreSQL
    and MariaDB/MySQL alike (MariaDB cannot index a JSON expression
    directly). Needs ChangeTrackingMixin.
    """
    if not isinstance(field, str) or not field:
        raise ConfigurationError(
            f"updated_at_column() takes a field name as a string, got {field!r}"
        )
    return mapped_column(
        StampText(),
        nullable=True,
        index=index,
        info={_MIRROR_INFO: field},
    )


# -- wiring, when a class is mapped -------------------------------------------


def _is_stamp_column(column: Column[Any]) -> bool:
    return any(
        key in column.info for key in (_CHANGED_AT_INFO, _CHANGES_INFO, _MIRROR_INFO)
    )


def _columns_by_key(mapper: Mapper[Any], table: Table) -> dict[str, Column[Any]]:
    # mapper.columns, not mapper.column_attrs: the latter configures every
    # mapper in the registry, and classes named by relationship() strings
    # may not exist yet while this class is being mapped.
    return {
        key: column
        for key, column in mapper.columns.items()
        if isinstance(column, Column) and column.table is table
    }


def _field_names(owner: str, option: str, value: object) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Collection):
        raise ConfigurationError(
            f"{owner}.__fieldstamps__[{option!r}] must be a list of field "
            f"names, not {value!r}"
        )
    names = list(value)
    for name in names:
        if not isinstance(name, str):
            raise ConfigurationError(
                f"{owner}.__fieldstamps__[{option!r}] holds {name!r}, "
                "which is not a field name"
            )
    return names


def _check_keys(where: str, given: Collection[object], known: frozenset[str]) -> None:
    unknown = set(given) - known
    if unknown:
        raise ConfigurationError(
            f"{where} has unknown key(s) "
            f"{', '.join(map(repr, sorted(unknown, key=str)))}; "
            f"known keys: {', '.join(sorted(known))}"
        )


def _check_tracked(where: str, names: Iterable[str], tracked: Sequence[str]) -> None:
    for name in names:
        if name not in tracked:
            raise ConfigurationError(
                f"{where} names {name!r}, which is not a tracked field; "
                f"tracked: {', '.join(tracked)}"
            )


def _column_list(columns: Mapping[str, Column[Any]]) -> str:
    return ", ".join(
        key for key, column in columns.items() if not _is_stamp_column(column)
    )


def _check_known(
    owner: str, option: str, names: Sequence[str], columns: Mapping[str, Column[Any]]
) -> None:
    for name in names:
        if name not in columns:
            raise ConfigurationError(
                f"{owner}.__fieldstamps__[{option!r}] names {name!r}, which is "
                f"not a column of {owner}; columns: {_column_list(columns)}"
            )


def _tracked_fields(
    owner: str, options: object, columns: Mapping[str, Column[Any]]
) -> tuple[TrackedField, ...]:
    if not isinstance(options, Mapping):
        raise ConfigurationError(
            f"{owner}.__fieldstamps__ must be a dict, not {options!r}"
        )
    _check_keys(f"{owner}.__fieldstamps__", options, _OPTION_KEYS)

    if "include" in options:
        keys = _field_names(owner, "include", options["include"])
        _check_known(owner, "include", keys, columns)
        for key in keys:
            column = columns[key]
            if _is_stamp_column(column):
                raise ConfigurationError(
                    f"{owner}.__fieldstamps__['include'] names {key!r}, a "
                    "fieldstamps stamp column, which cannot itself be tracked"
                )
            if column.computed is not None:
                raise ConfigurationError(
                    f"{owner}.__fieldstamps__['include'] names {key!r}, a "
                    "computed column, which no statement writes"
                )
    else:
        keys = [
            key
            for key, column in columns.items()
            if not column.primary_key
            and not _is_stamp_column(column)
            and key not in _TIMESTAMP_KEYS
            and column.computed is None
            and column.identity is None
        ]
    if "exclude" in options:
        excluded = _field_names(owner, "exclude", options["exclude"])
        _check_known(owner, "exclude", excluded, columns)
        keys = [key for key in keys if key not in excluded]

    redacted = set(_field_names(owner, "redact", options.get("redact", ())))
    _check_known(owner, "redact", sorted(redacted), columns)
    store = options.get("store_values", True)
    if isinstance(store, bool):
        storing = set(keys) - redacted if store else set()
    else:
        storing = set(_field_names(owner, "store_values", store))
        _check_tracked(f"{owner}.__fieldstamps__['store_values']", storing, keys)
        for key in storing:
            if key in redacted:
                raise ConfigurationError(
                    f"{owner}.__fieldstamps__ names {key!r} in both "
                    "'store_values' and 'redact': a redacted value is never stored"
                )
    for key in keys:
        _check_field_key(owner, key)
    return tuple(
        TrackedField(
            key,
            columns[key],
            value_wanted=key in storing,
        )
        for key in keys
    )


def _check_field_key(owner: str, key: str) -> None:
    # Field keys are written into SQL string literals (JSON paths, keys).
    if '"' in key or "\\" in key:
        reason = "a quote or backslash, which JSON paths cannot name everywhere"
    elif "%(" in key:
        reason = (
            "'%(', which SQLAlchemy's conversion to positional parameters "
            "would read as a placeholder"
        )
    elif key == NOOP_KEY:
        reason = "the name of fieldstamps' scratch key"
    else:
        return
    raise ConfigurationError(
        f"{owner}: field {key!r} cannot be tracked: its name holds {reason}; "
        "exclude it or rename the attribute"
    )


def _wire_changed_at(
    owner: str, column: Column[Any], attr: str, columns: Mapping[str, Column[Any]]
) -> tuple[Column[Any], tuple[Column[Any], ...]]:
    watched = []
    for key in column.info[_CHANGED_AT_INFO]:
        target = columns.get(key)
        if target is None:
            raise ConfigurationError(
                f"{owner}.{attr} = changed_at({key!r}): {owner} has no column "
                f"{key!r}; columns: {_column_list(columns)}"
            )
        if _is_stamp_column(target):
            raise ConfigurationError(
                f"{owner}.{attr} = changed_at({key!r}): {key!r} is a "
                "fieldstamps stamp column, which cannot itself be watched"
            )
        watched.append(target)
    attach_to_column(
        column, ColumnDefault(StampOnUpdate(column, watched), for_update=True)
    )
    return column, tuple(watched)


def _wire_changes(
    owner: str, cls: type[Any], columns: Mapping[str, Column[Any]]
) -> tuple[Column[Any], tuple[TrackedField, ...], tuple[tuple[str, Column[Any]], ...]]:
    changes = columns.get("changes")
    if changes is None or _CHANGES_INFO not in changes.info:
        raise ConfigurationError(
            f"{owner} uses ChangeTrackingMixin but its 'changes' attribute is "
            "not the mixin's JSON column; rename the model's own 'changes'"
        )
    fields = _tracked_fields(owner, getattr(cls, "__fieldstamps__", {}), columns)
    entries = [(field.key, field.column, field.value_wanted) for field in fields]
    attach_to_column(
        changes, ColumnDefault(ChangesOnInsert(changes, entries, by_function=True))
    )
    attach_to_column(
        changes, ColumnDefault(ChangesOnUpdate(changes, entries), for_update=True)
    )
    mirrors = []
    keys = [field.key for field in fields]
    for attr, column in columns.items():
        if _MIRROR_INFO not in column.info:
            continue
        key = column.info[_MIRROR_INFO]
        if key not in keys:
            raise ConfigurationError(
                f"{owner}.{attr} = updated_at_column({key!r}): {key!r} is not a "
                f"tracked field of {owner}; tracked: {', '.join(keys)}"
            )
        # Attached now because the expression needs this class's own
        # ``changes`` column, which declarative copies from the mixin.
        attach_to_column(column, Computed(StampOf(changes, key), persisted=True))
        mirrors.append((key, column))
    return changes, fields, tuple(mirrors)


def _history_options(owner: str, options: object) -> HistoryOptions | None:
    history = options.get("history", False) if isinstance(options, Mapping) else False
    if history is False:
        return None
    if history is True:
        return {}
    if not isinstance(history, Mapping):
        raise ConfigurationError(
            f"{owner}.__fieldstamps__['history'] must be True, False or a dict "
            f"with the keys {', '.join(sorted(_HISTORY_KEYS))}, not {history!r}"
        )
    _check_keys(f"{owner}.__fieldstamps__['history']", history, _HISTORY_KEYS)
    name = history.get("table")
    if name is not None and (not isinstance(name, str) or not name):
        raise ConfigurationError(
            f"{owner}.__fieldstamps__['history']['table'] must be a table "
            f"name, not {name!r}"
        )
    return HistoryOptions(**history)  # type: ignore[typeddict-item]  # keys checked above


def _with_history(
    spec: TableSpec,
    options: Mapping[str, Any],
    history: HistoryOptions,
    table: Table,
    columns: Mapping[str, Column[Any]],
) -> TableSpec:
    owner = spec.owner
    if options.get("triggers", True) is not True:
        raise ConfigurationError(
            f"{owner}.__fieldstamps__: 'history' is written by database "
            "triggers, so it cannot go with 'triggers': False"
        )
    fields = spec.fields or _tracked_fields(owner, options, columns)
    if "fields" in history:
        names = _field_names(owner, "history']['fields", history["fields"])
        tracked = [field.key for field in fields]
        _check_tracked(f"{owner}.__fieldstamps__['history']['fields']", names, tracked)
        fields = tuple(field for field in fields if field.key in names)
    if not fields:
        raise ConfigurationError(
            f"{owner}.__fieldstamps__['history']: {owner} has no tracked field "
            "to record"
        )
    record_history(table.metadata)
    return replace(
        spec,
        history_fields=fields,
        history=history_table(owner, table, history.get("table")),
        triggers=True,
    )


def _wants_triggers(owner: str, options: object) -> bool:
    triggers = options.get("triggers", False) if isinstance(options, Mapping) else False
    if not isinstance(triggers, bool):
        raise ConfigurationError(
            f"{owner}.__fieldstamps__['triggers'] must be True or False, "
            f"not {triggers!r}"
        )
    return triggers


def _hand_to_triggers(spec: TableSpec) -> None:
    """Leave every stamp to the table's triggers: SQLAlchemy's writes compute
    none (no work done twice), and read back the ones they wrote, as they do
    for any server-side value."""
    mirrors = {id(column) for _, column in spec.mirrors}
    # A writer that leaves created_at/updated_at out must pass their NOT
    # NULL before SQLite's AFTER triggers can set them: a default whose
    # value every trigger replaces. CURRENT_TIMESTAMP is the same text on
    # every database, so a migration that creates the column is portable.
    timestamps = {id(column) for column in (*spec.created_at, *spec.updated_at)}
    for column in (*spec.columns, *spec.created_at):
        if id(column) in mirrors:
            continue  # generated from changes by the database already
        column.default = None
        column.onupdate = None
        if id(column) in timestamps:
            attach_to_column(column, DefaultClause(text("CURRENT_TIMESTAMP")))
        else:
            attach_to_column(column, FetchedValue())
        attach_to_column(column, FetchedValue(for_update=True))


@event.listens_for(Mapper, "after_mapper_constructed")
def _wire_mapper(mapper: Mapper[Any], cls: type[Any]) -> None:
    table = mapper.local_table
    if not isinstance(table, Table):
        return
    inherits = mapper.inherits
    if inherits is not None and inherits.local_table is table:
        return  # single-table inheritance: the base class wired the table
    columns = _columns_by_key(mapper, table)
    owner = cls.__name__
    tracks_changes = issubclass(cls, _ChangeTracking)
    for attr, column in columns.items():
        if _MIRROR_INFO in column.info and not tracks_changes:
            raise ConfigurationError(
                f"{owner}.{attr} = updated_at_column(...) needs "
                "ChangeTrackingMixin, whose changes column it mirrors"
            )
    changed_at = tuple(
        _wire_changed_at(owner, column, attr, columns)
        for attr, column in columns.items()
        if _CHANGED_AT_INFO in column.info
    )
    spec = TableSpec(
        owner,
        changed_at=changed_at,
        updated_at=tuple(c for c in table.c if _UPDATED_AT_INFO in c.info),
        created_at=tuple(c for c in table.c if _CREATED_AT_INFO in c.info),
    )
    if tracks_changes:
        changes, fields, mirrors = _wire_changes(owner, cls, columns)
        spec = replace(spec, changes=changes, fields=fields, mirrors=mirrors)
    if not spec.columns:
        return
    options = getattr(cls, "__fieldstamps__", {})
    if isinstance(options, Mapping):
        redacted = _field_names(owner, "redact", options.get("redact", ()))
        spec = replace(spec, redacted=frozenset(redacted))
    history = _history_options(owner, options)
    if history is not None:
        assert isinstance(options, Mapping)  # _history_options() checked
        spec = _with_history(spec, options, history, table, columns)
    if spec.triggers or _wants_triggers(owner, options):
        spec = replace(spec, triggers=True)
        _hand_to_triggers(spec)
        install_with_table(table)
    else:
        for column in spec.updated_at:
            # The mixin's onupdate=UtcNow(), told its column: a paused
            # UPDATE leaves it as it was.
            column.onupdate = None
            attach_to_column(column, ColumnDefault(TouchedAt(column), for_update=True))
        if spec.changes is not None:
            install_with_table(table)  # the changes function, where there is one
    attach_spec(table, spec)
    for column in (*spec.columns, *spec.created_at):
        if isinstance(column.type, UTCDateTime):
            # A copy of its own: mixin columns share one type object.
            column.type = column.type.copy()
            column.type.column_label = f"{table.name}.{column.name}"
    if mapper.eager_defaults == "auto":
        # Not RETURNING stamps with INSERTs: a commit would expire them
        # unread, and _session.py reloads them in one SELECT per flush when
        # the objects outlive it. An explicit choice of the class stands.
        mapper.eager_defaults = False
