"""Flask-Admin with StampedModelView, through Flask's test client.

Forms are read from the page and posted back the way a browser submits them:
every field the form has, with its current value, plus the user's edits, and
nothing else (no ``changes`` on create). Editing a User runs in both modes
(``model``: User or TriggeredUser, each with a view of its own).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any, ClassVar

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_admin import Admin
from flask_admin.contrib.sqla import ModelView
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from fieldstamps._admin import CHANGES_TABLE_CLASS, stamp_text
from fieldstamps.flask_admin import StampedModelView
from tests.models import USERS, Product, Secretive, User
from tests.stamps import TRACKED, insert_user, read_user

USER_STAMPS = {
    "created_at",
    "updated_at",
    "name_changed_at",
    "contact_changed_at",
    "name_updated_at",
    "changes",
}


class SecretiveView(StampedModelView):
    # The user's own settings, which must still apply.
    column_list = ("id", "login", "updated_at")
    form_excluded_columns = ("notes",)
    column_formatters: ClassVar[dict[str, Any]] = {
        "created_at": lambda view, context, model, name: "mine"
    }


class _Page(HTMLParser):
    """The admin form's fields as a browser would submit them, and the rows
    of the ``changes`` table."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self.rows: list[list[str]] = []
        self._in_form = False
        self._textarea: str | None = None
        self._select: str | None = None
        self._table_depth = 0
        self._cell: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {key: value or "" for key, value in attrs}
        if tag == "form" and "admin-form" in attr.get("class", ""):
            self._in_form = True
        elif self._in_form and tag == "input" and "name" in attr:
            kind = attr.get("type", "text")
            if kind not in {"submit", "button", "checkbox", "radio", "file"}:
                self.fields[attr["name"]] = attr.get("value", "")
        elif self._in_form and tag == "textarea":
            self._textarea = attr["name"]
            self.fields[attr["name"]] = ""
        elif self._in_form and tag == "select":
            self._select = attr["name"]
            self.fields.setdefault(attr["name"], "")
        elif self._select and tag == "option" and "selected" in attr:
            self.fields[self._select] = attr.get("value", "")
        elif tag == "table" and CHANGES_TABLE_CLASS in attr.get("class", ""):
            self._table_depth = 1
        elif self._table_depth and tag == "tr":
            self.rows.append([])
        elif self._table_depth and tag == "td":
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "table" and self._table_depth:
            self._table_depth = 0
        elif tag == "td" and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.fields[self._textarea] += data
        if self._cell is not None:
            self._cell.append(data)


