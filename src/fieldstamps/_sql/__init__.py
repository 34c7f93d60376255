"""fieldstamps' SQL: elements and shared rules in ``base.py``, one module per
dialect, UPDATE/upsert compilation in ``dml.py``; registered here."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TypeVar

from sqlalchemy.engine import Dialect
from sqlalchemy.engine.interfaces import DBAPIConnection, DBAPICursor
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.dml import Insert, Update

from .._compat import wrap_compiler
from .._errors import UnsupportedDatabaseError
from . import dml, mysql, postgresql, sqlite
from .base import (
    COMPILERS,
    NOOP_KEY,
    ChangesOnInsert,
    ChangesOnUpdate,
    DialectSql,
    StampOf,
    StampOnUpdate,
    TouchedAt,
    UtcNow,
    Verbatim,
    compile_verbatim,
    unsupported,
)

_T = TypeVar("_T")

#: Dialect names (as SQLAlchemy spells them) and the module writing their SQL.
DIALECTS: dict[str, DialectSql] = {
    "postgresql": postgresql,
    "sqlite": sqlite,
    "mysql": mysql,
    "mariadb": mysql,
}


def dialect_sql(dialect: Dialect) -> DialectSql:
    """The module writing ``dialect``'s SQL; UnsupportedDatabaseError for a
    dialect without one."""
    if dialect.name not in DIALECTS:
        raise UnsupportedDatabaseError(dialect.name)
    return DIALECTS[dialect.name]


def on_driver_cursor(
    dbapi_connection: DBAPIConnection, run: Callable[[DBAPICursor], _T]
) -> _T:
    """``run(cursor)`` on a cursor of the driver's own: no SQLAlchemy
    statement, so no event, no compiled-cache entry and no parameter
    parsing (a ``%`` in the SQL is no placeholder)."""
    cursor = dbapi_connection.cursor()
    try:
        return run(cursor)
    finally:
        cursor.close()


for _element, _compile in COMPILERS.items():
    compiles(_element)(unsupported)
    for _name, _dialect in DIALECTS.items():
        compiles(_element, _name)(partial(_compile, _dialect))
compiles(Verbatim)(compile_verbatim)

wrap_compiler(
    Update, DIALECTS, lambda name: partial(dml.compile_update, DIALECTS.get(name))
)
wrap_compiler(
    Insert, DIALECTS, lambda name: partial(dml.compile_insert, DIALECTS.get(name))
)

__all__ = [
    "DIALECTS",
    "NOOP_KEY",
    "ChangesOnInsert",
    "ChangesOnUpdate",
    "StampOf",
    "StampOnUpdate",
    "TouchedAt",
    "UtcNow",
    "dialect_sql",
    "on_driver_cursor",
]
