"""Run the official JSONata suite corpus through ``stepfiber.jsonata``.

The corpus (``<repo>/../shared/conformance/jsonata`` or ``$STEPFIBER_JSONATA_SUITE_DIR``)
holds one JSON file per case; its ``_README.md`` documents the fields. A case applies to
stepfiber unless it is tagged ``newer-than:*`` (added after jsonata 2.0.6) or
``sfn-disallowed:*`` ($eval). Cases with ``limits`` run with those guards, as the suite's
own harness does.

Usage::

    python tests/python/jsonata_suite/runner.py            # summary by group + failures
    python tests/python/jsonata_suite/runner.py --write-floor
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

CORPUS_ENV = "STEPFIBER_JSONATA_SUITE_DIR"
REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "conformance" / "jsonata"
FLOOR_FILE = Path(__file__).resolve().parent / "floor.json"
#: Fixed clock for $now()/$millis() (the suite's time cases only check shapes).
NOW_MS = 1_700_000_000_000


def corpus_dir() -> Path | None:
    """The corpus directory, or None when absent."""
    override = os.environ.get(CORPUS_ENV)
    path = Path(override) if override else DEFAULT_CORPUS
    return path if (path / "_README.md").is_file() else None


def load_cases(directory: Path) -> list[dict[str, Any]]:
    """Every case file, sorted by id."""
    cases = []
    for path in sorted(directory.glob("*.json")):
        if path.name.startswith("_"):
            continue
        with path.open(encoding="utf-8") as fh:
            cases.append(json.load(fh))
    return cases


def applies(case: dict[str, Any]) -> bool:
    """True unless the case is newer than 2.0.6 or uses $eval."""
    return not any(t.startswith(("newer-than:", "sfn-disallowed:")) for t in case.get("tags", []))


def same(actual: Any, expected: Any) -> bool:
    """Deep equality as the suite means it: arrays ordered, keys any order, types strict."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(actual, bool) and isinstance(expected, bool) and actual == expected
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        if isinstance(expected, float) and math.isnan(expected):
            return isinstance(actual, float) and math.isnan(actual)
        return actual == expected
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) == len(expected) and all(
            same(a, e) for a, e in zip(actual, expected))
    if isinstance(expected, dict):
        return isinstance(actual, dict) and actual.keys() == expected.keys() and all(
            same(actual[k], expected[k]) for k in expected)
    return type(actual) is type(expected) and actual == expected


def run_case(case: dict[str, Any]) -> tuple[bool, str]:
    """Runs one case; returns (passed, what happened)."""
    from stepfiber import jsonata

    expect = case["expect"]
    data = jsonata.UNDEFINED if case.get("input_undefined") else case.get("data")
    limits = case.get("limits") or None
    try:
        result = jsonata.compile(case["expr"]).evaluate(
            data, case.get("bindings") or None, limits=limits, now_ms=NOW_MS)
    except jsonata.JSONataError as err:
        got = f"error {err.code}: {err.message}"
        if "error_code" not in expect or err.code != expect["error_code"]:
            return False, got
        match = expect.get("error_match") or {}
        for key, want in match.items():
            have = {"message": err.message, "token": err.token, "value": err.value,
                    "position": err.position}.get(key, want)
            if key == "functionName":
                have = want if f"${want}()" in err.message else None
            if have != want:
                return False, f"{got} ({key} {have!r} != {want!r})"
        return True, got
    if "error_code" in expect:
        return False, f"result {result!r}"
    if expect.get("undefined"):
        return result is jsonata.UNDEFINED, f"result {result!r}"
    if result is jsonata.UNDEFINED:
        return False, "undefined"
    return same(result, expect["result"]), f"result {json.dumps(result)[:300]}"


def run_suite(directory: Path) -> dict[str, Any]:
    """Runs every applicable case; returns counts by group and the failures."""
    by_group: dict[str, Counter] = defaultdict(Counter)
    failures = []
    skipped = 0
    for case in load_cases(directory):
        if not applies(case):
            skipped += 1
            continue
        passed, detail = run_case(case)
        group = case["group"]
        by_group[group]["applicable"] += 1
        if passed:
            by_group[group]["passed"] += 1
        else:
            failures.append({"id": case["id"], "expr": case["expr"], "expect": case["expect"], "got": detail})
    passed = sum(c["passed"] for c in by_group.values())
    applicable = sum(c["applicable"] for c in by_group.values())
    return {"passed": passed, "applicable": applicable, "skipped": skipped,
            "by_group": {g: dict(c) for g, c in sorted(by_group.items())}, "failures": failures}


def load_floor() -> dict[str, int]:
    """The committed floor (``floor.json``)."""
    with FLOOR_FILE.open(encoding="utf-8") as fh:
        return json.load(fh)


def format_report(report: dict[str, Any]) -> str:
    """A short text table: totals, imperfect groups, failures."""
    lines = [f"JSONata suite: {report['passed']}/{report['applicable']} applicable cases pass "
             f"({100.0 * report['passed'] / max(1, report['applicable']):.2f}%); {report['skipped']} not applicable"]
    for group, c in report["by_group"].items():
        if c.get("passed", 0) != c["applicable"]:
            lines.append(f"  {group}: {c.get('passed', 0)}/{c['applicable']}")
    for f in report["failures"]:
        lines.append(f"  FAIL {f['id']}: {f['expr'][:80]!r} expected {json.dumps(f['expect'])[:120]} got {f['got'][:120]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """CLI: print the report; --write-floor records the pass count."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-floor", action="store_true")
    parser.add_argument("--json", action="store_true", help="print the full report as JSON")
    args = parser.parse_args(argv)
    directory = corpus_dir()
    if directory is None:
        print("JSONata suite corpus not found", file=sys.stderr)
        return 2
    report = run_suite(directory)
    print(json.dumps(report, indent=1) if args.json else format_report(report))
    if args.write_floor:
        FLOOR_FILE.write_text(json.dumps({"passed": report["passed"], "applicable": report["applicable"]}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
