"""sqladmin with StampedModelView, driven through its pages in a real browser.

The admin is served by uvicorn on 127.0.0.1 (a free port, in a thread), bound
to the backend's engine, and used through Debian's Chromium with Playwright:
forms are filled and submitted as a person would, then the database is read.
Chromium missing is a failure, never a skip: ``.ci/run`` installs it.
Editing a User runs in both modes (``model``: User or TriggeredUser, each
with a view of its own).
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright
from sqladmin import Admin, ModelView
from sqladmin.helpers import slugify_class_name
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from fieldstamps._admin import CHANGES_TABLE_CLASS, stamp_text
from fieldstamps.sqladmin import StampedModelView
from tests.models import Product, Secretive, TriggeredUser, User
from tests.stamps import TRACKED, insert_user, read_user

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
USER_STAMPS = {
    "created_at",
    "updated_at",
    "name_changed_at",
    "contact_changed_at",
    "name_updated_at",
    "changes",
}


def _views() -> tuple[type[ModelView], ...]:
    # Built per server: sqladmin keeps the session maker on the view class.
    class UserAdmin(StampedModelView, model=User):
        pass

    class TriggeredUserAdmin(StampedModelView, model=TriggeredUser):
        pass

    class ProductAdmin(StampedModelView, model=Product):
        pass

    class SecretiveAdmin(StampedModelView, model=Secretive):
        # The user's own settings: a list of their choosing, a field left
        # out of the form, a formatter of their own for one stamp.
        column_list = (Secretive.id, Secretive.login, Secretive.updated_at)
        form_excluded_columns = (Secretive.notes,)
        column_formatters_detail: ClassVar[dict[Any, Any]] = {
            Secretive.created_at: lambda model, attribute: "created, formatted by me"
        }

    return UserAdmin, TriggeredUserAdmin, ProductAdmin, SecretiveAdmin


def _plain_user_view() -> type[ModelView]:
    class PlainUserAdmin(ModelView, model=User):
        pass

    return PlainUserAdmin


@dataclass(frozen=True)
class Server:
    stamped: str  # base URL of the admin with StampedModelView
    plain: str  # base URL of sqladmin's default ModelView on User


@pytest.fixture(scope="module")
def server(engine: Engine) -> Iterator[Server]:
    app = Starlette()
    stamped = Admin(app, engine, base_url="/admin")
    for view in _views():
        stamped.add_view(view)
    Admin(app, engine, base_url="/plain").add_view(_plain_user_view())

    # The socket is bound here and handed over, so no other process can take
    # the free port between choosing and serving it.
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    uvicorn_server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(
        target=uvicorn_server.run, kwargs={"sockets": [sock]}, daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 20
    while not uvicorn_server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("uvicorn did not start serving the sqladmin app")
        time.sleep(0.05)
    try:
        yield Server(f"http://127.0.0.1:{port}/admin", f"http://127.0.0.1:{port}/plain")
    finally:
        uvicorn_server.should_exit = True
        thread.join(20)
        sock.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium "
            "(apt-get install chromium; .ci/run installs it)",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1600, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        yield page
    finally:
        context.close()


class Shots:
    """One screenshot per step, numbered, into the test's tmp dir."""

    def __init__(self, page: Page, directory: Path) -> None:
        self.page = page
        self.directory = directory
        self.count = 0

    def __call__(self, step: str) -> None:
        self.count += 1
        self.page.screenshot(
            path=self.directory / f"{self.count:02d}-{step}.png", full_page=True
        )


@pytest.fixture
def shots(page: Page, tmp_path: Path) -> Shots:
    return Shots(page, tmp_path)


def _input_names(page: Page) -> set[str]:
    names = page.eval_on_selector_all(
        "form[method=POST] [name]", "elements => elements.map(e => e.name)"
    )
    return set(names) - {"save"}


def _save(page: Page, list_url: str) -> None:
    """Submit the form with its Save button and insist on landing on the list:
    a form shown again means sqladmin refused it, and its text says why."""
    page.click('input[type=submit][value="Save"]')
    page.wait_for_load_state()
    if not page.url.startswith(list_url):
        pytest.fail(f"the form was not saved ({page.url}):\n{page.inner_text('body')}")


