"""Named capabilities of a backend, in the manner of SQLAlchemy's requirements.py.

Tests branch on what a backend can do or how it behaves, never on its name::

    if requires.stores_infinity(db): ...

Every capability is read from the dialect after a connect, so it describes
the server reached: a ``mysql+pymysql://`` URL that reaches MariaDB is MariaDB
(``dialect.is_mariadb``), a URL's scheme is never taken at its word. A
capability accepts an Engine, a Connection, a Dialect or a
:class:`tests.backends.Backend` (asked once, at session start, so that
parametrizations can depend on the server too).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import Dialect


class _HasDialect(Protocol):
    @property
    def dialect(self) -> Dialect: ...


Bind = _HasDialect | Dialect


def dialect_of(bind: Bind) -> Dialect:
    """``bind``'s dialect, initialised by a connect if it was not yet."""
    if isinstance(bind, Dialect):
        return bind
    if isinstance(bind, Engine) and bind.dialect.server_version_info is None:
        # Until the first connect a mysql:// engine does not know whether
        # it talks to MariaDB, nor any dialect which version.
        with bind.connect():
            pass
    return bind.dialect


class Capability:
    """A yes/no fact about a backend, with the reason tests care about it."""

    name = "?"

    def __init__(self, reason: str, predicate: Callable[[Dialect], bool]) -> None:
        self.reason = reason
        self._predicate = predicate

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __call__(self, bind: Bind) -> bool:
        return self._predicate(dialect_of(bind))

    def __repr__(self) -> str:
        return f"requires.{self.name}: {self.reason}"


def _sqlite(dialect: Dialect) -> bool:
    return dialect.name == "sqlite"


def _postgresql(dialect: Dialect) -> bool:
    return dialect.name == "postgresql"


def _mysql_family(dialect: Dialect) -> bool:
    # MariaDB and MySQL alike: both dialect names serve both servers.
    return dialect.name in ("mysql", "mariadb")


