"""Backends for the suite: SQLite always, plus every server URL configured.

``FIELDSTAMPS_TEST_URLS`` lists server URLs, comma-separated, e.g.
``postgresql+psycopg://postgres@127.0.0.1/test,mysql+pymysql://root@127.0.0.1/test``.
A configured server that cannot be reached fails the run; it is never skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import Session

from tests.models import Base

_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+psycopg",
    "mysql": "mysql+aiomysql",
    "mariadb": "mariadb+aiomysql",
}


def _server_urls() -> list[str]:
    raw = os.environ.get("FIELDSTAMPS_TEST_URLS", "")
    return [url.strip() for url in raw.split(",") if url.strip()]


def _backend_name(url: str) -> str:
    name = make_url(url).get_backend_name()
    return "mariadb" if name == "mysql" else name


BACKENDS = ["sqlite", *(_backend_name(url) for url in _server_urls())]
_URLS = dict(zip(BACKENDS[1:], _server_urls(), strict=True))


def pytest_report_header() -> str:
    return f"fieldstamps backends: {', '.join(BACKENDS)}"


@contextmanager
def _scratch_database(url: str) -> Iterator[str]:
    """A database of this run's own on the server at ``url``, dropped after.

    Runs that share a server (parallel sessions, a developer's and CI's) then
    never see each other's tables.
    """
    name = f"fieldstamps_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
    except Exception as exc:
        pytest.fail(f"configured database {url} is unreachable: {exc}", pytrace=False)
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            if admin.dialect.name == "postgresql":
                conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
            else:
                conn.execute(text(f"DROP DATABASE {name}"))
        admin.dispose()


@pytest.fixture(scope="session")
def backend_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    # A file, not :memory:, so that several connections share one database.
    sqlite_file = Path(tmp_path_factory.mktemp("sqlite")) / "fieldstamps.db"
    with ExitStack() as stack:
        urls = {
            name: stack.enter_context(_scratch_database(url))
            for name, url in _URLS.items()
        }
        yield {"sqlite": f"sqlite:///{sqlite_file}", **urls}


def make_engine(url: str, **kw: object) -> Engine:
    engine = create_engine(url, **kw)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # pragma: no cover - the point is to fail loudly
        pytest.fail(f"configured database {url} is unreachable: {exc}", pytrace=False)
    return engine


def async_url(url: str) -> str:
    parsed = make_url(url)
    return parsed.set(
        drivername=_ASYNC_DRIVERS[parsed.get_backend_name()]
    ).render_as_string(hide_password=False)


@pytest.fixture(scope="session", params=BACKENDS)
def engine(
    request: pytest.FixtureRequest, backend_urls: dict[str, str]
) -> Iterator[Engine]:
    engine = make_engine(backend_urls[request.param])
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    yield engine
    Base.metadata.drop_all(engine)
    engine.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Engine]:
    """The backend's engine, with every model table emptied after the test."""
    yield engine
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def session(db: Engine) -> Iterator[Session]:
    with Session(db) as session:
        yield session


@pytest.fixture
def async_engine(db: Engine) -> AsyncEngine:
    return create_async_engine(async_url(db.url.render_as_string(hide_password=False)))
