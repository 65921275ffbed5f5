"""TestState through the Python client (``client.test_state``): data flow, statuses, AWS's errors."""

from __future__ import annotations

import json
from typing import Any

import pytest

import stepfiber

TASK = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f", "Payload.$": "$"},
        "End": True}


@pytest.fixture()
def sfn():
    client = stepfiber.client()
    yield client
    client.close()


def run(sfn: Any, definition: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    return sfn.test_state(definition=json.dumps(definition), **kwargs)


def error_of(sfn: Any, definition: Any, **kwargs: Any) -> tuple[str, str]:
    text = definition if isinstance(definition, str) else json.dumps(definition)
    with pytest.raises(stepfiber.ClientError) as info:
        sfn.test_state(definition=text, **kwargs)
    err = info.value.response["Error"]
    return err["Code"], err["Message"]


def test_pass_inspection_data_at_debug(sfn):
    out = run(sfn, {"Type": "Pass", "InputPath": "$.a", "Parameters": {"x.$": "$.b"}, "ResultPath": "$.r", "Next": "N"},
              input=json.dumps({"a": {"b": 1}}), inspectionLevel="DEBUG")
    assert out["status"] == "SUCCEEDED"
    assert out["nextState"] == "N"
    assert json.loads(out["output"]) == {"a": {"b": 1}, "r": {"x": 1}}
    data = {k: json.loads(v) for k, v in out["inspectionData"].items()}
    assert data == {"input": {"a": {"b": 1}}, "afterInputPath": {"b": 1}, "afterParameters": {"x": 1},
                    "afterResultSelector": {"x": 1}, "afterResultPath": {"a": {"b": 1}, "r": {"x": 1}}}


def test_info_level_has_no_inspection_data(sfn):
    out = run(sfn, {"Type": "Pass", "End": True}, input="{}")
    assert "inspectionData" not in out


def test_choice_names_next_state_and_fail_reports_error(sfn):
    choice = {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "One"}], "Default": "Other"}
    assert run(sfn, choice, input='{"n": 1}')["nextState"] == "One"
    assert run(sfn, choice, input='{"n": 2}')["nextState"] == "Other"
    out = run(sfn, {"Type": "Fail", "Error": "Oops", "Cause": "why"})
    assert (out["status"], out["error"], out["cause"]) == ("FAILED", "Oops", "why")


def test_mocked_task_result(sfn):
    out = run(sfn, {**TASK, "ResultSelector": {"p.$": "$.Payload"}}, input='{"k": 1}', inspectionLevel="TRACE",
              mock={"result": json.dumps({"Payload": 42})})
    assert out["status"] == "SUCCEEDED"
    assert json.loads(out["output"]) == {"p": 42}
    assert json.loads(out["inspectionData"]["afterParameters"]) == {"FunctionName": "f", "Payload": {"k": 1}}
    assert json.loads(out["inspectionData"]["result"]) == {"Payload": 42}


def test_wait_for_task_token_result_is_the_callback_output(sfn):
    task = {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"MessageBody": {"token.$": "$$.Task.Token"}}, "ResultPath": "$.cb", "End": True}
    out = run(sfn, task, input="{}", inspectionLevel="DEBUG", mock={"result": '"approved"'},
              context=json.dumps({"Task": {"Token": "t-1"}}))
    assert json.loads(out["inspectionData"]["afterParameters"]) == {"MessageBody": {"token": "t-1"}}
    assert json.loads(out["output"]) == {"cb": "approved"}


def test_error_output_retriable_caught_failed(sfn):
    task = {**TASK, "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 1, "MaxAttempts": 2, "BackoffRate": 2.0}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handle"}]}
    mock = {"errorOutput": {"error": "Flaky", "cause": "c"}}
    out = run(sfn, task, inspectionLevel="DEBUG", mock=mock, stateConfiguration={"retrierRetryCount": 1})
    assert out["status"] == "RETRIABLE"
    assert out["inspectionData"]["errorDetails"] == {"retryIndex": 0, "retryBackoffIntervalSeconds": 2}
    out = run(sfn, task, inspectionLevel="DEBUG", mock=mock, stateConfiguration={"retrierRetryCount": 2})
    assert (out["status"], out["nextState"]) == ("CAUGHT_ERROR", "Handle")
    assert out["inspectionData"]["errorDetails"] == {"catchIndex": 0}
    assert json.loads(out["output"]) == {"Error": "Flaky", "Cause": "c"}
    out = run(sfn, TASK, mock=mock)
    assert (out["status"], out["error"], out["cause"]) == ("FAILED", "Flaky", "c")


