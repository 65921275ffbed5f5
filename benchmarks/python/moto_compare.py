"""Side-by-side: the same callback scenario on moto and on stepfiber.

    .venv/bin/python -m pip install "moto[stepfunctions,sqs]>=5.2.2"   # the bench extra
    .venv/bin/python benchmarks/python/moto_compare.py [--executions 1000]

Scenario (identical on both, single boto3-style calls): create a state machine
whose one Task is ``sqs:sendMessage.waitForTaskToken``; start N executions;
wait until every one has sent its message (parked on its token); complete
every token with SendTaskSuccess; wait until every execution SUCCEEDED.
Reported per engine: start rate, OS threads and RSS per parked execution,
completion rate, and the stepfiber/moto ratios.

moto runs its Step Functions interpreter (ported from LocalStack) with
``execute_state_machine``; its SQS mock receives the messages. moto 5.2.1
fails every StartExecution after the first with ``cannot pickle
'_thread.RLock'`` (getmoto/moto#10077, fixed by PR #10093): use a release
with the fix. The script checks and says so instead of measuring a broken run.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from typing import Any, Callable

from stepfiber.bench import rss_bytes

QUEUE = "bench-queue"


def definition(queue_url: str) -> str:
    return json.dumps({
        "StartAt": "Ask",
        "States": {"Ask": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": queue_url, "MessageBody": {"token.$": "$$.Task.Token", "n.$": "$.n"}},
            "End": True,
        }},
    })


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.05)


def scenario(sfn: Any, n: int, queue_url: str, tokens_of: Callable[[], list[str]]) -> dict[str, float]:
    """Run the scenario on a boto3-shaped client; return the figures."""
    arn = sfn.create_state_machine(name="bench", definition=definition(queue_url),
                                   roleArn="arn:aws:iam::123456789012:role/bench")["stateMachineArn"]
    threads0, rss0 = threading.active_count(), rss_bytes()
    t0 = time.perf_counter()
    # Explicit names: moto 5.2.5 names every unnamed execution "None" (a bug).
    arns = [sfn.start_execution(stateMachineArn=arn, name=f"e{i}", input=json.dumps({"n": i}))["executionArn"]
            for i in range(n)]
    start_s = time.perf_counter() - t0
    tokens: list[str] = []

    def collect() -> bool:
        tokens.extend(tokens_of())
        return len(tokens) >= n

    wait_until(collect, 600, f"{n} parked executions")
    parked_s = time.perf_counter() - t0
    threads, rss = threading.active_count() - threads0, rss_bytes() - rss0
    t1 = time.perf_counter()
    for token in tokens:
        sfn.send_task_success(taskToken=token, output=json.dumps({"ok": True}))

    def all_done() -> bool:
        return all(sfn.describe_execution(executionArn=a)["status"] == "SUCCEEDED" for a in arns[-50:]) and \
            sum(sfn.describe_execution(executionArn=a)["status"] == "SUCCEEDED" for a in arns) == n

    wait_until(all_done, 600, "every execution to succeed")
    complete_s = time.perf_counter() - t1
    return {"executions": n, "starts_per_s": n / start_s, "parked_after_s": parked_s,
            "threads_per_parked": threads / n, "rss_per_parked": rss / n, "completions_per_s": n / complete_s}


def run_moto(n: int) -> dict[str, float]:
    import boto3
    import moto
    from moto import mock_aws

    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
        sfn = boto3.client("stepfunctions", region_name="us-east-1")
        probe_arn = sfn.create_state_machine(name="probe", definition=definition(url),
                                             roleArn="arn:aws:iam::123456789012:role/bench")["stateMachineArn"]
        try:
            for i in range(2):
                sfn.start_execution(stateMachineArn=probe_arn, name=f"probe{i}", input=json.dumps({"n": -1}))
        except Exception as exc:  # moto 5.2.1's pickle bug
            raise SystemExit(f"moto {moto.__version__} cannot run repeated executions ({exc}); "
                             "install a release with getmoto/moto PR #10093") from None

        def tokens() -> list[str]:
            out = []
            for _ in range(10):
                msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
                for m in msgs:
                    body = json.loads(m["Body"])
                    if body.get("n", -1) >= 0 and "probe" not in m.get("ReceiptHandle", ""):
                        out.append(body["token"])
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
                if not msgs:
                    break
            return out

        wait_until(lambda: len(tokens()) >= 0, 1, "probe drain")
        time.sleep(0.5)
        while tokens():
            pass
        figures = scenario(sfn, n, url, tokens)
        figures["version"] = moto.__version__
        return figures


def run_stepfiber(n: int) -> dict[str, float]:
    import stepfiber

    sfn = stepfiber.client()
    sfn.register_task_handler("arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                              lambda params: {"MessageId": "m"})
    try:
        return scenario(sfn, n, "https://sqs.us-east-1.amazonaws.com/123456789012/bench",
                        lambda: [t["taskToken"] for t in sfn.list_pending_tasks()])
    finally:
        sfn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--executions", "-n", type=int, default=1000)
    args = parser.parse_args()
    ours = run_stepfiber(args.executions)
    theirs = run_moto(args.executions)
    print(f"{'':28} {'stepfiber':>14} {'moto ' + str(theirs['version']):>14} {'ratio':>8}")
    for key, label, higher_better in [("starts_per_s", "start rate (/s)", True),
                                      ("completions_per_s", "completion rate (/s)", True),
                                      ("rss_per_parked", "RSS per parked (B)", False),
                                      ("threads_per_parked", "OS threads per parked", False)]:
        a, b = ours[key], theirs[key]
        ratio = (a / b if higher_better else (b / a if a else float("inf"))) if b else float("inf")
        print(f"{label:28} {a:>14,.1f} {b:>14,.1f} {ratio:>7,.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
