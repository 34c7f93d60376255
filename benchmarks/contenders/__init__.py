"""The contenders, one module each behind :class:`Contender`.

To add one, drop a module here defining ``contender(dialect) -> Contender``;
its name in the results is the module name with ``_`` written as ``-``. One
whose ``contender()`` also takes ``fields`` (the number of tracked columns,
see ``user_columns``) can run in the scaling sweep.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Any

from ._base import (
    MAX_FIELDS,
    TRACKED_FIELDS,
    Contender,
    PostTimestampMixin,
    UserColumns,
    user_columns,
)

__all__ = [
    "MAX_FIELDS",
    "TRACKED_FIELDS",
    "Contender",
    "PostTimestampMixin",
    "UserColumns",
    "available",
    "load",
    "sweeps",
    "user_columns",
]

# The floors first (plain, then the two layouts' own, issue 11), then the
# issue's order; contenders added later follow.
_ORDER = (
    "plain",
    "plain-wide",
    "plain-json",
    "seed",
    "fieldstamps-json",
    "fieldstamps-columns",
    "continuum",
)


def available() -> list[str]:
    """Every contender's name, found without importing the modules (a
    contender whose dependency is missing still gets a row, reading n/a)."""
    names = [
        module.name.replace("_", "-")
        for module in pkgutil.iter_modules(__path__)
        if not module.name.startswith("_")
    ]
    return sorted(
        names, key=lambda n: (_ORDER.index(n) if n in _ORDER else len(_ORDER), n)
    )


def _module(name: str) -> Any:
    return importlib.import_module(f"{__name__}.{name.replace('-', '_')}")


def sweeps(name: str) -> bool:
    """Whether the contender builds its table for any number of tracked
    fields: its module's ``contender()`` takes ``fields``."""
    factory = _module(name).contender
    return "fields" in inspect.signature(factory).parameters


def load(name: str, dialect: str, fields: int = len(TRACKED_FIELDS)) -> Contender:
    factory = _module(name).contender
    if fields == len(TRACKED_FIELDS):
        contender = factory(dialect)
    elif sweeps(name):
        contender = factory(dialect, fields=fields)
    else:
        raise ValueError(
            f"{name} has a fixed table of {len(TRACKED_FIELDS)} tracked fields"
        )
    assert isinstance(contender, Contender)
    return contender
