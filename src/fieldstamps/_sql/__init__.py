"""fieldstamps' SQL: elements and shared rules in ``base.py``, one module per
dialect, UPDATE/upsert compilation in ``dml.py``; registered here."""

from __future__ import annotations

from functools import partial

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.dml import Insert, Update

from .._compat import wrap_compiler
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

#: Dialect names (as SQLAlchemy spells them) and the module writing their SQL.
DIALECTS: dict[str, DialectSql] = {
    "postgresql": postgresql,
    "sqlite": sqlite,
    "mysql": mysql,
    "mariadb": mysql,
}

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
]
