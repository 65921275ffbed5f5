"""JSONata-mode workflows end to end (QueryLanguage JSONata, sfn-semantics 2.10).

An approval flow on ``.waitForTaskToken`` with ``$states.context.Task.Token``, a
Catch on ``States.Timeout``, a Map with ``ItemSelector``, a Parallel ``Output``,
variables across states, and the ``States.QueryEvaluationError`` history.
"""

from __future__ import annotations

import json
from typing import Any

import stepfiber
from conftest import ROLE_ARN, history_types, status_of, unique_name

QUEUE = "https://sqs.us-east-1.amazonaws.com/111111111111/approvals"


def _machine(client: stepfiber.SFNClient, definition: dict[str, Any]) -> str:
    return client.create_state_machine(
        name=unique_name(), definition=json.dumps(definition), roleArn=ROLE_ARN
    )["stateMachineArn"]


def _start(client: stepfiber.SFNClient, arn: str, value: Any) -> str:
    return client.start_execution(stateMachineArn=arn, input=json.dumps(value))["executionArn"]


def _describe(client: stepfiber.SFNClient, arn: str) -> dict[str, Any]:
    return client.describe_execution(executionArn=arn)


def _events(client: stepfiber.SFNClient, arn: str) -> list[dict[str, Any]]:
    return client.get_execution_history(executionArn=arn, maxResults=1000)["events"]


APPROVAL = {
    "QueryLanguage": "JSONata",
    "StartAt": "Ask",
    "States": {
        "Ask": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Arguments": {
                "QueueUrl": QUEUE,
                "MessageBody": {
                    "token": "{% $states.context.Task.Token %}",
                    "order": "{% $states.input.order %}",
                    "amount": "{% $states.input.qty * $states.input.price %}",
                },
            },
            "TimeoutSeconds": "{% $states.input.wait %}",
            "Assign": {"order": "{% $states.input.order %}", "verdict": "{% $states.result.verdict %}"},
            "Output": "{% $merge([$states.input, {'verdict': $states.result.verdict}]) %}",
            "Catch": [
                {
                    "ErrorEquals": ["States.Timeout"],
                    "Assign": {"timedOutOrder": "{% $states.input.order %}"},
                    "Output": "{% {'timedOut': true, 'error': $states.errorOutput.Error} %}",
                    "Next": "Expired",
                }
            ],
            "Next": "Decide",
        },
        "Decide": {
            "Type": "Choice",
            "Choices": [
                {
                    "Condition": "{% $verdict = 'approve' %}",
                    "Output": "{% {'order': $order, 'status': 'approved'} %}",
                    "Next": "Approved",
                }
            ],
            "Default": "Rejected",
        },
        "Approved": {"Type": "Succeed"},
        "Rejected": {"Type": "Fail", "Error": "Rejected", "Cause": "{% 'order ' & $order & ' was rejected' %}"},
        "Expired": {"Type": "Pass", "Output": "{% $merge([$states.input, {'order': $timedOutOrder}]) %}", "End": True},
    },
}


def test_approval_with_task_token_from_states_context(client: stepfiber.SFNClient) -> None:
    arn = _start(client, _machine(client, APPROVAL), {"order": "o-1", "qty": 3, "price": 5, "wait": 60})
    tasks = client.list_pending_tasks(arn)
    assert len(tasks) == 1
    token = tasks[0]["taskToken"]
    scheduled = next(e for e in _events(client, arn) if e["type"] == "TaskScheduled")
    params = json.loads(scheduled["taskScheduledEventDetails"]["parameters"])
    assert params["MessageBody"] == {"token": token, "order": "o-1", "amount": 15}
    assert scheduled["taskScheduledEventDetails"]["timeoutInSeconds"] == 60
    client.send_task_success(taskToken=token, output=json.dumps({"verdict": "approve"}))
    out = _describe(client, arn)
    assert out["status"] == "SUCCEEDED"
    assert json.loads(out["output"]) == {"order": "o-1", "status": "approved"}
    exited = next(e for e in _events(client, arn) if e["type"] == "TaskStateExited")
    details = exited["stateExitedEventDetails"]
    assert details["assignedVariables"] == {"order": '"o-1"', "verdict": '"approve"'}
    assert details["assignedVariablesDetails"] == {"truncated": False}


def test_approval_rejected_fails_with_an_evaluated_cause(client: stepfiber.SFNClient) -> None:
    arn = _start(client, _machine(client, APPROVAL), {"order": "o-2", "qty": 1, "price": 1, "wait": 60})
    token = client.list_pending_tasks(arn)[0]["taskToken"]
    client.send_task_success(taskToken=token, output=json.dumps({"verdict": "no"}))
    out = _describe(client, arn)
    assert out["status"] == "FAILED"
    assert out["error"] == "Rejected"
    assert out["cause"] == "order o-2 was rejected"


