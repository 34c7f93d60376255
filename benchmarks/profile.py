"""Where the time of W1-W4 goes (issue 11): ``python -m benchmarks.profile``.

For each contender and workload: one untimed pass of W1-W4 to warm the
caches (SQLAlchemy's compiled cache, the ORM's, the server's), the schema
dropped and created again, then W1-W4 once more at the same N with each
selected workload under cProfile. The profile's call graph is split into
buckets by entry points (see ``_RULES``): a frame's time goes to the bucket
of the innermost entry point above it, so nested entry points are never
counted twice. Client buckets: SQL compilation, parameters, results, other
client work; the driver bucket is the time inside the DB-API driver
(execute, executemany, fetch, commit), i.e. the driver and the server.

The server split replays the statements the workload sent (grouped by SQL
text, heaviest first, sampled and scaled to their count) right after it, in
a transaction that is rolled back: PostgreSQL's ``EXPLAIN (ANALYZE)``
planning and execution times, MariaDB's ``ANALYZE FORMAT=JSON``
optimisation and execution times. SQLite runs in process and exposes no
such figure: its driver bucket is the server's time.

Every contender runs in a fresh process of its own, as in the timed suite.
"""

from __future__ import annotations

import argparse
import ast
import cProfile
import fnmatch
import functools
import json
import pstats
import re
import sys
import time
import traceback
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import CodeType
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.engine.interfaces import ExecuteStyle

from .contenders import Contender, available, load
from .databases import BACKENDS, DEFAULT_URLS, backend_of, scratch_database
from .databases import server_version as _server_version
from .worker import run_worker
from .workloads import DESCRIPTIONS, TABLE_WRITES, Runner

#: The SQL-mode layouts and their physical floors, each floor first.
DEFAULT_CONTENDERS = (
    "plain-wide",
    "fieldstamps-columns",
    "plain-json",
    "fieldstamps-json",
)
#: Bucket keys, in the table's order; "driver" is the driver and the server.
BUCKETS = ("compile", "parameters", "results", "other", "driver")
_HEADINGS = {
    "compile": "compile",
    "parameters": "parameters",
    "results": "results",
    "other": "other client",
    "driver": "driver + server",
}
#: Statement groups replayed per workload, and parameter sets per group.
MAX_GROUPS = 20
MAX_SETS = 25
#: Replays stop adding groups once they cover this share of execute time.
COVERAGE = 0.90

# -- attributing a profile to buckets ----------------------------------------

