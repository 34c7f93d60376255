"""The examples in the docs run as written."""

from __future__ import annotations

import doctest
import re
import sys
import types
from pathlib import Path

import fieldstamps

README = Path(__file__).resolve().parents[1] / "README.md"


def test_package_docstring_example() -> None:
    failures, tried = doctest.testmod(fieldstamps, raise_on_error=False)
    assert tried > 0
    assert failures == 0


def test_readme_quickstart_runs() -> None:
    text = README.read_text()
    quickstart = text.split("## Quickstart", 1)[1]
    code = re.search(r"```python\n(.*?)```", quickstart, re.S)
    assert code is not None
    # Declarative resolves annotations through the class's module: give the
    # snippet a real one.
    module = types.ModuleType("readme_quickstart")
    sys.modules[module.__name__] = module
    try:
        exec(compile(code.group(1), "README.md#quickstart", "exec"), module.__dict__)
    finally:
        del sys.modules[module.__name__]
