"""Backends for the suite: SQLite always, plus every server URL configured.

``FIELDSTAMPS_TEST_URLS`` lists server URLs, comma-separated, e.g.
``postgresql+psycopg://postgres@127.0.0.1/test,mysql+pymysql://root@127.0.0.1/test``.
Each URL is a backend of its own (``tests/backends.py``); what it can do is
asked of the server (``tests/requirements.py``). A configured server that
cannot be reached fails the run; it is never skipped.
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, Table, create_engine, make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import Session

from fieldstamps._spec import spec_of
from tests.alembic_project import Project, drop_tables
from tests.backends import Backend, backends_from
from tests.models import USERS, Base
from tests.requirements import requires

_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+psycopg",
    "mysql": "mysql+aiomysql",
    "mariadb": "mariadb+aiomysql",
}

BACKENDS = backends_from(os.environ.get("FIELDSTAMPS_TEST_URLS", ""))


def backend_params(backends: list[Backend]) -> list[object]:
    """``backends`` for ``parametrize``/``params``, each with its own id."""
    return [pytest.param(backend, id=backend.id) for backend in backends]


def pytest_sessionstart(session: pytest.Session) -> None:
    # Ask every server what it is before collection, which needs to know for
    # some parametrizations: one clear failure here if one cannot be reached.
    for backend in BACKENDS:
        backend.dialect  # noqa: B018 - connects once and keeps the answer


def pytest_report_header() -> list[str]:
    return ["fieldstamps backends:"] + [
        f"  {backend.id}: {backend.server}"
        + (f" at {make_url(backend.url)!r}" if backend.url else "")
        for backend in BACKENDS
    ]


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
            # A session a test left open would make a plain DROP fail.
            force = " WITH (FORCE)" if requires.drop_database_force(conn) else ""
            conn.execute(text(f"DROP DATABASE {name}{force}"))
        admin.dispose()


@pytest.fixture(scope="session")
def backend_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    # A file, not :memory:, so that several connections share one database.
    sqlite_file = Path(tmp_path_factory.mktemp("sqlite")) / "fieldstamps.db"
    with ExitStack() as stack:
        # Keyed by backend id: two servers of one kind get a database each.
        yield {
            backend.id: (
                stack.enter_context(_scratch_database(backend.url))
                if backend.url is not None
                else f"sqlite:///{sqlite_file}"
            )
            for backend in BACKENDS
        }


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


@pytest.fixture(scope="session", params=backend_params(BACKENDS))
def backend(request: pytest.FixtureRequest) -> Backend:
    """The backend under test; ``engine``, ``db`` and ``session`` are its."""
    assert isinstance(request.param, Backend)
    return request.param


@pytest.fixture(scope="session")
def engine(backend: Backend, backend_urls: dict[str, str]) -> Iterator[Engine]:
    engine = make_engine(backend_urls[backend.id])
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
        tables = Base.metadata.sorted_tables
        # History tables last: deleting a model's rows records history.
        histories = _history_tables(tuple(tables))
        for table in reversed(tables):
            if table not in histories:
                conn.execute(table.delete())
        for table in histories:
            conn.execute(table.delete())


@functools.cache
def _history_tables(tables: tuple[Table, ...]) -> list[Table]:
    """The history tables of fieldstamps' models among ``tables``."""
    return [
        spec.history
        for table in tables
        if (spec := spec_of(table)) is not None and spec.history is not None
    ]


@pytest.fixture(params=list(USERS))
def mode(request: pytest.FixtureRequest) -> str:
    """How stamps are computed: ``"sql"``, compiled into SQLAlchemy's writes
    (the default), or ``"triggers"``, by database triggers
    (``{"triggers": True}``). A suite that asks for it runs in both; suites
    with models of their own map it to their class of that mode."""
    assert isinstance(request.param, str)
    return request.param


@pytest.fixture
def model(mode: str) -> type[Any]:
    """The seed post's User of ``mode``: User or TriggeredUser."""
    return USERS[mode]


def mode_fixture(name: str, models: Mapping[str, Any]) -> Any:
    """A fixture called ``name`` that gives ``models[mode]``: a suite's own
    model of the mode under test (``{"sql": Task, "triggers": ...}``)."""

    def of_mode(mode: str) -> Any:
        return models[mode]

    return pytest.fixture(name=name)(of_mode)


@pytest.fixture
def session(db: Engine) -> Iterator[Session]:
    with Session(db) as session:
        yield session


@pytest.fixture
def async_engine(db: Engine) -> AsyncEngine:
    return create_async_engine(async_url(db.url.render_as_string(hide_password=False)))


@pytest.fixture
def prefix() -> str:
    """A name prefix of the test's own, for tables in a shared database."""
    return "ab" + uuid.uuid4().hex[:6]


@pytest.fixture
def project(tmp_path: Path, db: Engine, prefix: str) -> Iterator[Project]:
    """A scratch Alembic project against the backend's database."""
    url = db.url.render_as_string(hide_password=False)
    yield Project.create(tmp_path / "app", url, prefix=prefix)
    drop_tables(db, prefix)


@pytest.fixture
def own_db(backend: Backend, tmp_path: Path) -> Iterator[Engine]:
    """A database of this test's own: check() and install() look at every
    table in it, and the shared one holds other tests' trigger tables."""
    with ExitStack() as stack:
        url = (
            stack.enter_context(_scratch_database(backend.url))
            if backend.url is not None
            else f"sqlite:///{tmp_path / 'check.db'}"
        )
        engine = make_engine(url)
        stack.callback(engine.dispose)
        yield engine
