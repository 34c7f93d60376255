"""The ``fieldstamps`` command: ``fieldstamps demo [--url URL]``, ``--version``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import metadata
from typing import Any


class _VersionAction(argparse.Action):
    """``--version``, read from the installed distribution when asked.

    Not argparse's ``version=`` string: that is computed for every run, so a
    source tree without metadata could not even run ``demo``. The metadata is
    what pip installed, so the number shown is the one a bug report needs.
    """

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any):
        super().__init__(
            option_strings,
            dest=argparse.SUPPRESS,
            default=argparse.SUPPRESS,
            nargs=0,
            help="print the installed fieldstamps version and exit",
        )

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        try:
            version = metadata.version("fieldstamps")
        except metadata.PackageNotFoundError:
            parser.exit(
                1,
                "fieldstamps: no installed distribution to read the version from "
                "(run from a source tree? pip install -e . first)\n",
            )
        print(f"fieldstamps {version}")
        parser.exit(0)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fieldstamps",
        description="Per-field change stamps for SQLAlchemy, set by the database.",
    )
    parser.add_argument("--version", action=_VersionAction)
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
