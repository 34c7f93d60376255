"""fieldstamps.check(): the triggers a database holds compared with what the
classes declare, read from the catalog; and the sql/check/install commands."""

from __future__ import annotations

import datetime as dt
import importlib
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, Integer, MetaData, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

import fieldstamps
from fieldstamps import (
    CatalogError,
    ChangeTrackingMixin,
    Drift,
    TimestampMixin,
    changed_at,
    check,
    trigger_ddl,
)
from fieldstamps.__main__ import main
from fieldstamps._triggers import connection_dialect_name, install, table_ddl
from tests.requirements import requires
from tests.stamps import raw_sql


class Base(DeclarativeBase):
    pass


class Card(TimestampMixin, ChangeTrackingMixin, Base):
    __tablename__ = "check_card"
    __fieldstamps__ = {"triggers": True}  # noqa: RUF012

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(50))
    n: Mapped[int | None] = mapped_column(Integer)


class Tag(Base):
    __tablename__ = "check_tag"
    __fieldstamps__ = {"triggers": True}  # noqa: RUF012

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(50))
    label_changed_at: Mapped[dt.datetime | None] = changed_at("label")


class NarrowBase(DeclarativeBase):
    pass


class NarrowCard(TimestampMixin, ChangeTrackingMixin, NarrowBase):
    """check_card as another version of the model declares it: one field."""

    __tablename__ = "check_card"
    __fieldstamps__ = {"triggers": True, "include": ["title"]}  # noqa: RUF012

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(50))
    n: Mapped[int | None] = mapped_column(Integer)


class PlainBase(DeclarativeBase):
    pass


class PlainCard(TimestampMixin, ChangeTrackingMixin, PlainBase):
    """check_card once its class no longer asks for triggers."""

    __tablename__ = "check_card"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(50))
    n: Mapped[int | None] = mapped_column(Integer)


class GoneBase(DeclarativeBase):
    pass


class Gone(ChangeTrackingMixin, GoneBase):
    """A table whose class was deleted from the application."""

    __tablename__ = "check_gone"
    __fieldstamps__ = {"triggers": True}  # noqa: RUF012

    id: Mapped[int] = mapped_column(primary_key=True)
    word: Mapped[str] = mapped_column(String(50))


@pytest.fixture
def cards(own_db: Engine) -> Iterator[Engine]:
    Base.metadata.drop_all(own_db)
    Base.metadata.create_all(own_db)
    yield own_db
    GoneBase.metadata.drop_all(own_db)
    Base.metadata.drop_all(own_db)


def _ddl(db: Engine, model: type) -> fieldstamps.TriggerDDL:
    with db.connect() as conn:
        return trigger_ddl(model, connection_dialect_name(conn))


def _check(db: Engine, metadata: MetaData = Base.metadata) -> list[Drift]:
    with db.connect() as conn:
        return check(conn, metadata)


def test_as_declared_is_no_drift(cards: Engine) -> None:
    assert _check(cards) == []
    # Checking reads only: a second look finds the same.
    assert _check(cards) == []


def test_a_dropped_trigger_is_missing(cards: Engine) -> None:
    ddl = _ddl(cards, Card)
    raw_sql(cards, ddl.uninstall[0])
    [drift] = _check(cards)
    assert (drift.table, drift.status, drift.expected_hash) == (
        "check_card",
        "missing",
        ddl.hash,
    )
    # Where a table has two triggers, the one left still carries the hash.
    assert drift.installed_hash in (None, ddl.hash)
    raw_sql(cards, *ddl.uninstall)
    assert _check(cards) == [Drift("check_card", "missing", ddl.hash, None)]


def _after_hash_line(sql: str, digest: str, added: str) -> str:
    """``sql`` with ``added`` after the line carrying the hash, if any."""
    at = sql.find(digest)
    if at < 0:
        return sql
    end = sql.index("\n", at)
    return sql[:end] + added + sql[end:]


def test_a_body_edited_by_hand_is_modified(cards: Engine) -> None:
    ddl = _ddl(cards, Card)
    edited = [
        _after_hash_line(sql, ddl.hash, "\n-- tweaked in the console")
        for sql in ddl.install
    ]
    assert edited != list(ddl.install)
    raw_sql(cards, *ddl.uninstall, *edited)
    # It still carries the declared hash, which its body no longer matches.
    assert _check(cards) == [Drift("check_card", "modified", ddl.hash, ddl.hash)]


def test_a_body_with_another_hash_written_in_is_modified(cards: Engine) -> None:
    ddl, narrow = _ddl(cards, Card), _ddl(cards, NarrowCard)
    # Our body claiming the other model's hash: re-hashing gives it away.
    forged = [sql.replace(ddl.hash, narrow.hash) for sql in ddl.install]
    raw_sql(cards, *ddl.uninstall, *forged)
    assert _check(cards) == [Drift("check_card", "modified", ddl.hash, narrow.hash)]


