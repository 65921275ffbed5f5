"""Running corpus cases on stepfiber and aggregating the results.

Each execution case gets a fresh manual-clock client (about 0.2 ms to create), named
after the case's own fakes so its snapshot transformers apply. The runner creates the
machine, starts the execution, then drives it: it lets task handlers finish, performs
the case's callback actions when their token is pending, and otherwise advances the
engine clock in growing steps so Wait states, timeouts, heartbeats and retry back-off
elapse. Every wait is bounded; an execution still RUNNING afterwards is a failure
(unless AWS recorded RUNNING).

Two doors (``door=``): ``"in-process"`` calls the engine's Python client;
``"endpoint"`` serves the case's engine over HTTP (:func:`stepfiber.serve`) and makes
every AWS operation with real boto3 over the socket (see :class:`EndpointDoor`). The
engine, its task handlers (the emulated services) and the extensions the runner needs to
drive time (``advance_clock``, ``list_pending_tasks``, ``wait_for_execution``) stay on the
engine's client in both.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import stepfiber

from .corpus import (
    Case,
    corpus_dir,
    definition_text,
    is_callback_case,
    is_pure_asl,
    uses_jsonata,
    iter_cases,
    load_summary,
    not_comparable_reason,
    task_resources,
)
from .normalise import CORPUS_ACCOUNT, DEFAULT_GLOBAL_RULES, Matcher, Normaliser
from .services import (
    LAMBDA_HEADER_TRANSFORMERS,
    UNKNOWABLE_REQUEST_ID_PLACEHOLDERS,
    ServiceEmulator,
    sqs_success_responder,
    unknown_lambda_templates,
)

try:  # boto3's errors (endpoint door); stepfiber.ClientError subclasses it when botocore is present
    from botocore.exceptions import ClientError as _BotocoreClientError
except ImportError:  # pragma: no cover
    _BotocoreClientError = stepfiber.ClientError  # type: ignore[misc,assignment]

#: What an API call raises through either door.
API_ERRORS: tuple[type[Exception], ...] = (stepfiber.ClientError, _BotocoreClientError)
#: The doors a case can be run through.
DOORS = ("in-process", "endpoint")

#: Fixed engine start time: results are deterministic run to run.
START_TIME = datetime(2024, 6, 1, 12, 0, 0, tzinfo=timezone.utc)
DEFAULT_ROLE = "arn:aws:iam::111111111111:role/stepfiber-conformance"
#: Engine-clock steps (seconds) used while an execution is parked on a timer; the last repeats.
ADVANCE_STEPS = (1, 10, 60, 600, 3600, 86400, 30 * 86400, 365 * 86400, 10 * 365 * 86400)
#: Bound on the engine time advanced per case (about 100 years).
MAX_ADVANCE_SECONDS = 100 * 365 * 86400
MAX_ROUNDS = 60
#: Real-time budget per case (seconds) for everything that waits on threads.
CASE_BUDGET_SECONDS = 10.0
#: Short real-time wait letting the engine absorb a handler result or a SendTask* call.
SETTLE_SECONDS = 0.02
#: History events after which an execution waits for a (not yet finished) task handler.
_HANDLER_WAIT_EVENTS = frozenset(
    {"TaskScheduled", "TaskStarted", "LambdaFunctionScheduled", "LambdaFunctionStarted"}
)
_CALLBACK_SUFFIX = ".waitForTaskToken"
_READ_AT_TEST_TIME = "<value read at test time"
_FLOOR_FILE = Path(__file__).with_name("floor.json")


@dataclass
class CaseResult:
    """The outcome of one case."""

    case_id: str
    file: str
    category: str
    pure: bool
    callback: bool
    outcome: str  # "pass" | "fail" | "skip"
    jsonata: bool = False  # the definition uses JSONata somewhere
    reason: str = ""  # skip reason, or the failure's grouping key
    diff: str = ""  # one line: what differs
    history_match: bool | None = None
    seconds: float = 0.0
    needs: list[str] = field(default_factory=list)

    @property
    def short(self) -> str:
        """The case id without its module path."""
        return re.sub(r"^.*?\.py::", "", self.case_id)


class CaseFailure(Exception):
    """Raised inside a case run: the case fails with ``reason`` / ``diff``."""

    def __init__(self, reason: str, diff: str = "") -> None:
        super().__init__(reason)
        self.reason, self.diff = reason, diff


# --- skips --------------------------------------------------------------------------


def skip_reason(case: Case) -> str | None:
    """Why a case cannot be run here, or None. Depends only on the case's data."""
    reason = not_comparable_reason(case)
    if reason:
        return reason
    for need in case.get("needs", []):
        reason = _unserved(need, case)
        if reason:
            return reason
    return None


