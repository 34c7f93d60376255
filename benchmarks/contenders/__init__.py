"""The contenders, one module each behind :class:`Contender`.

To add one, drop a module here defining ``contender(dialect) -> Contender``;
its name in the results is the module name with ``_`` written as ``-``.
"""

from __future__ import annotations

import importlib
import pkgutil

from ._base import TRACKED_FIELDS, Contender, PostTimestampMixin, UserColumns

__all__ = [
    "TRACKED_FIELDS",
    "Contender",
    "PostTimestampMixin",
    "UserColumns",
    "available",
    "load",
]

# The floor first, then the order; contenders added later follow.
_ORDER = ("plain", "seed", "fieldstamps-json", "fieldstamps-columns", "continuum")


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


def load(name: str, dialect: str) -> Contender:
    module = importlib.import_module(f"{__name__}.{name.replace('-', '_')}")
    contender = module.contender(dialect)
    assert isinstance(contender, Contender)
    return contender
