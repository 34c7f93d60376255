"""Models with relationships: importable after fieldstamps, and every write
made through a relationship is stamped by the server like a direct write.

The import tests run fresh interpreters (nothing configured yet, as in an
application starting up); the rest run on every configured backend, on the
relationship models of tests/models.py and tests/models_catalog.py. The
writes run in both modes (``rel``: those models, or their trigger-mode twins,
tests.models.RELATIONS); the loading tests read, the same in both, and run on
the SQL-mode models alone.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar

import pytest
from sqlalchemy import (
    Engine,
    ForeignKey,
    String,
    Table,
    func,
    inspect,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    configure_mappers,
    joinedload,
    mapped_column,
    raiseload,
    selectinload,
)

from fieldstamps import ChangeTrackingMixin
from fieldstamps._spec import spec_of
from fieldstamps._types import parse_stamp_text
from tests.models import RELATIONS, Base, Item, Node, Owner, table_of
from tests.models_catalog import Tag
from tests.stamps import tick

# What each model records, by class name (a trigger-mode twin has its
# class's): tracked fields in ``changes``, and which fields move each
# ``changed_at()`` column. Written out rather than read from the library, so
# that a wrong configuration cannot agree with itself.
TRACKED: dict[str, tuple[str, ...]] = {
    "Owner": ("name",),
    "Item": ("label", "owner_id", "category_id"),
    "Tag": ("name",),
    "Book": ("title", "shelf_id"),
    "Stock": ("quantity",),
}
CHANGED_AT: dict[str, dict[str, tuple[str, ...]]] = {
    "Owner": {"name_changed_at": ("name",)},
    "Item": {"owner_changed_at": ("owner_id",)},
    "Node": {"parent_changed_at": ("parent_id",), "name_changed_at": ("name",)},
    "Book": {"shelf_changed_at": ("shelf_id",)},
}


@pytest.fixture
def rel(mode: str) -> SimpleNamespace:
    """The relationship models of ``mode`` (``rel.Owner``, ``rel.Item``, ...,
    ``rel.item_tag``): tests.models' own, or their trigger-mode twins."""
    return SimpleNamespace(**RELATIONS[mode])


@dataclass(frozen=True)
class Row:
    """One row as the database holds it, ``changes`` taken apart."""

    values: dict[str, Any]
    stamps: dict[str, dt.datetime | None]
    stored: dict[str, Any]

    @property
    def updated_at(self) -> dt.datetime:
        value: dt.datetime = self.values["updated_at"]
        return value


def read_row(db: Engine, cls: type[Any], **key: Any) -> Row | None:
    """The row of ``cls`` with primary key ``key``, read on a fresh
    connection; None when there is no such row."""
    table = cls.__table__
    assert isinstance(table, Table)
    with db.connect() as conn:
        row = conn.execute(
            select(table).where(*(table.c[name] == v for name, v in key.items()))
        ).one_or_none()
    if row is None:
        return None
    values = dict(row._mapping)
    changes = values.get("changes")
    changes = changes if isinstance(changes, dict) else {}
    entries = {
        field: changes.get(field) or {} for field in TRACKED.get(cls.__name__, ())
    }
    return Row(
        values=values,
        stamps={f: parse_stamp_text(e.get("updated_at")) for f, e in entries.items()},
        stored={f: e.get("value", "<missing>") for f, e in entries.items()},
    )


def row_of(db: Engine, obj: Any) -> Row:
    """``obj``'s row, which must exist."""
    state = inspect(obj)
    assert state.identity is not None, f"{obj!r} was never flushed"
    key = {
        column.key: value
        for column, value in zip(state.mapper.primary_key, state.identity, strict=True)
    }
    row = read_row(db, type(obj), **key)
    assert row is not None, f"{obj!r} has no row"
    return row


def assert_inserted(cls: type[Any], row: Row) -> None:
    """Every stamp of a freshly inserted row is the INSERT's own instant."""
    instant = row.values["created_at"]
    assert row.updated_at == instant
    for field in TRACKED.get(cls.__name__, ()):
        assert row.stamps[field] == instant, field
    for column in CHANGED_AT.get(cls.__name__, {}):
        assert row.values[column] == instant, column


