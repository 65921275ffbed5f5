"""Side-by-side: the same callback scenario on moto and on stepfiber, through three doors.

    .venv/bin/python -m pip install "moto[server,stepfunctions]>=5.2.2"   # the bench extra
    .venv/bin/python benchmarks/python/moto_compare.py [--executions 1000] [--door all]

Scenario (identical on both, single boto3-style calls): create a state machine
whose one Task is ``sqs:sendMessage.waitForTaskToken``; start N executions;
wait until every one has sent its message (parked on its token); complete
every token with SendTaskSuccess; wait until every execution SUCCEEDED.
Reported per engine: start rate, OS threads and RSS per parked execution,
completion rate, and the stepfiber/moto ratios.

Doors (``--door``; ``all`` runs the three, each pair in the same run):

* ``direct``: stepfiber's own Python client vs moto's ``mock_aws`` with boto3;
* ``boto3``: real boto3 on both sides, in-process: ``stepfiber.patch_boto3``
  vs moto's ``mock_aws`` (both answer from botocore's ``before-send`` hook);
* ``server``: real boto3 over HTTP on loopback: ``python -m stepfiber serve``
  vs ``moto_server`` (moto[server]), each a separate process, the same boto3
  client settings (keep-alive, no retries). Here RSS and threads are the
  server process's (from /proc), and the tokens are read the SDK-only way:
  stepfiber's ``StepFiber.ListPendingTasks`` over HTTP, moto's SQS queue.

moto runs its Step Functions interpreter (ported from LocalStack) with
``execute_state_machine``; its SQS mock receives the messages. moto 5.2.1
fails every StartExecution after the first with ``cannot pickle
'_thread.RLock'`` (getmoto/moto#10077, fixed by PR #10093): use a release
with the fix. The script checks and says so instead of measuring a broken run.
"""

from __future__ import annotations

import argparse
import json
import os
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


def scenario(sfn: Any, n: int, queue_url: str, tokens_of: Callable[[], list[str]],
             after_park: Callable[[], Any] | None = None) -> dict[str, float]:
    """Run the scenario on a boto3-shaped client; return the figures.

    ``after_park`` (optional) is called once every execution is parked; its value is
    returned as ``server_after_park``.
    """
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
    server_after_park = after_park() if after_park else None
    t1 = time.perf_counter()
    for token in tokens:
        sfn.send_task_success(taskToken=token, output=json.dumps({"ok": True}))

    def all_done() -> bool:
        return all(sfn.describe_execution(executionArn=a)["status"] == "SUCCEEDED" for a in arns[-50:]) and \
            sum(sfn.describe_execution(executionArn=a)["status"] == "SUCCEEDED" for a in arns) == n

    wait_until(all_done, 600, "every execution to succeed")
    complete_s = time.perf_counter() - t1
    figures = {"executions": n, "starts_per_s": n / start_s, "parked_after_s": parked_s,
               "threads_per_parked": threads / n, "rss_per_parked": rss / n, "completions_per_s": n / complete_s}
    if after_park:
        figures["server_after_park"] = server_after_park
    return figures


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


def _boto3(service: str, endpoint_url: str | None = None) -> Any:
    """A boto3 client with fake credentials, no retries and keep-alive (the same on both sides)."""
    import boto3
    from botocore.config import Config

    extra: dict[str, Any] = {}
    if endpoint_url:
        extra["endpoint_url"] = endpoint_url
    return boto3.session.Session().client(
        service, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing",
        config=Config(retries={"total_max_attempts": 1}, inject_host_prefix=False, max_pool_connections=4), **extra)


def _moto_tokens(sqs: Any, url: str) -> Callable[[], list[str]]:
    """Drain moto's queue: the tokens of the benchmark's executions."""
    def tokens() -> list[str]:
        out = []
        for _ in range(10):
            msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            for m in msgs:
                body = json.loads(m["Body"])
                if body.get("n", -1) >= 0:
                    out.append(body["token"])
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            if not msgs:
                break
        return out
    return tokens


