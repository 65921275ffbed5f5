"""``stepfiber.serve`` and ``python -m stepfiber serve``: the engine over HTTP (AWS JSON 1.0).

Real boto3 talks to the server over 127.0.0.1 (``endpoint_url``, ``inject_host_prefix=False``);
raw requests check the wire errors botocore cannot produce. Also the SDK-only callback
worker and the command line (start, --handlers, SIGINT/SIGTERM).
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import stepfiber
from conftest import ROLE_ARN, START_TIME, build_callback_definition, unique_name
from sdk_doors import endpoint_client, error_code, raw_post

PASS = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
CALLBACK = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
LAMBDA = "arn:aws:states:::lambda:invoke"

pytestmark = pytest.mark.skipif(
    not hasattr(stepfiber._core, "HttpServer"), reason="this build has no HTTP server (_core.HttpServer)"
)


@pytest.fixture
def server() -> Any:
    """A server over a manual-clock engine; closed after the test."""
    with stepfiber.serve(manual_clock=True, start_time=START_TIME) as running:
        yield running


@pytest.fixture
def sf(server: stepfiber.Server) -> Any:
    """A real boto3 client for the server."""
    client = endpoint_client(server.endpoint_url)
    yield client
    client.close()


def _machine(sf: Any, definition: str = PASS, **kwargs: Any) -> str:
    return sf.create_state_machine(name=unique_name(), definition=definition, roleArn=ROLE_ARN,
                                   **kwargs)["stateMachineArn"]


def test_serve_answers_boto3(server: stepfiber.Server, sf: Any) -> None:
    """create/start/describe over HTTP; the engine's client sees what boto3 made."""
    assert server.endpoint_url.startswith("http://127.0.0.1:") and server.port > 0
    arn = _machine(sf)
    run = sf.start_execution(stateMachineArn=arn, input='{"a": 1}')
    described = sf.describe_execution(executionArn=run["executionArn"])
    assert described["status"] == "SUCCEEDED" and json.loads(described["output"]) == {"a": 1}
    assert server.client.describe_execution(executionArn=run["executionArn"])["status"] == "SUCCEEDED"
    assert len(described["ResponseMetadata"]["RequestId"]) == 36


def test_sync_execution_with_the_host_prefix_disabled(server: stepfiber.Server, monkeypatch: pytest.MonkeyPatch) -> None:
    """StartSyncExecution works with Config(inject_host_prefix=False) and with the env variable."""
    sf = endpoint_client(server.endpoint_url)
    arn = _machine(sf, type="EXPRESS")
    assert sf.start_sync_execution(stateMachineArn=arn, input="{}")["status"] == "SUCCEEDED"
    monkeypatch.setenv("AWS_DISABLE_HOST_PREFIX_INJECTION", "true")
    import boto3

    env_client = boto3.session.Session().client(
        "stepfunctions", region_name="us-east-1", endpoint_url=server.endpoint_url,
        aws_access_key_id="testing", aws_secret_access_key="testing")
    assert env_client.start_sync_execution(stateMachineArn=arn, input="{}")["status"] == "SUCCEEDED"


def test_handlers_keep_serving_while_the_server_runs(server: stepfiber.Server, sf: Any) -> None:
    """A Python task handler on the engine's client runs for executions started over HTTP."""
    server.client.register_task_handler(LAMBDA, lambda payload: {"doubled": payload["Payload"]["n"] * 2})
    definition = json.dumps({"StartAt": "L", "States": {"L": {
        "Type": "Task", "Resource": LAMBDA, "Parameters": {"FunctionName": "f", "Payload.$": "$"}, "End": True}}})
    run = sf.start_execution(stateMachineArn=_machine(sf, definition), input='{"n": 21}')["executionArn"]
    assert server.client.wait_for_execution(run, timeout=10)["status"] == "SUCCEEDED"
    assert json.loads(sf.describe_execution(executionArn=run)["output"]) == {"doubled": 42}


