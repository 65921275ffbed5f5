"""SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat and the token lifecycle."""

from __future__ import annotations

import json
import resource
import sys
import threading
import time
from typing import Callable

import pytest
from conftest import CALLBACK_RESOURCE, START_TIME, history_types, seconds, status_of, wait_until

import stepfiber

MakeMachine = Callable[..., str]
Start = Callable[..., str]
TokenOf = Callable[[str], str]
Definition = Callable[..., str]


# --- success / failure ------------------------------------------------------------


def test_send_task_success_output_becomes_execution_output(
    client: stepfiber.SFNClient,
    make_machine: MakeMachine,
    start: Start,
    token_of: TokenOf,
    callback_definition: Definition,
) -> None:
    exec_arn = start(make_machine(callback_definition()), {"order": 7})
    result = {"approved": True, "by": "alice"}
    resp = client.send_task_success(taskToken=token_of(exec_arn), output=json.dumps(result))
    assert set(resp) == {"ResponseMetadata"} and resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    desc = client.wait_for_execution(exec_arn, timeout=10)
    assert desc["status"] == "SUCCEEDED"
    assert json.loads(desc["output"]) == result


def test_send_task_success_with_result_path_merges_into_input(
    client: stepfiber.SFNClient,
    make_machine: MakeMachine,
    start: Start,
    token_of: TokenOf,
    callback_definition: Definition,
) -> None:
    payload, result = {"order": 7}, [1, "two", None]
    exec_arn = start(make_machine(callback_definition(result_path="$.result")), payload)
    client.send_task_success(taskToken=token_of(exec_arn), output=json.dumps(result))
    desc = client.wait_for_execution(exec_arn, timeout=10)
    assert json.loads(desc["output"]) == {**payload, "result": result}


def test_list_pending_tasks_describes_parked_task(
    client: stepfiber.SFNClient,
    make_machine: MakeMachine,
    start: Start,
    callback_definition: Definition,
) -> None:
    payload = {"order": 9}
    exec_arn = start(make_machine(callback_definition()), payload)
    (task,) = client.list_pending_tasks(exec_arn)
    assert task["executionArn"] == exec_arn
    assert task["stateName"] == "Callback"
    assert task["resource"] == CALLBACK_RESOURCE
    assert task["parameters"] == {"token": task["taskToken"], "input": payload}
    assert task["scheduledDate"] == START_TIME
    assert client.list_pending_tasks() == [task]


def test_send_task_failure_fails_execution_with_error_and_cause(
    client: stepfiber.SFNClient,
    make_machine: MakeMachine,
    start: Start,
    token_of: TokenOf,
    callback_definition: Definition,
) -> None:
    exec_arn = start(make_machine(callback_definition()))
    client.send_task_failure(taskToken=token_of(exec_arn), error="Order.Rejected", cause="out of stock")
    desc = client.wait_for_execution(exec_arn, timeout=10)
    assert desc["status"] == "FAILED"
    assert (desc["error"], desc["cause"]) == ("Order.Rejected", "out of stock")


def test_send_task_failure_is_caught_by_catch_with_result_path(
    client: stepfiber.SFNClient,
    make_machine: MakeMachine,
    start: Start,
    token_of: TokenOf,
    callback_definition: Definition,
) -> None:
    definition = callback_definition(
        catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Handled"}],
        extra_states={"Handled": {"Type": "Pass", "End": True}},
    )
    payload = {"order": 1}
    exec_arn = start(make_machine(definition), payload)
    client.send_task_failure(taskToken=token_of(exec_arn), error="E", cause="C")
    desc = client.wait_for_execution(exec_arn, timeout=10)
    assert desc["status"] == "SUCCEEDED"
    assert json.loads(desc["output"]) == {**payload, "error": {"Error": "E", "Cause": "C"}}


# --- InvalidToken / TaskTimedOut --------------------------------------------------


@pytest.mark.parametrize("token", ["not-a-real-token", "x", "%%%%", "A" * 2048])
def test_malformed_token_is_invalid_token(client: stepfiber.SFNClient, token: str) -> None:
    for call in (
        lambda: client.send_task_success(taskToken=token, output="{}"),
        lambda: client.send_task_failure(taskToken=token),
        lambda: client.send_task_heartbeat(taskToken=token),
    ):
        with pytest.raises(client.exceptions.InvalidToken) as e:
            call()
        assert e.value.response["Error"]["Code"] == "InvalidToken"


def test_unknown_well_formed_token_is_invalid_token(
    make_machine: MakeMachine,
    start: Start,
    token_of: TokenOf,
    callback_definition: Definition,
) -> None:
    token = token_of(start(make_machine(callback_definition())))
    with stepfiber.client(manual_clock=True) as other:  # a fresh engine never issued it
        with pytest.raises(other.exceptions.InvalidToken):
            other.send_task_success(taskToken=token, output="{}")
        with pytest.raises(other.exceptions.InvalidToken):
            other.send_task_heartbeat(taskToken=token)


