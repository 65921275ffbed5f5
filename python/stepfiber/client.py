"""``SFNClient``: boto3's ``stepfunctions`` client, backed by the local engine.

Method names, keyword-only camelCase parameters, response dicts and error
classes follow boto3/botocore (model ``stepfunctions`` 2016-11-23). This
layer validates parameter shapes (as botocore does client-side), converts
types (ms <-> ``datetime``, JSON text -> dicts where boto3 parses them) and
maps engine errors to ``client.exceptions.<Code>``. AWS semantics live in the
C++ engine (``stepfiber._core``).

Known differences from boto3:

* ``None`` for an optional parameter means "omitted" (boto3 rejects ``None``).
* Members of the model the engine does not use are validated and ignored:
  ``loggingConfiguration``, ``tags``, ``tracingConfiguration``, ``publish``
  (no version ARN is returned), ``versionDescription``,
  ``encryptionConfiguration``, ``includedData``, ``traceHeader`` (validated,
  not stored).
* Datetimes are aware UTC (boto3 uses ``tzlocal()``); the instants are equal.
* Extensions, not in boto3: ``register_task_handler``,
  ``unregister_task_handler``, ``list_pending_tasks``, ``wait_for_execution``,
  ``wait_for_all``, ``advance_clock``, ``now``, ``close`` (and ``with``).
"""

from __future__ import annotations

import functools
import json
import re
import time
import weakref
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from json.encoder import encode_basestring_ascii
from typing import Any, Callable, TypeVar

from . import _core, _json
from ._handlers import HandlerPool, TaskHandler
from ._mock_config import MockConfigError, check_time_scale, install_mock_config, read_mock_config
from ._model import OPERATIONS, input_shape, output_converter, parse_output
from ._shapes import convert_times, datetime_to_ms, ms_to_datetime, pending_task, response, response_metadata
from ._validation import checker, scalar_rule, validate_params
from .exceptions import Exceptions, ParamValidationError, error_from_body, from_engine_error

__all__ = ["SFNClient", "client"]

R = TypeVar("R")


class _Missing:
    """Sentinel default of required parameters (so omission is reported like botocore)."""

    def __repr__(self) -> str:
        return "<required>"


MISSING: Any = _Missing()

#: Seconds a blocking wait spends inside the engine before Python checks signals.
_WAIT_SLICE_SECONDS = 0.2
#: Upper bound on how long ``close()`` (and interpreter exit) waits for handler threads.
_CLOSE_JOIN_SECONDS = 0.5


