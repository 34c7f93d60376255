"""fieldstamps.sqlmodel: SQLModel table models get every stamp, on every backend.

The models live in a registry of their own, so that the classes the error
tests build (and must fail to build) never touch SQLModel's default registry
or these models.

The writes run in both modes (``hero_cls``/``team_cls``: Hero and Team, or
TriggeredHero and TriggeredTeam with the same fields, whose triggers compute
the stamps); the column, Pydantic and class-creation checks do not write and
run on Hero and Team.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, ClassVar

import httpx
import pytest
import sqlalchemy
from fastapi import FastAPI, HTTPException
from sqlalchemy import JSON, Engine, String, insert, update
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry
from sqlalchemy.schema import CreateColumn
from sqlmodel import Field, Session, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession as SQLModelAsyncSession

import fieldstamps
from fieldstamps import (
    ChangeTrackingMixin,
    ConfigurationError,
    FieldstampsOptions,
    StampWriteError,
    TimestampMixin,
    UnknownFieldError,
    changed_at,
    updated_at_column,
)
from fieldstamps._types import parse_stamp_text
from fieldstamps.sqlmodel import (
    ChangeTrackingFields,
    TimestampFields,
    changed_at_field,
    updated_at_field,
)
from tests.conftest import async_url, mode_fixture
from tests.stamps import tick


class _Base(SQLModel, registry=registry()):
    pass


class _HeroFields(TimestampFields, ChangeTrackingFields, _Base):
    """Hero's fields, shared by its SQL-mode and trigger-mode tables."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=30)
    secret_name: str = Field(max_length=30)
    age: int | None = None
    name_changed_at: dt.datetime | None = changed_at_field("name", index=True)
    name_updated_at: dt.datetime | None = updated_at_field("name")


class Hero(_HeroFields, table=True):
    __tablename__ = "sqlmodel_hero"


class TriggeredHero(_HeroFields, table=True):
    __tablename__ = "sqlmodel_hero_triggers"
    __fieldstamps__: ClassVar[FieldstampsOptions] = {"triggers": True}


TEAM_OPTIONS: FieldstampsOptions = {"exclude": ["motto"], "store_values": ["name"]}


class _TeamFields(ChangeTrackingFields, TimestampFields, _Base):
    """Mixins in the other order, options, and a stamp column declared before
    the columns it watches."""

    id: int | None = Field(default=None, primary_key=True)
    place_changed_at: dt.datetime | None = changed_at_field("headquarters", "name")
    name: str = Field(max_length=30)
    headquarters: str | None = Field(default=None, max_length=30)
    motto: str | None = Field(default=None, max_length=30)


class Team(_TeamFields, table=True):
    __tablename__ = "sqlmodel_team"
    __fieldstamps__: ClassVar[FieldstampsOptions] = TEAM_OPTIONS


class TriggeredTeam(_TeamFields, table=True):
    __tablename__ = "sqlmodel_team_triggers"
    __fieldstamps__: ClassVar[FieldstampsOptions] = {**TEAM_OPTIONS, "triggers": True}


HEROES = {"sql": Hero, "triggers": TriggeredHero}
TEAMS = {"sql": Team, "triggers": TriggeredTeam}


hero_cls = mode_fixture("hero_cls", HEROES)
team_cls = mode_fixture("team_cls", TEAMS)


class _Named(TimestampFields, _Base):
    """Stamp fields in a base model that two tables share."""

    name: str = Field(max_length=30)
    name_changed_at: dt.datetime | None = changed_at_field("name")


class Sidekick(_Named, table=True):
    """Timestamps and changed_at_field() only: no ChangeTrackingFields."""

    __tablename__ = "sqlmodel_sidekick"

    id: int | None = Field(default=None, primary_key=True)


class Gadget(ChangeTrackingFields, _Named, table=True):
    __tablename__ = "sqlmodel_gadget"

    id: int | None = Field(default=None, primary_key=True)
    power: int | None = None


class Villain(TimestampFields, _Base, table=True):
    """History of one field of a SQLModel class without ChangeTrackingFields."""

    __tablename__ = "sqlmodel_villain"
    __fieldstamps__: ClassVar[FieldstampsOptions] = {"history": {"fields": ["name"]}}

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=30)
    lair: str | None = None


