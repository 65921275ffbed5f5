"""JSONata engines compared through Python (issue 9 §5): same run, same call shape.

    .venv/bin/python benchmarks/python/jsonata_compare.py [-n 1.0] [--json]

Engines: ``stepfiber.jsonata`` (native C++), ``jsonatapy`` (Rust) and
``jsonata-python`` (pure Python); the last two come from the ``bench`` extra
(``pip install -e .[bench]``). This script installs nothing; a missing peer
is reported and left out.

Workloads:

* ``suite sample``: up to 200 cases of the official JSONata suite
  (``/work/shared/conformance/jsonata``) chosen deterministically (every k-th
  file in name order) among those without ``limits``, without an expected
  error, without ``$eval``, time/random or ``newer-than`` tags. Only the cases
  every engine evaluates without raising are timed; their number is printed.
  One "evaluation" is one case; results are not compared (the conformance
  runner does that for stepfiber).
* typical Step Functions expressions over ``$states`` (passed as the
  ``states`` binding to every engine: all three accept a bindings mapping).

Each workload is timed in two modes: ``eval`` (compile once, then evaluate
repeatedly) and ``compile+eval`` (compile and evaluate on every call). Each
cell runs up to ``ITERATIONS * n`` evaluations but stops after ``CELL_SECONDS
* n`` seconds, so slow engines get fewer iterations; the rate is
evaluations / elapsed seconds. Ratios are stepfiber's rate / the peer's.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import sys
import time
from typing import Any, Callable, Optional

CORPUS = "/work/shared/conformance/jsonata"
SUITE_CASES = 200
ITERATIONS = 20000
CELL_SECONDS = 1.2
ARRAY_LEN = 1000

Engine = tuple[Callable[[str], Any], Callable[[Any, Any, Optional[dict]], Any]]


def load_engines() -> tuple[dict[str, Engine], dict[str, str]]:
    """Returns the importable engines as name -> (compile, evaluate) and the missing ones' reasons."""
    engines: dict[str, Engine] = {}
    missing: dict[str, str] = {}
    try:
        import stepfiber.jsonata as sj

        def sf_eval(c: Any, data: Any, b: Optional[dict]) -> Any:
            return c.evaluate(sj.UNDEFINED if data is _UNDEF else data, b)

        engines["stepfiber"] = (sj.compile, sf_eval)
    except ImportError as e:  # pragma: no cover - the project itself
        missing["stepfiber"] = str(e)
    try:
        import jsonatapy

        def jp_eval(c: Any, data: Any, b: Optional[dict]) -> Any:
            return c.evaluate(None if data is _UNDEF else data, b)

        engines["jsonatapy"] = (jsonatapy.compile, jp_eval)
    except ImportError as e:
        missing["jsonatapy"] = str(e)
    try:
        import jsonata

        def py_eval(c: Any, data: Any, b: Optional[dict]) -> Any:
            return c.evaluate(None if data is _UNDEF else data, b)

        engines["jsonata-python"] = (jsonata.Jsonata, py_eval)
    except ImportError as e:
        missing["jsonata-python"] = str(e)
    return engines, missing


class _Undef:
    """Marker for "no input" (the suite's ``input_undefined``)."""


_UNDEF = _Undef()


