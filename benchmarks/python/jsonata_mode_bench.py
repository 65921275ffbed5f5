"""JSONata mode vs JSONPath mode: the same 10-state Pass/Choice chain, same run.

    .venv/bin/python benchmarks/python/jsonata_mode_bench.py [--executions 2000] [--rounds 3]

Each chain is five (Pass, Choice) pairs: the Pass adds one to a counter and
assigns a variable; the Choice tests the counter. JSONPath mode uses
``States.MathAdd`` and a NumericGreaterThanEquals rule; JSONata mode uses
``{% %}`` Output/Assign and a Condition. Both run as StartSyncExecution
(EXPRESS) so the figure is the engine's per-execution cost, not waiting.
Reported: executions per second for each mode and the JSONata/JSONPath ratio
(goal: >= 0.80). Rounds alternate the modes; the best round of each counts.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import stepfiber

ROLE = "arn:aws:iam::111111111111:role/bench"
PAIRS = 5


def jsonpath_chain() -> dict[str, Any]:
    states: dict[str, Any] = {}
    for i in range(PAIRS):
        states[f"P{i}"] = {
            "Type": "Pass",
            "Parameters": {"n.$": "States.MathAdd($.n, 1)", "tag": "x"},
            "Assign": {"last.$": "$.n"},
            "Next": f"C{i}",
        }
        nxt = f"P{i + 1}" if i + 1 < PAIRS else "Done"
        states[f"C{i}"] = {
            "Type": "Choice",
            "Choices": [{"Variable": "$.n", "NumericGreaterThanEquals": 0, "Next": nxt}],
            "Default": "Done",
        }
    states["Done"] = {"Type": "Succeed"}
    return {"StartAt": "P0", "States": states}


def jsonata_chain() -> dict[str, Any]:
    states: dict[str, Any] = {}
    for i in range(PAIRS):
        states[f"P{i}"] = {
            "Type": "Pass",
            "Output": {"n": "{% $states.input.n + 1 %}", "tag": "x"},
            "Assign": {"last": "{% $states.input.n %}"},
            "Next": f"C{i}",
        }
        nxt = f"P{i + 1}" if i + 1 < PAIRS else "Done"
        states[f"C{i}"] = {
            "Type": "Choice",
            "Choices": [{"Condition": "{% $states.input.n >= 0 %}", "Next": nxt}],
            "Default": "Done",
        }
    states["Done"] = {"Type": "Succeed"}
    return {"QueryLanguage": "JSONata", "StartAt": "P0", "States": states}


def rate(sfn: Any, arn: str, executions: int) -> float:
    payload = json.dumps({"n": 0})
    begin = time.perf_counter()
    for _ in range(executions):
        out = sfn.start_sync_execution(stateMachineArn=arn, input=payload)
        if out["status"] != "SUCCEEDED":
            raise RuntimeError(out)
    return executions / (time.perf_counter() - begin)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executions", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with stepfiber.client() as sfn:
        arns = {}
        for mode, definition in (("JSONPath", jsonpath_chain()), ("JSONata", jsonata_chain())):
            arns[mode] = sfn.create_state_machine(
                name=f"chain-{mode}", definition=json.dumps(definition), roleArn=ROLE, type="EXPRESS"
            )["stateMachineArn"]
        best = {mode: 0.0 for mode in arns}
        rate(sfn, arns["JSONPath"], 100)  # warm-up
        rate(sfn, arns["JSONata"], 100)
        for _ in range(args.rounds):
            for mode, arn in arns.items():
                best[mode] = max(best[mode], rate(sfn, arn, args.executions))
    for mode, value in best.items():
        print(f"{mode:9s} {value:10.0f} executions/s (10 states)")
    print(f"ratio JSONata/JSONPath: {best['JSONata'] / best['JSONPath']:.2f} (goal >= 0.80)")


if __name__ == "__main__":
    main()
