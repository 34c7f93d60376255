"""Bad configuration fails when the class is created, naming class and field."""

from __future__ import annotations

import datetime as dt
import types
from typing import Any

import pytest
from sqlalchemy import Computed, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, configure_mappers, mapped_column

import fieldstamps
from fieldstamps import (
    ChangeTrackingMixin,
    ConfigurationError,
    FieldstampsError,
    NaiveDatetimeError,
    TimestampMixin,
    UnknownFieldError,
    UnsupportedDatabaseError,
    changed_at,
)
from fieldstamps._model import tracking_of
from tests.models import Everything, Secretive, User


def test_all_is_sorted_and_complete() -> None:
    assert fieldstamps.__all__ == sorted(fieldstamps.__all__)
    public = {
        name
        for name in dir(fieldstamps)
        if not name.startswith("_")
        and name not in {"annotations"}
        # Public submodules (fieldstamps.alembic, …) are imported by name.
        and not isinstance(getattr(fieldstamps, name), types.ModuleType)
    }
    assert public == set(fieldstamps.__all__)


def test_every_exception_derives_from_the_base() -> None:
    for name in fieldstamps.__all__:
        obj = getattr(fieldstamps, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, FieldstampsError), name


def _model(options: Any = None, **columns: Any) -> type:
    class Base(DeclarativeBase):
        pass

    namespace: dict[str, Any] = {
        "__tablename__": "thing",
        "__annotations__": {"id": Mapped[int], "name": Mapped[str]},
        "id": mapped_column(primary_key=True),
        "name": mapped_column(String(20)),
        **columns,
    }
    if options is not None:
        namespace["__fieldstamps__"] = options
    return type("Thing", (ChangeTrackingMixin, Base), namespace)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"include": ["nmae"]},
            r"Thing.__fieldstamps__\['include'\] names 'nmae'.*columns: id, name",
        ),
        ({"exclude": ["nope"]}, r"Thing.__fieldstamps__\['exclude'\] names 'nope'"),
        ({"include": "name"}, r"must be a list of field names, not 'name'"),
        ({"inclde": ["name"]}, r"Thing.__fieldstamps__ has unknown key\(s\) 'inclde'"),
        ({"include": ["changes"]}, r"'changes', a fieldstamps stamp column"),
        (
            {"store_values": ["id"]},
            r"'store_values'\] names 'id', which is not a tracked field",
        ),
        (["name"], r"Thing.__fieldstamps__ must be a dict"),
        ({"redact": ["pasword"]}, r"\['redact'\] names 'pasword'.*columns: id, name"),
        ({"redact": "name"}, r"\['redact'\] must be a list of field names"),
        (
            {"redact": ["name"], "store_values": ["name"]},
            r"names 'name' in both 'store_values' and 'redact'",
        ),
    ],
)
def test_bad_options_raise_at_class_creation(options: Any, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        _model(options)


def test_including_a_computed_column_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="'double', a computed column"):
        _model(
            {"include": ["double"]},
            double=mapped_column(Integer, Computed("id * 2")),
        )


def test_changed_at_on_an_unknown_field_names_class_attribute_and_field() -> None:
    with pytest.raises(
        ConfigurationError,
        match=r"Thing.naem_changed_at = changed_at\('naem'\): "
        r"Thing has no column 'naem'",
    ):
        _model(naem_changed_at=changed_at("naem"))


def test_changed_at_needs_field_names() -> None:
    with pytest.raises(ConfigurationError, match="at least one field"):
        changed_at()
    with pytest.raises(ConfigurationError, match="as strings, got 3"):
        changed_at(3)  # type: ignore[arg-type]


def test_a_model_of_its_own_changes_column_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="not the mixin's JSON column"):
        _model(changes=mapped_column(String(10)))


def test_a_failed_class_does_not_poison_later_mappings() -> None:
    with pytest.raises(ConfigurationError):
        _model({"include": ["nope"]})
    configure_mappers()
    good = _model({"include": ["name"]})
    assert tracking_of(good).keys == ("name",)


