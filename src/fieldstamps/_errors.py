"""Exceptions raised by fieldstamps.

Every exception derives from one base, so ``except FieldstampsError`` catches
them all::

    FieldstampsError
    ├── ConfigurationError        a bad ``__fieldstamps__`` or ``changed_at()``,
    │                             raised when the class is created
    ├── UnknownFieldError         ``get_updated_at()`` / ``updated_at_of()`` on a
    │   (also a ``KeyError``)     field that is not tracked
    ├── NaiveDatetimeError        a naive ``datetime`` compared with a stamp,
    │   (also a ``TypeError``)    or given to ``backfill(at=...)``
    ├── StampWriteError           a write that gives a stamp column a value,
    │                             outside ``manual_stamps()``
    ├── UnreadableStampError      a stamp column holds what is no instant (a
    │                             MariaDB zero date, text that is no date)
    ├── BackfillError             ``backfill()`` refused its arguments: a class
    │                             without field stamps, an ``at`` that is no
    │                             timestamp column, a connection mid-transaction
    ├── CatalogError              ``check()`` cannot read the database's
    │                             catalog of triggers
    ├── PauseError                ``paused()`` given something that is no
    │   (also a ``TypeError``)    session or connection, or entered wrongly
    ├── MigrationError            a migration's frozen trigger SQL has no
    │                             text for the database it runs on
    ├── MissingFunctionError      an INSERT needs the table's function that
    │                             ``create_all()`` makes (PostgreSQL and
    │                             MariaDB/MySQL, JSON layout) and the
    │                             database lacks it
    ├── HistoryError              history asked of a class without it, a
    │                             time before the row existed, a context
    │                             value that cannot be stored
    └── UnsupportedDatabaseError  a dialect other than SQLite, PostgreSQL,
                                  MariaDB or MySQL
"""

from __future__ import annotations

from collections.abc import Iterable


class FieldstampsError(Exception):
    """Base class of every error raised by fieldstamps."""


class ConfigurationError(FieldstampsError):
    """A model's tracking configuration is invalid."""


class UnknownFieldError(FieldstampsError, KeyError):
    """A field was asked for that the model does not track."""

    def __init__(self, owner: str, field: str, tracked: Iterable[str]) -> None:
        self.owner = owner
        self.field = field
        self.tracked = tuple(tracked)
        super().__init__(
            f"{owner} does not track field {field!r}; "
            f"tracked fields: {', '.join(self.tracked) or '(none)'}"
        )

    def __str__(self) -> str:
        # KeyError.__str__ would repr() the message and add quotes.
        return str(self.args[0])


class NaiveDatetimeError(FieldstampsError, TypeError):
    """A naive datetime was compared with a stamp, whose zone would be a guess."""


class StampWriteError(FieldstampsError):
    """A write gave a stamp column a value; the database sets stamps."""


class UnreadableStampError(FieldstampsError):
    """A stamp column holds a value that is not an instant."""

    def __init__(self, column: str | None, value: object) -> None:
        self.column = column
        self.value = value
        where = column or "a fieldstamps stamp column"
        super().__init__(
            f"{where} holds {value!r}, which is not an instant. A zero date "
            "is what MariaDB puts in a NOT NULL datetime column added without "
            "a default to a table with rows; give such rows a real time (for "
            "example UPDATE ... SET created_at = <a time>), or add the "
            "columns with the migration fieldstamps.alembic generates"
        )


class UnsupportedDatabaseError(FieldstampsError):
    """The database dialect has no fieldstamps SQL."""

    SUPPORTED = ("sqlite", "postgresql", "mariadb", "mysql")

    def __init__(self, dialect_name: str) -> None:
        self.dialect_name = dialect_name
        super().__init__(
            f"fieldstamps does not support the {dialect_name!r} dialect; "
            f"supported: {', '.join(self.SUPPORTED)}"
        )


class BackfillError(FieldstampsError):
    """``backfill()`` was asked for something it cannot do; nothing was written."""


class CatalogError(FieldstampsError):
    """The database's catalog of triggers could not be read, so what is
    installed is unknown."""

    def __init__(self, database: str, cause: Exception) -> None:
        self.database = database
        super().__init__(
            f"cannot read the trigger catalog of {database}: {cause}. "
            "fieldstamps needs to read it to compare the installed triggers "
            "with the model (PostgreSQL: pg_trigger and pg_proc; MariaDB: "
            "information_schema.TRIGGERS; SQLite: sqlite_master)"
        )


class PauseError(FieldstampsError, TypeError):
    """``paused()`` was given, or entered with, something it cannot pause."""


class MigrationError(FieldstampsError):
    """A migration operation cannot run on the database it is run on."""


class MissingFunctionError(FieldstampsError):
    """The database lacks a table's ``changes`` function: it was created
    without ``create_all()``, or before fieldstamps needed the function."""

    def __init__(self, table: str, function: str) -> None:
        self.table = table
        self.function = function
        super().__init__(
            f"table {table!r} has no function {function!r} on this database: "
            "fieldstamps computes a new row's changes with it on PostgreSQL "
            "and MariaDB/MySQL, and create_all() creates it with the table. "
            "Create it with the command 'fieldstamps install MODULE:ATTR --url "
            "URL' or an Alembic migration (autogenerate writes "
            "op.install_triggers for it)"
        )


class HistoryError(FieldstampsError):
    """History was asked for what it cannot give, or given what it cannot
    store."""