HERO_FIELDS = ("name", "secret_name", "age")
STAMP_FIELDS = ("created_at", "updated_at", "changes", "name_changed_at")


@pytest.fixture(scope="module")
def tables(engine: Engine) -> Iterator[Engine]:
    _Base.metadata.drop_all(engine)
    _Base.metadata.create_all(engine)
    yield engine
    _Base.metadata.drop_all(engine)


@pytest.fixture
def db(tables: Engine) -> Iterator[Engine]:
    yield tables
    with tables.begin() as conn:
        for table in reversed(_Base.metadata.sorted_tables):
            conn.execute(table.delete())


def _row(db: Engine, model: type[SQLModel], key: int) -> dict[str, Any]:
    """The row as the database holds it now, in a fresh connection; each
    entry of ``changes`` as ``(value or "<missing>", stamp)``."""
    table = model.__table__
    with db.connect() as conn:
        row = conn.execute(table.select().where(table.c.id == key)).one()
    values = dict(row._mapping)
    changes = values["changes"] if isinstance(values["changes"], dict) else {}
    values["stamps"] = {
        field: (
            entry.get("value", "<missing>"),
            parse_stamp_text(entry.get("updated_at")),
        )
        for field, entry in changes.items()
    }
    return values


def _new_hero(hero_cls: type[_HeroFields] = Hero, **values: Any) -> Any:
    return hero_cls(**{"name": "Deadpond", "secret_name": "Dive Wilson", **values})


def _assert_inserted(row: dict[str, Any], fields: tuple[str, ...]) -> None:
    instant = row["created_at"]
    assert instant.tzinfo is dt.UTC
    assert row["updated_at"] == instant
    assert row["stamps"] == {field: (row[field], instant) for field in fields}


SESSIONS = [
    pytest.param(Session, id="sqlmodel.Session"),
    pytest.param(sqlalchemy.orm.Session, id="sqlalchemy.orm.Session"),
]

# -- the columns are the library's --------------------------------------------


class _PlainBase(DeclarativeBase):
    pass


class PlainHero(TimestampMixin, ChangeTrackingMixin, _PlainBase):
    """Hero, spelt with the SQLAlchemy mixins."""

    __tablename__ = "sqlmodel_hero"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30))
    secret_name: Mapped[str] = mapped_column(String(30))
    age: Mapped[int | None]
    name_changed_at: Mapped[dt.datetime | None] = changed_at("name", index=True)
    name_updated_at: Mapped[dt.datetime | None] = updated_at_column("name")


@pytest.mark.parametrize(
    "dialect",
    [
        sqlite.dialect(),
        postgresql.dialect(),
        mysql.dialect(),
        mysql.dialect(is_mariadb=True),
    ],
    ids=["sqlite", "postgresql", "mysql", "mariadb"],
)
@pytest.mark.parametrize("key", [*STAMP_FIELDS, "name_updated_at"])
def test_stamp_columns_are_the_sqlalchemy_mixins_columns(
    dialect: sqlalchemy.engine.Dialect, key: str
) -> None:
    ours = Hero.__table__.c[key]
    theirs = PlainHero.__table__.c[key]
    assert str(CreateColumn(ours).compile(dialect=dialect)) == str(
        CreateColumn(theirs).compile(dialect=dialect)
    )
    assert ours.info == theirs.info
    # SQLModel says False where mapped_column() leaves None.
    assert bool(ours.index) == bool(theirs.index)
    assert bool(ours.unique) == bool(theirs.unique)
    for default in ("default", "onupdate"):
        mine, other = getattr(ours, default), getattr(theirs, default)
        assert type(mine) is type(other)
        assert type(getattr(mine, "arg", None)) is type(getattr(other, "arg", None))


def test_each_table_gets_columns_of_its_own() -> None:
    for key in ("created_at", "updated_at", "changes"):
        hero = Hero.__table__.c[key]
        team = Team.__table__.c[key]
        assert hero is not team
        assert hero.info == team.info
        assert hero.info is not team.info


