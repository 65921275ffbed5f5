"""JSON nested 1,000 levels deep (AWS's limit: Jackson's default maximum
nesting depth) through the Python client, Python task handlers and the HTTP
endpoint; one level more is refused with a message that names the depth."""

from __future__ import annotations

from typing import Any, Callable

import boto3
import botocore.config
import pytest
from conftest import CALLBACK_RESOURCE, wait_until

import stepfiber
from stepfiber import _core

MakeMachine = Callable[..., str]
LIMIT = 1000
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:deep"


def deep_text(levels: int) -> str:
    """``levels`` nested objects ``{"a":{"a":...1...}}`` as compact JSON text."""
    return '{"a":' * levels + "1" + "}" * levels


def depth_of(value: Any) -> int:
    depth = 0
    while isinstance(value, dict):
        value, depth = value["a"], depth + 1
    return depth


def test_the_limit_is_jacksons_default() -> None:
    assert _core.MAX_JSON_DEPTH == LIMIT


def test_handlers_receive_and_return_a_thousand_levels(client: stepfiber.SFNClient, make_machine: MakeMachine) -> None:
    seen: list[int] = []

    def handler(payload: Any) -> Any:
        seen.append(depth_of(payload))
        return payload  # returned as deep as it came

    client.register_task_handler(FUNCTION_ARN, handler)
    arn = make_machine({"StartAt": "W", "States": {"W": {"Type": "Task", "Resource": FUNCTION_ARN, "End": True}}})
    run = client.start_execution(stateMachineArn=arn, input=deep_text(LIMIT))["executionArn"]
    wait_until(lambda: client.describe_execution(executionArn=run)["status"] != "RUNNING")
    described = client.describe_execution(executionArn=run)
    assert described["status"] == "SUCCEEDED", described
    assert seen == [LIMIT]
    assert described["output"] == deep_text(LIMIT)


def test_callback_parameters_and_output_at_the_limit(client: stepfiber.SFNClient, make_machine: MakeMachine) -> None:
    arn = make_machine(
        {
            "StartAt": "Ask",
            "States": {
                "Ask": {
                    "Type": "Task",
                    "Resource": CALLBACK_RESOURCE,
                    "Parameters": {"t.$": "$$.Task.Token", "post.$": "$.a"},
                    "End": True,
                }
            },
        }
    )
    run = client.start_execution(stateMachineArn=arn, input=deep_text(LIMIT))["executionArn"]
    task = client.list_pending_tasks(executionArn=run)[0]
    assert depth_of(task["parameters"]["post"]) == LIMIT - 1  # parsed by the client
    with pytest.raises(client.exceptions.InvalidOutput, match=r"depth \(1001\).*\(1000"):
        client.send_task_success(taskToken=task["taskToken"], output=deep_text(LIMIT + 1))
    client.send_task_success(taskToken=task["taskToken"], output=deep_text(LIMIT))
    described = client.describe_execution(executionArn=run)
    assert described["status"] == "SUCCEEDED"
    assert described["output"] == deep_text(LIMIT)
    events = client.get_execution_history(executionArn=run)["events"]
    assert events[-1]["type"] == "ExecutionSucceeded"


def test_past_the_limit_each_operation_says_depth(client: stepfiber.SFNClient, make_machine: MakeMachine) -> None:
    too_deep = deep_text(LIMIT + 1)
    arn = make_machine({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    with pytest.raises(client.exceptions.InvalidExecutionInput, match="nesting depth"):
        client.start_execution(stateMachineArn=arn, input=too_deep)
    definition = '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true,"Result":' + deep_text(LIMIT - 3) + "}}}"
    assert client.validate_state_machine_definition(definition=definition)["result"] == "OK"
    make_machine(definition)
    deeper = definition.replace('"Result":', '"Result":{"x":', 1) + "}"
    with pytest.raises(client.exceptions.InvalidDefinition, match=r"depth \(1001\) exceeds the maximum allowed \(1000"):
        make_machine(deeper)
    report = client.validate_state_machine_definition(definition=deeper)
    assert report["result"] == "FAIL"
    assert "nesting depth" in report["diagnostics"][0]["message"]


def test_http_endpoint_carries_a_thousand_levels(client: stepfiber.SFNClient, make_machine: MakeMachine) -> None:
    arn = make_machine({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, type="EXPRESS")
    with stepfiber.serve(client=client) as server:
        sfn = boto3.client(
            "stepfunctions",
            endpoint_url=server.endpoint_url,
            region_name="us-east-1",
            aws_access_key_id="x",
            aws_secret_access_key="x",
            config=botocore.config.Config(inject_host_prefix=False),
        )
        out = sfn.start_sync_execution(stateMachineArn=arn, input=deep_text(LIMIT))
        assert out["status"] == "SUCCEEDED"
        assert out["output"] == deep_text(LIMIT)
        with pytest.raises(sfn.exceptions.InvalidExecutionInput) as info:
            sfn.start_execution(stateMachineArn=arn, input=deep_text(LIMIT + 1))
        assert "depth" in info.value.response["Error"]["Message"]