#: (file path suffix or "*", qualified name glob, bucket), first match wins.
#: "other" entries reset the bucket: the statement execution that ORM
#: persistence (a "parameters" entry) or result loading starts is not theirs.
_RULES: tuple[tuple[str, str, str], ...] = (
    # Type processors are closures; their enclosing method says which kind.
    ("*", "*bind_processor.<locals>.*", "parameters"),
    ("*", "*result_processor.<locals>.*", "results"),
    ("*", "*literal_processor.<locals>.*", "compile"),
    ("sqlalchemy/sql/compiler.py", "*.construct_params", "parameters"),
    (
        "sqlalchemy/sql/compiler.py",
        "*._process_parameters_for_postcompile",
        "parameters",
    ),
    ("sqlalchemy/sql/compiler.py", "*._deliver_insertmanyvalues_batches", "parameters"),
    # Closures the compiler builds for reading RETURNING rows and lastrowid.
    ("sqlalchemy/sql/compiler.py", "*_getter.<locals>.*", "results"),
    ("sqlalchemy/sql/compiler.py", "*", "compile"),
    ("sqlalchemy/sql/elements.py", "*._compile_w_cache", "compile"),
    ("sqlalchemy/sql/elements.py", "*.compile", "compile"),
    ("sqlalchemy/sql/base.py", "*._compile_w_cache", "compile"),
    ("sqlalchemy/sql/ddl.py", "*._compile_w_cache", "compile"),
    # @compiles hooks (fieldstamps' own SQL): they run inside the compiler.
    ("sqlalchemy/ext/compiler.py", "*", "compile"),
    ("sqlalchemy/engine/default.py", "*._init_compiled", "parameters"),
    ("sqlalchemy/engine/default.py", "*._process_execute_defaults", "parameters"),
    (
        "sqlalchemy/engine/default.py",
        "*._deliver_insertmanyvalues_batches",
        "parameters",
    ),
    ("sqlalchemy/engine/default.py", "*._setup_result_proxy", "results"),
    ("sqlalchemy/engine/default.py", "*._setup_dml_or_text_result", "results"),
    ("sqlalchemy/engine/default.py", "*.fetchall_for_returning", "results"),
    ("sqlalchemy/engine/cursor.py", "*", "results"),
    ("sqlalchemy/engine/result.py", "*", "results"),
    ("sqlalchemy/engine/row.py", "*", "results"),
    ("sqlalchemy/orm/loading.py", "*", "results"),
    ("sqlalchemy/orm/context.py", "*.orm_setup_cursor_result", "results"),
    # After the write: expiring and events, the unit of work's bookkeeping.
    ("sqlalchemy/orm/persistence.py", "_postfetch*", "other"),
    ("sqlalchemy/orm/persistence.py", "_finalize_insert_update_commands", "other"),
    ("sqlalchemy/orm/persistence.py", "_organize_states_for_*", "other"),
    ("sqlalchemy/orm/persistence.py", "*", "parameters"),
    ("sqlalchemy/engine/base.py", "Connection.execute", "other"),
    ("sqlalchemy/engine/base.py", "Connection.exec_driver_sql", "other"),
    ("sqlalchemy/engine/base.py", "Connection._execute_context", "other"),
    ("sqlalchemy/orm/session.py", "Session.execute", "other"),
    ("sqlalchemy/orm/session.py", "Session._execute_internal", "other"),
)
#: Driver packages (pure Python parts): anything of theirs is the driver's.
_DRIVER_DIRS = ("/psycopg/", "/psycopg_binary/", "/psycopg_c/", "/pymysql/")
#: sqlite3's methods are C: cProfile names them, it has no file for them.
_SQLITE_BUILTIN = re.compile(r"of '_?sqlite3\.(Cursor|Connection)' objects")
#: SQLAlchemy's compiled row and result code (Cython), where it is built.
_RESULT_BUILTIN = re.compile(r"sqlalchemy\.engine\._(row|result)_cy")

_Key = tuple[str, int, str]


