"""A smoke run of the benchmark suite (``python -m benchmarks``) on every backend.

Tiny N, one repeat, no timing assertions: this checks that every contender
runs, that the results have their documented shape, and the correctness
column — fieldstamps' stamps move after an ``update()`` statement (W3) and a
bulk UPDATE by primary key (W4); the seed's do not, PostgreSQL-Audit's
(triggers, PostgreSQL only) do — and history mode: W8 (last changes of
``name``) runs for ``fieldstamps-history`` and Continuum only, and their
history sizes are measured on every database.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from benchmarks.__main__ import main
from benchmarks.contenders import available
from benchmarks.databases import backend_of
from benchmarks.workloads import WORKLOADS

from tests.backends import Backend
from tests.requirements import requires

_FIELDSTAMPS = ("fieldstamps-json", "fieldstamps-columns")
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
        "seed",
        *_FIELDSTAMPS,
        "fieldstamps-history",
        "continuum",
        "postgresql-audit",
    } <= set(summary)
    for name in summary:
        assert f"| {name} |" in printed

    for name in ("plain", "seed", *_FIELDSTAMPS):
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
    assert summary["plain"]["reflects"] == {"W3": None, "W4": None}

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