def test_catch_on_states_timeout_with_error_output(client: stepfiber.SFNClient) -> None:
    arn = _start(client, _machine(client, APPROVAL), {"order": "o-3", "qty": 1, "price": 1, "wait": 10})
    client.advance_clock(10)
    out = _describe(client, arn)
    assert out["status"] == "SUCCEEDED", out
    assert json.loads(out["output"]) == {"timedOut": True, "error": "States.Timeout", "order": "o-3"}
    assert "TaskTimedOut" in history_types(client, arn)


def test_map_with_item_selector_and_parallel_output(client: stepfiber.SFNClient) -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "Items": "{% $states.input.numbers %}",
                "ItemSelector": {
                    "n": "{% $states.context.Map.Item.Value %}",
                    "i": "{% $states.context.Map.Item.Index %}",
                    "factor": "{% $states.input.factor %}",
                },
                "MaxConcurrency": "{% 1 + 1 %}",
                "ItemProcessor": {
                    "StartAt": "Times",
                    "States": {"Times": {"Type": "Pass", "Output": "{% $states.input.n * $states.input.factor + $states.input.i %}", "End": True}},
                },
                "Output": "{% {'products': $states.result} %}",
                "Next": "Both",
            },
            "Both": {
                "Type": "Parallel",
                "Arguments": "{% $states.input.products %}",
                "Branches": [
                    {"StartAt": "Sum", "States": {"Sum": {"Type": "Pass", "Output": "{% $sum($states.input) %}", "End": True}}},
                    {"StartAt": "Max", "States": {"Max": {"Type": "Pass", "Output": "{% $max($states.input) %}", "End": True}}},
                ],
                "Output": "{% {'sum': $states.result[0], 'max': $states.result[1]} %}",
                "End": True,
            },
        },
    }
    arn = _start(client, _machine(client, definition), {"numbers": [1, 2, 3], "factor": 10})
    out = _describe(client, arn)
    assert out["status"] == "SUCCEEDED", out
    assert json.loads(out["output"]) == {"sum": 63, "max": 32}


def test_variables_and_wait_seconds_expression(client: stepfiber.SFNClient) -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Set",
        "States": {
            "Set": {"Type": "Pass", "Assign": {"x": "{% $states.input.x %}", "lit": [1, "{% 2 %}"]}, "Next": "Pause"},
            "Pause": {"Type": "Wait", "Seconds": "{% $x %}", "Next": "Use"},
            "Use": {"Type": "Pass", "Output": {"x": "{% $x %}", "lit": "{% $lit %}", "text": "plain"}, "End": True},
        },
    }
    arn = _start(client, _machine(client, definition), {"x": 5})
    assert status_of(client, arn) == "RUNNING"
    client.advance_clock(5)
    out = _describe(client, arn)
    assert out["status"] == "SUCCEEDED", out
    assert json.loads(out["output"]) == {"x": 5, "lit": [1, 2], "text": "plain"}


def test_undefined_result_is_a_query_evaluation_error(client: stepfiber.SFNClient) -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Output": {"r": "{% $doesNotExist %}"}, "End": True}},
    }
    arn = _start(client, _machine(client, definition), {})
    out = _describe(client, arn)
    assert out["status"] == "FAILED"
    assert out["error"] == "States.QueryEvaluationError"
    assert out["cause"] == (
        "An error occurred while executing the state 'P' (entered at the event id #2). The JSONata expression "
        "'$doesNotExist' specified for the field 'Output/r' returned nothing (undefined)."
    )
    assert history_types(client, arn) == ["ExecutionStarted", "PassStateEntered", "EvaluationFailed", "ExecutionFailed"]
    failed = next(e for e in _events(client, arn) if e["type"] == "EvaluationFailed")
    assert failed["evaluationFailedEventDetails"]["location"] == "Output"


def test_jsonpath_state_in_jsonata_machine_is_rejected(client: stepfiber.SFNClient) -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": True}},
    }
    try:
        _machine(client, definition)
    except client.exceptions.InvalidDefinition as e:
        assert "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine" in str(e)
    else:
        raise AssertionError("accepted")


def test_expression_that_does_not_parse_is_rejected_at_create(client: stepfiber.SFNClient) -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Output": {"a": "{% $states.input.( %}"}, "End": True}},
    }
    try:
        _machine(client, definition)
    except client.exceptions.InvalidDefinition as e:
        assert "/States/P/Output/a" in str(e)
    else:
        raise AssertionError("accepted")