def _unserved(need: str, case: Case) -> str | None:
    """The skip reason for one needed service, or None when it is emulated."""
    if need == "lambda":
        unknown = unknown_lambda_templates(case)
        return f"needs lambda: unknown function template {', '.join(unknown)}" if unknown else None
    if need == "sqs":
        if sqs_success_responder(case):
            return None
        plain = [r for r in task_resources(case) if ":sqs:" in r and not r.endswith(_CALLBACK_SUFFIX)]
        return "needs sqs: no local service (only .waitForTaskToken callbacks are emulated)" if plain else None
    if need == "activity":
        return None
    if need == "states":
        served = ("arn:aws:states:::states:startExecution", "arn:aws:states:::aws-sdk:sfn:")
        other = [r for r in task_resources(case) if not r.startswith(served)]
        return f"needs states: {', '.join(other)} not served" if other else None
    return f"needs {need}: no local service"


# --- callbacks ----------------------------------------------------------------------


@dataclass
class CallbackPlan:
    """The case's ``callback.actions``, performed in order as their tokens become pending."""

    case: Case
    actions: list[dict[str, Any]] = field(init=False)
    groups: list[tuple[int, dict[str, Any] | None]] = field(init=False)
    used_tokens: set[str] = field(default_factory=set)
    index: int = 0

    def __post_init__(self) -> None:
        block = self.case.get("callback", {})
        self.actions = list(block.get("actions", []))
        self.groups = _heartbeat_groups(block.get("test_calls", []))

    def step(self, sfn: stepfiber.SFNClient, execution_arn: str) -> bool:
        """Perform the next action if its token is pending; True if something was sent."""
        took = self._take_activity_tasks(sfn)
        if self.index >= len(self.actions):
            return took
        action = self.actions[self.index]
        kind = str(action.get("action", ""))
        if not kind.startswith("SendTask"):  # e.g. "none (task timed out)": let the clock run
            self.index += 1
            return False
        task = self._pending_task(sfn, execution_arn, action.get("state"))
        if task is None:
            return False
        heartbeats, call = self.groups[self.index] if self.index < len(self.groups) else (0, None)
        self.index += 1
        self.used_tokens.add(task["taskToken"])
        _send(sfn, kind, task, action, call, heartbeats, self.case)
        return True

    def _take_activity_tasks(self, sfn: stepfiber.SFNClient) -> bool:
        """Be the case's activity worker: GetActivityTask (as the recorded worker) on each
        activity resource, which starts the task and makes its token pending."""
        took = False
        workers = [t for t in self.case.get("callback", {}).get("token_tasks", [])
                   if str(t.get("resource", "")).startswith("activity:")]
        for resource in activity_resources(self.case):
            for task in workers:
                if task.get("taken"):
                    continue
                got = sfn.get_activity_task(activityArn=resource, workerName=task.get("worker_name"), pollSeconds=0)
                if got.get("taskToken"):
                    task["taken"] = True
                    took = True
        return took

    def _pending_task(self, sfn: stepfiber.SFNClient, arn: str, state: Any) -> dict[str, Any] | None:
        for task in sfn.list_pending_tasks(arn):
            if task["taskToken"] not in self.used_tokens and (state is None or task["stateName"] == state):
                return task
        return None


def _heartbeat_groups(calls: Sequence[dict[str, Any]]) -> list[tuple[int, dict[str, Any] | None]]:
    """``test_calls`` split at each SendTaskSuccess/Failure: (heartbeats before it, the call)."""
    groups: list[tuple[int, dict[str, Any] | None]] = []
    beats = 0
    for call in calls:
        if call.get("op") == "SendTaskHeartbeat":
            beats += 1
        elif call.get("op") in ("SendTaskSuccess", "SendTaskFailure"):
            groups.append((beats, call))
            beats = 0
    return groups