def _check_moto_repeats(sfn: Any, url: str, where: str = "mock_aws") -> None:
    """moto's repeated-StartExecution bug: stop with a clear message instead of measuring it.

    Under ``mock_aws`` it is getmoto/moto#10077 (5.2.1, fixed by PR #10093). ``moto_server``
    5.2.6 still answers HTTP 500 to the second StartExecution of a machine while the first
    execution runs (measured 2026-12-07), so the server comparison reports that instead.
    """
    import moto

    probe = sfn.create_state_machine(name="probe", definition=definition(url),
                                     roleArn="arn:aws:iam::123456789012:role/bench")["stateMachineArn"]
    try:
        for i in range(2):
            sfn.start_execution(stateMachineArn=probe, name=f"probe{i}", input=json.dumps({"n": -1}))
    except Exception as exc:
        detail = str(exc).splitlines()[0][:160]
        raise SystemExit(f"moto {moto.__version__} ({where}) cannot run repeated executions: {detail}"
                         + (" -- install a release with getmoto/moto PR #10093" if where == "mock_aws" else "")) from None


def run_stepfiber_boto3(n: int) -> dict[str, float]:
    """Real boto3 routed in-process by stepfiber.patch_boto3."""
    import stepfiber

    with stepfiber.patch_boto3() as engine:
        engine.register_task_handler("arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                                     lambda params: {"MessageId": "m"})
        sfn = _boto3("stepfunctions")
        return scenario(sfn, n, "https://sqs.us-east-1.amazonaws.com/123456789012/bench",
                        lambda: [t["taskToken"] for t in engine.list_pending_tasks()])


def run_moto_boto3(n: int) -> dict[str, float]:
    """Real boto3 routed in-process by moto's mock_aws."""
    import moto
    from moto import mock_aws

    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        sqs = _boto3("sqs")
        url = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
        sfn = _boto3("stepfunctions")
        _check_moto_repeats(sfn, url)
        tokens = _moto_tokens(sqs, url)
        time.sleep(0.5)
        while tokens():
            pass
        figures = scenario(sfn, n, url, tokens)
        figures["version"] = moto.__version__
        return figures


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _proc_figures(pid: int) -> tuple[int, int]:
    """(RSS bytes, OS threads) of a process, from /proc."""
    rss = threads = 0
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) * 1024
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    return rss, threads


def _server_scenario(sfn: Any, pid: int, n: int, queue_url: str, tokens_of: Callable[[], list[str]]) -> dict[str, float]:
    """The scenario against a server process; memory and threads are the server's."""
    rss0, threads0 = _proc_figures(pid)
    figures = scenario(sfn, n, queue_url, tokens_of, after_park=lambda: _proc_figures(pid))
    rss, threads = figures.pop("server_after_park")
    figures["rss_per_parked"] = (rss - rss0) / n
    figures["threads_per_parked"] = (threads - threads0) / n
    return figures