@functools.cache
def _qualnames(filename: str) -> dict[int, str]:
    """Qualified names of the file's functions by first line (a decorated
    function's code starts at its first decorator): cProfile keeps only the
    bare name, and a closure's enclosing function tells its role."""
    try:
        tree = ast.parse(Path(filename).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return {}
    names: dict[int, str] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = prefix + child.name
                first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                names[first] = names[child.lineno] = name
                visit(child, name + ".<locals>.")
            elif isinstance(child, ast.ClassDef):
                visit(child, prefix + child.name + ".")
            else:
                visit(child, prefix)

    visit(tree, "")
    return names


@functools.cache
def classify(key: _Key) -> str | None:
    """The bucket ``key``'s function starts, or None if it stays in its
    caller's."""
    filename, line, name = key
    if filename == "~":
        if _SQLITE_BUILTIN.search(name):
            return "driver"
        if _RESULT_BUILTIN.search(name):
            return "results"
        return None
    if name.startswith("<"):
        # Comprehensions and lambdas: part of whatever defines them.
        return None
    path = filename.replace("\\", "/")
    if any(part in path for part in _DRIVER_DIRS):
        return "driver"
    qualname = _qualnames(filename).get(line, name)
    for suffix, pattern, bucket in _RULES:
        if (suffix == "*" or path.endswith(suffix)) and fnmatch.fnmatchcase(
            qualname, pattern
        ):
            return bucket
    return None


def attribute(stats: pstats.Stats, root: CodeType) -> tuple[dict[str, float], float]:
    """Seconds per bucket under the call of ``root``, and that call's total.

    cProfile keeps per-function and per-edge totals, not stacks: a callee's
    time is shared among its callers in proportion to the edge's cumulative
    time (the usual assumption that its calls cost alike). A subtree that
    reaches no entry point of another bucket is taken whole, with its own
    cumulative time, which cProfile counts right through recursion.
    """
    table: dict[_Key, Any] = stats.stats  # type: ignore[attr-defined]
    root_key = (root.co_filename, root.co_firstlineno, root.co_name)
    if root_key not in table:
        raise LookupError(f"{root.co_name} is not in the profile")
    callees: dict[_Key, dict[_Key, float]] = defaultdict(dict)
    for callee, (_cc, _nc, _tt, _ct, callers) in table.items():
        for caller, edge in callers.items():
            callees[caller][callee] = edge[3]
    # The buckets entered somewhere below each function.
    below: dict[_Key, set[str]] = defaultdict(set)
    callers_of = {key: value[4] for key, value in table.items()}
    for bucket in BUCKETS:
        todo = [key for key in table if classify(key) == bucket]
        seen: set[_Key] = set()
        while todo:
            key = todo.pop()
            for caller in callers_of.get(key, {}):
                if caller not in seen:
                    seen.add(caller)
                    below[caller].add(bucket)
                    todo.append(caller)

    memo: dict[tuple[_Key, str], dict[str, float]] = {}
    #: Functions being split, by depth: a call back into one is recursion.
    stack: dict[_Key, int] = {}

    def split(key: _Key, context: str) -> tuple[dict[str, float], int]:
        """``key``'s time by bucket, and the shallowest depth of the frames
        being split that its subtree calls back into (recursion)."""
        context = classify(key) or context
        _cc, _nc, tt, ct, _callers = table[key]
        if below[key] <= {context}:
            return {context: ct}, sys.maxsize
        if (key, context) in memo:
            return memo[key, context], sys.maxsize
        depth = len(stack)
        stack[key] = depth
        shares: dict[str, float] = defaultdict(float)
        shares[context] += tt
        reached = sys.maxsize
        for callee, edge_ct in callees[key].items():
            total = table[callee][3]
            if callee in stack:
                # Recursion: the inner call's time is already in the outer
                # frame's own time and its other callees' totals.
                reached = min(reached, stack[callee])
                continue
            if total <= 0:
                continue
            inner, back = split(callee, context)
            reached = min(reached, back)
            for bucket, seconds in inner.items():
                shares[bucket] += seconds * min(1.0, edge_ct / total)
        del stack[key]
        # A split cut short by a call back into a frame above this one holds
        # for this path only; any other is kept for later callers.
        if reached >= depth:
            memo[key, context] = dict(shares)
        return dict(shares), reached

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))
    shares, _ = split(root_key, "other")
    total = float(table[root_key][3])
    named = {bucket: shares.get(bucket, 0.0) for bucket in BUCKETS if bucket != "other"}
    # The approximation must not make the parts exceed the whole: "other" is
    # the rest, and the named buckets are scaled down in the (unseen so far)
    # case that they alone exceed the total.
    excess = sum(named.values())
    if excess > total > 0:
        named = {bucket: s * total / excess for bucket, s in named.items()}
    named["other"] = max(0.0, total - sum(named.values()))
    return named, total


# -- capturing and replaying the statements ---------------------------------


@dataclass
class Group:
    """The executions of one SQL text: every parameter set, and the time of
    the driver calls that carried them."""

    statement: str
    sets: list[Any] = field(default_factory=list)
    seconds: float = 0.0


@contextmanager
def capture(engine: Engine) -> Iterator[dict[str, Group]]:
    groups: dict[str, Group] = {}
    started: list[float] = []

    def before(
        conn: Any,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        many: bool,
    ) -> None:
        group = groups.setdefault(statement, Group(statement))
        # insertmanyvalues also reports its batches as "executemany", each
        # with a single parameter set of its own.
        if (
            many
            and context is not None
            and (context.execute_style is ExecuteStyle.EXECUTEMANY)
        ):
            group.sets.extend(parameters)
        else:
            group.sets.append(parameters)
        started.append(time.perf_counter())

    def after(
        conn: Any,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        many: bool,
    ) -> None:
        if started:
            groups[statement].seconds += time.perf_counter() - started.pop()

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield groups
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


