"""Step Functions Local's MockConfigFile (``stepfiber.client(mock_config=...)``, ``SFN_MOCK_CONFIG``) and time_scale."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import stepfiber

ROLE = "arn:aws:iam::123456789012:role/service-role/LambdaSQSIntegration"
EXAMPLE = json.loads((Path(__file__).parent / "data" / "lambda_sqs_integration.json").read_text())
CALLBACK = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"


def machine(sfn: Any, name: str, definition: dict[str, Any]) -> str:
    return sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]


def run_to_end(sfn: Any, arn: str, rounds: int = 10) -> dict[str, Any]:
    """Start `arn` and advance the manual clock until it ends (retries back off)."""
    ex = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    for _ in range(rounds):
        d = sfn.describe_execution(executionArn=ex)
        if d["status"] != "RUNNING":
            break
        sfn.advance_clock(60)
    d = sfn.describe_execution(executionArn=ex)
    d["events"] = sfn.get_execution_history(executionArn=ex)["events"]
    return d


def types(d: dict[str, Any]) -> list[str]:
    return [e["type"] for e in d["events"]]


@pytest.fixture()
def docs_client():
    sfn = stepfiber.client(manual_clock=True, mock_config=EXAMPLE["mock_config"])
    yield sfn, machine(sfn, "LambdaSQSIntegration", EXAMPLE["definition"])
    sfn.close()


def test_docs_example_happy_path(docs_client):
    sfn, arn = docs_client
    d = run_to_end(sfn, arn + "#HappyPath")
    assert d["status"] == "SUCCEEDED"
    assert json.loads(d["output"]) == EXAMPLE["mock_config"]["MockedResponses"]["MockedSQSSuccess"]["0"]["Return"]
    lambda_done = next(e for e in d["events"] if e["type"] == "TaskSucceeded")
    assert json.loads(lambda_done["taskSucceededEventDetails"]["output"])["Payload"]["body"] == "Hello from Lambda!"


def test_docs_example_retry_path_uses_consecutive_invocations(docs_client):
    sfn, arn = docs_client
    d = run_to_end(sfn, arn + "#RetryPath")
    assert d["status"] == "SUCCEEDED"
    failures = [e["taskFailedEventDetails"]["error"] for e in d["events"] if e["type"] == "TaskFailed"]
    assert failures == ["Lambda.ResourceNotReadyException", "Lambda.TimeoutException", "Lambda.TimeoutException"]


def test_docs_example_hybrid_path_runs_sqs_for_real(docs_client):
    sfn, arn = docs_client
    calls = []
    sfn.register_task_handler("arn:aws:states:::sqs:sendMessage", lambda payload: calls.append(payload) or {"MessageId": "real"})
    ex = sfn.start_execution(stateMachineArn=arn + "#HybridPath", input='{"hi": 1}')["executionArn"]
    d = sfn.wait_for_execution(ex, timeout=30)
    assert d["status"] == "SUCCEEDED"
    assert json.loads(d["output"]) == {"MessageId": "real"}
    assert calls and calls[0]["MessageBody"]["Payload"]["body"] == "Hello from Lambda!"


def test_unknown_test_case_machine_and_state(docs_client):
    sfn, arn = docs_client
    with pytest.raises(sfn.exceptions.ValidationException, match=r"/StateMachines/LambdaSQSIntegration/TestCases/Nope"):
        sfn.start_execution(stateMachineArn=arn + "#Nope")
    other = machine(sfn, "Other", EXAMPLE["definition"])
    with pytest.raises(sfn.exceptions.ValidationException, match=r"state machine 'Other' is not in the mock config"):
        sfn.start_execution(stateMachineArn=other + "#HappyPath")


def test_unknown_state_fails_when_the_case_is_used():
    config = {"StateMachines": {"M": {"TestCases": {"C": {"Ghost": "R"}}}}, "MockedResponses": {"R": {"0": {"Return": 1}}}}
    with stepfiber.client(manual_clock=True, mock_config=config) as sfn:
        arn = machine(sfn, "M", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
        with pytest.raises(sfn.exceptions.ValidationException, match=r"/StateMachines/M/TestCases/C/Ghost: state 'Ghost'"):
            sfn.start_execution(stateMachineArn=arn + "#C")


def test_bare_hash_runs_unmocked(docs_client):
    sfn, arn = docs_client
    d = run_to_end(sfn, arn + "#")
    assert d["status"] == "FAILED"  # no handler for the real Lambda call


def test_missing_invocation_fails_with_states_runtime():
    config = {"StateMachines": {"M": {"TestCases": {"C": {"T": "Once"}}}},
              "MockedResponses": {"Once": {"0": {"Throw": {"Error": "Boom", "Cause": "c"}}}}}
    definition = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                                   "Retry": [{"ErrorEquals": ["Boom"], "MaxAttempts": 2}], "End": True}}}
    with stepfiber.client(manual_clock=True, mock_config=config) as sfn:
        d = run_to_end(sfn, machine(sfn, "M", definition) + "#C")
    assert (d["status"], d["error"]) == ("FAILED", "States.Runtime")
    assert "'Once'" in d["cause"] and "invocation number 1" in d["cause"]


def test_return_takes_any_json_and_map_iterations_share_the_counter():
    config = {"StateMachines": {"M": {"TestCases": {"C": {"T": "Seq"}}}},
              "MockedResponses": {"Seq": {"0": {"Return": "a"}, "1": {"Return": 2}, "2": {"Return": None}}}}
    definition = {"StartAt": "Map", "States": {"Map": {"Type": "Map", "MaxConcurrency": 1, "End": True, "ItemProcessor": {
        "StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}}}}}}
    with stepfiber.client(manual_clock=True, mock_config=config) as sfn:
        arn = machine(sfn, "M", definition)
        ex = sfn.start_execution(stateMachineArn=arn + "#C", input="[1, 2, 3]")["executionArn"]
        d = sfn.wait_for_execution(ex, timeout=30)
    assert d["status"] == "SUCCEEDED"
    assert json.loads(d["output"]) == ["a", 2, None]


def test_mocked_wait_for_task_token_records_the_callback():
    config = {"StateMachines": {"M": {"TestCases": {"C": {"T": "Cb"}}}}, "MockedResponses": {"Cb": {"0": {"Return": {"ok": 1}}}}}
    definition = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": CALLBACK,
                                                   "Parameters": {"Token.$": "$$.Task.Token"}, "End": True}}}
    with stepfiber.client(manual_clock=True, mock_config=config) as sfn:
        d = run_to_end(sfn, machine(sfn, "M", definition) + "#C")
    assert d["status"] == "SUCCEEDED" and json.loads(d["output"]) == {"ok": 1}
    assert types(d) == ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted",
                        "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"]


def test_park_waits_for_the_test_to_complete_the_token():
    config = {"StateMachines": {"M": {"TestCases": {"C": {"T": "Later"}}}}, "MockedResponses": {"Later": {"0": {"Park": True}}}}
    definition = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": CALLBACK,
                                                   "Parameters": {"Token.$": "$$.Task.Token"}, "End": True}}}
    with stepfiber.client(manual_clock=True, mock_config=config) as sfn:
        ex = sfn.start_execution(stateMachineArn=machine(sfn, "M", definition) + "#C")["executionArn"]
        [task] = sfn.list_pending_tasks(ex)
        assert sfn.describe_execution(executionArn=ex)["status"] == "RUNNING"
        sfn.send_task_success(taskToken=task["taskToken"], output='"done by the test"')
        d = sfn.wait_for_execution(ex, timeout=30)
    assert (d["status"], d["output"]) == ("SUCCEEDED", '"done by the test"')


def test_park_on_a_task_without_a_token_fails():
    config = {"StateMachines": {"M": {"TestCases": {"C": {"T": "P"}}}}, "MockedResponses": {"P": {"0": {"Park": True}}}}
    definition = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}}}
    with stepfiber.client(manual_clock=True, mock_config=config) as sfn:
        d = run_to_end(sfn, machine(sfn, "M", definition) + "#C")
    assert (d["status"], d["error"]) == ("FAILED", "States.Runtime")


@pytest.mark.parametrize(("config", "pointer", "problem"), [
    ({"MockedResponses": {"R": {"0": {"Return": 1, "Throw": {"Error": "E"}}}}}, "/MockedResponses/R/0", "exactly one"),
    ({"MockedResponses": {"R": {"0": {"Throw": {"Cause": "c"}}}}}, "/MockedResponses/R/0/Throw", "Throw needs an Error"),
    ({"MockedResponses": {"R": {"0-2": {"Return": 1}, "1": {"Return": 2}}}}, "/MockedResponses/R/1", "overlap"),
    ({"MockedResponses": {"R": {"one": {"Return": 1}}}}, "/MockedResponses/R/one", "not an invocation number"),
    ({"StateMachines": {"M": {"TestCases": {"C": {"S": "Missing"}}}}}, "/StateMachines/M/TestCases/C/S", "does not exist"),
    ({"StateMachine": {}}, "/StateMachine", "unknown field"),
])
def test_bad_config_fails_at_load(tmp_path, config, pointer, problem):
    path = tmp_path / "MockConfigFile.json"
    path.write_text(json.dumps(config))
    with pytest.raises(stepfiber.MockConfigError) as info:
        stepfiber.client(mock_config=path)
    message = str(info.value)
    assert message.startswith(f"mock config {path}: {pointer}: ")
    assert problem in message


def test_not_json_and_missing_file(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{nope")
    with pytest.raises(stepfiber.MockConfigError, match=rf"mock config {path}: /: not JSON"):
        stepfiber.client(mock_config=str(path))
    with pytest.raises(stepfiber.MockConfigError, match="cannot be read"):
        stepfiber.client(mock_config=tmp_path / "absent.json")
    assert isinstance(stepfiber.MockConfigError("x"), ValueError)


def test_sfn_mock_config_environment_variable(tmp_path, monkeypatch):
    path = tmp_path / "EnvSpecifiedMockConfig.json"
    path.write_text(json.dumps(EXAMPLE["mock_config"]))
    monkeypatch.setenv("SFN_MOCK_CONFIG", str(path))
    with stepfiber.client(manual_clock=True) as sfn:
        d = run_to_end(sfn, machine(sfn, "LambdaSQSIntegration", EXAMPLE["definition"]) + "#HappyPath")
    assert d["status"] == "SUCCEEDED"


def test_test_case_without_a_config():
    with stepfiber.client(manual_clock=True) as sfn:
        arn = machine(sfn, "M", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
        with pytest.raises(sfn.exceptions.ValidationException, match="no mock config is loaded"):
            sfn.start_execution(stateMachineArn=arn + "#C")


def test_start_sync_execution_takes_a_test_case():
    with stepfiber.client(mock_config=EXAMPLE["mock_config"]) as sfn:
        arn = sfn.create_state_machine(name="LambdaSQSIntegration", definition=json.dumps(EXAMPLE["definition"]),
                                       roleArn=ROLE, type="EXPRESS")["stateMachineArn"]
        out = sfn.start_sync_execution(stateMachineArn=arn + "#HappyPath", input="{}")
    assert out["status"] == "SUCCEEDED"
    assert json.loads(out["output"]) == EXAMPLE["mock_config"]["MockedResponses"]["MockedSQSSuccess"]["0"]["Return"]


@pytest.mark.parametrize("bad", [0, -1, float("inf"), float("nan"), True, "0.1"])
def test_time_scale_is_checked(bad):
    with pytest.raises(ValueError, match="time_scale"):
        stepfiber.client(time_scale=bad)


def test_time_scale_shortens_waits():
    # A one-hour Wait at time_scale 1e-4 takes about 0.36 s of wall time.
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}}
    with stepfiber.client(time_scale=1e-4) as sfn:
        ex = sfn.start_execution(stateMachineArn=machine(sfn, "M", definition))["executionArn"]
        d = sfn.wait_for_execution(ex, timeout=60)
    assert d["status"] == "SUCCEEDED"
    assert (d["stopDate"] - d["startDate"]).total_seconds() >= 3600  # engine time moved the full hour