def run_stepfiber_server(n: int) -> dict[str, float]:
    """boto3 over HTTP against ``python -m stepfiber serve`` in its own process."""
    import subprocess
    import sys
    import urllib.request

    process = subprocess.Popen([sys.executable, "-m", "stepfiber", "serve", "--port", "0"],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split(" on ", 1)[1].split()[0]
        sfn = _boto3("stepfunctions", url)

        def tokens() -> list[str]:
            request = urllib.request.Request(url + "/", data=b"{}", method="POST", headers={
                "X-Amz-Target": "StepFiber.ListPendingTasks", "Content-Type": "application/x-amz-json-1.0"})
            with urllib.request.urlopen(request, timeout=60) as answer:
                return [t["taskToken"] for t in json.loads(answer.read())["tasks"]]

        return _server_scenario(sfn, process.pid, n, "https://sqs.us-east-1.amazonaws.com/123456789012/bench", tokens)
    finally:
        process.terminate()
        process.wait(30)


def run_moto_server(n: int) -> dict[str, float]:
    """boto3 over HTTP against ``moto_server`` (moto[server]) in its own process."""
    import shutil
    import subprocess
    import sys
    import urllib.request

    import moto

    port = _free_port()
    exe = shutil.which("moto_server") or str(__import__("pathlib").Path(sys.executable).with_name("moto_server"))
    log = open(os.environ.get("MOTO_SERVER_LOG", os.devnull), "w")
    process = subprocess.Popen([exe, "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _reachable(url), 30, "moto_server to listen")
        config = json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode()
        urllib.request.urlopen(urllib.request.Request(url + "/moto-api/config", data=config, method="POST",
                                                      headers={"Content-Type": "application/json"}), timeout=10).read()
        sqs = _boto3("sqs", url)
        queue_url = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
        sfn = _boto3("stepfunctions", url)
        _check_moto_repeats(sfn, queue_url, "moto_server")
        tokens = _moto_tokens(sqs, queue_url)
        time.sleep(0.5)
        while tokens():
            pass
        figures = _server_scenario(sfn, process.pid, n, queue_url, tokens)
        figures["version"] = moto.__version__
        return figures
    finally:
        process.terminate()
        process.wait(30)


def _reachable(url: str) -> bool:
    """True once something accepts TCP connections at ``url`` (no HTTP request: moto's
    dashboard request, GET /moto-api/, breaks its later repeated StartExecution)."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=1):
            return True
    except OSError:
        return False


DOORS = {
    "direct": ("stepfiber Python client vs moto mock_aws (boto3)", run_stepfiber, run_moto),
    "boto3": ("boto3 in-process: stepfiber.patch_boto3 vs moto mock_aws", run_stepfiber_boto3, run_moto_boto3),
    "server": ("boto3 over HTTP: stepfiber serve vs moto_server", run_stepfiber_server, run_moto_server),
}


def report(title: str, ours: dict[str, float], theirs: dict[str, float] | str) -> None:
    """One door's table: stepfiber, moto and the ratio (> 1 means stepfiber is better).

    ``theirs`` is moto's failure message when moto could not run the scenario.
    """
    print(f"\n{title}")
    if isinstance(theirs, str):
        print(f"  moto: {theirs}")
        for key, label in [("starts_per_s", "start rate (/s)"), ("completions_per_s", "completion rate (/s)"),
                           ("rss_per_parked", "RSS per parked (B)"), ("threads_per_parked", "OS threads per parked")]:
            print(f"{label:28} {ours[key]:>14,.1f}  (stepfiber only)")
        return
    print(f"{'':28} {'stepfiber':>14} {'moto ' + str(theirs['version']):>14} {'ratio':>8}")
    for key, label, higher_better in [("starts_per_s", "start rate (/s)", True),
                                      ("completions_per_s", "completion rate (/s)", True),
                                      ("rss_per_parked", "RSS per parked (B)", False),
                                      ("threads_per_parked", "OS threads per parked", False)]:
        a, b = ours[key], theirs[key]
        ratio = (a / b if higher_better else (b / a if a > 0 else float("inf"))) if b else float("inf")
        print(f"{label:28} {a:>14,.1f} {b:>14,.1f} {ratio:>7,.1f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--executions", "-n", type=int, default=1000)
    parser.add_argument("--door", choices=[*DOORS, "all"], default="direct")
    args = parser.parse_args()
    print(f"N = {args.executions}, {time.strftime('%Y-%m-%d %H:%M %Z')}")
    for name in (DOORS if args.door == "all" else [args.door]):
        title, stepfiber_run, moto_run = DOORS[name]
        ours = stepfiber_run(args.executions)
        try:
            theirs: dict[str, float] | str = moto_run(args.executions)
        except SystemExit as failure:
            theirs = str(failure)
        report(title, ours, theirs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
