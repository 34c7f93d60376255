"""The scaling sweep (issue 11): ``python -m benchmarks --sweep`` (or
``python -m benchmarks.sweep``).

Runs the two SQL-mode layouts, their physical floors and ``plain`` over N
rows x tracked fields (default N 1,000 / 10,000 / 100,000 and 5 / 20 / 50
tracked columns: the five of every table plus ``field_06`` ... as needed,
the same table for every contender of a point), W1-W4 only, each contender
in a worker process of its own, and writes per database
``sweep-<db>-<date>.json``, ``.md`` (time per row and ratio to the floor) and
``.png`` (time per row, and ratio to the floor, against N and fields).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from .databases import DEFAULT_URLS, backend_of
from .report import FLOOR_CEILING, LAYOUT_FLOORS
from .worker import spawn
from .workloads import TABLE_WRITES

#: What the sweep runs: plain, then each floor before its layout.
CONTENDERS = (
    "plain",
    "plain-wide",
    "fieldstamps-columns",
    "plain-json",
    "fieldstamps-json",
)
SWEEP_N = (1_000, 10_000, 100_000)
SWEEP_FIELDS = (5, 20, 50)
#: A ratio to the floor that rises by more than this from the smallest to
#: the largest N (or fields) is reported as growing; repeats of one workload
#: differ by about as much.
GROWTH = 0.10
_COLOURS = {
    "plain": "0.45",
    "plain-wide": "tab:blue",
    "fieldstamps-columns": "tab:blue",
    "plain-json": "tab:orange",
    "fieldstamps-json": "tab:orange",
}
_STYLES = ("-", "--", ":", "-.")


def run_sweep(args: argparse.Namespace) -> dict[str, Any]:
    """Every point of the sweep, as the document the other functions read."""
    backend: str = args.db
    url = None if backend == "sqlite" else (args.url or DEFAULT_URLS[backend])
    if url is not None and backend_of(url) != backend:
        raise SystemExit(f"--url {url} is not a {backend} URL")
    names = list(args.contenders or CONTENDERS)
    repeat = args.repeat or 1
    load_before = os.getloadavg()
    points = []
    servers: list[str] = []
    for fields in args.sweep_fields:
        for n in args.sweep_n:
            runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
            for k in range(repeat):
                # Rotated as the suite does: no contender always runs first.
                shift = k % len(names)
                order = names[shift:] + names[:shift]
                if not args.quiet:
                    print(
                        f"[{backend} sweep] N={n:,} fields={fields} repeat "
                        f"{k + 1}/{repeat}: {', '.join(order)}",
                        file=sys.stderr,
                        flush=True,
                    )

                def one(name: str, n: int = n, fields: int = fields) -> dict[str, Any]:
                    return spawn(
                        name,
                        backend,
                        url,
                        n=n,
                        transactions=1,
                        seed=args.seed,
                        fields=fields,
                        writes_only=True,
                    )

                with ThreadPoolExecutor(max_workers=args.jobs) as pool:
                    for name, outcome in zip(order, pool.map(one, order), strict=True):
                        if "failed" in outcome and not args.quiet:
                            print(
                                f"  {name} failed: {outcome['failed']}", file=sys.stderr
                            )
                        servers += [outcome["server"]] if outcome.get("server") else []
                        runs[name].append(outcome)
            for name in names:
                points.append(_point(name, n, fields, runs[name]))
    meta = {
        "db": backend,
        "server": servers[0] if servers else backend,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "repeat": repeat,
        "n": list(args.sweep_n),
        "fields": list(args.sweep_fields),
        "contenders": names,
        "seed": args.seed,
    }
    return {"meta": meta, "points": points}


def _point(
    name: str, n: int, fields: int, outcomes: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    good = [o for o in outcomes if "failed" not in o]
    point: dict[str, Any] = {"contender": name, "n": n, "fields": fields}
    if not good:
        point["failed"] = outcomes[0]["failed"] if outcomes else "no run"
        return point
    seconds = {}
    for workload in TABLE_WRITES:
        values = [o["seconds"][workload] for o in good if workload in o["seconds"]]
        if values:
            seconds[workload] = statistics.median(values)
    point["seconds"] = seconds
    point["runs"] = [o["seconds"] for o in good]
    errors = {w: e for o in good for w, e in o["errors"].items()}
    if errors:
        point["errors"] = errors
    return point


# -- reading the document -----------------------------------------------------


def _us_per_row(point: Mapping[str, Any] | None, workload: str) -> float | None:
    if point is None or "failed" in point:
        return None
    seconds = point["seconds"].get(workload)
    return None if seconds is None else seconds / point["n"] * 1e6


def _index(document: Mapping[str, Any]) -> dict[tuple[str, int, int], dict[str, Any]]:
    return {(p["contender"], p["n"], p["fields"]): p for p in document["points"]}


def floor_ratio(
    document: Mapping[str, Any], layout: str, n: int, fields: int, workload: str
) -> float | None:
    points = _index(document)
    mine = _us_per_row(points.get((layout, n, fields)), workload)
    base = _us_per_row(points.get((LAYOUT_FLOORS[layout], n, fields)), workload)
    return None if mine is None or not base else mine / base


def _layouts(document: Mapping[str, Any]) -> list[str]:
    ran = set(document["meta"]["contenders"])
    return [
        layout
        for layout, floor in LAYOUT_FLOORS.items()
        if layout in ran and floor in ran
    ]


def _cell(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def _ratio(value: float | None) -> str:
    return "n/a" if value is None else f"x{value:.2f}"


def markdown(document: Mapping[str, Any]) -> str:
    meta = document["meta"]
    names: list[str] = meta["contenders"]
    points = _index(document)
    layouts = _layouts(document)
    lines = [
        f"### Sweep on {meta['server']} — N x tracked fields, W1-W4, "
        f"{meta['repeat']} repeat(s) per point",
        "",
        f"{meta['date']}; {meta['cores']} cores; load average "
        f"{meta['load_average']['before'][0]:.2f} before, "
        f"{meta['load_average']['after'][0]:.2f} after.",
        "",
        "Time per row (µs; W3 is one statement over all rows, so its time "
        "divided by N); `xfloor` = the layout over its floor at the same point "
        "(`fieldstamps-columns` / `plain-wide`, `fieldstamps-json` / `plain-json`):",
        "",
    ]
    head = ["N", "fields", "W"]
    for name in names:
        head.append(name)
        if name in layouts:
            head.append("xfloor")
    lines += ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    for n in meta["n"]:
        for fields in meta["fields"]:
            for workload in TABLE_WRITES:
                cells = [f"{n:,}", str(fields), workload]
                for name in names:
                    point = points.get((name, n, fields))
                    if point is not None and "failed" in point:
                        cells.append(f"n/a: {point['failed'][:80]}")
                    else:
                        cells.append(_cell(_us_per_row(point, workload)))
                    if name in layouts:
                        share = floor_ratio(document, name, n, fields, workload)
                        cells.append(_ratio(share))
                lines.append("| " + " | ".join(cells) + " |")
    lines += ["", *scaling_table(document)]
    return "\n".join(lines) + "\n"


def _series(
    document: Mapping[str, Any], layout: str, workload: str, *, n: int | None = None,
    fields: int | None = None,
) -> list[float | None]:  # fmt: skip
    meta = document["meta"]
    if n is None:
        assert fields is not None
        return [floor_ratio(document, layout, x, fields, workload) for x in meta["n"]]
    return [floor_ratio(document, layout, n, x, workload) for x in meta["fields"]]


def _rise(series: Sequence[float | None]) -> float | None:
    known = [v for v in series if v is not None]
    return known[-1] - known[0] if len(known) >= 2 else None


def scaling_table(document: Mapping[str, Any]) -> list[str]:
    """The ratio to the floor along N (at each field count) and along the
    fields (at each N), and where it grows by more than GROWTH."""
    meta = document["meta"]
    layouts = _layouts(document)
    if not layouts:
        return []
    along_n = [f"by N at {f} fields" for f in meta["fields"]]
    along_fields = [f"by fields at N={n:,}" for n in meta["n"]]
    lines = [
        "Ratio to the floor as N grows ("
        + " → ".join(f"{n:,}" for n in meta["n"])
        + ") and as the tracked fields grow ("
        + " → ".join(str(f) for f in meta["fields"])
        + "):",
        "",
        "| layout | W | " + " | ".join(along_n + along_fields) + " |",
        "|---|---|" + "---|" * (len(along_n) + len(along_fields)),
    ]
    growing = []
    for layout in layouts:
        for workload in TABLE_WRITES:
            cells = [layout, workload]
            for fields in meta["fields"]:
                series = _series(document, layout, workload, fields=fields)
                cells.append(" → ".join(_ratio(v)[1:] if v else "n/a" for v in series))
                rise = _rise(series)
                if rise is not None and rise > GROWTH:
                    growing.append(f"{layout} {workload} along N at {fields} fields")
            for n in meta["n"]:
                series = _series(document, layout, workload, n=n)
                cells.append(" → ".join(_ratio(v)[1:] if v else "n/a" for v in series))
                rise = _rise(series)
                if rise is not None and rise > GROWTH:
                    growing.append(f"{layout} {workload} along fields at N={n:,}")
            lines.append("| " + " | ".join(cells) + " |")
    over = []
    total = len(meta["n"]) * len(meta["fields"])
    for layout in layouts:
        for workload in TABLE_WRITES:
            shares = [
                share
                for n in meta["n"]
                for fields in meta["fields"]
                if (share := floor_ratio(document, layout, n, fields, workload))
                is not None
            ]
            count = sum(share > FLOOR_CEILING for share in shares)
            if count:
                over.append(
                    f"{layout} {workload} {count}/{total} (up to x{max(shares):.2f})"
                )
    lines += [
        "",
        f"- Ratio to the floor rising by more than {GROWTH:.2f} from the first to "
        "the last point of a series: " + ("; ".join(growing) or "none") + ".",
        f"- Points over {FLOOR_CEILING:.2f}x the floor: "
        + ("; ".join(over) or "none")
        + ".",
    ]
    return lines


def plot(document: Mapping[str, Any], path: Path) -> None:
    """Time per row against N (at the most fields) and against the fields
    (at the largest N), per workload; below, the ratio to the floor against
    N (a line per field count) and against the fields (a line per N)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullLocator

    meta = document["meta"]
    names: list[str] = meta["contenders"]
    ns, fields_list = meta["n"], meta["fields"]
    most, largest = fields_list[-1], ns[-1]
    points = _index(document)
    layouts = _layouts(document)
    figure, axes = plt.subplots(
        4, len(TABLE_WRITES), figsize=(4.2 * len(TABLE_WRITES), 14), squeeze=False
    )
    for column, workload in enumerate(TABLE_WRITES):
        top, second, third, bottom = (axes[row][column] for row in range(4))
        for name in names:
            style = "--" if name in LAYOUT_FLOORS.values() else "-"
            colour = _COLOURS.get(name)
            top.plot(
                ns,
                [_us_per_row(points.get((name, n, most)), workload) for n in ns],
                style, marker="o", color=colour, label=name,
            )  # fmt: skip
            second.plot(
                fields_list,
                [
                    _us_per_row(points.get((name, largest, f)), workload)
                    for f in fields_list
                ],
                style, marker="o", color=colour, label=name,
            )  # fmt: skip
        for k, layout in enumerate(layouts):
            colour = _COLOURS[layout]
            for j, fields in enumerate(fields_list):
                third.plot(
                    ns, _series(document, layout, workload, fields=fields),
                    _STYLES[j % len(_STYLES)], marker="o", color=colour,
                    label=f"{layout}, {fields} fields",
                )  # fmt: skip
            for j, n in enumerate(ns):
                bottom.plot(
                    fields_list, _series(document, layout, workload, n=n),
                    _STYLES[j % len(_STYLES)], marker="os^"[k % 3], color=colour,
                    label=f"{layout}, N={n:,}",
                )  # fmt: skip
        top.set_title(f"{workload}: µs per row against N ({most} fields)")
        second.set_title(f"{workload}: µs per row against fields (N={largest:,})")
        third.set_title(f"{workload}: ratio to the floor against N")
        bottom.set_title(f"{workload}: ratio to the floor against fields")
        for axis in (top, third):
            axis.set_xscale("log")
            axis.xaxis.set_minor_locator(NullLocator())
            axis.set_xticks(ns, [f"{n:,}" for n in ns])
            axis.set_xlabel("N rows")
        for axis in (second, bottom):
            axis.set_xticks(fields_list, [str(f) for f in fields_list])
            axis.set_xlabel("tracked fields")
        for axis in (top, second):
            axis.set_ylabel("µs per row")
            axis.set_ylim(bottom=0)
        for axis in (third, bottom):
            axis.axhline(FLOOR_CEILING, color="red", linewidth=0.8, linestyle=":")
            axis.axhline(1.0, color="0.6", linewidth=0.6)
            axis.set_ylabel("layout / floor")
        for axis in (top, second, third, bottom):
            axis.grid(True, alpha=0.3)
    for row in range(4):
        axes[row][0].legend(fontsize=7)
    figure.suptitle(
        f"fieldstamps sweep on {meta['server']} ({meta['date']}; "
        f"{meta['repeat']} repeat(s) per point; dashed: floors; red: "
        f"{FLOOR_CEILING:.2f}x target)"
    )
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)


def can_plot() -> bool:
    """Whether matplotlib (the ``bench`` extra) is installed."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def write(out: Path, document: dict[str, Any]) -> tuple[Path, Path, Path | None, str]:
    """The sweep's JSON, Markdown and PNG (None without matplotlib)."""
    import json

    meta = document["meta"]
    out.mkdir(parents=True, exist_ok=True)
    stem = f"sweep-{meta['db']}-{meta['date'][:10]}"
    json_path, md_path = out / f"{stem}.json", out / f"{stem}.md"
    json_path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    table = markdown(document)
    md_path.write_text(table, encoding="utf-8")
    png_path = None
    if can_plot():
        png_path = out / f"{stem}.png"
        plot(document, png_path)
    return json_path, md_path, png_path, table


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.sweep [options]``: ``python -m benchmarks --sweep``."""
    from .__main__ import main as suite

    return suite(["--sweep", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