@pytest.mark.parametrize("second", ["success", "failure", "heartbeat"])
def test_second_completion_is_task_timed_out(
    client: stepfiber.SFNClient,
    make_machine: MakeMachine,
    start: Start,
    token_of: TokenOf,
    callback_definition: Definition,
    second: str,
) -> None:
    exec_arn = start(make_machine(callback_definition()))
    token = token_of(exec_arn)
    client.send_task_success(taskToken=token, output='"first"')
    with pytest.raises(client.exceptions.TaskTimedOut) as e:
        if second == "success":
            client.send_task_success(taskToken=token, output='"second"')
        elif second == "failure":
            client.send_task_failure(taskToken=token, error="Late")
        else:
            client.send_task_heartbeat(taskToken=token)
    assert e.value.response["Error"]["Code"] == "TaskTimedOut"
    assert json.loads(client.wait_for_execution(exec_arn, timeout=10)["output"]) == "first"


def test_completion_after_timeout_seconds_is_task_timed_out(
    client: stepfiber.SFNClient,
    make_machine: MakeMachine,
    start: Start,
    token_of: TokenOf,
    callback_definition: Definition,
) -> None:
    limit = 30
    exec_arn = start(make_machine(callback_definition(timeout=limit)))
    token = token_of(exec_arn)
    client.advance_clock(limit - 1)
    assert status_of(client, exec_arn) == "RUNNING"
    client.advance_clock(1)
    desc = client.describe_execution(executionArn=exec_arn)
    assert desc["status"] == "FAILED" and desc["error"] == "States.Timeout"
    assert desc["stopDate"] - desc["startDate"] == seconds(limit)
    with pytest.raises(client.exceptions.TaskTimedOut):
        client.send_task_success(taskToken=token, output="{}")


def test_stop_while_waiting_closes_token(
    client: stepfiber.SFNClient,
    make_machine: MakeMachine,
    start: Start,
    token_of: TokenOf,
    callback_definition: Definition,
) -> None:
    exec_arn = start(make_machine(callback_definition()))
    token = token_of(exec_arn)
    client.stop_execution(executionArn=exec_arn, error="Stop.Requested", cause="test teardown")
    desc = client.describe_execution(executionArn=exec_arn)
    assert desc["status"] == "ABORTED"
    assert (desc["error"], desc["cause"]) == ("Stop.Requested", "test teardown")
    assert client.list_pending_tasks(exec_arn) == []
    with pytest.raises(client.exceptions.TaskTimedOut):
        client.send_task_success(taskToken=token, output="{}")
    with pytest.raises(client.exceptions.TaskTimedOut):
        client.send_task_heartbeat(taskToken=token)


# --- heartbeats -----------------------------------------------------------------------


def test_heartbeat_keeps_task_alive(
    client: stepfiber.SFNClient,
    make_machine: MakeMachine,
    start: Start,
    token_of: TokenOf,
    callback_definition: Definition,
) -> None:
    beat = 10
    exec_arn = start(make_machine(callback_definition(heartbeat=beat, timeout=100)))
    token = token_of(exec_arn)
    client.advance_clock(8)
    client.send_task_heartbeat(taskToken=token)
    client.advance_clock(8)  # 16 s in: alive only because of the heartbeat at 8 s
    assert status_of(client, exec_arn) == "RUNNING"
    client.advance_clock(11)
    desc = client.describe_execution(executionArn=exec_arn)
    assert desc["status"] == "FAILED" and desc["error"] == "States.Timeout"
    assert desc["stopDate"] - desc["startDate"] == seconds(8 + beat)


def test_missed_heartbeat_fails_task(
    client: stepfiber.SFNClient,
    make_machine: MakeMachine,
    start: Start,
    token_of: TokenOf,
    callback_definition: Definition,
) -> None:
    beat = 10
    exec_arn = start(make_machine(callback_definition(heartbeat=beat, timeout=100)))
    token = token_of(exec_arn)
    client.advance_clock(beat - 1)
    assert status_of(client, exec_arn) == "RUNNING"
    client.advance_clock(1)
    desc = client.describe_execution(executionArn=exec_arn)
    assert desc["status"] == "FAILED" and desc["error"] == "States.Timeout"
    with pytest.raises(client.exceptions.TaskTimedOut):
        client.send_task_heartbeat(taskToken=token)