def test_default_tracked_fields() -> None:
    assert tracking_of(User).keys == ("name", "fullname", "age")
    assert "blob" in tracking_of(Everything).keys
    secretive = tracking_of(Secretive)
    assert secretive.keys == ("login", "password_hash", "owner_id")
    assert [f.key for f in secretive.fields if f.stores_value] == ["login"]


def test_unknown_field_lists_the_tracked_ones() -> None:
    user = User(name="x")
    with pytest.raises(UnknownFieldError) as caught:
        user.get_updated_at("created_at")
    message = str(caught.value)
    assert "User does not track field 'created_at'" in message
    assert "tracked fields: name, fullname, age" in message
    with pytest.raises(KeyError):  # also a KeyError, as a lookup miss
        User.updated_at_of("email")
    assert user.get_updated_at("name") is None  # tracked, never written


def test_naive_datetimes_are_refused_in_comparisons() -> None:
    naive = dt.datetime(2024, 1, 1)
    with pytest.raises(NaiveDatetimeError, match="naive datetime"):
        User.updated_at_of("name") > naive  # noqa: B015
    with pytest.raises(NaiveDatetimeError):
        User.updated_at > naive  # noqa: B015
    with pytest.raises(NaiveDatetimeError):
        User.name_changed_at.between(naive, naive)
    aware = naive.replace(tzinfo=dt.UTC)
    assert (User.updated_at_of("name") > aware) is not None


def test_unsupported_database_is_named() -> None:
    class Base(DeclarativeBase):
        pass

    class Stamped(TimestampMixin, Base):
        __tablename__ = "stamped"
        id: Mapped[int] = mapped_column(primary_key=True)

    from sqlalchemy.dialects import mssql

    with pytest.raises(
        UnsupportedDatabaseError, match=r"'mssql'.*sqlite, postgresql, mariadb, mysql"
    ):
        Stamped.__table__.insert().values(id=1).compile(dialect=mssql.dialect())
    # str() of a statement (no dialect) stays readable for debugging.
    assert "fieldstamps.UtcNow" in str(Stamped.__table__.insert().values(id=1))


def test_upsert_set_names_a_target_that_is_not_a_class_or_table() -> None:
    with pytest.raises(
        ConfigurationError,
        match=r"upsert_set\(\) needs a mapped class or Table as its first "
        r"argument, got 'users'",
    ):
        fieldstamps.upsert_set("users", {})
    with pytest.raises(ConfigurationError, match="got <object object"):
        fieldstamps.upsert_set(object(), {})


def test_the_api_on_a_class_without_a_table_says_so() -> None:
    class Base(DeclarativeBase):
        pass

    class Abstract(ChangeTrackingMixin, Base):
        __abstract__ = True

    class Unmapped(ChangeTrackingMixin):
        pass

    for cls in (Abstract, Unmapped):
        with pytest.raises(ConfigurationError, match=f"{cls.__name__} is not mapped"):
            cls.updated_at_of("name")
        with pytest.raises(ConfigurationError, match="is not mapped to a table"):
            cls().get_updated_at("name")


def test_a_class_with_stamps_but_no_changes_column_says_so() -> None:
    class Base(DeclarativeBase):
        pass

    class Stamped(TimestampMixin, Base):
        __tablename__ = "stamped_only"
        id: Mapped[int] = mapped_column(primary_key=True)

    with pytest.raises(ConfigurationError, match="does not use ChangeTrackingMixin"):
        tracking_of(Stamped)


def test_table_info_holds_nothing_a_migration_cannot_render() -> None:
    # Alembic's autogenerate writes Table.info into op.create_table(...) with
    # repr(); fieldstamps keeps its spec elsewhere, so the repr stays Python.
    from tests.models import Base

    for table in Base.metadata.tables.values():
        assert eval(repr(table.info)) == table.info, table.name
    assert tracking_of(User).changes is User.__table__.c.changes