# -- writes ------------------------------------------------------------------


@pytest.mark.parametrize("session_class", SESSIONS)
def test_insert_stamps_every_field_with_the_insert_instant(
    db: Engine,
    hero_cls: Any,
    team_cls: Any,
    session_class: type[sqlalchemy.orm.Session],
) -> None:
    with session_class(db) as session:
        hero = _new_hero(hero_cls, age=48)
        team = team_cls(name="Preventers", headquarters="Sharp Tower", motto="Z")
        session.add_all([hero, team])
        session.commit()
        hero_id, team_id = hero.id, team.id
        assert hero_id is not None and team_id is not None

    row = _row(db, hero_cls, hero_id)
    _assert_inserted(row, HERO_FIELDS)
    assert row["name_changed_at"] == row["name_updated_at"] == row["created_at"]

    team_row = _row(db, team_cls, team_id)
    instant = team_row["created_at"]
    assert team_row["stamps"] == {
        "name": ("Preventers", instant),
        "headquarters": ("<missing>", instant),  # store_values: name only
    }
    assert team_row["place_changed_at"] == instant


@pytest.mark.parametrize(
    "explicit",
    [
        pytest.param(dict.fromkeys(STAMP_FIELDS), id="None"),
        pytest.param({"changes": {}}, id="changes={}"),
    ],
)
def test_explicit_empty_stamps_do_not_defeat_the_insert_stamps(
    db: Engine, hero_cls: Any, explicit: dict[str, Any]
) -> None:
    # What a form or a request body posting the stamp fields back gives.
    with Session(db) as session:
        hero = _new_hero(hero_cls, **explicit)
        session.add(hero)
        session.commit()
        assert hero.id is not None
        row = _row(db, hero_cls, hero.id)
    _assert_inserted(row, HERO_FIELDS)
    assert row["name_changed_at"] == row["created_at"]