def assert_wrote(cls: type[Any], before: Row, after: Row, changed: set[str]) -> None:
    """``after`` is one write later than ``before`` that changed exactly the
    fields ``changed``: their stamps are the write's instant (the row's new
    ``updated_at``), every other stamp and recorded value is as it was."""
    instant = after.updated_at
    assert instant > before.updated_at
    for field in changed:
        assert after.values[field] != before.values[field], field
    for field in TRACKED.get(cls.__name__, ()):
        if field in changed:
            assert after.stamps[field] == instant, field
            assert after.stored[field] == after.values[field], field
        else:
            assert after.stamps[field] == before.stamps[field], field
            assert after.stored[field] == before.stored[field], field
    for column, watched in CHANGED_AT.get(cls.__name__, {}).items():
        moved = bool(changed.intersection(watched))
        assert after.values[column] == (instant if moved else before.values[column]), (
            column
        )


def _owner_with_items(
    session: Session, rel: Any, *labels: str, name: str = "ann"
) -> Any:
    owner = rel.Owner(name=name, items=[rel.Item(label=label) for label in labels])
    session.add(owner)
    session.commit()
    return owner


# -- importing fieldstamps before models with forward references ---------------

# Each script runs in a fresh interpreter from its own folder: the application
# shape that broke, where ``import fieldstamps`` comes before models whose
# relationship() names a class that is defined further down.
_FIRST = "import fieldstamps  # before the models, as applications do\n"


def _header(*, fieldstamps_first: bool) -> str:
    return (
        "from __future__ import annotations\n\n"
        + (_FIRST if fieldstamps_first else "")
        + """\
import datetime as dt

from sqlalchemy import ForeignKey, String, create_engine
from sqlalchemy.orm import (
    DeclarativeBase, Mapped, Session, configure_mappers, mapped_column,
    relationship,
)
"""
    )


_BASE = """
class Base(DeclarativeBase):
    pass
"""

_MODELS = {
    "tracked": (
        "from fieldstamps import ChangeTrackingMixin, TimestampMixin, changed_at\n",
        """
class Parent(TimestampMixin, ChangeTrackingMixin, Base):
    __tablename__ = "parent"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(20))
    children: Mapped[list["Child"]] = relationship(back_populates="parent")
""",
        """
class Child(TimestampMixin, ChangeTrackingMixin, Base):
    __tablename__ = "child"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("parent.id"))
    parent_changed_at: Mapped[dt.datetime | None] = changed_at("parent_id")
    parent: Mapped["Parent | None"] = relationship(back_populates="children")
""",
        "assert child.get_updated_at('parent_id') == child.parent_changed_at"
        " == child.created_at is not None",
    ),
    "plain": (
        "",
        """
class Parent(Base):
    __tablename__ = "parent"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(20))
    children: Mapped[list["Child"]] = relationship(back_populates="parent")
""",
        """
class Child(Base):
    __tablename__ = "child"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("parent.id"))
    parent: Mapped["Parent | None"] = relationship(back_populates="children")
""",
        "pass",
    ),
}

_CHECK = """
configure_mappers()
assert Parent.children.property.mapper.class_ is Child
assert Child.parent.property.mapper.class_ is Parent
engine = create_engine("sqlite://")
Base.metadata.create_all(engine)
with Session(engine) as session:
    parent = Parent(name="p", children=[Child(name="c")])
    session.add(parent)
    session.commit()
    child = parent.children[0]
    assert child.parent_id == parent.id
    {stamps}
print("ok")
"""


