"""Parity: every Step Functions operation answers the same through all three doors.

One scripted scenario covers all 37 operations of botocore's ``stepfunctions`` model
(plus error calls). It runs three times, each on a fresh manual-clock engine:

* ``python``: the in-process client, ``stepfiber.client()``;
* ``patch_boto3``: real boto3 routed in-process;
* ``endpoint``: real boto3 over HTTP against ``stepfiber.serve`` (``inject_host_prefix=False``).

Answers are compared after normalising what legitimately differs (request ids, UUIDs in
ARNs, dates, task tokens). An operation that answers an error today (e.g. "not supported
yet") must answer the same error code and message through every door.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore
import botocore.session
import pytest
from botocore.exceptions import ClientError

import stepfiber
from conftest import ROLE_ARN, START_TIME, build_callback_definition
from sdk_doors import endpoint_client, normalise

ACCOUNT = "123456789012"
PASS = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
PASS2 = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"v": 2}, "End": True}}})
FAIL = json.dumps({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Boom", "Cause": "always"}}})
DISTRIBUTED = json.dumps({"StartAt": "M", "States": {"M": {
    "Type": "Map",
    "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                      "StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}},
    "End": True}}})
SM = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:"
FAKE_MAP_RUN = f"arn:aws:states:us-east-1:{ACCOUNT}:mapRun:parity-map/0123:4567"


@dataclass
class Run:
    """One door's pass through the scenario."""

    call: Callable[[str, dict[str, Any]], Any]  # (snake_case operation, params) -> response; raises ClientError
    saved: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    records: list[tuple[str, Any]] = field(default_factory=list)

    def token(self, value: str) -> str:
        """Remember a task token (normalised as ``<token:N>``); return it."""
        self.tokens.setdefault(value, f"<token:{len(self.tokens) + 1}>")
        return value


def _scheduled_token(history: dict[str, Any]) -> str | None:
    """The token in the last TaskScheduled event's parameters."""
    for event in reversed(history["events"]):
        if event["type"] == "TaskScheduled":
            return json.loads(event["taskScheduledEventDetails"]["parameters"]).get("token")
    return None


def _first(items: list[dict[str, Any]], key: str, default: str) -> str:
    return items[0][key] if items else default


# (label, operation, params from what was saved, what to save from the answer)
Step = tuple[str, str, Callable[[dict[str, Any]], dict[str, Any]], Callable[[Run, dict[str, Any]], None] | None]


def _save(name: str, key: str) -> Callable[[Run, dict[str, Any]], None]:
    def save(run: Run, answer: dict[str, Any]) -> None:
        if key in answer:
            run.saved[name] = answer[key]
    return save


def _save_token(name: str, key: str | None = None) -> Callable[[Run, dict[str, Any]], None]:
    def save(run: Run, answer: dict[str, Any]) -> None:
        token = answer.get(key) if key else _scheduled_token(answer)
        if token:
            run.saved[name] = run.token(token)
    return save


def _save_map_run(run: Run, answer: dict[str, Any]) -> None:
    run.saved["map_run"] = _first(answer.get("mapRuns", []), "mapRunArn", FAKE_MAP_RUN)


S = dict  # shorthand for params


