"""The suite's backend matrix: SQLite always, plus one backend per server URL.

``FIELDSTAMPS_TEST_URLS`` lists server URLs, comma-separated. Every URL is a
backend of its own, so two servers of one kind both run the suite. A
backend's pytest id is its URL's backend name as written (``postgresql``,
``mysql``, ``mariadb``); URLs that share a name get ``@host[:port]`` and, if
that is still not enough, more of the URL, so ids depend only on what is
configured.

What kind of server a backend is, and so what it can do
(``tests/requirements.py``), is learnt from the server on first connect,
never from the URL: a ``mysql://`` URL may well reach a MariaDB.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import pytest
from sqlalchemy import URL, create_engine, make_url
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import NullPool

SQLITE_ID = "sqlite"


@dataclass(frozen=True)
class Backend:
    """One entry of the matrix: the suite's own SQLite, or a configured server."""

    id: str
    #: The configured server URL; None for the suite's own SQLite file.
    url: str | None

    @property
    def is_server(self) -> bool:
        return self.url is not None

    @cached_property
    def dialect(self) -> Dialect:
        """The dialect after one connect, so that it describes the server
        (``is_mariadb``, ``server_version_info``) and not just the URL."""
        url = self.url or "sqlite://"
        engine = create_engine(url, poolclass=NullPool)
        try:
            with engine.connect():
                pass
        except Exception as exc:
            failure = f"configured database {make_url(url)!r} is unreachable: {exc}"
        else:
            return engine.dialect
        finally:
            engine.dispose()
        # A failed run, never a skip: the whole matrix is what was asked for.
        pytest.exit(failure, returncode=pytest.ExitCode.TESTS_FAILED)

    @property
    def server(self) -> str:
        """What the server says it is, e.g. ``MariaDB 10.11.19``."""
        dialect = self.dialect
        if dialect.name == "sqlite":
            kind = "SQLite"
        elif dialect.name == "postgresql":
            kind = "PostgreSQL"
        else:
            kind = "MariaDB" if getattr(dialect, "is_mariadb", False) else "MySQL"
        version = ".".join(str(part) for part in dialect.server_version_info or ())
        return f"{kind} {version}".strip()


def _where(url: URL) -> str:
    return f"@{url.host or ''}" + (f":{url.port}" if url.port is not None else "")


def _host_port(url: URL) -> str:
    return url.get_backend_name() + _where(url)


def _with_database(url: URL) -> str:
    return f"{url.get_backend_name()}{_where(url)}/{url.database or ''}"


def _with_driver(url: URL) -> str:
    return f"{url.drivername}{_where(url)}/{url.database or ''}"


# Each a longer label than the one before; a group of URLs sharing a backend
# name takes the first that tells all of them apart.
_LABELS: tuple[Callable[[URL], str], ...] = (_host_port, _with_database, _with_driver)


def _ids(urls: list[URL]) -> list[str]:
    names = [url.get_backend_name() for url in urls]
    ids = list(names)
    for name in dict.fromkeys(names):
        group = [n for n, other in enumerate(names) if other == name]
        if len(group) == 1:
            continue
        for label in _LABELS:
            labels = [label(urls[n]) for n in group]
            if len(set(labels)) == len(group):
                break
        else:  # same server and database, other user or options: number them
            labels = [f"{label}-{k}" for k, label in enumerate(labels, 1)]
        for n, text in zip(group, labels, strict=True):
            ids[n] = text
    return ids


def backends_from(raw: str) -> list[Backend]:
    """The matrix for a ``FIELDSTAMPS_TEST_URLS`` value: SQLite first, then
    one backend per URL, in the order given."""
    texts = [text.strip() for text in raw.split(",") if text.strip()]
    urls = []
    for text in texts:
        try:
            url = make_url(text)
        except ArgumentError as exc:
            raise ValueError(
                f"FIELDSTAMPS_TEST_URLS: {text!r} is not a database URL"
            ) from exc
        if url.get_backend_name() == SQLITE_ID:
            raise ValueError(
                f"FIELDSTAMPS_TEST_URLS: {text!r}: SQLite is always tested, "
                "list servers only"
            )
        urls.append(url)
    if len(set(urls)) != len(urls):
        twice = sorted({repr(url) for url in urls if urls.count(url) > 1})
        raise ValueError(f"FIELDSTAMPS_TEST_URLS lists {', '.join(twice)} twice")
    return [
        Backend(SQLITE_ID, None),
        *(
            Backend(backend_id, text)
            for backend_id, text in zip(_ids(urls), texts, strict=True)
        ),
    ]
