"""Scratch databases, one per worker process, and facts about the servers."""

from __future__ import annotations

import os
import secrets
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

BACKENDS = ("sqlite", "postgresql", "mariadb")

#: The project's local servers (see DESIGN.md); ``--url`` overrides.
DEFAULT_URLS = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1/test",
    "mariadb": "mysql+pymysql://root@127.0.0.1/test",
}


def backend_of(url: str) -> str:
    name = make_url(url).get_backend_name()
    return "mariadb" if name == "mysql" else name


@contextmanager
def scratch_database(backend: str, server_url: str | None) -> Iterator[str]:
    """A database of this process's own, dropped afterwards; yields its URL.

    Benchmarks share the servers with test runs: a private database keeps
    both apart and gives every contender a fresh, empty schema.
    """
    if backend == "sqlite":
        # On tmpfs where there is one: a disk's flush latency at each commit
        # varies several-fold between runs on shared machines and would drown
        # the CPU cost being compared (it is the same for every contender).
        shm = Path("/dev/shm")
        where = str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None
        with tempfile.TemporaryDirectory(
            prefix="fieldstamps_bench_", dir=where
        ) as folder:
            yield f"sqlite:///{Path(folder) / 'bench.db'}"
        return
    assert server_url is not None
    name = f"fieldstamps_bench_{os.getpid()}_{secrets.token_hex(4)}"
    # CREATE/DROP DATABASE cannot run inside a transaction on PostgreSQL.
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield (
            make_url(server_url)
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        force = " WITH (FORCE)" if backend == "postgresql" else ""
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE {name}{force}"))
        admin.dispose()


def server_version(engine: Engine) -> str:
    if engine.dialect.name == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            version = conn.execute(text("SHOW server_version")).scalar()
            return f"PostgreSQL {version}"
        return "MariaDB " + str(conn.execute(text("SELECT VERSION()")).scalar())


def analyze(engine: Engine, tables: list[str]) -> None:
    """Refresh the planner's statistics, so W6's plan is the planner's own
    choice on the data as it is."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("ANALYZE"))
        elif engine.dialect.name == "postgresql":
            for table in tables:
                conn.execute(text(f'ANALYZE "{table}"'))
        else:
            quoted = ", ".join(f"`{table}`" for table in tables)
            conn.execute(text(f"ANALYZE TABLE {quoted}")).all()


def table_bytes(engine: Engine, tables: list[str]) -> dict[str, int] | None:
    """Each table's total size (heap, indexes, TOAST) on PostgreSQL."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as conn:
        return {
            table: int(
                conn.execute(
                    text("SELECT pg_total_relation_size(quote_ident(:t))"),
                    {"t": table},
                ).scalar_one()
            )
            for table in tables
        }


def storage_bytes(engine: Engine, tables: list[str]) -> dict[str, int] | None:
    """Each table's size with its indexes, on every database: PostgreSQL's
    pg_total_relation_size (heap, indexes, TOAST, dead rows included);
    MariaDB's data_length + index_length after ANALYZE TABLE (InnoDB's
    allocated pages); SQLite's pages of the table and its indexes (dbstat),
    or None where SQLite is built without dbstat."""
    name = engine.dialect.name
    with engine.begin() as conn:
        if name == "postgresql":
            query = text("SELECT pg_total_relation_size(quote_ident(:t))")
        elif name == "sqlite":
            try:
                conn.execute(text("SELECT 1 FROM dbstat LIMIT 1")).all()
            except OperationalError:
                return None
            query = text(
                "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name IN "
                "(SELECT name FROM sqlite_master WHERE tbl_name = :t)"
            )
        else:
            quoted = ", ".join(f"`{table}`" for table in tables)
            conn.execute(text(f"ANALYZE TABLE {quoted}")).all()
            query = text(
                "SELECT data_length + index_length FROM information_schema.tables "
                "WHERE table_schema = DATABASE() AND table_name = :t"
            )
        return {
            table: int(conn.execute(query, {"t": table}).scalar_one())
            for table in tables
        }


def vacuum_full(engine: Engine, tables: list[str]) -> None:
    """Rewrite the tables without their dead rows (PostgreSQL only)."""
    assert engine.dialect.name == "postgresql"
    quote = engine.dialect.identifier_preparer.quote
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in tables:
            conn.execute(text(f"VACUUM FULL {quote(table)}"))
