"""ValidateStateMachineDefinition and UpdateStateMachine through the boto3-shaped client.

The aggregate test measures agreement with the labelled validation corpora and fails only when
a headline figure drops below ``conformance/validation_floor.json`` (raise it with
``python tests/python/conformance/validation_report.py --write-floor``).
"""

from __future__ import annotations

import json

import pytest

import stepfiber
from conftest import ROLE_ARN, unique_name
from conformance.corpus import missing_corpus
from conformance.validation import (
    contested_cases,
    floor_violations,
    format_report,
    load_floor,
    run_all,
    validation_dir,
)

PASS = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})


def test_validation_agreement_floor(capsys: pytest.CaptureFixture[str]) -> None:
    """Agreement with the labelled corpora stays at or above the committed floor."""
    results = run_all()
    if not results:
        missing_corpus("validation corpora not found")
    directory = validation_dir()
    with capsys.disabled():
        print("\n\nDefinition validation agreement\n" + format_report(results, contested=contested_cases(directory) if directory else []))
    problems = floor_violations(results, load_floor())
    assert not problems, "validation agreement fell below its floor:\n" + "\n".join(problems)


# --- validate_state_machine_definition -------------------------------------------------


def test_valid_definition_is_ok(client: stepfiber.SFNClient) -> None:
    resp = client.validate_state_machine_definition(definition=PASS)
    assert resp["result"] == "OK"
    assert resp["diagnostics"] == []
    assert resp["truncated"] is False
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_recorded_aws_answers(client: stepfiber.SFNClient) -> None:
    """The three 'not a definition' answers recorded on AWS."""
    assert client.validate_state_machine_definition(definition="{}")["diagnostics"] == [
        {
            "severity": "ERROR",
            "code": "SCHEMA_VALIDATION_FAILED",
            "message": "These fields are required: [States, StartAt]",
            "location": "/",
        }
    ]
    blank = client.validate_state_machine_definition(definition=" ")
    assert blank["result"] == "FAIL"
    assert blank["diagnostics"] == [
        {"severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED", "message": "Definition must be a valid JSON object"}
    ]
    text = client.validate_state_machine_definition(definition="not a definition")["diagnostics"][0]
    assert text["code"] == "INVALID_JSON_DESCRIPTION"
    assert text["location"] == '[Source: (String)"not a definition"; line: 1, column: 4]'


def test_express_restrictions_depend_on_type(client: stepfiber.SFNClient) -> None:
    definition = json.dumps(
        {
            "StartAt": "S",
            "States": {"S": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "End": True}},
        }
    )
    assert client.validate_state_machine_definition(definition=definition)["result"] == "OK"
    express = client.validate_state_machine_definition(definition=definition, type="EXPRESS")
    assert express["result"] == "FAIL"
    assert express["diagnostics"][0]["location"] == "/States/S/Resource"


def test_jsonata_definition_validates_and_creates(client: stepfiber.SFNClient) -> None:
    definition = json.dumps(
        {
            "QueryLanguage": "JSONata",
            "StartAt": "P",
            "States": {"P": {"Type": "Pass", "Output": "{% $states.input.a %}", "End": True}},
        }
    )
    assert client.validate_state_machine_definition(definition=definition)["result"] == "OK"
    arn = client.create_state_machine(name=unique_name(), definition=definition, roleArn=ROLE_ARN)["stateMachineArn"]
    run = client.start_execution(stateMachineArn=arn, input=json.dumps({"a": 7}))["executionArn"]
    assert client.describe_execution(executionArn=run)["output"] == "7"


def test_severity_warning_and_max_results(client: stepfiber.SFNClient) -> None:
    looks_like_path = json.dumps(
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"x": "$.a"}, "End": True}}}
    )
    assert client.validate_state_machine_definition(definition=looks_like_path)["diagnostics"] == []
    warned = client.validate_state_machine_definition(definition=looks_like_path, severity="WARNING")
    assert warned["result"] == "OK"
    assert [d["code"] for d in warned["diagnostics"]] == ["NO_DOLLAR"]
    many = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "A": 1, "B": 2, "C": 3, "End": True}}})
    cut = client.validate_state_machine_definition(definition=many, maxResults=2)
    assert len(cut["diagnostics"]) == 2 and cut["truncated"] is True
    assert client.validate_state_machine_definition(definition=many, maxResults=0)["truncated"] is False


