"""TestState through the Python client (``client.test_state``): data flow, statuses, AWS's errors."""

from __future__ import annotations

import json
from typing import Any

import botocore.loaders
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
    # The exhausted retrier is named (without a back-off), then the catcher [verify].
    assert out["inspectionData"]["errorDetails"] == {"retryIndex": 0, "catchIndex": 0}
    assert json.loads(out["output"]) == {"Error": "Flaky", "Cause": "c"}
    out = run(sfn, TASK, mock=mock)
    assert (out["status"], out["error"], out["cause"]) == ("FAILED", "Flaky", "c")
    # As AWS records it: retries exhausted and nothing catches -> FAILED, errorDetails {retryIndex}.
    no_catch = {k: v for k, v in task.items() if k != "Catch"}
    out = run(sfn, no_catch, inspectionLevel="DEBUG", mock=mock, stateConfiguration={"retrierRetryCount": 5})
    assert (out["status"], out["inspectionData"]["errorDetails"]) == ("FAILED", {"retryIndex": 0})


def test_context_role_and_retry_count(sfn):
    show = {"Type": "Pass", "Parameters": {"ctx.$": "$$"}, "End": True}
    ctx = json.loads(run(sfn, show)["output"])["ctx"]
    assert ctx["Execution"]["RoleArn"] is None and "RetryCount" not in ctx["State"]
    role = "arn:aws:iam::123456789012:role/r"
    task = {**TASK, "Parameters": {"ctx.$": "$$"}, "ResultPath": None}
    out = run(sfn, task, roleArn=role, mock={"result": "{}"},
              inspectionLevel="DEBUG")
    ctx = json.loads(out["inspectionData"]["afterParameters"])["ctx"]
    assert (ctx["Execution"]["RoleArn"], ctx["State"]["RetryCount"]) == (role, 0)
    # In a whole machine too, the state runs under the lone state's name (as AWS recorded it).
    machine = {"StartAt": "A", "States": {"A": show}}
    assert json.loads(run(sfn, machine, stateName="A")["output"])["ctx"]["State"]["Name"] == "StateName"


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


@pytest.mark.parametrize(("context", "message"), [
    ('{"Execution": {"Id": 1}}', "Execution.Id must be a string"),  # recorded by AWS
    ('{"Execution": {"Name": ["n"]}}', "Execution.Name must be a string"),
    ('{"State": {"RetryCount": "0"}}', "State.RetryCount must be an integer"),
    ('{"State": {"RetryCount": 1.5}}', "State.RetryCount must be an integer"),
    ('{"StateMachine": 1}', "StateMachine must be an object"),
])
def test_context_field_types(sfn, context, message):
    assert error_of(sfn, TASK, mock={"result": "{}"}, context=context) == (
        "ValidationException", "Invalid Context object provided: " + message)


def test_context_values_of_the_right_type_pass(sfn):
    context = {"Execution": {"Id": "x", "Input": [1, {"a": None}], "Name": None, "RedriveCount": 2},
               "State": {"RetryCount": 3, "Name": "S"}, "StateMachine": None}
    out = run(sfn, {**TASK, "Parameters": {"ctx.$": "$$"}}, mock={"result": "{}"}, context=json.dumps(context))
    assert out["status"] == "SUCCEEDED"


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


# ---- mock.fieldValidationMode: the mock against the integration's result shape (botocore's) ----

SDK_S3 = {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
          "Parameters": {"Bucket": "b", "Key": "k"}, "End": True}
START = {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution",
         "Parameters": {"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:m"}, "End": True}
PREFIX = "Mock result schema validation error: "
#: Lambda's MemorySize maximum in the installed botocore (the shapes are generated from it).
MEMORY_MAX = botocore.loaders.Loader().load_service_model("lambda", "service-2")["shapes"]["MemorySize"]["max"]