def _text(page: str) -> str:
    """The page's text, as a reader sees it."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


@pytest.fixture
def app(db: Engine) -> Iterator[Flask]:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = db.url.render_as_string(hide_password=False)
    app.config["SECRET_KEY"] = "flash messages need a session"
    fsa = SQLAlchemy(app)
    admin = Admin(app)
    for user_class in USERS.values():  # /admin/user/, /admin/triggereduser/
        admin.add_view(StampedModelView(user_class, fsa))
    admin.add_view(StampedModelView(Product, fsa))
    admin.add_view(SecretiveView(Secretive, fsa))
    admin.add_view(ModelView(User, fsa, endpoint="plain_user", url="plain_user"))
    try:
        yield app
    finally:
        with app.app_context():
            fsa.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _form(client: FlaskClient, url: str) -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200, url
    return _Page(response.get_data(as_text=True)).fields


def _submit(client: FlaskClient, url: str, **edits: Any) -> str:
    """Read the form at ``url``, edit it, post it; the page landed on."""
    fields = _form(client, url)
    assert set(edits) <= set(fields), (edits, fields)
    response = client.post(url, data={**fields, **edits}, follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    # Flask-Admin shows the form again, with its errors, when it refuses it.
    assert "Record was successfully" in page, _text(page)
    return page


def _user_id(db: Engine, model: Any, name: str) -> int:
    with Session(db) as session:
        return session.query(model).filter_by(name=name).one().id


def test_create_edit_list_and_detail(
    db: Engine, model: Any, client: FlaskClient
) -> None:
    views = f"/admin/{model.__name__.lower()}"
    fields = _form(client, f"{views}/new/")
    assert set(fields) == {"name", "fullname", "age"}

    page = _submit(
        client,
        f"{views}/new/",
        name="spongebob",
        fullname="Spongebob Squarepants",
        age="20",
    )
    assert "Record was successfully created." in page
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

    edit_url = f"{views}/edit/?id={user_id}"
    fields = _form(client, edit_url)
    assert set(fields) == {"name", "fullname", "age"}
    assert fields["name"] == "spongebob"
    renamed = "<i>Spongebob</i> & co"
    page = _submit(client, edit_url, name=renamed)
    assert "Record was successfully saved." in page

    edited = read_user(db, user_id, model)
    assert edited.values == {**created.values, "name": renamed}
    assert edited.stored == edited.values
    assert edited.updated_at > created.updated_at
    assert edited.stamps["name"] == edited.updated_at
    assert edited.stamps["fullname"] == edited.stamps["age"] == created.created_at
    assert edited.name_changed_at == edited.updated_at
    assert edited.contact_changed_at == created.created_at
    with Session(db) as session:
        user = session.get_one(model, user_id)
        assert user.name_updated_at == edited.updated_at

    listed = client.get(f"{views}/").get_data(as_text=True)
    for stamp in (edited.created_at, edited.updated_at, edited.contact_changed_at):
        assert stamp_text(stamp) in _text(listed)
    assert CHANGES_TABLE_CLASS not in listed  # a table per row: detail page only
    assert "&lt;i&gt;Spongebob&lt;/i&gt; &amp; co" in listed

    details = client.get(f"{views}/details/?id={user_id}").get_data(as_text=True)
    for stamp in (edited.created_at, edited.updated_at, edited.contact_changed_at):
        assert stamp_text(stamp) in _text(details)
    assert _Page(details).rows == [
        [],  # the header row
        ["name", renamed, stamp_text(edited.updated_at)],
        ["fullname", "Spongebob Squarepants", stamp_text(created.created_at)],
        ["age", "20", stamp_text(created.created_at)],
    ]
    assert "<i>Spongebob</i>" not in details


def test_several_models_and_the_users_own_settings(
    db: Engine, client: FlaskClient
) -> None:
    assert set(_form(client, "/admin/product/new/")) == {"title", "price"}
    _submit(client, "/admin/product/new/", title="Krabby Patty", price="2.99")
    with Session(db) as session:
        product = session.query(Product).one()
        product_id, first_stamp = product.id, product.price_changed_at
    assert first_stamp is not None
    _submit(client, f"/admin/product/edit/?id={product_id}", title="Deluxe")
    with Session(db) as session:
        assert session.get_one(Product, product_id).price_changed_at == first_stamp
    _submit(client, f"/admin/product/edit/?id={product_id}", price="3.49")
    with Session(db) as session:
        product = session.get_one(Product, product_id)
        assert product.price == Decimal("3.49")
        assert product.price_changed_at is not None
        assert product.price_changed_at > first_stamp
        second_stamp = product.price_changed_at
    listed = client.get("/admin/product/").get_data(as_text=True)
    assert stamp_text(second_stamp) in _text(listed)

    fields = _form(client, "/admin/secretive/new/")
    assert "notes" not in fields
    assert not set(fields) & {"created_at", "updated_at", "changes"}
    _submit(client, "/admin/secretive/new/", login="squidward", password_hash="x")
    with Session(db) as session:
        secretive = session.query(Secretive).one()
        secretive_id, updated_at = secretive.id, secretive.updated_at
        assert secretive.get_updated_at("login") == updated_at
    listed = _text(client.get("/admin/secretive/").get_data(as_text=True))
    assert stamp_text(updated_at) in listed
    assert "Password Hash" not in listed  # the user's column_list
    details = client.get(f"/admin/secretive/details/?id={secretive_id}")
    page = details.get_data(as_text=True)
    assert "mine" in _text(page)  # the user's formatter wins over ours
    assert [row for row in _Page(page).rows if row][:2] == [
        ["login", "squidward", stamp_text(updated_at)],
        ["password_hash", "—", stamp_text(updated_at)],  # store_values: login only
    ]


def test_without_the_mixin_stamps_are_shown_raw(
    db: Engine, client: FlaskClient
) -> None:
    """What StampedModelView changes in Flask-Admin's default ModelView.
    Flask-Admin builds form fields only for column types it can convert, and
    fieldstamps' stamp types are not among them, so its default forms have
    no stamp field (the mixin leaves them out from the spec, whatever the
    type). What remains is reading them: the default list shows each stamp
    as Python prints a datetime and ``changes`` as one JSON dump, and there
    is no detail page."""
    fields = _form(client, "/admin/plain_user/new/")
    assert not set(fields) & USER_STAMPS, fields
    user_id = insert_user(db)
    with Session(db) as session:
        user = session.get_one(User, user_id)
        updated_at, changes = user.updated_at, user.changes
    listed = _text(client.get("/admin/plain_user/").get_data(as_text=True))
    assert str(updated_at) in listed  # e.g. 2026-11-30 09:15:02.123000+00:00
    assert json.dumps(changes, ensure_ascii=False) in listed
    details = client.get(f"/admin/plain_user/details/?id={user_id}")
    assert details.status_code == 302  # can_view_details is off
