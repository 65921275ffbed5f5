"""Batch extensions: start_executions, send_task_success_batch, send_task_failure_batch."""

from __future__ import annotations

import json

import pytest

import stepfiber

CALLBACK = {
    "StartAt": "Ask",
    "States": {
        "Ask": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"token.$": "$$.Task.Token", "n.$": "$.n"},
            "ResultPath": "$.r",
            "End": True,
        }
    },
}


@pytest.fixture()
def machine(client: stepfiber.SFNClient) -> str:
    return client.create_state_machine(
        name="batch", definition=json.dumps(CALLBACK), roleArn="arn:aws:iam::123456789012:role/r"
    )["stateMachineArn"]


def test_start_executions_starts_each_input_and_reports_bad_ones_by_index(
    client: stepfiber.SFNClient, machine: str
) -> None:
    inputs = [json.dumps({"n": i}) for i in range(50)]
    inputs[7] = "{not json"
    result = client.start_executions(stateMachineArn=machine, inputs=inputs)
    assert [f["index"] for f in result["failures"]] == [7]
    assert result["failures"][0]["code"] == "InvalidExecutionInput"
    assert len(result["executions"]) == 49
    pending = client.list_pending_tasks()
    assert sorted(t["parameters"]["n"] for t in pending) == [i for i in range(50) if i != 7]


def test_start_executions_with_names_is_idempotent_like_start_execution(
    client: stepfiber.SFNClient, machine: str
) -> None:
    first = client.start_executions(stateMachineArn=machine, inputs=['{"n":1}'], names=["same"])
    again = client.start_executions(stateMachineArn=machine, inputs=['{"n":1}', '{"n":2}'], names=["same", "same"])
    assert again["executions"][0]["executionArn"] == first["executions"][0]["executionArn"]
    assert again["failures"] == [{"index": 1, "code": "ExecutionAlreadyExists", "message": again["failures"][0]["message"]}]


def test_start_executions_rejects_bad_arguments(client: stepfiber.SFNClient, machine: str) -> None:
    with pytest.raises(stepfiber.ParamValidationError):
        client.start_executions(stateMachineArn=machine, inputs="{}")
    with pytest.raises(stepfiber.ParamValidationError):
        client.start_executions(stateMachineArn=machine, inputs=["{}"], names=["a", "b"])
    bad_arn = client.start_executions(stateMachineArn="nope", inputs=["{}"])
    assert bad_arn["failures"][0]["code"] == "InvalidArn"


def test_send_task_success_batch_completes_each_token_with_its_output(
    client: stepfiber.SFNClient, machine: str
) -> None:
    client.start_executions(stateMachineArn=machine, inputs=[json.dumps({"n": i}) for i in range(20)])
    pending = client.list_pending_tasks()
    tasks = [{"taskToken": t["taskToken"], "output": json.dumps({"echo": t["parameters"]["n"]})} for t in pending]
    tasks.append({"taskToken": "NoSuchTaskToken", "output": "{}"})
    tasks.append({"taskToken": pending[0]["taskToken"], "output": "{}"})  # already completed above
    result = client.send_task_success_batch(tasks=tasks)
    assert [(f["index"], f["code"]) for f in result["failures"]] == [(20, "InvalidToken"), (21, "TaskTimedOut")]
    for task in pending:
        d = client.describe_execution(executionArn=task["executionArn"])
        assert d["status"] == "SUCCEEDED"
        assert json.loads(d["output"])["r"] == {"echo": task["parameters"]["n"]}


def test_send_task_failure_batch_fails_each_execution(client: stepfiber.SFNClient, machine: str) -> None:
    client.start_executions(stateMachineArn=machine, inputs=['{"n":1}', '{"n":2}'])
    pending = client.list_pending_tasks()
    result = client.send_task_failure_batch(
        tasks=[{"taskToken": t["taskToken"], "error": "E", "cause": "c"} for t in pending]
    )
    assert result["failures"] == []
    for task in pending:
        d = client.describe_execution(executionArn=task["executionArn"])
        assert (d["status"], d["error"], d["cause"]) == ("FAILED", "E", "c")
