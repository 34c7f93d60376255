"""Medians, ratios to ``plain``, the targets, and the Markdown/JSON results."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .workloads import DESCRIPTIONS, WORKLOADS

FLOOR = "plain"
_WRITES = ("W1", "W2", "W3", "W4", "W7")
#: Ratio ceilings to plain for the fieldstamps layouts (the issue's targets).
CEILINGS = {"fieldstamps-columns": 1.10, "fieldstamps-json": 1.25}
#: Trigger mode's ceilings on W1-W4, per database (the issue's targets).
TRIGGER_CEILINGS = {
    "fieldstamps-triggers-columns": {
        "postgresql": 1.25,
        "mariadb": 1.25,
        "sqlite": 1.60,
    },
    "fieldstamps-triggers-json": {"postgresql": 1.40, "mariadb": 1.40, "sqlite": 1.60},
}
_RIVALS = ("seed", "continuum")
#: History mode's ceilings per workload and database (the issue's targets).
HISTORY = "fieldstamps-history"
HISTORY_CEILINGS = {
    ("W2",): {"postgresql": 1.5, "mariadb": 1.5, "sqlite": 1.5},
    ("W3", "W4"): {"postgresql": 2.0, "mariadb": 2.0, "sqlite": 2.5},
}
#: The history contender's rival, beside it in the history table.
HISTORY_RIVAL = "continuum"
#: Each SQL-mode layout's physical floor (issue 11): the same bytes written
#: by plain SQLAlchemy, without tracking logic.
LAYOUT_FLOORS = {"fieldstamps-columns": "plain-wide", "fieldstamps-json": "plain-json"}
#: Ceiling of a layout's ratio to its floor, on each of these workloads.
FLOOR_CEILING = 1.10
FLOOR_WORKLOADS = ("W1", "W2", "W3", "W4")
#: Ceiling of a layout's W2 peak memory, as a ratio to plain's.
MEMORY_CEILING = 1.2


@dataclass
class Summary:
    """One contender's figures over all repeats."""

    name: str
    failed: str | None = None
    median: dict[str, float] = field(default_factory=dict)
    runs: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    reflects: dict[str, bool | None] = field(default_factory=dict)
    plan: str = ""
    plan_text: str = ""
    index_lookup: bool | None = None
    w6_count: int | None = None
    w6_expected: int | None = None
    w2_peak_mib: float | None = None
    table_mib: float | None = None
    w8_plan: str = ""
    w8_plan_text: str = ""
    w8_index_lookup: bool | None = None
    w8_changes: int | None = None
    history_tables: list[str] = field(default_factory=list)
    history_rows: int | None = None
    history_field_changes: int | None = None
    history_mib: float | None = None
    #: KiB the history takes per 10,000 field changes, as the run left it and
    #: (PostgreSQL) after VACUUM FULL; and per 10,000 history rows.
    history_kib_per_10k: float | None = None
    history_compacted_kib_per_10k: float | None = None
    history_kib_per_10k_rows: float | None = None
    note: str = ""


def _all_or_none(values: Sequence[bool | None]) -> bool | None:
    known = [v for v in values if v is not None]
    return all(known) if known else None


def summarise(name: str, outcomes: Sequence[Mapping[str, Any]]) -> Summary:
    notes = [o["note"] for o in outcomes if o.get("note")]
    summary = Summary(name, note=notes[0] if notes else "")
    failures = [o["failed"] for o in outcomes if "failed" in o]
    good = [o for o in outcomes if "failed" not in o]
    if not good:
        summary.failed = failures[0] if failures else "no run"
        return summary
    for workload in WORKLOADS:
        values = [o["seconds"][workload] for o in good if workload in o["seconds"]]
        if values:
            summary.runs[workload] = values
            summary.median[workload] = statistics.median(values)
        errors = [o["errors"][workload] for o in good if workload in o["errors"]]
        if errors:
            summary.errors[workload] = errors[0]
    for workload in ("W3", "W4"):
        # One repeat missing the write is enough to say it is missed.
        summary.reflects[workload] = _all_or_none(
            [o["reflects"].get(workload) for o in good]
        )
    last = good[-1]
    plans = sorted({o["plan"] for o in good})
    summary.plan = " / ".join(plans)
    summary.plan_text = last["plan_text"]
    summary.index_lookup = _all_or_none([o["index_lookup"] for o in good])
    summary.w6_count, summary.w6_expected = last["w6_count"], last["w6_expected"]
    peaks = [o["w2_peak_mib"] for o in good if o["w2_peak_mib"] is not None]
    summary.w2_peak_mib = statistics.median(peaks) if peaks else None
    sizes = [sum(o["table_bytes"].values()) for o in good if o["table_bytes"]]
    summary.table_mib = statistics.median(sizes) / 2**20 if sizes else None
    _summarise_history(summary, good)
    return summary


