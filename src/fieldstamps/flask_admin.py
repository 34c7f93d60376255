"""A Flask-Admin model view that keeps fieldstamps' stamp columns out of the
forms and shows them, read-only and readable, in the list and detail pages.

>>> from flask import Flask
>>> from flask_admin import Admin
>>> from flask_sqlalchemy import SQLAlchemy
>>> from sqlalchemy import String
>>> from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
>>> from fieldstamps import ChangeTrackingMixin, TimestampMixin
>>> from fieldstamps.flask_admin import StampedModelView
>>> class Base(DeclarativeBase):
...     pass
>>> class User(TimestampMixin, ChangeTrackingMixin, Base):
...     __tablename__ = "user_account"
...     id: Mapped[int] = mapped_column(primary_key=True)
...     name: Mapped[str] = mapped_column(String(30))
>>> app = Flask(__name__)
>>> app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
>>> db = SQLAlchemy(app)
>>> view = StampedModelView(User, db)  # instead of ModelView(User, db)
>>> Admin(app).add_view(view)
>>> with app.test_request_context():
...     [field.name for field in view.create_form()]
['name']
>>> [name for name, _ in view.get_list_columns()]
['name', 'created_at', 'updated_at']
>>> [name for name, _ in view.get_details_columns()]
['name', 'created_at', 'updated_at', 'changes']
"""

from collections.abc import Callable
from typing import Any

from markupsafe import Markup

from . import _admin
from ._spec import key_of

try:
    # Flask-Admin ships no py.typed marker: to mypy its classes are Any.
    from flask_admin.contrib.sqla import ModelView  # type: ignore[import-untyped]
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ImportError(
        "fieldstamps.flask_admin needs Flask-Admin with its SQLAlchemy support: "
        "pip install 'fieldstamps[flask-admin]'"
    ) from exc

__all__ = ["StampedModelView"]

# Flask-Admin calls column formatters as formatter(view, context, model, name).
_Formatter = Callable[[Any, Any, Any, str], Any]


def _html(changes: str | None) -> _Formatter:
    def format_html(view: Any, context: Any, model: Any, name: str) -> Markup:
        if name == changes:
            return _admin.changes_html(model, name)
        return _admin.stamp_html(getattr(model, name))

    return format_html


def _text(changes: str | None) -> _Formatter:
    def format_text(view: Any, context: Any, model: Any, name: str) -> str:
        if name == changes:
            return _admin.changes_text(model, name)
        return _admin.stamp_text(getattr(model, name))

    return format_text


class StampedModelView(ModelView):  # type: ignore[misc]  # ModelView is Any (above)
    """A Flask-Admin ``sqla.ModelView`` for models with fieldstamps columns.

    ``StampedModelView(User, db)`` instead of ``ModelView(User, db)``, or
    subclass it as you would ``ModelView``. Every stamp column
    (``created_at``, ``updated_at``, ``changed_at()`` and
    ``updated_at_column()`` columns, ``changes``) is read from the model's
    fieldstamps spec, then:

    * left out of the create and edit forms and of ``column_editable_list``,
      whatever its type and even when ``form_columns`` names it: the
      database writes stamps, and fieldstamps refuses a form's copy
      (``StampWriteError``);
    * shown after the other columns of the list and detail pages (the detail
      page is on: ``can_view_details = True``), ``changes`` on the detail page
      only (it is a table per row); a ``column_list``,
      ``column_exclude_list`` or ``column_details_list`` you set is shown as
      set;
    * formatted as ISO-8601 UTC with microseconds, and ``changes`` as a table
      of field, value and changed at (escaped); plain text in exports. Your
      own ``column_formatters`` entries take precedence.
    """

    can_view_details = True

    # The settings adjusted below, declared for mypy only (ModelView is Any to
    # it): annotations without values leave Flask-Admin's class attributes as
    # they are.
    form_columns: Any
    form_excluded_columns: Any
    column_editable_list: Any
    column_formatters: Any
    column_formatters_detail: Any
    column_formatters_export: Any

    def __init__(
        self, model: type[Any], session: Any, *args: Any, **kwargs: Any
    ) -> None:
        # Set before ModelView.__init__, which builds forms and column lists
        # from these attributes. Instance attributes: the class's own
        # settings, shared by every view of it, stay as the user wrote them.
        stamps = _admin.stamp_attributes(model)
        changes = _admin.changes_attribute(model)
        self._fieldstamps = stamps
        self._fieldstamps_changes = changes
        if self.form_columns:
            self.form_columns = [
                c for c in self.form_columns if key_of(c) not in stamps
            ]
        excluded = list(self.form_excluded_columns or ())
        already = set(map(key_of, excluded))
        self.form_excluded_columns = excluded + [
            key for key in stamps if key not in already
        ]
        if self.column_editable_list:
            self.column_editable_list = [
                c for c in self.column_editable_list if key_of(c) not in stamps
            ]

        html = dict.fromkeys(stamps, _html(changes))
        own = dict(self.column_formatters or {})
        self.column_formatters = {**html, **own}
        if self.column_formatters_detail is not None:
            self.column_formatters_detail = {**html, **self.column_formatters_detail}
        # Left None, Flask-Admin would export the HTML list formatters.
        own_export = self.column_formatters_export
        self.column_formatters_export = {
            **dict.fromkeys(stamps, _text(changes)),
            **(own if own_export is None else own_export),
        }
        super().__init__(model, session, *args, **kwargs)

    def scaffold_list_columns(self) -> list[Any]:
        # Flask-Admin's default for the list, detail and export columns alike.
        columns: list[Any] = super().scaffold_list_columns()
        return [c for c in columns if c not in self._fieldstamps] + list(
            self._fieldstamps
        )

    def get_list_columns(self) -> list[tuple[Any, str]]:
        columns: list[tuple[Any, str]] = super().get_list_columns()
        if self.column_list or self.column_exclude_list:
            return columns
        return [
            (name, label)
            for name, label in columns
            if name != self._fieldstamps_changes
        ]