class _RequestPlan:
    """How one operation's keyword arguments become its request text, and its
    answer a response, worked out once from the model: members in model order,
    which are required, what botocore checks on each, each member's JSON key
    text, and the output's timestamp converter."""

    __slots__ = ("operation", "fields", "members", "keys", "convert")

    def __init__(self, operation: str) -> None:
        """Read ``operation``'s input shape from the model."""
        shape = input_shape(operation)
        required = set(shape.get("required", ()))
        self.operation = operation
        #: Per member in model order: (name, required, types, min, sized, check).
        #: A scalar has its :func:`scalar_rule` and no check; a structure, list or
        #: map has no rule (None, None, None) and its compiled check.
        fields = []
        for key, member in shape["members"].items():
            rule = scalar_rule(member)
            if rule is None:
                fields.append((key, key in required, None, None, None, checker(member)))
            else:
                fields.append((key, key in required, *rule, None))
        self.fields = tuple(fields)
        self.members = frozenset(shape["members"])
        self.keys = {key: f"{encode_basestring_ascii(key)}:" for key in shape["members"]}
        #: The output converter (timestamps -> datetime), see :func:`parse_output`.
        self.convert = output_converter(operation)

    def params(self, named: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
        """Merge named and extra kwargs, drop omitted ones, validate like botocore.

        The request lists model members in model order, then unknown names in
        the caller's order, so reports are deterministic. ``MISSING``, and
        ``None`` for an optional parameter, mean "omitted". Scalars are checked
        here, inline (see :func:`scalar_rule`); only a request these checks
        reject goes through :func:`validate_params`, which words botocore's
        report and raises.
        """
        given = {**named, **extra} if extra else named
        params: dict[str, Any] = {}
        valid = True
        for key, required, types, floor, sized, check in self.fields:
            value = given.get(key, MISSING)
            if value is MISSING or (value is None and not required):
                valid = valid and not required
                continue
            params[key] = value
            if check is not None:
                valid = check(value) and valid
            elif not isinstance(value, types) or (floor is not None and (len(value) if sized else value) < floor):
                valid = False
        if not given.keys() <= self.members:
            for key, value in given.items():
                if key not in self.members and value is not MISSING and value is not None:
                    params[key] = value
                    valid = False
        if not valid:
            validate_params(self.operation, params)
        return params

    def encode(self, body: Mapping[str, Any]) -> str:
        """``json.dumps(body, separators=(",", ":"))``: written here when every
        key is a member and every value a plain ``str`` (most requests), else
        by :func:`_json.dumps_compact`. The text is the same."""
        if type(body) is dict:
            keys = self.keys
            parts = []
            for key, value in body.items():
                if type(value) is not str or key not in keys:
                    return _json.dumps_compact(body)
                parts.append(keys[key] + encode_basestring_ascii(value))
            return "{" + ",".join(parts) + "}"
        return _json.dumps_compact(body)


@functools.lru_cache(maxsize=None)
def _request_plan(operation: str) -> _RequestPlan:
    """The :class:`_RequestPlan` of ``operation``, made on first use."""
    return _RequestPlan(operation)


def _shutdown(engine: _core.Engine, handlers: HandlerPool) -> None:
    """Stop handler threads and the engine; used by close() and at interpreter exit."""
    handlers.request_stop()
    try:
        engine.close()
    finally:
        handlers.join(_CLOSE_JOIN_SECONDS)


#: How long AWS keeps a closed execution visible: 90 days.
DEFAULT_RETENTION = timedelta(days=90)


def _retention_ms(value: float | timedelta) -> int:
    """``execution_retention`` as whole milliseconds, checked."""
    seconds = value.total_seconds() if isinstance(value, timedelta) else value
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds >= 0 \
            or seconds > 10_000 * 365 * 86400:
        raise ValueError(f"execution_retention must be a timedelta or seconds in [0, 10,000 years], got {value!r}")
    return int(round(seconds * 1000))


class SFNClient:
    """A boto3-compatible AWS Step Functions client running a local engine.

    Create it with :func:`stepfiber.client`. Every boto3-named method takes
    keyword-only camelCase arguments and returns a dict carrying
    ``ResponseMetadata``; errors are ``client.exceptions.<Code>`` (subclasses
    of :class:`stepfiber.ClientError`) or :class:`stepfiber.ParamValidationError`.
    """

    def __init__(
        self,
        *,
        manual_clock: bool = False,
        start_time: datetime | int | float | None = None,
        region_name: str = "us-east-1",
        handler_threads: int = 4,
        account_id: str = "123456789012",
        execution_retention: float | timedelta = DEFAULT_RETENTION,
        time_scale: float = 1.0,
        mock_config: Any = None,
    ) -> None:
        """Start an engine. Prefer :func:`stepfiber.client`, which forwards here."""
        start_ms = None if start_time is None else datetime_to_ms(start_time)
        if not (isinstance(account_id, str) and len(account_id) == 12 and account_id.isdigit()):
            raise ValueError(f"account_id must be 12 digits, got {account_id!r}")
        retention_ms = _retention_ms(execution_retention)
        mock_source = read_mock_config(mock_config)  # before the engine: a bad file starts nothing
        self._engine = _core.Engine(bool(manual_clock), start_ms, region_name, account_id, retention_ms,
                                    check_time_scale(time_scale))
        #: The operation layer: every AWS operation goes through it (AWS JSON 1.0).
        self._service = _core.Service(self._engine)
        self._manual_clock = bool(manual_clock)
        self._region = region_name
        self._handlers = HandlerPool(self._engine, handler_threads)
        self._closed = False
        #: Error classes, as on a boto3 client: ``client.exceptions.TaskTimedOut``.
        self.exceptions = Exceptions()
        self._finalizer = weakref.finalize(self, _shutdown, self._engine, self._handlers)
        if mock_source is not None:
            try:
                install_mock_config(self, mock_source)
            except MockConfigError:
                self.close()
                raise

    # --- plumbing -----------------------------------------------------------

    def _params(self, operation: str, extra: Mapping[str, Any], **named: Any) -> dict[str, Any]:
        """Merge named and extra kwargs, drop omitted ones, validate like botocore."""
        return _request_plan(operation).params(named, extra)

    def _invoke(self, operation: str, fn: Callable[..., R], *args: Any) -> R:
        """Call a native engine method, mapping ``EngineError`` to the matching ClientError."""
        if self._closed:
            raise RuntimeError(f"{self!r} is closed; {operation} is unavailable")
        try:
            return fn(*args)
        except _core.EngineError as exc:
            raise from_engine_error(exc, operation) from None

    def call_api(self, target: str, body: bytes | str) -> tuple[int, bytes]:
        """Extension: one raw AWS JSON 1.0 request through the operation layer.

        ``target`` is the ``X-Amz-Target`` value (``"AWSStepFunctions.StartExecution"``
        or ``"StepFiber.AdvanceClock"``) and ``body`` the JSON request text. Returns
        ``(http_status, body)`` exactly as the HTTP endpoint would send them. This is
        the door :func:`stepfiber.patch_boto3` and the HTTP server use.
        """
        if self._closed:
            raise RuntimeError(f"{self!r} is closed; {target} is unavailable")
        text = body.decode("utf-8", "surrogatepass") if isinstance(body, (bytes, bytearray)) else body
        status, raw = self._service.call(target, text)
        return status, raw

    def _call(self, operation: str, params: Mapping[str, Any], extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Run ``operation`` through the operation layer; shape the answer like botocore."""
        if self._closed:  # as call_api, inlined: this is every operation's path
            raise RuntimeError(f"{self!r} is closed; AWSStepFunctions.{operation} is unavailable")
        plan = _request_plan(operation)
        text = plan.encode({**params, **extra} if extra else params)
        status, raw = self._service.call(f"AWSStepFunctions.{operation}", text)
        data = _json.loads_body(raw) if raw else {}
        if status != 200:
            raise error_from_body(data, operation, status)
        if type(data) is not dict:
            return response(parse_output(operation, data))
        if plan.convert is not None:  # parse_output, without its look-ups
            plan.convert(data)
        data["ResponseMetadata"] = response_metadata()  # the decoded body is ours: no copy
        return data

    def _op(self, operation: str, extra: Mapping[str, Any], **named: Any) -> dict[str, Any]:
        """Validate like botocore, then :meth:`_call`."""
        return self._call(operation, _request_plan(operation).params(named, extra))

    # --- state machines -----------------------------------------------------

    def create_state_machine(
        self,
        *,
        name: str = MISSING,
        definition: str = MISSING,
        roleArn: str = MISSING,
        type: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Create a state machine (CreateStateMachine).

        ``type`` defaults to ``"STANDARD"``. Other model members
        (``loggingConfiguration``, ``tags``, ``tracingConfiguration``,
        ``publish``, ``versionDescription``, ``encryptionConfiguration``) are
        validated and ignored. Creating an identical machine again returns the
        existing one, as AWS does.

        Returns ``{"stateMachineArn", "creationDate": datetime, "ResponseMetadata"}``.
        Raises InvalidDefinition, InvalidName, StateMachineAlreadyExists, ...
        """
        return self._op("CreateStateMachine", kwargs, name=name, definition=definition, roleArn=roleArn, type=type)

    def describe_state_machine(self, *, stateMachineArn: str = MISSING, **kwargs: Any) -> dict[str, Any]:
        """Describe a state machine (DescribeStateMachine).

        Returns ``stateMachineArn``, ``name``, ``status``, ``definition``,
        ``roleArn``, ``type``, ``creationDate`` (datetime). ``includedData``
        is accepted and ignored. Raises InvalidArn, StateMachineDoesNotExist.
        """
        return self._op("DescribeStateMachine", kwargs, stateMachineArn=stateMachineArn)

    def list_state_machines(
        self, *, maxResults: int | None = None, nextToken: str | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """List state machines sorted by name (ListStateMachines).

        ``maxResults`` 0/omitted means 100 (max 1000). Returns
        ``{"stateMachines": [...], "nextToken"?}``; a bad ``nextToken``
        raises InvalidToken.
        """
        return self._op("ListStateMachines", kwargs, maxResults=maxResults, nextToken=nextToken)

    def update_state_machine(
        self,
        *,
        stateMachineArn: str = MISSING,
        definition: str | None = None,
        roleArn: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Update a state machine's definition and/or role (UpdateStateMachine).

        Running executions keep the definition they started with; new ones use
        the update. ``loggingConfiguration``, ``tracingConfiguration``,
        ``publish``, ``versionDescription`` and ``encryptionConfiguration`` are
        validated and ignored (no version ARN is returned).

        Returns ``{"updateDate": datetime, "revisionId", "ResponseMetadata"}``.
        Raises MissingRequiredParameter (nothing to update), InvalidArn,
        StateMachineDoesNotExist, InvalidDefinition, ValidationException.
        """
        return self._op(
            "UpdateStateMachine", kwargs, stateMachineArn=stateMachineArn, definition=definition, roleArn=roleArn
        )

    def validate_state_machine_definition(
        self,
        *,
        definition: str = MISSING,
        type: str | None = None,
        severity: str | None = None,
        maxResults: int | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Validate a definition as AWS does (ValidateStateMachineDefinition).

        ``type`` STANDARD (default) or EXPRESS; ``severity`` ERROR (default:
        errors only) or WARNING (errors and warnings); ``maxResults`` 0..100,
        0 or omitted meaning 100. JSONata definitions are validated like any
        other, although the engine cannot run them yet.

        Returns ``{"result": "OK"|"FAIL", "diagnostics": [{"severity", "code",
        "message", "location"?}], "truncated": bool, "ResponseMetadata"}``.
        Raises ValidationException for a bad enum value or ``maxResults``.
        """
        return self._op(
            "ValidateStateMachineDefinition",
            kwargs,
            definition=definition,
            type=type,
            severity=severity,
            maxResults=maxResults,
        )

    def delete_state_machine(self, *, stateMachineArn: str = MISSING, **kwargs: Any) -> dict[str, Any]:
        """Delete a state machine (DeleteStateMachine); unknown ARNs are a no-op.

        Returns a dict with only ``ResponseMetadata``. Raises InvalidArn.
        """
        return self._op("DeleteStateMachine", kwargs, stateMachineArn=stateMachineArn)

    # --- executions ---------------------------------------------------------

    # --- activities -------------------------------------------------------------------

    def create_activity(self, *, name: str = MISSING, **kwargs: Any) -> dict[str, Any]:
        """Create an activity (CreateActivity); the same name returns the same ARN.

        Returns ``{"activityArn", "creationDate": datetime}``. ``tags`` and
        ``encryptionConfiguration`` are validated and ignored. Raises InvalidName.
        """
        return self._op("CreateActivity", kwargs, name=name)

    def describe_activity(self, *, activityArn: str = MISSING, **kwargs: Any) -> dict[str, Any]:
        """Describe an activity (DescribeActivity): ``activityArn``, ``name``, ``creationDate``.

        Raises InvalidArn, ActivityDoesNotExist.
        """
        return self._op("DescribeActivity", kwargs, activityArn=activityArn)

    def list_activities(
        self, *, maxResults: int | None = None, nextToken: str | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """List activities sorted by name (ListActivities): ``{"activities": [...], "nextToken"?}``."""
        return self._op("ListActivities", kwargs, maxResults=maxResults, nextToken=nextToken)

    def delete_activity(self, *, activityArn: str = MISSING, **kwargs: Any) -> dict[str, Any]:
        """Delete an activity (DeleteActivity). Tasks scheduled on it later fail with
        States.Runtime ("The activity ... does not exist."). Raises InvalidArn."""
        return self._op("DeleteActivity", kwargs, activityArn=activityArn)

    def get_activity_task(
        self, *, activityArn: str = MISSING, workerName: str | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """Take the next task of an activity (GetActivityTask), long-polling up to 60 s.

        Returns ``{"taskToken", "input"}``, or ``{}`` (no ``taskToken``) when no
        task was scheduled in time, as AWS. Complete it with
        ``send_task_success``/``send_task_failure`` and keep it alive with
        ``send_task_heartbeat``. Raises InvalidArn, ActivityDoesNotExist.
        Extension: ``pollSeconds=`` shortens the long poll (default 60).
        """
        op = "GetActivityTask"
        poll = kwargs.pop("pollSeconds", None)
        p = self._params(op, kwargs, activityArn=activityArn, workerName=workerName)
        if poll is not None and (isinstance(poll, bool) or not isinstance(poll, (int, float))):
            raise ParamValidationError(report=f"pollSeconds must be a number of seconds, not {poll!r}")
        return self._call(op, p, None if poll is None else {"pollSeconds": float(poll)})

    def start_execution(
        self,
        *,
        stateMachineArn: str = MISSING,
        name: str | None = None,
        input: str | None = None,
        traceHeader: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Start an execution (StartExecution).

        ``input`` is JSON text (default ``"{}"``); ``name`` defaults to a UUID.
        Returns once the execution has run up to its first wait (task token,
        timer, handler call) or its end. Same name and input while RUNNING
        returns the original ``executionArn``/``startDate`` (idempotent start).

        Returns ``{"executionArn", "startDate": datetime, "ResponseMetadata"}``.
        Raises InvalidArn, StateMachineDoesNotExist, InvalidName,
        InvalidExecutionInput, ExecutionAlreadyExists, ValidationException.
        """
        return self._op(
            "StartExecution", kwargs, stateMachineArn=stateMachineArn, name=name, input=input, traceHeader=traceHeader
        )

    def start_sync_execution(
        self,
        *,
        stateMachineArn: str = MISSING,
        name: str | None = None,
        input: str | None = None,
        traceHeader: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Run an EXPRESS execution to its end (StartSyncExecution).

        Returns ``{"executionArn", "stateMachineArn", "name", "startDate",
        "stopDate", "status", "input", "inputDetails", "output",
        "outputDetails", "error", "cause", "billingDetails"}`` (output only on
        SUCCEEDED; error/cause when set). A failed execution is a normal
        response, not an exception, as on AWS. With a manual clock, time jumps
        to the next timer while the execution waits on one.
        Raises StateMachineTypeNotSupported for STANDARD machines, plus the
        errors of :meth:`start_execution`.
        """
        return self._op(
            "StartSyncExecution",
            kwargs,
            stateMachineArn=stateMachineArn,
            name=name,
            input=input,
            traceHeader=traceHeader,
        )

    # --- batch extensions ---------------------------------------------------------------

    def start_executions(
        self, *, stateMachineArn: str, inputs: Sequence[str], names: Sequence[str] | None = None
    ) -> dict[str, Any]:
        """Extension: start one execution per JSON input in one engine round trip.

        Much faster than a loop of :meth:`start_execution` (the GIL is released
        while the engine works). ``names`` (optional) gives each execution's
        name. Returns ``{"executions": [{"executionArn", "startDate"}, ...],
        "failures": [{"index", "code", "message"}, ...]}``: every input either
        started (in input order) or is listed in ``failures`` with the AWS error
        code :meth:`start_execution` would have raised.
        """
        if not isinstance(inputs, Sequence) or isinstance(inputs, str) or not all(isinstance(i, str) for i in inputs):
            raise ParamValidationError(report="inputs must be a list of JSON strings")
        if names is not None and (len(names) != len(inputs) or not all(isinstance(n, str) for n in names)):
            raise ParamValidationError(report="names must be a list of strings, one per input")
        started, failures = self._invoke(
            "StartExecutions", self._engine.start_executions, stateMachineArn, list(inputs), list(names or [])
        )
        return response({"executions": [convert_times(s) for s in started], "failures": failures})

    def send_task_success_batch(self, *, tasks: Sequence[Mapping[str, str]]) -> dict[str, Any]:
        """Extension: SendTaskSuccess for many tokens in one engine round trip.

        ``tasks`` is ``[{"taskToken": ..., "output": JSON text}, ...]``. Returns
        ``{"failures": [{"index", "code", "message"}, ...]}`` (empty when every
        token completed); codes are those of :meth:`send_task_success`.
        """
        tokens, outputs = _batch_columns(tasks, ("taskToken", "output"))
        failures = self._invoke("SendTaskSuccessBatch", self._engine.send_task_success_batch, tokens, outputs)
        return response({"failures": failures})

    def send_task_failure_batch(self, *, tasks: Sequence[Mapping[str, str | None]]) -> dict[str, Any]:
        """Extension: SendTaskFailure for many tokens in one engine round trip.

        ``tasks`` is ``[{"taskToken": ..., "error"?: ..., "cause"?: ...}, ...]``.
        Returns ``{"failures": [{"index", "code", "message"}, ...]}``.
        """
        tokens = [t.get("taskToken") for t in tasks]
        if not all(isinstance(t, str) for t in tokens):
            raise ParamValidationError(report="every task needs a string taskToken")
        errors = [t.get("error") for t in tasks]
        causes = [t.get("cause") for t in tasks]
        failures = self._invoke(
            "SendTaskFailureBatch", self._engine.send_task_failure_batch, tokens, errors, causes
        )
        return response({"failures": failures})

    def describe_execution(self, *, executionArn: str = MISSING, **kwargs: Any) -> dict[str, Any]:
        """Describe an execution (DescribeExecution).

        Returns ``executionArn``, ``stateMachineArn``, ``name``, ``status``,
        ``startDate``, ``stopDate`` (once closed), ``input`` (JSON text),
        ``output`` (JSON text, SUCCEEDED only), ``error``/``cause`` when set.
        Raises InvalidArn, ExecutionDoesNotExist.
        """
        return self._op("DescribeExecution", kwargs, executionArn=executionArn)

    def list_executions(
        self,
        *,
        stateMachineArn: str | None = None,
        statusFilter: str | None = None,
        maxResults: int | None = None,
        nextToken: str | None = None,
        mapRunArn: str | None = None,
        redriveFilter: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """List a state machine's executions, newest first (ListExecutions).

        Exactly one of ``stateMachineArn``/``mapRunArn`` is required (this
        engine has no Map Runs: a ``mapRunArn`` raises ResourceNotFound).
        Returns ``{"executions": [ExecutionListItem...], "nextToken"?}``.
        Raises InvalidArn, StateMachineDoesNotExist, InvalidToken, ValidationException.
        """
        return self._op(
            "ListExecutions",
            kwargs,
            stateMachineArn=stateMachineArn,
            statusFilter=statusFilter,
            maxResults=maxResults,
            nextToken=nextToken,
            mapRunArn=mapRunArn,
            redriveFilter=redriveFilter,
        )

    def stop_execution(
        self,
        *,
        executionArn: str = MISSING,
        error: str | None = None,
        cause: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Stop a running execution (StopExecution); status becomes ABORTED.

        Outstanding task tokens of the execution are closed (later sends get
        TaskTimedOut). Returns ``{"stopDate": datetime, "ResponseMetadata"}``.
        Raises InvalidArn, ExecutionDoesNotExist, ValidationException.
        """
        return self._op("StopExecution", kwargs, executionArn=executionArn, error=error, cause=cause)

    def get_execution_history(
        self,
        *,
        executionArn: str = MISSING,
        maxResults: int | None = None,
        reverseOrder: bool | None = None,
        nextToken: str | None = None,
        includeExecutionData: bool | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Return an execution's history events (GetExecutionHistory).

        Each event is ``{"timestamp": datetime, "type", "id",
        "previousEventId", "<type>EventDetails": {...}}`` as botocore parses
        it. ``includeExecutionData=False`` drops ``input``/``output`` from
        details. ``maxResults`` 0/omitted means 100 (max 1000).
        Raises InvalidArn, ExecutionDoesNotExist, InvalidToken.
        """
        return self._op(
            "GetExecutionHistory",
            kwargs,
            executionArn=executionArn,
            maxResults=maxResults,
            reverseOrder=reverseOrder,
            nextToken=nextToken,
            includeExecutionData=includeExecutionData,
        )

    # --- task tokens --------------------------------------------------------

    def send_task_success(
        self, *, taskToken: str = MISSING, output: str = MISSING, **kwargs: Any
    ) -> dict[str, Any]:
        """Complete a task token successfully (SendTaskSuccess).

        ``output`` is JSON text; it becomes the task's result. Returns a dict
        with only ``ResponseMetadata``. Raises InvalidToken (malformed or
        unknown token), TaskTimedOut (task already closed), InvalidOutput
        (not JSON), ValidationException (over 262144 bytes).
        """
        return self._op("SendTaskSuccess", kwargs, taskToken=taskToken, output=output)

    def send_task_failure(
        self,
        *,
        taskToken: str = MISSING,
        error: str | None = None,
        cause: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Fail a task token (SendTaskFailure) with an optional error and cause.

        Returns a dict with only ``ResponseMetadata``. Raises InvalidToken,
        TaskTimedOut, ValidationException (error > 256 / cause > 32768 chars).
        """
        return self._op("SendTaskFailure", kwargs, taskToken=taskToken, error=error, cause=cause)

    def send_task_heartbeat(self, *, taskToken: str = MISSING, **kwargs: Any) -> dict[str, Any]:
        """Reset a task's HeartbeatSeconds clock (SendTaskHeartbeat).

        Returns a dict with only ``ResponseMetadata``. Raises InvalidToken, TaskTimedOut.
        """
        return self._op("SendTaskHeartbeat", kwargs, taskToken=taskToken)

    # --- extensions (not part of boto3) -------------------------------------

    def register_task_handler(self, resource_arn: str, fn: TaskHandler) -> None:
        """Extension: serve Task states whose ``Resource`` is ``resource_arn`` in Python.

        ``fn(payload)`` receives the task's resolved input (Parameters applied)
        as Python objects and returns a JSON-serialisable result, which is the
        task's result. ``fn(payload, context)`` also receives
        ``{"taskToken", "executionArn", "stateName", "resource"}``
        (``taskToken`` is None unless the resource ends in ``.waitForTaskToken``).
        Raising fails the task with Error = the exception's class name and
        Cause = ``str(exc)``; a non-JSON result fails it with
        ``Runtime.MarshalError``. Handlers run on ``handler_threads`` daemon
        threads (started on first registration), never on an engine thread,
        so they may call this client (e.g. ``send_task_success``).
        Re-registering a resource replaces its handler.
        """
        if not isinstance(resource_arn, str) or not resource_arn:
            raise ValueError("resource_arn must be a non-empty string")
        if not callable(fn):
            raise TypeError(f"task handler must be callable, not {type(fn).__name__}")
        self._invoke("RegisterTaskHandler", self._handlers.register, resource_arn, fn)

    def unregister_task_handler(self, resource_arn: str) -> bool:
        """Extension: stop serving ``resource_arn``; returns False if it was not registered.

        Tasks on that resource scheduled afterwards are no longer sent to Python.
        """
        return self._invoke("UnregisterTaskHandler", self._handlers.unregister, resource_arn)

    def list_pending_tasks(self, executionArn: str | None = None) -> list[dict[str, Any]]:
        """Extension: tasks parked on a task token, oldest first.

        Each item is ``{"taskToken", "executionArn", "stateName", "resource",
        "parameters": <parsed JSON>, "scheduledDate": datetime}``. Pass
        ``executionArn`` to restrict to one execution.
        """
        raws = self._invoke("ListPendingTasks", self._engine.list_pending_tasks, executionArn)
        return [pending_task(raw) for raw in raws]

    def describe_state_machine_census(self, *, stateMachineArn: str = MISSING) -> dict[str, Any]:
        """Extension: where a state machine's RUNNING executions stand now, per state.

        Answered from counters the engine keeps as executions move, so it costs
        O(states) however many executions run. Returns ``{"stateMachineArn",
        "running": <RUNNING executions, every revision and version>,
        "revisions": <programs counted>, "date": datetime, "states": [{"name",
        "type", "running", "waitingForToken", "waiting", "retrying"}, ...]}``.
        ``states`` lists the current definition depth first (a Parallel's
        branches and a Map's processor follow their state); inside a Parallel
        or Map, ``running`` counts branches and iterations. States only an
        older revision still runs follow with ``"retired": True``.
        ``waitingForToken`` counts tasks parked on a token (or an activity
        worker), ``waiting`` Wait-state timers, ``retrying`` Retry back-offs.
        Raises InvalidArn, StateMachineDoesNotExist, ValidationException.
        """
        if stateMachineArn is MISSING or not isinstance(stateMachineArn, str):
            raise ParamValidationError(report="describe_state_machine_census needs stateMachineArn=<str>")
        status, raw = self.call_api("StepFiber.DescribeStateMachineCensus",
                                    json.dumps({"stateMachineArn": stateMachineArn}))
        data = json.loads(raw) if raw else {}
        if status != 200:
            raise error_from_body(data, "DescribeStateMachineCensus", status)
        data["date"] = ms_to_datetime(int(round(data["date"] * 1000)))
        return response(data)

    def wait_for_execution(self, executionArn: str, timeout: float | None = None) -> dict[str, Any]:
        """Extension: block until the execution is no longer RUNNING.

        Returns the :meth:`describe_execution` response. ``timeout`` is in
        real seconds (None = forever); on expiry raises :class:`TimeoutError`.
        With a manual clock nothing advances time while you wait.
        Raises InvalidArn, ExecutionDoesNotExist.
        """
        done = self._wait(
            lambda seconds: self._invoke(
                "WaitForExecution", self._engine.wait_for_execution, executionArn, seconds
            ),
            timeout,
        )
        if not done:
            raise TimeoutError(f"execution {executionArn} is still RUNNING after {timeout} s")
        return self.describe_execution(executionArn=executionArn)

    def wait_for_all(self, timeout: float | None = None) -> None:
        """Extension: block until no execution is RUNNING; TimeoutError after ``timeout`` s."""
        done = self._wait(
            lambda seconds: self._invoke("WaitForAll", self._engine.wait_for_all, seconds), timeout
        )
        if not done:
            raise TimeoutError(f"executions are still RUNNING after {timeout} s")

    @staticmethod
    def _wait(wait_slice: Callable[[float], bool], timeout: float | None) -> bool:
        """Wait in short engine calls so Ctrl-C is honoured; False on timeout."""
        deadline = None if timeout is None else time.monotonic() + max(0.0, timeout)
        while True:
            remaining = _WAIT_SLICE_SECONDS
            if deadline is not None:
                remaining = min(remaining, max(0.0, deadline - time.monotonic()))
            if wait_slice(remaining):
                return True
            if deadline is not None and time.monotonic() >= deadline:
                return False

    def engine_stats(self, *, scan: bool = True) -> dict[str, Any]:
        """Extension: engine counters -- executions (records held: running or
        within ``execution_retention``), purged (closed executions freed after
        it), running, succeeded / failed / timed_out / aborted (every ended
        execution, purged ones included), open_tokens, live_fibers,
        pending_timers, stacks_in_use, stack_resident_bytes (fiber stack pages
        in RAM), guard_pages.

        ``pending_timers`` and ``stack_resident_bytes`` each walk something
        that grows with the engine (every timer; the stack arena's pages), tens
        of milliseconds with a million parked executions. ``scan=False`` leaves
        those two keys out and costs the same at any size: use it to sample
        often, as the load-test tool does between batches."""
        return dict(self._invoke("EngineStats", self._engine.stats, scan))

    def advance_clock(self, seconds: float) -> None:
        """Extension (manual clock only): move engine time forward by ``seconds``.

        Due timers (Wait states, task and heartbeat timeouts, retry
        intervals, execution timeouts) fire in order, and woken executions run
        to their next wait before this returns. Raises ValidationException on
        a real clock or for a negative value.
        """
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            raise TypeError(f"seconds must be a number, not {type(seconds).__name__}")
        self._invoke("AdvanceClock", self._engine.advance_clock, float(seconds))

    def now(self) -> datetime:
        """Extension: the engine clock's current time (aware UTC datetime)."""
        return ms_to_datetime(self._invoke("Now", self._engine.now_ms))

    def close(self) -> None:
        """Extension: stop handler threads and the engine. Idempotent.

        Parked executions are discarded. Also runs automatically when the
        client is garbage-collected or the interpreter exits, bounded so that
        exit never hangs on a busy handler.
        """
        self._closed = True
        self._finalizer()

    @property
    def closed(self) -> bool:
        """Extension: True once :meth:`close` has run."""
        return self._closed

    def __enter__(self) -> SFNClient:
        """Use the client as a context manager; it is closed on exit."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Close the client."""
        self.close()

    def __repr__(self) -> str:
        clock = "manual" if self._manual_clock else "system"
        state = " closed" if self._closed else ""
        return f"<stepfiber.SFNClient {self._region} clock={clock}{state}>"


def _snake_case(operation: str) -> str:
    """botocore's method naming: ``DescribeMapRun`` -> ``describe_map_run``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


def _model_method(operation: str) -> Callable[..., dict[str, Any]]:
    """A boto3-named method for a model operation with no hand-written one."""
    name = _snake_case(operation)

    def method(self: SFNClient, **kwargs: Any) -> dict[str, Any]:
        return self._op(operation, kwargs)

    method.__name__ = name
    method.__qualname__ = f"SFNClient.{name}"
    method.__doc__ = (
        f"{operation} (boto3 ``{name}``), through the operation layer.\n\n"
        "Keyword-only camelCase parameters as in botocore's model; returns the response dict with\n"
        "``ResponseMetadata``; errors are ``client.exceptions.<Code>``."
    )
    return method


# Every model operation is a method, named as boto3 names it. The ones above
# carry hand-written docs; the rest are made here from the model.
for _operation in OPERATIONS:
    if not hasattr(SFNClient, _snake_case(_operation)):
        setattr(SFNClient, _snake_case(_operation), _model_method(_operation))
del _operation


def _batch_columns(tasks: Sequence[Mapping[str, Any]], keys: tuple[str, str]) -> tuple[list[str], list[str]]:
    """Split ``[{k1: .., k2: ..}]`` into two string lists, validating as botocore would."""
    first, second = [], []
    for i, task in enumerate(tasks):
        a, b = task.get(keys[0]) if isinstance(task, Mapping) else None, task.get(keys[1]) if isinstance(task, Mapping) else None
        if not isinstance(a, str) or not isinstance(b, str):
            raise ParamValidationError(report=f"tasks[{i}] needs string {keys[0]!r} and {keys[1]!r}")
        first.append(a)
        second.append(b)
    return first, second


def client(
    service_name: str = "stepfunctions",
    *,
    manual_clock: bool = False,
    start_time: datetime | int | float | None = None,
    region_name: str = "us-east-1",
    handler_threads: int = 4,
    account_id: str = "123456789012",
    execution_retention: float | timedelta = DEFAULT_RETENTION,
    time_scale: float = 1.0,
    mock_config: Any = None,
) -> SFNClient:
    """Create an :class:`SFNClient` with its own engine (like ``boto3.client``).

    Args:
        service_name: only ``"stepfunctions"`` (accepted for boto3 symmetry).
        manual_clock: when True, engine time moves only via ``advance_clock``.
        start_time: initial engine time (aware datetime, naive = UTC, or epoch
            seconds); default now.
        region_name: region used in ARNs.
        handler_threads: threads serving ``register_task_handler`` functions.
        account_id: the 12-digit account id used in ARNs.
        execution_retention: how long a closed execution stays visible to
            ``describe_execution``, ``get_execution_history`` and
            ``list_executions`` (seconds or a ``timedelta``, on the engine's
            clock); then its record and history are freed, its name may be
            reused and its memory goes back to the OS. Default 90 days, as on
            AWS. ``0`` frees each execution as soon as it ends (its result is
            then only seen through handlers, ``start_sync_execution`` or
            ``engine_stats``).
        time_scale: Step Functions Local's ``WAIT_TIME_SCALE``: 0.1 makes every
            Wait, timeout, heartbeat and retry back-off 10x shorter (the engine
            clock runs 10x faster). Finite, > 0; ignored with ``manual_clock``.
        mock_config: Step Functions Local's MockConfigFile, as a path or a dict
            (default: the file ``$SFN_MOCK_CONFIG`` names, if set). Start an
            execution on ``stateMachineArn + "#" + TestCase`` to run a test case.
            A bad file raises :class:`stepfiber.MockConfigError`.
    """
    if service_name != "stepfunctions":
        raise ValueError(f"stepfiber only provides 'stepfunctions', not {service_name!r}")
    return SFNClient(
        manual_clock=manual_clock,
        start_time=start_time,
        region_name=region_name,
        handler_threads=handler_threads,
        account_id=account_id,
        execution_retention=execution_retention,
        time_scale=time_scale,
        mock_config=mock_config,
    )