def _median(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def _summarise_history(summary: Summary, good: Sequence[Mapping[str, Any]]) -> None:
    # Results files written before W8 lack these keys.
    last = good[-1]
    w8_plans = sorted({o["w8_plan"] for o in good if o.get("w8_plan")})
    summary.w8_plan = " / ".join(w8_plans)
    summary.w8_plan_text = last.get("w8_plan_text", "")
    summary.w8_index_lookup = _all_or_none([o.get("w8_index_lookup") for o in good])
    summary.w8_changes = last.get("w8_changes")
    histories = [o["history"] for o in good if o.get("history")]
    if not histories:
        return
    summary.history_tables = histories[-1]["tables"]
    summary.history_rows = histories[-1]["rows"]
    summary.history_field_changes = histories[-1]["field_changes"]

    def total(sizes: Mapping[str, int] | None) -> int | None:
        return sum(sizes.values()) if sizes else None

    def per(
        h: Mapping[str, Any], sizes: Mapping[str, int] | None, unit: str
    ) -> float | None:
        size = total(sizes)
        return None if size is None or not h[unit] else size / h[unit] * 10_000 / 1024

    mib = [total(h["bytes"]) for h in histories]
    summary.history_mib = _median([None if b is None else b / 2**20 for b in mib])
    summary.history_kib_per_10k = _median(
        [per(h, h["bytes"], "field_changes") for h in histories]
    )
    summary.history_compacted_kib_per_10k = _median(
        [per(h, h["compacted_bytes"], "field_changes") for h in histories]
    )
    summary.history_kib_per_10k_rows = _median(
        [per(h, h["bytes"], "rows") for h in histories]
    )


def ratio(
    summaries: Mapping[str, Summary], name: str, workload: str, floor: str = FLOOR
) -> float | None:
    """``name``'s median over ``floor``'s (default ``plain``) on ``workload``."""
    base_summary = summaries.get(floor)
    mine = summaries[name].median.get(workload)
    base = (
        base_summary.median.get(workload)
        if base_summary and not base_summary.failed
        else None
    )
    if mine is None or not base:
        return None
    return mine / base


def best_ratio(
    summaries: Mapping[str, Summary], name: str, workload: str, floor: str
) -> float | None:
    """``name``'s fastest run over ``floor``'s on ``workload``: noise only
    ever adds time, so on a shared machine this is the steadier of the two
    ratios (the targets are judged on medians all the same)."""
    mine = summaries[name].runs.get(workload)
    base = summaries[floor].runs.get(workload) if floor in summaries else None
    if not mine or not base or not min(base):
        return None
    return min(mine) / min(base)


def memory_ratio(
    summaries: Mapping[str, Summary], name: str, floor: str = FLOOR
) -> float | None:
    """``name``'s W2 peak memory over ``floor``'s."""
    mine, base = summaries.get(name), summaries.get(floor)
    if mine is None or base is None or mine.failed or base.failed:
        return None
    if mine.w2_peak_mib is None or not base.w2_peak_mib:
        return None
    return mine.w2_peak_mib / base.w2_peak_mib


def _layouts(summaries: Mapping[str, Summary]) -> dict[str, str]:
    """The layouts that ran beside their floor: {layout: floor}."""
    return {
        layout: floor
        for layout, floor in LAYOUT_FLOORS.items()
        if layout in summaries
        and floor in summaries
        and not summaries[layout].failed
        and not summaries[floor].failed
    }


def _share(value: float | None, what: str) -> str:
    return "n/a" if value is None else f"x{value:.2f} {what}"


def floor_table(summaries: Mapping[str, Summary]) -> list[str]:
    """Each layout beside its physical floor: W1-W4 and W2 peak memory, as
    ratios to the floor and to plain."""
    layouts = _layouts(summaries)
    if not layouts:
        return []
    head = " | ".join(FLOOR_WORKLOADS)
    lines = [
        "Against the physical floors (issue 11; the same bytes written by plain "
        "SQLAlchemy, no tracking): median, ratio to the floor (and of the "
        "fastest runs), ratio to `plain`:",
        "",
        f"| contender | floor | {head} | W2 peak MiB |",
        "|---|---|" + "---|" * len(FLOOR_WORKLOADS) + "---|",
    ]
    for layout, floor in layouts.items():
        for name, base in ((floor, None), (layout, floor)):
            s = summaries[name]
            cells = [name, base or "(is one)"]
            for workload in FLOOR_WORKLOADS:
                value = s.median.get(workload)
                if value is None:
                    cells.append("n/a")
                    continue
                shares = [_share(ratio(summaries, name, workload), "plain")]
                if base is not None:
                    best = best_ratio(summaries, name, workload, base)
                    shares.insert(
                        0,
                        _share(ratio(summaries, name, workload, base), "floor")
                        + ("" if best is None else f" (best runs x{best:.2f})"),
                    )
                cells.append(f"{_duration(value)}: " + ", ".join(shares))
            peak = "n/a" if s.w2_peak_mib is None else f"{s.w2_peak_mib:.1f}"
            shares = [_share(memory_ratio(summaries, name), "plain")]
            if base is not None:
                shares.insert(0, _share(memory_ratio(summaries, name, base), "floor"))
            cells.append(f"{peak}: " + ", ".join(shares))
            lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def floor_targets(
    summaries: Mapping[str, Summary],
) -> list[tuple[str, bool | None, str]]:
    """Issue 11's targets: each layout within FLOOR_CEILING of its floor on
    every one of W1-W4 (not a median of them), and W2 peak memory within
    MEMORY_CEILING of plain's."""
    found: list[tuple[str, bool | None, str]] = []
    for layout, floor in _layouts(summaries).items():
        shares = []
        met: bool | None = True
        for workload in FLOOR_WORKLOADS:
            share = ratio(summaries, layout, workload, floor)
            if share is None:
                shares.append(f"{workload} n/a")
                met = False
                continue
            over = share > FLOOR_CEILING
            # Three decimals where two would print the ceiling itself.
            digits = 3 if f"{share:.2f}" == f"{FLOOR_CEILING:.2f}" else 2
            shares.append(f"{workload} x{share:.{digits}f}" + (" over" if over else ""))
            if over:
                met = False
        found.append(
            (
                f"{layout}/{floor} <= {FLOOR_CEILING:.2f} on each of W1-W4",
                met,
                ", ".join(shares),
            )
        )
    for layout in LAYOUT_FLOORS:
        share = memory_ratio(summaries, layout)
        if share is None:
            continue
        found.append(
            (
                f"{layout}: W2 peak memory <= {MEMORY_CEILING:.1f} x plain",
                share <= MEMORY_CEILING,
                f"x{share:.2f}",
            )
        )
    return found


def _duration(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1000:.1f} ms" if seconds < 0.1 else f"{seconds * 1000:.0f} ms"


def _yes_no(value: bool | None) -> str:
    return "n/a" if value is None else ("yes" if value else "**no**")


def timing_table(summaries: Mapping[str, Summary]) -> list[str]:
    head = "| contender | " + " | ".join(WORKLOADS) + " |"
    lines = [head, "|---" * (len(WORKLOADS) + 1) + "|"]
    for name, summary in summaries.items():
        if summary.failed:
            cells = [f"n/a: {summary.failed}"] + [""] * (len(WORKLOADS) - 1)
        else:
            cells = []
            for workload in WORKLOADS:
                if workload in summary.errors:
                    cells.append(f"n/a ({summary.errors[workload]})")
                    continue
                value = summary.median.get(workload)
                share = ratio(summaries, name, workload)
                cells.append(
                    "n/a"
                    if value is None
                    else f"{_duration(value)} x{share:.2f}"
                    if share is not None
                    else _duration(value)
                )
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def facts_table(summaries: Mapping[str, Summary], backend: str) -> list[str]:
    size = " PG tables MiB |" if backend == "postgresql" else ""
    lines = [
        "| contender | W6 plan | W6 count / expected | W2 peak MiB |"
        + size
        + " stamp moved after W3 | after W4 |",
        "|---|---|---|---|" + ("---|" if size else "") + "---|---|",
    ]
    for name, s in summaries.items():
        if s.failed:
            lines.append(f"| {name} | n/a: {s.failed} |" + " |" * (5 if size else 4))
            continue
        peak = "n/a" if s.w2_peak_mib is None else f"{s.w2_peak_mib:.1f}"
        cells = [
            s.plan or "n/a",
            f"{s.w6_count} / {s.w6_expected}",
            peak,
        ]
        if size:
            cells.append("n/a" if s.table_mib is None else f"{s.table_mib:.2f}")
        cells += [_yes_no(s.reflects.get("W3")), _yes_no(s.reflects.get("W4"))]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def _number(value: float | None, digits: int = 0) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def history_table(summaries: Mapping[str, Summary], backend: str) -> list[str]:
    """W8's plan and the history's size, for the contenders keeping one."""
    keeping = {
        name: s
        for name, s in summaries.items()
        if not s.failed and (s.history_tables or s.w8_plan)
    }
    if not keeping:
        return []
    compacted = backend == "postgresql"
    lines = [
        "History (W8's plan; the history tables as the run left them, "
        "indexes included):",
        "",
        "| contender | W8 plan | W8 index lookup | W8 changes read | history "
        "tables | history rows | field changes | MiB | KiB per 10,000 field "
        "changes |"
        + (" after VACUUM FULL |" if compacted else "")
        + " KiB per 10,000 history rows |",
        "|---|---|---|---|---|---|---|---|---|"
        + ("---|" if compacted else "")
        + "---|",
    ]
    for name, s in keeping.items():
        cells = [
            s.w8_plan or "n/a",
            _yes_no(s.w8_index_lookup),
            "n/a" if s.w8_changes is None else str(s.w8_changes),
            ", ".join(s.history_tables) or "n/a",
            _number(s.history_rows),
            _number(s.history_field_changes),
            _number(s.history_mib, 2),
            _number(s.history_kib_per_10k),
        ]
        if compacted:
            cells.append(_number(s.history_compacted_kib_per_10k))
        cells.append(_number(s.history_kib_per_10k_rows))
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("")
    for name, s in keeping.items():
        if s.w8_plan_text:
            lines += [f"W8 plan of `{name}`:", "", "```", s.w8_plan_text, "```", ""]
    history, rival = summaries.get(HISTORY), summaries.get(HISTORY_RIVAL)
    if history and rival and not history.failed and not rival.failed:
        shares = []
        for workload in WORKLOADS:
            a, b = history.median.get(workload), rival.median.get(workload)
            if a is not None and b:
                shares.append(f"{workload} x{a / b:.2f}")
        lines += [f"`{HISTORY}` / `{HISTORY_RIVAL}`: " + ", ".join(shares), ""]
    return lines


def _within(
    summaries: Mapping[str, Summary],
    name: str,
    ceiling: float,
    workloads: Sequence[str],
    span: str,
) -> tuple[str, bool | None, str]:
    over = []
    for workload in workloads:
        share = ratio(summaries, name, workload)
        if share is None or share > ceiling:
            over.append(f"{workload} x{share:.2f}" if share else f"{workload} n/a")
    return (
        f"{name}/plain <= {ceiling:.2f} on {span}",
        not over,
        ", ".join(over) or "all within",
    )


def targets(
    summaries: Mapping[str, Summary], backend: str = ""
) -> list[tuple[str, bool | None, str]]:
    """The issue's targets for this database: (target, met?, detail)."""
    ran = {n for n, s in summaries.items() if not s.failed}
    found = [
        _within(summaries, name, ceiling, _WRITES, "W1-W4, W7")
        for name, ceiling in CEILINGS.items()
        if name in ran
    ]
    found += [
        _within(summaries, name, ceilings[backend], _WRITES[:4], "W1-W4")
        for name, ceilings in TRIGGER_CEILINGS.items()
        if name in ran and backend in ceilings
    ]
    if HISTORY in ran:
        for workloads, ceilings in HISTORY_CEILINGS.items():
            if backend in ceilings:
                found.append(
                    _within(
                        summaries,
                        HISTORY,
                        ceilings[backend],
                        workloads,
                        "-".join(workloads),
                    )
                )
        s = summaries[HISTORY]
        found.append(
            (f"{HISTORY}: W8 is an index lookup", s.w8_index_lookup, s.w8_plan)
        )
    found += floor_targets(summaries)
    for name in CEILINGS:
        if name in summaries and not summaries[name].failed:
            s = summaries[name]
            found.append((f"{name}: W6 is an index lookup", s.index_lookup, s.plan))
    for name in CEILINGS:
        if name not in summaries or summaries[name].failed:
            continue
        mine = summaries[name]
        slower = []
        for rival in _RIVALS:
            other = summaries.get(rival)
            if other is None or other.failed:
                slower.append(f"{rival} n/a")
                continue
            for workload in WORKLOADS:
                a, b = mine.median.get(workload), other.median.get(workload)
                if a is not None and b is not None and a >= b:
                    # Not like for like: say so next to the figure.
                    skipped = other.reflects.get(workload) is False
                    why = " (it records nothing for this write)" if skipped else ""
                    slower.append(f"{workload} vs {rival} x{a / b:.2f}{why}")
        met = not [s for s in slower if not s.endswith("n/a")]
        found.append(
            (
                f"{name} faster than seed and continuum on W1-W7",
                met,
                ", ".join(slower) or "faster everywhere",
            )
        )
    return found


def from_document(document: Mapping[str, Any]) -> dict[str, Summary]:
    """The summaries of a results JSON, as written by ``python -m benchmarks``."""
    return {
        name: summarise(name, outcomes)
        for name, outcomes in document["outcomes"].items()
    }


def _revision(meta: Mapping[str, Any]) -> str:
    revision = meta.get("revision") or {}
    start, end = revision.get("start", "unknown"), revision.get("end", "unknown")
    return start if start == end else f"{start} (changed to {end} during the run)"


def markdown(
    backend: str, meta: Mapping[str, Any], summaries: Mapping[str, Summary]
) -> str:
    # Results files written before the PostgreSQL-Audit contender lack its key.
    audit = meta.get("postgresql_audit", "unknown")
    tools = f"SQLAlchemy-Continuum {meta['continuum']}; " + (
        f"PostgreSQL-Audit {audit}; " if backend == "postgresql" else ""
    )
    lines = [
        f"### {meta['server']} — N = {meta['n']:,}, {meta['repeat']} repeat(s)",
        "",
        f"{meta['date']}; {meta['cores']} cores; Python {meta['python']}; "
        f"SQLAlchemy {meta['sqlalchemy']}; {tools}"
        f"W7 = {meta['transactions']:,} transactions; "
        f"load average {meta['load_average']['before'][0]:.2f} before, "
        f"{meta['load_average']['after'][0]:.2f} after; fieldstamps "
        f"{_revision(meta)}.",
        "",
        "Median wall time, xratio to `plain` from the same run:",
        "",
        *timing_table(summaries),
        "",
        *facts_table(summaries, backend),
        "",
        *floor_table(summaries),
        *history_table(summaries, backend),
        "Targets:",
        "",
    ]
    for target, met, detail in targets(summaries, backend):
        mark = "n/a" if met is None else ("met" if met else "**missed**")
        lines.append(f"- {target}: {mark} ({detail})")
    legend = "; ".join(f"{k} {v}" for k, v in DESCRIPTIONS.items())
    lines += ["", f"Workloads: {legend}."]
    notes = [f"`{name}`: {s.note}" for name, s in summaries.items() if s.note]
    if notes:
        lines += ["", "Notes: " + "; ".join(notes) + "."]
    return "\n".join(lines) + "\n"
