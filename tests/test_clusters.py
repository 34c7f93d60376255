"""Trigger mode ({"triggers": True}), and SQL mode's ``changes`` function,
on replicated and clustered databases: PostgreSQL logical replication and a
3-node MariaDB Galera cluster, started on 127.0.0.1 by the scripts in
``tests/clusters/`` (run as root; they need PostgreSQL 15, MariaDB 10.11
with galera-4, rsync and ss, and free ports 5434-5436, 3311-3313 and
4571-4593).

Slow, so the tests are collected only with ``FIELDSTAMPS_CLUSTERS=1`` or
``FIELDSTAMPS_LONG=1``; without either the module holds no test (not a skip).
With the flag, a cluster that does not start fails the run. Each cluster
is started afresh for the module and stopped after it (about 40 s in all)::

    FIELDSTAMPS_CLUSTERS=1 .venv/bin/pytest tests/test_clusters.py

What holds (observed on PostgreSQL 15 and MariaDB 10.11 with galera-4):

- PostgreSQL logical replication: ``create_all()`` installs the triggers on
  the subscriber too, and they stay out of the way of what it receives:
  its apply and table-copy workers run with ``session_replication_role =
  replica``, so rows arrive with the publisher's stamps to the microsecond
  (``created_at``, ``updated_at``, ``changes``, ``changed_at()`` columns),
  including a no-op UPDATE's new ``updated_at`` and rows copied when the
  subscription was created. A write made on the subscriber itself is stamped
  there, merged with the stamps the origin gave the row. ``ALTER TABLE ..
  ENABLE ALWAYS TRIGGER`` changes that: replicated rows are then restamped with
  the subscriber's clock when it applies them (later than the origin's).
  (Seen by hand, not tested: ``ENABLE REPLICA TRIGGER`` leaves local writes
  unstamped, and ``fieldstamps.check()`` reports neither mode as drift.)
- Galera: a write is stamped once, by the node that runs it (an ORM write, a
  one-field UPDATE or a raw DB-API write alike); the other nodes receive the
  row with those stamps and do not run their copy of the trigger, so all
  three nodes hold identical stamps (reads on other nodes use
  ``wsrep_sync_wait=1``, else they can be stale). ``create_all()`` on one
  node installs the triggers on all. Two nodes updating different fields of
  one row at once: the later commit fails with error 1213 (deadlock), its
  retry succeeds, and both fields' stamps are kept. In SQL mode, the
  JSON layout's ``changes`` function that ``create_all()`` creates on one
  node is there on all, and INSERTs on the others call it: every node holds
  the same documents.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, Integer, String, Table, insert, select, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

import fieldstamps
from fieldstamps import ChangeTrackingMixin, TimestampMixin, changed_at
from tests.conftest import make_engine
from tests.stamps import raw_sql

CLUSTERS = "1" in (
    os.environ.get("FIELDSTAMPS_CLUSTERS"),
    os.environ.get("FIELDSTAMPS_LONG"),
)

SCRIPTS = Path(__file__).parent / "clusters"
# A fixed place, so that servers a killed run left behind are found and
# stopped by the next run's `restart` rather than holding the ports.
DATA = Path(tempfile.gettempdir()) / "fieldstamps-clusters"

PUBLISHER = "postgresql+psycopg://postgres@127.0.0.1:5434/lab"
SUBSCRIBER = "postgresql+psycopg://postgres@127.0.0.1:5436/lab"
SUBSCRIPTION = "fieldstamps_sub"
GALERA = [f"mysql+pymysql://root@127.0.0.1:{port}/lab" for port in (3311, 3312, 3313)]
DEADLOCK = 1213


class Base(DeclarativeBase):
    pass


class Note(TimestampMixin, ChangeTrackingMixin, Base):
    __tablename__ = "cluster_note"
    __fieldstamps__ = {"triggers": True}  # noqa: RUF012

    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(String(100))
    n: Mapped[int | None] = mapped_column(Integer)
    body_changed_at: Mapped[dt.datetime | None] = changed_at("body")


NOTES = Note.__table__
TRIGGER = f"fieldstamps_{NOTES.name}"


class SqlModeBase(DeclarativeBase):
    pass


class Draft(TimestampMixin, ChangeTrackingMixin, SqlModeBase):
    """SQL mode: no triggers, a new row's changes from the table's function."""

    __tablename__ = "cluster_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(String(100))
    n: Mapped[int | None] = mapped_column(Integer)


@contextmanager
def _cluster(script: str, base_variable: str, timeout: float) -> Iterator[None]:
    """``tests/clusters/<script>`` started afresh (whatever an earlier run
    left is stopped and wiped), stopped and its data removed after."""
    DATA.mkdir(exist_ok=True)
    DATA.chmod(0o755)  # the postgres and mysql users go through it
    base = DATA / Path(script).stem
    command = [str(SCRIPTS / script)]
    env = {**os.environ, base_variable: str(base)}
    try:
        try:
            started = subprocess.run(
                [*command, "restart"],
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            pytest.fail(f"{script} start: not up after {timeout} s\n{exc.stdout!r}")
        if started.returncode != 0:
            pytest.fail(
                f"{script} start failed (exit {started.returncode}):\n"
                f"{started.stdout}{started.stderr}"
            )
        yield
    finally:
        subprocess.run([*command, "stop"], env=env, capture_output=True, check=False)
        shutil.rmtree(base, ignore_errors=True)
        with suppress(OSError):  # left while the other cluster still runs
            DATA.rmdir()


def _wait_until(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not after {timeout} s")
        time.sleep(0.05)


def _rows(engine: Engine, table: Table = NOTES) -> dict[int, dict[str, Any]]:
    """Every row of the table, each with every column, by id."""
    with engine.connect() as conn:
        result = conn.execute(select(table).order_by(table.c.id)).mappings()
        return {row["id"]: dict(row) for row in result}


def _note(engine: Engine, note_id: int) -> Note:
    with Session(engine) as session:
        note = session.get_one(Note, note_id)
        session.expunge(note)
        return note


# -- PostgreSQL logical replication -------------------------------------------


@dataclass
class Replication:
    publisher: Engine
    subscriber: Engine

    def _scalar(self, engine: Engine, sql: str, **params: Any) -> Any:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def synced(self) -> bool:
        """The subscription's initial table copy is done."""
        return bool(
            self._scalar(
                self.subscriber,
                "SELECT count(*) = 0 FROM pg_subscription_rel "
                "WHERE srsubstate NOT IN ('r', 's')",
            )
        )

    def wait(self) -> None:
        """Until the subscriber has applied all the publisher has written
        (as PostgreSQL's own tests wait: the replay position of the
        subscription's WAL sender)."""
        target = self._scalar(self.publisher, "SELECT pg_current_wal_lsn()::text")
        _wait_until(
            lambda: bool(
                self._scalar(
                    self.publisher,
                    "SELECT replay_lsn >= CAST(:target AS pg_lsn) "
                    "AND state = 'streaming' FROM pg_stat_replication "
                    "WHERE application_name = :name",
                    target=target,
                    name=SUBSCRIPTION,
                )
            ),
            f"subscriber applying the publisher's WAL up to {target}",
        )