def test_sdk_only_worker_finds_its_token_in_the_history(server: stepfiber.Server, sf: Any) -> None:
    """A worker with nothing but boto3 and the URL reads TaskScheduled's parameters and completes it."""
    run = sf.start_execution(stateMachineArn=_machine(sf, build_callback_definition()), input='{"job": 5}')
    arn = run["executionArn"]

    def worker() -> None:
        sdk = endpoint_client(server.endpoint_url)
        events = sdk.get_execution_history(executionArn=arn)["events"]
        scheduled = next(e for e in events if e["type"] == "TaskScheduled")
        parameters = json.loads(scheduled["taskScheduledEventDetails"]["parameters"])
        sdk.send_task_success(taskToken=parameters["token"], output=json.dumps({"done": parameters["input"]["job"]}))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(30)
    assert server.client.wait_for_execution(arn, timeout=10)["status"] == "SUCCEEDED"
    assert json.loads(sf.describe_execution(executionArn=arn)["output"]) == {"done": 5}


def test_sdk_only_worker_gets_its_token_from_a_handler(server: stepfiber.Server) -> None:
    """The handler hands the token to a worker thread that answers over HTTP (success, then failure)."""
    inbox: queue.Queue[dict[str, Any]] = queue.Queue()
    server.client.register_task_handler(CALLBACK, lambda payload: inbox.put(payload) or {"MessageId": "1"})

    def worker() -> None:
        sdk = endpoint_client(server.endpoint_url)
        for _ in range(2):
            message = inbox.get(timeout=20)
            if message["input"]["ok"]:
                sdk.send_task_heartbeat(taskToken=message["token"])
                sdk.send_task_success(taskToken=message["token"], output='{"paid": true}')
            else:
                sdk.send_task_failure(taskToken=message["token"], error="Declined", cause="card")

    thread = threading.Thread(target=worker)
    thread.start()
    sf = endpoint_client(server.endpoint_url)
    machine = _machine(sf, build_callback_definition())
    good = sf.start_execution(stateMachineArn=machine, input='{"ok": true}')["executionArn"]
    bad = sf.start_execution(stateMachineArn=machine, input='{"ok": false}')["executionArn"]
    thread.join(30)
    assert server.client.wait_for_execution(good, timeout=10)["status"] == "SUCCEEDED"
    failed = server.client.wait_for_execution(bad, timeout=10)
    assert (failed["status"], failed["error"], failed["cause"]) == ("FAILED", "Declined", "card")


# --- errors: what the wire answers, never a 500 ------------------------------------------


def test_unknown_target_is_unknown_operation(server: stepfiber.Server) -> None:
    """An unknown X-Amz-Target, or none, gets 400 UnknownOperationException."""
    for target in ("AWSStepFunctions.MakeCoffee", "Nope", None):
        status, headers, body = raw_post(server.endpoint_url, target, b"{}")
        assert status == 400 and error_code(body) == "UnknownOperationException", (target, status, body)
        assert headers["content-type"] == "application/x-amz-json-1.0" and headers.get("x-amzn-requestid")


def test_body_not_json_is_a_serialization_exception(server: stepfiber.Server) -> None:
    """A body that is not JSON gets 400 SerializationException; a non-object body a 400 too."""
    for body in (b"{not json", b"\xff\xfe", b'{"maxResults": 1'):
        status, _, answer = raw_post(server.endpoint_url, "AWSStepFunctions.ListStateMachines", body)
        assert status == 400 and error_code(answer) == "SerializationException", (body, status, answer)
    status, _, answer = raw_post(server.endpoint_url, "AWSStepFunctions.ListStateMachines", b"[1, 2]")
    assert status == 400 and error_code(answer) in ("SerializationException", "ValidationException"), answer


