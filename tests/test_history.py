"""Per-field history (``{"history": True}``): one entry per changed field on
every write path, with old and new values, when, the transaction, who and
why; ``as_of``, ``revert``, ``prune`` and ``erase``; on every backend."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, delete, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Session

import fieldstamps
from fieldstamps import Change, HistoryError, NaiveDatetimeError, UnknownFieldError
from tests.models import ACCOUNT_FIELDS, Account, Membership, User
from tests.requirements import requires
from tests.stamps import raw_sql, tick, upsert_statement
from tests.test_indexing import _plan


def _add(session: Session, **values: Any) -> Account:
    account = Account(**{"name": "ann", **values})
    session.add(account)
    session.commit()
    return account


def _history(db: Engine | Session, pk: Any, field: str | None = None) -> list[Change]:
    if isinstance(db, Session):
        return fieldstamps.get_history(db, Account, pk, field)
    with Session(db) as session:
        return fieldstamps.get_history(session, Account, pk, field)


def _updates(db: Engine, pk: Any) -> list[tuple[str, Any, Any]]:
    """(field, old, new) of the row's update entries, oldest first."""
    return [
        (change.field, change.old, change.new)
        for change in reversed(_history(db, pk))
        if change.operation == "update"
    ]


def _row_stamps(db: Engine, pk: int) -> tuple[dt.datetime, dt.datetime]:
    with Session(db) as session:
        account = session.get_one(Account, pk)
        return account.created_at, account.updated_at


# -- what is recorded -------------------------------------------------------------


def test_insert_records_every_field_with_no_old_value(session: Session) -> None:
    account = _add(session, email="a@x", age=3, balance=Decimal("1.50"))
    changes = account.get_history()
    assert {change.field for change in changes} == set(ACCOUNT_FIELDS)
    by_field = {change.field: change for change in changes}
    # The JSON forms changes uses: a Decimal as its text, NULL as None.
    assert {f: c.new for f, c in by_field.items()} == {
        "name": "ann",
        "email": "a@x",
        "age": 3,
        "balance": "1.50",
        "password_hash": None,
    }
    assert all(c.old is None and c.operation == "insert" for c in changes)
    assert {c.changed_at for c in changes} == {account.created_at}
    assert len({c.transaction_id for c in changes}) == 1
    assert all(
        c.actor is None and c.reason is None and c.context == {} for c in changes
    )
    assert all(c.changed_at.tzinfo is dt.UTC for c in changes)


def test_update_records_only_the_fields_whose_value_changed(session: Session) -> None:
    account = _add(session, email="a@x", age=3, balance=Decimal("1.50"))
    tick()
    account.name = "bob"
    account.age = 3  # the same value: not a change
    account.balance = Decimal("1.5")  # equal as a number: not a change
    session.commit()
    [change] = [c for c in account.get_history() if c.operation == "update"]
    assert (change.field, change.old, change.new) == ("name", "ann", "bob")
    # The row's updated_at of that write; stamps themselves are no fields.
    assert change.changed_at == account.updated_at > account.created_at
    assert not {"updated_at", "created_at", "changes"} & {
        c.field for c in account.get_history()
    }


def test_a_no_op_write_records_nothing(db: Engine, session: Session) -> None:
    account = _add(session, age=1)
    before = len(account.get_history())
    session.execute(update(Account).values(age=Account.age))
    session.execute(update(Account).where(Account.id == account.id).values(name="ann"))
    session.commit()
    assert len(_history(db, account.id)) == before


def test_delete_records_the_last_values_and_the_history_outlives_the_row(
    db: Engine, session: Session
) -> None:
    account = _add(session, age=7)
    pk = account.id
    session.delete(account)
    session.commit()
    assert session.get(Account, pk) is None
    deleted = [c for c in _history(db, pk) if c.operation == "delete"]
    assert {(c.field, c.old, c.new) for c in deleted} == {
        ("name", "ann", None),
        ("email", None, None),
        ("age", 7, None),
        ("balance", None, None),
        ("password_hash", None, None),
    }