@pytest.fixture(scope="module")
def pg() -> Iterator[Replication]:
    # pgcluster.sh initdb's and starts a primary (the publisher), a standby
    # and a subscriber, waiting up to 60 s for each server (pg_ctl -w -t 60);
    # it takes 3-8 s. It is given 240 s in all.
    with _cluster("pgcluster.sh", "PGLAB_BASE", timeout=240):
        publisher, subscriber = make_engine(PUBLISHER), make_engine(SUBSCRIBER)
        try:
            for engine in (publisher, subscriber):
                Base.metadata.create_all(engine)  # the triggers on both
            # Row 1 exists before the subscription: the table copy brings it.
            raw_sql(
                publisher, "INSERT INTO cluster_note (id, body, n) VALUES (1, 'a', 1)"
            )
            with publisher.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT")
                conn.execute(
                    text("CREATE PUBLICATION fieldstamps_pub FOR TABLE cluster_note")
                )
            with subscriber.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT")
                conn.execute(
                    text(
                        f"CREATE SUBSCRIPTION {SUBSCRIPTION} CONNECTION "
                        "'host=127.0.0.1 port=5434 user=postgres dbname=lab' "
                        "PUBLICATION fieldstamps_pub"
                    )
                )
            replication = Replication(publisher, subscriber)
            _wait_until(replication.synced, "the subscription's table copy")
            replication.wait()
            yield replication
        finally:
            publisher.dispose()
            subscriber.dispose()


