"""register_task_handler: Python callables serving Task resources (extension)."""

from __future__ import annotations

import json
import threading
import time
from typing import Any, Callable

import pytest
from conftest import CALLBACK_RESOURCE, wait_until

import stepfiber

MakeMachine = Callable[..., str]
Start = Callable[..., str]
Definition = Callable[..., str]

FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:py-handler"


def task_machine(resource: str = FUNCTION_ARN, **task_fields: Any) -> dict[str, Any]:
    """A single request-response Task on ``resource`` (plus the catcher target when it catches:
    AWS refuses a definition with an unreachable state)."""
    task = {"Type": "Task", "Resource": resource, "End": True, **task_fields}
    states: dict[str, Any] = {"Work": task}
    if "Catch" in task_fields:
        states["Handled"] = {"Type": "Pass", "End": True}
    return {"StartAt": "Work", "States": states}


class PaymentDeclined(Exception):
    """A handler-raised business error."""


def test_handler_result_becomes_task_result(
    client: stepfiber.SFNClient, make_machine: MakeMachine, start: Start
) -> None:
    client.register_task_handler(FUNCTION_ARN, lambda payload: {"doubled": payload["n"] * 2})
    n = 21
    desc = client.wait_for_execution(start(make_machine(task_machine()), {"n": n}), timeout=10)
    assert desc["status"] == "SUCCEEDED"
    assert json.loads(desc["output"]) == {"doubled": n * 2}


def test_handler_receives_resolved_parameters(
    client: stepfiber.SFNClient, make_machine: MakeMachine, start: Start
) -> None:
    seen: list[Any] = []
    client.register_task_handler(FUNCTION_ARN, lambda payload: seen.append(payload) or "ok")
    machine = task_machine(Parameters={"user.$": "$.who", "fixed": 1}, ResultPath="$.result")
    payload = {"who": "ada", "other": True}
    desc = client.wait_for_execution(start(make_machine(machine), payload), timeout=10)
    assert seen == [{"user": payload["who"], "fixed": 1}]
    assert json.loads(desc["output"]) == {**payload, "result": "ok"}


def test_handler_with_context_gets_execution_and_state(
    client: stepfiber.SFNClient, make_machine: MakeMachine, start: Start
) -> None:
    contexts: list[dict[str, Any]] = []

    def handler(payload: Any, context: dict[str, Any]) -> None:
        contexts.append(context)

    client.register_task_handler(FUNCTION_ARN, handler)
    exec_arn = start(make_machine(task_machine()))
    client.wait_for_execution(exec_arn, timeout=10)
    assert contexts == [
        {"taskToken": None, "executionArn": exec_arn, "stateName": "Work", "resource": FUNCTION_ARN}
    ]


def test_handler_exception_fails_task_with_class_name_and_message(
    client: stepfiber.SFNClient, make_machine: MakeMachine, start: Start
) -> None:
    message = "card 4242 declined"

    def handler(payload: Any) -> None:
        raise PaymentDeclined(message)

    client.register_task_handler(FUNCTION_ARN, handler)
    desc = client.wait_for_execution(start(make_machine(task_machine())), timeout=10)
    assert desc["status"] == "FAILED"
    assert (desc["error"], desc["cause"]) == (PaymentDeclined.__name__, message)


def test_handler_exception_is_catchable_with_result_path(
    client: stepfiber.SFNClient, make_machine: MakeMachine, start: Start
) -> None:
    def handler(payload: Any) -> None:
        raise KeyError("sku")

    client.register_task_handler(FUNCTION_ARN, handler)
    machine = task_machine(Catch=[{"ErrorEquals": ["KeyError"], "ResultPath": "$.error", "Next": "Handled"}])
    payload = {"order": 5}
    desc = client.wait_for_execution(start(make_machine(machine), payload), timeout=10)
    assert desc["status"] == "SUCCEEDED"
    assert json.loads(desc["output"]) == {
        **payload,
        "error": {"Error": "KeyError", "Cause": str(KeyError("sku"))},
    }


@pytest.mark.parametrize("bad", [{1, 2}, object(), float("nan")], ids=["set", "object", "nan"])
def test_handler_non_json_result_fails_task_naming_the_type(
    client: stepfiber.SFNClient, make_machine: MakeMachine, start: Start, bad: Any
) -> None:
    client.register_task_handler(FUNCTION_ARN, lambda payload: bad)
    desc = client.wait_for_execution(start(make_machine(task_machine())), timeout=10)
    assert desc["status"] == "FAILED"
    assert desc["error"] == "Runtime.MarshalError"
    assert type(bad).__name__ in desc["cause"]