@pytest.mark.parametrize("layout", ["one-module", "two-modules"])
@pytest.mark.parametrize("models", sorted(_MODELS))
def test_import_fieldstamps_then_models_naming_later_classes(
    tmp_path: Path, models: str, layout: str
) -> None:
    """Forward-referenced relationships configure after ``import fieldstamps``,
    with and without fieldstamps features on the models.

    Broke before the mapper hook stopped reading ``mapper.column_attrs``,
    which configures every mapper while the first class is still being
    mapped: "expression 'Child' failed to locate a name".
    """
    imports, parent, child, stamps = _MODELS[models]
    check = _CHECK.format(stamps=stamps)
    if layout == "one-module":
        main = _header(fieldstamps_first=True) + imports + _BASE + parent + child
    else:
        # app_a names Child, which app_b defines; app_a imports it last.
        plain = _header(fieldstamps_first=False)
        (tmp_path / "app_a.py").write_text(
            plain + imports + _BASE + parent + "\nimport app_b\n"
        )
        (tmp_path / "app_b.py").write_text(
            plain + imports + "from app_a import Base, Parent\n" + child
        )
        main = _header(fieldstamps_first=True) + (
            "from app_a import Base, Parent\nfrom app_b import Child\n"
        )
    (tmp_path / "main.py").write_text(main + check)
    result = subprocess.run(
        [sys.executable, "main.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok\n"


def test_suite_models_configure_across_both_modules(mode: str, rel: Any) -> None:
    # tests.models maps Owner, Item and Shelf before the classes they name
    # exist; if that had configured mappers, importing it would have failed.
    configure_mappers()
    # Each mode's classes name their own mode's: a twin's relationship to the
    # SQL-mode class would write that class's table.
    assert rel.Owner.items.property.mapper.class_ is rel.Item
    assert rel.Item.owner.property.mapper.class_ is rel.Owner
    assert rel.Item.category.property.mapper.class_ is rel.Category
    assert rel.Item.tags.property.secondary is rel.item_tag
    assert rel.Tag.items.property.mapper.class_ is rel.Item
    assert rel.Shelf.books.property.mapper.class_ is rel.Book
    assert rel.Book.shelf.property.mapper.class_ is rel.Shelf
    assert rel.Stock.item.property.mapper.class_ is rel.Item
    assert rel.Node.parent.property.mapper.class_ is rel.Node
    assert rel.Node.parent.property.direction.name == "MANYTOONE"
    names = ("owner", "item", "node", "shelf", "category", "tag", "item_tag")
    assert {table_of(rel.Item, name) for name in names} <= set(Base.metadata.tables)
    for name in ("Owner", "Item", "Node", "Tag", "Book", "Stock"):
        spec = spec_of(getattr(rel, name).__table__)
        assert spec is not None and spec.triggers == (mode == "triggers"), name
    assert spec_of(rel.Shelf.__table__) is spec_of(rel.Category.__table__) is None


# -- one-to-many --------------------------------------------------------------


def test_children_added_with_a_new_parent_record_the_key_the_flush_set(
    session: Session,
    rel: Any,
) -> None:
    owner = _owner_with_items(session, rel, "a", "b")
    db = session.get_bind()
    assert isinstance(db, Engine)
    assert_inserted(rel.Owner, row_of(db, owner))
    assert len(owner.items) == 2
    for item in owner.items:
        row = row_of(db, item)
        assert_inserted(rel.Item, row)
        assert row.values["owner_id"] == owner.id
        assert row.stored["owner_id"] == owner.id
        assert row.stored["label"] == item.label
        # The objects, expired by the commit, load the database's stamps.
        assert item.get_updated_at("owner_id") == row.updated_at
        assert item.owner_changed_at == row.updated_at


@pytest.mark.parametrize("how", ["collection-append", "backref-assign"])
def test_child_appended_to_an_existing_parent(
    session: Session, rel: Any, how: str
) -> None:
    owner = _owner_with_items(session, rel, "a")
    loose = rel.Item(label="loose")
    session.add(loose)
    session.commit()
    db = session.get_bind()
    assert isinstance(db, Engine)
    owner_before, sibling_before = row_of(db, owner), row_of(db, owner.items[0])
    loose_before = row_of(db, loose)
    assert loose_before.stored["owner_id"] is None
    tick()
    new = rel.Item(label="new")
    if how == "collection-append":
        owner.items.extend([new, loose])
    else:
        # Backrefs do not cascade objects into the session (SQLAlchemy 2).
        session.add(new)
        new.owner = owner
        loose.owner = owner
    session.commit()
    new_row = row_of(db, new)
    assert_inserted(rel.Item, new_row)
    assert new_row.stored["owner_id"] == owner.id
    assert new_row.updated_at > owner_before.updated_at
    # The existing child's key went from NULL to the owner: a change.
    assert_wrote(rel.Item, loose_before, row_of(db, loose), {"owner_id"})
    # Neither the parent nor the other child was written.
    assert row_of(db, owner) == owner_before
    assert row_of(db, owner.items[0]) == sibling_before


@pytest.mark.parametrize(
    "how", ["backref-assign", "collection-append", "foreign-key-assign"]
)
def test_moving_a_child_moves_its_key_stamp_only(
    session: Session, rel: Any, how: str
) -> None:
    ann = _owner_with_items(session, rel, "a", "b")
    bob = _owner_with_items(session, rel, "c", name="bob")
    moved, stays = ann.items
    db = session.get_bind()
    assert isinstance(db, Engine)
    before = {obj: row_of(db, obj) for obj in (ann, bob, moved, stays, *bob.items)}
    tick()
    if how == "backref-assign":
        moved.owner = bob
    elif how == "collection-append":
        bob.items.append(moved)
    else:
        moved.owner_id = bob.id
    session.commit()
    after = row_of(db, moved)
    assert_wrote(rel.Item, before[moved], after, {"owner_id"})
    assert after.stored["owner_id"] == bob.id
    assert (
        moved.get_updated_at("owner_id") == moved.owner_changed_at == after.updated_at
    )
    assert moved.get_updated_at("label") == before[moved].stamps["label"]
    for obj in (ann, bob, stays, *bob.items):
        if obj is not moved:
            assert row_of(db, obj) == before[obj], obj
    session.expire_all()
    assert [item.label for item in bob.items] == ["a", "c"]


@pytest.mark.parametrize("how", ["collection-remove", "backref-none"])
def test_removing_a_child_nulls_its_key_a_change(
    session: Session, rel: Any, how: str
) -> None:
    owner = _owner_with_items(session, rel, "a", "b")
    removed, stays = owner.items
    db = session.get_bind()
    assert isinstance(db, Engine)
    before = {obj: row_of(db, obj) for obj in (owner, removed, stays)}
    tick()
    if how == "collection-remove":
        owner.items.remove(removed)
    else:
        removed.owner = None
    session.commit()
    after = row_of(db, removed)
    assert after.values["owner_id"] is None
    assert_wrote(rel.Item, before[removed], after, {"owner_id"})
    assert after.stored["owner_id"] is None
    assert row_of(db, owner) == before[owner]
    assert row_of(db, stays) == before[stays]


def test_deleting_a_parent_nulls_its_childrens_keys_each_stamped(
    session: Session,
    rel: Any,
) -> None:
    owner = _owner_with_items(session, rel, "a", "b")
    items = list(owner.items)
    db = session.get_bind()
    assert isinstance(db, Engine)
    before = {item: row_of(db, item) for item in items}
    tick()
    session.delete(owner)  # no delete cascade: SQLAlchemy nulls owner_id
    session.commit()
    assert read_row(db, rel.Owner, id=before[items[0]].values["owner_id"]) is None
    for item in items:
        after = row_of(db, item)
        assert_wrote(rel.Item, before[item], after, {"owner_id"})
        assert after.stored["owner_id"] is None


def test_children_moved_by_an_update_statement_on_the_foreign_key(
    session: Session,
    rel: Any,
) -> None:
    ann = _owner_with_items(session, rel, "a", "b")
    bob = _owner_with_items(session, rel, name="bob")
    db = session.get_bind()
    assert isinstance(db, Engine)
    before = {item: row_of(db, item) for item in ann.items}
    tick()
    session.execute(
        update(rel.Item).where(rel.Item.owner_id == ann.id).values(owner_id=bob.id)
    )
    session.commit()
    for item, was in before.items():
        after = row_of(db, item)
        assert_wrote(rel.Item, was, after, {"owner_id"})
        assert after.stored["owner_id"] == bob.id
        assert item.owner_changed_at == after.updated_at


# -- no-ops ---------------------------------------------------------------------


@pytest.mark.parametrize("loaded", [True, False], ids=["loaded", "expired"])
def test_reassigning_the_same_parent_is_not_a_change(
    db: Engine, rel: Any, loaded: bool
) -> None:
    with Session(db) as session:
        owner = _owner_with_items(session, rel, "a")
        item = owner.items[0]
        before = row_of(db, item)
        if loaded:
            assert item.owner is owner
        else:
            session.expire(item)
        tick()
        item.owner = owner
        item.owner_id = owner.id
        session.commit()
        after = row_of(db, item)
        if loaded:
            assert after == before  # the ORM saw no change and wrote nothing
        else:
            # The old values unknown, the ORM writes owner_id again: the row
            # is written, and no field changed.
            assert_wrote(rel.Item, before, after, set())
        tick()
        item.owner = owner
        item.label = "A"
        session.commit()
    assert_wrote(rel.Item, after, row_of(db, item), {"label"})


def test_the_same_parent_written_by_a_statement_is_not_a_change(
    session: Session,
    rel: Any,
) -> None:
    owner = _owner_with_items(session, rel, "a")
    item = owner.items[0]
    db = session.get_bind()
    assert isinstance(db, Engine)
    before = row_of(db, item)
    tick()
    session.execute(
        update(rel.Item).where(rel.Item.id == item.id).values(owner_id=owner.id)
    )
    session.commit()
    after = row_of(db, item)
    assert_wrote(rel.Item, before, after, set())  # written, nothing changed


# -- many-to-many -----------------------------------------------------------------


def _links(db: Engine, rel: Any) -> set[tuple[int, int]]:
    with db.connect() as conn:
        rows = conn.execute(select(rel.item_tag.c.item_id, rel.item_tag.c.tag_id)).all()
    return {(row.item_id, row.tag_id) for row in rows}


@pytest.mark.parametrize("side", ["item", "tag"])
def test_many_to_many_links_leave_both_sides_stamps(
    session: Session, rel: Any, side: str
) -> None:
    red, blue = rel.Tag(name="red"), rel.Tag(name="blue")
    item = rel.Item(label="a", tags=[red])
    session.add_all([item, blue])
    session.commit()
    db = session.get_bind()
    assert isinstance(db, Engine)
    assert _links(db, rel) == {(item.id, red.id)}
    red_row = row_of(db, red)
    assert red_row.stored["name"] == "red"
    assert red_row.stamps["name"] is not None
    before = {obj: row_of(db, obj) for obj in (item, red, blue)}
    tick()
    if side == "item":
        item.tags.append(blue)
        item.tags.remove(red)
    else:
        blue.items.append(item)
        red.items.remove(item)
    session.commit()
    assert _links(db, rel) == {(item.id, blue.id)}
    # Association rows only: neither side's row was written.
    for obj, was in before.items():
        assert row_of(db, obj) == was, obj
    assert item.tags == [blue]
    assert blue.get_updated_at("name") == before[blue].stamps["name"]


def test_many_to_many_link_with_a_change_of_its_own(session: Session, rel: Any) -> None:
    red = rel.Tag(name="red")
    item = rel.Item(label="a")
    session.add_all([item, red])
    session.commit()
    db = session.get_bind()
    assert isinstance(db, Engine)
    item_before, red_before = row_of(db, item), row_of(db, red)
    tick()
    item.tags.append(red)
    item.label = "A"
    red.name = "Red"
    session.commit()
    assert _links(db, rel) == {(item.id, red.id)}
    assert_wrote(rel.Item, item_before, row_of(db, item), {"label"})
    red_after = row_of(db, red)
    assert red_after.stored["name"] == "Red"
    assert red_after.stamps["name"] is not None
    assert red_before.stamps["name"] is not None
    # Tag has no updated_at; the only write's stamp is later than the first.
    assert red_after.stamps["name"] > red_before.stamps["name"]


# -- self-referential -------------------------------------------------------------


@pytest.mark.parametrize("how", ["parent-assign", "children-append", "make-root"])
def test_reparenting_in_a_tree(session: Session, rel: Any, how: str) -> None:
    first, second = rel.Node(name="first"), rel.Node(name="second")
    child = rel.Node(name="child", parent=first)
    grandchild = rel.Node(name="grandchild", parent=child)
    session.add_all([first, second])
    session.commit()
    db = session.get_bind()
    assert isinstance(db, Engine)
    for node in (first, second, child, grandchild):
        assert_inserted(rel.Node, row_of(db, node))
    assert row_of(db, grandchild).values["parent_id"] == child.id
    before = {node: row_of(db, node) for node in (first, second, child, grandchild)}
    tick()
    if how == "parent-assign":
        child.parent = second
    elif how == "children-append":
        second.children.append(child)
    else:
        child.parent = None
    session.commit()
    after = row_of(db, child)
    assert_wrote(rel.Node, before[child], after, {"parent_id"})
    assert after.values["parent_id"] == (None if how == "make-root" else second.id)
    assert child.parent_changed_at == after.updated_at
    assert child.name_changed_at == before[child].values["name_changed_at"]
    for node in (first, second, grandchild):
        assert row_of(db, node) == before[node], node.name


def test_rename_and_reparent_in_one_flush(session: Session, rel: Any) -> None:
    first, second = rel.Node(name="first"), rel.Node(name="second")
    child = rel.Node(name="child", parent=first)
    session.add_all([first, second])
    session.commit()
    db = session.get_bind()
    assert isinstance(db, Engine)
    before = row_of(db, child)
    tick()
    child.parent = second
    child.name = "moved"
    second.name = "Second"
    session.commit()
    assert_wrote(rel.Node, before, row_of(db, child), {"parent_id", "name"})
    second_after = row_of(db, second)
    assert second_after.values["name_changed_at"] == second_after.updated_at
    assert second_after.values["parent_changed_at"] == second_after.values["created_at"]


# -- cascades -----------------------------------------------------------------------


def _shelf_with_books(
    session: Session, rel: Any, *titles: str, place: str = "hall"
) -> Any:
    shelf = rel.Shelf(place=place, books=[rel.Book(title=title) for title in titles])
    session.add(shelf)
    session.commit()
    return shelf


def test_books_inserted_through_an_untracked_parent(session: Session, rel: Any) -> None:
    shelf = _shelf_with_books(session, rel, "Dune", "Emma")
    db = session.get_bind()
    assert isinstance(db, Engine)
    for book in shelf.books:
        row = row_of(db, book)
        assert_inserted(rel.Book, row)
        assert row.stored == {"title": book.title, "shelf_id": shelf.id}
        assert "isbn" not in row.values["changes"]


def test_delete_orphan_deletes_only_the_orphan(session: Session, rel: Any) -> None:
    shelf = _shelf_with_books(session, rel, "Dune", "Emma")
    orphan, kept = shelf.books
    orphan_id = orphan.id
    db = session.get_bind()
    assert isinstance(db, Engine)
    kept_before = row_of(db, kept)
    tick()
    shelf.books.remove(orphan)
    session.commit()
    assert read_row(db, rel.Book, id=orphan_id) is None
    assert row_of(db, kept) == kept_before


def test_deleting_the_parent_cascades(session: Session, rel: Any) -> None:
    shelf = _shelf_with_books(session, rel, "Dune", "Emma")
    other = _shelf_with_books(session, rel, "Odyssey", place="attic")
    ids = [book.id for book in shelf.books]
    db = session.get_bind()
    assert isinstance(db, Engine)
    other_before = row_of(db, other.books[0])
    session.delete(shelf)
    session.commit()
    assert all(read_row(db, rel.Book, id=book_id) is None for book_id in ids)
    assert row_of(db, other.books[0]) == other_before


def test_moving_a_book_between_delete_orphan_parents(
    session: Session, rel: Any
) -> None:
    hall = _shelf_with_books(session, rel, "Dune")
    attic = _shelf_with_books(session, rel, place="attic")
    book = hall.books[0]
    db = session.get_bind()
    assert isinstance(db, Engine)
    before = row_of(db, book)
    tick()
    attic.books.append(book)  # leaves hall.books: moved, not orphaned
    session.commit()
    after = row_of(db, book)
    assert_wrote(rel.Book, before, after, {"shelf_id"})
    assert after.stored["shelf_id"] == attic.id
    assert book.shelf_changed_at == after.updated_at


def test_association_object_with_a_composite_key(db: Engine, rel: Any) -> None:
    with Session(db, expire_on_commit=False) as session:
        shelf = rel.Shelf(place="hall")
        item = rel.Item(label="a")
        shelf.stock.append(rel.Stock(item=item, quantity=1))
        session.add(shelf)
        session.commit()
        stock = shelf.stock[0]
        before = row_of(db, stock)
        assert_inserted(rel.Stock, before)
        assert before.stored["quantity"] == 1
        # Key columns are not tracked fields.
        assert set(before.values["changes"]) == {"quantity"}
        tick()
        stock.quantity = 5
        session.flush()
        # Reloaded with the flush, by the composite key.
        assert not {"changes", "updated_at"} & inspect(stock).unloaded
        in_session = (stock.updated_at, stock.get_updated_at("quantity"))
        session.commit()
    after = row_of(db, stock)
    assert_wrote(rel.Stock, before, after, {"quantity"})
    assert in_session == (after.updated_at, after.updated_at)


# -- stamps of objects written through relationships, in the session ------------

_ITEM_STAMPS = {"changes", "updated_at", "owner_changed_at", "created_at"}


def test_stamps_reload_after_flushes_through_relationships(
    db: Engine, rel: Any
) -> None:
    with Session(db, expire_on_commit=False) as session:
        ann = _owner_with_items(session, rel, "a", "b")
        bob = _owner_with_items(session, rel, name="bob")
        moved, nulled = ann.items
        before = {item: row_of(db, item) for item in (moved, nulled)}
        tick()
        bob.items.append(moved)
        new = rel.Item(label="new")
        bob.items.append(new)
        session.flush()
        # Changed only by the unit of work's sync of the key, not by an
        # attribute set on the object itself.
        assert not _ITEM_STAMPS & inspect(moved).unloaded
        assert not _ITEM_STAMPS & inspect(new).unloaded
        moved_stamp = moved.get_updated_at("owner_id")
        new_stamps = (new.created_at, new.get_updated_at("owner_id"))
        session.commit()
        tick()
        session.delete(ann)
        session.flush()
        # Nulled by the flush while deleting its parent.
        assert not _ITEM_STAMPS & inspect(nulled).unloaded
        nulled_stamps = (nulled.updated_at, nulled.get_updated_at("owner_id"))
        session.commit()
    moved_row, new_row, nulled_row = (row_of(db, i) for i in (moved, new, nulled))
    assert_wrote(rel.Item, before[moved], moved_row, {"owner_id"})
    assert moved_stamp == moved_row.updated_at
    assert_inserted(rel.Item, new_row)
    created = new_row.values["created_at"]
    assert new_stamps == (created, created)
    assert_wrote(rel.Item, before[nulled], nulled_row, {"owner_id"})
    assert nulled_stamps == (nulled_row.updated_at, nulled_row.updated_at)


async def test_async_session_writes_through_relationships(
    db: Engine, rel: Any, async_engine: AsyncEngine
) -> None:
    sessions = async_sessionmaker(async_engine, expire_on_commit=False)
    try:
        async with sessions() as session:
            ann = rel.Owner(name="ann", items=[rel.Item(label="a")])
            bob = rel.Owner(name="bob", items=[])
            session.add_all([ann, bob])
            await session.commit()
            item = ann.items[0]
            before = row_of(db, item)
            tick()
            bob.items.append(item)
            await session.commit()
            # Read without awaiting: a stamp left expired would raise
            # MissingGreenlet here.
            after = row_of(db, item)
            assert_wrote(rel.Item, before, after, {"owner_id"})
            assert item.get_updated_at("owner_id") == after.updated_at
            assert item.owner_changed_at == after.updated_at
            assert item.get_updated_at("label") == before.stamps["label"]

            session.expunge_all()
            owners = (
                await session.scalars(
                    select(rel.Owner)
                    .options(selectinload(rel.Owner.items))
                    .order_by(rel.Owner.name)
                )
            ).all()
            assert [[i.label for i in o.items] for o in owners] == [[], ["a"]]
            loaded = owners[1].items[0]
            assert loaded.owner_changed_at == after.updated_at
            assert loaded.get_updated_at("owner_id") == after.updated_at
    finally:
        await async_engine.dispose()


# -- loading --------------------------------------------------------------------


def _tagged_owner(session: Session) -> int:
    red, blue = Tag(name="red"), Tag(name="blue")
    owner = Owner(
        name="ann",
        items=[Item(label="a", tags=[red, blue]), Item(label="b", tags=[blue])],
    )
    session.add(owner)
    session.commit()
    owner_id = owner.id
    session.expunge_all()
    return owner_id


def _assert_item_stamps_match(db: Engine, item: Item) -> None:
    row = row_of(db, item)
    assert item.updated_at == row.updated_at
    assert item.owner_changed_at == row.values["owner_changed_at"]
    for field in ("label", "owner_id"):
        assert item.get_updated_at(field) == row.stamps[field], field


def test_lazy_loading_relationships_of_tracked_models(session: Session) -> None:
    owner_id = _tagged_owner(session)
    db = session.get_bind()
    assert isinstance(db, Engine)
    owner = session.get_one(Owner, owner_id)
    assert owner.get_updated_at("name") == row_of(db, owner).updated_at
    assert [item.label for item in owner.items] == ["a", "b"]
    for item in owner.items:
        assert item.owner is owner
        _assert_item_stamps_match(db, item)
    first = owner.items[0]
    assert [tag.name for tag in first.tags] == ["red", "blue"]
    for tag in first.tags:
        assert tag.get_updated_at("name") == row_of(db, tag).stamps["name"]
        assert first in tag.items


def test_eager_loading_relationships_of_tracked_models(session: Session) -> None:
    _tagged_owner(session)
    db = session.get_bind()
    assert isinstance(db, Engine)
    owner = session.scalars(
        select(Owner).options(
            selectinload(Owner.items).selectinload(Item.tags),
            raiseload("*"),
        )
    ).one()
    assert [[t.name for t in i.tags] for i in owner.items] == [
        ["red", "blue"],
        ["blue"],
    ]
    for item in owner.items:
        assert not _ITEM_STAMPS & inspect(item).unloaded
        _assert_item_stamps_match(db, item)
    session.expunge_all()
    items = session.scalars(
        select(Item).options(joinedload(Item.owner), raiseload("*")).order_by(Item.id)
    ).all()
    assert {item.owner.name for item in items if item.owner} == {"ann"}
    for item in items:
        _assert_item_stamps_match(db, item)
    # Filtering across the relationship on a stamp.
    since = min(row_of(db, item).values["created_at"] for item in items)
    names = session.scalars(
        select(Owner.name)
        .join(Owner.items)
        .where(Item.updated_at_of("owner_id") >= since)
        .group_by(Owner.name)
    ).all()
    assert names == ["ann"]
    assert (
        session.scalar(
            select(func.count()).select_from(Item).where(Item.owner_changed_at >= since)
        )
        == 2
    )


def test_selectin_loading_a_tree(session: Session) -> None:
    root = Node(name="root", children=[Node(name="a", children=[Node(name="a1")])])
    session.add(root)
    session.commit()
    db = session.get_bind()
    assert isinstance(db, Engine)
    session.expunge_all()
    loaded = session.scalars(
        select(Node)
        .where(Node.parent_id.is_(None))
        .options(selectinload(Node.children, recursion_depth=2))
    ).one()
    (child,) = loaded.children
    (grandchild,) = child.children
    for node in (loaded, child, grandchild):
        row = row_of(db, node)
        assert node.parent_changed_at == row.values["parent_changed_at"]
        assert node.parent_changed_at == row.values["created_at"]
    assert grandchild.parent is child


# -- a foreign key to a table defined after the class --------------------------


def test_key_to_a_later_table_records_its_value(session: Session, rel: Any) -> None:
    """``Item.category_id`` names ``category.id`` without a type of its own;
    SQLAlchemy gives it the target's type once tests.models_catalog defines
    that table, after Item was mapped. Its value belongs in ``changes`` like
    ``owner_id``'s, whose target existed earlier."""
    books, music = rel.Category(title="books"), rel.Category(title="music")
    item = rel.Item(label="a", category=books)
    session.add_all([item, music])
    session.commit()
    db = session.get_bind()
    assert isinstance(db, Engine)
    inserted = row_of(db, item)
    assert inserted.values["category_id"] == books.id
    assert_inserted(rel.Item, inserted)
    assert inserted.stored["category_id"] == books.id
    tick()
    item.category = music
    session.commit()
    moved = row_of(db, item)
    assert_wrote(rel.Item, inserted, moved, {"category_id"})
    assert moved.stored["category_id"] == music.id


def test_key_to_a_later_table_named_in_store_values(engine: Engine, mode: str) -> None:
    """The same key asked for by name in ``store_values``: the request must
    be honoured (or refused when the class is created), not dropped; by the
    triggers too, whose body is written when the table is created."""

    class LaterBase(DeclarativeBase):
        pass

    class Early(ChangeTrackingMixin, LaterBase):
        __tablename__ = "early_ref"
        __fieldstamps__: ClassVar[dict[str, Any]] = {
            "store_values": ["late_id", "note"],
            "triggers": mode == "triggers",
        }

        id: Mapped[int] = mapped_column(primary_key=True)
        note: Mapped[str | None] = mapped_column(String(20))
        late_id: Mapped[int | None] = mapped_column(ForeignKey("late_ref.id"))

    class Late(LaterBase):
        __tablename__ = "late_ref"

        id: Mapped[int] = mapped_column(primary_key=True)

    LaterBase.metadata.create_all(engine)
    try:
        with Session(engine) as session:
            session.add(Late(id=7))
            session.flush()
            early = Early(id=1, note="n", late_id=7)
            session.add(early)
            session.commit()
            changes = early.changes
        assert isinstance(changes, dict)
        assert changes["note"].get("value", "<missing>") == "n"
        assert changes["late_id"].get("value", "<missing>") == 7
    finally:
        LaterBase.metadata.drop_all(engine)