def test_triggers_of_another_model_are_outdated(cards: Engine) -> None:
    ddl, narrow = _ddl(cards, Card), _ddl(cards, NarrowCard)
    assert narrow.hash != ddl.hash
    raw_sql(cards, *ddl.uninstall, *narrow.install)
    assert _check(cards) == [Drift("check_card", "outdated", ddl.hash, narrow.hash)]


def test_triggers_no_class_asks_for_are_orphaned(cards: Engine) -> None:
    card, tag = _ddl(cards, Card), _ddl(cards, Tag)
    orphans = [
        Drift("check_card", "orphaned", None, card.hash),
        Drift("check_tag", "orphaned", None, tag.hash),
    ]
    # Neither table is in the metadata at all.
    assert _check(cards, MetaData()) == orphans
    # check_card's class no longer asks for them: SQL mode, which needs no
    # object, or its changes function (then missing) where INSERTs call one.
    if requires.changes_function(cards):
        with cards.connect() as conn:
            function = table_ddl(PlainCard.__table__, connection_dialect_name(conn))
        orphans[0] = Drift("check_card", "missing", function.hash, card.hash)
    assert _check(cards, PlainBase.metadata) == orphans


def test_a_disabled_trigger_is_reported(cards: Engine) -> None:
    ddl = _ddl(cards, Card)
    if not requires.disable_trigger(cards):
        # Nothing can disable a trigger there: the statement itself fails,
        # and the triggers stay as declared.
        with pytest.raises(cards.dialect.loaded_dbapi.Error):
            raw_sql(
                cards, "ALTER TABLE check_card DISABLE TRIGGER fieldstamps_check_card"
            )
        assert _check(cards) == []
        return
    raw_sql(cards, "ALTER TABLE check_card DISABLE TRIGGER fieldstamps_check_card")
    assert _check(cards) == [Drift("check_card", "disabled", ddl.hash, ddl.hash)]
    # Firing only for rows a logical-replication subscriber applies, it
    # stamps no local write: as good as disabled for this database's writers.
    raw_sql(
        cards, "ALTER TABLE check_card ENABLE REPLICA TRIGGER fieldstamps_check_card"
    )
    assert _check(cards) == [Drift("check_card", "disabled", ddl.hash, ddl.hash)]
    # ALWAYS fires for local writes too (and restamps replicated rows).
    raw_sql(
        cards, "ALTER TABLE check_card ENABLE ALWAYS TRIGGER fieldstamps_check_card"
    )
    assert _check(cards) == []


def test_install_repairs_every_drift_and_is_idempotent(cards: Engine) -> None:
    card, narrow, tag = _ddl(cards, Card), _ddl(cards, NarrowCard), _ddl(cards, Tag)
    GoneBase.metadata.create_all(cards)
    raw_sql(cards, *card.uninstall, *narrow.install, tag.uninstall[0])
    expected = [
        Drift("check_card", "outdated", card.hash, narrow.hash),
        Drift("check_gone", "orphaned", None, _ddl(cards, Gone).hash),
        Drift(
            "check_tag",
            "missing",
            tag.hash,
            None if len(tag.install) == 2 else tag.hash,
        ),
    ]
    drifts = _check(cards)
    assert [(d.table, d.status) for d in drifts] == [
        (d.table, d.status) for d in expected
    ]
    with cards.begin() as conn:
        assert install(conn, Base.metadata) == drifts
    assert _check(cards) == []
    with cards.begin() as conn:
        assert install(conn, Base.metadata) == []
    # What install put back stamps raw writes, with every field again.
    raw_sql(cards, "INSERT INTO check_card (id, title, n) VALUES (1, 'a', 2)")
    with cards.connect() as conn:
        changes = conn.execute(select(Card.changes)).scalar_one()
    assert sorted(changes) == ["n", "title"]


def test_install_repairs_a_modified_and_a_disabled_trigger(cards: Engine) -> None:
    ddl = _ddl(cards, Card)
    raw_sql(
        cards,
        *ddl.uninstall,
        *(_after_hash_line(sql, ddl.hash, " ") for sql in ddl.install),
    )
    if requires.disable_trigger(cards):
        raw_sql(cards, "ALTER TABLE check_tag DISABLE TRIGGER fieldstamps_check_tag")
    statuses = {d.table: d.status for d in _check(cards)}
    assert statuses["check_card"] == "modified"
    assert ("check_tag" in statuses) == requires.disable_trigger(cards)
    with cards.begin() as conn:
        install(conn, Base.metadata)
    assert _check(cards) == []


def test_a_catalog_that_cannot_be_read_is_a_clear_error(cards: Engine) -> None:
    conn = cards.connect()
    conn.close()
    with pytest.raises(
        CatalogError, match="cannot read the trigger catalog of"
    ) as info:
        check(conn, Base.metadata)
    assert cards.url.render_as_string(hide_password=True) in str(info.value)
    assert isinstance(info.value, fieldstamps.FieldstampsError)


