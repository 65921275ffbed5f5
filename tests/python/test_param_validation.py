"""Client-side parameter validation mirrors botocore's ParamValidationError."""

from __future__ import annotations

import json
from typing import Any, Callable

import pytest
from conftest import ROLE_ARN

import stepfiber

PASS_DEFINITION = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})


def validation_message(*lines: str) -> str:
    return "Parameter validation failed:\n" + "\n".join(lines)


def test_missing_required_parameter(client: stepfiber.SFNClient) -> None:
    with pytest.raises(stepfiber.ParamValidationError) as e:
        client.send_task_success(output="{}")
    assert str(e.value) == validation_message('Missing required parameter in input: "taskToken"')


def test_all_problems_are_reported_together(client: stepfiber.SFNClient) -> None:
    with pytest.raises(stepfiber.ParamValidationError) as e:
        client.create_state_machine(name="")
    assert str(e.value) == validation_message(
        'Missing required parameter in input: "definition"',
        'Missing required parameter in input: "roleArn"',
        "Invalid length for parameter name, value: 0, valid min length: 1",
    )


def test_invalid_type(client: stepfiber.SFNClient) -> None:
    output = {"not": "a string"}
    with pytest.raises(stepfiber.ParamValidationError) as e:
        client.send_task_success(taskToken="t", output=output)  # type: ignore[arg-type]
    assert str(e.value) == validation_message(
        f"Invalid type for parameter output, value: {output}, type: {type(output)}, valid types: {str}"
    )


def test_invalid_min_length(client: stepfiber.SFNClient) -> None:
    with pytest.raises(stepfiber.ParamValidationError) as e:
        client.send_task_heartbeat(taskToken="")
    assert str(e.value) == validation_message(
        "Invalid length for parameter taskToken, value: 0, valid min length: 1"
    )


def test_invalid_min_value(client: stepfiber.SFNClient) -> None:
    with pytest.raises(stepfiber.ParamValidationError) as e:
        client.list_state_machines(maxResults=-1)
    assert str(e.value) == validation_message(
        "Invalid value for parameter maxResults, value: -1, valid min value: 0"
    )


def test_unknown_parameter(client: stepfiber.SFNClient) -> None:
    with pytest.raises(stepfiber.ParamValidationError) as e:
        client.describe_execution(executionArn="arn", color="blue")
    assert str(e.value) == validation_message(
        'Unknown parameter in input: "color", must be one of: executionArn, includedData'
    )


def test_nested_members_are_validated(client: stepfiber.SFNClient) -> None:
    with pytest.raises(stepfiber.ParamValidationError) as e:
        client.create_state_machine(
            name="n", definition=PASS_DEFINITION, roleArn=ROLE_ARN, tags=[{"key": "", "value": 1}]
        )
    assert str(e.value) == validation_message(
        "Invalid length for parameter tags[0].key, value: 0, valid min length: 1",
        f"Invalid type for parameter tags[0].value, value: 1, type: {int}, valid types: {str}",
    )


def test_positional_arguments_are_rejected(client: stepfiber.SFNClient) -> None:
    with pytest.raises(TypeError):
        client.send_task_heartbeat("token")  # type: ignore[misc]


def test_max_length_is_not_checked_client_side(client: stepfiber.SFNClient) -> None:
    """botocore checks ``min`` only; a too-long name reaches the service."""
    with pytest.raises(stepfiber.ClientError) as e:
        client.create_state_machine(name="n" * 81, definition=PASS_DEFINITION, roleArn=ROLE_ARN)
    assert not isinstance(e.value, stepfiber.ParamValidationError)
    assert e.value.response["Error"]["Code"] in {"InvalidName", "ValidationException"}


def test_none_means_omitted_for_optional_parameters(client: stepfiber.SFNClient) -> None:
    arn = client.create_state_machine(name="opt", definition=PASS_DEFINITION, roleArn=ROLE_ARN, type=None)[
        "stateMachineArn"
    ]
    exec_arn = client.start_execution(stateMachineArn=arn, name=None, input=None)["executionArn"]
    assert client.describe_execution(executionArn=exec_arn)["status"] == "SUCCEEDED"


def test_param_validation_error_is_botocore_param_validation_error(client: stepfiber.SFNClient) -> None:
    botocore_exceptions = pytest.importorskip("botocore.exceptions")
    with pytest.raises(botocore_exceptions.ParamValidationError):
        client.send_task_heartbeat()
    assert client.exceptions.ParamValidationError is stepfiber.ParamValidationError


# --- parity with botocore's own validator, on the real service model ---------------------

PARITY_CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("send_task_success", "SendTaskSuccess", {}),
    ("send_task_success", "SendTaskSuccess", {"taskToken": "", "output": 5}),
    ("send_task_failure", "SendTaskFailure", {"taskToken": "t", "error": 1, "cause": ["c"]}),
    ("send_task_heartbeat", "SendTaskHeartbeat", {"taskToken": 7}),
    (
        "create_state_machine",
        "CreateStateMachine",
        {
            "name": "",
            "definition": "",
            "roleArn": "",
            "bogus": 1,
            "publish": "yes",
            "encryptionConfiguration": {"kmsDataKeyReusePeriodSeconds": 5},
        },
    ),
    (
        "create_state_machine",
        "CreateStateMachine",
        {
            "name": "n",
            "definition": "d",
            "roleArn": "r",
            "loggingConfiguration": {"destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": ""}}]},
        },
    ),
    ("start_execution", "StartExecution", {"stateMachineArn": "", "name": "", "input": 3}),
    ("describe_execution", "DescribeExecution", {"executionArn": "", "includedData": 1}),
    ("list_executions", "ListExecutions", {"maxResults": -5, "nextToken": ""}),
    (
        "get_execution_history",
        "GetExecutionHistory",
        {"executionArn": "a", "reverseOrder": "no", "maxResults": "10", "includeExecutionData": 1},
    ),
    ("stop_execution", "StopExecution", {"error": 5}),
    ("describe_state_machine", "DescribeStateMachine", {"stateMachineArn": None}),
    ("delete_state_machine", "DeleteStateMachine", {"stateMachineArn": ""}),
]


@pytest.mark.parametrize("method,operation,params", PARITY_CASES, ids=[c[0] for c in PARITY_CASES])
def test_messages_match_botocore_validator(
    client: stepfiber.SFNClient, method: str, operation: str, params: dict[str, Any]
) -> None:
    botocore_session = pytest.importorskip("botocore.session")
    botocore_validate = pytest.importorskip("botocore.validate")
    model = botocore_session.get_session().get_service_model("stepfunctions")
    with pytest.raises(Exception) as expected:
        botocore_validate.validate_parameters(params, model.operation_model(operation).input_shape)
    call: Callable[..., Any] = getattr(client, method)
    with pytest.raises(stepfiber.ParamValidationError) as actual:
        call(**params)
    # Same lines; botocore orders them as the caller's dict, we use the model's order.
    actual_lines, expected_lines = str(actual.value).splitlines(), str(expected.value).splitlines()
    assert actual_lines[0] == expected_lines[0] == "Parameter validation failed:"
    assert sorted(actual_lines[1:]) == sorted(expected_lines[1:])