def test_validate_parameter_errors(client: stepfiber.SFNClient) -> None:
    with pytest.raises(stepfiber.ParamValidationError):
        client.validate_state_machine_definition()
    with pytest.raises(stepfiber.ParamValidationError):
        client.validate_state_machine_definition(definition="")
    with pytest.raises(stepfiber.ParamValidationError):
        client.validate_state_machine_definition(definition=PASS, maxResults="3")
    with pytest.raises(client.exceptions.ValidationException, match="enum value set: \\[STANDARD, EXPRESS\\]"):
        client.validate_state_machine_definition(definition=PASS, type="FAST")
    with pytest.raises(client.exceptions.ValidationException, match="severity"):
        client.validate_state_machine_definition(definition=PASS, severity="INFO")
    with pytest.raises(client.exceptions.ValidationException, match="maxResults"):
        client.validate_state_machine_definition(definition=PASS, maxResults=101)


def test_create_raises_aws_invalid_definition_message(client: stepfiber.SFNClient) -> None:
    definition = json.dumps({"StartAt": "W", "States": {"W": {"Type": "Wait", "Timestamp": "2016-13-05T21:29:29Z", "End": True}}})
    with pytest.raises(client.exceptions.InvalidDefinition) as info:
        client.create_state_machine(name=unique_name(), definition=definition, roleArn=ROLE_ARN)
    assert info.value.response["Error"]["Message"] == (
        "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: String does not match RFC3339 timestamp "
        "at /States/W/Timestamp'"
    )


# --- update_state_machine ------------------------------------------------------------------


def test_update_definition_and_role(client: stepfiber.SFNClient, make_machine, start) -> None:
    arn = make_machine(PASS)
    new = json.dumps({"StartAt": "Q", "States": {"Q": {"Type": "Pass", "Result": {"v": 2}, "End": True}}})
    resp = client.update_state_machine(stateMachineArn=arn, definition=new, roleArn=ROLE_ARN + "-2")
    assert set(resp) >= {"updateDate", "revisionId", "ResponseMetadata"}
    described = client.describe_state_machine(stateMachineArn=arn)
    assert described["definition"] == new
    assert described["roleArn"] == ROLE_ARN + "-2"
    assert described["revisionId"] == resp["revisionId"]
    run = start(arn, {"a": 1})
    assert json.loads(client.wait_for_execution(run)["output"]) == {"v": 2}
    again = client.update_state_machine(stateMachineArn=arn, roleArn=ROLE_ARN)
    assert again["revisionId"] != resp["revisionId"]


def test_running_execution_keeps_its_definition(client: stepfiber.SFNClient, make_machine, start) -> None:
    wait = json.dumps({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 10, "Next": "R"}, "R": {"Type": "Pass", "Result": "old", "End": True}}})
    arn = make_machine(wait)
    run = start(arn)
    client.update_state_machine(
        stateMachineArn=arn, definition=json.dumps({"StartAt": "N", "States": {"N": {"Type": "Pass", "Result": "new", "End": True}}})
    )
    client.advance_clock(11)
    assert json.loads(client.wait_for_execution(run)["output"]) == "old"
    assert json.loads(client.wait_for_execution(start(arn))["output"]) == "new"


def test_update_errors(client: stepfiber.SFNClient, make_machine) -> None:
    arn = make_machine(PASS)
    with pytest.raises(client.exceptions.MissingRequiredParameter, match="Either the definition, the role ARN"):
        client.update_state_machine(stateMachineArn=arn)
    with pytest.raises(client.exceptions.InvalidDefinition, match="These fields are required: \\[States\\] at /"):
        client.update_state_machine(stateMachineArn=arn, definition=json.dumps({"StartAt": "X"}))
    missing = arn.rsplit(":", 1)[0] + ":nope"
    with pytest.raises(client.exceptions.StateMachineDoesNotExist):
        client.update_state_machine(stateMachineArn=missing, roleArn=ROLE_ARN)
    with pytest.raises(client.exceptions.InvalidArn):
        client.update_state_machine(stateMachineArn="not-an-arn", roleArn=ROLE_ARN)
    with pytest.raises(stepfiber.ParamValidationError):
        client.update_state_machine(definition=PASS)
    assert client.describe_state_machine(stateMachineArn=arn)["definition"] == PASS