@dataclass
class Server:
    """The replays' figures for one workload, in seconds, scaled to the
    number of statements the workload ran."""

    plan: float = 0.0
    execute: float = 0.0
    #: Share of the workload's execute-call time the replayed groups cover.
    coverage: float = 0.0
    statements: int = 0
    replayed: int = 0
    failures: list[str] = field(default_factory=list)
    #: MariaDB INSERT ... VALUES: no execution time reported, the replay's
    #: round trip is counted instead.
    round_trips: int = 0


_WRITES_AND_READS = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b", re.I)
_SET_STATEMENT = re.compile(r"^(\s*SET\s+STATEMENT\s+.*?\s+FOR\s+)(.*)$", re.I | re.S)


def _sample(sets: Sequence[Any], size: int) -> list[Any]:
    if len(sets) <= size:
        return list(sets)
    step = len(sets) / size
    return [sets[int(k * step)] for k in range(size)]


def _mariadb_analyze(statement: str) -> str:
    # fieldstamps' MariaDB UPDATEs carry a statement-scoped setting: ANALYZE
    # goes after it, inside the statement it applies to.
    scoped = _SET_STATEMENT.match(statement)
    if scoped:
        return scoped.group(1) + "ANALYZE FORMAT=JSON " + scoped.group(2)
    return "ANALYZE FORMAT=JSON " + statement


def _replay_one(
    backend: str, cursor: Any, statement: str, params: Any
) -> tuple[float, float, bool]:
    """Plan and execution seconds of one statement, and whether execution
    is the client's round trip (no server figure)."""
    if backend == "postgresql":
        cursor.execute(
            "EXPLAIN (ANALYZE, SUMMARY, BUFFERS OFF, TIMING OFF, FORMAT JSON) "
            + statement,
            params,
        )
        document = cursor.fetchone()[0]
        if isinstance(document, str):
            document = json.loads(document)
        top = document[0]
        return top["Planning Time"] / 1e3, top["Execution Time"] / 1e3, False
    start = time.perf_counter()
    cursor.execute(_mariadb_analyze(statement), params)
    rows = cursor.fetchall()
    round_trip = time.perf_counter() - start
    document = json.loads(rows[0][0])
    plan = float(document.get("query_optimization", {}).get("r_total_time_ms", 0.0))
    executed = document.get("query_block", {}).get("r_total_time_ms")
    if executed is None:
        return plan / 1e3, max(0.0, round_trip - plan / 1e3), True
    return plan / 1e3, float(executed) / 1e3, False


def replay(engine: Engine, backend: str, groups: dict[str, Group]) -> Server:
    """Replay the heaviest statement groups on the workload's own data, in a
    transaction that is rolled back."""
    server = Server()
    everything = sum(group.seconds for group in groups.values())
    server.statements = sum(len(group.sets) for group in groups.values())
    chosen: list[Group] = []
    covered = 0.0
    for group in sorted(groups.values(), key=lambda g: g.seconds, reverse=True):
        if len(chosen) >= MAX_GROUPS or (
            everything and covered >= COVERAGE * everything
        ):
            break
        if not _WRITES_AND_READS.match(_SET_STATEMENT.sub(r"\2", group.statement)):
            continue
        chosen.append(group)
        covered += group.seconds
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            for group in chosen:
                sample = _sample(group.sets, MAX_SETS)
                figures: list[tuple[float, float, bool]] = []
                cursor = conn.connection.cursor()
                for params in sample:
                    try:
                        figures.append(
                            _replay_one(backend, cursor, group.statement, params)
                        )
                    except Exception as exc:
                        why = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
                        server.failures.append(f"{group.statement[:60]!r}: {why}")
                        # PostgreSQL refuses everything after an error until
                        # the transaction ends: the next group gets a new one.
                        transaction.rollback()
                        transaction = conn.begin()
                        break
                if not figures:
                    continue
                scale = len(group.sets) / len(figures)
                server.plan += sum(f[0] for f in figures) * scale
                server.execute += sum(f[1] for f in figures) * scale
                server.round_trips += sum(f[2] for f in figures)
                server.replayed += len(figures)
                server.coverage += group.seconds / everything if everything else 0.0
        finally:
            transaction.rollback()
    return server