def test_stamp_values_written_by_the_application_are_refused(
    db: Engine, hero_cls: Any
) -> None:
    with Session(db) as session:
        forged = _new_hero(hero_cls, created_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
        session.add(forged)
        with pytest.raises(
            StampWriteError, match=rf"^{hero_cls.__name__}\.created_at is set by"
        ):
            session.commit()
        session.rollback()

        hero = _new_hero(hero_cls)
        session.add(hero)
        session.commit()
        hero_id = hero.id
        assert hero_id is not None
        stored = _row(db, hero_cls, hero_id)
        # A whole table model dumped back onto the row (a PUT done wrong):
        # its stamps are None.
        body = _new_hero(hero_cls, age=48).model_dump(exclude={"id"})
        hero.sqlmodel_update(body)
        with pytest.raises(
            StampWriteError, match=rf"^{hero_cls.__name__}\.\w+ is set by"
        ):
            session.commit()
        session.rollback()
    assert _row(db, hero_cls, hero_id) == stored


@pytest.mark.parametrize("session_class", SESSIONS)
def test_update_moves_only_the_changed_fields_stamps(
    db: Engine, hero_cls: Any, session_class: type[sqlalchemy.orm.Session]
) -> None:
    with session_class(db) as session:
        hero = _new_hero(hero_cls, age=48)
        session.add(hero)
        session.commit()
        assert hero.id is not None
        inserted = _row(db, hero_cls, hero.id)

        tick()
        hero.age = 49
        hero.name = "Deadpond"  # the same value again: not a change
        session.commit()
        aged = _row(db, hero_cls, hero.id)
        assert aged["updated_at"] > inserted["updated_at"]
        assert aged["stamps"] == {
            **inserted["stamps"],
            "age": (49, aged["updated_at"]),
        }
        assert aged["name_changed_at"] == inserted["created_at"]

        tick()
        hero.name = "Deadpool"
        session.commit()
        renamed = _row(db, hero_cls, hero.id)
        assert renamed["stamps"] == {
            **aged["stamps"],
            "name": ("Deadpool", renamed["updated_at"]),
        }
        assert renamed["name_changed_at"] == renamed["updated_at"]
        assert renamed["name_updated_at"] == renamed["updated_at"]
        assert renamed["created_at"] == inserted["created_at"]

        # The object reads what the database holds.
        session.refresh(hero)
        assert hero.updated_at == renamed["updated_at"]
        assert hero.get_updated_at("name") == renamed["updated_at"]
        assert hero.get_updated_at("age") == aged["updated_at"]
        assert hero.get_updated_at("secret_name") == inserted["created_at"]
        with pytest.raises(UnknownFieldError, match="tracked fields: name, "):
            hero.get_updated_at("id")


def test_sqlalchemy_statements_stamp_too(db: Engine, hero_cls: Any) -> None:
    with Session(db) as session:
        session.exec(
            insert(hero_cls),
            params=[
                {"name": "Rusty-Man", "secret_name": "Tommy Sharp"},
                {"name": "Spider-Boy", "secret_name": "Pedro Parqueador"},
            ],
        )
        session.commit()
        ids = session.exec(select(hero_cls.id).order_by(hero_cls.id)).all()
    rusty, spider = (_row(db, hero_cls, key) for key in ids)
    _assert_inserted(rusty, HERO_FIELDS)
    _assert_inserted(spider, HERO_FIELDS)

    tick()
    with Session(db) as session:  # ORM-enabled UPDATE with an expression
        session.exec(
            update(hero_cls).where(hero_cls.id == ids[0]).values(age=hero_cls.id + 40)
        )
        session.commit()
    aged = _row(db, hero_cls, ids[0])
    assert aged["stamps"]["age"] == (ids[0] + 40, aged["updated_at"])
    assert aged["stamps"]["name"] == rusty["stamps"]["name"]

    tick()
    with Session(db) as session:  # ORM bulk UPDATE by primary key
        session.exec(update(hero_cls), params=[{"id": ids[1], "secret_name": "P. P."}])
        session.commit()
    bulk = _row(db, hero_cls, ids[1])
    assert bulk["stamps"]["secret_name"] == ("P. P.", bulk["updated_at"])
    assert bulk["stamps"]["name"] == spider["stamps"]["name"]

    tick()
    table = hero_cls.__table__
    with db.begin() as conn:  # Core, executemany
        conn.execute(
            update(table).where(table.c.id == sqlalchemy.bindparam("key")),
            [{"key": ids[0], "name": "Rusty-Woman"}, {"key": ids[1], "name": "S-B"}],
        )
    for key, before in zip(ids, (aged, bulk), strict=True):
        after = _row(db, hero_cls, key)
        assert after["stamps"]["name"] == (after["name"], after["updated_at"])
        assert after["name_changed_at"] == after["updated_at"] > before["updated_at"]
        assert after["stamps"]["age"] == before["stamps"]["age"]


def test_updated_at_of_in_a_select(db: Engine, hero_cls: Any, team_cls: Any) -> None:
    with Session(db) as session:
        session.add_all(
            [
                _new_hero(hero_cls, name="Deadpond"),
                _new_hero(hero_cls, name="Rusty-Man"),
            ]
        )
        session.add(team_cls(name="Preventers"))
        session.commit()
        tick()
        since = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
        session.exec(
            update(hero_cls).where(hero_cls.name == "Rusty-Man").values(name="RM")
        )
        session.exec(update(team_cls).values(headquarters="Sharp Tower"))
        session.commit()

        rows = session.exec(
            select(
                hero_cls.name, hero_cls.updated_at_of("name"), hero_cls.updated_at
            ).order_by(hero_cls.updated_at_of("name").desc())
        ).all()
        assert [name for name, _, _ in rows] == ["RM", "Deadpond"]
        assert rows[0][1] == rows[0][2]  # renamed by the last write
        assert rows[1][1] < rows[0][1]
        assert all(stamp.tzinfo is dt.UTC for _, stamp, _ in rows)
        renamed_after = session.exec(
            select(hero_cls.name).where(hero_cls.updated_at_of("name") > rows[1][1])
        ).all()
        assert renamed_after == ["RM"]

        # Team has no updated_at_field: read from changes itself.
        team = session.exec(
            select(team_cls.updated_at_of("headquarters"), team_cls.updated_at).where(
                team_cls.updated_at_of("name") >= since
            )
        ).one()
        assert team[0] == team[1]


def test_options_and_changed_at_field_with_several_fields(
    db: Engine, team_cls: Any
) -> None:
    with Session(db) as session:
        team = team_cls(name="Preventers", headquarters="Sharp Tower", motto="Z")
        session.add(team)
        session.commit()
        assert team.id is not None
        inserted = _row(db, team_cls, team.id)

        tick()
        team.motto = "Zz"  # excluded: no stamp, and place_changed_at stays
        session.commit()
        mottoed = _row(db, team_cls, team.id)
        assert mottoed["stamps"] == inserted["stamps"]
        assert mottoed["place_changed_at"] == inserted["created_at"]
        assert mottoed["updated_at"] > inserted["updated_at"]

        tick()
        team.headquarters = "Tower"
        session.commit()
        moved = _row(db, team_cls, team.id)
        assert moved["stamps"]["headquarters"] == ("<missing>", moved["updated_at"])
        assert moved["place_changed_at"] == moved["updated_at"]
        with pytest.raises(UnknownFieldError, match="motto"):
            team.get_updated_at("motto")


def test_fields_of_a_shared_base_model_stamp_each_table(db: Engine) -> None:
    sidekick_column = Sidekick.__table__.c.name_changed_at
    assert sidekick_column is not Gadget.__table__.c.name_changed_at
    with Session(db) as session:
        sidekick, gadget = Sidekick(name="Jimmy"), Gadget(name="Rope", power=1)
        session.add_all([sidekick, gadget])
        session.commit()
        assert sidekick.id is not None and gadget.id is not None
        table = Sidekick.__table__
        with db.connect() as conn:
            inserted = conn.execute(table.select()).one()
        assert inserted.created_at == inserted.updated_at == inserted.name_changed_at
        _assert_inserted(_row(db, Gadget, gadget.id), ("name", "power"))

        tick()
        sidekick.name = "Jim"
        gadget.power = 2
        session.commit()
        with db.connect() as conn:
            renamed = conn.execute(table.select()).one()
        assert renamed.name_changed_at == renamed.updated_at > inserted.updated_at
        row = _row(db, Gadget, gadget.id)
        assert row["stamps"]["power"] == (2, row["updated_at"])
        assert row["name_changed_at"] == row["created_at"] < row["updated_at"]


# -- Pydantic ------------------------------------------------------------------


def test_stamps_serialize_as_read_only_aware_utc_datetimes(db: Engine) -> None:
    fresh = _new_hero()
    assert {key: fresh.model_dump()[key] for key in STAMP_FIELDS} == dict.fromkeys(
        STAMP_FIELDS
    )
    with Session(db) as session:
        session.add(fresh)
        session.commit()
        session.refresh(fresh)
        assert fresh.id is not None
        row = _row(db, Hero, fresh.id)

        dumped = fresh.model_dump()
        for key in ("created_at", "updated_at", "name_changed_at", "name_updated_at"):
            assert dumped[key] == row[key], key
            assert dumped[key].tzinfo is dt.UTC, key
        assert dumped["changes"] == row["changes"]

        as_json = json.loads(fresh.model_dump_json())
        assert as_json == fresh.model_dump(mode="json")
        for key in ("created_at", "updated_at", "name_changed_at", "name_updated_at"):
            assert as_json[key].endswith("Z"), as_json[key]
            assert dt.datetime.fromisoformat(as_json[key]) == row[key], key
        assert as_json["changes"] == row["changes"]
        for field in HERO_FIELDS:
            stamp = as_json["changes"][field]["updated_at"]
            assert parse_stamp_text(stamp) == row["created_at"]

    schema = Hero.model_json_schema()["properties"]
    read_only = {key for key, spec in schema.items() if spec.get("readOnly")}
    assert read_only == {*STAMP_FIELDS, "name_updated_at"}


def test_non_table_models_reuse_the_fields_for_responses(db: Engine) -> None:
    class HeroPublic(TimestampFields, ChangeTrackingFields, SQLModel):
        id: int
        name: str

    with Session(db) as session:
        hero = _new_hero()
        session.add(hero)
        session.commit()
        session.refresh(hero)
        public = HeroPublic.model_validate(hero)
    assert public.created_at == hero.created_at
    assert public.changes == hero.changes
    assert "secret_name" not in public.model_dump()


# -- FastAPI and AsyncSession --------------------------------------------------


class HeroCreate(SQLModel):
    name: str
    secret_name: str
    age: int | None = None


class HeroUpdate(SQLModel):
    name: str | None = None
    secret_name: str | None = None
    age: int | None = None


def _app(
    sessions: async_sessionmaker[Any], refresh: bool, hero_cls: Any
) -> FastAPI:  # the endpoints of SQLModel's FastAPI tutorial
    app = FastAPI()

    # The tutorial's return annotation (-> Hero) names the response model;
    # given here, as it is the class of the mode under test.
    @app.post("/heroes/", response_model=hero_cls)
    async def create_hero(hero: HeroCreate) -> Any:
        async with sessions() as session:
            db_hero = hero_cls.model_validate(hero)
            session.add(db_hero)
            await session.commit()
            if refresh:
                await session.refresh(db_hero)
            return db_hero

    @app.patch("/heroes/{hero_id}", response_model=hero_cls)
    async def update_hero(hero_id: int, hero: HeroUpdate) -> Any:
        async with sessions() as session:
            db_hero = await session.get(hero_cls, hero_id)
            if db_hero is None:
                raise HTTPException(status_code=404, detail="Hero not found")
            db_hero.sqlmodel_update(hero.model_dump(exclude_unset=True))
            session.add(db_hero)
            await session.commit()
            if refresh:
                await session.refresh(db_hero)
            return db_hero

    return app


def _response_stamps(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "created_at": dt.datetime.fromisoformat(body["created_at"]),
        "updated_at": dt.datetime.fromisoformat(body["updated_at"]),
        "name_changed_at": dt.datetime.fromisoformat(body["name_changed_at"]),
        "name_updated_at": dt.datetime.fromisoformat(body["name_updated_at"]),
        "changes": body["changes"],
    }


def _db_stamps(row: dict[str, Any]) -> dict[str, Any]:
    return {
        key: row[key]
        for key in (
            "created_at",
            "updated_at",
            "name_changed_at",
            "name_updated_at",
            "changes",
        )
    }


@pytest.fixture
async def client_for(
    db: Engine, hero_cls: Any
) -> AsyncIterator[Callable[[type[Any], bool], httpx.AsyncClient]]:
    engine = create_async_engine(
        async_url(db.url.render_as_string(hide_password=False))
    )
    clients: list[httpx.AsyncClient] = []

    def make(session_class: type[Any], expire_on_commit: bool) -> httpx.AsyncClient:
        sessions = async_sessionmaker(
            engine, class_=session_class, expire_on_commit=expire_on_commit
        )
        app = _app(sessions, expire_on_commit, hero_cls)
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://test"
        )
        clients.append(client)
        return client

    try:
        yield make
    finally:
        for client in clients:
            await client.aclose()
        await engine.dispose()


