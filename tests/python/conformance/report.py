"""Conformance report: ``python tests/python/conformance/report.py [options]``.

Runs every execution case of the corpus and prints the per-category table, the headline
figures, skip reasons and the top failure reasons.

Options:
  --markdown              the table in Markdown (for the README)
  --failures CATEGORY     list failing cases of CATEGORY (or ``all``) with a one-line diff
  --reason TEXT           with --failures: only failures whose reason contains TEXT
  --select TEXT           run only cases whose id contains TEXT
  --write-floor           store today's headline pass counts in floor.json
  --json PATH             write every case result as JSON
  --door DOOR             in-process (default) or endpoint (real boto3 over HTTP, stepfiber.serve)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make ``conformance`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conformance.corpus import CORPUS_ENV, corpus_dir  # noqa: E402
from conformance.runner import (  # noqa: E402
    DOORS,
    current_floor,
    failure_lines,
    floor_violations,
    format_report,
    load_floor,
    results_json,
    run_corpus,
)

FLOOR_PATH = Path(__file__).with_name("floor.json")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options (see the module docstring)."""
    parser = argparse.ArgumentParser(description="stepfiber AWS conformance report")
    parser.add_argument("--markdown", action="store_true", help="print the table in Markdown")
    parser.add_argument("--failures", metavar="CATEGORY", help="list failing cases of CATEGORY ('all' for every one)")
    parser.add_argument("--reason", metavar="TEXT", help="with --failures: only reasons containing TEXT")
    parser.add_argument("--select", metavar="TEXT", help="run only cases whose id contains TEXT")
    parser.add_argument("--write-floor", action="store_true", help="store today's headline pass counts as the floor")
    parser.add_argument("--json", metavar="PATH", help="write every case result as JSON to PATH")
    parser.add_argument("--door", choices=DOORS, default="in-process",
                        help="how the runner reaches the engine: in-process client or boto3 over HTTP")
    return parser.parse_args(argv)


def write_floor(counts: dict[str, int]) -> None:
    """Rewrite floor.json with ``counts``, keeping its comment."""
    floor = load_floor(FLOOR_PATH) if FLOOR_PATH.is_file() else {}
    floor["min_passed"] = counts
    FLOOR_PATH.write_text(json.dumps(floor, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    """Run the corpus and print what was asked; exit 1 when a floor is violated."""
    args = parse_args(argv)
    directory = corpus_dir()
    if directory is None:
        print(f"conformance corpus not found (<repo>/../shared/conformance/localstack or ${CORPUS_ENV})")
        return 2
    results = run_corpus(directory, select=args.select, door=args.door)
    print(format_report(results, markdown=args.markdown))
    if args.failures:
        lines = failure_lines(results, args.failures)
        if args.reason:
            lines = [line for line in lines if args.reason in line.split("\n", 1)[1]]
        print(f"\nFailing cases ({args.failures}): {len(lines)}\n")
        print("\n".join(lines))
    if args.json:
        Path(args.json).write_text(results_json(results))
    if args.write_floor:
        write_floor(current_floor(results))
        print(f"\nfloor.json updated: {current_floor(results)}")
        return 0
    problems = floor_violations(results, load_floor(FLOOR_PATH)) if not args.select else []
    for problem in problems:
        print(f"BELOW FLOOR: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