def _user_id(db: Engine, model: Any, name: str) -> int:
    with Session(db) as session:
        user = session.query(model).filter_by(name=name).one()
        return user.id


def test_create_edit_list_and_detail_through_the_browser(
    db: Engine, model: Any, server: Server, page: Page, shots: Shots
) -> None:
    base = f"{server.stamped}/{slugify_class_name(model.__name__)}"
    page.goto(f"{base}/create")
    shots("create-form")
    names = _input_names(page)
    assert {"name", "fullname", "age"} <= names
    assert not names & USER_STAMPS, names

    page.fill("input[name=name]", "spongebob")
    page.fill("input[name=fullname]", "Spongebob Squarepants")
    page.fill("input[name=age]", "20")
    _save(page, f"{base}/list")
    shots("created-list")

    user_id = _user_id(db, model, "spongebob")
    created = read_user(db, user_id, model)
    assert created.values == {
        "name": "spongebob",
        "fullname": "Spongebob Squarepants",
        "age": 20,
    }
    assert created.created_at == created.updated_at
    assert created.stamps == dict.fromkeys(TRACKED, created.created_at)
    assert created.stored == created.values
    assert created.name_changed_at == created.contact_changed_at == created.created_at
    with Session(db) as session:
        user = session.get(model, user_id)
        assert user is not None
        assert user.name_updated_at == created.created_at

    page.goto(f"{base}/edit/{user_id}")
    shots("edit-form")
    names = _input_names(page)
    assert {"name", "fullname", "age"} <= names
    assert not names & USER_STAMPS, names
    assert page.input_value("input[name=name]") == "spongebob"
    # Markup in a value must come back as text, on every page.
    renamed = "<i>Spongebob</i> & co"
    page.fill("input[name=name]", renamed)
    _save(page, f"{base}/list")

    edited = read_user(db, user_id, model)
    assert edited.values == {**created.values, "name": renamed}
    assert edited.stored == edited.values
    assert edited.updated_at > created.updated_at
    assert edited.stamps["name"] == edited.updated_at
    assert edited.stamps["fullname"] == edited.stamps["age"] == created.created_at
    assert edited.name_changed_at == edited.updated_at
    assert edited.contact_changed_at == created.created_at
    assert edited.created_at == created.created_at
    with Session(db) as session:
        user = session.get(model, user_id)
        assert user is not None
        assert user.name_updated_at == edited.updated_at
        assert user.get_updated_at("name") == user.updated_at

    page.goto(f"{base}/list")
    shots("list")
    listed = page.inner_text("table")
    for stamp in (edited.created_at, edited.updated_at):
        assert stamp_text(stamp) in listed
    # changes, a table per row, is left to the detail page.
    assert page.locator(f"table.{CHANGES_TABLE_CLASS}").count() == 0

    page.goto(f"{base}/details/{user_id}")
    shots("details")
    body = page.inner_text("body")
    for stamp in (edited.created_at, edited.updated_at, edited.contact_changed_at):
        assert stamp_text(stamp) in body
    changes = page.locator(f"table.{CHANGES_TABLE_CLASS}")
    assert changes.count() == 1
    rows = changes.locator("tbody tr")
    assert [rows.nth(i).locator("td").all_inner_texts() for i in range(3)] == [
        ["name", renamed, stamp_text(edited.updated_at)],
        ["fullname", "Spongebob Squarepants", stamp_text(created.created_at)],
        ["age", "20", stamp_text(created.created_at)],
    ]
    # Escaped: the name's markup is text, not an element.
    assert rows.nth(0).locator("i").count() == 0
    assert changes.locator("th").all_inner_texts() == [
        "Field",
        "Value",
        "Changed at (UTC)",
    ]


