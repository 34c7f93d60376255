"""The ``fieldstamps`` command: ``fieldstamps demo [--url URL]``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fieldstamps",
        description="Per-field change stamps for SQLAlchemy, set by the database.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = commands.add_parser(
        "demo",
        help="replay the seed post's sessions and show the stamps after each step",
        description=(
            "Replay the seed post's sessions (create, rename, update(), a no-op "
            "write, a Core update) and print every stamp after each step. Only "
            "the table fieldstamps_demo_user is created and dropped."
        ),
    )
    demo.add_argument(
        "--url",
        help=(
            "SQLAlchemy database URL, e.g. "
            "postgresql+psycopg://postgres@127.0.0.1/test "
            "(default: a temporary SQLite file)"
        ),
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    # Imported here so that --help does not pay for mapping the demo model.
    from ._demo import DemoError, render, run_demo

    if args.command == "demo":
        try:
            result = run_demo(args.url)
        except DemoError as exc:
            print(f"fieldstamps demo: {exc}", file=sys.stderr)
            return 2
        render(result, sys.stdout)
        return 0 if result.passed else 1
    raise AssertionError(f"unhandled command {args.command!r}")  # argparse refused it


if __name__ == "__main__":
    sys.exit(main())
