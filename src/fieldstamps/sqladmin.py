"""sqladmin views that keep fieldstamps' stamp columns out of the forms and show
them, read-only and readable, in the list and detail pages.

>>> from sqladmin import Admin
>>> from sqlalchemy import String, create_engine
>>> from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
>>> from starlette.applications import Starlette
>>> from fieldstamps import ChangeTrackingMixin, TimestampMixin
>>> from fieldstamps.sqladmin import StampedModelView
>>> class Base(DeclarativeBase):
...     pass
>>> class User(TimestampMixin, ChangeTrackingMixin, Base):
...     __tablename__ = "user_account"
...     id: Mapped[int] = mapped_column(primary_key=True)
...     name: Mapped[str] = mapped_column(String(30))
>>> class UserAdmin(StampedModelView, model=User):  # instead of ModelView
...     column_searchable_list = [User.name]
>>> app = Starlette()
>>> Admin(app, create_engine("sqlite://")).add_view(UserAdmin)
>>> import asyncio
>>> form = asyncio.run(UserAdmin().scaffold_form())
>>> [field.name for field in form()]
['name']
>>> UserAdmin().get_list_columns()
['id', 'created_at', 'updated_at']
>>> UserAdmin().get_details_columns()
['id', 'name', 'created_at', 'updated_at', 'changes']
"""

from collections.abc import Iterable
from typing import Any

from markupsafe import Markup

from . import _admin
from ._spec import key_of

try:
    from sqladmin import ModelView
    from starlette.requests import Request
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ImportError(
        "fieldstamps.sqladmin needs sqladmin: pip install 'fieldstamps[sqladmin]'"
    ) from exc

__all__ = ["StampedModelView"]


def _names(attributes: Iterable[Any]) -> set[str | None]:
    # sqladmin takes attributes (User.name) or their keys ("name") alike.
    return set(map(key_of, attributes))


class StampedModelView(ModelView):
    """A :class:`sqladmin.ModelView` for models with fieldstamps columns.

    ``class UserAdmin(StampedModelView, model=User): ...`` instead of
    ``ModelView``. Every stamp column (``created_at``, ``updated_at``,
    ``changed_at()`` and ``updated_at_column()`` columns, ``changes``) is
    read from the model's fieldstamps spec, then:

    * left out of the create and edit forms, even when ``form_columns`` names
      it: the form would post back a copy cut to whole seconds, a write
      fieldstamps refuses (``StampWriteError``);
    * appended to the list page (all but ``changes``, a table per row: it is
      on the detail page) when neither ``column_list`` nor
      ``column_exclude_list`` is set, and moved to the end of the detail page
      when neither ``column_details_list`` nor ``column_details_exclude_list``
      is; a list you set is shown as set;
    * formatted, wherever shown, as ISO-8601 UTC with microseconds, and
      ``changes`` as a table of field, value and changed at (escaped), unless
      ``column_formatters`` / ``column_formatters_detail`` has the column.
    """

    def __init__(self) -> None:
        # Before ModelView.__init__, which asks for the column lists.
        stamps = _admin.stamp_attributes(self.model)
        changes = _admin.changes_attribute(self.model)
        self._fieldstamps = stamps
        self._fieldstamps_changes = changes
        self._fieldstamps_listed = [key for key in stamps if key != changes]
        self._fieldstamps_list = set(stamps) - _names(self.column_formatters)
        self._fieldstamps_detail = set(stamps) - _names(self.column_formatters_detail)
        super().__init__()

    def _fieldstamps_html(self, obj: Any, prop: str) -> Markup:
        if prop == self._fieldstamps_changes:
            return _admin.changes_html(obj, prop)
        return _admin.stamp_html(getattr(obj, prop))

    def get_form_columns(self) -> list[str]:
        stamps = self._fieldstamps
        return [name for name in super().get_form_columns() if name not in stamps]

    def get_list_columns(self) -> list[str]:
        columns = super().get_list_columns()
        if self.column_list or self.column_exclude_list:
            return columns
        return columns + [key for key in self._fieldstamps_listed if key not in columns]

    def get_details_columns(self) -> list[str]:
        columns = super().get_details_columns()
        if self.column_details_list or self.column_details_exclude_list:
            return columns
        stamps = self._fieldstamps
        return [name for name in columns if name not in stamps] + list(stamps)

    async def get_list_value(
        self, obj: Any, prop: str, request: Request | None = None
    ) -> tuple[Any, Any]:
        value, formatted = await super().get_list_value(obj, prop, request)
        if prop in self._fieldstamps_list:
            formatted = self._fieldstamps_html(obj, prop)
        return value, formatted

    async def get_detail_value(
        self, obj: Any, prop: str, request: Request | None = None
    ) -> tuple[Any, Any]:
        value, formatted = await super().get_detail_value(obj, prop, request)
        if prop in self._fieldstamps_detail:
            formatted = self._fieldstamps_html(obj, prop)
        return value, formatted

    async def custom_export_cell(self, row: Any, name: str, value: Any) -> str | None:
        # The pretty CSV export reads list values, which are HTML here.
        if name not in self._fieldstamps:
            return await super().custom_export_cell(row, name, value)
        if name == self._fieldstamps_changes:
            return _admin.changes_text(row, name)
        return _admin.stamp_text(value)
