"""``fieldstamps demo``: the seed post's sessions, replayed on every backend."""

from __future__ import annotations

import datetime as dt
import inspect
import io
import json
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, select
from sqlalchemy import inspect as inspect_db
from sqlalchemy.orm import Session

from fieldstamps import UnsupportedDatabaseError, _demo
from fieldstamps.__main__ import main
from fieldstamps._demo import FULLNAME, NAME, TABLE_NAME, DemoResult, User, render, run

TITLES = [
    "Create spongebob. Seed flaw 1: each field got its own client time.",
    "Rename: every field changed by one commit carries one instant.",
    "An update() statement. Seed flaw 2: it bypassed __setattr__.",
    "The same statement again: the row is written, but the name did not change.",
    "A Core UPDATE of user_table (User.__table__), outside the ORM session.",
    "The changes column as stored, read back as text.",
]


@pytest.fixture(scope="module")
def result(engine: Engine) -> DemoResult:
    return run(engine)


def _body(function: Callable[..., object]) -> str:
    """The source of ``function`` after its docstring, dedented."""
    after_docstring = inspect.getsource(function).split('"""', 2)[2]
    return textwrap.dedent(after_docstring).strip("\n")


def _at(result: DemoResult, step: int, stamp: str) -> dt.datetime:
    instant = result.steps[step - 1].stamps[stamp]
    assert instant is not None, f"step {step} has no {stamp}"
    assert instant.utcoffset() == dt.timedelta(0)
    return instant


def test_every_check_passes(result: DemoResult) -> None:
    assert [step.title for step in result.steps] == TITLES
    labels = [[check.label for check in step.checks] for step in result.steps]
    assert labels == [
        ["same instant"],
        ["moved", "kept", "same instant"],
        ["moved", "kept", "same instant"],
        ["moved", "kept"],
        ["moved", "kept", "same instant"],
        ["seed's shape"],
    ]
    failed = [
        check for step in result.steps for check in step.checks if not check.passed
    ]
    assert failed == []
    assert result.passed


def test_flaw_1_one_commit_is_one_server_instant(result: DemoResult) -> None:
    create = result.steps[0]
    assert create.values == {"name": "spongebob", "fullname": "Spongebob Squarepants"}
    assert set(create.stamps) == {
        "created_at",
        "updated_at",
        NAME,
        FULLNAME,
        "name_changed_at",
    }
    assert len({_at(result, 1, stamp) for stamp in create.stamps}) == 1


def test_rename_stamps_the_name_only(result: DemoResult) -> None:
    assert result.steps[1].values["name"] == "Spongebob"
    name = _at(result, 2, NAME)
    assert name == _at(result, 2, "updated_at") == _at(result, 2, "name_changed_at")
    assert name > _at(result, 1, NAME)
    assert _at(result, 2, FULLNAME) == _at(result, 1, FULLNAME)
    assert _at(result, 2, "created_at") == _at(result, 1, "created_at")


def test_flaw_2_an_update_statement_is_stamped(result: DemoResult) -> None:
    assert result.steps[2].values["name"] == "SpongeBob"
    name = _at(result, 3, NAME)
    assert name == _at(result, 3, "updated_at") == _at(result, 3, "name_changed_at")
    assert name > _at(result, 2, NAME)
    assert _at(result, 3, FULLNAME) == _at(result, 1, FULLNAME)


def test_the_same_value_again_moves_updated_at_only(result: DemoResult) -> None:
    assert _at(result, 4, "updated_at") > _at(result, 3, "updated_at")
    assert _at(result, 4, NAME) == _at(result, 3, NAME)
    assert _at(result, 4, "name_changed_at") == _at(result, 3, "name_changed_at")
    assert _at(result, 4, FULLNAME) == _at(result, 1, FULLNAME)


def test_a_core_update_is_stamped(result: DemoResult) -> None:
    assert result.steps[4].values["fullname"] == "SpongeBob SquarePants"
    fullname = _at(result, 5, FULLNAME)
    assert fullname == _at(result, 5, "updated_at")
    assert fullname > _at(result, 4, "updated_at")
    assert _at(result, 5, NAME) == _at(result, 3, NAME)
    assert _at(result, 5, "name_changed_at") == _at(result, 3, "name_changed_at")


def test_stored_changes_have_the_seed_shape_and_the_same_instants(
    result: DemoResult,
) -> None:
    stored = result.steps[5]
    assert stored.stamps == {}
    text = stored.values["changes"]
    assert text is not None
    changes = json.loads(text)
    assert changes["name"]["value"] == "SpongeBob"
    assert changes["fullname"]["value"] == "SpongeBob SquarePants"
    for field, stamp in (("name", NAME), ("fullname", FULLNAME)):
        assert set(changes[field]) == {"value", "updated_at"}
        recorded = dt.datetime.fromisoformat(changes[field]["updated_at"])
        assert recorded == _at(result, 5, stamp)


def test_each_listing_is_the_body_of_the_function_that_ran(
    result: DemoResult,
) -> None:
    functions = [
        _demo.create,
        *(write for write, _ in _demo.WRITES),
        _demo.read_changes,
    ]
    for step, function in zip(result.steps, functions, strict=True):
        assert step.code == _body(function)
        assert step.title == inspect.getdoc(function)
    assert result.steps[2].code == (
        'session.execute(update(User).values(name="SpongeBob"))\n'
        "session.commit()\n"
        "session.refresh(spongebob)"
    )
    assert result.steps[3].code == result.steps[2].code