# -- every write path -------------------------------------------------------------


def test_orm_update_statements_with_literals_and_sql_expressions(
    db: Engine, session: Session
) -> None:
    account = _add(session, age=1)
    session.execute(update(Account).values(name="lit"))
    session.execute(update(Account).values(age=Account.age + 1))
    session.commit()
    assert _updates(db, account.id) == [("name", "ann", "lit"), ("age", 1, 2)]


def test_bulk_update_by_primary_key_and_bulk_update_mappings(
    db: Engine, session: Session
) -> None:
    a, b = _add(session, age=1), _add(session, name="bea", age=2)
    session.execute(update(Account), [{"id": a.id, "age": 10}, {"id": b.id, "age": 2}])
    session.bulk_update_mappings(Account, [{"id": b.id, "name": "bee"}])  # type: ignore[arg-type]
    session.commit()
    assert _updates(db, a.id) == [("age", 1, 10)]
    assert _updates(db, b.id) == [("name", "bea", "bee")]


def test_core_insert_executemany_and_update(db: Engine) -> None:
    with db.begin() as conn:
        conn.execute(insert(Account), [{"id": 1, "name": "x"}, {"id": 2, "name": "y"}])
        conn.execute(update(Account).where(Account.id == 2).values(email="y@x"))
    assert [c.new for c in _history(db, 1, "name")] == ["x"]
    assert _updates(db, 2) == [("email", None, "y@x")]


def test_upserts_record_an_insert_then_an_update(db: Engine) -> None:
    with db.begin() as conn:
        conn.execute(upsert_statement(db, Account, id=5, name="new", age=1))
    with db.begin() as conn:
        conn.execute(upsert_statement(db, Account, id=5, name="new", age=2))
    assert [c.operation for c in _history(db, 5, "name")] == ["insert"]
    assert _updates(db, 5) == [("age", 1, 2)]


def test_async_session(db: Engine, async_engine: AsyncEngine) -> None:
    async def run() -> int:
        async with AsyncSession(async_engine, expire_on_commit=False) as session:
            account = Account(name="async")
            session.add(account)
            await session.commit()
            with fieldstamps.context(actor="worker"):
                account.name = "awaited"
                await session.commit()
            pk = account.id
        await async_engine.dispose()
        return pk

    pk = asyncio.run(run())
    [change] = [c for c in _history(db, pk) if c.operation == "update"]
    assert (change.old, change.new, change.actor) == ("async", "awaited", "worker")


def test_raw_sql_of_a_writer_outside_sqlalchemy(db: Engine) -> None:
    # As the README tells a writer outside SQLAlchemy: end the transaction's
    # marker (SQLite) or variables (MariaDB) before commit, for a new
    # transaction id each time.
    end = (
        []
        if requires.trigger_functions(db)
        else (
            ["DELETE FROM fieldstamps_txn"]
            if requires.single_writer(db)
            else ["SET @fieldstamps_txn = NULL"]
        )
    )
    raw_sql(
        db,
        "INSERT INTO account (id, name, password_hash) VALUES (9, 'raw', 'secret1')",
        *end,
    )
    raw_sql(
        db,
        "UPDATE account SET name = 'raw2', password_hash = 'secret2' WHERE id = 9",
        *end,
    )
    raw_sql(db, "DELETE FROM account WHERE id = 9", *end)
    changes = _history(db, 9)
    assert [(c.operation, c.old, c.new) for c in changes if c.field == "name"] == [
        ("delete", "raw2", None),
        ("update", "raw", "raw2"),
        ("insert", None, "raw"),
    ]
    # That and when a redacted field changed, never its value.
    redacted = [c for c in changes if c.field == "password_hash"]
    assert [c.operation for c in redacted] == ["delete", "update", "insert"]
    assert all(c.old is None and c.new is None for c in redacted)
    assert len({c.transaction_id for c in changes}) == 3