def _send(
    sfn: stepfiber.SFNClient,
    kind: str,
    task: dict[str, Any],
    action: dict[str, Any],
    call: dict[str, Any] | None,
    heartbeats: int,
    case: Case,
) -> None:
    """Heartbeats, then the action's SendTaskSuccess/Failure/Heartbeat on the token."""
    token = task["taskToken"]
    try:
        for _ in range(heartbeats):
            sfn.send_task_heartbeat(taskToken=token)
        if kind == "SendTaskSuccess":
            sfn.send_task_success(taskToken=token, output=_success_output(task, action, call, case))
        elif kind == "SendTaskFailure":
            cause = action.get("cause")
            sfn.send_task_failure(
                taskToken=token,
                error=action.get("error"),
                cause=cause if cause is None or isinstance(cause, str) else json.dumps(cause),
            )
        elif kind == "SendTaskHeartbeat":
            sfn.send_task_heartbeat(taskToken=token)
    except API_ERRORS as exc:
        raise CaseFailure(f"{kind} raised {exc.response['Error']['Code']}", str(exc)[:200]) from None


def _success_output(task: dict[str, Any], action: dict[str, Any], call: dict[str, Any] | None, case: Case) -> str:
    """What the test's responder sent: the message body, body.Message, or the recorded output."""
    parameters = task.get("parameters") if isinstance(task.get("parameters"), dict) else {}
    body = parameters.get("MessageBody")
    if call and str(call.get("output", "")).startswith(_READ_AT_TEST_TIME) and body is not None:
        return body if isinstance(body, str) else json.dumps(body)
    responders = case.get("callback", {}).get("responders", [])
    if any(r.get("fixture") == "sqs_send_task_success_state_machine" for r in responders):
        message = _parsed(body)
        if isinstance(message, dict) and "Message" in message:
            return json.dumps(message["Message"])
    return json.dumps(action.get("output"))


