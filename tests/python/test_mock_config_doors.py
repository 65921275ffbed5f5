"""MockConfigFile and time control through every door: the client, patch_boto3 (real boto3 in
process), ``stepfiber.serve`` and the ``serve`` CLI (real boto3 over HTTP), and the pytest marker.

Each door runs the AWS docs' Lambda + SQS example (HappyPath, RetryPath, HybridPath) and the
``{"Park": true}`` extension on a manual clock. Time moves only through the door's own means:
``advance_clock`` in process, the ``StepFiber.AdvanceClock`` target over HTTP.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

import stepfiber
from sdk_doors import endpoint_client, raw_post

ROLE = "arn:aws:iam::123456789012:role/service-role/LambdaSQSIntegration"
EXAMPLE_FILE = Path(__file__).parent / "data" / "lambda_sqs_integration.json"
EXAMPLE = json.loads(EXAMPLE_FILE.read_text())
CALLBACK = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
PARKED = {
    "StateMachines": {"Approval": {"TestCases": {"Later": {"Ask": "ParkIt"}}}},
    "MockedResponses": {"ParkIt": {"0": {"Park": True}}},
}
PARKED_DEFINITION = {"StartAt": "Ask", "States": {"Ask": {
    "Type": "Task", "Resource": CALLBACK, "TimeoutSeconds": 3 * 86400,
    "Parameters": {"QueueUrl": "q", "MessageBody": {"Token.$": "$$.Task.Token"}}, "End": True}}}
MERGED = {
    "StateMachines": {**EXAMPLE["mock_config"]["StateMachines"], **PARKED["StateMachines"]},
    "MockedResponses": {**EXAMPLE["mock_config"]["MockedResponses"], **PARKED["MockedResponses"]},
}


@dataclass
class Door:
    """One way in: a boto3-shaped client, how to move the clock, and the engine's client."""

    name: str
    api: Any  # what the user's code calls: stepfiber's client or a real boto3 client
    advance: Callable[[float], None]
    engine: stepfiber.SFNClient | None  # in-process engine (handlers), None for a separate process


def _http_advance(url: str) -> Callable[[float], None]:
    def advance(seconds: float) -> None:
        status, _, body = raw_post(url, "StepFiber.AdvanceClock", json.dumps({"seconds": seconds}).encode())
        assert status == 200, body
    return advance


@pytest.fixture(params=["client", "patch_boto3", "serve"])
def door(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Door]:
    """The three in-process doors over one engine with the merged MockConfigFile and a manual clock."""
    if request.param == "client":
        with stepfiber.client(manual_clock=True, mock_config=MERGED) as sfn:
            yield Door("client", sfn, sfn.advance_clock, sfn)
    elif request.param == "patch_boto3":
        monkeypatch.delenv("AWS_ENDPOINT_URL_SFN", raising=False)
        with stepfiber.patch_boto3(manual_clock=True, mock_config=MERGED) as sfn:
            api = boto3.session.Session().client("stepfunctions", region_name="us-east-1")
            yield Door("patch_boto3", api, sfn.advance_clock, sfn)
    else:
        with stepfiber.serve(manual_clock=True, mock_config=MERGED) as running:
            yield Door("serve", endpoint_client(running.endpoint_url), _http_advance(running.endpoint_url),
                       running.client)


def _machine(api: Any, name: str, definition: dict[str, Any]) -> str:
    return api.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]


def _run_to_end(door: Door, arn: str, rounds: int = 10) -> dict[str, Any]:
    """Start `arn`; advance the door's clock a minute at a time until the execution ends."""
    ex = door.api.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    for _ in range(rounds):
        if door.api.describe_execution(executionArn=ex)["status"] != "RUNNING":
            break
        door.advance(60)
    d = door.api.describe_execution(executionArn=ex)
    d["events"] = door.api.get_execution_history(executionArn=ex)["events"]
    return d


def test_docs_example_happy_and_retry_paths(door: Door) -> None:
    arn = _machine(door.api, "LambdaSQSIntegration", EXAMPLE["definition"])
    happy = _run_to_end(door, arn + "#HappyPath")
    assert happy["status"] == "SUCCEEDED", happy
    assert json.loads(happy["output"]) == EXAMPLE["mock_config"]["MockedResponses"]["MockedSQSSuccess"]["0"]["Return"]
    retry = _run_to_end(door, arn + "#RetryPath")
    assert retry["status"] == "SUCCEEDED", retry
    failures = [e["taskFailedEventDetails"]["error"] for e in retry["events"] if e["type"] == "TaskFailed"]
    assert failures == ["Lambda.ResourceNotReadyException", "Lambda.TimeoutException", "Lambda.TimeoutException"]


