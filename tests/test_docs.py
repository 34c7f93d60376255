"""The examples in the docs run as written."""

from __future__ import annotations

import asyncio
import doctest
import re
import sys
import time
import types
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

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


def test_sqlmodel_module_docstring_example() -> None:
    import fieldstamps.sqlmodel

    failures, tried = doctest.testmod(fieldstamps.sqlmodel, raise_on_error=False)
    assert tried > 0
    assert failures == 0


async def test_readme_sqlmodel_and_fastapi_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx

    section = README.read_text().split("## SQLModel and FastAPI", 1)[1]
    section = re.split(r"\n##+ ", section, maxsplit=1)[0]
    model, api = re.findall(r"```python\n(.*?)```", section, re.S)
    # The FastAPI example writes heroes.db where it runs.
    monkeypatch.chdir(tmp_path)
    # One module for both: the second snippet continues the first, and
    # Pydantic and FastAPI resolve annotations through the class's module.
    module = types.ModuleType("readme_sqlmodel")
    sys.modules[module.__name__] = module
    try:
        exec(compile(model, "README.md#sqlmodel", "exec"), module.__dict__)
        exec(compile(api, "README.md#fastapi", "exec"), module.__dict__)
        app = module.app
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://test"
        )
        # The transport does not run the app's lifespan: enter it here.
        async with app.router.lifespan_context(app), client:
            created = await client.post(
                "/heroes/", json={"name": "Deadpond", "secret_name": "Dive Wilson"}
            )
            assert created.status_code == 200, created.text
            hero = created.json()
            assert hero["created_at"] == hero["updated_at"] == hero["name_changed_at"]
            assert hero["created_at"].endswith("Z")
            time.sleep(0.003)  # SQLite's clock counts milliseconds
            patched = await client.patch(f"/heroes/{hero['id']}", json={"age": 48})
            assert patched.status_code == 200, patched.text
            aged = patched.json()
        # Instants, not strings: JSON drops a datetime's zero microseconds.
        at = datetime.fromisoformat
        assert at(aged["updated_at"]) > at(hero["updated_at"])
        assert aged["changes"]["age"]["value"] == 48
        assert at(aged["changes"]["age"]["updated_at"]) == at(aged["updated_at"])
        assert aged["changes"]["name"] == hero["changes"]["name"]
        assert aged["name_changed_at"] == hero["name_changed_at"]
        assert aged["created_at"] == hero["created_at"]
    finally:
        del sys.modules[module.__name__]


def test_admin_module_examples() -> None:
    import fieldstamps.flask_admin
    import fieldstamps.sqladmin

    for module in (fieldstamps.sqladmin, fieldstamps.flask_admin):
        failures, tried = doctest.testmod(module, raise_on_error=False)
        assert tried > 0, module.__name__
        assert failures == 0, module.__name__


async def _asgi_get(app: Any, *paths: str) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://admin"
    ) as client:
        return [await client.get(path) for path in paths]


def test_readme_admin_snippets_run(tmp_path: Path) -> None:
    from flask import Flask
    from sqlalchemy import create_engine

    text = README.read_text()
    quickstart = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    admin = text.split("## Admin interfaces (sqladmin, Flask-Admin)", 1)[1]
    admin = re.split(r"\n##+ ", admin, maxsplit=1)[0]
    snippets = re.findall(r"```python\n(.*?)```", admin, re.S)
    assert len(snippets) == 2
    module = types.ModuleType("readme_admin")
    sys.modules[module.__name__] = module
    try:
        # The snippets use the Quickstart's User and engine.
        code = re.search(r"```python\n(.*?)```", quickstart, re.S)
        assert code is not None
        exec(compile(code.group(1), "README.md#quickstart", "exec"), module.__dict__)
        # A file, not the Quickstart's in-memory database, which a server
        # thread would see empty.
        engine = create_engine(f"sqlite:///{tmp_path / 'admin.db'}")
        module.Base.metadata.create_all(engine)
        module.engine = engine
        sqladmin_snippet, flask_admin_snippet = snippets
        exec(
            compile(sqladmin_snippet, "README.md#admin-sqladmin", "exec"),
            module.__dict__,
        )
        form, listed = asyncio.run(
            _asgi_get(module.app, "/admin/user/create", "/admin/user/list")
        )
        assert form.status_code == 200
        assert 'name="name"' in form.text
        assert 'name="updated_at"' not in form.text
        assert listed.status_code == 200
        exec(
            compile(flask_admin_snippet, "README.md#admin-flask-admin", "exec"),
            module.__dict__,
        )
        app = module.app
        assert isinstance(app, Flask)
        with app.app_context():
            module.Base.metadata.create_all(module.db.engine)
        client = app.test_client()
        form = client.get("/admin/user/new/").get_data(as_text=True)
        assert 'name="name"' in form
        assert 'name="changes"' not in form
        assert client.get("/admin/user/").status_code == 200
    finally:
        del sys.modules[module.__name__]


def test_readme_history_example_runs() -> None:
    section = README.read_text().split("\n## History\n", 1)[1]
    section = re.split(r"\n## ", section, maxsplit=1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None
    module = types.ModuleType("readme_history")
    sys.modules[module.__name__] = module
    try:
        exec(compile(code.group(1), "README.md#history", "exec"), module.__dict__)
    finally:
        del sys.modules[module.__name__]


def test_history_module_examples() -> None:
    from fieldstamps import _context, _history

    for module in (_history, _context):
        failures, tried = doctest.testmod(module, raise_on_error=False)
        assert tried > 0, module.__name__
        assert failures == 0, module.__name__
