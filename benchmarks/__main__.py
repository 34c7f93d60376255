"""``python -m benchmarks``: run every contender and write the results."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from . import sweep
from .contenders import MAX_FIELDS, TRACKED_FIELDS, available, sweeps
from .databases import BACKENDS, DEFAULT_URLS, backend_of
from .report import Summary, from_document, markdown, summarise
from .worker import spawn

_ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _revision() -> str:
    """The checkout's commit (``+dirty`` with local changes): the library a
    run measured, since workers import it from the working tree."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"],
            cwd=_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def _run_worker(
    name: str, backend: str, url: str | None, args: argparse.Namespace
) -> dict[str, Any]:
    return spawn(
        name, backend, url, n=args.n, transactions=args.transactions, seed=args.seed
    )


def run_suite(args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, Summary]]:
    backend: str = args.db
    url = None if backend == "sqlite" else (args.url or DEFAULT_URLS[backend])
    if url is not None and backend_of(url) != backend:
        raise SystemExit(f"--url {url} is not a {backend} URL")
    names = args.contenders or available()
    # Other work on the machine (or on the shared servers) skews timings;
    # the load averages go into the results so a reader can judge.
    load_before = os.getloadavg()
    revision = _revision()
    outcomes: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for repeat in range(args.repeat):
        # Rotate the order every repeat: no contender always runs first
        # (cold server caches) or last (a warm, busier machine).
        shift = repeat % len(names)
        order = names[shift:] + names[:shift]
        if not args.quiet:
            print(f"[{backend}] repeat {repeat + 1}/{args.repeat}: {', '.join(order)}",
                  file=sys.stderr, flush=True)  # fmt: skip
        # --jobs > 1 only for smoke runs: concurrent workers share the CPUs,
        # so their timings are not comparable.
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            done = pool.map(lambda name: _run_worker(name, backend, url, args), order)
            for name, outcome in zip(order, done, strict=True):
                if "failed" in outcome and not args.quiet:
                    print(f"  {name} failed: {outcome['failed']}", file=sys.stderr)
                outcomes[name].append(outcome)
    summaries = {name: summarise(name, outcomes[name]) for name in names}
    servers = [o["server"] for runs in outcomes.values() for o in runs if "server" in o]
    meta = {
        "db": backend,
        "server": servers[0] if servers else backend,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "machine": platform.platform(),
        "python": platform.python_version(),
        "revision": {"start": revision, "end": _revision()},
        "sqlalchemy": _version("SQLAlchemy"),
        "continuum": _version("SQLAlchemy-Continuum"),
        "postgresql_audit": _version("postgresql-audit"),
        "n": args.n,
        "repeat": args.repeat,
        "transactions": args.transactions,
        "seed": args.seed,
    }
    return {"meta": meta, "outcomes": outcomes}, summaries


def write_results(
    out: Path, raw: dict[str, Any], summaries: dict[str, Summary]
) -> tuple[Path, Path, str]:
    meta = raw["meta"]
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{meta['db']}-{meta['date'][:10]}"
    table = markdown(meta["db"], meta, summaries)
    md_path = out / f"{stem}.md"
    md_path.write_text(table, encoding="utf-8")
    json_path = out / f"{stem}.json"
    document = {
        **raw,
        "summary": {name: dataclasses.asdict(s) for name, s in summaries.items()},
    }
    json_path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return json_path, md_path, table


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="What per-field change tracking costs, next to plain "
        "SQLAlchemy: fieldstamps, the seed post's design, SQLAlchemy-Continuum "
        "and PostgreSQL-Audit.",
    )
    parser.add_argument("--db", choices=BACKENDS, default="sqlite")
    parser.add_argument(
        "--url",
        help="server to benchmark on (default: the local test server for --db); "
        "each contender run creates and drops its own database there",
    )
    parser.add_argument("--n", type=int, default=10_000, help="rows (default 10000)")
    parser.add_argument(
        "--repeat", type=int,
        help="repeats (default 5; with --sweep, 1 per point)",
    )  # fmt: skip
    parser.add_argument(
        "--transactions", type=int, default=1_000,
        help="single-row transactions in W7 (default 1000)",
    )  # fmt: skip
    parser.add_argument(
        "--contenders", type=lambda s: s.split(","),
        help=f"comma-separated subset of: {', '.join(available())}",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    parser.add_argument(
        "--jobs", type=int, default=1,
        help="contender processes at once (default 1; more only for smoke "
        "runs, since concurrent processes skew each other's timings)",
    )  # fmt: skip
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    parser.add_argument(
        "--report", type=Path, metavar="JSON",
        help="print the Markdown of an earlier results JSON instead of running",
    )  # fmt: skip
    sweeping = parser.add_argument_group(
        "scaling sweep",
        "W1-W4 of the SQL-mode layouts, their floors and plain over N x tracked "
        "fields; writes sweep-<db>-<date>.json, .md and .png to --out",
    )
    sweeping.add_argument("--sweep", action="store_true", help="run the sweep")
    sweeping.add_argument(
        "--sweep-n", type=_numbers, default=sweep.SWEEP_N, metavar="N,N,...",
        help="rows per point (default 1000,10000,100000)",
    )  # fmt: skip
    sweeping.add_argument(
        "--sweep-fields", type=_numbers, default=sweep.SWEEP_FIELDS,
        metavar="F,F,...",
        help=f"tracked columns per point, {len(TRACKED_FIELDS)} to {MAX_FIELDS} "
        "(default 5,20,50)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.repeat is None:
        args.repeat = 1 if args.sweep else 5
    if min(args.n, args.repeat, args.transactions, args.jobs) < 1:
        parser.error("--n, --repeat, --transactions and --jobs must be positive")
    unknown = set(args.contenders or ()) - set(available())
    if unknown:
        parser.error(f"unknown contender(s): {', '.join(sorted(unknown))}")
    if args.sweep:
        if min(args.sweep_n) < 1:
            parser.error("--sweep-n must be positive")
        if not all(len(TRACKED_FIELDS) <= f <= MAX_FIELDS for f in args.sweep_fields):
            parser.error(
                f"--sweep-fields must be {len(TRACKED_FIELDS)} to {MAX_FIELDS}"
            )
        fixed = [name for name in args.contenders or () if not sweeps(name)]
        if fixed:
            parser.error(
                f"contender(s) with a fixed table cannot sweep: {', '.join(fixed)}"
            )
    return args


def _numbers(text: str) -> tuple[int, ...]:
    """``1000,10000`` (``_`` allowed in a number), sorted, without repeats."""
    try:
        return tuple(sorted({int(part) for part in text.split(",") if part.strip()}))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.report:
        document = json.loads(args.report.read_text(encoding="utf-8"))
        meta = document["meta"]
        print(markdown(meta["db"], meta, from_document(document)))
        return 0
    if args.sweep:
        document = sweep.run_sweep(args)
        json_path, md_path, png_path, table = sweep.write(args.out, document)
        print(table)
        plot = png_path or "no plot (matplotlib, of the bench extra, is missing)"
        print(f"results: {json_path}, {md_path} and {plot}")
        return 0
    raw, summaries = run_suite(args)
    json_path, md_path, table = write_results(args.out, raw, summaries)
    print(table)
    print(f"results: {json_path} and {md_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
