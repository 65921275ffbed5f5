"""StartExecution / DescribeExecution / ListExecutions / StopExecution and the clock."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any, Callable

import pytest
from conftest import START_TIME, seconds, status_of, unique_name

import stepfiber

PASS_MACHINE = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}

MakeMachine = Callable[..., str]
Start = Callable[..., str]


def execution_arn_for(state_machine_arn: str, name: str) -> str:
    """The ARN AWS gives an execution: stateMachine -> execution, plus the name."""
    return state_machine_arn.replace(":stateMachine:", ":execution:") + ":" + name


# --- start / describe -------------------------------------------------------


def test_start_execution_pass_machine_succeeds_with_input_as_output(
    client: stepfiber.SFNClient, make_machine: MakeMachine
) -> None:
    arn = make_machine(PASS_MACHINE)
    payload = {"hello": "world", "n": [1, 2, 3]}
    name = unique_name("run")
    resp = client.start_execution(stateMachineArn=arn, name=name, input=json.dumps(payload))
    assert resp["executionArn"] == execution_arn_for(arn, name)
    assert resp["startDate"] == START_TIME
    desc = client.describe_execution(executionArn=resp["executionArn"])
    assert desc["status"] == "SUCCEEDED"
    assert desc["stateMachineArn"] == arn
    assert desc["name"] == name
    assert json.loads(desc["input"]) == payload
    assert json.loads(desc["output"]) == payload
    assert desc["startDate"] == desc["stopDate"] == START_TIME
    assert desc["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_start_execution_defaults_name_to_uuid_and_input_to_empty_object(
    client: stepfiber.SFNClient, make_machine: MakeMachine
) -> None:
    arn = make_machine(PASS_MACHINE)
    exec_arn = client.start_execution(stateMachineArn=arn)["executionArn"]
    desc = client.describe_execution(executionArn=exec_arn)
    uuid.UUID(desc["name"])  # raises if not a UUID
    assert json.loads(desc["input"]) == {}


def test_start_execution_unknown_machine_does_not_exist(
    client: stepfiber.SFNClient, make_machine: MakeMachine
) -> None:
    arn = make_machine(PASS_MACHINE)
    missing = arn.rsplit(":", 1)[0] + ":" + unique_name("gone")
    with pytest.raises(client.exceptions.StateMachineDoesNotExist) as e:
        client.start_execution(stateMachineArn=missing)
    assert e.value.response["Error"]["Code"] == "StateMachineDoesNotExist"


def test_start_execution_malformed_arn_is_invalid_arn(client: stepfiber.SFNClient) -> None:
    with pytest.raises(client.exceptions.InvalidArn) as e:
        client.start_execution(stateMachineArn="not-an-arn")
    assert e.value.response["Error"]["Code"] == "InvalidArn"


@pytest.mark.parametrize("name", ["has space", "a/b", "q?"])
def test_start_execution_bad_name_is_invalid_name(
    client: stepfiber.SFNClient, make_machine: MakeMachine, name: str
) -> None:
    arn = make_machine(PASS_MACHINE)
    with pytest.raises(client.exceptions.InvalidName) as e:
        client.start_execution(stateMachineArn=arn, name=name)
    assert e.value.response["Error"]["Code"] == "InvalidName"


def test_start_execution_non_json_input_is_invalid_execution_input(
    client: stepfiber.SFNClient, make_machine: MakeMachine
) -> None:
    arn = make_machine(PASS_MACHINE)
    with pytest.raises(client.exceptions.InvalidExecutionInput) as e:
        client.start_execution(stateMachineArn=arn, input="{not json")
    assert e.value.response["Error"]["Code"] == "InvalidExecutionInput"


def test_start_execution_input_over_256kib_is_validation_exception(
    client: stepfiber.SFNClient, make_machine: MakeMachine
) -> None:
    arn = make_machine(PASS_MACHINE)
    big = json.dumps("x" * 262144)  # 262146 bytes with the quotes
    with pytest.raises(client.exceptions.ValidationException):
        client.start_execution(stateMachineArn=arn, input=big)


def test_start_execution_trace_header_over_256_is_validation_exception(
    client: stepfiber.SFNClient, make_machine: MakeMachine
) -> None:
    arn = make_machine(PASS_MACHINE)
    with pytest.raises(client.exceptions.ValidationException):
        client.start_execution(stateMachineArn=arn, traceHeader="t" * 257)


def test_describe_execution_unknown_does_not_exist(
    client: stepfiber.SFNClient, make_machine: MakeMachine
) -> None:
    arn = make_machine(PASS_MACHINE)
    with pytest.raises(client.exceptions.ExecutionDoesNotExist) as e:
        client.describe_execution(executionArn=execution_arn_for(arn, unique_name("never")))
    assert e.value.response["Error"]["Code"] == "ExecutionDoesNotExist"


def test_describe_execution_malformed_arn_is_invalid_arn(client: stepfiber.SFNClient) -> None:
    with pytest.raises(client.exceptions.InvalidArn):
        client.describe_execution(executionArn="not-an-arn")


# --- idempotent start ---------------------------------------------------------


def test_start_execution_same_name_and_input_while_running_is_idempotent(
    client: stepfiber.SFNClient, make_machine: MakeMachine, callback_definition: Callable[..., str]
) -> None:
    arn = make_machine(callback_definition())
    name, payload = unique_name("idem"), json.dumps({"k": 1})
    first = client.start_execution(stateMachineArn=arn, name=name, input=payload)
    client.advance_clock(5)  # a fresh start would get a later startDate
    again = client.start_execution(stateMachineArn=arn, name=name, input=payload)
    assert again["executionArn"] == first["executionArn"]
    assert again["startDate"] == first["startDate"]
    assert len(client.list_executions(stateMachineArn=arn)["executions"]) == 1


def test_start_execution_same_name_other_input_already_exists(
    client: stepfiber.SFNClient, make_machine: MakeMachine, callback_definition: Callable[..., str]
) -> None:
    arn = make_machine(callback_definition())
    name = unique_name("dup")
    client.start_execution(stateMachineArn=arn, name=name, input=json.dumps({"k": 1}))
    with pytest.raises(client.exceptions.ExecutionAlreadyExists) as e:
        client.start_execution(stateMachineArn=arn, name=name, input=json.dumps({"k": 2}))
    assert e.value.response["Error"]["Code"] == "ExecutionAlreadyExists"


def test_start_execution_same_name_after_close_already_exists(
    client: stepfiber.SFNClient, make_machine: MakeMachine
) -> None:
    arn = make_machine(PASS_MACHINE)
    name, payload = unique_name("closed"), json.dumps({"k": 1})
    exec_arn = client.start_execution(stateMachineArn=arn, name=name, input=payload)["executionArn"]
    assert status_of(client, exec_arn) == "SUCCEEDED"
    with pytest.raises(client.exceptions.ExecutionAlreadyExists):
        client.start_execution(stateMachineArn=arn, name=name, input=payload)


# --- states driven through the manual clock -------------------------------------


def test_wait_state_completes_exactly_when_clock_reaches_it(
    client: stepfiber.SFNClient, make_machine: MakeMachine, start: Start
) -> None:
    wait_s = 60
    arn = make_machine({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": wait_s, "End": True}}})
    exec_arn = start(arn, {"v": 1})
    client.advance_clock(wait_s - 1)
    assert status_of(client, exec_arn) == "RUNNING"
    client.advance_clock(1)
    desc = client.describe_execution(executionArn=exec_arn)
    assert desc["status"] == "SUCCEEDED"
    assert desc["stopDate"] - desc["startDate"] == seconds(wait_s)
    assert json.loads(desc["output"]) == {"v": 1}


CHOICE_MACHINE = {
    "StartAt": "Route",
    "States": {
        "Route": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"},
                {"Variable": "$.n", "NumericEquals": 0, "Next": "Zero"},
            ],
            "Default": "Small",
        },
        "Big": {"Type": "Pass", "Result": "big", "ResultPath": "$.route", "End": True},
        "Zero": {"Type": "Pass", "Result": "zero", "ResultPath": "$.route", "End": True},
        "Small": {"Type": "Pass", "Result": "small", "ResultPath": "$.route", "End": True},
    },
}


def expected_route(n: float) -> str:
    """The Choice above, evaluated in Python."""
    if n > 10:
        return "big"
    return "zero" if n == 0 else "small"


@pytest.mark.parametrize("n", [11, 10, 0, -3, 10.5])
def test_choice_state_routes_on_input(
    client: stepfiber.SFNClient, make_machine: MakeMachine, start: Start, n: float
) -> None:
    exec_arn = start(make_machine(CHOICE_MACHINE), {"n": n})
    desc = client.describe_execution(executionArn=exec_arn)
    assert desc["status"] == "SUCCEEDED"
    assert json.loads(desc["output"]) == {"n": n, "route": expected_route(n)}


def test_fail_state_sets_error_and_cause(
    client: stepfiber.SFNClient, make_machine: MakeMachine, start: Start
) -> None:
    error, cause = "Custom.Broken", "it broke"
    arn = make_machine({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": error, "Cause": cause}}})
    desc = client.describe_execution(executionArn=start(arn))
    assert desc["status"] == "FAILED"
    assert (desc["error"], desc["cause"]) == (error, cause)
    assert "output" not in desc


def test_execution_timeout_seconds_times_out(
    client: stepfiber.SFNClient,
    make_machine: MakeMachine,
    start: Start,
    callback_definition: Callable[..., str],
) -> None:
    limit = 30
    exec_arn = start(make_machine(callback_definition(execution_timeout=limit)))
    client.advance_clock(limit - 1)
    assert status_of(client, exec_arn) == "RUNNING"
    client.advance_clock(1)
    desc = client.describe_execution(executionArn=exec_arn)
    assert desc["status"] == "TIMED_OUT"
    assert desc["stopDate"] - desc["startDate"] == seconds(limit)
    assert client.list_pending_tasks(exec_arn) == []


# --- stop -------------------------------------------------------------------------


def test_stop_execution_aborts_with_error_and_cause(
    client: stepfiber.SFNClient,
    make_machine: MakeMachine,
    start: Start,
    callback_definition: Callable[..., str],
) -> None:
    exec_arn = start(make_machine(callback_definition()))
    client.advance_clock(3)
    resp = client.stop_execution(executionArn=exec_arn, error="Manual", cause="operator said so")
    assert resp["stopDate"] == START_TIME + seconds(3)
    desc = client.describe_execution(executionArn=exec_arn)
    assert desc["status"] == "ABORTED"
    assert (desc["error"], desc["cause"]) == ("Manual", "operator said so")
    assert desc["stopDate"] == resp["stopDate"]


def test_stop_execution_unknown_does_not_exist(
    client: stepfiber.SFNClient, make_machine: MakeMachine
) -> None:
    arn = make_machine(PASS_MACHINE)
    with pytest.raises(client.exceptions.ExecutionDoesNotExist):
        client.stop_execution(executionArn=execution_arn_for(arn, unique_name("never")))


def test_stop_execution_malformed_arn_is_invalid_arn(client: stepfiber.SFNClient) -> None:
    with pytest.raises(client.exceptions.InvalidArn):
        client.stop_execution(executionArn="not-an-arn")


# --- list -------------------------------------------------------------------------


def test_list_executions_newest_first_with_status_filter(
    client: stepfiber.SFNClient,
    make_machine: MakeMachine,
    start: Start,
    callback_definition: Callable[..., str],
) -> None:
    arn = make_machine(callback_definition())
    started = []
    for _ in range(4):
        started.append(start(arn))
        client.advance_clock(1)
    client.send_task_success(taskToken=client.list_pending_tasks(started[1])[0]["taskToken"], output="{}")
    client.wait_for_execution(started[1], timeout=10)
    items = client.list_executions(stateMachineArn=arn)["executions"]
    assert [i["executionArn"] for i in items] == started[::-1]
    assert all("input" not in i and "output" not in i for i in items)
    assert [i["startDate"] for i in items] == [START_TIME + seconds(k) for k in (3, 2, 1, 0)]
    running = client.list_executions(stateMachineArn=arn, statusFilter="RUNNING")["executions"]
    assert [i["executionArn"] for i in running] == [a for a in started[::-1] if a != started[1]]
    done = client.list_executions(stateMachineArn=arn, statusFilter="SUCCEEDED")["executions"]
    assert [i["executionArn"] for i in done] == [started[1]]
    assert "stopDate" in done[0]


def test_list_executions_paginates(
    client: stepfiber.SFNClient, make_machine: MakeMachine, start: Start
) -> None:
    arn = make_machine(PASS_MACHINE)
    started = [start(arn) for _ in range(7)]
    seen: list[str] = []
    token = None
    while True:
        kwargs: dict[str, Any] = {"stateMachineArn": arn, "maxResults": 3}
        if token:
            kwargs["nextToken"] = token
        resp = client.list_executions(**kwargs)
        seen += [i["executionArn"] for i in resp["executions"]]
        token = resp.get("nextToken")
        if not token:
            break
    assert sorted(seen) == sorted(started) and len(seen) == len(started)


def test_list_executions_token_survives_new_executions(
    client: stepfiber.SFNClient, make_machine: MakeMachine, start: Start
) -> None:
    arn = make_machine(PASS_MACHINE)
    started = [start(arn) for _ in range(4)]
    first = client.list_executions(stateMachineArn=arn, maxResults=2)
    start(arn)  # newest-first: lands before the cursor, must not shift the next page
    second = client.list_executions(stateMachineArn=arn, maxResults=2, nextToken=first["nextToken"])
    seen = [i["executionArn"] for i in first["executions"] + second["executions"]]
    assert sorted(seen) == sorted(started)


def test_list_executions_bad_next_token_is_invalid_token(
    client: stepfiber.SFNClient, make_machine: MakeMachine
) -> None:
    arn = make_machine(PASS_MACHINE)
    with pytest.raises(client.exceptions.InvalidToken) as e:
        client.list_executions(stateMachineArn=arn, nextToken="bogus-token")
    assert e.value.response["Error"]["Code"] == "InvalidToken"


def test_list_executions_token_of_other_machine_is_invalid_token(
    client: stepfiber.SFNClient, make_machine: MakeMachine, start: Start
) -> None:
    arn_a, arn_b = make_machine(PASS_MACHINE), make_machine(PASS_MACHINE)
    for _ in range(3):
        start(arn_a)
    token = client.list_executions(stateMachineArn=arn_a, maxResults=1)["nextToken"]
    with pytest.raises(client.exceptions.InvalidToken):
        client.list_executions(stateMachineArn=arn_b, nextToken=token)


def test_list_executions_unknown_machine_does_not_exist(
    client: stepfiber.SFNClient, make_machine: MakeMachine
) -> None:
    arn = make_machine(PASS_MACHINE)
    with pytest.raises(client.exceptions.StateMachineDoesNotExist):
        client.list_executions(stateMachineArn=arn.rsplit(":", 1)[0] + ":" + unique_name("gone"))


def test_list_executions_needs_exactly_one_target(
    client: stepfiber.SFNClient, make_machine: MakeMachine
) -> None:
    with pytest.raises(client.exceptions.ValidationException):
        client.list_executions()
    with pytest.raises(client.exceptions.ValidationException):
        client.list_executions(stateMachineArn=make_machine(PASS_MACHINE), mapRunArn="arn:x")


def test_list_executions_max_results_over_1000_is_validation_exception(
    client: stepfiber.SFNClient, make_machine: MakeMachine
) -> None:
    with pytest.raises(client.exceptions.ValidationException):
        client.list_executions(stateMachineArn=make_machine(PASS_MACHINE), maxResults=1001)


# --- clock and waiting extensions -------------------------------------------------------


def test_now_moves_only_with_advance_clock(client: stepfiber.SFNClient) -> None:
    assert client.now() == START_TIME
    client.advance_clock(2.5)
    client.advance_clock(7.5)
    assert client.now() == START_TIME + seconds(10)


def test_advance_clock_negative_is_validation_exception(client: stepfiber.SFNClient) -> None:
    with pytest.raises(client.exceptions.ValidationException):
        client.advance_clock(-1)


def test_advance_clock_on_system_clock_is_validation_exception() -> None:
    with stepfiber.client() as sfn, pytest.raises(sfn.exceptions.ValidationException):
        sfn.advance_clock(1)


def test_wait_for_execution_returns_description(
    client: stepfiber.SFNClient, make_machine: MakeMachine, start: Start
) -> None:
    exec_arn = start(make_machine(PASS_MACHINE), {"a": 1})
    desc = client.wait_for_execution(exec_arn, timeout=10)
    assert desc["status"] == "SUCCEEDED" and desc["executionArn"] == exec_arn


def test_wait_for_execution_times_out_while_parked(
    client: stepfiber.SFNClient,
    make_machine: MakeMachine,
    start: Start,
    callback_definition: Callable[..., str],
) -> None:
    exec_arn = start(make_machine(callback_definition()))
    with pytest.raises(TimeoutError, match="RUNNING"):
        client.wait_for_execution(exec_arn, timeout=0.3)
    with pytest.raises(TimeoutError):
        client.wait_for_all(timeout=0.3)
    client.stop_execution(executionArn=exec_arn)
    client.wait_for_all(timeout=10)


def test_wait_for_execution_unknown_does_not_exist(
    client: stepfiber.SFNClient, make_machine: MakeMachine
) -> None:
    arn = make_machine(PASS_MACHINE)
    with pytest.raises(client.exceptions.ExecutionDoesNotExist):
        client.wait_for_execution(execution_arn_for(arn, unique_name("never")), timeout=1)


def test_system_clock_client_runs_and_reports_current_time() -> None:
    from datetime import datetime, timezone

    before = datetime.now(timezone.utc)
    with stepfiber.client() as sfn:
        arn = sfn.create_state_machine(
            name="sys", definition=json.dumps(PASS_MACHINE), roleArn="arn:aws:iam::123456789012:role/r"
        )["stateMachineArn"]
        exec_arn = sfn.start_execution(stateMachineArn=arn)["executionArn"]
        desc = sfn.wait_for_execution(exec_arn, timeout=10)
    after = datetime.now(timezone.utc)
    assert desc["status"] == "SUCCEEDED"
    assert before - seconds(1) <= desc["startDate"] <= after + seconds(1)


# --- retention --------------------------------------------------------------


def test_closed_executions_are_purged_after_the_retention_period() -> None:
    sfn = stepfiber.client(manual_clock=True, start_time=START_TIME, execution_retention=seconds(60))
    try:
        arn = sfn.create_state_machine(name="keep", definition=json.dumps(PASS_MACHINE),
                                       roleArn="arn:aws:iam::123456789012:role/r")["stateMachineArn"]
        done = sfn.start_execution(stateMachineArn=arn, name="first")["executionArn"]
        sfn.advance_clock(59.999)
        assert sfn.describe_execution(executionArn=done)["status"] == "SUCCEEDED"
        sfn.advance_clock(0.001)
        with pytest.raises(sfn.exceptions.ExecutionDoesNotExist):
            sfn.describe_execution(executionArn=done)
        assert sfn.list_executions(stateMachineArn=arn)["executions"] == []
        stats = sfn.engine_stats()
        assert (stats["purged"], stats["executions"], stats["succeeded"]) == (1, 0, 1)
        # The name can be used again.
        again = sfn.start_execution(stateMachineArn=arn, name="first")["executionArn"]
        assert again == done
        assert sfn.describe_execution(executionArn=again)["status"] == "SUCCEEDED"
    finally:
        sfn.close()


def test_engine_stats_without_scan_leave_out_the_walked_figures() -> None:
    """scan=False: the same O(1) counters, without pending_timers and stack_resident_bytes."""
    sfn = stepfiber.client(manual_clock=True, start_time=START_TIME)
    try:
        arn = sfn.create_state_machine(name="quick-stats", definition=json.dumps(PASS_MACHINE),
                                       roleArn="arn:aws:iam::123456789012:role/r")["stateMachineArn"]
        for _ in range(3):
            sfn.start_execution(stateMachineArn=arn)
        sfn.advance_clock(0)
        full, quick = sfn.engine_stats(), sfn.engine_stats(scan=False)
        assert {"pending_timers", "stack_resident_bytes"} <= full.keys()
        assert set(quick) == set(full) - {"pending_timers", "stack_resident_bytes"}
        assert {k: full[k] for k in quick} == quick
        assert quick["succeeded"] == 3
    finally:
        sfn.close()


def test_sync_execution_result_survives_zero_retention() -> None:
    sfn = stepfiber.client(manual_clock=True, start_time=START_TIME, execution_retention=0)
    try:
        arn = sfn.create_state_machine(name="fast", definition=json.dumps(PASS_MACHINE), type="EXPRESS",
                                       roleArn="arn:aws:iam::123456789012:role/r")["stateMachineArn"]
        for i in range(20):
            out = sfn.start_sync_execution(stateMachineArn=arn, input=json.dumps({"i": i}))
            assert out["status"] == "SUCCEEDED" and json.loads(out["output"]) == {"i": i}
        sfn.advance_clock(0)
        assert sfn.engine_stats()["purged"] == 20
    finally:
        sfn.close()


@pytest.mark.parametrize("bad", [-1, float("nan"), "90d", True, timedelta(days=-1)])
def test_execution_retention_rejects_nonsense(bad: Any) -> None:
    with pytest.raises(ValueError, match="execution_retention"):
        stepfiber.client(execution_retention=bad)