def _parsed(value: Any) -> Any:
    """JSON text parsed, anything else unchanged."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


# --- the endpoint door ------------------------------------------------------------------


_SESSION_LOCK = threading.Lock()
_SESSION: Any = None


def _botocore_session() -> Any:
    """One botocore session for every endpoint case (clients from it load the model once)."""
    global _SESSION
    with _SESSION_LOCK:
        if _SESSION is None:
            import botocore.session

            _SESSION = botocore.session.Session()
        return _SESSION


class EndpointDoor:
    """The runner's client, with every AWS operation made by real boto3 over HTTP.

    The engine's client is served with :func:`stepfiber.serve` on 127.0.0.1 (a free
    port); a botocore ``stepfunctions`` client with ``endpoint_url`` and
    ``inject_host_prefix=False`` (StartSyncExecution) calls it, with fake credentials and
    no retries (an error must show, not be retried away). ``GetActivityTask`` goes over
    the same socket as a raw AWS JSON request, because the runner shortens its long poll
    with the ``pollSeconds`` extension member that boto3 would refuse. The extensions
    that drive the engine (``list_pending_tasks``, ``advance_clock``,
    ``wait_for_execution``) go to the engine's own client.
    """

    _AWS = frozenset({
        "create_state_machine", "create_activity", "start_execution", "start_sync_execution",
        "stop_execution", "describe_execution", "get_execution_history",
        "send_task_success", "send_task_failure", "send_task_heartbeat", "test_state",
    })

    def __init__(self, engine: stepfiber.SFNClient) -> None:
        from botocore.config import Config

        self.engine = engine
        self.server = stepfiber.serve(engine)
        self.boto = _botocore_session().create_client(
            "stepfunctions",
            region_name=CORPUS_REGION,
            endpoint_url=self.server.endpoint_url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(inject_host_prefix=False, retries={"total_max_attempts": 1}, read_timeout=30),
        )

    def __getattr__(self, name: str) -> Any:
        if name in self._AWS:
            method = getattr(self.boto, name)

            def call(**kwargs: Any) -> Any:
                return method(**{k: v for k, v in kwargs.items() if v is not None})

            return call
        if name in ("list_pending_tasks", "advance_clock", "wait_for_execution"):
            return getattr(self.engine, name)
        raise AttributeError(f"the endpoint door has no {name!r}")

    def get_activity_task(self, *, activityArn: str, workerName: str | None = None,
                          pollSeconds: float | None = None) -> dict[str, Any]:
        """GetActivityTask over the socket (raw AWS JSON 1.0, with the pollSeconds extension)."""
        import urllib.error
        import urllib.request

        body: dict[str, Any] = {"activityArn": activityArn}
        if workerName is not None:
            body["workerName"] = workerName
        if pollSeconds is not None:
            body["pollSeconds"] = pollSeconds
        request = urllib.request.Request(
            self.server.endpoint_url + "/",
            data=json.dumps(body).encode(),
            headers={"X-Amz-Target": "AWSStepFunctions.GetActivityTask",
                     "Content-Type": "application/x-amz-json-1.0"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:  # an AWS error answer: raise it as boto3 would
            error = json.loads(exc.read() or b"{}")
            code = str(error.get("__type", "")).rsplit("#", 1)[-1] or f"HTTP{exc.code}"
            raise _BotocoreClientError({"Error": {"Code": code, "Message": error.get("message", "")}},
                                       "GetActivityTask") from None

    def close(self) -> None:
        """Close the boto3 client and stop the server (the engine's client stays open)."""
        try:
            self.boto.close()
        finally:
            self.server.close()


# --- running one case -------------------------------------------------------------------


CORPUS_REGION = "us-east-1"


def names_for(case: Case) -> tuple[str, str, str]:
    """(state machine name, execution name, role ARN) named by the case's own transformers.

    LocalStack replaces the machine name with ``<ArnPart_0idx>``, the execution name with an
    ``...Exec..._0idx`` token and the role ARN with a word; using the same names lets those
    transformers apply to actual results as they did to the recording.
    """
    machine, execution, role = "conformance", "exec", DEFAULT_ROLE
    for spec in case.get("snapshot_transformers", []):
        pattern, replacement = spec.get("pattern"), str(spec.get("replacement", ""))
        if spec.get("type") != "regex" or not isinstance(pattern, str):
            continue
        if re.fullmatch(r"arn:aws:iam::\d{12}:role/[\w+=,.@-]+", pattern):
            role = pattern
        elif re.fullmatch(r"[\w-]{1,80}", pattern) and replacement == "<ArnPart_0idx>":
            machine = pattern
        elif re.fullmatch(r"[\w-]{1,80}", pattern) and "Exec" in replacement and "Part2" not in replacement:
            execution = pattern
    return machine, execution, role


def run_case(
    case: Case,
    path: Path | None = None,
    global_rules: Sequence[dict[str, Any]] = DEFAULT_GLOBAL_RULES,
    door: str = "in-process",
) -> CaseResult:
    """Run one execution case through ``door`` (see :data:`DOORS`) and compare it with the recording.

    ``global_rules`` are the corpus's ``global_normalisers`` (``_summary.json``).
    """
    if door not in DOORS:
        raise ValueError(f"door must be one of {DOORS}, got {door!r}")
    started = time.perf_counter()
    result = CaseResult(
        case_id=str(case.get("id")),
        file=path.name if path else "",
        category=str(case.get("category", "?")),
        pure=is_pure_asl(case),
        callback=is_callback_case(case),
        jsonata=uses_jsonata(case.get("definition")),
        outcome="skip",
        needs=[str(n) for n in case.get("needs", [])],
    )
    reason = skip_reason(case)
    if reason:
        result.reason = reason
    else:
        _execute(case, result, global_rules, door)
    result.seconds = time.perf_counter() - started
    return result


def _execute(case: Case, result: CaseResult, global_rules: Sequence[dict[str, Any]], door: str) -> None:
    """Run the case on a fresh client (through ``door``) and fill ``result``."""
    emulator = ServiceEmulator(case)
    # _drive jumps the clock by up to 10 years at a time to reach Wait
    # deadlines, far past AWS's 90-day retention: keep executions longer.
    sfn = stepfiber.client(
        manual_clock=True, start_time=START_TIME, handler_threads=2, account_id=CORPUS_ACCOUNT, region_name=CORPUS_REGION,
        execution_retention=timedelta(days=1000 * 365),
    )
    api: Any = sfn
    try:
        if door == "endpoint":
            api = EndpointDoor(sfn)
        emulator.install(sfn)
        description, history, account = _run_execution(api, case, emulator)
        transformers = list(case.get("snapshot_transformers", [])) + list(LAMBDA_HEADER_TRANSFORMERS)
        normaliser = Normaliser(transformers, account, global_rules)
        _judge(case, result, description, history, normaliser)
    except CaseFailure as failure:
        result.outcome, result.reason, result.diff = "fail", failure.reason, failure.diff
    except Exception as exc:  # a runner or engine crash is this case's failure, never the run's
        result.outcome, result.reason, result.diff = "fail", f"runner error: {type(exc).__name__}", str(exc)[:200]
    finally:
        emulator.close()
        if api is not sfn:
            api.close()
        sfn.close()


def _run_execution(
    sfn: stepfiber.SFNClient, case: Case, emulator: ServiceEmulator
) -> tuple[dict[str, Any], list[str], str]:
    """Create, start and drive the execution; return (description, event types, account id)."""
    machine_name, execution_name, role = names_for(case)
    try:
        created = sfn.create_state_machine(
            name=machine_name,
            definition=definition_text(case),
            roleArn=role,
            type=case.get("state_machine_type") or "STANDARD",
        )
    except API_ERRORS as exc:
        raise CaseFailure(_engine_reason("CreateStateMachine", exc), _message(exc)) from None
    arn = created["stateMachineArn"]
    account = arn.split(":")[4]
    _create_other_machines(sfn, case, role)
    _create_activities(sfn, case)
    kwargs: dict[str, Any] = {"stateMachineArn": arn, "name": execution_name}
    if "input" in case:
        kwargs["input"] = json.dumps(case["input"])
    start_api = case.get("start") or "StartExecution"
    try:
        if start_api == "StartSyncExecution":
            execution_arn = sfn.start_sync_execution(**kwargs)["executionArn"]
        else:
            execution_arn = sfn.start_execution(**kwargs)["executionArn"]
    except API_ERRORS as exc:
        raise CaseFailure(_engine_reason(start_api, exc), _message(exc)) from None
    _execution_ops(sfn, case, execution_arn)
    description = _drive(sfn, case, emulator, execution_arn)
    return description, _history_types(sfn, execution_arn), account


def activity_resources(case: Case) -> list[str]:
    """The activity ARNs the case's Task states use."""
    return [r for r in task_resources(case) if ":activity:" in r]


def _create_activities(sfn: stepfiber.SFNClient, case: Case) -> None:
    """The activities a worker served in the recording (a case without a callback block
    recorded an activity that no longer existed)."""
    if not case.get("callback"):
        return
    for arn in activity_resources(case):
        sfn.create_activity(name=arn.rsplit(":", 1)[-1])


def _create_other_machines(sfn: stepfiber.SFNClient, case: Case, role: str) -> None:
    """Machines the test created besides the one under test (targets of nested executions)."""
    for other in case.get("other_state_machines", []):
        arn, definition = other.get("arn", ""), other.get("definition")
        parts = arn.split(":")
        if len(parts) < 7 or parts[5] != "stateMachine" or definition is None:
            continue
        try:
            sfn.create_state_machine(name=parts[6], definition=json.dumps(definition), roleArn=role,
                                     type=other.get("type", "STANDARD"))
        except API_ERRORS as exc:
            raise CaseFailure(_engine_reason("CreateStateMachine (other)", exc), _message(exc)) from None


def _execution_ops(sfn: stepfiber.SFNClient, case: Case, execution_arn: str) -> None:
    """API calls the test made on the running execution (e.g. StopExecution)."""
    for op in case.get("execution_ops", []):
        if op.get("op") == "StopExecution":
            try:
                sfn.stop_execution(executionArn=execution_arn, error=op.get("error"), cause=op.get("cause"))
            except API_ERRORS:
                pass  # AWS's answer for an ended express execution is not part of the comparison


def _drive(sfn: stepfiber.SFNClient, case: Case, emulator: ServiceEmulator, arn: str) -> dict[str, Any]:
    """Run the execution to completion (bounded); return its description."""
    deadline = time.monotonic() + CASE_BUDGET_SECONDS
    plan = CallbackPlan(case)
    expect_running = case.get("expected", {}).get("status") == "RUNNING"
    advanced, steps = 0.0, 0
    for _ in range(MAX_ROUNDS):
        _settle(sfn, emulator, arn, deadline)
        description = sfn.describe_execution(executionArn=arn)
        if description["status"] != "RUNNING" or expect_running:
            return description
        if plan.step(sfn, arn):
            continue
        if advanced >= MAX_ADVANCE_SECONDS or time.monotonic() > deadline:
            break
        step = ADVANCE_STEPS[min(steps, len(ADVANCE_STEPS) - 1)]
        sfn.advance_clock(step)
        advanced, steps = advanced + step, steps + 1
    description = sfn.describe_execution(executionArn=arn)
    if description["status"] == "RUNNING":
        raise CaseFailure("still RUNNING after driving", f"advanced the clock {advanced:.0f} s; {_last_event(sfn, arn)}")
    return description


def _settle(sfn: stepfiber.SFNClient, emulator: ServiceEmulator, arn: str, deadline: float) -> None:
    """Wait (bounded) until no task handler is computing for the execution."""
    if emulator.activity.calls == 0 and not sfn.list_pending_tasks(arn) and not _awaits_handler(sfn, arn, emulator):
        return
    while time.monotonic() < deadline:
        emulator.activity.wait_idle(max(0.0, deadline - time.monotonic()))
        try:
            sfn.wait_for_execution(arn, timeout=SETTLE_SECONDS)
            return
        except TimeoutError:
            pass
        if not _awaits_handler(sfn, arn, emulator):
            return


def _awaits_handler(sfn: stepfiber.SFNClient, arn: str, emulator: ServiceEmulator) -> bool:
    """True when the execution waits on a handler that is queued or computing."""
    if not emulator.installed or emulator.activity.sleeping:
        return False
    events = sfn.get_execution_history(executionArn=arn, reverseOrder=True, maxResults=1)["events"]
    return bool(events) and events[0]["type"] in _HANDLER_WAIT_EVENTS


def _history_types(sfn: stepfiber.SFNClient, arn: str) -> list[str]:
    """Every event type of the execution, in id order."""
    types: list[str] = []
    token: str | None = None
    while True:
        page = sfn.get_execution_history(executionArn=arn, maxResults=1000, nextToken=token, includeExecutionData=False)
        types.extend(event["type"] for event in page["events"])
        token = page.get("nextToken")
        if not token:
            return types


def _last_event(sfn: stepfiber.SFNClient, arn: str) -> str:
    events = sfn.get_execution_history(executionArn=arn, reverseOrder=True, maxResults=1)["events"]
    return f"last event {events[0]['type']}" if events else "no events"


# --- comparison --------------------------------------------------------------------------


def actual_document(case: Case, description: dict[str, Any]) -> dict[str, Any]:
    """status/output/error/cause of the execution, parsed the way the recording is."""
    expected = case.get("expected", {})
    document: dict[str, Any] = {"status": description["status"]}
    if "output" in description:
        raw = description["output"]
        document["output"] = raw if expected.get("output_is_raw_text") else _parsed(raw)
    for key in ("error", "cause"):
        value = description.get(key)
        if value not in (None, ""):
            document[key] = _parsed(value) if key == "cause" and not isinstance(expected.get(key), str) else value
    return document


def _judge(
    case: Case, result: CaseResult, description: dict[str, Any], history: list[str], normaliser: Normaliser
) -> None:
    """Compare with the recording; set outcome, reason, diff and history match."""
    expected = dict(case.get("expected", {}))
    expected.pop("output_is_raw_text", None)
    actual = normaliser.apply(actual_document(case, description))
    matcher = Matcher(list(case.get("expected_placeholders", [])) + list(UNKNOWABLE_REQUEST_ID_PLACEHOLDERS))
    reason, diff = _first_mismatch(expected, actual, matcher)
    result.outcome = "fail" if reason else "pass"
    result.reason, result.diff = reason or "", diff or ""
    if "history" in case:
        result.history_match = history_key(case["history"], case) == history_key(history, case)


def _first_mismatch(expected: dict[str, Any], actual: dict[str, Any], matcher: Matcher) -> tuple[str | None, str | None]:
    """(grouping reason, one-line diff) of the first differing field; (None, None) if equal."""
    if expected.get("status") != actual.get("status"):
        got = actual.get("status")
        error = f" ({actual['error']})" if actual.get("error") else ""
        detail = f"expected {expected.get('status')} {_summary_of(expected)}; got {got}{error} {_summary_of(actual)}"
        return f"status {expected.get('status')} -> {got}{error}", detail
    for key in ("error", "cause", "output"):
        if key not in expected and key not in actual:
            continue
        if key not in actual or key not in expected:
            where = "missing" if key not in actual else "unexpected"
            return f"{key} {where}", f"{key}: expected {_one_line(expected.get(key))}, got {_one_line(actual.get(key))}"
        difference = matcher.first_difference(expected[key], actual[key], key)
        if difference:
            return f"{key} differs", difference
    return None, None


def _summary_of(document: dict[str, Any]) -> str:
    """error/cause or output of a result document, cut short."""
    if document.get("error") or document.get("cause"):
        return f"error={document.get('error')!r} cause={_one_line(document.get('cause'), 120)}"
    return f"output={_one_line(document.get('output'), 120)}" if "output" in document else ""


def _one_line(value: Any, limit: int = 160) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = text.replace("\n", "\\n")
    return text if len(text) <= limit else text[: limit - 1] + "…"


_SUB_STARTED = re.compile(r"^(Parallel|Map)State(Started)$")
_SUB_END = re.compile(r"^(Parallel|Map)State(Succeeded|Failed|Aborted|Exited)$")


def history_key(types: Sequence[str], case: Case) -> list[str]:
    """The event-type sequence to compare.

    When the test sorted Parallel/Map sub-events (``history_order_normalised``), events
    between ``...StateStarted`` and the state's end are sorted on both sides, and the
    ``...StateSucceeded/Failed/Aborted`` markers (absent from such recordings) are dropped.
    """
    if not case.get("history_order_normalised"):
        return list(types)
    out: list[str] = []
    segment: list[str] | None = None
    for event in types:
        if segment is not None and _SUB_END.match(event):
            out.extend(sorted(segment))
            segment = None
        if segment is not None:
            segment.append(event)
            continue
        out.append(event)
        if _SUB_STARTED.match(event):
            segment = []
    out.extend(sorted(segment or []))
    return [e for e in out if not _SUB_END.match(e) or e.endswith("Exited")]


# --- engine error wording ------------------------------------------------------------------


def _message(exc: Exception) -> str:
    return str(getattr(exc, "response", {}).get("Error", {}).get("Message", exc))[:300]


def _engine_reason(operation: str, exc: Exception) -> str:
    """A grouping key for an API error: ``Code: first problem`` (locations and values removed)."""
    code = getattr(exc, "response", {}).get("Error", {}).get("Code", type(exc).__name__)
    problems = re.split(r",?\s*SCHEMA_VALIDATION_FAILED: ", _message(exc))
    text = re.sub(r" at /\S*$", "", (problems[1:] or problems)[0].rstrip("'"))
    hint = re.search(r"\(([^()]*not supported[^()]*)\)", text) or re.search(r"(\w[\w ]* are not supported yet)", text)
    if hint:
        text = hint.group(1)
    else:
        text = re.sub(r" by an? \w+ state", "", text).replace("'\"", "'").replace("\"'", "'")
        text = re.sub(r"\s*\(only [^()]*\)", "", text)
    prefix = "" if operation == "CreateStateMachine" else f"{operation} "
    return f"{prefix}{code}: {text[:110]}"


# --- the whole corpus ------------------------------------------------------------------------


def run_corpus(directory: Path | None = None, select: str | None = None, door: str = "in-process") -> list[CaseResult]:
    """Run every execution case through ``door`` (optionally only ids containing ``select``)."""
    directory = directory or corpus_dir()
    if directory is None:
        raise FileNotFoundError("conformance corpus not found")
    global_rules = load_summary(directory).get("global_normalisers") or DEFAULT_GLOBAL_RULES
    results = []
    for path, case in iter_cases(directory):
        if select and select not in str(case.get("id")):
            continue
        results.append(run_case(case, path, global_rules, door))
    return results


@dataclass
class Figure:
    """One headline figure: passes over compared (pass + fail) cases."""

    name: str
    passed: int
    compared: int
    skipped: int

    @property
    def rate(self) -> float:
        """Pass rate over compared cases (0 when none)."""
        return self.passed / self.compared if self.compared else 0.0


#: Service groups with a headline figure (and a floor): key -> (the ``needs`` entry, name).
SERVICE_GROUPS: dict[str, tuple[str, str]] = {
    "lambda": ("lambda", "Lambda cases (emulated functions)"),
    "nested_executions": ("states", "nested-execution cases (states:startExecution, aws-sdk:sfn)"),
    "activities": ("activity", "activity cases"),
}


def headline(results: Sequence[CaseResult]) -> dict[str, Figure]:
    """The headline figures: pure ASL, callbacks, history, and one per runnable service group."""
    pure = [r for r in results if r.pure]
    callback = [r for r in results if r.callback]
    history = [r for r in results if r.outcome == "pass" and r.history_match is not None]
    figures = {
        "pure_asl": _figure("execution cases needing no service, no JSONata", pure),
        "callback": _figure("callback cases", callback),
        "jsonata": _figure("JSONata cases (any category)", [r for r in results if r.jsonata]),
        "history": Figure(
            "history sequence matches (passing cases)",
            sum(1 for r in history if r.history_match),
            len(history),
            0,
        ),
    }
    for key, (need, name) in SERVICE_GROUPS.items():
        figures[key] = _figure(name, [r for r in results if need in r.needs])
    return figures


def _figure(name: str, group: Sequence[CaseResult]) -> Figure:
    outcomes = Counter(r.outcome for r in group)
    return Figure(name, outcomes["pass"], outcomes["pass"] + outcomes["fail"], outcomes["skip"])


def category_rows(results: Sequence[CaseResult]) -> list[dict[str, Any]]:
    """Per category: total, pass, fail, skip, history matches among passes."""
    groups: dict[str, list[CaseResult]] = defaultdict(list)
    for result in results:
        groups[result.category].append(result)
    rows = [_row(name, groups[name]) for name in sorted(groups)]
    rows.append(_row("TOTAL", list(results)))
    return rows


def _row(name: str, group: Sequence[CaseResult]) -> dict[str, Any]:
    outcomes = Counter(r.outcome for r in group)
    with_history = [r for r in group if r.outcome == "pass" and r.history_match is not None]
    return {
        "category": name,
        "total": len(group),
        "pass": outcomes["pass"],
        "fail": outcomes["fail"],
        "skip": outcomes["skip"],
        "history": f"{sum(1 for r in with_history if r.history_match)}/{len(with_history)}",
    }


def grouped(results: Iterable[CaseResult], outcome: str) -> list[tuple[str, int]]:
    """(reason, count) for results with ``outcome``, most frequent first."""
    return Counter(r.reason for r in results if r.outcome == outcome).most_common()


def format_report(results: Sequence[CaseResult], markdown: bool = False, top: int = 15) -> str:
    """The category table, headline figures, skip reasons and top failure reasons."""
    lines = [_table(category_rows(results), markdown), ""]
    lines.append("Headline figures:" if not markdown else "**Headline figures**")
    lines.append("")
    for figure in headline(results).values():
        skipped = f", {figure.skipped} skipped" if figure.skipped else ""
        bullet = "- " if markdown else "  "
        lines.append(f"{bullet}{figure.name}: {figure.passed}/{figure.compared} = {figure.rate:.1%}{skipped}")
    lines += ["", "Skip reasons:" if not markdown else "**Skip reasons**", ""]
    lines += [f"{'- ' if markdown else '  '}{count:4d} × {reason}" for reason, count in grouped(results, "skip")]
    lines += ["", f"Top failure reasons (of {sum(1 for r in results if r.outcome == 'fail')}):" if not markdown else "**Top failure reasons**", ""]
    lines += [f"{'- ' if markdown else '  '}{count:4d} × {reason}" for reason, count in grouped(results, "fail")[:top]]
    return "\n".join(lines)


def _table(rows: Sequence[dict[str, Any]], markdown: bool) -> str:
    headers = ["category", "total", "pass", "fail", "skip", "history"]
    cells = [[str(row[h]) for h in headers] for row in rows]
    if markdown:
        out = ["| " + " | ".join(headers) + " |", "|" + "|".join(["---"] + ["---:"] * 5) + "|"]
        out += ["| " + " | ".join(c) + " |" for c in cells]
        return "\n".join(out)
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    fmt = "  ".join(f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))
    return "\n".join([fmt.format(*headers), fmt.format(*("-" * w for w in widths))] + [fmt.format(*c) for c in cells])


