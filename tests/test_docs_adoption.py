"""The README's adoption section: its code runs, and its migration is the one
Alembic generates (tests/test_alembic.py compares the two)."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
#: The line the README tells users to add to env.py; the Alembic tests' env.py
#: has it too.
ENV_LINE = "import fieldstamps.alembic  # noqa: F401"


def adoption_blocks() -> list[str]:
    text = README.read_text()
    section = text.split("## Adopting fieldstamps in an existing application", 1)[1]
    section = section.split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_the_manual_stamps_example_runs() -> None:
    [code] = [block for block in adoption_blocks() if "manual_stamps()" in block]
    module = types.ModuleType("readme_adoption")
    sys.modules[module.__name__] = module
    try:
        exec(compile(code, "README.md#adopting", "exec"), module.__dict__)
    finally:
        del sys.modules[module.__name__]


def readme_migration() -> list[str]:
    """The README's generated ``op.add_stamp_columns(...)``, line by line."""
    [block] = [block for block in adoption_blocks() if "add_stamp_columns" in block]
    return [line.strip() for line in block.strip().splitlines()]


def test_the_env_py_line_is_the_one_the_alembic_tests_use() -> None:
    blocks = [block.strip() for block in adoption_blocks()]
    assert ENV_LINE in blocks