def test_heartbeat_is_not_recorded_in_history(
    client: stepfiber.SFNClient,
    make_machine: MakeMachine,
    start: Start,
    token_of: TokenOf,
    callback_definition: Definition,
) -> None:
    exec_arn = start(make_machine(callback_definition(heartbeat=10, timeout=100)))
    before = history_types(client, exec_arn)
    client.send_task_heartbeat(taskToken=token_of(exec_arn))
    assert history_types(client, exec_arn) == before


# --- retries --------------------------------------------------------------------------


def test_retry_after_timeout_issues_new_token(
    client: stepfiber.SFNClient,
    make_machine: MakeMachine,
    start: Start,
    token_of: TokenOf,
    callback_definition: Definition,
) -> None:
    limit, interval = 10, 5
    definition = callback_definition(
        timeout=limit,
        retry=[{"ErrorEquals": ["States.Timeout"], "IntervalSeconds": interval, "MaxAttempts": 1}],
    )
    exec_arn = start(make_machine(definition), {"try": 1})
    old = token_of(exec_arn)
    client.advance_clock(limit)  # attempt 1 times out; retry is due `interval` later
    assert client.list_pending_tasks(exec_arn) == []
    client.advance_clock(interval)
    new = token_of(exec_arn)
    assert new != old
    with pytest.raises(client.exceptions.TaskTimedOut):
        client.send_task_success(taskToken=old, output='"stale"')
    client.send_task_success(taskToken=new, output='"fresh"')
    desc = client.wait_for_execution(exec_arn, timeout=10)
    assert desc["status"] == "SUCCEEDED" and json.loads(desc["output"]) == "fresh"


def test_retry_backoff_timing_then_catch(
    client: stepfiber.SFNClient,
    make_machine: MakeMachine,
    start: Start,
    token_of: TokenOf,
    callback_definition: Definition,
) -> None:
    interval, rate, attempts = 2, 3.0, 3
    definition = callback_definition(
        retry=[
            {
                "ErrorEquals": ["Flaky"],
                "IntervalSeconds": interval,
                "BackoffRate": rate,
                "MaxAttempts": attempts,
            }
        ],
        catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "Recovered"}],
        extra_states={"Recovered": {"Type": "Pass", "End": True}},
    )
    payload = {"job": 3}
    exec_arn = start(make_machine(definition), payload)
    for retry in range(attempts):
        client.send_task_failure(taskToken=token_of(exec_arn), error="Flaky", cause=f"try {retry}")
        delay = interval * rate**retry
        wait_until(lambda n=retry + 1: history_types(client, exec_arn).count("TaskFailed") == n)
        client.advance_clock(delay - 0.5)
        assert client.list_pending_tasks(exec_arn) == [], f"retry {retry} came early"
        client.advance_clock(0.5)
        assert len(client.list_pending_tasks(exec_arn)) == 1, f"retry {retry} is late"
    client.send_task_failure(taskToken=token_of(exec_arn), error="Flaky", cause="last")
    desc = client.wait_for_execution(exec_arn, timeout=10)
    assert desc["status"] == "SUCCEEDED"
    assert json.loads(desc["output"]) == {**payload, "failure": {"Error": "Flaky", "Cause": "last"}}
    events = client.get_execution_history(executionArn=exec_arn)["events"]
    scheduled = [e["timestamp"] for e in events if e["type"] == "TaskScheduled"]
    expected_gaps = [seconds(interval * rate**k) for k in range(attempts)]
    assert [b - a for a, b in zip(scheduled, scheduled[1:])] == expected_gaps


# --- InvalidOutput / ValidationException ---------------------------------------------------


@pytest.mark.parametrize("output", ["{not json", "", "{'single': 'quotes'}", "[1,]"])
def test_send_task_success_non_json_output_is_invalid_output(
    client: stepfiber.SFNClient,
    make_machine: MakeMachine,
    start: Start,
    token_of: TokenOf,
    callback_definition: Definition,
    output: str,
) -> None:
    exec_arn = start(make_machine(callback_definition()))
    token = token_of(exec_arn)
    with pytest.raises(client.exceptions.InvalidOutput) as e:
        client.send_task_success(taskToken=token, output=output)
    assert e.value.response["Error"]["Code"] == "InvalidOutput"
    client.send_task_success(taskToken=token, output="1")  # the token is still open
    assert client.wait_for_execution(exec_arn, timeout=10)["status"] == "SUCCEEDED"


