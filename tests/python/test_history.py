"""GetExecutionHistory: event types, ids, previousEventId chain, details, paging."""

from __future__ import annotations

import json
from datetime import timezone
from typing import Any, Callable

import pytest
from conftest import CALLBACK_RESOURCE, ROLE_ARN, START_TIME, seconds, wait_until

import stepfiber

MakeMachine = Callable[..., str]
Start = Callable[..., str]
TokenOf = Callable[[str], str]
Definition = Callable[..., str]

CALLBACK_EVENTS = [
    "ExecutionStarted",
    "TaskStateEntered",
    "TaskScheduled",
    "TaskStarted",
    "TaskSucceeded",
    "TaskStateExited",
    "ExecutionSucceeded",
]


def all_events(client: stepfiber.SFNClient, exec_arn: str, **kwargs: Any) -> list[dict[str, Any]]:
    """Every event, following nextToken."""
    events: list[dict[str, Any]] = []
    token = None
    while True:
        resp = client.get_execution_history(
            executionArn=exec_arn, **kwargs, **({"nextToken": token} if token else {})
        )
        events += resp["events"]
        token = resp.get("nextToken")
        if not token:
            return events


def details(event: dict[str, Any]) -> dict[str, Any]:
    """The single ``*EventDetails`` member of an event ({} when it has none)."""
    keys = [k for k in event if k.endswith("EventDetails")]
    assert len(keys) <= 1, event
    return event[keys[0]] if keys else {}


def completed_callback(
    client: stepfiber.SFNClient,
    make_machine: MakeMachine,
    start: Start,
    token_of: TokenOf,
    definition: str,
    payload: Any,
    result: Any,
    wait_s: float = 7,
) -> str:
    exec_arn = start(make_machine(definition), payload)
    client.advance_clock(wait_s)
    client.send_task_success(taskToken=token_of(exec_arn), output=json.dumps(result))
    client.wait_for_execution(exec_arn, timeout=10)
    return exec_arn


def test_callback_task_history_event_sequence(
    client: stepfiber.SFNClient,
    make_machine: MakeMachine,
    start: Start,
    token_of: TokenOf,
    callback_definition: Definition,
) -> None:
    exec_arn = completed_callback(
        client, make_machine, start, token_of, callback_definition(), {"a": 1}, {"b": 2}
    )
    events = all_events(client, exec_arn)
    assert [e["type"] for e in events] == CALLBACK_EVENTS


def test_history_ids_and_previous_event_chain(
    client: stepfiber.SFNClient,
    make_machine: MakeMachine,
    start: Start,
    token_of: TokenOf,
    callback_definition: Definition,
) -> None:
    exec_arn = completed_callback(
        client, make_machine, start, token_of, callback_definition(), {"a": 1}, {"b": 2}
    )
    events = all_events(client, exec_arn)
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    assert events[0]["previousEventId"] == 0
    for event in events[1:]:
        assert 0 <= event["previousEventId"] < event["id"]
    # From TaskScheduled on, a linear callback flow chains each event to the one before.
    for event in events[2:]:
        assert event["previousEventId"] == event["id"] - 1, event


def test_history_timestamps_follow_the_manual_clock(
    client: stepfiber.SFNClient,
    make_machine: MakeMachine,
    start: Start,
    token_of: TokenOf,
    callback_definition: Definition,
) -> None:
    waited = 7
    exec_arn = completed_callback(
        client, make_machine, start, token_of, callback_definition(), {"a": 1}, {"b": 2}, wait_s=waited
    )
    events = all_events(client, exec_arn)
    for event in events:
        assert event["timestamp"].tzinfo is not None
        assert event["timestamp"].utcoffset() == timezone.utc.utcoffset(None)
    by_type = {e["type"]: e["timestamp"] for e in events}
    assert by_type["ExecutionStarted"] == by_type["TaskScheduled"] == START_TIME
    assert by_type["TaskSucceeded"] == by_type["ExecutionSucceeded"] == START_TIME + seconds(waited)


def test_history_details_carry_inputs_and_outputs(
    client: stepfiber.SFNClient,
    make_machine: MakeMachine,
    start: Start,
    token_of: TokenOf,
    callback_definition: Definition,
) -> None:
    payload, result = {"a": 1}, {"b": [2, 3]}
    exec_arn = completed_callback(
        client, make_machine, start, token_of, callback_definition(), payload, result
    )
    events = {e["type"]: e for e in all_events(client, exec_arn)}
    started = events["ExecutionStarted"]["executionStartedEventDetails"]
    assert json.loads(started["input"]) == payload
    assert started["roleArn"] == ROLE_ARN
    assert events["TaskStateEntered"]["stateEnteredEventDetails"]["name"] == "Callback"
    scheduled = events["TaskScheduled"]["taskScheduledEventDetails"]
    resource_type, _, resource = CALLBACK_RESOURCE.split(":::", 1)[1].partition(":")
    assert (scheduled["resourceType"], scheduled["resource"]) == (resource_type, resource)
    assert scheduled["region"] == "us-east-1"
    assert json.loads(scheduled["parameters"])["input"] == payload
    succeeded = events["TaskSucceeded"]["taskSucceededEventDetails"]
    assert json.loads(succeeded["output"]) == result
    exited = events["TaskStateExited"]["stateExitedEventDetails"]
    assert exited["name"] == "Callback" and json.loads(exited["output"]) == result
    assert json.loads(events["ExecutionSucceeded"]["executionSucceededEventDetails"]["output"]) == result