SCENARIO: list[Step] = [
    ("validate ok", "ValidateStateMachineDefinition", lambda s: S(definition=PASS), None),
    ("validate bad", "ValidateStateMachineDefinition", lambda s: S(definition='{"StartAt": "X", "States": {}}'), None),
    ("create", "CreateStateMachine", lambda s: S(name="parity", definition=PASS, roleArn=ROLE_ARN, publish=True,
                                                 versionDescription="first"), _save("v1", "stateMachineVersionArn")),
    ("create again (idempotent)", "CreateStateMachine", lambda s: S(name="parity", definition=PASS, roleArn=ROLE_ARN), None),
    ("create bad name", "CreateStateMachine", lambda s: S(name="bad name!", definition=PASS, roleArn=ROLE_ARN), None),
    ("describe", "DescribeStateMachine", lambda s: S(stateMachineArn=SM + "parity"), None),
    ("describe missing", "DescribeStateMachine", lambda s: S(stateMachineArn=SM + "missing"), None),
    ("update+publish", "UpdateStateMachine", lambda s: S(stateMachineArn=SM + "parity", definition=PASS2, publish=True,
                                                        versionDescription="second"), _save("v2", "stateMachineVersionArn")),
    ("publish", "PublishStateMachineVersion", lambda s: S(stateMachineArn=SM + "parity", description="again"), None),
    ("versions", "ListStateMachineVersions", lambda s: S(stateMachineArn=SM + "parity"), None),
    ("alias", "CreateStateMachineAlias", lambda s: S(name="live", routingConfiguration=[
        {"stateMachineVersionArn": s.get("v1", SM + "parity:1"), "weight": 100}]), _save("alias", "stateMachineAliasArn")),
    ("describe alias", "DescribeStateMachineAlias", lambda s: S(stateMachineAliasArn=s.get("alias", SM + "parity:live")), None),
    ("update alias", "UpdateStateMachineAlias", lambda s: S(stateMachineAliasArn=s.get("alias", SM + "parity:live"),
                                                            description="now live"), None),
    ("aliases", "ListStateMachineAliases", lambda s: S(stateMachineArn=SM + "parity"), None),
    ("machines", "ListStateMachines", lambda s: S(), None),
    ("start", "StartExecution", lambda s: S(stateMachineArn=SM + "parity", name="run-1", input='{"a": 1}'),
     _save("run1", "executionArn")),
    ("start via alias", "StartExecution", lambda s: S(stateMachineArn=s.get("alias", SM + "parity:live"), name="run-2"), None),
    ("start bad input", "StartExecution", lambda s: S(stateMachineArn=SM + "parity", input="{nope"), None),
    ("describe execution", "DescribeExecution", lambda s: S(executionArn=s["run1"]), None),
    ("describe machine for execution", "DescribeStateMachineForExecution", lambda s: S(executionArn=s["run1"]), None),
    ("executions", "ListExecutions", lambda s: S(stateMachineArn=SM + "parity"), None),
    ("history", "GetExecutionHistory", lambda s: S(executionArn=s["run1"], reverseOrder=True), None),
    ("callback machine", "CreateStateMachine", lambda s: S(name="cb", definition=build_callback_definition(heartbeat=60),
                                                           roleArn=ROLE_ARN), None),
    ("callback start", "StartExecution", lambda s: S(stateMachineArn=SM + "cb", name="cb-1", input='{"n": 1}'),
     _save("cb1", "executionArn")),
    ("callback token", "GetExecutionHistory", lambda s: S(executionArn=s["cb1"]), _save_token("t1")),
    ("heartbeat", "SendTaskHeartbeat", lambda s: S(taskToken=s.get("t1", "x")), None),
    ("success", "SendTaskSuccess", lambda s: S(taskToken=s.get("t1", "x"), output='{"ok": true}'), None),
    ("success again", "SendTaskSuccess", lambda s: S(taskToken=s.get("t1", "x"), output="{}"), None),
    ("success bad token", "SendTaskSuccess", lambda s: S(taskToken="not-a-token", output="{}"), None),
    ("callback start 2", "StartExecution", lambda s: S(stateMachineArn=SM + "cb", name="cb-2"), _save("cb2", "executionArn")),
    ("callback token 2", "GetExecutionHistory", lambda s: S(executionArn=s["cb2"]), _save_token("t2")),
    ("failure", "SendTaskFailure", lambda s: S(taskToken=s.get("t2", "x"), error="Nope", cause="declined"), None),
    ("failure too long", "SendTaskFailure", lambda s: S(taskToken=s.get("t2", "x"), error="e" * 300), None),
    ("described failed", "DescribeExecution", lambda s: S(executionArn=s["cb2"]), None),
    ("redrive", "RedriveExecution", lambda s: S(executionArn=s["cb2"]), None),
    ("redriven", "DescribeExecution", lambda s: S(executionArn=s["cb2"]), None),
    ("callback start 3", "StartExecution", lambda s: S(stateMachineArn=SM + "cb", name="cb-3"), _save("cb3", "executionArn")),
    ("stop", "StopExecution", lambda s: S(executionArn=s["cb3"], error="Halt", cause="test"), None),
    ("stop again", "StopExecution", lambda s: S(executionArn=s["cb3"]), None),
    ("running filter", "ListExecutions", lambda s: S(stateMachineArn=SM + "cb", statusFilter="RUNNING"), None),
    ("activity", "CreateActivity", lambda s: S(name="parity-activity"), _save("activity", "activityArn")),
    ("describe activity", "DescribeActivity", lambda s: S(activityArn=s.get("activity", "x")), None),
    ("activities", "ListActivities", lambda s: S(), None),
    ("activity machine", "CreateStateMachine", lambda s: S(name="act", roleArn=ROLE_ARN, definition=json.dumps(
        {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": s.get("activity", "x"), "End": True}}})), None),
    ("activity start", "StartExecution", lambda s: S(stateMachineArn=SM + "act", name="act-1", input='{"job": 3}'), None),
    ("activity task", "GetActivityTask", lambda s: S(activityArn=s.get("activity", "x"), workerName="w1"),
     _save_token("t3", "taskToken")),
    ("activity done", "SendTaskSuccess", lambda s: S(taskToken=s.get("t3", "x"), output='{"done": 3}'), None),
    ("delete activity", "DeleteActivity", lambda s: S(activityArn=s.get("activity", "x")), None),
    ("describe deleted activity", "DescribeActivity", lambda s: S(activityArn=s.get("activity", "x")), None),
    ("express", "CreateStateMachine", lambda s: S(name="fast", definition=PASS2, roleArn=ROLE_ARN, type="EXPRESS"), None),
    ("sync", "StartSyncExecution", lambda s: S(stateMachineArn=SM + "fast", name="sync-1", input='{"s": 1}'), None),
    ("sync on standard", "StartSyncExecution", lambda s: S(stateMachineArn=SM + "parity"), None),
    ("fail machine", "CreateStateMachine", lambda s: S(name="failing", definition=FAIL, roleArn=ROLE_ARN), None),
    ("fail start", "StartExecution", lambda s: S(stateMachineArn=SM + "failing", name="f-1"), None),
    ("distributed", "CreateStateMachine", lambda s: S(name="dmap", definition=DISTRIBUTED, roleArn=ROLE_ARN), None),
    ("distributed start", "StartExecution", lambda s: S(stateMachineArn=SM + "dmap", name="d-1", input="[1, 2, 3]"),
     _save("dmap", "executionArn")),
    ("map runs", "ListMapRuns", lambda s: S(executionArn=s.get("dmap", s["run1"])), _save_map_run),
    ("describe map run", "DescribeMapRun", lambda s: S(mapRunArn=s.get("map_run", FAKE_MAP_RUN)), None),
    ("update map run", "UpdateMapRun", lambda s: S(mapRunArn=s.get("map_run", FAKE_MAP_RUN), maxConcurrency=2), None),
    ("tag", "TagResource", lambda s: S(resourceArn=SM + "parity", tags=[{"key": "team", "value": "a"},
                                                                       {"key": "env", "value": "dev"}]), None),
    ("tags", "ListTagsForResource", lambda s: S(resourceArn=SM + "parity"), None),
    ("untag", "UntagResource", lambda s: S(resourceArn=SM + "parity", tagKeys=["env"]), None),
    ("tags after", "ListTagsForResource", lambda s: S(resourceArn=SM + "parity"), None),
    ("test state", "TestState", lambda s: S(definition=json.dumps({"Type": "Pass", "End": True}), roleArn=ROLE_ARN,
                                            input='{"t": 1}'), None),
    ("delete alias", "DeleteStateMachineAlias", lambda s: S(stateMachineAliasArn=s.get("alias", SM + "parity:live")), None),
    ("delete version", "DeleteStateMachineVersion", lambda s: S(stateMachineVersionArn=s.get("v2", SM + "parity:2")), None),
    ("delete", "DeleteStateMachine", lambda s: S(stateMachineArn=SM + "parity"), None),
    ("describe deleted", "DescribeStateMachine", lambda s: S(stateMachineArn=SM + "parity"), None),
    ("delete invalid", "DeleteStateMachine", lambda s: S(stateMachineArn="nope"), None),
]


def play(run: Run) -> list[tuple[str, Any]]:
    """Run the scenario through one door; one (label, normalised answer or error) per step."""
    for label, operation, params, save in SCENARIO:
        try:
            answer = run.call(botocore.xform_name(operation), params(run.saved))
        except ClientError as exc:
            error = exc.response["Error"]
            run.records.append((label, {"error": error.get("Code"), "message": error.get("Message")}))
            continue
        if save is not None:
            save(run, answer)
        run.records.append((label, answer))
    return [(label, normalise(answer, run.tokens)) for label, answer in run.records]


def _engine() -> stepfiber.SFNClient:
    return stepfiber.client(manual_clock=True, start_time=START_TIME, account_id=ACCOUNT)


@contextmanager
def python_door() -> Iterator[Run]:
    """The in-process client."""
    with _engine() as sfn:
        yield Run(lambda op, params: getattr(sfn, op)(**params))


@contextmanager
def patch_door() -> Iterator[Run]:
    """boto3 routed in-process."""
    with _engine() as sfn, stepfiber.patch_boto3(sfn):
        client = boto3.session.Session().client("stepfunctions", region_name="us-east-1",
                                                aws_access_key_id="testing", aws_secret_access_key="testing")
        yield Run(lambda op, params: getattr(client, op)(**params))


@contextmanager
def endpoint_door() -> Iterator[Run]:
    """boto3 over HTTP."""
    with _engine() as sfn, stepfiber.serve(sfn) as server:
        client = endpoint_client(server.endpoint_url)
        yield Run(lambda op, params: getattr(client, op)(**params))
        client.close()


DOORS = {"python": python_door, "patch_boto3": patch_door, "endpoint": endpoint_door}


def test_scenario_covers_every_model_operation() -> None:
    """The scenario calls each of the installed botocore model's operations at least once."""
    model = botocore.session.get_session().get_service_model("stepfunctions")
    covered = {operation for _, operation, _, _ in SCENARIO}
    assert covered == set(model.operation_names), set(model.operation_names) ^ covered
    assert len(covered) == 37


@pytest.fixture(scope="module")
def answers() -> dict[str, list[tuple[str, Any]]]:
    """The scenario's normalised answers through each door (the endpoint needs the HTTP server)."""
    out: dict[str, list[tuple[str, Any]]] = {}
    for name, door in DOORS.items():
        if name == "endpoint" and not hasattr(stepfiber._core, "HttpServer"):
            continue
        with door() as run:
            out[name] = play(run)
    return out


@pytest.mark.parametrize("door", ["patch_boto3", "endpoint"])
def test_door_answers_like_the_python_client(answers: dict[str, list[tuple[str, Any]]], door: str) -> None:
    """Step by step, the door's answer (or error code and message) equals the Python client's."""
    if door not in answers:
        pytest.skip("this build has no HTTP server (_core.HttpServer)")
    expected, got = answers["python"], answers[door]
    assert [label for label, _ in got] == [label for label, _ in expected]
    for (label, want), (_, have) in zip(expected, got):
        assert have == want, f"{door} differs at step {label!r}:\n python: {want}\n {door}: {have}"


def test_scenario_exercises_success_and_error_paths(answers: dict[str, list[tuple[str, Any]]]) -> None:
    """Sanity: the scenario really ran (executions completed, errors where AWS gives them)."""
    steps = dict(answers["python"])
    assert steps["describe missing"]["error"] == "StateMachineDoesNotExist"
    assert steps["start bad input"]["error"] == "InvalidExecutionInput"
    assert steps["success again"]["error"] == "TaskTimedOut"
    assert steps["success bad token"]["error"] == "InvalidToken"
    assert steps["failure too long"]["error"] == "ValidationException"
    assert steps["describe execution"]["status"] == "SUCCEEDED"
    assert steps["described failed"]["status"] == "FAILED"
    assert steps["sync"]["status"] == "SUCCEEDED"
    assert steps["activity task"]["taskToken"].startswith("<token:")
    assert steps["tags"]["tags"] == [{"key": "team", "value": "a"}, {"key": "env", "value": "dev"}]
    assert steps["test state"].get("error") != "UnknownOperationException"
