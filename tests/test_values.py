"""``changes[field]["value"]`` reads back as the value the column holds.

Every write path, on every backend, must leave a "value" that the one
documented rule in ``READ_BACK`` turns into exactly what SQLAlchemy loads
from the column. A type with no JSON form (LargeBinary) must never make a
write fail: its entry keeps the stamp and has no "value".

In both modes (the ``mode`` fixture): the same values whether SQLAlchemy's
statements or the database's triggers compute them.
"""

from __future__ import annotations

import datetime as dt
import math
import time
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import (
    CHAR,
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Double,
    Engine,
    Enum,
    Float,
    Integer,
    Numeric,
    String,
    Text,
    Time,
    Uuid,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy import types as sa_types
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.types import TypeEngine

from fieldstamps import ChangeTrackingMixin
from fieldstamps._types import parse_stamp_text
from tests.models import EVERYTHING, Color, both_modes
from tests.requirements import requires

# -- the documented read-back rule, per column type ---------------------------


def _json(
    *json_types: type, convert: Callable[[Any], Any] = lambda value: value
) -> Callable[[Any], Any]:
    # The JSON type is part of the contract (a Decimal is a string, a bool is
    # true/false, not 1/0), so a value of another JSON type is refused rather
    # than coerced into passing.
    def read(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, bool) and bool not in json_types:
            raise AssertionError(f"{value!r} is a JSON boolean")
        if not isinstance(value, json_types):
            raise AssertionError(f"{value!r} is not a JSON {json_types}")
        return convert(value)

    return read


def _float(value: float | str) -> float:
    # JSON has no infinity: it is written as PostgreSQL writes it.
    if isinstance(value, str) and value not in ("Infinity", "-Infinity"):
        raise AssertionError(f"{value!r} is not a JSON number")
    return float(value)


READ_BACK: dict[type[TypeEngine[Any]], Callable[[Any], Any]] = {
    Text: _json(str),
    String: _json(str),
    CHAR: _json(str),
    Integer: _json(int),
    BigInteger: _json(int),
    Float: _json(int, float, str, convert=_float),
    Double: _json(int, float, str, convert=_float),
    Boolean: _json(bool),
    Numeric: _json(str, convert=Decimal),
    Date: _json(str, convert=dt.date.fromisoformat),
    DateTime: _json(str, convert=dt.datetime.fromisoformat),
    Time: _json(str, convert=dt.time.fromisoformat),
    Uuid: _json(str, convert=uuid.UUID),
    Enum: _json(str, convert=lambda name: Color[name]),
    JSON: lambda value: value,
}


# -- integers beyond 32 and 53 bits, double precision, text of a set length ---


class _WideBase(DeclarativeBase):
    pass


class WideColumns:
    id: Mapped[int] = mapped_column(primary_key=True)
    big: Mapped[int | None] = mapped_column(BigInteger)
    precise: Mapped[float | None] = mapped_column(Double)
    label: Mapped[str | None] = mapped_column(String(8))
    code: Mapped[str | None] = mapped_column(CHAR(4))


WIDE = both_modes(
    "Wide", (ChangeTrackingMixin, WideColumns, _WideBase), "fieldstamps_values_wide"
)


@pytest.fixture(scope="module")
def _wide_table(engine: Engine) -> Iterator[None]:
    _WideBase.metadata.create_all(engine)
    yield
    _WideBase.metadata.drop_all(engine)


@pytest.fixture
def wide_db(db: Engine, _wide_table: None) -> Iterator[Engine]:
    yield db
    with db.begin() as conn:
        for model in WIDE.values():
            conn.execute(delete(model))


# -- the values ---------------------------------------------------------------

CASES: list[tuple[str, Any]] = [
    ("text", ""),
    ("text", "plain"),
    ("text", 'O\'Brien said "hi"'),
    ("text", "back\\slash \\n \\u0041 \\\\"),
    ("text", "line1\nline2\r\n\ttabbed"),
    ("text", "café ☕ 日本語 🎉 \u00a0\u200b"),
    ("text", '{"looks": ["like", "json"]}'),
    ("text", "null"),
    ("text", "true"),
    ("text", "123"),
    ("text", "%s %(x)s %% ?"),
    ("text", None),
    ("label", "eight ch"),
    # Spaces past the length: PostgreSQL and MariaDB store the value cut to
    # it, SQLite whole; the document holds what the column does.
    ("label", "eight ch" + " " * 12),
    ("label", None),
    ("code", "abcd"),
    ("code", "ab"),
    ("code", "ab  "),
    ("code", None),
    ("number", 0),
    ("number", -1),
    ("number", 2**31 - 1),
    ("number", -(2**31)),
    ("number", None),
    ("big", 2**53 + 1),
    ("big", 2**63 - 1),
    ("big", -(2**63)),
    ("big", None),
    ("ratio", 0.1),
    ("ratio", -2.5),
    ("ratio", 3.0),
    ("ratio", 0.0),
    ("ratio", 1e-7),
    ("ratio", 123456.789),
    ("ratio", 0.1 + 0.2),
    ("ratio", 1 / 3),
    ("ratio", None),
    ("precise", 123456.789),
    ("precise", 0.1),
    ("precise", 1.7976931348623157e308),
    ("precise", 0.1 + 0.2),
    ("precise", -1 / 3),
    ("precise", 5e-324),
    ("precise", 1.0594090192419458e272),
    ("precise", float("inf")),
    ("precise", float("-inf")),
    ("precise", None),
    ("flag", True),
    ("flag", False),
    ("flag", None),
    ("price", Decimal("12345678.1234")),
    ("price", Decimal("-0.0001")),
    ("price", Decimal("19.99")),
    ("price", Decimal("19.9900")),
    ("price", Decimal("0")),
    ("price", Decimal("1.23456")),
    ("price", None),
    ("day", dt.date(2024, 2, 29)),
    ("day", dt.date(1970, 1, 1)),
    ("day", dt.date(9999, 12, 31)),
    ("day", None),
    ("moment", dt.datetime(2024, 2, 29, 23, 59, 58, 123456)),
    ("moment", dt.datetime(2024, 2, 29, 23, 59, 58)),
    ("moment", dt.datetime(1999, 12, 31, 0, 0, 0, 1)),
    ("moment", None),
    ("clock", dt.time(23, 59, 59, 999999)),
    ("clock", dt.time(0, 0)),
    ("clock", dt.time(12, 30, 0, 500)),
    ("clock", None),
    ("token", uuid.UUID("12345678-1234-5678-1234-567812345678")),
    ("token", uuid.UUID(int=0)),
    ("token", None),
    ("color", Color.RED),
    ("color", Color.GREEN),
    ("color", None),
    ("doc", {"a": 1, "b": [1, 2, {"c": None, "d": {"e": [True, False]}}]}),
    ("doc", [1, "two", 3.5, True, None, [], {}]),
    (
        "doc",
        {
            'he said "hi"': 'it\'s "quoted"',
            "back\\slash": "C:\\path\\n",
            "uni": "café ☕ 日本",
            "nl": "a\nb",
        },
    ),
    ("doc", {}),
    ("doc", []),
    ("doc", "just a string"),
    ("doc", 42),
    ("doc", None),
]

# What the row holds before an UPDATE; NULL (or True) where that equals the
# target.
_BEFORE: dict[str, Any] = {
    "text": "before",
    "number": 7,
    "big": 7,
    "precise": 7.5,
    "label": "before",
    "code": "wxyz",
    "ratio": 7.5,
    "flag": None,
    "price": Decimal("7.0000"),
    "day": dt.date(2000, 1, 1),
    "moment": dt.datetime(2000, 1, 1, 1, 1, 1),
    "clock": dt.time(1, 1, 1),
    "token": uuid.UUID(int=7),
    "color": Color.GREEN,
    "doc": {"before": True},
}


def _before(field: str, value: Any) -> Any:
    return next(before for before in (_BEFORE[field], None, True) if before != value)


def _model_for(field: str, mode: str) -> type[Any]:
    """The class of ``mode`` that has ``field``."""
    return WIDE[mode] if field in WIDE["sql"].__table__.c else EVERYTHING[mode]


# -- the write paths ----------------------------------------------------------


def _insert_orm(db: Engine, model: type[Any], field: str, value: Any) -> int:
    with Session(db) as session:
        obj = model(**{field: value})
        session.add(obj)
        session.commit()
        return int(obj.id)


def _insert_core(db: Engine, model: type[Any], field: str, value: Any) -> int:
    with db.begin() as conn:
        result = conn.execute(insert(model.__table__).values({field: value}))
        return int(result.inserted_primary_key[0])


def _update_orm_flush(
    db: Engine, model: type[Any], row_id: int, field: str, value: Any
) -> None:
    with Session(db) as session:
        obj = session.get_one(model, row_id)
        setattr(obj, field, value)
        session.commit()


def _update_orm_statement(
    db: Engine, model: type[Any], row_id: int, field: str, value: Any
) -> None:
    with Session(db) as session:
        session.execute(update(model).where(model.id == row_id).values({field: value}))
        session.commit()


def _update_core(
    db: Engine, model: type[Any], row_id: int, field: str, value: Any
) -> None:
    table = model.__table__
    with db.begin() as conn:
        conn.execute(update(table).where(table.c.id == row_id).values({field: value}))


INSERTS = {"orm_add": _insert_orm, "core_insert": _insert_core}
UPDATES = {
    "orm_flush": _update_orm_flush,
    "orm_update": _update_orm_statement,
    "core_update": _update_core,
}


def _stored(db: Engine, model: type[Any], row_id: int, field: str) -> tuple[Any, Any]:
    """(changes[field], the column's value) as loaded in a fresh connection."""
    table = model.__table__
    with db.connect() as conn:
        row = conn.execute(
            select(table.c.changes, table.c[field]).where(table.c.id == row_id)
        ).one()
    assert isinstance(row[0], dict), row[0]
    return row[0][field], row[1]


def _assert_reads_back(db: Engine, model: type[Any], row_id: int, field: str) -> None:
    entry, loaded = _stored(db, model, row_id, field)
    assert "value" in entry, entry
    read_back = READ_BACK[type(model.__table__.c[field].type)]
    assert read_back(entry["value"]) == loaded, entry
    assert parse_stamp_text(entry["updated_at"]) is not None, entry


def _unstorable(db: Engine, value: Any) -> bool:
    """MariaDB/MySQL cannot store an infinity in any column."""
    return (
        isinstance(value, float)
        and math.isinf(value)
        and not requires.stores_infinity(db)
    )


def _case_id(case: tuple[str, Any]) -> str:
    field, value = case
    return f"{field}={value!r}"[:40]


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
@pytest.mark.parametrize("path", list(INSERTS))
def test_value_reads_back_after_insert(
    wide_db: Engine, mode: str, path: str, case: tuple[str, Any]
) -> None:
    field, value = case
    model = _model_for(field, mode)
    if _unstorable(wide_db, value):
        # The database refuses the write; nothing half-written is left.
        with pytest.raises(DBAPIError):
            INSERTS[path](wide_db, model, field, value)
        with wide_db.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(model)) == 0
        return
    row_id = INSERTS[path](wide_db, model, field, value)
    _assert_reads_back(wide_db, model, row_id, field)


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
@pytest.mark.parametrize("path", list(UPDATES))
def test_value_reads_back_after_update(
    wide_db: Engine, mode: str, path: str, case: tuple[str, Any]
) -> None:
    field, value = case
    model = _model_for(field, mode)
    row_id = _insert_core(wide_db, model, field, _before(field, value))
    if _unstorable(wide_db, value):
        before = _stored(wide_db, model, row_id, field)
        with pytest.raises(DBAPIError):
            UPDATES[path](wide_db, model, row_id, field, value)
        assert _stored(wide_db, model, row_id, field) == before
        return
    UPDATES[path](wide_db, model, row_id, field, value)
    # An UPDATE that left the column alone would leave the INSERT's entry
    # and prove nothing about the UPDATE.
    assert _stored(wide_db, model, row_id, field)[1] != _before(field, value)
    _assert_reads_back(wide_db, model, row_id, field)