# -- the commands ------------------------------------------------------------------

CLI_MODELS = """
    from sqlalchemy import String
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
    from fieldstamps import ChangeTrackingMixin, TimestampMixin

    class Base(DeclarativeBase):
        pass

    class Memo(TimestampMixin, ChangeTrackingMixin, Base):
        __tablename__ = "check_cli_memo"
        __fieldstamps__ = {"triggers": True}
        id: Mapped[int] = mapped_column(primary_key=True)
        text: Mapped[str] = mapped_column(String(50))

    class Plain(Base):
        __tablename__ = "check_cli_plain"
        id: Mapped[int] = mapped_column(primary_key=True)

    NOT_A_MODEL = 42
"""


@pytest.fixture
def cli_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The name of a models module in the current directory."""
    module = f"fieldstamps_check_models_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{module}.py").write_text(textwrap.dedent(CLI_MODELS))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    yield module
    sys.modules.pop(module, None)


@pytest.fixture
def cli_db(own_db: Engine, cli_module: str) -> Iterator[tuple[str, str]]:
    """(module, URL), the module's tables created without their triggers."""
    # The command puts the current directory on the path; so does this.
    sys.path.insert(0, str(Path.cwd()))
    models = importlib.import_module(cli_module)
    metadata = models.Base.metadata
    metadata.create_all(own_db)
    raw_sql(own_db, *_ddl(own_db, models.Memo).uninstall)
    yield cli_module, own_db.url.render_as_string(hide_password=False)
    metadata.drop_all(own_db)


def _lines(out: str) -> list[list[str]]:
    return [line.split() for line in out.splitlines()]


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite", "mariadb", "mysql"])
def test_cli_sql_prints_the_install_script(
    cli_module: str, capsys: pytest.CaptureFixture[str], dialect: str
) -> None:
    assert main(["sql", f"{cli_module}:Base", "--dialect", dialect]) == 0
    out = capsys.readouterr().out
    ddl = trigger_ddl(sys.modules[cli_module].Memo, dialect)
    assert out.startswith(f"-- fieldstamps_check_cli_memo {ddl.hash}\n")
    for statement in ddl.install:
        assert statement in out
    assert "check_cli_plain" not in out


def test_cli_sql_without_trigger_classes_says_so(
    cli_module: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sql", f"{cli_module}:Plain", "--dialect", "sqlite"]) == 1
    assert "no class of" in capsys.readouterr().err


def test_cli_check_then_install(
    own_db: Engine, cli_db: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    module, url = cli_db
    expected = _ddl(own_db, sys.modules[module].Memo).hash
    assert main(["check", f"{module}:Base", "--url", url]) == 1
    assert _lines(capsys.readouterr().out) == [
        ["table", "status", "expected", "installed"],
        ["check_cli_memo", "missing", expected, "-"],
    ]
    assert main(["install", f"{module}:Base", "--url", url]) == 0
    assert _lines(capsys.readouterr().out)[-1] == [
        "check_cli_memo",
        "missing",
        expected,
        "-",
    ]
    assert main(["install", f"{module}:Base", "--url", url]) == 0
    assert capsys.readouterr().out.startswith("nothing to do")
    for target in ("Base", "Base.metadata", "Memo"):
        assert main(["check", f"{module}:{target}", "--url", url]) == 0, target
        assert capsys.readouterr().out == "fieldstamps triggers are as declared\n"


def test_cli_check_of_one_class_ignores_other_tables(
    cli_db: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    module, url = cli_db
    assert main(["check", f"{module}:Plain", "--url", url]) == 0
    assert main(["check", f"{module}:Memo", "--url", url]) == 1
    assert "missing" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (":NOT_A_MODEL", "not a declarative base, a MetaData or a model class"),
        (":Nope", "has no 'Nope'"),
        ("", "is not MODULE:ATTR"),
    ],
)
@pytest.mark.parametrize("command", ["check", "install"])
def test_cli_refusals(
    cli_db: tuple[str, str],
    capsys: pytest.CaptureFixture[str],
    command: str,
    target: str,
    message: str,
) -> None:
    module, url = cli_db
    assert main([command, f"{module}{target}", "--url", url]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"fieldstamps {command}: ") and message in err, err


def test_cli_reports_a_catalog_it_cannot_read(
    cli_module: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # A file that is no SQLite database: its catalog cannot be read.
    bogus = tmp_path / "not-a-database.own_db"
    bogus.write_bytes(b"this is not a database file, just text" * 100)
    assert main(["check", f"{cli_module}:Base", "--url", f"sqlite:///{bogus}"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("fieldstamps check: cannot read the trigger catalog of")
