"""What the admin integrations share: which attributes are stamps, and how
stamps and ``changes`` read on a page.

Kept free of any admin library, so that ``fieldstamps.sqladmin`` and
``fieldstamps.flask_admin`` each need only their own one installed.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from markupsafe import Markup
from sqlalchemy import Column, inspect
from sqlalchemy.orm import Mapper
from sqlalchemy.orm.exc import UnmappedColumnError

from ._spec import TableSpec, spec_of
from ._types import STAMP_TEXT_FORMAT, parse_stamp_text

#: Marks the ``changes`` table, for stylesheets and tests.
CHANGES_TABLE_CLASS = "fieldstamps-changes"


def _specs(mapper: Mapper[Any]) -> list[TableSpec]:
    # Every table of the mapping: a joined-inheritance subclass shows its
    # parent's stamps too.
    return [spec for table in mapper.tables if (spec := spec_of(table)) is not None]


def _display_order(spec: TableSpec) -> tuple[Column[Any], ...]:
    # Row stamps first, then per-field ones, then the detailed record: the
    # order a reader narrows down "what changed when".
    changes = () if spec.changes is None else (spec.changes,)
    return (
        spec.created_at
        + spec.updated_at
        + tuple(column for column, _ in spec.changed_at)
        + tuple(column for _, column in spec.mirrors)
        + changes
    )


def stamp_attributes(model: type[Any]) -> tuple[str, ...]:
    """The attribute keys of every column fieldstamps writes on ``model``.

    ``created_at``, ``updated_at``, ``changed_at()`` and ``updated_at_column()``
    columns, then ``changes``; empty for a class without stamps.
    """
    mapper: Mapper[Any] = inspect(model)
    keys: list[str] = []
    for spec in _specs(mapper):
        for column in _display_order(spec):
            try:
                key = mapper.get_property_by_column(column).key
            except UnmappedColumnError:
                continue  # left out of the mapping (exclude_properties)
            if key not in keys:
                keys.append(key)
    return tuple(keys)


def changes_attribute(model: type[Any]) -> str | None:
    """The attribute key of ``model``'s ``changes`` column, if it has one."""
    mapper: Mapper[Any] = inspect(model)
    for spec in _specs(mapper):
        if spec.changes is not None:
            return mapper.get_property_by_column(spec.changes).key
    return None


def stamp_text(value: object) -> str:
    """A stamp as ISO-8601 UTC with microseconds, ``2026-11-30T09:15:02.123456Z``.

    The text ``changes`` stores, so a stamp on the page can be compared with
    the JSON and pasted into a filter. Empty for no stamp.
    """
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            # Stamp columns load aware; a naive value can only come from a
            # column the user retyped, and stamps are stored as UTC.
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).strftime(STAMP_TEXT_FORMAT)
    return str(value)


def stamp_html(value: object) -> Markup:
    """:func:`stamp_text` in a ``<time>`` element."""
    text = stamp_text(value)
    if "T" not in text:
        return Markup("{}").format(text)
    # A line may break after the date: lists with several stamps stay narrow.
    date, time = text.split("T", 1)
    return Markup('<time datetime="{}">{}T<wbr>{}</time>').format(text, date, time)


def _entries(obj: Any, key: str) -> list[tuple[str, object]] | None:
    """``(field, entry)`` of ``obj.<key>`` in tracking order; None if it is not
    a JSON object (a damaged ``changes`` is shown as it is)."""
    changes = getattr(obj, key, None)
    if not isinstance(changes, dict):
        return None
    tracked: tuple[str, ...] = ()
    for spec in _specs(inspect(type(obj))):
        if spec.changes is not None:
            tracked = spec.keys
    # Tracked fields in their declared order, then keys no longer tracked.
    order = [field for field in tracked if field in changes]
    order += sorted(field for field in changes if field not in tracked)
    return [(field, changes[field]) for field in order]


def _value_html(entry: object) -> Markup:
    if not isinstance(entry, dict) or "value" not in entry:
        # Fields outside store_values keep a stamp only.
        return Markup('<span class="text-muted" title="value not stored">—</span>')
    value = entry["value"]
    if value is None:
        return Markup("<i>NULL</i>")
    if isinstance(value, str):
        return Markup("{}").format(value)
    return Markup("{}").format(json.dumps(value, ensure_ascii=False))


def _changed_at(entry: object) -> Markup:
    raw = entry.get("updated_at") if isinstance(entry, dict) else None
    stamp = parse_stamp_text(raw)
    if stamp is not None:
        return stamp_html(stamp)
    if raw is None:
        return Markup("")
    # An entry edited by hand: show what is there rather than hide it.
    return Markup(
        '<span class="text-danger" title="unreadable stamp">{}</span>'
    ).format(json.dumps(raw, ensure_ascii=False))


def changes_html(obj: Any, key: str) -> Markup:
    """``obj.<key>`` (the ``changes`` column) as an HTML table of field, value
    and changed at, every value escaped."""
    entries = _entries(obj, key)
    if entries is None:
        raw = getattr(obj, key, None)
        if raw is None:
            return Markup("")
        return Markup("<code>{}</code>").format(json.dumps(raw, ensure_ascii=False))
    if not entries:
        return Markup("")
    rows = Markup("").join(
        Markup("<tr><td>{}</td><td>{}</td><td>{}</td></tr>").format(
            field, _value_html(entry), _changed_at(entry)
        )
        for field, entry in entries
    )
    return Markup(
        '<table class="table table-sm table-bordered mb-0 {}">'
        "<thead><tr><th>Field</th><th>Value</th><th>Changed at (UTC)</th></tr>"
        "</thead><tbody>{}</tbody></table>"
    ).format(CHANGES_TABLE_CLASS, rows)


def changes_text(obj: Any, key: str) -> str:
    """``obj.<key>`` as JSON text, for exports (no markup)."""
    raw = getattr(obj, key, None)
    return "" if raw is None else json.dumps(raw, ensure_ascii=False, sort_keys=True)
