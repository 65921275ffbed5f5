"""Per-call cost of the Python client for single calls: its own overhead and end to end.

    PYTHONPATH=python .venv/bin/python benchmarks/python/client_overhead.py [-n 20000] [--repeat 5]

Two measurements, both through the public methods (``start_execution`` and
``send_task_success``), so the figures compare across versions of the client:

* **fake core**: the client's operation layer (``SFNClient._service``) is
  replaced by an object answering every call with a canned body at once. What
  remains is the pure Python cost of one call (validation, JSON in and out,
  response shaping, ``ResponseMetadata``), in µs per call. The best of
  ``--repeat`` rounds is reported, as ``timeit`` does.
* **real engine**: a fresh client with a system clock; a one-state machine
  parks each execution on a ``.waitForTaskToken`` task. ``-n`` single
  ``start_execution`` calls, then one ``send_task_success`` per token. The
  same work is also timed through ``call_api`` with pre-encoded request text
  (the operation layer alone), so the Python share is visible next to it.

Rates are calls per second of one caller thread. The box is shared: note the
load average printed with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import datetime, timezone
from typing import Any, Callable

import stepfiber

ROLE_ARN = "arn:aws:iam::123456789012:role/client-overhead"
DEFINITION = json.dumps({
    "StartAt": "Park",
    "States": {
        "Park": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
            "End": True,
        }
    },
})
EXECUTION_ARN = "arn:aws:states:us-east-1:123456789012:execution:bench:6b8a31fa-2ad6-4c68-93a9-995e09a9d0c9"
#: What the operation layer answers, per target (bodies as the real engine sends them).
CANNED: dict[str, bytes] = {
    "AWSStepFunctions.StartExecution": json.dumps(
        {"executionArn": EXECUTION_ARN, "startDate": 1796625413.101}, separators=(",", ":")
    ).encode(),
    "AWSStepFunctions.SendTaskSuccess": b"{}",
}


class FakeService:
    """Stands in for ``_core.Service``: every call answers its canned body at once."""

    def call(self, target: str, text: str) -> tuple[int, bytes]:
        """Return ``(200, canned body)`` for ``target``."""
        return 200, CANNED[target]


def best_per_call(fn: Callable[[], Any], calls: int, repeat: int) -> float:
    """Best (lowest) seconds per call of ``fn`` over ``repeat`` rounds of ``calls`` calls."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - t0) / calls)
    return best


def fake_core(calls: int, repeat: int) -> dict[str, float]:
    """Seconds per call of the client's own Python work, per operation."""
    sfn = stepfiber.client(manual_clock=True)
    try:
        real = sfn._service
        sfn._service = FakeService()
        arn = "arn:aws:states:us-east-1:123456789012:stateMachine:bench"
        token = "AAAAKgAAAAIAAAAAAAAAAf" * 4
        try:
            return {
                "start_execution": best_per_call(
                    lambda: sfn.start_execution(stateMachineArn=arn, input='{"i":1}'), calls, repeat
                ),
                "send_task_success": best_per_call(
                    lambda: sfn.send_task_success(taskToken=token, output='{"ok":true}'), calls, repeat
                ),
            }
        finally:
            sfn._service = real
    finally:
        sfn.close()


def _timed(fn: Callable[[int], Any], n: int) -> float:
    """Seconds ``fn(i)`` takes for i in range(n)."""
    t0 = time.perf_counter()
    for i in range(n):
        fn(i)
    return time.perf_counter() - t0


def real_engine(n: int) -> dict[str, float]:
    """Seconds per call end to end: client methods, then raw ``call_api``, same engine."""
    out: dict[str, float] = {}
    with stepfiber.client() as sfn:
        arn = sfn.create_state_machine(name="client-overhead", definition=DEFINITION, roleArn=ROLE_ARN)[
            "stateMachineArn"
        ]
        for door in ("client", "call_api"):
            if door == "client":
                start: Callable[[int], Any] = lambda i: sfn.start_execution(stateMachineArn=arn, input='{"i":1}')
            else:
                body = json.dumps({"stateMachineArn": arn, "input": '{"i":1}'}, separators=(",", ":"))
                start = lambda i: sfn.call_api("AWSStepFunctions.StartExecution", body)
            out[f"{door} start_execution"] = _timed(start, n) / n
            tokens = [task["taskToken"] for task in sfn.list_pending_tasks()]
            if len(tokens) != n:
                raise SystemExit(f"expected {n} parked executions, found {len(tokens)}")
            if door == "client":
                done: Callable[[int], Any] = lambda i: sfn.send_task_success(taskToken=tokens[i], output='{"ok":true}')
            else:
                bodies = [json.dumps({"taskToken": t, "output": '{"ok":true}'}, separators=(",", ":")) for t in tokens]
                done = lambda i: sfn.call_api("AWSStepFunctions.SendTaskSuccess", bodies[i])
            out[f"{door} send_task_success"] = _timed(done, n) / n
            sfn.wait_for_all(timeout=60)
            stats = sfn.engine_stats()
            if stats["open_tokens"] or stats["running"]:
                raise SystemExit(f"tokens left open: {stats}")
    return out


def main() -> int:
    """Run both measurements and print µs/call and calls/s."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--calls", type=int, default=20_000, help="calls per measurement (default 20000)")
    parser.add_argument("--repeat", type=int, default=5, help="fake-core rounds; the best is kept (default 5)")
    parser.add_argument("--fake-only", action="store_true", help="skip the real-engine measurement")
    args = parser.parse_args()

    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{now}  load average {load}  stepfiber {stepfiber.__file__}")
    print(f"\nfake core (pure Python per call, best of {args.repeat} x {args.calls:,}):")
    for op, seconds in fake_core(args.calls, args.repeat).items():
        print(f"  {op:<20} {seconds * 1e6:7.2f} µs/call  {1 / seconds:>10,.0f} calls/s")
    if args.fake_only:
        return 0
    print(f"\nreal engine (single calls, one thread, {args.calls:,} each):")
    for what, seconds in real_engine(args.calls).items():
        print(f"  {what:<30} {seconds * 1e6:7.2f} µs/call  {1 / seconds:>10,.0f} calls/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