@pytest.mark.parametrize(
    "session_class",
    [
        pytest.param(sqlalchemy.ext.asyncio.AsyncSession, id="sqlalchemy"),
        pytest.param(SQLModelAsyncSession, id="sqlmodel"),
    ],
)
@pytest.mark.parametrize(
    "expire_on_commit",
    [
        pytest.param(False, id="no-refresh"),
        pytest.param(True, id="refresh"),
    ],
)
async def test_fastapi_responses_carry_the_stamps_just_written(
    db: Engine,
    hero_cls: Any,
    client_for: Callable[[type[Any], bool], httpx.AsyncClient],
    session_class: type[Any],
    expire_on_commit: bool,
) -> None:
    client = client_for(session_class, expire_on_commit)
    created = await client.post(
        "/heroes/", json={"name": "Deadpond", "secret_name": "Dive Wilson"}
    )
    assert created.status_code == 200, created.text
    body = created.json()
    inserted = _row(db, hero_cls, body["id"])
    assert _response_stamps(body) == _db_stamps(inserted)
    _assert_inserted(inserted, HERO_FIELDS)

    tick()
    patched = await client.patch(f"/heroes/{body['id']}", json={"age": 48})
    assert patched.status_code == 200, patched.text
    aged = _row(db, hero_cls, body["id"])
    assert _response_stamps(patched.json()) == _db_stamps(aged)
    assert aged["stamps"] == {**inserted["stamps"], "age": (48, aged["updated_at"])}
    assert aged["name_changed_at"] == inserted["created_at"]

    tick()
    renamed = await client.patch(f"/heroes/{body['id']}", json={"name": "Deadpool"})
    assert renamed.status_code == 200, renamed.text
    row = _row(db, hero_cls, body["id"])
    assert _response_stamps(renamed.json()) == _db_stamps(row)
    assert row["name_changed_at"] == row["updated_at"] > aged["updated_at"]

    missing = await client.patch("/heroes/0", json={"age": 1})
    assert missing.status_code == 404