# -- one contender, in its own process ---------------------------------------


@dataclass
class Row:
    contender: str
    workload: str
    total: float = 0.0
    seconds: dict[str, float] = field(default_factory=dict)
    server: dict[str, Any] | None = None
    error: str = ""


def _table_writes(
    runner: Runner, each: Callable[[str, Callable[[], None]], None]
) -> None:
    """W1-W4 in order, each passed to ``each`` to run (or profile), with
    what ``Runner.run`` does between them outside the workloads."""
    each("W1", runner.w1_insert)
    runner.load_ids()
    each("W2", runner.w2_load_change_commit)
    each("W3", runner.w3_update_statement)
    rows = runner.w4_rows()
    each("W4", lambda: runner.w4_bulk_by_primary_key(rows))


def profile_contender(
    name: str,
    backend: str,
    server_url: str | None,
    n: int,
    workloads: Sequence[str],
    seed: int = 0,
    prof_dir: Path | None = None,
) -> tuple[str, list[Row]]:
    contender = load(name, backend)
    rows: list[Row] = []

    def run(workload: str, work: Callable[[], None]) -> None:
        work()

    def measure(workload: str, work: Callable[[], None]) -> None:
        if workload not in workloads:
            work()  # what the later workloads start from
            return
        rows.append(
            _profile_one(name, workload, work, engine, backend, contender, prof_dir)
        )

    with scratch_database(backend, server_url) as url:
        engine = create_engine(url, **contender.engine_options)
        try:
            contender.create_schema(engine)
            server_version = _server_version(engine)
            _table_writes(Runner(contender, engine, n, 1, seed, writes_only=True), run)
            # The same engine (its compiled cache warm) on a fresh table.
            contender.metadata.drop_all(engine)
            contender.create_schema(engine)
            runner = Runner(contender, engine, n, 1, seed, writes_only=True)
            _table_writes(runner, measure)
        finally:
            engine.dispose()
    return server_version, rows


def _profile_one(
    name: str,
    workload: str,
    work: Callable[[], None],
    engine: Engine,
    backend: str,
    contender: Contender,
    prof_dir: Path | None,
) -> Row:
    row = Row(name, workload)

    # A function of this module's own: the root the profile is split from.
    def body() -> None:
        work()

    profiler = cProfile.Profile()
    with capture(engine) as groups:
        profiler.runcall(body)
    stats = pstats.Stats(profiler)
    if prof_dir is not None:
        prof_dir.mkdir(parents=True, exist_ok=True)
        stats.dump_stats(str(prof_dir / f"{backend}-{name}-{workload}.prof"))
    row.seconds, row.total = attribute(stats, body.__code__)
    if backend != "sqlite":
        before = _count(engine, contender.model)
        row.server = asdict(replay(engine, backend, groups))
        # The next workloads start from this one's data: a replay that
        # outlived its rollback would change what they measure.
        if _count(engine, contender.model) != before:
            raise RuntimeError(f"the replays of {workload} changed the table")
    return row