@pytest.mark.parametrize("mode", [None, "STRICT", "PRESENT"])
@pytest.mark.parametrize(("definition", "result", "message"), [
    (TASK, {"StatusCode": "200"}, "Field 'StatusCode' must be a number"),
    (SDK_S3, {"ContentLength": "9000"}, "Field 'ContentLength' must be a number"),
    (SDK_S3, {"StorageClass": "Papyrus"}, "Field 'StorageClass' is not an expected value"),
    (SDK_S3, {"LastModified": 5}, "Field 'LastModified' must be a string"),
    (SDK_S3, {"DeleteMarker": "yes"}, "Field 'DeleteMarker' must be a boolean"),
    (SDK_S3, {"Metadata": []}, "Field 'Metadata' must be an object"),
    (SDK_S3, {"Metadata": {"k": 1}}, "Field 'Metadata' must be a string"),
    ({**TASK, "Resource": "arn:aws:states:::events:putEvents"}, {"Entries": "x"}, "Field 'Entries' must be an array"),
    ({**TASK, "Resource": "arn:aws:states:::events:putEvents"}, {"Entries": [{"EventId": "a"}, {"EventId": []}]},
     "Field 'EventId' must be a string"),
    ({**TASK, "Resource": "arn:aws:states:::events:putEvents"}, {"Entries": [1]}, "Field 'Entries' must be an object"),
    ({**TASK, "Resource": "arn:aws:states:::aws-sdk:lambda:getFunction"}, {"Configuration": {"MemorySize": 127}},
     "Field 'MemorySize' is less than the minimum value"),
    ({**TASK, "Resource": "arn:aws:states:::aws-sdk:lambda:getFunction"}, {"Configuration": {"MemorySize": MEMORY_MAX + 1}},
     "Field 'MemorySize' exceeds the maximum value"),
    ({**TASK, "Resource": "arn:aws:states:::aws-sdk:kms:encrypt"}, {"CiphertextBlob": ""},
     "Field 'CiphertextBlob' is smaller than the minimum length"),
    ({**TASK, "Resource": "arn:aws:states:::aws-sdk:kms:encrypt"}, {"KeyId": "k" * 2049},
     "Field 'KeyId' exceeds the maximum length"),
    ({**TASK, "Resource": "arn:aws:states:::dynamodb:putItem"}, {"ConsumedCapacity": {"CapacityUnits": "1.5"}},
     "Field 'CapacityUnits' must be a number"),
    (START, {"ExecutionArn": "a", "StartDate": 1764103483}, "Field 'StartDate' must be a string"),
    (TASK, [1, 2], "The mock result must be a JSON object"),
])
def test_mock_result_is_checked_against_the_api_shape(sfn, mode, definition, result, message):
    mock = {"result": json.dumps(result), **({"fieldValidationMode": mode} if mode else {})}
    assert error_of(sfn, definition, mock=mock) == ("ValidationException", PREFIX + message)
    out = run(sfn, definition, mock={**mock, "fieldValidationMode": "NONE"})
    assert (out["status"], json.loads(out["output"])) == ("SUCCEEDED", result)


def test_strict_mode_needs_the_required_fields_present_does_not(sfn):
    assert error_of(sfn, START, mock={"result": '{"ExecutionArn": "a"}'}) == (
        "ValidationException", PREFIX + "Required field 'StartDate' is missing")
    assert error_of(sfn, START, mock={"result": "{}", "fieldValidationMode": "STRICT"}) == (
        "ValidationException", PREFIX + "Required field 'ExecutionArn' is missing")
    out = run(sfn, START, mock={"result": "{}", "fieldValidationMode": "PRESENT"})
    assert out["status"] == "SUCCEEDED"


def test_shape_check_accepts_what_aws_accepts(sfn):
    # Fields the API does not know, lambda:invoke's Payload as any JSON, and null values pass.
    extra = {"random": "json", "SdkHttpMetadata": {"HttpStatusCode": 200}}
    assert run(sfn, {**TASK, "Resource": "arn:aws:states:::events:putEvents"}, mock={"result": json.dumps(extra)})[
        "status"] == "SUCCEEDED"
    for payload in ({"a": [1]}, [1, 2], "text", 3, None):
        assert run(sfn, TASK, mock={"result": json.dumps({"Payload": payload, "StatusCode": 200})})["status"] == "SUCCEEDED"
    assert run(sfn, START, mock={"result": '{"ExecutionArn": "a", "StartDate": "2026-01-01T00:00:00Z"}'})[
        "status"] == "SUCCEEDED"
    # Results that are not one API's response are not checked: callbacks, .sync jobs, Lambda ARNs, unknown actions.
    unchecked = ["arn:aws:states:::sqs:sendMessage.waitForTaskToken", "arn:aws:states:::states:startExecution.sync:2",
                 "arn:aws:lambda:us-east-1:123456789012:function:f", "arn:aws:states:::apigateway:invoke",
                 "arn:aws:states:::aws-sdk:ec2:describeInstances"]
    for resource in unchecked:
        out = run(sfn, {**TASK, "Resource": resource, "Parameters": {}}, mock={"result": '{"StatusCode": "x"}'})
        assert out["status"] == "SUCCEEDED", resource