def test_redacted_values_are_stored_nowhere(db: Engine, session: Session) -> None:
    account = _add(session, password_hash="hunter2")
    account.password_hash = "hunter3"
    session.commit()
    with db.connect() as conn:
        stored = conn.execute(
            text("SELECT old, new, context FROM account_history")
        ).all()
        changes_json = conn.execute(text("SELECT changes FROM account")).scalar_one()
    assert "hunter" not in repr(stored) + str(changes_json)
    assert [c.operation for c in account.get_history("password_hash")] == [
        "update",
        "insert",
    ]


# -- transactions -------------------------------------------------------------------


def test_one_transaction_id_per_transaction(db: Engine, session: Session) -> None:
    a, b = _add(session), _add(session, name="bea")
    a.name, b.name = "a2", "b2"
    session.flush()
    session.execute(update(Account).where(Account.id == a.id).values(age=1))
    session.commit()
    a.name = "a3"
    session.commit()
    first = {
        c.transaction_id for c in _history(db, a.id)[1:] if c.operation == "update"
    }
    first |= {c.transaction_id for c in _history(db, b.id) if c.operation == "update"}
    [second] = {c.transaction_id for c in _history(db, a.id)[:1]}
    assert len(first) == 1
    assert second not in first
    inserts = {c.transaction_id for c in _history(db, a.id) if c.operation == "insert"}
    assert inserts.isdisjoint(first | {second})


def test_rollback_and_savepoint_rollback_leave_no_history(
    db: Engine, session: Session
) -> None:
    account = _add(session)
    account.name = "rolled back"
    session.flush()
    session.rollback()
    with session.begin_nested():
        account.age = 5
    savepoint = session.begin_nested()
    account.name = "inner"
    session.flush()
    savepoint.rollback()
    session.commit()
    assert _updates(db, account.id) == [("age", None, 5)]


def test_history_of_a_composite_key_in_a_named_table(db: Engine) -> None:
    with Session(db) as session:
        session.add(Membership(org_id=1, user_id=2, role="member", note="x"))
        session.commit()
        membership = session.get_one(Membership, (1, 2))
        membership.role = "admin"
        membership.note = "not recorded"
        session.commit()
        changes = fieldstamps.get_history(session, Membership, (1, 2))
        assert [(c.operation, c.old, c.new) for c in changes] == [
            ("update", "member", "admin"),
            ("insert", None, "member"),
        ]
        assert membership.get_history() == changes
        log = fieldstamps.history_class(Membership).__table__  # type: ignore[attr-defined]
        assert log.name == "membership_log"
        with pytest.raises(HistoryError, match=r"\(org_id, user_id\)"):
            fieldstamps.get_history(session, Membership, 1)


# -- who and why ----------------------------------------------------------------


def test_context_is_recorded_nested_contexts_merge(
    db: Engine, session: Session
) -> None:
    account = _add(session)
    with fieldstamps.context(actor="ann", reason="ticket", ticket=42, source="ui"):
        with fieldstamps.context(reason="fix", source="api"):
            account.name = "inner"
            session.commit()
        account.age = 1
        session.commit()
    account.email = "outside@x"
    session.commit()
    by_field = {c.field: c for c in _history(db, account.id) if c.operation == "update"}
    inner, outer, outside = by_field["name"], by_field["age"], by_field["email"]
    assert (inner.actor, inner.reason, inner.context) == (
        "ann",
        "fix",
        {"ticket": 42, "source": "api"},
    )
    assert (outer.actor, outer.reason, outer.context) == (
        "ann",
        "ticket",
        {"ticket": 42, "source": "ui"},
    )
    assert (outside.actor, outside.reason, outside.context) == (None, None, {})


def test_context_entered_or_left_mid_transaction_applies_from_then_on(
    db: Engine, session: Session
) -> None:
    account = _add(session)
    account.name = "before"
    session.flush()
    with fieldstamps.context(actor="late"):
        account.age = 1
        session.flush()
    account.email = "after@x"
    session.commit()
    actors = {
        c.field: c.actor for c in _history(db, account.id) if c.operation == "update"
    }
    assert actors == {"name": None, "age": "late", "email": None}
    assert len({c.transaction_id for c in _history(db, account.id)[:3]}) == 1


