"""Shared fixtures for the stepfiber Python API tests (installed package only)."""

from __future__ import annotations

import itertools
import json
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import pytest

import stepfiber

# Tests import the plain helpers below with ``from conftest import ...``; make
# that work under every pytest import mode.
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

ROLE_ARN = "arn:aws:iam::123456789012:role/stepfiber-tests"
#: A callback resource: the engine parks the task until a token is completed.
CALLBACK_RESOURCE = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
#: Fixed engine start time for manual-clock clients.
START_TIME = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc)

_names = itertools.count()


def unique_name(prefix: str = "sm") -> str:
    """A state machine / execution name unique within the test session."""
    return f"{prefix}-{next(_names)}"


def seconds(n: float) -> timedelta:
    """Shorthand for timedelta(seconds=n)."""
    return timedelta(seconds=n)


def wait_until(predicate: Callable[[], Any], timeout: float = 10.0, interval: float = 0.01) -> Any:
    """Poll ``predicate`` until it returns a truthy value (for handler threads)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


def callback_task(
    *,
    resource: str = CALLBACK_RESOURCE,
    timeout: int | None = None,
    heartbeat: int | None = None,
    retry: list[dict[str, Any]] | None = None,
    catch: list[dict[str, Any]] | None = None,
    result_path: Any = "$",
    next_state: str | None = None,
) -> dict[str, Any]:
    """A Task state that hands ``{"token", "input"}`` to its resource."""
    task: dict[str, Any] = {
        "Type": "Task",
        "Resource": resource,
        "Parameters": {"token.$": "$$.Task.Token", "input.$": "$"},
    }
    if result_path != "$":
        task["ResultPath"] = result_path
    if timeout is not None:
        task["TimeoutSeconds"] = timeout
    if heartbeat is not None:
        task["HeartbeatSeconds"] = heartbeat
    if retry is not None:
        task["Retry"] = retry
    if catch is not None:
        task["Catch"] = catch
    if next_state is None:
        task["End"] = True
    else:
        task["Next"] = next_state
    return task


def build_callback_definition(
    *, execution_timeout: int | None = None, extra_states: dict[str, Any] | None = None, **task_fields: Any
) -> str:
    """A one-Task (plus ``extra_states``) callback state machine definition."""
    definition: dict[str, Any] = {
        "StartAt": "Callback",
        "States": {"Callback": callback_task(**task_fields), **(extra_states or {})},
    }
    if execution_timeout is not None:
        definition["TimeoutSeconds"] = execution_timeout
    return json.dumps(definition)


@pytest.fixture
def client() -> Iterator[stepfiber.SFNClient]:
    """A manual-clock client starting at START_TIME; closed after the test."""
    with stepfiber.client(manual_clock=True, start_time=START_TIME) as sfn:
        yield sfn


@pytest.fixture
def callback_definition() -> Callable[..., str]:
    """Build a callback (``.waitForTaskToken``) definition; see build_callback_definition."""
    return build_callback_definition


@pytest.fixture
def make_machine(client: stepfiber.SFNClient) -> Callable[..., str]:
    """Create a state machine from a definition (str or dict); returns its ARN."""

    def make(definition: Any, name: str | None = None, **kwargs: Any) -> str:
        text = definition if isinstance(definition, str) else json.dumps(definition)
        resp = client.create_state_machine(
            name=name or unique_name(), definition=text, roleArn=ROLE_ARN, **kwargs
        )
        return resp["stateMachineArn"]

    return make


@pytest.fixture
def start(client: stepfiber.SFNClient) -> Callable[..., str]:
    """Start an execution with a Python input value; returns the execution ARN."""

    def run(state_machine_arn: str, value: Any = None, name: str | None = None) -> str:
        kwargs: dict[str, Any] = {"stateMachineArn": state_machine_arn}
        if value is not None:
            kwargs["input"] = json.dumps(value)
        if name is not None:
            kwargs["name"] = name
        return client.start_execution(**kwargs)["executionArn"]

    return run


@pytest.fixture
def token_of(client: stepfiber.SFNClient) -> Callable[[str], str]:
    """The single pending task token of an execution."""

    def find(execution_arn: str) -> str:
        tasks = client.list_pending_tasks(execution_arn)
        assert len(tasks) == 1, tasks
        return tasks[0]["taskToken"]

    return find


def status_of(client: stepfiber.SFNClient, execution_arn: str) -> str:
    """The execution's current status."""
    return client.describe_execution(executionArn=execution_arn)["status"]


def history_types(client: stepfiber.SFNClient, execution_arn: str) -> list[str]:
    """The execution's history event types, in id order."""
    events = client.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
    return [event["type"] for event in events]