# -- what fails, and how -------------------------------------------------------


def _fresh_base() -> type[SQLModel]:
    class Base(SQLModel, registry=registry()):
        pass

    return Base


def _plain_mixins() -> None:
    class Villain(TimestampMixin, ChangeTrackingMixin, _fresh_base(), table=True):
        id: int | None = Field(default=None, primary_key=True)


def _plain_mixin_after_sqlmodel() -> None:
    class Villain(_fresh_base(), ChangeTrackingMixin, table=True):
        id: int | None = Field(default=None, primary_key=True)


def _plain_mixin_on_a_non_table_model() -> None:
    class VillainBase(TimestampMixin, SQLModel):
        name: str


def _mapped_changed_at() -> None:
    class Villain(TimestampFields, _fresh_base(), table=True):
        id: int | None = Field(default=None, primary_key=True)
        name: str
        name_changed_at: Mapped[dt.datetime | None] = changed_at("name")


def _unannotated_changed_at() -> None:
    class Villain(_fresh_base(), table=True):
        id: int | None = Field(default=None, primary_key=True)
        name: str
        name_changed_at: dt.datetime | None = changed_at("name")


def _unannotated_updated_at_column() -> None:
    class Villain(ChangeTrackingFields, _fresh_base(), table=True):
        id: int | None = Field(default=None, primary_key=True)
        name: str
        name_updated_at: dt.datetime | None = updated_at_column("name")


