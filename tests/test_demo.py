"""``fieldstamps demo``: the seed post's sessions, replayed on every backend."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, inspect, select

from fieldstamps.__main__ import main
from fieldstamps._demo import TABLE_NAME, format_table
from tests.backends import Backend
from tests.conftest import make_engine

_STEP = re.compile(r"^(\d+)\. (.*)$")
_CHECK = re.compile(r"^   ([a-z_' ]+): (yes|NO)  \(.*\)$")


@dataclass
class Step:
    title: str
    lines: list[str] = field(default_factory=list)
    #: table row label -> (value, instant, change)
    stamps: dict[str, tuple[str, dt.datetime | None, str]] = field(default_factory=dict)
    checks: dict[str, str] = field(default_factory=dict)


def _instant(text: str) -> dt.datetime | None:
    if text == "(none)":
        return None
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=dt.UTC)


def _parse_table(lines: list[str]) -> dict[str, tuple[str, dt.datetime | None, str]]:
    # Column spans come from the dashed rule, so values with spaces parse.
    at = next(
        (n for n, line in enumerate(lines) if line.lstrip().startswith("---")), None
    )
    if at is None:
        return {}
    rule = lines[at]
    spans = [match.span() for match in re.finditer(r"-+", rule)]
    spans[-1] = (spans[-1][0], 10_000)
    rows = {}
    for line in lines[at + 1 :]:
        if not line.strip():
            break
        label, value, instant, change = (line[a:b].strip() for a, b in spans)
        rows[label] = (value, _instant(instant), change)
    return rows


def parse(output: str) -> dict[int, Step]:
    steps: dict[int, Step] = {}
    current: Step | None = None
    for line in output.splitlines():
        match = _STEP.match(line)
        if match:
            current = steps[int(match[1])] = Step(match[2])
        elif current is not None:
            current.lines.append(line)
    for step in steps.values():
        step.stamps = _parse_table(step.lines)
        for line in step.lines:
            check = _CHECK.match(line)
            if check:
                step.checks[check[1]] = check[2]
    return steps


def _at(step: Step, label: str) -> dt.datetime:
    instant = step.stamps[label][1]
    assert instant is not None, f"{label} has no stamp in step {step.title!r}"
    return instant


NAME = 'get_updated_at("name")'
FULLNAME = 'get_updated_at("fullname")'


def _demo_args(backend: Backend, urls: dict[str, str]) -> list[str]:
    # SQLite runs on the demo's own temporary file, as a user would run it.
    return ["demo", "--url", urls[backend.id]] if backend.is_server else ["demo"]


def test_demo_shows_both_seed_flaws_gone(
    backend: Backend, backend_urls: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(_demo_args(backend, backend_urls))
    out, err = capsys.readouterr()

    assert status == 0, out
    assert err == ""
    steps = parse(out)
    assert sorted(steps) == [1, 2, 3, 4, 5, 6]
    every_check = [answer for step in steps.values() for answer in step.checks.values()]
    assert every_check and set(every_check) == {"yes"}, out
    assert (
        out.rstrip()
        .splitlines()[-1]
        .startswith(f"All {len(every_check)} checks passed")
    )

    create, rename, stmt, noop, core, stored = (steps[n] for n in range(1, 7))

    # Flaw 1: one commit, one server instant, equal to updated_at.
    assert create.checks["same instant"] == "yes"
    assert len({_at(create, label) for label in create.stamps}) == 1
    assert create.stamps[NAME][0] == "spongebob"

    assert rename.checks["same instant"] == "yes"
    assert rename.stamps[NAME][0] == "Spongebob"
    assert (
        _at(rename, NAME) == _at(rename, "updated_at") == _at(rename, "name_changed_at")
    )
    assert _at(rename, NAME) > _at(create, NAME)
    assert _at(rename, FULLNAME) == _at(create, FULLNAME)
    assert _at(rename, "created_at") == _at(create, "created_at")

    # Flaw 2: an update() statement moves the name stamp, and only it.
    assert "update(User).values(name=" in "\n".join(stmt.lines)
    assert stmt.stamps[NAME][0] == "SpongeBob"
    assert stmt.stamps[NAME][2] == "moved"
    assert _at(stmt, NAME) > _at(rename, NAME)
    assert _at(stmt, NAME) == _at(stmt, "updated_at") == _at(stmt, "name_changed_at")
    assert _at(stmt, FULLNAME) == _at(create, FULLNAME)

    # The same value again: the row is written, the name stamp stays.
    assert noop.checks["name stamp unchanged"] == "yes"
    assert _at(noop, "updated_at") > _at(stmt, "updated_at")
    assert _at(noop, NAME) == _at(stmt, NAME)
    assert _at(noop, "name_changed_at") == _at(stmt, "name_changed_at")
    assert noop.stamps[NAME][2] == "kept"

    # A Core UPDATE on a connection is captured as well.
    assert "conn.execute(update(" in "\n".join(core.lines)
    assert core.stamps[FULLNAME][0] == "SpongeBob SquarePants"
    assert _at(core, FULLNAME) == _at(core, "updated_at")
    assert _at(core, FULLNAME) > _at(noop, "updated_at")
    assert _at(core, NAME) == _at(stmt, NAME)
    assert _at(core, "name_changed_at") == _at(stmt, "name_changed_at")

    # The stored JSON is the seed's shape and holds the same instants.
    document = next(
        line.strip() for line in stored.lines if line.strip().startswith("{")
    )
    changes = json.loads(document)
    assert changes["name"]["value"] == "SpongeBob"
    assert changes["fullname"]["value"] == "SpongeBob SquarePants"
    for key, label in (("name", NAME), ("fullname", FULLNAME)):
        stamp = dt.datetime.fromisoformat(changes[key]["updated_at"])
        assert stamp == _at(core, label)


def test_demo_touches_only_its_own_table(
    backend: Backend, backend_urls: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    engine = make_engine(backend_urls[backend.id])
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

        assert main(["demo", "--url", backend_urls[backend.id]]) == 0
        assert "All " in capsys.readouterr().out

        with engine.connect() as conn:
            assert conn.execute(select(neighbour)).all() == [(1, "keep me")]
        assert not inspect(engine).has_table(TABLE_NAME)
    finally:
        neighbour.drop(engine, checkfirst=True)
        engine.dispose()


def test_python_dash_m_runs_the_demo() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "fieldstamps", "demo"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "same instant: yes" in result.stdout
    assert "name stamp moved: yes" in result.stdout
    assert "checks passed" in result.stdout


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
        ("mssql+pyodbc://someone@host/db", "driver is not installed"),
        ("postgresql+nosuchdriver://someone@host/db", "cannot use --url"),
        ("not a url", "cannot use --url"),
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


def test_bad_url_from_the_command_line_has_no_traceback() -> None:
    result = subprocess.run(
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
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("fieldstamps demo: cannot connect to ")
    assert "Traceback" not in result.stderr


def test_format_table_aligns_columns() -> None:
    lines = format_table(["a", "long header"], [["value one", "x"], ["v", ""]])
    assert lines == [
        "a          long header",
        "---------  -----------",
        "value one  x",
        "v",
    ]