def test_handler_retry_backoff_timing(
    client: stepfiber.SFNClient, make_machine: MakeMachine, start: Start
) -> None:
    interval, rate, failures = 1, 2.0, 3
    calls: list[Any] = []

    def flaky(payload: Any) -> dict[str, int]:
        calls.append(client.now())
        if len(calls) <= failures:
            raise TimeoutError(f"attempt {len(calls)}")
        return {"attempts": len(calls)}

    client.register_task_handler(FUNCTION_ARN, flaky)
    machine = task_machine(
        Retry=[
            {
                "ErrorEquals": ["TimeoutError"],
                "IntervalSeconds": interval,
                "BackoffRate": rate,
                "MaxAttempts": failures,
            }
        ]
    )
    exec_arn = start(make_machine(machine))
    for attempt in range(failures):
        wait_until(lambda n=attempt + 1: len(calls) == n)
        wait_until(lambda n=attempt + 1: _count(client, exec_arn, "TaskFailed") == n)
        delay = interval * rate**attempt
        client.advance_clock(delay - 0.25)
        assert _count(client, exec_arn, "TaskScheduled") == attempt + 1, "retry came early"
        client.advance_clock(0.25)
    desc = client.wait_for_execution(exec_arn, timeout=10)
    assert desc["status"] == "SUCCEEDED"
    assert json.loads(desc["output"]) == {"attempts": failures + 1}
    gaps = [(b - a).total_seconds() for a, b in zip(calls, calls[1:])]
    assert gaps == [interval * rate**k for k in range(failures)]


def _count(client: stepfiber.SFNClient, exec_arn: str, event_type: str) -> int:
    """Count ``Task<X>`` events; a Lambda-ARN resource may record ``LambdaFunction<X>`` (as AWS)."""
    wanted = {event_type, "LambdaFunction" + event_type[len("Task") :]}
    events = client.get_execution_history(executionArn=exec_arn, maxResults=1000)["events"]
    return sum(1 for e in events if e["type"] in wanted)


def test_handler_runs_on_handler_thread_not_caller_or_engine(
    client: stepfiber.SFNClient, make_machine: MakeMachine, start: Start
) -> None:
    names: list[str] = []
    client.register_task_handler(FUNCTION_ARN, lambda p: names.append(threading.current_thread().name))
    client.wait_for_execution(start(make_machine(task_machine())), timeout=10)
    assert len(names) == 1
    assert names[0].startswith("stepfiber-handler-")
    assert names[0] != threading.main_thread().name


def test_callback_handler_may_complete_its_own_token(
    client: stepfiber.SFNClient, make_machine: MakeMachine, start: Start, callback_definition: Definition
) -> None:
    def handler(payload: dict[str, Any]) -> dict[str, str]:
        client.send_task_success(taskToken=payload["token"], output=json.dumps({"echo": payload["input"]}))
        return {"MessageId": "sent"}

    client.register_task_handler(CALLBACK_RESOURCE, handler)
    payload = {"x": [1, 2]}
    desc = client.wait_for_execution(start(make_machine(callback_definition()), payload), timeout=10)
    assert desc["status"] == "SUCCEEDED"
    assert json.loads(desc["output"]) == {"echo": payload}


def test_handler_may_start_executions(
    client: stepfiber.SFNClient, make_machine: MakeMachine, start: Start
) -> None:
    child_arn = make_machine({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})

    def handler(payload: Any) -> str:
        return client.start_execution(stateMachineArn=child_arn, input=json.dumps(payload))["executionArn"]

    client.register_task_handler(FUNCTION_ARN, handler)
    desc = client.wait_for_execution(start(make_machine(task_machine()), {"k": "v"}), timeout=10)
    child = client.wait_for_execution(json.loads(desc["output"]), timeout=10)
    assert child["status"] == "SUCCEEDED" and json.loads(child["output"]) == {"k": "v"}


def test_many_handler_calls_in_parallel() -> None:
    count = 200
    with stepfiber.client(manual_clock=True, handler_threads=8) as sfn:
        sfn.register_task_handler(FUNCTION_ARN, lambda payload: payload["i"] + 1)
        arn = sfn.create_state_machine(
            name="parallel",
            definition=json.dumps(task_machine()),
            roleArn="arn:aws:iam::123456789012:role/r",
        )["stateMachineArn"]
        runs = [
            sfn.start_execution(stateMachineArn=arn, input=json.dumps({"i": i}))["executionArn"]
            for i in range(count)
        ]
        sfn.wait_for_all(timeout=60)
        outputs = [json.loads(sfn.describe_execution(executionArn=r)["output"]) for r in runs]
    assert outputs == [i + 1 for i in range(count)]


def test_unregister_task_handler_reports_whether_registered(client: stepfiber.SFNClient) -> None:
    client.register_task_handler(FUNCTION_ARN, lambda payload: None)
    assert client.unregister_task_handler(FUNCTION_ARN) is True
    assert client.unregister_task_handler(FUNCTION_ARN) is False


def test_register_task_handler_rejects_non_callables(client: stepfiber.SFNClient) -> None:
    with pytest.raises(TypeError):
        client.register_task_handler(FUNCTION_ARN, "not callable")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        client.register_task_handler("", lambda payload: None)


def test_close_with_blocked_handler_does_not_hang() -> None:
    release = threading.Event()
    sfn = stepfiber.client(manual_clock=True, handler_threads=1)
    sfn.register_task_handler(FUNCTION_ARN, lambda payload: release.wait(30))
    arn = sfn.create_state_machine(
        name="blocked", definition=json.dumps(task_machine()), roleArn="arn:aws:iam::123456789012:role/r"
    )["stateMachineArn"]
    sfn.start_execution(stateMachineArn=arn)
    t0 = time.monotonic()
    sfn.close()
    assert time.monotonic() - t0 < 10
    release.set()