def test_context_never_reaches_the_next_user_of_a_pooled_connection(
    db: Engine,
) -> None:
    one = fieldstamps_engine(db)
    try:
        with Session(one) as session:
            account = _add(session)
            pk = account.id
            with fieldstamps.context(actor="first"):
                account.name = "x"
                session.commit()
            failed = Session(one)
            with fieldstamps.context(actor="rolled back"):
                failed.execute(update(Account).values(age=1))
                failed.rollback()
            failed.close()
            account.name = "y"
            session.commit()
        actors = [c.actor for c in _history(db, pk, "name")]
        assert actors == [None, "first", None]
    finally:
        one.dispose()


def fieldstamps_engine(db: Engine) -> Engine:
    """A second engine on ``db``'s database whose pool has one connection,
    so that every session reuses it."""
    from sqlalchemy import create_engine

    return create_engine(
        db.url.render_as_string(hide_password=False), pool_size=1, max_overflow=0
    )


def test_context_follows_threads_and_as_a_decorator(db: Engine) -> None:
    with Session(db) as session:
        ids = [_add(session, name=f"t{i}").id for i in range(2)]
    errors: list[BaseException] = []

    @fieldstamps.context(reason="decorated")
    def rename(pk: int, actor: str) -> None:
        try:
            with fieldstamps.context(actor=actor), Session(db) as session:
                session.get_one(Account, pk).name = f"by {actor}"
                session.commit()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=rename, args=(pk, f"thread{pk}")) for pk in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    for pk in ids:
        [change] = [c for c in _history(db, pk) if c.operation == "update"]
        assert (change.actor, change.reason) == (f"thread{pk}", "decorated")


def test_context_refuses_what_it_cannot_store() -> None:
    with pytest.raises(HistoryError, match=r"when=.*no JSON form"):
        fieldstamps.context(when=dt.datetime.now(dt.UTC))
    with pytest.raises(HistoryError, match="actor"):
        fieldstamps.context(actor=42)  # type: ignore[arg-type]
    with pytest.raises(HistoryError, match="255"):
        fieldstamps.context(actor="x" * 256)


# -- as_of, revert --------------------------------------------------------------------


def test_as_of_gives_the_values_at_each_instant(db: Engine, session: Session) -> None:
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    account = _add(session, age=1, balance=Decimal("2.00"))
    tick()
    account.age = 2
    session.commit()
    tick()
    first, second = account.created_at, account.updated_at
    session.delete(account)
    session.commit()
    pk = account.id
    assert fieldstamps.as_of(session, Account, pk, before) is None
    assert fieldstamps.as_of(session, Account, pk, first) == {
        "name": "ann",
        "email": None,
        "age": 1,
        "balance": "2.00",
        "password_hash": None,
    }
    later = fieldstamps.as_of(session, Account, pk, second)
    assert later is not None and later["age"] == 2
    assert fieldstamps.as_of(session, Account, pk, dt.datetime.now(dt.UTC)) is None
    with pytest.raises(NaiveDatetimeError):
        fieldstamps.as_of(session, Account, pk, dt.datetime.now())


def test_revert_is_an_ordinary_change(db: Engine, session: Session) -> None:
    account = _add(session, age=1, balance=Decimal("2.50"), email="a@x")
    tick()
    at = account.updated_at
    account.age, account.balance, account.email = 9, Decimal("0.10"), None
    session.commit()
    tick()
    with fieldstamps.context(actor="undo"):
        reverted = fieldstamps.revert(session, account, "age", "balance", to=at)
        session.commit()
    assert reverted == {"age": 1, "balance": Decimal("2.50")}
    assert (account.age, account.balance, account.email) == (1, Decimal("2.50"), None)
    newest = [c for c in account.get_history() if c.changed_at == account.updated_at]
    assert {(c.field, c.new, c.actor) for c in newest} == {
        ("age", 1, "undo"),
        ("balance", "2.50", "undo"),
    }
    assert account.get_updated_at("age") == account.updated_at > at
    fieldstamps.revert(session, account, to=at)
    assert account.email == "a@x"
    with pytest.raises(HistoryError, match="did not exist"):
        fieldstamps.revert(session, account, to=at - dt.timedelta(days=1))
    with pytest.raises(HistoryError, match="redacted"):
        fieldstamps.revert(session, account, "password_hash", to=at)