def test_wrong_member_types_are_client_errors(server: stepfiber.Server) -> None:
    """Wrong JSON types get AWS's 400 answers (SerializationException or ValidationException)."""
    cases = [
        ("AWSStepFunctions.ListStateMachines", {"maxResults": "ten"}),
        ("AWSStepFunctions.DescribeExecution", {"executionArn": 42}),
        ("AWSStepFunctions.StartExecution", {"stateMachineArn": ["x"]}),
        ("AWSStepFunctions.GetExecutionHistory", {"executionArn": "arn:aws:states:us-east-1:123456789012:execution:a:b",
                                                  "reverseOrder": "yes"}),
    ]
    for target, request in cases:
        status, _, body = raw_post(server.endpoint_url, target, json.dumps(request).encode())
        assert status == 400, (target, request, status, body)
        assert error_code(body) in ("SerializationException", "ValidationException"), (target, body)
        assert ":" not in body["__type"]


def test_validation_exception_wording_through_boto3(sf: Any) -> None:
    """A constraint botocore does not check client-side: AWS's ValidationException text, status 400."""
    with pytest.raises(sf.exceptions.ValidationException) as caught:
        sf.send_task_failure(taskToken="x" * 8, error="e" * 300)
    error = caught.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Message"].startswith(
        "1 validation error detected: Value at 'error' failed to satisfy constraint")


def test_modelled_errors_through_boto3(sf: Any) -> None:
    """Modelled errors map to boto3's exception classes."""
    with pytest.raises(sf.exceptions.InvalidArn):
        sf.describe_state_machine(stateMachineArn="nope")
    with pytest.raises(sf.exceptions.InvalidToken):
        sf.send_task_success(taskToken="not-a-token", output="{}")
    with pytest.raises(sf.exceptions.StateMachineDoesNotExist):
        sf.start_execution(stateMachineArn="arn:aws:states:us-east-1:123456789012:stateMachine:missing")


def test_extension_targets_over_http(server: stepfiber.Server, sf: Any) -> None:
    """StepFiber.ListPendingTasks and StepFiber.AdvanceClock for SDK-only callers (curl)."""
    run = sf.start_execution(stateMachineArn=_machine(sf, build_callback_definition(timeout=30)))["executionArn"]
    status, _, body = raw_post(server.endpoint_url, "StepFiber.ListPendingTasks", json.dumps({"executionArn": run}).encode())
    assert status == 200 and len(body["tasks"]) == 1 and body["tasks"][0]["stateName"] == "Callback"
    status, _, body = raw_post(server.endpoint_url, "StepFiber.AdvanceClock", b'{"seconds": 31}')
    assert status == 200
    assert sf.describe_execution(executionArn=run)["status"] == "FAILED"


# --- the Server object ---------------------------------------------------------------------


def test_serve_owns_only_the_client_it_made() -> None:
    """close() stops the server; a client passed in stays open, one serve() made is closed."""
    with stepfiber.client() as mine:
        with stepfiber.serve(mine) as running:
            assert running.client is mine
        assert running.closed and not mine.closed
    made = stepfiber.serve()
    made.close()
    made.close()  # idempotent
    assert made.client.closed


def test_serve_rejects_bad_arguments() -> None:
    """Bad port, host or client: a clear error at once."""
    with pytest.raises(ValueError):
        stepfiber.serve(port=70000)
    with pytest.raises(ValueError):
        stepfiber.serve(port="80")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        stepfiber.serve(client="x")  # type: ignore[arg-type]
    with stepfiber.serve() as first:
        with pytest.raises(OSError):  # the port is taken
            stepfiber.serve(port=first.port)


# --- the command line ------------------------------------------------------------------------