def _count(engine: Engine, model: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


# -- the table ----------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.1f}"


def markdown(backend: str, server: str, n: int, results: list[dict[str, Any]]) -> str:
    lines = [
        f"# Time breakdown: {server}, N = {n:,}",
        "",
        "From **one profiled run** per contender and workload (cProfile, after "
        "one untimed warm-up pass of W1-W4 and a fresh table), not the timed "
        "benchmark's medians: the profiler's cost per Python call inflates "
        "every client bucket (and the total) several-fold where calls are "
        "many, so compare shares and contenders, not these totals with the "
        "timed results. ms (share of total).",
        "",
        "- compile: SQL compilation, cache keys included, and fieldstamps' "
        "`@compiles` SQL; parameters: `construct_params`, bind processors, "
        "insertmanyvalues batches, ORM persistence building the parameter "
        "sets; results: cursor results, rows, result processors, ORM loading; "
        "driver + server: inside the DB-API driver (execute, executemany, "
        "fetch, commit); other client: the rest (unit of work, attribute "
        "events, the contender's own Python). A frame counts for the "
        "innermost of these it runs in; cProfile keeps no stacks, so a "
        "function's time is shared among its callers in proportion.",
    ]
    if backend == "postgresql":
        lines.append(
            "- server plan / execute: `EXPLAIN (ANALYZE, SUMMARY, TIMING OFF)` "
            "of the workload's statements, replayed right after it in a "
            "transaction that is rolled back: the heaviest statements (by SQL "
            f"text, up to {MAX_GROUPS}, until {COVERAGE:.0%} of the execute "
            f"calls' time), up to {MAX_SETS} parameter sets each, scaled to "
            "the number run; *replayed* is the share of execute-call time "
            "covered. The replays see the data as the workload left it (an "
            "UPDATE sets values already set, an INSERT adds to N rows), and "
            "each is planned afresh, where psycopg prepares a statement run 5 "
            "times and PostgreSQL may then reuse a generic plan: plan time is "
            "an upper bound for repeated statements (W2, W4). What driver + "
            "server has beyond plan + execute is the protocol, psycopg's "
            "adapting of values and the commit."
        )
    elif backend == "mariadb":
        lines.append(
            "- server plan / execute: `ANALYZE FORMAT=JSON` of the workload's "
            "statements, replayed right after it in a transaction that is "
            "rolled back (selection, sampling and scaling as for PostgreSQL: "
            f"up to {MAX_GROUPS} SQL texts until {COVERAGE:.0%} of execute-call "
            f"time, up to {MAX_SETS} parameter sets each). MariaDB 10.11 reports "
            "the optimiser's time (`query_optimization.r_total_time_ms`), "
            "taken as plan, and `query_block.r_total_time_ms` as execute; "
            "for `INSERT ... VALUES` it reports no execution time, and the "
            "replay's round trip less the optimiser's time is counted instead "
            "(marked †). The rest of driver + server is the protocol, "
            "PyMySQL's conversions and the commit."
        )
    else:
        lines.append(
            "- SQLite runs inside the process and exposes no planning or "
            "execution figure: driver + server is the server's time (sqlite3's "
            "C calls), SQLite's own SQL functions included."
        )
    lines.append("")
    heads = ["contender", "W", *(_HEADINGS[b] for b in BUCKETS)]
    if backend != "sqlite":
        heads += ["server plan", "server execute", "replayed"]
    heads.append("total")
    lines.append("| " + " | ".join(heads) + " |")
    lines.append("|" + "---|" * len(heads))
    notes: list[str] = []
    for result in results:
        if "failed" in result:
            cells = [result["contender"], "n/a", f"failed: {result['failed']}"]
            cells += [""] * (len(heads) - len(cells))
            lines.append("| " + " | ".join(cells) + " |")
            continue
        for row in result["rows"]:
            cells = [row["contender"], row["workload"]]
            total = row["total"]
            # "other" is the rest, here of the rounded figures too: the cells
            # of a row add up to its total as printed.
            shown = {b: round(row["seconds"][b] * 1e3, 1) for b in BUCKETS}
            shown["other"] = max(
                0.0,
                round(total * 1e3, 1)
                - sum(v for b, v in shown.items() if b != "other"),
            )
            for bucket in BUCKETS:
                share = shown[bucket] / (total * 1e3) if total else 0.0
                cells.append(f"{shown[bucket]:.1f} ({share:.0%})")
            figures = row["server"]
            if backend != "sqlite" and figures is not None:
                mark = " †" if figures["round_trips"] else ""
                cells += [
                    _ms(figures["plan"]),
                    _ms(figures["execute"]) + mark,
                    f"{figures['coverage']:.0%}",
                ]
                for failure in figures["failures"]:
                    notes.append(f"{row['contender']} {row['workload']}: {failure}")
            elif backend != "sqlite":
                cells += ["n/a", "n/a", "n/a"]
            cells.append(_ms(total))
            lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "Workloads: " + "; ".join(f"{w} {DESCRIPTIONS[w]}" for w in TABLE_WRITES) + ".",
    ]
    if notes:
        lines += ["", "Replays that failed (left out of the server figures):", ""]
        lines += [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"


# -- processes and the command line -------------------------------------------


def _spawn(args: argparse.Namespace, name: str, url: str | None) -> dict[str, Any]:
    command = [
        "-m", "benchmarks.profile", "--worker", name,
        "--db", args.db, "--n", str(args.n), "--seed", str(args.seed),
        "--workloads", ",".join(args.workloads),
    ]  # fmt: skip
    if url:
        command += ["--url", url]
    if args.prof_dir:
        command += ["--prof-dir", str(args.prof_dir)]
    return run_worker(name, command, "--json")


def _worker(args: argparse.Namespace, url: str | None) -> int:
    try:
        server, rows = profile_contender(
            args.worker, args.db, url, args.n, args.workloads, args.seed,
            args.prof_dir,
        )  # fmt: skip
        result: dict[str, Any] = {
            "contender": args.worker,
            "server": server,
            "rows": [asdict(row) for row in rows],
        }
    except Exception as exc:
        traceback.print_exc()
        result = {
            "contender": args.worker,
            "failed": f"{type(exc).__name__}: {exc}".splitlines()[0][:300],
        }
    Path(args.json).write_text(json.dumps(result), encoding="utf-8")
    return 0


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.profile",
        description="A profile-backed breakdown of W1-W4: SQL compilation, "
        "parameters, results, other client work, driver + server, and the "
        "server's planning and execution.",
    )
    parser.add_argument("--db", choices=BACKENDS, default="sqlite")
    parser.add_argument(
        "--url", help="server (default: the local test server for --db); "
        "each contender gets a scratch database there",
    )  # fmt: skip
    parser.add_argument("--n", type=int, default=10_000, help="rows (default 10000)")
    parser.add_argument(
        "--contenders", type=_names, default=list(DEFAULT_CONTENDERS),
        help=f"comma-separated (default {','.join(DEFAULT_CONTENDERS)})",
    )  # fmt: skip
    parser.add_argument(
        "--workloads", type=_names, default=list(TABLE_WRITES),
        help="comma-separated subset of W1,W2,W3,W4 (default all)",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    parser.add_argument("--out", type=Path, help="write the Markdown table here too")
    parser.add_argument(
        "--prof-dir", type=Path,
        help="keep each profile here (<db>-<contender>-<W>.prof, for pstats)",
    )  # fmt: skip
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--json", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n must be positive")
    unknown = set(args.contenders) - set(available())
    if unknown:
        parser.error(f"unknown contender(s): {', '.join(sorted(unknown))}")
    wrong = set(args.workloads) - set(TABLE_WRITES)
    if wrong or not args.workloads:
        parser.error(f"--workloads takes {','.join(TABLE_WRITES)} only")
    args.workloads = [w for w in TABLE_WRITES if w in args.workloads]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    url = None if args.db == "sqlite" else (args.url or DEFAULT_URLS[args.db])
    if url is not None and backend_of(url) != args.db:
        raise SystemExit(f"--url {url} is not a {args.db} URL")
    if args.worker:
        return _worker(args, url)
    results = []
    # One at a time: concurrent processes would share the CPUs and the
    # server, and skew each other's profiles.
    for name in args.contenders:
        if not args.quiet:
            print(f"[{args.db}] profiling {name}", file=sys.stderr, flush=True)
        result = _spawn(args, name, url)
        if "failed" in result and not args.quiet:
            print(f"  {name} failed: {result['failed']}", file=sys.stderr)
        results.append(result)
    servers = [r["server"] for r in results if "server" in r]
    table = markdown(args.db, servers[0] if servers else args.db, args.n, results)
    if args.out:
        args.out.write_text(table, encoding="utf-8")
    print(table, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
