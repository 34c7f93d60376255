"""``fieldstamps --version``: the installed distribution's version."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import metadata

import pytest

from fieldstamps.__main__ import main

# Read here, not typed in: a version bump must not need a test edit.
EXPECTED = f"fieldstamps {metadata.version('fieldstamps')}\n"


def test_version_is_the_installed_distributions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # argparse ends the run itself, so the status arrives as SystemExit.
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    out, err = capsys.readouterr()
    assert out == EXPECTED
    assert err == ""
    assert re.fullmatch(r"fieldstamps \d+\.\d+\.\d+\S*\n", out)


def test_version_needs_no_command(capsys: pytest.CaptureFixture[str]) -> None:
    # A command is otherwise required; --version answers before that check.
    with pytest.raises(SystemExit) as exit_info:
        main(["--version", "demo"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == EXPECTED


def test_version_without_metadata_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def missing(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", missing)
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("fieldstamps: no installed distribution")
    assert err.count("\n") == 1


def test_python_dash_m_prints_the_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "fieldstamps", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == ""
    assert done.stdout == EXPECTED