def _redeclared_created_at() -> None:
    class Villain(TimestampFields, _fresh_base(), table=True):
        id: int | None = Field(default=None, primary_key=True)
        created_at: dt.datetime | None = None


def _redeclared_updated_at_column() -> None:
    class Villain(TimestampFields, _fresh_base(), table=True):
        id: int | None = Field(default=None, primary_key=True)
        updated_at: dt.datetime | None = Field(
            default=None, sa_column=sqlalchemy.Column(sqlalchemy.DateTime)
        )


def _redeclared_changes() -> None:
    class Villain(ChangeTrackingFields, _fresh_base(), table=True):
        id: int | None = Field(default=None, primary_key=True)
        changes: dict[str, Any] | None = Field(default=None, sa_type=JSON)


def _copied_changes_column() -> None:
    column = vars(ChangeTrackingMixin)["changes"].column._copy()

    class Villain(_fresh_base(), table=True):
        id: int | None = Field(default=None, primary_key=True)
        name: str
        changes: dict[str, Any] | None = Field(default=None, sa_column=column)


def _mirror_without_changes() -> None:
    class Villain(TimestampFields, _fresh_base(), table=True):
        id: int | None = Field(default=None, primary_key=True)
        name: str
        name_updated_at: dt.datetime | None = updated_at_field("name")


def _misspelt_changed_at_field() -> None:
    class Villain(_fresh_base(), table=True):
        id: int | None = Field(default=None, primary_key=True)
        name: str
        name_changed_at: dt.datetime | None = changed_at_field("nmae")