def test_send_task_success_output_over_256kib_is_validation_exception(
    client: stepfiber.SFNClient,
    make_machine: MakeMachine,
    start: Start,
    token_of: TokenOf,
    callback_definition: Definition,
) -> None:
    token = token_of(start(make_machine(callback_definition())))
    limit = 262144
    too_big = json.dumps("x" * (limit - 1))  # limit + 1 bytes with the quotes
    assert len(too_big.encode()) == limit + 1
    with pytest.raises(client.exceptions.ValidationException):
        client.send_task_success(taskToken=token, output=too_big)
    multibyte = json.dumps("é" * (limit // 2), ensure_ascii=False)  # < limit chars, > limit bytes
    assert len(multibyte) <= limit < len(multibyte.encode())
    with pytest.raises(client.exceptions.ValidationException):
        client.send_task_success(taskToken=token, output=multibyte)
    just_fits = json.dumps("x" * (limit - 2))
    assert len(just_fits.encode()) == limit
    client.send_task_success(taskToken=token, output=just_fits)


@pytest.mark.parametrize(
    "kwargs",
    [{"error": "e" * 257}, {"cause": "c" * 32769}],
    ids=["error-257-chars", "cause-32769-chars"],
)
def test_send_task_failure_oversized_fields_are_validation_exception(
    client: stepfiber.SFNClient,
    make_machine: MakeMachine,
    start: Start,
    token_of: TokenOf,
    callback_definition: Definition,
    kwargs: dict[str, str],
) -> None:
    exec_arn = start(make_machine(callback_definition()))
    token = token_of(exec_arn)
    with pytest.raises(client.exceptions.ValidationException) as e:
        client.send_task_failure(taskToken=token, **kwargs)
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert status_of(client, exec_arn) == "RUNNING"
    client.send_task_failure(taskToken=token, error="e" * 256, cause="c" * 32768)  # at the limits
    assert client.wait_for_execution(exec_arn, timeout=10)["error"] == "e" * 256


# --- concurrency ----------------------------------------------------------------------


def test_racing_completions_exactly_one_wins(
    client: stepfiber.SFNClient,
    make_machine: MakeMachine,
    start: Start,
    token_of: TokenOf,
    callback_definition: Definition,
) -> None:
    racers = 8
    exec_arn = start(make_machine(callback_definition()))
    token = token_of(exec_arn)
    barrier = threading.Barrier(racers)
    outcomes: dict[int, str] = {}

    def race(i: int) -> None:
        barrier.wait()
        try:
            client.send_task_success(taskToken=token, output=json.dumps({"winner": i}))
            outcomes[i] = "ok"
        except client.exceptions.TaskTimedOut:
            outcomes[i] = "TaskTimedOut"

    threads = [threading.Thread(target=race, args=(i,)) for i in range(racers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    winners = [i for i, outcome in outcomes.items() if outcome == "ok"]
    assert len(outcomes) == racers
    assert len(winners) == 1
    assert sorted(outcomes.values()).count("TaskTimedOut") == racers - 1
    desc = client.wait_for_execution(exec_arn, timeout=10)
    assert json.loads(desc["output"]) == {"winner": winners[0]}


def _peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def test_ten_thousand_parked_executions_complete_with_their_own_output(
    client: stepfiber.SFNClient,
    make_machine: MakeMachine,
    callback_definition: Definition,
) -> None:
    count = 10_000
    arn = make_machine(callback_definition())
    t0 = time.perf_counter()
    started = {
        client.start_execution(stateMachineArn=arn, name=f"e{i}", input=json.dumps({"i": i}))[
            "executionArn"
        ]: i
        for i in range(count)
    }
    t_started = time.perf_counter()
    pending = client.list_pending_tasks()
    assert len(pending) == count
    assert {task["executionArn"] for task in pending} == set(started)
    for task in pending:
        i = started[task["executionArn"]]
        assert task["parameters"]["input"] == {"i": i}
        client.send_task_success(taskToken=task["taskToken"], output=json.dumps({"i": i, "out": i * i}))
    t_sent = time.perf_counter()
    client.wait_for_all(timeout=120)
    t_done = time.perf_counter()
    for exec_arn, i in started.items():
        desc = client.describe_execution(executionArn=exec_arn)
        assert desc["status"] == "SUCCEEDED", exec_arn
        assert json.loads(desc["output"]) == {"i": i, "out": i * i}
    assert client.list_executions(stateMachineArn=arn, statusFilter="RUNNING")["executions"] == []
    assert client.list_pending_tasks() == []
    succeeded, token = 0, None
    while True:
        page = client.list_executions(
            stateMachineArn=arn,
            statusFilter="SUCCEEDED",
            maxResults=1000,
            **({"nextToken": token} if token else {}),
        )
        succeeded += len(page["executions"])
        token = page.get("nextToken")
        if not token:
            break
    assert succeeded == count
    print(
        f"\n[10k callbacks] start {t_started - t0:.2f}s, complete {t_sent - t_started:.2f}s, "
        f"drain {t_done - t_sent:.2f}s, total {t_done - t0:.2f}s, "
        f"peak RSS {_peak_rss_mib():.0f} MiB"
    )