def test_docs_example_hybrid_path_runs_the_unmocked_state(door: Door) -> None:
    assert door.engine is not None
    sent: list[Any] = []
    door.engine.register_task_handler("arn:aws:states:::sqs:sendMessage",
                                      lambda payload: sent.append(payload) or {"MessageId": "real"})
    arn = _machine(door.api, "LambdaSQSIntegration", EXAMPLE["definition"])
    d = _run_to_end(door, arn + "#HybridPath")
    assert (d["status"], json.loads(d["output"])) == ("SUCCEEDED", {"MessageId": "real"})
    assert sent and sent[0]["MessageBody"]["Payload"]["body"] == "Hello from Lambda!"


def test_parked_mock_is_completed_by_the_test_after_two_days(door: Door) -> None:
    """{"Park": true}: the task waits on its real token while the test moves time by two days."""
    arn = _machine(door.api, "Approval", PARKED_DEFINITION)
    ex = door.api.start_execution(stateMachineArn=arn + "#Later", input="{}")["executionArn"]
    door.advance(2 * 86400)
    assert door.api.describe_execution(executionArn=ex)["status"] == "RUNNING"
    events = door.api.get_execution_history(executionArn=ex)["events"]
    assert [e["type"] for e in events] == ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted"]
    token = json.loads(events[2]["taskScheduledEventDetails"]["parameters"])["MessageBody"]["Token"]
    door.api.send_task_success(taskToken=token, output='{"approved": true}')
    door.advance(0)
    d = door.api.describe_execution(executionArn=ex)
    assert (d["status"], json.loads(d["output"])) == ("SUCCEEDED", {"approved": True})


def test_parked_mock_times_out_when_the_test_moves_past_its_timeout(door: Door) -> None:
    arn = _machine(door.api, "Approval", PARKED_DEFINITION)
    ex = door.api.start_execution(stateMachineArn=arn + "#Later", input="{}")["executionArn"]
    door.advance(3 * 86400 + 1)
    d = door.api.describe_execution(executionArn=ex)
    assert (d["status"], d.get("error")) == ("FAILED", "States.Timeout")


def test_unknown_test_case_is_a_client_error(door: Door) -> None:
    arn = _machine(door.api, "LambdaSQSIntegration", EXAMPLE["definition"])
    with pytest.raises(Exception) as raised:
        door.api.start_execution(stateMachineArn=arn + "#Nope")
    assert type(raised.value).__name__ == "ValidationException", raised.value
    assert "/StateMachines/LambdaSQSIntegration/TestCases/Nope" in str(raised.value)


@pytest.mark.stepfiber(manual_clock=True, mock_config=EXAMPLE["mock_config"])
def test_pytest_marker_takes_a_mock_config_and_a_manual_clock(stepfiber_boto3: Any,
                                                              stepfiber_client: stepfiber.SFNClient) -> None:
    door = Door("marker", stepfiber_boto3, stepfiber_client.advance_clock, stepfiber_client)
    arn = _machine(door.api, "LambdaSQSIntegration", EXAMPLE["definition"])
    d = _run_to_end(door, arn + "#RetryPath")
    assert d["status"] == "SUCCEEDED"
    assert sum(e["type"] == "TaskFailed" for e in d["events"]) == 3


def test_serve_cli_mock_config_and_manual_clock(tmp_path: Path) -> None:
    """``stepfiber serve --mock-config PATH --clock manual``: another process, real boto3, curl-style AdvanceClock."""
    config = tmp_path / "MockConfigFile.json"
    config.write_text(json.dumps(MERGED))
    process = subprocess.Popen(
        [sys.executable, "-m", "stepfiber", "serve", "--port", "0", "--clock", "manual", "--mock-config", str(config)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert " on http://" in first, first + (process.stderr.read() if process.stderr else "")
        url = first.split(" on ", 1)[1].split()[0]
        door = Door("cli", endpoint_client(url), _http_advance(url), None)
        arn = _machine(door.api, "LambdaSQSIntegration", EXAMPLE["definition"])
        d = _run_to_end(door, arn + "#RetryPath")
        assert d["status"] == "SUCCEEDED", d
        assert sum(e["type"] == "TaskFailed" for e in d["events"]) == 3
        parked = _machine(door.api, "Approval", PARKED_DEFINITION)
        ex = door.api.start_execution(stateMachineArn=parked + "#Later", input="{}")["executionArn"]
        door.advance(3 * 86400 + 1)
        assert door.api.describe_execution(executionArn=ex)["error"] == "States.Timeout"
    finally:
        process.terminate()
        process.communicate(timeout=30)  # reaps it and closes its pipes


def test_serve_time_scale_shortens_waits_over_http() -> None:
    """``serve(time_scale=...)`` (the CLI's ``--time-scale``): a one-hour Wait over real boto3 ends within a minute."""
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}}
    with stepfiber.serve(time_scale=1e-4) as running:
        api = endpoint_client(running.endpoint_url)
        ex = api.start_execution(stateMachineArn=_machine(api, "M", definition))["executionArn"]
        running.client.wait_for_execution(ex, timeout=60)
        d = api.describe_execution(executionArn=ex)
    assert d["status"] == "SUCCEEDED"
    assert (d["stopDate"] - d["startDate"]).total_seconds() >= 3600  # engine time moved the full hour
