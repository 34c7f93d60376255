"""One contender, one process: ``python -m benchmarks.worker`` (run by the suite).

A fresh interpreter per contender keeps global patches (Continuum's), warm
caches and the heap of one contender away from the next one's figures.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import traceback
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine

from .contenders import TRACKED_FIELDS, load
from .databases import scratch_database, server_version
from .workloads import Outcome, Runner

_ROOT = Path(__file__).resolve().parent.parent


def run(
    name: str,
    backend: str,
    server_url: str | None,
    n: int,
    transactions: int,
    seed: int,
    *,
    fields: int = len(TRACKED_FIELDS),
    writes_only: bool = False,
) -> Outcome:
    contender = load(name, backend, fields)
    with scratch_database(backend, server_url) as url:
        engine = create_engine(url, **contender.engine_options)
        try:
            contender.create_schema(engine)
            runner = Runner(
                contender, engine, n, transactions, seed, writes_only=writes_only
            )
            outcome = runner.run()
            outcome.server = server_version(engine)
            return outcome
        finally:
            engine.dispose()


def spawn(
    name: str,
    backend: str,
    url: str | None,
    *,
    n: int,
    transactions: int,
    seed: int,
    fields: int = len(TRACKED_FIELDS),
    writes_only: bool = False,
) -> dict[str, Any]:
    """Run one contender in a worker process of its own; its outcome as a
    dict, or ``{"contender": name, "failed": why}``."""
    command = [
        "-m", "benchmarks.worker",
        "--contender", name, "--db", backend,
        "--n", str(n), "--transactions", str(transactions),
        "--seed", str(seed),
    ]  # fmt: skip
    if url:
        command += ["--url", url]
    if fields != len(TRACKED_FIELDS):
        command += ["--fields", str(fields)]
    if writes_only:
        command.append("--writes-only")
    return run_worker(name, command, "--out")


def run_worker(name: str, arguments: list[str], out_option: str) -> dict[str, Any]:
    """``python *arguments* out_option FILE`` in a process of its own: the
    JSON object it wrote to FILE (with its stderr as ``traceback`` where it
    reports a failure), or ``{"contender": name, "failed": why}`` where it
    crashed before writing one."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "outcome.json"
        done = subprocess.run(
            [sys.executable, *arguments, out_option, str(out)],
            cwd=_ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if not out.exists():
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            return {"contender": name, "failed": f"worker crashed: {last}"}
        outcome: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        if "failed" in outcome and done.stderr:
            outcome["traceback"] = done.stderr
        return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.worker")
    parser.add_argument("--contender", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--url")
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--transactions", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fields", type=int, default=len(TRACKED_FIELDS))
    parser.add_argument("--writes-only", action="store_true", help="W1-W4 only")
    parser.add_argument("--out", required=True, help="file for the JSON outcome")
    args = parser.parse_args(argv)
    try:
        outcome = asdict(
            run(
                args.contender,
                args.db,
                args.url,
                args.n,
                args.transactions,
                args.seed,
                fields=args.fields,
                writes_only=args.writes_only,
            )
        )
    except Exception as exc:
        # The whole contender failed (import, schema, ...): the parent shows
        # n/a with this reason instead of numbers.
        traceback.print_exc()
        outcome = {
            "contender": args.contender,
            "failed": f"{type(exc).__name__}: {exc}".splitlines()[0][:400],
        }
    with open(args.out, "w", encoding="utf-8") as file:
        json.dump(outcome, file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
