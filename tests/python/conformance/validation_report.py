"""Validation agreement report: ``python tests/python/conformance/validation_report.py [options]``.

Validates every labelled definition (``../shared/conformance/validation``) and the LocalStack
corpus's ``create_error`` / ``validate`` cases, then prints agreement by source and label, the
headline figures (whole set, AWS-confirmed) and message fidelity.

Options:
  --markdown        the table in Markdown (for the README)
  --disagreements   list every disagreeing case with its first diagnostic
  --write-floor     store today's headline agreement counts in validation_floor.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make ``conformance`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conformance.validation import (  # noqa: E402
    FLOOR_PATH,
    contested_cases,
    current_floor,
    disagreement_lines,
    floor_violations,
    format_report,
    load_floor,
    run_all,
    validation_dir,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="stepfiber definition-validation agreement")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--disagreements", action="store_true")
    parser.add_argument("--write-floor", action="store_true")
    args = parser.parse_args(argv)
    results = run_all()
    if not results:
        print("no validation corpus found")
        return 2
    directory = validation_dir()
    contested = contested_cases(directory) if directory else []
    print(format_report(results, markdown=args.markdown, contested=contested))
    if args.disagreements:
        lines = disagreement_lines(results)
        print(f"\nDisagreements: {len(lines)}\n")
        print("\n".join(lines))
    if args.write_floor:
        floor = load_floor() if FLOOR_PATH.is_file() else {}
        floor["min_agreeing"] = current_floor(results)
        FLOOR_PATH.write_text(json.dumps(floor, indent=2) + "\n")
        print(f"\nvalidation_floor.json updated: {floor['min_agreeing']}")
        return 0
    problems = floor_violations(results, load_floor()) if FLOOR_PATH.is_file() else []
    for problem in problems:
        print(f"BELOW FLOOR: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
