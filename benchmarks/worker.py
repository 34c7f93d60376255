"""One contender, one process: ``python -m benchmarks.worker`` (run by the suite).

A fresh interpreter per contender keeps global patches (Continuum's), warm
caches and the heap of one contender away from the next one's figures.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from dataclasses import asdict

from sqlalchemy import create_engine

from .contenders import load
from .databases import scratch_database, server_version
from .workloads import Outcome, Runner


def run(
    name: str,
    backend: str,
    server_url: str | None,
    n: int,
    transactions: int,
    seed: int,
) -> Outcome:
    contender = load(name, backend)
    with scratch_database(backend, server_url) as url:
        engine = create_engine(url, **contender.engine_options)
        try:
            contender.create_schema(engine)
            runner = Runner(contender, engine, n, transactions, seed)
            outcome = runner.run()
            outcome.server = server_version(engine)
            return outcome
        finally:
            engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.worker")
    parser.add_argument("--contender", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--url")
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--transactions", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", required=True, help="file for the JSON outcome")
    args = parser.parse_args(argv)
    try:
        outcome = asdict(
            run(args.contender, args.db, args.url, args.n, args.transactions, args.seed)
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