def _misspelt_option() -> None:
    class Villain(ChangeTrackingFields, _fresh_base(), table=True):
        __fieldstamps__: ClassVar[FieldstampsOptions] = {"include": ["nmae"]}
        id: int | None = Field(default=None, primary_key=True)
        name: str


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            _plain_mixins,
            r"^Villain: fieldstamps.TimestampMixin declares SQLAlchemy Mapped\[...\] "
            r"columns, which a SQLModel class cannot take; use "
            r"fieldstamps.sqlmodel.TimestampFields instead$",
        ),
        (
            _plain_mixin_after_sqlmodel,
            r"^Villain: fieldstamps.ChangeTrackingMixin .* use "
            r"fieldstamps.sqlmodel.ChangeTrackingFields instead$",
        ),
        (
            _plain_mixin_on_a_non_table_model,
            r"^VillainBase: fieldstamps.TimestampMixin .*TimestampFields instead$",
        ),
        (
            _mapped_changed_at,
            r"^Villain.name_changed_at: fieldstamps.changed_at\(\) declares a "
            r"SQLAlchemy mapped_column, .* use "
            r"fieldstamps.sqlmodel.changed_at_field\(\) instead$",
        ),
        (
            _unannotated_changed_at,
            r"^Villain.name_changed_at: fieldstamps.changed_at\(\) .*"
            r"changed_at_field\(\) instead$",
        ),
        (
            _unannotated_updated_at_column,
            r"^Villain.name_updated_at: fieldstamps.updated_at_column\(\) .*"
            r"updated_at_field\(\) instead$",
        ),
        (
            _redeclared_created_at,
            r"^Villain.created_at re-declares the field of "
            r"fieldstamps.sqlmodel.TimestampFields, so the database would not "
            r"set it; remove it from the class",
        ),
        (
            _redeclared_updated_at_column,
            r"^Villain.updated_at re-declares the field of "
            r"fieldstamps.sqlmodel.TimestampFields",
        ),
        (
            _redeclared_changes,
            r"^Villain.changes re-declares the field of "
            r"fieldstamps.sqlmodel.ChangeTrackingFields",
        ),
        (
            _copied_changes_column,
            r"^Villain.changes is fieldstamps' changes column, which only "
            r"fieldstamps.sqlmodel.ChangeTrackingFields wires",
        ),
        (
            _mirror_without_changes,
            r"^Villain.name_updated_at = updated_at_field\(...\) needs "
            r"fieldstamps.sqlmodel.ChangeTrackingFields",
        ),
        (
            _misspelt_changed_at_field,
            r"^Villain.name_changed_at = changed_at\('nmae'\): Villain has no "
            r"column 'nmae'",
        ),
        (
            _misspelt_option,
            r"^Villain.__fieldstamps__\['include'\] names 'nmae', which is not "
            r"a column of Villain",
        ),
    ],
)
def test_mistakes_fail_at_class_creation_naming_class_and_field(
    build: Callable[[], None], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        build()


def test_helpers_check_their_arguments_like_the_sqlalchemy_ones() -> None:
    with pytest.raises(ConfigurationError, match="at least one field name"):
        changed_at_field()
    with pytest.raises(ConfigurationError, match="field names as strings"):
        changed_at_field(3)
    with pytest.raises(ConfigurationError, match="a field name as a string"):
        updated_at_field("")


def test_sqlalchemy_mixins_are_unchanged_for_declarative_classes() -> None:
    # The SQLModel check in the mixins must not get in the way of plain
    # declarative classes, nor of intermediate mixins.
    class Base(DeclarativeBase):
        pass

    class Audited(TimestampMixin, ChangeTrackingMixin):
        pass

    class Thing(Audited, Base):
        __tablename__ = "sqlmodel_plain_thing"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(String(20))

    assert Thing.updated_at_of("name") is not None


def test_history_of_a_sqlmodel_class(db: Engine) -> None:
    with Session(db) as session:
        villain = Villain(name="Joker", lair="cave")
        session.add(villain)
        session.commit()
        with fieldstamps.context(actor="admin"):
            villain.name, villain.lair = "Joker II", "tower"
            session.commit()
        changes = villain.get_history()
        assert [(c.operation, c.old, c.new, c.actor) for c in changes] == [
            ("update", "Joker", "Joker II", "admin"),
            ("insert", None, "Joker", None),
        ]
        assert villain.as_of(villain.created_at) == {"name": "Joker"}