def _start_cli(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str]:
    """Start ``python -m stepfiber serve --port 0 ...``; return it and its endpoint URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "stepfiber", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})},
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    hint = process.stdout.readline()
    if "http://" not in first:
        process.kill()
        raise AssertionError(f"no endpoint printed: {first!r} {process.stderr.read() if process.stderr else ''}")
    url = first.split(" on ", 1)[1].split()[0]
    assert f"AWS_ENDPOINT_URL_SFN={url}" in hint and "AWS_DISABLE_HOST_PREFIX_INJECTION=true" in hint
    return process, url


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_cli_serves_until_signalled(signum: int, tmp_path: Path) -> None:
    """The CLI prints the URL and a hint, serves boto3 and the --handlers file, stops on the signal."""
    handlers = tmp_path / "handlers.py"
    handlers.write_text(
        "def greet(payload):\n"
        "    return {'hello': payload['who']}\n"
        "client.register_task_handler('arn:aws:states:::lambda:invoke', greet)\n"
        "def register(c):\n"
        "    assert c is client\n"
        "    c.register_task_handler('arn:aws:states:::lambda:invoke:other', greet)\n"
    )
    process, url = _start_cli("--handlers", str(handlers), "--region", "eu-west-1", "--account", "210987654321")
    try:
        sf = endpoint_client(url, region="eu-west-1")
        definition = json.dumps({"StartAt": "L", "States": {"L": {
            "Type": "Task", "Resource": LAMBDA, "Parameters": {"who.$": "$.who"}, "End": True}}})
        arn = _machine(sf, definition)
        assert arn.startswith("arn:aws:states:eu-west-1:210987654321:stateMachine:")
        run = sf.start_execution(stateMachineArn=arn, input='{"who": "cli"}')["executionArn"]
        for _ in range(200):
            described = sf.describe_execution(executionArn=run)
            if described["status"] != "RUNNING":
                break
            time.sleep(0.05)
        assert json.loads(described["output"]) == {"hello": "cli"}
        process.send_signal(signum)
        out, err = process.communicate(timeout=20)
        assert process.returncode == 0, err
        assert "stopped" in out
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def test_cli_manual_clock(tmp_path: Path) -> None:
    """--clock manual: time moves only through StepFiber.AdvanceClock."""
    process, url = _start_cli("--clock", "manual")
    try:
        sf = endpoint_client(url)
        wait = json.dumps({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}})
        run = sf.start_execution(stateMachineArn=_machine(sf, wait))["executionArn"]
        assert sf.describe_execution(executionArn=run)["status"] == "RUNNING"
        status, _, _ = raw_post(url, "StepFiber.AdvanceClock", b'{"seconds": 3600}')
        assert status == 200
        assert sf.describe_execution(executionArn=run)["status"] == "SUCCEEDED"
    finally:
        process.terminate()
        process.communicate(timeout=20)


def test_cli_errors(tmp_path: Path) -> None:
    """A missing handlers file, a bad account, time scale or mock config, or an unknown option end the CLI with an error."""
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "stepfiber", "serve", "--port", "0", *args],
                              capture_output=True, text=True, timeout=60)

    missing = run("--handlers", str(tmp_path / "missing.py"))
    assert missing.returncode != 0 and "missing.py" in missing.stderr
    bad_account = run("--account", "12")
    assert bad_account.returncode == 2 and "account" in bad_account.stderr
    bad_scale = run("--time-scale", "0")
    assert bad_scale.returncode == 2 and "time_scale" in bad_scale.stderr
    bad_mocks = run("--mock-config", str(tmp_path / "missing.json"))
    assert bad_mocks.returncode == 2 and "missing.json" in bad_mocks.stderr
    assert run("--no-such-option").returncode == 2


def test_console_script_has_the_serve_subcommand() -> None:
    """``stepfiber serve --help`` (the console script) documents the options."""
    script = Path(sys.executable).with_name("stepfiber")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "stepfiber"]
    shown = subprocess.run([*command, "serve", "--help"], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0
    for option in ("--host", "--port", "--region", "--account", "--handlers", "--clock", "--time-scale", "--mock-config"):
        assert option in shown.stdout