def failure_lines(results: Sequence[CaseResult], category: str | None = None) -> list[str]:
    """One line per failing case (optionally of one category): id, reason, diff."""
    chosen = [r for r in results if r.outcome == "fail" and (category in (None, "all") or r.category == category)]
    return [f"{r.short}\n    {r.reason} | {r.diff}" for r in chosen]


# --- floor -------------------------------------------------------------------------------------


def load_floor(path: Path = _FLOOR_FILE) -> dict[str, Any]:
    """The committed minimum pass counts per headline figure."""
    return json.loads(path.read_text())


def floor_violations(results: Sequence[CaseResult], floor: dict[str, Any]) -> list[str]:
    """Headline figures below their floor (empty when every floor holds)."""
    figures = headline(results)
    problems = []
    for key, minimum in floor.get("min_passed", {}).items():
        figure = figures[key]
        if figure.passed < minimum:
            problems.append(f"{figure.name}: {figure.passed} passed, floor is {minimum}")
    return problems


def current_floor(results: Sequence[CaseResult]) -> dict[str, int]:
    """The pass counts a new floor would record."""
    return {key: figure.passed for key, figure in headline(results).items()}


def results_json(results: Sequence[CaseResult]) -> str:
    """All results as JSON (for tooling)."""
    return json.dumps([asdict(r) for r in results], indent=1)