def test_error_output_mocks_and_map_mocks_are_not_shape_checked(sfn):
    out = run(sfn, TASK, mock={"errorOutput": {"error": "E", "cause": "c"}})
    assert out["status"] == "FAILED"
    mapping = {"Type": "Map", "ItemProcessor": {"StartAt": "T", "States": {"T": {**TASK}}}, "End": True}
    assert run(sfn, mapping, input="[1]", mock={"result": '[{"StatusCode": "x"}]'})["status"] == "SUCCEEDED"


# ---- JSONata states ----

JA_TASK = {"Type": "Task", "QueryLanguage": "JSONata", "Resource": "arn:aws:states:::lambda:invoke",
           "Arguments": {"FunctionName": "f", "Payload": "{% $states.input.k %}"},
           "Output": {"p": "{% $states.result.Payload %}", "in": "{% $states.input.k %}"},
           "Assign": {"seen": "{% $states.result.Payload %}"}, "End": True}


def test_jsonata_task_arguments_result_output_assign(sfn):
    out = run(sfn, JA_TASK, input='{"k": 7}', inspectionLevel="DEBUG", mock={"result": '{"Payload": 42}'})
    assert out["status"] == "SUCCEEDED"
    assert json.loads(out["output"]) == {"p": 42, "in": 7}
    data = {k: json.loads(v) for k, v in out["inspectionData"].items()}
    assert data == {"input": {"k": 7}, "afterArguments": {"FunctionName": "f", "Payload": 7}, "result": {"Payload": 42},
                    "variables": {"seen": 42}}


def test_jsonata_machine_level_query_language_and_pass(sfn):
    machine = {"QueryLanguage": "JSONata", "StartAt": "A", "States": {
        "A": {"Type": "Pass", "Output": "{% $states.input.n * $m %}", "Next": "B"}, "B": {"Type": "Succeed"}}}
    out = run(sfn, machine, stateName="A", input='{"n": 3}', variables='{"m": 2}', inspectionLevel="TRACE")
    assert (json.loads(out["output"]), out["nextState"]) == (6, "B")
    assert {k: json.loads(v) for k, v in out["inspectionData"].items()} == {"input": {"n": 3}, "variables": {"m": 2}}
    out = run(sfn, machine, stateName="A", input='{"n": 3}', variables="{}", inspectionLevel="TRACE")
    assert "variables" not in out["inspectionData"]


def test_jsonata_choice_fail_and_wait(sfn):
    choice = {"Type": "Choice", "QueryLanguage": "JSONata", "Default": "No",
              "Choices": [{"Condition": "{% $states.input.ok %}", "Next": "Yes", "Output": {"r": "yes"}}]}
    out = run(sfn, choice, input='{"ok": true}')
    assert (out["nextState"], json.loads(out["output"])) == ("Yes", {"r": "yes"})
    out = run(sfn, choice, input='{"ok": false}')
    assert (out["nextState"], json.loads(out["output"])) == ("No", {"ok": False})
    out = run(sfn, choice, input='{"ok": 1}')
    assert (out["status"], out["error"]) == ("FAILED", "States.QueryEvaluationError")
    assert "Expected 'boolean'" in out["cause"]
    fail = {"Type": "Fail", "QueryLanguage": "JSONata", "Error": "{% 'E' & $states.input.n %}", "Cause": "c"}
    out = run(sfn, fail, input='{"n": 1}')
    assert (out["status"], out["error"], out["cause"]) == ("FAILED", "E1", "c")
    wait = {"Type": "Wait", "QueryLanguage": "JSONata", "Seconds": "{% $states.input.s %}", "End": True}
    assert run(sfn, wait, input='{"s": 5}')["status"] == "SUCCEEDED"
    out = run(sfn, wait, input='{"s": "x"}')
    assert (out["status"], out["error"]) == ("FAILED", "States.QueryEvaluationError")