def suite_cases() -> list[dict[str, Any]]:
    """Returns the deterministic sample of eligible suite cases (expr, data, bindings, id)."""
    eligible = []
    for path in sorted(glob.glob(os.path.join(CORPUS, "*.json"))):
        if os.path.basename(path).startswith("_"):
            continue
        with open(path, encoding="utf-8") as f:
            case = json.load(f)
        tags = case.get("tags") or []
        if case.get("limits") or "error_code" in (case.get("expect") or {}):
            continue
        if any(t.startswith(("newer-than", "nondeterministic", "sfn-disallowed", "harness", "lone-surrogate"))
               for t in tags) or "$eval" in case["expr"]:
            continue
        eligible.append({
            "id": case["id"],
            "expr": case["expr"],
            "data": _UNDEF if case.get("input_undefined") else case.get("data"),
            "bindings": case.get("bindings") or None,
        })
    step = max(1, len(eligible) // SUITE_CASES)
    return eligible[::step][:SUITE_CASES]


def usable_cases(cases: list[dict[str, Any]], engines: dict[str, Engine]) -> list[dict[str, Any]]:
    """Keeps the cases every engine compiles and evaluates without raising."""
    keep = []
    for case in cases:
        ok = True
        for comp, ev in engines.values():
            try:
                ev(comp(case["expr"]), case["data"], case["bindings"])
            except Exception:  # noqa: BLE001 - any failure drops the case
                ok = False
                break
        if ok:
            keep.append(case)
    return keep


def typical_workloads() -> list[dict[str, Any]]:
    """Returns the typical Step Functions expressions with their ``$states.input``."""
    items = [{"price": i % 97, "qty": i % 5} for i in range(ARRAY_LEN)]
    order = {"id": "order-1", "items": items}
    return [
        {"name": "field access", "expr": "$states.input.order.id",
         "input": {"order": {"id": "o-42", "total": 12.5}}},
        {"name": "string building", "expr": "'Hello ' & $states.input.name & '!'", "input": {"name": "World"}},
        {"name": f"$map x{ARRAY_LEN}", "expr": "$map($states.input.items, function($v) { $v.price * 2 })",
         "input": order},
        {"name": f"$filter x{ARRAY_LEN}", "expr": "$filter($states.input.items, function($v) { $v.price > 50 })",
         "input": order},
        {"name": f"$sum x{ARRAY_LEN}", "expr": "$sum($states.input.items.price)", "input": order},
        {"name": "object construction",
         "expr": '{"id": $states.input.id, "total": $sum($states.input.items.price)}', "input": order},
    ]


def time_cell(engine: Engine, cases: list[dict[str, Any]], mode: str, iterations: int, seconds: float) -> float:
    """Evaluations per second of ``engine`` over ``cases`` (cycled) in ``mode`` ('eval' or 'compile+eval')."""
    comp, ev = engine
    compiled = [comp(c["expr"]) for c in cases] if mode == "eval" else None
    n = 0
    start = time.perf_counter()
    deadline = start + seconds
    ncases = len(cases)
    while n < iterations:
        for i, c in enumerate(cases):
            expr = compiled[i] if compiled is not None else comp(c["expr"])
            ev(expr, c["data"], c["bindings"])
        n += ncases
        if time.perf_counter() >= deadline:
            break
    return n / (time.perf_counter() - start)


def run(scale: float, quiet: bool) -> dict[str, Any]:
    """Runs every workload in both modes; returns the machine-readable result."""
    engines, missing = load_engines()
    if "stepfiber" not in engines:
        raise SystemExit("stepfiber.jsonata is not importable")
    sample = suite_cases()
    used = usable_cases(sample, engines)
    workloads: list[tuple[str, list[dict[str, Any]]]] = [("suite sample", used)]
    for w in typical_workloads():
        workloads.append((w["name"], [{"expr": w["expr"], "data": _UNDEF,
                                       "bindings": {"states": {"input": w["input"]}}}]))
    iterations = max(1, int(ITERATIONS * scale))
    seconds = CELL_SECONDS * scale
    rows = []
    for name, cases in workloads:
        for mode in ("eval", "compile+eval"):
            rates = {}
            for ename, engine in engines.items():
                rates[ename] = time_cell(engine, cases, mode, iterations, seconds)
            ratios = {p: rates["stepfiber"] / r for p, r in rates.items() if p != "stepfiber"}
            rows.append({"workload": name, "mode": mode, "evals_per_s": rates, "ratio": ratios})
            if not quiet:
                print(f"  {name:<20} {mode:<13} done", file=sys.stderr, flush=True)
    return {
        "engines": list(engines),
        "missing": missing,
        "suite": {"sampled": len(sample), "used": len(used)},
        "scale": scale,
        "rows": rows,
    }


def print_table(result: dict[str, Any]) -> None:
    """Prints the evaluations/second table and stepfiber's ratio to each peer."""
    engines = result["engines"]
    peers = [e for e in engines if e != "stepfiber"]
    print(f"suite sample: {result['suite']['used']} of {result['suite']['sampled']} sampled cases "
          "evaluated without error by every engine")
    for name, why in result["missing"].items():
        print(f"missing engine {name}: {why}")
    head = f"| {'workload':<20} | {'mode':<12} | " + " | ".join(f"{e + ' ev/s':>19}" for e in engines)
    head += " | " + " | ".join(f"{'sf / ' + p:>19}" for p in peers) + " |"
    print(head)
    print("|" + "|".join("-" * len(c) for c in head.split("|")[1:-1]) + "|")
    for r in result["rows"]:
        line = f"| {r['workload']:<20} | {r['mode']:<12} | "
        line += " | ".join(f"{r['evals_per_s'][e]:>19,.0f}" for e in engines)
        line += " | " + " | ".join(f"{r['ratio'][p]:>18.1f}x" for p in peers) + " |"
        print(line)


def breakdown(scale: float) -> list[dict[str, Any]]:
    """Splits stepfiber's compiled ``evaluate`` call into its parts, in microseconds per call.

    ``full``: the public ``Expression.evaluate``; ``native``: the extension
    call alone (Python objects converted in, evaluate, result converted out);
    ``convert``: the extension call of the constant expression ``0`` with the
    same bindings, i.e. converting the bindings in and nothing else to speak
    of. Uses the module's private names on purpose.
    """
    import stepfiber.jsonata as sj

    rows = []
    zero = sj.compile("0")
    for w in typical_workloads():
        b = {"states": {"input": w["input"]}}
        c = sj.compile(w["expr"])

        def per_call(fn: Callable[[], Any]) -> float:
            n, start = 0, time.perf_counter()
            while n < ITERATIONS * scale and time.perf_counter() - start < CELL_SECONDS * scale / 3:
                fn()
                n += 1
            return (time.perf_counter() - start) / n * 1e6

        rows.append({
            "workload": w["name"],
            "full_us": per_call(lambda: c.evaluate(sj.UNDEFINED, b)),
            "native_us": per_call(lambda: c._evaluate(sj.UNDEFINED, b)),
            "convert_us": per_call(lambda: zero._evaluate(sj.UNDEFINED, b)),
        })
    return rows


def main(argv: Optional[list[str]] = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=float, default=1.0, help="scale iterations and per-cell time budget (default 1.0)")
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    ap.add_argument("--breakdown", action="store_true",
                    help="also split stepfiber's call into the wrapper, the native call and the input conversion")
    args = ap.parse_args(argv)
    result = run(args.n, quiet=args.json)
    if args.breakdown:
        result["breakdown"] = breakdown(args.n)
    if args.json:
        json.dump(result, sys.stdout, indent=2)
        print()
    else:
        print_table(result)
        if args.breakdown:
            print("\nstepfiber.jsonata per compiled call, microseconds:")
            print(f"| {'workload':<20} | {'full':>9} | {'native call':>11} | {'convert in':>10} |")
            print(f"|{'-' * 22}|{'-' * 11}|{'-' * 13}|{'-' * 12}|")
            for r in result["breakdown"]:
                print(f"| {r['workload']:<20} | {r['full_us']:>9.1f} | {r['native_us']:>11.1f} |"
                      f" {r['convert_us']:>10.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