# -- retention and erasure ----------------------------------------------------------


def _renamed(session: Session, account: Account, names: list[str]) -> list[dt.datetime]:
    times = []
    for name in names:
        tick()
        account.name = name
        session.commit()
        times.append(account.updated_at)
    return times


def test_prune_keeps_the_value_at_the_cut(db: Engine, session: Session) -> None:
    account = _add(session)
    times = _renamed(session, account, ["b", "c", "d"])
    expected = {t: fieldstamps.as_of(session, Account, account.id, t) for t in times}
    # Between the 2nd and 3rd rename: 'c' holds at the cut, so only the insert
    # entry of name and the first rename may go; other fields keep their one.
    cut = times[1] + (times[2] - times[1]) / 2
    removed = fieldstamps.prune(db, Account, older_than=cut)
    assert removed == 2
    assert [c.new for c in _history(db, account.id, "name")] == ["d", "c"]
    for instant in times[1:]:
        assert (
            fieldstamps.as_of(session, Account, account.id, instant)
            == expected[instant]
        )
    assert fieldstamps.prune(db, Account, older_than=cut) == 0


def test_prune_keep_last(db: Engine, session: Session) -> None:
    account = _add(session)
    _renamed(session, account, ["b", "c", "d"])
    assert fieldstamps.prune(db, Account, keep_last=2) == 2
    assert [c.new for c in _history(db, account.id, "name")] == ["d", "c"]
    assert len(_history(db, account.id, "age")) == 1
    # Both rules: only what both let go.
    assert (
        fieldstamps.prune(db, Account, keep_last=1, older_than=account.created_at) == 0
    )
    with pytest.raises(HistoryError, match="keep_last"):
        fieldstamps.prune(db, Account, keep_last=0)
    with pytest.raises(HistoryError, match="needs"):
        fieldstamps.prune(db, Account)


def test_erase_blanks_values_and_keeps_when_and_who(
    db: Engine, session: Session
) -> None:
    account = _add(session, email="private@x")
    with fieldstamps.context(actor="ann"):
        account.email = "new@x"
        session.commit()
    assert fieldstamps.erase(db, Account, account.id, ["email"]) == 2
    session.commit()  # its snapshot (REPEATABLE READ) predates the erase
    changes = _history(db, account.id, "email")
    assert [(c.operation, c.old, c.new, c.actor) for c in changes] == [
        ("update", None, None, "ann"),
        ("insert", None, None, None),
    ]
    assert _history(db, account.id, "name")[0].new == "ann"
    as_of = fieldstamps.as_of(session, Account, account.id, account.updated_at)
    assert as_of is not None and as_of["email"] is None and as_of["name"] == "ann"
    assert fieldstamps.erase(db, Account, account.id, ["email"]) == 0


def test_prune_and_erase_inside_a_callers_transaction_use_a_savepoint(
    db: Engine, session: Session
) -> None:
    account = _add(session)
    with db.connect() as conn:
        conn.begin()
        # A write first: pysqlite sends BEGIN before one, not before SAVEPOINT.
        conn.execute(update(Account).values(age=5))
        # The insert's entries of name, email, age and balance hold a value
        # (JSON null too), and so does the update's of age; the redacted
        # field's hold none.
        assert fieldstamps.erase(conn, Account, account.id) == 5
        conn.rollback()
    assert _history(db, account.id, "name")[0].new == "ann"
    assert _updates(db, account.id) == []


# -- queries of one's own ---------------------------------------------------------