class Requirements:
    # -- SQL and data ----------------------------------------------------------

    stores_infinity = Capability(
        "float columns accept +/-Infinity (MariaDB and MySQL refuse the write)",
        lambda d: not _mysql_family(d),
    )
    json_needs_cast = Capability(
        "changes is jsonb there: raw SQL must CAST a text parameter to it",
        _postgresql,
    )
    on_duplicate_key_update = Capability(
        "upserts are INSERT .. ON DUPLICATE KEY UPDATE, not ON CONFLICT DO UPDATE",
        _mysql_family,
    )
    left_to_right_set = Capability(
        "SET items are assigned in order, later ones seeing earlier new values "
        "(unless MariaDB's SIMULTANEOUS_ASSIGNMENT is on)",
        _mysql_family,
    )
    simultaneous_assignment = Capability(
        "sql_mode SIMULTANEOUS_ASSIGNMENT makes SET items see the row as it was "
        "(MariaDB 10.3.5+; MySQL has no such mode)",
        lambda d: (
            _mysql_family(d)
            and bool(getattr(d, "is_mariadb", False))
            and (d.server_version_info or (0,)) >= (10, 3, 5)
        ),
    )
    stores_zero_dates = Capability(
        "a datetime column accepts '0000-00-00 00:00:00' (MariaDB/MySQL without "
        "NO_ZERO_DATE; SQLite stores any text), which no driver reads as a date",
        lambda d: not _postgresql(d),
    )
    alter_column_default = Capability(
        "ALTER TABLE .. ALTER COLUMN .. SET DEFAULT gives an existing column a "
        "default the model does not know (SQLite cannot alter a column)",
        lambda d: not _sqlite(d),
    )
    expression_index = Capability(
        "an index can be built on an expression such as updated_at_of(field) "
        "(MariaDB/MySQL cannot index a JSON expression)",
        lambda d: not _mysql_family(d),
    )

    # -- time zones ------------------------------------------------------------

    session_time_zone = Capability(
        "connections have a session time zone that could shift stamps "
        "(SQLite has none)",
        lambda d: _postgresql(d) or _mysql_family(d),
    )
    time_zone_variable = Capability(
        "the session zone is the time_zone variable, given as a UTC offset: "
        "zone names need time zone tables a stock MariaDB lacks",
        _mysql_family,
    )

    # -- sessions, locks, isolation --------------------------------------------

    terminate_backend = Capability(
        "a session is a server process: pg_backend_pid() names it, "
        "pg_terminate_backend(pid, timeout) ends it and waits until it is gone "
        "(elsewhere CONNECTION_ID() and KILL CONNECTION)",
        _postgresql,
    )
    single_writer = Capability(
        "one writer at a time for the whole database: writers must queue "
        "(busy timeout, BEGIN IMMEDIATE) or fail with 'database is locked'",
        _sqlite,
    )
    foreign_keys_need_pragma = Capability(
        "foreign keys are enforced only on connections that run "
        "PRAGMA foreign_keys = ON",
        _sqlite,
    )
    triggers_fire_on_cascades = Capability(
        "row triggers fire for changes a foreign-key cascade makes (MariaDB "
        "and MySQL run none for them)",
        lambda d: not _mysql_family(d),
    )
    triggers_assign_new = Capability(
        "trigger-mode stamps are assigned to NEW by BEFORE triggers, so a "
        "stamp a writer gives is replaced whatever else it writes; SQLite's "
        "AFTER triggers rewrite the row only when the write names one of the "
        "table's own columns, so a write of stamp columns alone stands there",
        lambda d: not _sqlite(d),
    )
    returning_precedes_after_triggers = Capability(
        "RETURNING gives the row as the statement wrote it, before an AFTER "
        "trigger rewrites it (SQLite's trigger-mode stamps)",
        _sqlite,
    )
    trigger_functions = Capability(
        "a trigger runs a function of its own, which outlives the table "
        "unless dropped too",
        _postgresql,
    )
    changes_function = Capability(
        "SQL mode's INSERTs compute a new row's changes with a function "
        "created with the table (planning, or on MariaDB evaluating, the "
        "document spelt out in every row costs more there than the call)",
        lambda d: _postgresql(d) or _mysql_family(d),
    )
    hidden_definitions = Capability(
        "the catalog hides a function's definition from a user who did not "
        "create it and holds no privilege over it (PostgreSQL shows every "
        "function's source)",
        _mysql_family,
    )
    disable_trigger = Capability(
        "ALTER TABLE .. DISABLE TRIGGER turns a trigger off and the catalog "
        "says so (MariaDB, MySQL and SQLite have no way to disable one)",
        _postgresql,
    )
    savepoint_needs_explicit_begin = Capability(
        "pysqlite sends no BEGIN before SAVEPOINT: a savepoint opened first is "
        "a transaction of its own, and releasing it commits",
        _sqlite,
    )
    snapshot_isolation = Capability(
        "REPEATABLE READ fails a write to a row changed since the snapshot "
        "(serialization failure) where READ COMMITTED waits and writes: two "
        "profiles worth running",
        _postgresql,
    )
    deadlock_timeout = Capability(
        "deadlocks are looked for only after deadlock_timeout (1 s), which a "
        "session can shorten",
        _postgresql,
    )
    drop_database_force = Capability(
        "DROP DATABASE .. WITH (FORCE) ends sessions still connected to it",
        lambda d: _postgresql(d) and (d.server_version_info or (0,)) >= (13,),
    )

    # -- planner ---------------------------------------------------------------

    explain_query_plan = Capability(
        "plans are shown by EXPLAIN QUERY PLAN, one line of prose per step",
        _sqlite,
    )
    tabular_explain = Capability(
        "EXPLAIN gives a row per table with its access type and the key used",
        _mysql_family,
    )
    enable_seqscan = Capability(
        "the planner can be told to avoid sequential scans, which shows whether "
        "an index can answer a query even on a table of a few rows",
        _postgresql,
    )
    analyze_table = Capability(
        "statistics are refreshed with ANALYZE TABLE a, b (elsewhere ANALYZE)",
        _mysql_family,
    )
    vacuum = Capability(
        "UPDATEs leave dead row versions until VACUUM, and an index built over "
        "broken HOT chains is invisible to the transaction that builds it",
        _postgresql,
    )
    total_relation_size = Capability(
        "pg_total_relation_size() gives a table's bytes with indexes and TOAST "
        "(the benchmark reports table sizes only there)",
        _postgresql,
    )


requires = Requirements()


def dialect_insert(bind: Bind) -> Callable[..., Any]:
    """The connected dialect's own ``insert()``, the one with its upsert clause
    (``on_conflict_do_update`` or ``on_duplicate_key_update``)."""
    dialect = dialect_of(bind)
    if _mysql_family(dialect):
        return mysql.insert
    if _postgresql(dialect):
        return postgresql.insert
    if _sqlite(dialect):
        return sqlite.insert
    raise LookupError(f"no upsert for dialect {dialect.name!r}")
