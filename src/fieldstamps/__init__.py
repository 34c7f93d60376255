"""Per-field change stamps for SQLAlchemy, computed by the database server."""

from . import _session  # noqa: F401  (registers the session listeners)
from ._errors import (
    ConfigurationError,
    FieldstampsError,
    NaiveDatetimeError,
    UnknownFieldError,
    UnsupportedDatabaseError,
)
from ._model import (
    ChangeTrackingMixin,
    TimestampMixin,
    changed_at,
    updated_at_column,
)
from ._upsert import upsert_set

__all__ = [
    "ChangeTrackingMixin",
    "ConfigurationError",
    "FieldstampsError",
    "NaiveDatetimeError",
    "TimestampMixin",
    "UnknownFieldError",
    "UnsupportedDatabaseError",
    "changed_at",
    "updated_at_column",
    "upsert_set",
]
