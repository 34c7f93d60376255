"""Every use of a private SQLAlchemy API, in one place.

fieldstamps is pinned to ``SQLAlchemy>=2.1,<2.2``; a new minor release is
checked against this module first. Each function names what it relies on.

Hooks that act process-wide, for every engine and session, once
``fieldstamps`` is imported:

* ``@compiles(Update)`` and ``@compiles(Insert)``, installed with
  :func:`wrap_compiler` so that a hook another library registered before
  fieldstamps keeps running; they change only statements on tables that have
  fieldstamps columns (see ``_sql/dml.py``).
* the ``Session`` event listeners in ``_session.py``, which reload or expire
  stamps of objects of fieldstamps classes only.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from functools import partial
from typing import Any

from sqlalchemy import Column, Computed, FetchedValue
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement, FromClause
from sqlalchemy.sql.base import Executable, ExecutableOption
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import Insert, Update, UpdateBase
from sqlalchemy.sql.elements import DMLTargetCopy
from sqlalchemy.sql.schema import ColumnDefault

from ._spec import key_of

Compiler = Callable[..., str]


class StatementMark(ExecutableOption):
    """An option that only marks a statement: part of its cache key, so a
    marked statement is compiled and cached apart. The ORM reads options
    through the private ``_is_*`` flags; these say "not one of yours"."""

    _is_criteria_option = False
    _is_compile_state = False
    _is_legacy_option = False
    inherit_cache = True
    _traverse_internals = []  # noqa: RUF012 (declared without ClassVar upstream)

    @classmethod
    def marks(cls, statement: Executable) -> bool:
        """Whether ``statement`` carries this mark (``_with_options``)."""
        return any(isinstance(option, cls) for option in statement._with_options)


def session_connections(session: Session) -> list[Connection]:
    """The connections of ``session``'s current transaction, one per bind
    (``SessionTransaction._connections``); none outside a transaction."""
    transaction = session.get_transaction()
    if transaction is None:
        return []
    return [connection for connection, *_ in transaction._connections.values()]


def is_dml_target_copy(element: object) -> bool:
    """Whether ``element`` is a ``from_dml_column()`` reference (its class,
    ``DMLTargetCopy``, is not exported)."""
    return isinstance(element, DMLTargetCopy)


def statement_parameter_keys(compiler: SQLCompiler) -> set[Any] | None:
    """The keys of the values an INSERT/UPDATE being compiled was given with
    ``.values()`` (``compile_state._dict_parameters``), or None."""
    state = getattr(compiler, "compile_state", None)
    if state is None:
        return None
    parameters = getattr(state, "_dict_parameters", None)
    return set(parameters or ())


def update_assignments(statement: Update) -> Any:
    """The SET values given to an UPDATE (``Update._values``)."""
    return statement._values


def statement_value_keys(statement: Insert | Update) -> set[str]:
    """The keys of the columns a statement's ``.values()`` assign
    (``_values``, and the first row of ``_multi_values``)."""
    keys: set[str] = set()
    rows: list[Mapping[Any, Any]] = [statement._values or {}]
    for group in getattr(statement, "_multi_values", ()) or ():
        rows.extend(row for row in group[:1] if isinstance(row, Mapping))
    for row in rows:
        keys.update(key for key in map(key_of, row) if key is not None)
    return keys


def on_duplicate_key_assignments(statement: Insert) -> Any:
    """The SET of a MySQL ``ON DUPLICATE KEY UPDATE`` (``_post_values_clause``);
    None for any other INSERT."""
    clause = getattr(statement, "_post_values_clause", None)
    return getattr(clause, "update", None)


def attach_to_column(
    column: Column[Any], item: ColumnDefault | Computed | FetchedValue
) -> None:
    # DefaultClause is a FetchedValue.
    """Attach a default or ``Computed`` to a column that is already part of a
    table (``_set_parent_with_dispatch``; the constructor is for new ones)."""
    item._set_parent_with_dispatch(column)


def name_copied_binds(kw: dict[str, Any], keys: Iterable[str]) -> None:
    """Tell a batched INSERT ("insertmanyvalues") that this expression uses
    the parameters of columns ``keys``.

    SQLAlchemy renames each row's parameters only where it knows a column
    expression uses them (``accumulate_bind_names``), and ``from_dml_column()``
    copies another column's SQL without saying so (DESIGN fact 13).
    """
    names = kw.get("accumulate_bind_names")
    if names is not None:
        names.update(keys)


def from_objects(element: ClauseElement) -> list[FromClause]:
    """The tables an expression reads (``_from_objects``)."""
    return list(element._from_objects)


def wrap_compiler(
    statement_class: type[UpdateBase],
    dialects: Collection[str],
    make_wrapper: Callable[[str], Callable[..., str]],
) -> None:
    """Register ``make_wrapper(name)`` as the compiler of ``statement_class``
    for each dialect in ``dialects`` and as the default. It is called as
    ``wrapper(previous, element, compiler, **kw)``, where ``previous`` is what
    compiled the statement before: a hook another library registered with
    ``@compiles``, or SQLAlchemy's own.

    Reads ``@compiles``' private ``_compiler_dispatcher``, so that such a hook
    is called rather than replaced.
    """
    dispatcher = statement_class.__dict__.get("_compiler_dispatcher")
    earlier: dict[str, Compiler] = dict(dispatcher.specs) if dispatcher else {}
    # Taken before compiles() replaces it: SQLAlchemy's own visit_*.
    original: Compiler = statement_class._compiler_dispatch
    default = earlier.get("default", original)
    for name in sorted({"default", *dialects, *earlier}):
        previous = earlier.get(name, default)
        compiles(statement_class, name)(partial(make_wrapper(name), previous))
