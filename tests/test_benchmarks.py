"""A smoke run of the benchmark suite (``python -m benchmarks``) on every backend.

Tiny N, one repeat, no timing assertions: this checks that every contender
runs, that the results have their documented shape, and the correctness
column — fieldstamps' stamps move after an ``update()`` statement (W3) and a
bulk UPDATE by primary key (W4); the seed's do not, PostgreSQL-Audit's
(triggers, PostgreSQL only) do — and history mode: W8 (last changes of
``name``) runs for ``fieldstamps-history`` and Continuum only, and their
history sizes are measured on every database.

The physical floors (issue 11): ``plain-wide`` and ``plain-json`` run, write
the columns and the document shape their layout writes, and a tiny scaling
sweep (``--sweep``) writes its table and plot.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from benchmarks.__main__ import main
from benchmarks.contenders import available, load
from benchmarks.contenders._floor import CHANGES_JSON, StampDateTime
from benchmarks.databases import backend_of, scratch_database
from benchmarks.profile import DEFAULT_CONTENDERS
from benchmarks.profile import main as profile_main
from benchmarks.report import Summary, best_ratio, ratio
from benchmarks.workloads import TABLE_WRITES, WORKLOADS, Runner
from sqlalchemy import Engine, create_engine, event, inspect, select, text
from sqlalchemy.dialects import mysql, postgresql, sqlite

from fieldstamps import ChangesJSON, UTCDateTime
from tests.backends import Backend
from tests.requirements import requires

_FIELDSTAMPS = ("fieldstamps-json", "fieldstamps-columns")
#: Each SQL-mode layout's floor.
_FLOORS = {"fieldstamps-columns": "plain-wide", "fieldstamps-json": "plain-json"}
#: Every workload but W8, which needs a history.
_WITHOUT_HISTORY = sorted(set(WORKLOADS) - {"W8"})


def test_smoke_run_reports_every_contender(
    backend: Backend,
    backend_urls: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # --db is the benchmark's own name for its --url, which it checks with
    # backend_of(); it names the result files, too.
    db = backend_of(backend.url) if backend.url is not None else "sqlite"
    argv = ["--db", db, "--n", "20", "--repeat", "1", "--transactions", "5"]
    argv += ["--jobs", "5", "--quiet", "--out", str(tmp_path)]
    if backend.is_server:
        # The suite makes its own scratch databases on this run's server.
        argv += ["--url", backend_urls[backend.id]]
    assert main(argv) == 0

    printed = capsys.readouterr().out
    [json_path] = tmp_path.glob(f"{db}-*.json")
    [md_path] = tmp_path.glob(f"{db}-*.md")
    assert md_path.read_text(encoding="utf-8") in printed
    document = json.loads(json_path.read_text(encoding="utf-8"))
    assert document["meta"]["n"] == 20
    summary = document["summary"]
    assert list(summary) == available()
    assert {
        "plain",
        *_FLOORS.values(),
        "seed",
        *_FIELDSTAMPS,
        "fieldstamps-history",
        "continuum",
        "postgresql-audit",
    } <= set(summary)
    for name in summary:
        assert f"| {name} |" in printed

    for name in ("plain", *_FLOORS.values(), "seed", *_FIELDSTAMPS):
        figures = summary[name]
        assert figures["failed"] is None, (name, document["outcomes"][name])
        assert figures["errors"] == {}, name
        assert sorted(figures["median"]) == _WITHOUT_HISTORY, name
        assert figures["w8_plan"] == "", name
        assert figures["history_rows"] is None, name
        assert figures["w2_peak_mib"] > 0, name
        assert figures["plan"].startswith(("index", "scan")), name
        has_size = figures["table_mib"] is not None
        assert has_size == requires.total_relation_size(backend), name

    for name in _FIELDSTAMPS:
        assert summary[name]["reflects"] == {"W3": True, "W4": True}, name
        assert summary[name]["w6_count"] == summary[name]["w6_expected"], name
    assert summary["seed"]["reflects"] == {"W3": False, "W4": False}
    for name in ("plain", *_FLOORS.values()):
        assert summary[name]["reflects"] == {"W3": None, "W4": None}, name
    # The floors' table and targets, beside the ratios to plain.
    assert "Against the physical floors" in printed
    for layout, floor in _FLOORS.items():
        assert f"| {layout} | {floor} |" in printed
        assert f"- {layout}/{floor} <= 1.10 on each of W1-W4: " in printed
        assert f"- {layout}: W2 peak memory <= 1.2 x plain: " in printed

    history = summary["fieldstamps-history"]
    assert history["failed"] is None, document["outcomes"]["fieldstamps-history"]
    assert history["errors"] == {}
    assert sorted(history["median"]) == sorted(WORKLOADS)
    assert history["reflects"] == {"W3": True, "W4": True}
    assert history["w6_count"] == history["w6_expected"]
    # W8 read the insert and W2's rename of each of its rows at least (20
    # rows: W8's sample is all of them), with a plan, and the report says so.
    assert history["w8_changes"] >= 2 * 20
    assert history["w8_plan"].startswith(("index", "scan"))
    assert history["w8_index_lookup"] is not None
    assert history["history_tables"] == ["user_account_history"]
    # One history row per field change: 5 per insert, 2 per row in W2 and
    # its memory pass, 1 per row in W3 and W4, 1 per W7 transaction.
    assert history["history_rows"] == history["history_field_changes"]
    assert history["history_rows"] == 20 * (5 + 2 + 1 + 1 + 2) + 5
    assert history["history_kib_per_10k"] > 0
    compacted = history["history_compacted_kib_per_10k"]
    assert (compacted is not None) == (db == "postgresql")
    assert "W8 plan of `fieldstamps-history`" in printed
    assert "fieldstamps-history: W8 is an index lookup" in printed

    continuum = summary["continuum"]
    if continuum["failed"] is None:
        assert continuum["reflects"] == {"W3": False, "W4": False}
        assert "W8" in continuum["median"]
        assert continuum["w8_changes"] >= 2 * 20
        # Its versions hold what W3 and W4 changed too (compared with the
        # version before), though no version was written for them.
        assert continuum["history_field_changes"] == history["history_rows"]
        assert continuum["history_kib_per_10k"] > 0
    else:  # not installed (the bench extra): shown as n/a with the reason
        assert f"n/a: {continuum['failed']}" in printed

    audit = summary["postgresql-audit"]
    if audit["failed"] is None:
        assert db == "postgresql"
        assert audit["errors"] == {}
        assert sorted(audit["median"]) == sorted(WORKLOADS)
        assert audit["w8_changes"] >= 2 * 20
        assert audit["history_field_changes"] == history["history_rows"]
        # Its triggers see every write path, statements included.
        assert audit["reflects"] == {"W3": True, "W4": True}
        assert audit["w6_count"] == audit["w6_expected"]
    else:  # not installed (the bench extra), or not PostgreSQL: n/a, why
        if db != "postgresql":
            assert "PostgreSQL only" in audit["failed"]
        assert f"n/a: {audit['failed']}" in printed


# -- the physical floors (issue 11) --------------------------------------------


def test_floor_types_are_fieldstamps_storage() -> None:
    # The floors repeat fieldstamps' column types instead of importing them
    # (importing fieldstamps installs its listeners): the same DDL everywhere.
    for dialect in (
        sqlite.dialect(),
        postgresql.dialect(),
        mysql.dialect(is_mariadb=True),
    ):
        for mine, theirs in (
            (StampDateTime(), UTCDateTime()),
            (CHANGES_JSON, ChangesJSON()),
        ):
            assert mine.compile(dialect=dialect) == theirs.compile(dialect=dialect)


_STAMP_TEXT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


@contextmanager
def _statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _written_columns(statements: list[str]) -> set[str]:
    """The columns the INSERT or UPDATE statements among ``statements`` name
    (an UPDATE's SET targets, an INSERT's column list)."""
    columns: set[str] = set()
    for statement in statements:
        statement = statement.replace("`", "").replace('"', "")
        # fieldstamps' MariaDB UPDATEs come with a statement-scoped sql_mode.
        statement = re.sub(r"^SET STATEMENT .*? FOR ", "", statement)
        if statement.startswith("INSERT"):
            listed = re.match(r"INSERT INTO \w+ \(([^)]*)\)", statement)
            assert listed is not None, statement
            columns.update(c.strip() for c in listed.group(1).split(","))
        elif statement.startswith("UPDATE"):
            columns.update(re.findall(r"(?:\bSET |, )(\w+)=", statement))
    return columns


def _write_and_read(name: str, db: str, server_url: str | None) -> dict[str, Any]:
    """W1-W4 on 4 rows; what each wrote, the first row and the column types."""
    contender = load(name, db)
    found: dict[str, Any] = {}
    with scratch_database(db, server_url) as url:
        engine = create_engine(url, **contender.engine_options)
        try:
            contender.create_schema(engine)
            runner = Runner(contender, engine, 4, 1, 0, writes_only=True)
            model: Any = contender.model

            def bulk() -> None:
                with engine.connect() as conn:
                    ids = conn.scalars(select(model.id)).all()
                rows = [{"id": i, "balance": Decimal("9.75")} for i in ids]
                runner.w4_bulk_by_primary_key(rows)

            steps: dict[str, Callable[[], None]] = {
                "W1": runner.w1_insert,
                "W2": runner.w2_load_change_commit,
                "W3": runner.w3_update_statement,
                "W4": bulk,
            }
            for workload, step in steps.items():
                with _statements(engine) as seen:
                    step()
                found[workload] = _written_columns(seen)
            with engine.connect() as conn:
                row = (
                    conn.execute(text("SELECT * FROM user_account ORDER BY id"))
                    .mappings()
                    .first()
                )
            assert row is not None
            found["row"] = dict(row)
            found["types"] = {
                column["name"]: str(column["type"])
                for column in inspect(engine).get_columns("user_account")
            }
        finally:
            engine.dispose()
    return found


def _document(value: Any) -> dict[str, Any]:
    document = json.loads(value) if isinstance(value, str | bytes) else value
    assert isinstance(document, dict)
    return document


@pytest.mark.parametrize("layout", list(_FLOORS))
def test_floor_writes_what_its_layout_writes(
    layout: str, backend: Backend, backend_urls: dict[str, str]
) -> None:
    db = backend_of(backend.url) if backend.url is not None else "sqlite"
    server_url = backend_urls[backend.id] if backend.is_server else None
    floor = _FLOORS[layout]
    mine, theirs = (_write_and_read(n, db, server_url) for n in (floor, layout))

    # The same columns, of the same types but for plain's created_at and
    # updated_at (the floors are plain's table plus the layout's columns).
    assert set(mine["row"]) == set(theirs["row"])
    differing = {
        key for key, kind in mine["types"].items() if theirs["types"][key] != kind
    }
    assert differing <= {"created_at", "updated_at"}
    # Each write names the same columns: every stamp on INSERT, the written
    # fields' stamps (columns layout) or changes (JSON layout) on UPDATE.
    for workload in ("W1", "W2", "W3", "W4"):
        assert mine[workload] == theirs[workload], workload
    stamps = {key for key in theirs["row"] if key.endswith("_changed_at")}
    if layout == "fieldstamps-columns":
        assert len(stamps) == 5
        assert stamps <= mine["W1"]
        assert {"name_changed_at", "email_changed_at"} <= mine["W2"]
        assert "age_changed_at" in mine["W3"]
        assert "balance_changed_at" in mine["W4"]
        assert all(mine["row"][key] is not None for key in stamps)
        return
    assert not stamps
    for workload in ("W1", "W2", "W3", "W4"):
        assert "changes" in mine[workload], workload
    # The same document shape: the same fields, each with a value of the
    # same JSON type and a stamp in fieldstamps' text form.
    doc_mine = _document(mine["row"]["changes"])
    doc_theirs = _document(theirs["row"]["changes"])
    assert set(doc_mine) == set(doc_theirs) == {
        "name", "email", "city", "age", "balance",
    }  # fmt: skip
    for field, entry in doc_theirs.items():
        assert set(doc_mine[field]) == set(entry) == {"value", "updated_at"}, field
        assert type(doc_mine[field]["value"]) is type(entry["value"]), field
        assert _STAMP_TEXT.fullmatch(doc_mine[field]["updated_at"]), field
        assert _STAMP_TEXT.fullmatch(entry["updated_at"]), field
    assert mine["row"]["name_updated_at"] == doc_mine["name"]["updated_at"]


def test_tiny_sweep_writes_its_table_and_plot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--sweep", "--db", "sqlite", "--sweep-n", "20", "--sweep-fields", "5,20"]
    argv += ["--jobs", "5", "--quiet", "--out", str(tmp_path)]
    assert main(argv) == 0

    printed = capsys.readouterr().out
    [md_path] = tmp_path.glob("sweep-sqlite-*.md")
    [json_path] = tmp_path.glob("sweep-sqlite-*.json")
    table = md_path.read_text(encoding="utf-8")
    assert table in printed
    [png_path] = list(tmp_path.glob("sweep-sqlite-*.png"))
    assert png_path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert str(png_path) in printed

    document = json.loads(json_path.read_text(encoding="utf-8"))
    points = document["points"]
    names = [
        "plain",
        "plain-wide",
        "fieldstamps-columns",
        "plain-json",
        "fieldstamps-json",
    ]
    assert document["meta"]["contenders"] == names
    assert {(p["contender"], p["n"], p["fields"]) for p in points} == {
        (name, 20, fields) for name in names for fields in (5, 20)
    }
    for point in points:
        assert "failed" not in point, point
        assert "errors" not in point, point
        assert sorted(point["seconds"]) == ["W1", "W2", "W3", "W4"], point
    head = "| N | fields | W | plain | plain-wide | fieldstamps-columns | xfloor |"
    assert table.count(head) == 1
    for fields in (5, 20):
        for workload in ("W1", "W2", "W3", "W4"):
            assert f"| 20 | {fields} | {workload} |" in table
    assert "Ratio to the floor as N grows" in table


# -- the profile breakdown (issue 11) ----------------------------------------

_NUMBER = re.compile(r"^(\d+(?:\.\d+)?)")


def _figure(cell: str) -> float:
    """The leading number of a cell ("12.3 (4%)", "5.0 †", "97%")."""
    found = _NUMBER.match(cell.strip())
    assert found is not None, cell
    return float(found.group(1))


def test_profile_breakdown_has_a_row_per_contender_and_workload(
    backend: Backend,
    backend_urls: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = backend_of(backend.url) if backend.url is not None else "sqlite"
    out = tmp_path / "profile.md"
    argv = ["--db", db, "--n", "20", "--quiet", "--out", str(out)]
    if backend.is_server:
        argv += ["--url", backend_urls[backend.id]]
    assert profile_main(argv) == 0

    table = out.read_text(encoding="utf-8")
    assert table == capsys.readouterr().out
    assert "one profiled run" in table
    assert "Replays that failed" not in table
    lines = [line for line in table.splitlines() if line.startswith("| ")]
    heads = [cell.strip() for cell in lines[0].strip("|").split("|")]
    buckets = ["compile", "parameters", "results", "other client", "driver + server"]
    server = ["server plan", "server execute", "replayed"] if backend.is_server else []
    assert heads == ["contender", "W", *buckets, *server, "total"]
    found: dict[tuple[str, str], dict[str, float]] = {}
    for line in lines[1:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        assert len(cells) == len(heads), line
        found[cells[0], cells[1]] = {
            head: _figure(cell) for head, cell in zip(heads[2:], cells[2:], strict=True)
        }
    expected = [
        (name, workload) for name in DEFAULT_CONTENDERS for workload in TABLE_WRITES
    ]
    assert list(found) == expected
    for key, figures in found.items():
        assert all(value >= 0 for value in figures.values()), key
        assert figures["total"] > 0, key
        # Rounded to 0.1 ms, "other client" being the rest: never more.
        assert sum(figures[b] for b in buckets) <= figures["total"] + 1e-6, key
        if backend.is_server:
            assert figures["replayed"] > 0, key


def test_best_ratio_compares_fastest_runs_and_ratio_medians() -> None:
    # Noise only adds time: one slow run moves a median of three, not a best.
    summaries = {
        "plain-json": Summary("plain-json", runs={"W1": [1.0, 1.1, 3.0]}),
        "fieldstamps-json": Summary("fieldstamps-json", runs={"W1": [1.2, 1.3, 1.4]}),
    }
    for summary in summaries.values():
        summary.median = {w: sorted(r)[1] for w, r in summary.runs.items()}
    assert best_ratio(summaries, "fieldstamps-json", "W1", "plain-json") == 1.2
    assert ratio(summaries, "fieldstamps-json", "W1", "plain-json") == 1.3 / 1.1
    assert best_ratio(summaries, "fieldstamps-json", "W2", "plain-json") is None