# -- a type with no JSON form -------------------------------------------------

BLOBS = [b"", b"\x00\xff binary \x80", None]


@pytest.mark.parametrize("blob", BLOBS)
@pytest.mark.parametrize("path", list(INSERTS))
def test_unrepresentable_type_keeps_stamp_without_value_on_insert(
    db: Engine, mode: str, path: str, blob: bytes | None
) -> None:
    everything = EVERYTHING[mode]
    row_id = INSERTS[path](db, everything, "blob", blob)
    entry, loaded = _stored(db, everything, row_id, "blob")
    assert loaded == blob
    assert set(entry) == {"updated_at"}
    assert parse_stamp_text(entry["updated_at"]) is not None


@pytest.mark.parametrize("blob", BLOBS)
@pytest.mark.parametrize("path", list(UPDATES))
def test_unrepresentable_type_keeps_stamp_without_value_on_update(
    db: Engine, mode: str, path: str, blob: bytes | None
) -> None:
    everything = EVERYTHING[mode]
    row_id = _insert_core(db, everything, "blob", b"before")
    before, _ = _stored(db, everything, row_id, "blob")
    time.sleep(0.005)  # SQLite's clock counts milliseconds
    UPDATES[path](db, everything, row_id, "blob", blob)
    entry, loaded = _stored(db, everything, row_id, "blob")
    assert loaded == blob
    assert set(entry) == {"updated_at"}
    stamp = parse_stamp_text(entry["updated_at"])
    previous = parse_stamp_text(before["updated_at"])
    assert stamp is not None
    assert previous is not None
    assert stamp > previous
    with Session(db) as session:
        assert session.get_one(everything, row_id).get_updated_at("blob") == stamp


class _IntervalBase(DeclarativeBase):
    pass


class LeaseColumns:
    """``Interval`` is stored as a DATETIME on SQLite and MariaDB: a value
    whose JSON copy would read as a date, so it keeps its stamp only."""

    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[dt.timedelta | None] = mapped_column(sa_types.Interval)


LEASES = both_modes(
    "Lease", (ChangeTrackingMixin, LeaseColumns, _IntervalBase), "lease"
)


def test_an_interval_keeps_its_stamp_without_a_value(db: Engine, mode: str) -> None:
    table = LEASES[mode].__table__
    _IntervalBase.metadata.create_all(db, tables=[table])
    try:
        with Session(db) as session:
            lease = LEASES[mode](id=1, term=dt.timedelta(days=1, seconds=5))
            session.add(lease)
            session.commit()
            assert set(lease.changes["term"]) == {"updated_at"}
            inserted = lease.get_updated_at("term")
            time.sleep(0.005)  # SQLite's clock counts milliseconds
            lease.term = dt.timedelta(days=2)
            session.commit()
            assert set(lease.changes["term"]) == {"updated_at"}
            assert inserted is not None
            assert lease.get_updated_at("term") > inserted
    finally:
        _IntervalBase.metadata.drop_all(db, tables=[table])