def test_history_without_execution_data_drops_inputs_and_outputs(
    client: stepfiber.SFNClient,
    make_machine: MakeMachine,
    start: Start,
    token_of: TokenOf,
    callback_definition: Definition,
) -> None:
    exec_arn = completed_callback(
        client, make_machine, start, token_of, callback_definition(), {"a": 1}, {"b": 2}
    )
    full = all_events(client, exec_arn)
    lean = all_events(client, exec_arn, includeExecutionData=False)
    assert [e["type"] for e in lean] == [e["type"] for e in full]
    for event in lean:
        assert "input" not in details(event) and "output" not in details(event)
    assert details(lean[0])["roleArn"] == ROLE_ARN  # non-data details stay


def test_history_reverse_order(
    client: stepfiber.SFNClient,
    make_machine: MakeMachine,
    start: Start,
    token_of: TokenOf,
    callback_definition: Definition,
) -> None:
    exec_arn = completed_callback(client, make_machine, start, token_of, callback_definition(), {}, {})
    forward = all_events(client, exec_arn)
    backward = all_events(client, exec_arn, reverseOrder=True)
    assert backward == forward[::-1]


@pytest.mark.parametrize("reverse", [False, True])
def test_history_pagination_matches_single_page(
    client: stepfiber.SFNClient,
    make_machine: MakeMachine,
    start: Start,
    token_of: TokenOf,
    callback_definition: Definition,
    reverse: bool,
) -> None:
    exec_arn = completed_callback(client, make_machine, start, token_of, callback_definition(), {}, {})
    whole = client.get_execution_history(executionArn=exec_arn, reverseOrder=reverse)
    assert "nextToken" not in whole
    paged = all_events(client, exec_arn, maxResults=2, reverseOrder=reverse)
    assert paged == whole["events"]
    first = client.get_execution_history(executionArn=exec_arn, maxResults=2, reverseOrder=reverse)
    assert len(first["events"]) == 2 and "nextToken" in first


def test_history_next_token_of_other_execution_or_direction_is_invalid_token(
    client: stepfiber.SFNClient,
    make_machine: MakeMachine,
    start: Start,
    callback_definition: Definition,
) -> None:
    arn = make_machine(callback_definition())
    one, two = start(arn), start(arn)
    token = client.get_execution_history(executionArn=one, maxResults=1)["nextToken"]
    with pytest.raises(client.exceptions.InvalidToken):
        client.get_execution_history(executionArn=two, nextToken=token)
    with pytest.raises(client.exceptions.InvalidToken):
        client.get_execution_history(executionArn=one, nextToken=token, reverseOrder=True)
    with pytest.raises(client.exceptions.InvalidToken) as e:
        client.get_execution_history(executionArn=one, nextToken="definitely-not-a-token")
    assert e.value.response["Error"]["Code"] == "InvalidToken"


def test_history_unknown_execution_and_bad_arn(
    client: stepfiber.SFNClient, make_machine: MakeMachine, callback_definition: Definition
) -> None:
    arn = make_machine(callback_definition())
    missing = arn.replace(":stateMachine:", ":execution:") + ":never-started"
    with pytest.raises(client.exceptions.ExecutionDoesNotExist):
        client.get_execution_history(executionArn=missing)
    with pytest.raises(client.exceptions.InvalidArn):
        client.get_execution_history(executionArn="not-an-arn")


def test_history_of_timed_out_retry_repeats_scheduling(
    client: stepfiber.SFNClient,
    make_machine: MakeMachine,
    start: Start,
    token_of: TokenOf,
    callback_definition: Definition,
) -> None:
    definition = callback_definition(
        timeout=10, retry=[{"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 1, "MaxAttempts": 1}]
    )
    exec_arn = start(make_machine(definition))
    client.advance_clock(10)
    client.advance_clock(1)
    client.send_task_success(taskToken=token_of(exec_arn), output="{}")
    client.wait_for_execution(exec_arn, timeout=10)
    events = all_events(client, exec_arn)
    types = [e["type"] for e in events]
    assert types == [
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskTimedOut",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    timed_out = details(events[types.index("TaskTimedOut")])
    assert timed_out["error"] == "States.Timeout"


def test_history_of_stopped_execution_ends_with_aborted(
    client: stepfiber.SFNClient,
    make_machine: MakeMachine,
    start: Start,
    callback_definition: Definition,
) -> None:
    exec_arn = start(make_machine(callback_definition()))
    client.stop_execution(executionArn=exec_arn, error="Halt", cause="because")
    last = all_events(client, exec_arn)[-1]
    assert last["type"] == "ExecutionAborted"
    assert details(last) == {"error": "Halt", "cause": "because"}


def test_history_of_handler_served_callback_has_task_submitted(
    client: stepfiber.SFNClient,
    make_machine: MakeMachine,
    start: Start,
    callback_definition: Definition,
) -> None:
    tokens: list[str] = []

    def handler(payload: dict[str, Any]) -> dict[str, Any]:
        tokens.append(payload["token"])
        return {"MessageId": "m-1"}

    client.register_task_handler(CALLBACK_RESOURCE, handler)
    exec_arn = start(make_machine(callback_definition()), {"x": 1})
    wait_until(lambda: "TaskSubmitted" in [e["type"] for e in all_events(client, exec_arn)])
    client.send_task_success(taskToken=tokens[0], output=json.dumps({"done": True}))
    desc = client.wait_for_execution(exec_arn, timeout=10)
    assert desc["status"] == "SUCCEEDED" and json.loads(desc["output"]) == {"done": True}
    events = all_events(client, exec_arn)
    assert [e["type"] for e in events] == [*CALLBACK_EVENTS[:4], "TaskSubmitted", *CALLBACK_EVENTS[4:]]
    submitted = next(e for e in events if e["type"] == "TaskSubmitted")
    assert json.loads(details(submitted)["output"]) == {"MessageId": "m-1"}
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