def test_history_class_queries(db: Engine, session: Session) -> None:
    history = fieldstamps.history_class(Account)
    assert fieldstamps.history_class(Account) is history
    account = _add(session)
    _renamed(session, account, ["b", "c"])
    since = account.created_at + dt.timedelta(microseconds=1)
    entries = session.scalars(
        select(history)
        .where(history.field == "name", history.changed_at >= since)  # type: ignore[attr-defined]
        .order_by(history.history_id.desc())  # type: ignore[attr-defined]
    ).all()
    assert [(e.id, e.old, e.new) for e in entries] == [  # type: ignore[attr-defined]
        (account.id, "b", "c"),
        (account.id, "ann", "b"),
    ]
    assert entries[0].to_change() == _history(db, account.id, "name")[0]


def test_last_changes_of_a_field_and_changes_since_are_index_lookups(
    db: Engine,
) -> None:
    table = fieldstamps.history_class(Account).__table__  # type: ignore[attr-defined]
    with db.begin() as conn:
        conn.execute(
            insert(Account), [{"id": i, "name": f"n{i}"} for i in range(1, 301)]
        )
        if requires.analyze_table(db):
            conn.execute(text(f"ANALYZE TABLE {table.name}"))
        elif not requires.vacuum(db):
            conn.execute(text("ANALYZE"))
    if requires.vacuum(db):
        with db.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"VACUUM ANALYZE {table.name}"))
    last_ten = (
        select(table)
        .where(table.c.id == 7, table.c.field == "name")
        .order_by(table.c.history_id.desc())
        .limit(10)
    )
    since = select(table).where(
        table.c.field == "name",
        table.c.changed_at >= dt.datetime(2999, 1, 1, tzinfo=dt.UTC),
    )
    for statement, index in (
        (last_ten, "ix_account_history_row"),
        (since, "ix_account_history_field"),
    ):
        with db.begin() as conn:
            plan = _plan(conn, statement)
        assert index in plan, plan
        # No sort of its own: the index gives the order.
        assert "Sort" not in plan and "TEMP B-TREE" not in plan, plan
        assert "filesort" not in plan, plan


# -- bad input ----------------------------------------------------------------------


def test_bad_input_raises_clear_errors(session: Session) -> None:
    account = _add(session)
    with pytest.raises(UnknownFieldError, match="changes"):
        account.get_history("changes")
    with pytest.raises(HistoryError, match="User records no history"):
        fieldstamps.get_history(session, User, 1)
    with pytest.raises(HistoryError, match="User records no history"):
        fieldstamps.history_class(User)
    with pytest.raises(NaiveDatetimeError):
        account.get_history(since=dt.datetime(2020, 1, 1))
    with pytest.raises(HistoryError, match="not been flushed"):
        fieldstamps.revert(session, Account(name="new"), to=dt.datetime.now(dt.UTC))
    with pytest.raises(HistoryError, match="flushed to the database"):
        Account(name="new").get_history()


def test_delete_statement_records_every_row(db: Engine) -> None:
    with db.begin() as conn:
        conn.execute(insert(Account), [{"id": 1, "name": "x"}, {"id": 2, "name": "y"}])
    with db.begin() as conn:
        conn.execute(delete(Account))
    for pk, name in ((1, "x"), (2, "y")):
        newest = _history(db, pk, "name")[0]
        assert (newest.operation, newest.old) == ("delete", name)


# -- pollers ----------------------------------------------------------------------


def _poll(db: Engine, cursor: str | None) -> tuple[list[tuple[Any, str]], str]:
    with db.connect() as conn:
        polled = fieldstamps.poll_history(conn, Account, cursor)
    return [(pk, c.new) for pk, c in polled.changes], polled.cursor