class TestLogicalReplication:
    __test__ = CLUSTERS

    def test_the_subscriber_receives_the_publishers_stamps(
        self, pg: Replication
    ) -> None:
        with Session(pg.publisher) as session:
            session.add(Note(id=2, body="b", n=2))
            session.commit()
        raw_sql(
            pg.publisher, "INSERT INTO cluster_note (id, body, n) VALUES (3, 'c', 3)"
        )
        before = _rows(pg.publisher)
        with Session(pg.publisher) as session:
            session.get_one(Note, 2).body = "B"  # one field
            session.commit()
        raw_sql(pg.publisher, "UPDATE cluster_note SET n = 3 WHERE id = 3")  # no-op
        raw_sql(pg.publisher, "UPDATE cluster_note SET n = 10 WHERE id = 1")
        pg.wait()

        published = _rows(pg.publisher)
        assert sorted(published) == [1, 2, 3]
        # Every column to the microsecond, the copied row 1 included.
        assert _rows(pg.subscriber) == published
        # What was compared is the writes' outcome, not rows from before them.
        for row_id in published:
            assert published[row_id]["updated_at"] > before[row_id]["updated_at"]
        renamed, same, copied = published[2], published[3], published[1]
        assert renamed["body_changed_at"] == renamed["updated_at"]
        assert renamed["changes"]["n"] == before[2]["changes"]["n"]
        assert same["changes"] == before[3]["changes"]
        assert same["body_changed_at"] == before[3]["body_changed_at"]
        assert copied["changes"]["n"]["value"] == 10
        assert copied["body_changed_at"] == before[1]["body_changed_at"]

    def test_a_write_on_the_subscriber_is_stamped_there(self, pg: Replication) -> None:
        with pg.subscriber.connect() as conn:
            assert fieldstamps.check(conn, Base.metadata) == []
        raw_sql(
            pg.publisher, "INSERT INTO cluster_note (id, body, n) VALUES (4, 'd', 4)"
        )
        pg.wait()
        origin = _note(pg.subscriber, 4)

        raw_sql(pg.subscriber, "UPDATE cluster_note SET body = 'D' WHERE id = 4")
        raw_sql(pg.subscriber, "INSERT INTO cluster_note (id, body) VALUES (100, 'x')")
        local, changed = _note(pg.subscriber, 100), _note(pg.subscriber, 4)
        assert local.created_at == local.updated_at == local.body_changed_at
        assert local.get_updated_at("body") == local.created_at
        assert changed.updated_at > origin.updated_at
        assert changed.get_updated_at("body") == changed.body_changed_at
        assert changed.body_changed_at == changed.updated_at
        # The origin's stamp of the field the local write left alone stays.
        assert changed.get_updated_at("n") == origin.get_updated_at("n")
        assert changed.created_at == origin.created_at

    def test_enable_always_trigger_restamps_replicated_rows(
        self, pg: Replication
    ) -> None:
        # Not what fieldstamps installs: shown so that nobody sets it by
        # mistake. The subscriber's trigger then fires for replicated rows
        # too and stamps them with its own clock, at apply time.
        raw_sql(
            pg.subscriber, f"ALTER TABLE cluster_note ENABLE ALWAYS TRIGGER {TRIGGER}"
        )
        try:
            raw_sql(pg.publisher, "INSERT INTO cluster_note (id, body) VALUES (5, 'e')")
            raw_sql(pg.publisher, "UPDATE cluster_note SET body = 'E' WHERE id = 5")
            pg.wait()
        finally:
            raw_sql(pg.subscriber, f"ALTER TABLE cluster_note ENABLE TRIGGER {TRIGGER}")
        origin, replica = _rows(pg.publisher)[5], _rows(pg.subscriber)[5]
        assert replica["body"] == origin["body"] == "E"
        for stamp in ("created_at", "updated_at", "body_changed_at"):
            assert replica[stamp] > origin[stamp], stamp
        assert replica["changes"] != origin["changes"]


# -- MariaDB Galera ------------------------------------------------------------


@pytest.fixture(scope="module")
def galera() -> Iterator[list[Engine]]:
    # galera.sh bootstraps node1 and joins nodes 2 and 3 (a state transfer by
    # rsync each), waiting up to 90 s for each to be Synced; it takes 11-17 s.
    # It is given 330 s in all.
    with _cluster("galera.sh", "GALERA_BASE", timeout=330):
        # Reads on a node wait until it has applied what the cluster
        # committed before them; without it they can be stale.
        sync_wait = {"init_command": "SET SESSION wsrep_sync_wait = 1"}
        nodes = [make_engine(url, connect_args=sync_wait) for url in GALERA]
        try:
            Base.metadata.create_all(nodes[0])  # DDL replicates to every node
            yield nodes
        finally:
            for node in nodes:
                node.dispose()