def test_jsonata_catch_retry_and_evaluation_errors(sfn):
    task = {**JA_TASK, "Retry": [{"ErrorEquals": ["Flaky"], "MaxAttempts": 1}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "H",
                       "Output": {"e": "{% $states.errorOutput.Error %}"}, "Assign": {"caught": True}}]}
    out = run(sfn, task, input='{"k": 1}', inspectionLevel="DEBUG", mock={"errorOutput": {"error": "Flaky", "cause": "c"}})
    assert out["status"] == "RETRIABLE"
    out = run(sfn, task, input='{"k": 1}', inspectionLevel="DEBUG", mock={"errorOutput": {"error": "Boom", "cause": "c"}})
    assert (out["status"], out["nextState"], json.loads(out["output"])) == ("CAUGHT_ERROR", "H", {"e": "Boom"})
    assert json.loads(out["inspectionData"]["variables"]) == {"caught": True}
    assert out["inspectionData"]["errorDetails"] == {"catchIndex": 0}
    # As in an execution, an evaluation error fails the state past its Catch.
    bad = {**task, "Output": "{% $undefinedFn() %}"}
    out = run(sfn, bad, input='{"k": 1}', mock={"result": "{}"})
    assert (out["status"], out["error"]) == ("FAILED", "States.QueryEvaluationError")
    out = run(sfn, {**task, "Arguments": "{% $undefinedFn() %}"}, input='{"k": 1}', mock={"result": "{}"})
    assert (out["status"], out["error"]) == ("FAILED", "States.QueryEvaluationError")


def test_jsonata_parallel_and_map(sfn):
    par = {"Type": "Parallel", "QueryLanguage": "JSONata", "Arguments": "{% $states.input.p %}",
           "Output": {"r": "{% $states.result %}"}, "End": True,
           "Branches": [{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}]}
    out = run(sfn, par, input='{"p": 1}', inspectionLevel="DEBUG", mock={"result": '["x"]'})
    assert json.loads(out["output"]) == {"r": ["x"]}
    assert {k: json.loads(v) for k, v in out["inspectionData"].items()} == {"input": {"p": 1}}
    mapping = {"Type": "Map", "QueryLanguage": "JSONata", "Items": "{% $states.input.xs %}",
               "MaxConcurrency": 2, "ToleratedFailurePercentage": "{% 50 %}", "Output": "{% $sum($states.result) %}",
               "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, "End": True}
    out = run(sfn, mapping, input='{"xs": [1, 2]}', inspectionLevel="DEBUG", mock={"result": "[3, 4]"})
    assert json.loads(out["output"]) == 7
    assert out["inspectionData"]["maxConcurrency"] == 2
    assert out["inspectionData"]["toleratedFailurePercentage"] == 50
    out = run(sfn, mapping, input='{"xs": 5}', mock={"result": "[]"})
    assert (out["status"], out["error"]) == ("FAILED", "States.QueryEvaluationError")
    out = run(sfn, mapping, input='{"xs": [1, 2]}', mock={"result": "[3, 4]"},
              stateConfiguration={"mapIterationFailureCount": 2})
    assert (out["status"], out["error"]) == ("FAILED", "States.ExceedToleratedFailureThreshold")


def test_field_validation_mode_errors_through_boto3(sfn):
    import boto3

    with stepfiber.patch_boto3():
        client = boto3.client("stepfunctions", region_name="us-east-1")
        with pytest.raises(client.exceptions.ValidationException) as info:
            client.test_state(definition=json.dumps(START), mock={"result": '{"ExecutionArn": 1, "StartDate": "d"}'})
        assert info.value.response["Error"]["Message"] == PREFIX + "Field 'ExecutionArn' must be a string"
        with pytest.raises(client.exceptions.ValidationException) as info:
            client.test_state(definition=json.dumps(START), mock={"result": "{}", "fieldValidationMode": "LOOSE"})
        assert "fieldValidationMode" in info.value.response["Error"]["Message"]
        out = client.test_state(definition=json.dumps({**JA_TASK, "Assign": {}}), input='{"k": 2}',
                                mock={"result": '{"Payload": 5}'})
        assert json.loads(out["output"]) == {"p": 5, "in": 2}