def test_a_poller_misses_no_transaction_that_commits_after_its_poll(
    db: Engine,
) -> None:
    with db.begin() as conn:
        conn.execute(insert(Account), [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}])
    seen, cursor = _poll(db, None)
    assert {(pk, new) for pk, new in seen if new in ("a", "b")} == {(1, "a"), (2, "b")}
    long_running = db.connect()
    long_running.begin()
    # Started (and written, so stamped) before the next poll; commits after.
    long_running.execute(update(Account).where(Account.id == 1).values(name="slow"))
    if not requires.single_writer(db):
        with db.begin() as conn:
            conn.execute(update(Account).where(Account.id == 2).values(name="quick"))
    tick()
    first, cursor = _poll(db, cursor)
    long_running.commit()
    long_running.close()
    second, cursor = _poll(db, cursor)
    third, cursor = _poll(db, cursor)
    assert first == ([] if requires.single_writer(db) else [(2, "quick")])
    # Its changed_at is earlier than the first poll's: it is still returned.
    assert second == [(1, "slow")]
    assert third == []
    with pytest.raises(HistoryError):
        _poll(db, "{not a cursor")


# -- the command ------------------------------------------------------------------

_APP = """
from sqlalchemy import Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
import fieldstamps


class Base(DeclarativeBase):
    pass


class Account(fieldstamps.TimestampMixin, Base):
    __tablename__ = "account"
    __fieldstamps__ = {"history": True}
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(30))
"""


def test_history_command_prints_a_table_newest_first(
    db: Engine, session: Session, tmp_path: Any
) -> None:
    import subprocess
    import sys

    account = _add(session, name="first")
    tick()
    with fieldstamps.context(actor="ann", reason="rename"):
        account.name = "second"
        session.commit()
    (tmp_path / "app.py").write_text(_APP)
    url = db.url.render_as_string(hide_password=False)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "fieldstamps", "history", *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=120,
        )

    done = run("app:Account", str(account.id), "--url", url, "--field", "name")
    assert done.returncode == 0, done.stderr
    header, newest, oldest = done.stdout.splitlines()
    assert header.split() == [
        "changed_at", "field", "operation", "old", "new", "actor", "reason",
    ]  # fmt: skip
    assert newest.split()[2:] == [
        "name",
        "update",
        '"first"',
        '"second"',
        "ann",
        "rename",
    ]
    assert oldest.split()[2:] == ["name", "insert", "-", '"first"', "-", "-"]
    since = account.updated_at.isoformat()
    done = run("app:Account", str(account.id), "--url", url, "--since", since)
    assert done.returncode == 0 and len(done.stdout.splitlines()) == 2, done.stderr
    done = run("app:Account", "x", "--url", url)
    assert done.returncode == 2 and "'x' is not a value of Account.id" in done.stderr
    done = run("app:Account", "1", "--url", url, "--since", "2024-01-01")
    assert done.returncode == 2 and "needs a zone" in done.stderr
    done = run("app:Account", "999", "--url", url)
    assert done.returncode == 1 and "no recorded changes" in done.stderr


# -- with the rest of fieldstamps -----------------------------------------------


def test_check_sees_the_history_triggers_and_install_repairs_them(db: Engine) -> None:
    table = Account.__table__
    dialect = db.dialect
    name = "mariadb" if getattr(dialect, "is_mariadb", False) else dialect.name
    ddl = fieldstamps.trigger_ddl(Account, name)
    assert any("account_history" in statement for statement in ddl.install)
    with db.begin() as conn:
        assert fieldstamps.check(conn, table) == []  # type: ignore[arg-type]
        # The history trigger(s) alone removed: the stamps still work.
        for statement in ddl.uninstall:
            if "_history" in statement and "FUNCTION" not in statement:
                conn.exec_driver_sql(statement)
        [drift] = fieldstamps.check(conn, table)  # type: ignore[arg-type]
        assert drift.status == "missing"
        from fieldstamps._triggers import install

        install(conn, table)  # type: ignore[arg-type]
        assert fieldstamps.check(conn, table) == []  # type: ignore[arg-type]
    with Session(db) as session:
        assert [c.operation for c in _add(session).get_history("name")] == ["insert"]


