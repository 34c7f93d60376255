"""The backend matrix built from ``FIELDSTAMPS_TEST_URLS`` (no server needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.backends import Backend, backends_from
from tests.requirements import Capability, Requirements

PG = "postgresql+psycopg://postgres@127.0.0.1/test"
PG_LAB = "postgresql+psycopg://postgres@127.0.0.1:5434/lab"
MYSQL = "mysql+pymysql://root@127.0.0.1/test"


def _ids(raw: str) -> list[str]:
    return [backend.id for backend in backends_from(raw)]


def test_sqlite_alone_without_servers() -> None:
    assert backends_from("") == [Backend("sqlite", None)]
    assert backends_from(" , ") == [Backend("sqlite", None)]


def test_one_backend_per_url_in_order() -> None:
    assert backends_from(f" {PG} ,{MYSQL}") == [
        Backend("sqlite", None),
        Backend("postgresql", PG),
        Backend("mysql", MYSQL),
    ]


def test_two_postgresql_servers_are_two_backends() -> None:
    backends = backends_from(f"{PG},{PG_LAB},{MYSQL}")
    assert [(b.id, b.url) for b in backends] == [
        ("sqlite", None),
        ("postgresql@127.0.0.1", PG),
        ("postgresql@127.0.0.1:5434", PG_LAB),
        ("mysql", MYSQL),
    ]
    assert [b.is_server for b in backends] == [False, True, True, True]


def test_a_mysql_url_is_not_renamed() -> None:
    # Whether it reaches MariaDB or MySQL is the server's to say, on connect.
    assert _ids(MYSQL) == ["sqlite", "mysql"]
    assert _ids("mariadb+pymysql://root@127.0.0.1/test") == ["sqlite", "mariadb"]
    # And a mysql and a mariadb URL are two kinds of name, not a clash.
    both = f"{MYSQL},mariadb+pymysql://root@127.0.0.1:3307/test"
    assert _ids(both) == ["sqlite", "mysql", "mariadb"]


def test_ids_grow_only_as_far_as_needed_to_be_unique() -> None:
    same_server = f"{PG},postgresql+psycopg://postgres@127.0.0.1/other"
    assert _ids(same_server) == [
        "sqlite",
        "postgresql@127.0.0.1/test",
        "postgresql@127.0.0.1/other",
    ]
    two_drivers = f"{PG},postgresql+psycopg2://postgres@127.0.0.1/test"
    assert _ids(two_drivers) == [
        "sqlite",
        "postgresql+psycopg@127.0.0.1/test",
        "postgresql+psycopg2@127.0.0.1/test",
    ]
    two_users = f"{PG},postgresql+psycopg://other@127.0.0.1/test"
    assert _ids(two_users) == [
        "sqlite",
        "postgresql+psycopg@127.0.0.1/test-1",
        "postgresql+psycopg@127.0.0.1/test-2",
    ]


def test_ids_do_not_depend_on_order() -> None:
    forward = dict(zip(_ids(f"{PG},{PG_LAB}"), [None, PG, PG_LAB], strict=True))
    backward = dict(zip(_ids(f"{PG_LAB},{PG}"), [None, PG_LAB, PG], strict=True))
    assert forward == backward


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("sqlite:///x.db", "SQLite is always tested"),
        ("not a url", "is not a database URL"),
        (f"{PG},{PG}", "twice"),
    ],
    ids=["sqlite", "not-a-url", "twice"],
)
def test_unusable_lists_are_refused(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        backends_from(raw)


def test_every_capability_has_a_reason_and_a_use() -> None:
    capabilities = {
        name: value
        for name, value in vars(Requirements).items()
        if isinstance(value, Capability)
    }
    here = Path(__file__).parent
    uses = "\n".join(
        path.read_text(encoding="utf-8")
        for path in here.glob("*.py")
        if path.name not in ("requirements.py", Path(__file__).name)
    )
    for name, capability in capabilities.items():
        assert capability.name == name
        assert capability.reason and "\n" not in capability.reason, name
        assert f"requires.{name}(" in uses, f"requires.{name} is not used"