def test_parallel_and_map_mocks(sfn):
    par = {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
        {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}]}
    assert json.loads(run(sfn, par, mock={"result": "[1, 2]"})["output"]) == [1, 2]
    assert error_of(sfn, par, mock={"result": "{}"}) == ("ValidationException", "Mocked result must be an array.")
    assert error_of(sfn, par, mock={"result": "[1]"}) == (
        "ValidationException", "Mocked result must contain the same number of items as number of Parallel branches.")
    mapping = {"Type": "Map", "ItemsPath": "$.xs", "ItemSelector": {"v.$": "$$.Map.Item.Value"},
               "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, "End": True}
    out = run(sfn, mapping, input='{"xs": [1, 2]}', inspectionLevel="DEBUG", mock={"result": "[3, 4]"})
    assert json.loads(out["inspectionData"]["afterItemSelector"]) == [{"v": 1}, {"v": 2}]
    assert out["inspectionData"]["maxConcurrency"] == 0
    writer = {**mapping, "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "b", "Prefix": "p"}}}
    assert error_of(sfn, writer, mock={"result": "[]"}) == ("ValidationException", "Mocked result must be a JSON object.")


@pytest.mark.parametrize("kind", ["Pass", "Succeed", "Fail", "Choice", "Wait"])
def test_states_that_refuse_a_mock(sfn, kind):
    definition = {"Pass": {"Type": "Pass", "End": True}, "Succeed": {"Type": "Succeed"}, "Fail": {"Type": "Fail"},
                  "Choice": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsPresent": True, "Next": "X"}]},
                  "Wait": {"Type": "Wait", "Seconds": 1, "End": True}}[kind]
    assert error_of(sfn, definition, mock={"result": "{}"}) == (
        "ValidationException", f"State type '{kind}' is not supported when a mock is specified")


def test_map_and_parallel_need_a_mock(sfn):
    code, message = error_of(sfn, {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}]})
    assert code == "InvalidDefinition"
    assert message.startswith("TestState API does not support Map or Parallel states.")


def test_mock_rules(sfn):
    assert error_of(sfn, TASK, mock={"result": "{}", "errorOutput": {"error": "E"}}) == (
        "ValidationException", "A test mock should have only one of the following fields: [result, errorOutput].")
    assert error_of(sfn, TASK, mock={"result": "{nope"}) == ("ValidationException", "Mocked result must be valid JSON")
    assert error_of(sfn, TASK, mock={"result": "{}"}, revealSecrets=True) == (
        "ValidationException", "TestState does not support RevealSecrets when a mock is specified.")
    assert error_of(sfn, TASK) == ("ValidationException", "RoleArn must be specified when testing a Task state")
    code, message = error_of(sfn, TASK, roleArn="arn:aws:iam::123456789012:role/r")
    assert code == "ValidationException" and "mock" in message


def test_context_rules(sfn):
    assert error_of(sfn, TASK, mock={"result": "{}"}, context='{"Map": {}}')[1] == (
        "Invalid Context object provided: 'Map' field is not supported when mocking a Context object")
    assert error_of(sfn, TASK, mock={"result": "{}"}, context='{"Pokedex": {}}')[1] == (
        "Invalid Context object provided: Field 'Pokedex' is not allowed")
    assert error_of(sfn, TASK, mock={"result": "{}"}, context='{"Task": {"Token": "t"}}')[1].startswith(
        "Invalid Context object provided: Context object contains 'Task'")
    assert error_of(sfn, {"Type": "Pass", "End": True}, context="{}")[0] == "ValidationException"


def test_state_name_in_a_whole_machine(sfn):
    machine = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "r", "Next": "B"},
                                         "B": {"Type": "Succeed"}}}
    out = run(sfn, machine, stateName="A")
    assert (out["output"], out["nextState"]) == ('"r"', "B")
    assert error_of(sfn, machine, stateName="Nope") == ("ValidationException", "State not found in definition")
    with pytest.raises(stepfiber.ParamValidationError):
        run(sfn, machine, stateName="")


def test_invalid_definition_and_input(sfn):
    assert error_of(sfn, "{not json")[0] == "InvalidDefinition"
    code, message = error_of(sfn, {"StartAt": "A", "States": {"A": {"Type": "Bogus"}}}, stateName="A")
    assert code == "InvalidDefinition" and "/States/A/Type" in message
    assert error_of(sfn, {"Type": "Pass", "End": True}, input="{")[0] == "InvalidExecutionInput"


def test_variables_are_read_and_shown(sfn):
    out = run(sfn, {"Type": "Pass", "Parameters": {"v.$": "$x"}, "Assign": {"y.$": "$x"}, "End": True},
              variables='{"x": 5}', inspectionLevel="DEBUG")
    assert json.loads(out["output"]) == {"v": 5}
    assert json.loads(out["inspectionData"]["variables"]) == {"x": 5, "y": 5}


def test_jsonata_states_answer_clearly(sfn):
    code, message = error_of(sfn, {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% 1 %}", "End": True})
    assert code in ("InvalidDefinition", "ValidationException")
    assert "JSONata" in message
