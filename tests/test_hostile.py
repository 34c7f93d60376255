"""Hostile and odd input: reserved, quoted and injected identifiers, odd field
keys, long and exotic values, a tampered ``changes`` column, secrets.

Every write either succeeds with correct stamps and values or fails with a
FieldstampsError; identifiers are quoted (the sentinel table ``x`` that the
names try to drop survives); no other field's stamp is lost; excluded and
value-less fields never show their values in ``changes``.

In both modes (the ``mode`` fixture): the same names and values must get
through SQLAlchemy's compiled stamps and through the triggers' bodies alike.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Column,
    Engine,
    Integer,
    String,
    Table,
    Text,
    bindparam,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column

from fieldstamps import (
    ChangeTrackingMixin,
    ConfigurationError,
    TimestampMixin,
    changed_at,
    updated_at_column,
    upsert_set,
)
from fieldstamps._model import tracking_of
from fieldstamps._types import parse_stamp_text
from tests.conftest import BACKENDS, backend_params, make_engine, mode_fixture
from tests.models import both_modes
from tests.requirements import dialect_insert, requires
from tests.stamps import tick, triggers_off

INJECTION = 'x"; DROP TABLE x; --'


class HostileBase(DeclarativeBase):
    pass


# The table every injected name tries to drop; it must outlive the tests.
SENTINEL = Table("x", HostileBase.metadata, Column("id", Integer, primary_key=True))


class OrderColumns:
    """Reserved words and injected SQL as column names (the tables' names are
    reserved words too); ordinary Python attribute names."""

    id = mapped_column(Integer, primary_key=True, autoincrement=False)
    select = mapped_column("select", String(200))
    user = mapped_column("user", String(200))
    mixed = mapped_column("MiXeD Case", String(200))
    weird = mapped_column(INJECTION, String(200))
    quoted = mapped_column("it's `ticked` ;", String(200))
    body = mapped_column("body text", Text)
    doc = mapped_column("doc;json", JSON, nullable=True)
    select_changed_at = changed_at("select", "user")
    weird_changed_at = changed_at("weird")
    select_updated_at = updated_at_column("select", index=False)


ORDERS = both_modes(
    "Order",
    (TimestampMixin, ChangeTrackingMixin, OrderColumns, HostileBase),
    "order",
    triggers_table="group",
)


ORDER_FIELDS = ("select", "user", "mixed", "weird", "quoted", "body", "doc")

# Field keys (Python attribute names, the keys inside ``changes`` and in JSON
# paths) that no class body could spell; mapped with DB names of their own.
ODD_KEYS = (
    "with space",
    "semi;colon",
    "it's",
    "dollar$.path[0].*",
    # "%(id)s" would be turned into a bind placeholder on SQLite: see
    # test_regressions.py::test_field_key_with_pyformat_placeholder_on_sqlite.
    "%s %% 100%",
    "q?mark :colon",
    "\u00fcn\u00efc\u00f6d\u00e9 \u2713 \U0001f600",
    "order",
)


def _odd_columns() -> type:
    namespace: dict[str, Any] = {
        "id": mapped_column(Integer, primary_key=True, autoincrement=False),
    }
    for number, key in enumerate(ODD_KEYS):
        namespace[key] = mapped_column(f"c{number} {INJECTION}"[:60], String(200))
    namespace["odd_changed_at"] = changed_at("with space", "it's")
    namespace["odd_updated_at"] = updated_at_column("%s %% 100%", index=False)
    return type("OddColumns", (), namespace)


ODDS = both_modes(
    "Odd",
    (TimestampMixin, ChangeTrackingMixin, _odd_columns(), HostileBase),
    'Odd "Table"; DROP TABLE x; --',
)


class SecretColumns:
    """Excluded and value-less fields."""

    id = mapped_column(Integer, primary_key=True, autoincrement=False)
    login = mapped_column(String(100))
    password = mapped_column("select", String(100))  # a reserved word, too
    pin = mapped_column(String(100))


SECRETS = both_modes(
    "Secret",
    (TimestampMixin, ChangeTrackingMixin, SecretColumns, HostileBase),
    "user",
    triggers_table="table",
    options={"exclude": ["pin"], "store_values": ["login"]},
)
# The same secrecy said the other way: every value stored but a redacted one.
REDACTED = both_modes(
    "Redacted",
    (TimestampMixin, ChangeTrackingMixin, SecretColumns, HostileBase),
    "key",
    triggers_table="index",
    options={"exclude": ["pin"], "redact": ["password"]},
)
SECRET_MODELS = {"store_values": SECRETS, "redact": REDACTED}


# -- fixtures and helpers ------------------------------------------------------


@pytest.fixture(scope="module", params=backend_params(BACKENDS))
def hostile(
    request: pytest.FixtureRequest, backend_urls: dict[str, str]
) -> Iterator[Engine]:
    engine = make_engine(backend_urls[request.param.id])
    HostileBase.metadata.drop_all(engine)
    HostileBase.metadata.create_all(engine)
    yield engine
    HostileBase.metadata.drop_all(engine)
    engine.dispose()


@pytest.fixture
def hdb(hostile: Engine) -> Iterator[Engine]:
    yield hostile
    # Identifiers were quoted: the table the names try to drop is still there.
    assert inspect(hostile).has_table("x")
    with hostile.begin() as conn:
        for table in reversed(HostileBase.metadata.sorted_tables):
            conn.execute(table.delete())


order = mode_fixture("order", ORDERS)
odd = mode_fixture("odd", ODDS)


@pytest.fixture(params=list(SECRET_MODELS))
def secret(request: pytest.FixtureRequest, mode: str) -> Any:
    """A class keeping ``password``'s value out of ``changes``, by
    ``store_values`` or by ``redact``, of the mode under test."""
    return SECRET_MODELS[request.param][mode]


def _table(model: type[Any]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _column(model: type[Any], key: str) -> Column[Any]:
    """The table column behind attribute ``key`` (their names differ here)."""
    column = inspect(model).column_attrs[key].columns[0]
    assert isinstance(column, Column)
    return column


def _columns(model: type[Any], values: dict[str, Any]) -> dict[Column[Any], Any]:
    return {_column(model, key): value for key, value in values.items()}


def _row(db: Engine, model: type[Any], row_id: int) -> dict[str, Any]:
    """The row as stored, keyed by attribute name."""
    keys = [prop.key for prop in inspect(model).column_attrs]
    with db.connect() as conn:
        row = conn.execute(
            select(*(_column(model, key) for key in keys)).where(model.id == row_id)
        ).one()
    return dict(zip(keys, row, strict=True))


def _stamp(row: dict[str, Any], key: str) -> dt.datetime | None:
    changes = row["changes"]
    entry = changes.get(key) if isinstance(changes, dict) else None
    return (
        parse_stamp_text(entry.get("updated_at")) if isinstance(entry, dict) else None
    )


def _assert_written(
    before: dict[str, Any],
    after: dict[str, Any],
    fields: tuple[str, ...],
    wrote: set[str],
) -> None:
    """``after`` is one write later than ``before``; it assigned ``wrote``."""
    changed = {key for key in wrote if after[key] != before[key]}
    assert after["updated_at"] > before["updated_at"]
    assert isinstance(after["changes"], dict)
    assert set(after["changes"]) == set(fields), after["changes"]
    for key in fields:
        assert after["changes"][key]["value"] == after[key], key
        expected = after["updated_at"] if key in changed else _stamp(before, key)
        assert _stamp(after, key) == expected, key


def _upsert(db: Engine, model: type[Any], row_id: int, values: dict[str, Any]) -> Any:
    table = _table(model)
    if requires.on_duplicate_key_update(db):
        my = mysql.insert(table).values({table.c.id: row_id, **_columns(model, values)})
        return my.on_duplicate_key_update(
            upsert_set(
                model, {col: my.inserted[col.key] for col in _columns(model, values)}
            )
        )
    ins = dialect_insert(db)(table).values(
        {table.c.id: row_id, **_columns(model, values)}
    )
    return ins.on_conflict_do_update(
        index_elements=[table.c.id],
        set_=upsert_set(
            model, {col: ins.excluded[col.key] for col in _columns(model, values)}
        ),
    )


Writer = Callable[[Engine, type[Any], int, dict[str, Any]], None]


def _orm_flush(
    db: Engine, model: type[Any], row_id: int, values: dict[str, Any]
) -> None:
    with Session(db) as session:
        obj = session.get_one(model, row_id)
        for key, value in values.items():
            setattr(obj, key, value)
        session.flush()
        # The object in hand shows the flush's stamps (reloaded in place).
        for key in set(values) & set(tracking_of(model).keys):
            assert obj.get_updated_at(key) == obj.updated_at, key
        session.commit()


def _orm_update(
    db: Engine, model: type[Any], row_id: int, values: dict[str, Any]
) -> None:
    with Session(db) as session:
        session.execute(update(model).where(model.id == row_id).values(values))
        session.commit()


def _orm_bulk_by_pk(
    db: Engine, model: type[Any], row_id: int, values: dict[str, Any]
) -> None:
    with Session(db) as session:
        session.execute(update(model), [{"id": row_id, **values}])
        session.commit()


def _bulk_update_mappings(
    db: Engine, model: type[Any], row_id: int, values: dict[str, Any]
) -> None:
    with Session(db) as session:
        session.bulk_update_mappings(model, [{"id": row_id, **values}])
        session.commit()


def _core_update(
    db: Engine, model: type[Any], row_id: int, values: dict[str, Any]
) -> None:
    table = _table(model)
    with db.begin() as conn:
        conn.execute(
            update(table).where(table.c.id == row_id).values(_columns(model, values))
        )


def _core_executemany(
    db: Engine, model: type[Any], row_id: int, values: dict[str, Any]
) -> None:
    # Bind names are chosen here, since field keys are not valid bind names.
    table = _table(model)
    names = {key: f"p{number}" for number, key in enumerate(values)}
    stmt = (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values({_column(model, key): bindparam(name) for key, name in names.items()})
    )
    params = {"row_id": row_id, **{names[key]: value for key, value in values.items()}}
    with db.begin() as conn:
        conn.execute(stmt, [params, {**params, "row_id": -1}])


def _core_upsert(
    db: Engine, model: type[Any], row_id: int, values: dict[str, Any]
) -> None:
    with db.begin() as conn:
        conn.execute(_upsert(db, model, row_id, values))


WRITERS: dict[str, Writer] = {
    "orm_flush": _orm_flush,
    "orm_update": _orm_update,
    "orm_bulk_by_pk": _orm_bulk_by_pk,
    "bulk_update_mappings": _bulk_update_mappings,
    "core_update": _core_update,
    "core_executemany": _core_executemany,
    "upsert": _core_upsert,
}


def _insert(db: Engine, model: type[Any], row_id: int, values: dict[str, Any]) -> None:
    with Session(db) as session:
        obj = model(id=row_id)
        for key, value in values.items():
            setattr(obj, key, value)
        session.add(obj)
        session.commit()


# -- identifiers ---------------------------------------------------------------


def _order_values(tag: str) -> dict[str, Any]:
    return {
        "select": f"'; DROP TABLE x; -- {tag}",
        "user": f'Robert"); DROP TABLE x;-- {tag}',
        "mixed": f"%(id)s %s ? :id $1 {tag}",
        "weird": f'back\\slash \\" \\u0000 {tag}',
        "quoted": f"`tick` 'single' \"double\" {tag}",
        "body": f"{tag} " + "\U0001f600e\u0301" * 2_000,
        "doc": {"tag": tag, 'say "hi"': ["\\", '"', "}{", {"k'ey": '\\"\\n'}]},
    }


@pytest.mark.parametrize("path", list(WRITERS))
def test_reserved_and_injected_column_names(hdb: Engine, order: Any, path: str) -> None:
    _insert(hdb, order, 1, _order_values("first"))
    inserted = _row(hdb, order, 1)
    assert inserted["select_updated_at"] == _stamp(inserted, "select")
    tick()
    second = _order_values("second")
    wrote = {"select", "weird", "body", "doc"}
    WRITERS[path](hdb, order, 1, {key: second[key] for key in wrote})
    after = _row(hdb, order, 1)
    _assert_written(inserted, after, ORDER_FIELDS, wrote)
    assert {key: after[key] for key in wrote} == {key: second[key] for key in wrote}
    assert after["select_changed_at"] == after["updated_at"]  # watches select
    assert after["weird_changed_at"] == after["updated_at"]
    assert after["select_updated_at"] == after["updated_at"]  # the mirror
    # The stamp is queryable through the quoted names as well.
    with hdb.connect() as conn:
        found = conn.scalars(
            select(order.id).where(
                order.updated_at_of("weird") == after["updated_at"],
                order.updated_at_of("select") == after["updated_at"],
            )
        ).all()
    assert found == [1]


@pytest.mark.parametrize("path", list(WRITERS))
def test_odd_field_keys(hdb: Engine, odd: Any, path: str) -> None:
    first = {key: f"first {key}" for key in ODD_KEYS}
    _insert(hdb, odd, 1, first)
    inserted = _row(hdb, odd, 1)
    assert set(inserted["changes"]) == set(ODD_KEYS)
    tick()
    wrote = {"it's", "%s %% 100%", "dollar$.path[0].*", ODD_KEYS[6]}
    WRITERS[path](hdb, odd, 1, {key: f"second {key}" for key in wrote})
    after = _row(hdb, odd, 1)
    _assert_written(inserted, after, ODD_KEYS, wrote)
    assert after["odd_changed_at"] == after["updated_at"]  # watches it's
    assert after["odd_updated_at"] == after["updated_at"]
    with Session(hdb) as session:
        obj = session.get_one(odd, 1)
        for key in ODD_KEYS:
            expected = after["updated_at"] if key in wrote else inserted["created_at"]
            assert obj.get_updated_at(key) == expected, key
        assert session.scalars(
            select(odd.id).where(odd.updated_at_of("it's") == after["updated_at"])
        ).all() == [1]


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ('say "hi"', "quote or backslash"),
        ("back\\slash", "quote or backslash"),
        # Regression: SQLAlchemy's conversion to SQLite's qmark paramstyle
        # rewrote "%(id)s" inside the JSON-path literal into "?", and writes
        # failed with sqlite3.ProgrammingError instead of a FieldstampsError.
        ("%(id)s", "'%\\('"),
        # Regression: SQLite's and MariaDB's UPDATE merge send unchanged
        # fields to this scratch path and remove it afterwards, so a field of
        # that name silently lost its entry on every UPDATE.
        ("~fieldstamps-noop", "scratch key"),
    ],
    ids=["quote", "backslash", "pyformat-placeholder", "merge-scratch-key"],
)
def test_field_keys_the_sql_cannot_carry_are_refused(bad: str, reason: str) -> None:
    class Base(DeclarativeBase):
        pass

    with pytest.raises(ConfigurationError) as refused:
        type(
            "Refused",
            (ChangeTrackingMixin, Base),
            {
                "__tablename__": "refused",
                "id": mapped_column(Integer, primary_key=True),
                bad: mapped_column("fine", String(20)),
            },
        )
    assert "Refused" in str(refused.value)
    assert repr(bad) in str(refused.value)
    assert re.search(reason, str(refused.value))


# -- values: long, Unicode, JSON with quotes -----------------------------------

VALUE_CASES: dict[str, dict[str, Any]] = {
    "long_text_10k": {"body": "x" * 10_000, "select": "y" * 200},
    "long_text_astral": {"body": "\U0001f9fd\U00010348" * 5_000},
    "emoji_sequences": {"select": "\U0001f469\u200d\U0001f469\u200d\U0001f467"},
    "combining_vs_precomposed": {"select": "e\u0301", "user": "\u00e9"},
    "rtl_zero_width_bom": {"select": "\u05e9\u05dc\u05d5\u05dd\u200b\ufeff\u202e"},
    "trailing_space": {"select": "first ", "user": " first"},
    "empty_string": {"select": "", "body": ""},
    "control_chars": {"select": "tab\tnew\nline\r\x1b[0m", "body": "\x01\x02\x7f"},
    "json_nested_quotes": {
        "doc": {"a": 'he said "hi"', "b": {"c'd": ['"', "\\", '\\"', '\\\\"']}}
    },
    "json_string_of_json": {"doc": json.dumps({"x": 'y"z'})},
    "json_unicode_keys": {"doc": {"\U0001f600": "\u00e9", "e\u0301": [None, True]}},
    "json_deep": {"doc": {"a": [[[[[[[[{"b": '"\\'}]]]]]]]]}},
    "json_scalar_and_null": {"doc": None, "body": None},
}


@pytest.mark.parametrize("path", ["orm_flush", "core_update", "upsert"])
@pytest.mark.parametrize("case", list(VALUE_CASES))
def test_exotic_values_round_trip(
    hdb: Engine, order: Any, case: str, path: str
) -> None:
    _insert(hdb, order, 1, _order_values("first"))
    before = _row(hdb, order, 1)
    tick()
    values = VALUE_CASES[case]
    WRITERS[path](hdb, order, 1, values)
    after = _row(hdb, order, 1)
    assert {key: after[key] for key in values} == values
    _assert_written(before, after, ORDER_FIELDS, set(values))
    # Only a NULL-safely distinct value is a change; compare one more step:
    # the same values again move nothing but updated_at.
    tick()
    WRITERS[path](hdb, order, 1, values)
    again = _row(hdb, order, 1)
    for key in ORDER_FIELDS:
        assert _stamp(again, key) == _stamp(after, key), key


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("e\u0301", "\u00e9"),  # canonically equivalent, different code points
        ("abc", "abc "),  # PAD SPACE collations call these equal
        ("Stra\u00dfe", "STRASSE"),
        ("a", "A"),
    ],
    ids=["nfd_to_nfc", "trailing_space", "sharp_s", "case"],
)
def test_lookalike_strings_are_changes(
    hdb: Engine, order: Any, old: str, new: str
) -> None:
    """Stamps compare stored values exactly, whatever the collation says."""
    _insert(hdb, order, 1, {"select": old, "user": old})
    before = _row(hdb, order, 1)
    tick()
    _core_update(hdb, order, 1, {"select": new})
    after = _row(hdb, order, 1)
    assert after["select"] == new
    assert _stamp(after, "select") == after["updated_at"] > before["updated_at"]
    assert after["select_changed_at"] == after["updated_at"]
    assert _stamp(after, "user") == _stamp(before, "user")


# -- a tampered changes column -------------------------------------------------

GOOD_AT = "2001-02-03T04:05:06.000007Z"
GOOD = {"value": "kept", "updated_at": GOOD_AT}
TAMPERED: dict[str, str | None] = {
    "sql_null": None,
    "json_string": json.dumps('{"select": "not an object"}'),
    "json_array": json.dumps([{"it's": GOOD}]),
    "json_number": "3.5",
    "entries_wrong_shape": json.dumps(
        {"it's": GOOD, "with space": "yesterday", "semi;colon": [GOOD_AT], "order": 1}
    ),
    "entries_bad_stamps": json.dumps(
        {
            "it's": GOOD,
            "with space": {"value": 1, "updated_at": 'x"; DROP TABLE x; --'},
            "semi;colon": {"updated_at": None},
            "order": {"value": "v"},
        }
    ),
    "unknown_keys_and_noop": json.dumps(
        {"it's": GOOD, "~fieldstamps-noop": GOOD, "not tracked": GOOD}
    ),
}


def _tamper(db: Engine, model: type[Any], row_id: int, raw: str | None) -> None:
    # Raw SQL on purpose: the damage comes from outside SQLAlchemy (and, in
    # trigger mode, from outside the triggers, which would replace it). The
    # table name is quoted by the dialect's own preparer.
    table = _table(model)
    name = db.dialect.identifier_preparer.format_table(table)
    value = "CAST(:raw AS JSONB)" if requires.json_needs_cast(db) else ":raw"
    with triggers_off(db, model), db.begin() as conn:
        conn.execute(
            text(f"UPDATE {name} SET changes = {value} WHERE id = :id"),
            {"raw": raw, "id": row_id},
        )


@pytest.mark.parametrize(
    "path", ["orm_flush", "orm_bulk_by_pk", "core_executemany", "upsert"]
)
@pytest.mark.parametrize("case", list(TAMPERED))
def test_tampered_changes_is_repaired_by_the_next_write(
    hdb: Engine, odd: Any, case: str, path: str
) -> None:
    _insert(hdb, odd, 1, {key: "first" for key in ODD_KEYS})
    raw = TAMPERED[case]
    _tamper(hdb, odd, 1, raw)
    damaged = _row(hdb, odd, 1)
    assert damaged["changes"] == (None if raw is None else json.loads(raw))
    with Session(hdb) as session:  # reading never raises
        obj = session.get_one(odd, 1)
        for key in ODD_KEYS:
            obj.get_updated_at(key)
    tick()
    WRITERS[path](hdb, odd, 1, {"with space": "second", "%s %% 100%": "second"})
    after = _row(hdb, odd, 1)
    changes = after["changes"]
    assert isinstance(changes, dict), changes
    for key in ("with space", "%s %% 100%"):
        assert changes[key] == {
            "value": "second",
            "updated_at": changes[key]["updated_at"],
        }
        assert _stamp(after, key) == after["updated_at"]
    document = None if raw is None else json.loads(raw)
    if isinstance(document, dict):
        # Entries of fields not written survive exactly as they were.
        for key, entry in document.items():
            if key not in ("with space", "%s %% 100%", "~fieldstamps-noop"):
                assert changes.get(key) == entry, key
    assert after["odd_changed_at"] == after["updated_at"]


# -- secrets: excluded and value-less fields -----------------------------------


@pytest.mark.parametrize("path", list(WRITERS))
def test_excluded_and_valueless_fields_never_store_values(
    hdb: Engine, secret: Any, path: str
) -> None:
    _insert(
        hdb, secret, 1, {"login": "bob", "password": "hunter2-a", "pin": "pin-xyzzy-a"}
    )
    tick()
    WRITERS[path](
        hdb, secret, 1, {"login": "Bob", "password": "hunter2-b", "pin": "pin-xyzzy-b"}
    )
    _core_upsert(
        hdb, secret, 2, {"login": "al", "password": "hunter2-c", "pin": "pin-xyzzy-c"}
    )
    for row_id in (1, 2):
        row = _row(hdb, secret, row_id)
        raw = json.dumps(row["changes"])
        # Markers no stamp can spell: a timestamp's digits once held "1111".
        for leaked in ("hunter2", "xyzzy"):
            assert leaked not in raw, raw
        assert set(row["changes"]) == {"login", "password"}
        assert set(row["changes"]["password"]) == {"updated_at"}
        assert row["changes"]["login"]["value"] == row["login"]
        assert _stamp(row, "password") == row["updated_at"]


def test_a_redacted_value_written_by_raw_sql_is_never_stored(hdb: Engine) -> None:
    # Trigger mode: SQL a writer outside SQLAlchemy runs on the driver itself.
    model = REDACTED["triggers"]
    table = _table(model)
    password = _column(model, "password")
    insert_sql = table.insert().values({"id": 5, "login": "eve", password: "hunter2-r"})
    update_sql = (
        table.update()
        .where(table.c.id == 5)
        .values({password: "hunter2-s", "login": "Eve"})
    )
    raw = hdb.raw_connection()
    try:
        cursor = raw.cursor()
        for statement in (insert_sql, update_sql):
            compiled = statement.compile(
                dialect=hdb.dialect, compile_kwargs={"literal_binds": True}
            )
            cursor.execute(str(compiled))
        raw.commit()
    finally:
        raw.close()
    row = _row(hdb, model, 5)
    assert "hunter2" not in json.dumps(row["changes"])
    assert set(row["changes"]["password"]) == {"updated_at"}
    assert row["changes"]["login"]["value"] == "Eve"
    assert _stamp(row, "password") == row["updated_at"]