def _same_everywhere(
    nodes: list[Engine], table: Table = NOTES
) -> dict[int, dict[str, Any]]:
    """The rows, after checking that every node holds them identically."""
    first, *others = (_rows(node, table) for node in nodes)
    for number, rows in enumerate(others, start=2):
        assert rows == first, f"node{number} differs from node1"
    return first


class TestGalera:
    __test__ = CLUSTERS

    def test_a_write_is_stamped_once_by_its_node(self, galera: list[Engine]) -> None:
        node1, node2, node3 = galera
        for node in galera:  # create_all on node1 installed them everywhere
            with node.connect() as conn:
                assert fieldstamps.check(conn, Base.metadata) == []

        with Session(node1) as session:
            session.add(Note(id=1, body="a", n=1))
            session.commit()
        inserted = _same_everywhere(galera)[1]
        assert inserted["created_at"] == inserted["updated_at"]
        assert inserted["body_changed_at"] == inserted["created_at"]

        with Session(node2) as session:
            session.get_one(Note, 1).n = 2  # one field, on another node
            session.commit()
        updated = _same_everywhere(galera)[1]
        assert updated["updated_at"] > inserted["updated_at"]
        assert updated["changes"]["n"]["value"] == 2
        assert updated["changes"]["body"] == inserted["changes"]["body"]
        assert updated["body_changed_at"] == inserted["body_changed_at"]
        assert updated["created_at"] == inserted["created_at"]
        assert _note(node3, 1).get_updated_at("n") == updated["updated_at"]

        raw_sql(node3, "INSERT INTO cluster_note (id, body, n) VALUES (2, 'b', 1)")
        raw_sql(node3, "UPDATE cluster_note SET body = 'B' WHERE id = 2")
        raw = _same_everywhere(galera)[2]
        assert raw["body_changed_at"] == raw["updated_at"] > raw["created_at"]
        note = _note(node1, 2)
        assert note.get_updated_at("body") == note.updated_at
        assert note.get_updated_at("n") == note.created_at

    def test_sql_modes_changes_function_serves_every_node(
        self, galera: list[Engine]
    ) -> None:
        node1, node2, node3 = galera
        drafts = Draft.__table__
        SqlModeBase.metadata.create_all(node1)  # the function too, everywhere
        try:
            for node in galera:
                with node.connect() as conn:
                    assert fieldstamps.check(conn, drafts) == []
            with Session(node2) as session:
                session.add(Draft(id=1, body="a", n=1))
                session.commit()
            with node3.begin() as conn:
                conn.execute(insert(drafts), [{"id": 2, "body": "b", "n": None}])
            rows = _same_everywhere(galera, drafts)
            values = {
                id_: {key: entry["value"] for key, entry in row["changes"].items()}
                for id_, row in rows.items()
            }
            assert values == {1: {"body": "a", "n": 1}, 2: {"body": "b", "n": None}}
            for row in rows.values():
                stamp = row["created_at"].strftime("%Y-%m-%dT%H:%M:%S.%fZ")
                assert {e["updated_at"] for e in row["changes"].values()} == {stamp}
        finally:
            SqlModeBase.metadata.drop_all(node1)

    def test_two_nodes_changing_two_fields_keep_both_stamps(
        self, galera: list[Engine]
    ) -> None:
        node1, node2, _ = galera
        raw_sql(node1, "INSERT INTO cluster_note (id, body, n) VALUES (10, 'a', 1)")
        change_n = update(NOTES).where(NOTES.c.id == 10).values(n=2)
        with node2.connect() as loser:
            loser.begin()
            loser.execute(change_n)  # holds the row on node2 only
            with node1.begin() as winner:
                winner.execute(update(NOTES).where(NOTES.c.id == 10).values(body="b"))
            won = _rows(node1)[10]
            with pytest.raises(OperationalError) as lost:
                loser.commit()
            assert lost.value.orig.args[0] == DEADLOCK
            loser.rollback()
            with loser.begin():  # the retry the application makes
                loser.execute(change_n)

        final = _same_everywhere(galera)[10]
        assert (final["body"], final["n"]) == ("b", 2)
        assert final["body_changed_at"] == won["body_changed_at"]
        assert final["changes"]["body"] == won["changes"]["body"]
        note = _note(node1, 10)
        assert note.get_updated_at("body") == won["updated_at"] < note.updated_at
        assert note.get_updated_at("n") == note.updated_at