# Broken steps, to show that the demo's checks catch what they claim to.


def _forget_to_write(engine: Engine, session: Session, spongebob: User) -> None:
    """A write that forgets to write."""
    session.commit()


def _rename_in_two_commits(engine: Engine, session: Session, spongebob: User) -> None:
    """A rename, and a fullname change committed apart from it."""
    spongebob.name = "Spongebob"
    session.commit()
    time.sleep(_demo.PAUSE_SECONDS)
    spongebob.fullname = "Spongebob S."
    session.commit()


def _read_a_wrong_shape(engine: Engine) -> str | None:
    """A changes column without its stamps."""
    return '{"name": "SpongeBob", "fullname": "SpongeBob SquarePants"}'


def _read_one_field(engine: Engine) -> str | None:
    """A changes column that lost a field."""
    return '{"name": {"value": "SpongeBob", "updated_at": "2026-01-01T00:00:00Z"}}'


@pytest.mark.parametrize(
    ("step", "broken", "failed"),
    [
        # The name then changes in step 4, which must keep it.
        (3, _forget_to_write, [(3, "moved"), (4, "kept")]),
        (2, _rename_in_two_commits, [(2, "kept"), (2, "same instant")]),
        (6, _read_a_wrong_shape, [(6, "seed's shape")]),
        (6, _read_one_field, [(6, "seed's shape")]),
    ],
)
def test_checks_fail_when_a_step_goes_wrong(
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    step: int,
    broken: Callable[..., object],
    failed: list[tuple[int, str]],
) -> None:
    if step == 6:
        monkeypatch.setattr(_demo, "read_changes", broken)
    else:
        writes = list(_demo.WRITES)
        writes[step - 2] = (broken, writes[step - 2][1])
        monkeypatch.setattr(_demo, "WRITES", tuple(writes))

    result = run(engine)

    assert not result.passed
    assert [
        (number, check.label)
        for number, ran in enumerate(result.steps, 1)
        for check in ran.checks
        if not check.passed
    ] == failed
    # What is shown is what ran, broken or not.
    assert result.steps[step - 1].title == inspect.getdoc(broken)
    assert result.steps[step - 1].code == _body(broken)


def test_a_failed_check_is_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(_demo, "read_changes", _read_a_wrong_shape)
    assert main(["demo"]) == 1
    assert capsys.readouterr().err == ""


def test_render_shows_every_step(result: DemoResult) -> None:
    out = io.StringIO()
    render(result, out)
    text = out.getvalue()
    for number, step in enumerate(result.steps, 1):
        assert f"\n{number}. {step.title}\n" in text
        assert textwrap.indent(step.code, " " * 7) in text
    assert text.endswith(
        "All 13 checks passed: one server instant per write, "
        "equal to updated_at, on every write path.\n"
    )


def test_demo_touches_only_its_own_table(engine: Engine) -> None:
    neighbour = Table(
        "fieldstamps_demo_neighbour",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("note", String(20)),
    )
    neighbour.drop(engine, checkfirst=True)
    neighbour.create(engine)
    try:
        with engine.begin() as conn:
            conn.execute(neighbour.insert().values(id=1, note="keep me"))
        tables = set(inspect_db(engine).get_table_names())

        assert run(engine).passed

        assert set(inspect_db(engine).get_table_names()) == tables
        assert TABLE_NAME not in tables
        with engine.connect() as conn:
            assert conn.execute(select(neighbour)).all() == [(1, "keep me")]
    finally:
        neighbour.drop(engine, checkfirst=True)


def test_command_passes_on_every_backend(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    assert main(["demo", "--url", url]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith(f"fieldstamps demo on {url}\n")


def test_python_dash_m_runs_the_demo_on_a_temporary_sqlite_file() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "fieldstamps", "demo"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == ""
    assert done.stdout.startswith("fieldstamps demo on a temporary SQLite file\n")


def test_help_names_the_demo(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--help"])
    assert exit_info.value.code == 0
    assert "--url" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("postgresql+psycopg://postgres@127.0.0.1:1/test", "cannot connect to"),
        ("mysql+pymysql://root:hunter2@127.0.0.1:1/test", "cannot connect to"),
        ("mssql+pyodbc://someone@host/db", "its driver is not installed"),
        ("postgresql+nosuchdriver://someone@host/db", "cannot use --url"),
        ("not a url", "cannot use --url not a url: "),
    ],
)
def test_unusable_url_is_one_clear_line_and_exit_2(
    url: str, reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--url", url]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("fieldstamps demo: ")
    assert reason in err
    assert "Traceback" not in err
    assert "hunter2" not in err


def test_unsupported_database_is_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(UnsupportedDatabaseError, "SUPPORTED", ("postgresql",))
    assert main(["demo"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "fieldstamps demo: fieldstamps does not support the 'sqlite' dialect; "
        "supported: postgresql\n"
    )


def test_bad_url_from_the_command_line_has_no_traceback() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "fieldstamps",
            "demo",
            "--url",
            "postgresql+psycopg://postgres@127.0.0.1:1/test",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("fieldstamps demo: cannot connect to ")
    assert "Traceback" not in done.stderr