def test_several_models_and_the_users_own_settings(
    db: Engine, server: Server, page: Page, shots: Shots
) -> None:
    base = server.stamped

    # changed_at() without ChangeTrackingMixin.
    page.goto(f"{base}/product/create")
    assert _input_names(page) == {"title", "price"}
    page.fill("input[name=title]", "Krabby Patty")
    page.fill("input[name=price]", "2.99")
    _save(page, f"{base}/product/list")
    with Session(db) as session:
        product = session.query(Product).one()
        product_id, first_stamp = product.id, product.price_changed_at
    assert first_stamp is not None

    page.goto(f"{base}/product/edit/{product_id}")
    page.fill("input[name=title]", "Krabby Patty Deluxe")
    _save(page, f"{base}/product/list")
    with Session(db) as session:
        product = session.get_one(Product, product_id)
        assert product.title == "Krabby Patty Deluxe"
        assert product.price_changed_at == first_stamp  # the price did not change

    page.goto(f"{base}/product/edit/{product_id}")
    page.fill("input[name=price]", "3.49")
    _save(page, f"{base}/product/list")
    with Session(db) as session:
        product = session.get_one(Product, product_id)
        assert product.price == Decimal("3.49")
        assert product.price_changed_at is not None
        assert product.price_changed_at > first_stamp
        second_stamp = product.price_changed_at
    shots("product-list")
    assert stamp_text(second_stamp) in page.inner_text("table")

    # The user's column_list, form_excluded_columns and formatter still apply.
    page.goto(f"{base}/secretive/create")
    assert _input_names(page) == {"login", "password_hash"}
    page.fill("input[name=login]", "squidward")
    page.fill("input[name=password_hash]", "<s>hash</s>")
    _save(page, f"{base}/secretive/list")
    shots("secretive-list")
    headers = page.locator("table thead th").all_inner_texts()
    assert [h.strip() for h in headers if h.strip()] == ["id", "login", "updated_at"]
    with Session(db) as session:
        secretive = session.query(Secretive).one()
        secretive_id, updated_at = secretive.id, secretive.updated_at
        assert secretive.get_updated_at("password_hash") == updated_at
    assert stamp_text(updated_at) in page.inner_text("table")

    page.goto(f"{base}/secretive/details/{secretive_id}")
    shots("secretive-details")
    body = page.inner_text("body")
    assert "created, formatted by me" in body
    rows = page.locator(f"table.{CHANGES_TABLE_CLASS} tbody tr")
    # Only login's value is stored (store_values); notes is not tracked.
    assert rows.count() == 3
    assert [rows.nth(i).locator("td").all_inner_texts() for i in range(3)] == [
        ["login", "squidward", stamp_text(updated_at)],
        ["password_hash", "—", stamp_text(updated_at)],
        ["owner_id", "—", stamp_text(updated_at)],
    ]
    # The column itself is shown, as text; changes holds no copy of it.
    assert "<s>hash</s>" in body
    assert "<s>" not in page.inner_text(f"table.{CHANGES_TABLE_CLASS}")


def test_without_the_mixin_the_default_form_posts_stamps_back(
    db: Engine, server: Server, page: Page, shots: Shots
) -> None:
    """Why StampedModelView exists (DESIGN.md, fact 23): sqladmin's default
    ModelView puts every stamp column in the edit form, filled with a copy
    cut to whole seconds. Saving the form assigns that copy explicitly, and
    SQLAlchemy applies no ``onupdate`` to an explicitly assigned column: the
    server's stamps would be replaced by the client's truncated ones (which
    is why fieldstamps refuses such writes, and why the form must not have
    these fields)."""
    user_id = insert_user(db)
    row = read_user(db, user_id)
    page.goto(f"{server.plain}/user/edit/{user_id}")
    shots("plain-edit-form")
    names = _input_names(page)
    assert names >= USER_STAMPS, names
    # What the server renders, and what the page's date picker would post.
    rendered = page.get_attribute("input[name=updated_at]", "value")
    posted = page.input_value("input[name=updated_at]")
    assert rendered == row.updated_at.strftime("%Y-%m-%d %H:%M:%S"), rendered
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d?", posted), posted