def test_paused_writes_are_recorded_at_the_instant_they_happen(
    db: Engine, session: Session
) -> None:
    # History is an audit: a paused write keeps updated_at and the field
    # stamps, but the change and its real instant are still recorded.
    account = _add(session)
    kept = account.updated_at
    tick()
    with fieldstamps.paused(session):
        account.name = "fixed"
        session.commit()
    assert account.updated_at == kept
    [change] = [c for c in account.get_history() if c.operation == "update"]
    assert (change.old, change.new) == ("ann", "fixed")
    assert change.changed_at > kept


def _readme_recipe(db: Engine) -> list[str]:
    """The README's statements for a writer outside SQLAlchemy on ``db``'s
    database, for the Account table."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("\n## History\n", 1)[1]
    block = section.split("```sql\n", 1)[1].split("```", 1)[0]
    recipes = {}
    for part in block.split("\n-- ")[0:]:
        head, _, body = part.lstrip("- ").partition("\n")
        recipes[head.split(":")[0].split(" ")[0]] = body
    name = (
        "PostgreSQL"
        if requires.trigger_functions(db)
        else "SQLite"
        if requires.single_writer(db)
        else "MariaDB/MySQL"
    )
    sql = recipes[name].replace("customer", "account").replace("plan", "name")
    statements = [s.strip() for s in sql.split(";") if s.strip()]
    # The DB-API drivers manage the transaction themselves.
    return [s for s in statements if s not in ("BEGIN", "COMMIT")]


def test_the_readme_recipe_for_writers_outside_sqlalchemy(db: Engine) -> None:
    with Session(db) as session:
        pk = _add(session).id
    statements = [s.replace("id = 1", f"id = {pk}") for s in _readme_recipe(db)]
    raw_sql(db, *(s.replace("'pro'", "'raw'") for s in statements))
    raw_sql(db, *(s.replace("'pro'", "'raw2'") for s in statements))
    raw_sql(db, f"UPDATE account SET name = 'anonymous' WHERE id = {pk}")
    third, second, first = _history(db, pk, "name")[:3]
    assert (first.new, first.actor, first.reason, first.context) == (
        "raw",
        "nightly-import",
        "CRM sync",
        {"batch": 17},
    )
    assert second.new == "raw2" and second.transaction_id != first.transaction_id
    assert (third.new, third.actor) == ("anonymous", None)


def test_context_is_sent_once_per_transaction_as_bound_values(
    db: Engine, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fieldstamps import _context

    sent: list[Any] = []
    send = _context._send
    monkeypatch.setattr(
        _context,
        "_send",
        lambda conn, values: (sent.append(values), send(conn, values)),
    )
    account = _add(session)
    hostile = "O'Brien\"); DROP TABLE account; -- ☃"
    with fieldstamps.context(actor=hostile, reason="%s %(x)s ?", nested={"a": [1, 2]}):
        for age in range(5):
            session.execute(update(Account).values(age=age))
        session.commit()
        account.name = "second transaction"
        session.commit()
    assert len(sent) == 2  # one per transaction, not one per statement
    newest = _history(db, account.id)[0]
    assert (newest.actor, newest.reason, newest.context) == (
        hostile,
        "%s %(x)s ?",
        {"nested": {"a": [1, 2]}},
    )


def test_context_follows_asyncio_tasks(db: Engine, async_engine: AsyncEngine) -> None:
    with Session(db) as session:
        ids = [_add(session, name=f"task{i}").id for i in range(2)]

    async def rename(pk: int) -> None:
        with fieldstamps.context(actor=f"task {pk}"):
            async with AsyncSession(async_engine) as session:
                await asyncio.sleep(0)  # let the other task enter its context
                await session.execute(
                    update(Account).where(Account.id == pk).values(name=f"by {pk}")
                )
                await session.commit()

    async def both() -> None:
        await asyncio.gather(*(rename(pk) for pk in ids))
        await async_engine.dispose()

    asyncio.run(both())
    for pk in ids:
        assert _history(db, pk, "name")[0].actor == f"task {pk}"
