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

import bisect
import time
import weakref
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Callable, TypeVar

from . import _core
from ._handlers import HandlerPool, TaskHandler
from ._paging import page_size, paginate
from ._shapes import (
    convert_times,
    datetime_to_ms,
    execution_description,
    execution_list_item,
    history_events,
    ms_to_datetime,
    pending_task,
    response,
)
from ._validation import INPUT_SHAPES, member_max, validate_params
from .exceptions import Exceptions, ParamValidationError, from_engine_error, make_error

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
    ) -> None:
        """Start an engine. Prefer :func:`stepfiber.client`, which forwards here."""
        start_ms = None if start_time is None else datetime_to_ms(start_time)
        if not (isinstance(account_id, str) and len(account_id) == 12 and account_id.isdigit()):
            raise ValueError(f"account_id must be 12 digits, got {account_id!r}")
        retention_ms = _retention_ms(execution_retention)
        self._engine = _core.Engine(bool(manual_clock), start_ms, region_name, account_id, retention_ms)
        self._manual_clock = bool(manual_clock)
        self._region = region_name
        self._handlers = HandlerPool(self._engine, handler_threads)
        self._closed = False
        #: Error classes, as on a boto3 client: ``client.exceptions.TaskTimedOut``.
        self.exceptions = Exceptions()
        self._finalizer = weakref.finalize(self, _shutdown, self._engine, self._handlers)

    # --- plumbing -----------------------------------------------------------

    def _params(self, operation: str, extra: Mapping[str, Any], **named: Any) -> dict[str, Any]:
        """Merge named and extra kwargs, drop omitted ones, validate like botocore."""
        shape = INPUT_SHAPES[operation]
        required = shape.get("required", ())
        given = {**named, **extra}
        order = [k for k in shape["members"] if k in given] + [k for k in given if k not in shape["members"]]
        params: dict[str, Any] = {}
        for key in order:  # model order, so reports are deterministic
            value = given[key]
            if value is MISSING or (value is None and key not in required):
                continue
            params[key] = value
        validate_params(operation, params)
        return params

    def _invoke(self, operation: str, fn: Callable[..., R], *args: Any) -> R:
        """Call the engine, mapping ``EngineError`` to the matching ClientError."""
        if self._closed:
            raise RuntimeError(f"{self!r} is closed; {operation} is unavailable")
        try:
            return fn(*args)
        except _core.EngineError as exc:
            raise from_engine_error(exc, operation) from None

    @staticmethod
    def _check_max_length(operation: str, member: str, value: str | None) -> None:
        """Service-side length check for members the engine never receives."""
        limit = member_max(operation, member)
        if value is not None and limit is not None and len(value) > limit:
            raise make_error(
                "ValidationException",
                f"1 validation error detected: Value at '{member}' failed to satisfy "
                f"constraint: Member must have length less than or equal to {limit}",
                operation,
            )

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
        op = "CreateStateMachine"
        p = self._params(op, kwargs, name=name, definition=definition, roleArn=roleArn, type=type)
        raw = self._invoke(
            op,
            self._engine.create_state_machine,
            p["name"],
            p["definition"],
            p["roleArn"],
            p.get("type", "STANDARD"),
        )
        return response(convert_times(raw))

    def describe_state_machine(self, *, stateMachineArn: str = MISSING, **kwargs: Any) -> dict[str, Any]:
        """Describe a state machine (DescribeStateMachine).

        Returns ``stateMachineArn``, ``name``, ``status``, ``definition``,
        ``roleArn``, ``type``, ``creationDate`` (datetime). ``includedData``
        is accepted and ignored. Raises InvalidArn, StateMachineDoesNotExist.
        """
        op = "DescribeStateMachine"
        p = self._params(op, kwargs, stateMachineArn=stateMachineArn)
        raw = self._invoke(op, self._engine.describe_state_machine, p["stateMachineArn"])
        return response(convert_times(raw))

    def list_state_machines(
        self, *, maxResults: int | None = None, nextToken: str | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """List state machines sorted by name (ListStateMachines).

        ``maxResults`` 0/omitted means 100 (max 1000). Returns
        ``{"stateMachines": [...], "nextToken"?}``; a bad ``nextToken``
        raises InvalidToken.
        """
        op = "ListStateMachines"
        p = self._params(op, kwargs, maxResults=maxResults, nextToken=nextToken)
        limit = page_size(p.get("maxResults"), op)
        items = self._invoke(op, self._engine.list_state_machines)
        page, token = paginate(
            items,
            key=lambda item: item["name"],
            start_index=lambda cursor: _index_after_name(items, cursor),
            next_token=p.get("nextToken"),
            limit=limit,
            operation=op,
            scope="",
        )
        return response(_with_token({"stateMachines": [convert_times(i) for i in page]}, token))

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
        op = "UpdateStateMachine"
        p = self._params(op, kwargs, stateMachineArn=stateMachineArn, definition=definition, roleArn=roleArn)
        if not any(k in p for k in ("definition", "roleArn", "loggingConfiguration", "tracingConfiguration")):
            raise make_error(
                "MissingRequiredParameter",
                "Either the definition, the role ARN, the LoggingConfiguration, "
                "or the TracingConfiguration must be specified",
                op,
            )
        raw = self._invoke(
            op, self._engine.update_state_machine, p["stateMachineArn"], p.get("definition"), p.get("roleArn")
        )
        return response(convert_times(raw))

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
        op = "ValidateStateMachineDefinition"
        p = self._params(op, kwargs, definition=definition, type=type, severity=severity, maxResults=maxResults)
        raw = self._invoke(
            op,
            self._engine.validate_state_machine_definition,
            p["definition"],
            p.get("type", "STANDARD"),
            p.get("severity", "ERROR"),
            p.get("maxResults", 0),
        )
        return response(raw)

    def delete_state_machine(self, *, stateMachineArn: str = MISSING, **kwargs: Any) -> dict[str, Any]:
        """Delete a state machine (DeleteStateMachine); unknown ARNs are a no-op.

        Returns a dict with only ``ResponseMetadata``. Raises InvalidArn.
        """
        op = "DeleteStateMachine"
        p = self._params(op, kwargs, stateMachineArn=stateMachineArn)
        self._invoke(op, self._engine.delete_state_machine, p["stateMachineArn"])
        return response()

    # --- executions ---------------------------------------------------------

    # --- activities -------------------------------------------------------------------

    def create_activity(self, *, name: str = MISSING, **kwargs: Any) -> dict[str, Any]:
        """Create an activity (CreateActivity); the same name returns the same ARN.

        Returns ``{"activityArn", "creationDate": datetime}``. ``tags`` and
        ``encryptionConfiguration`` are validated and ignored. Raises InvalidName.
        """
        op = "CreateActivity"
        p = self._params(op, kwargs, name=name)
        return response(convert_times(self._invoke(op, self._engine.create_activity, p["name"])))

    def describe_activity(self, *, activityArn: str = MISSING, **kwargs: Any) -> dict[str, Any]:
        """Describe an activity (DescribeActivity): ``activityArn``, ``name``, ``creationDate``.

        Raises InvalidArn, ActivityDoesNotExist.
        """
        op = "DescribeActivity"
        p = self._params(op, kwargs, activityArn=activityArn)
        return response(convert_times(self._invoke(op, self._engine.describe_activity, p["activityArn"])))

    def list_activities(
        self, *, maxResults: int | None = None, nextToken: str | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """List activities sorted by name (ListActivities): ``{"activities": [...], "nextToken"?}``."""
        op = "ListActivities"
        p = self._params(op, kwargs, maxResults=maxResults, nextToken=nextToken)
        limit = page_size(p.get("maxResults"), op)
        items = self._invoke(op, self._engine.list_activities)
        page, token = paginate(
            items,
            key=lambda item: item["name"],
            start_index=lambda cursor: _index_after_name(items, cursor),
            next_token=p.get("nextToken"),
            limit=limit,
            operation=op,
            scope="",
        )
        return response(_with_token({"activities": [convert_times(i) for i in page]}, token))

    def delete_activity(self, *, activityArn: str = MISSING, **kwargs: Any) -> dict[str, Any]:
        """Delete an activity (DeleteActivity). Tasks scheduled on it later fail with
        States.Runtime ("The activity ... does not exist."). Raises InvalidArn."""
        op = "DeleteActivity"
        p = self._params(op, kwargs, activityArn=activityArn)
        self._invoke(op, self._engine.delete_activity, p["activityArn"])
        return response({})

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
        poll = kwargs.pop("pollSeconds", 60.0)
        p = self._params(op, kwargs, activityArn=activityArn, workerName=workerName)
        raw = self._invoke(
            op, self._engine.get_activity_task, p["activityArn"], p.get("workerName"), float(poll)
        )
        return response(dict(raw))

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
        op = "StartExecution"
        p = self._params(
            op, kwargs, stateMachineArn=stateMachineArn, name=name, input=input, traceHeader=traceHeader
        )
        self._check_max_length(op, "traceHeader", p.get("traceHeader"))
        raw = self._invoke(
            op, self._engine.start_execution, p["stateMachineArn"], p.get("name"), p.get("input")
        )
        return response(convert_times(raw))

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
        op = "StartSyncExecution"
        p = self._params(
            op, kwargs, stateMachineArn=stateMachineArn, name=name, input=input, traceHeader=traceHeader
        )
        self._check_max_length(op, "traceHeader", p.get("traceHeader"))
        raw = self._invoke(
            op, self._engine.start_sync_execution, p["stateMachineArn"], p.get("name"), p.get("input")
        )
        body = execution_description(raw)
        duration = int((body["stopDate"] - body["startDate"]).total_seconds() * 1000)
        body["billingDetails"] = {"billedMemoryUsedInMB": 64, "billedDurationInMilliseconds": max(100, duration)}
        return response(body)

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
        op = "DescribeExecution"
        p = self._params(op, kwargs, executionArn=executionArn)
        raw = self._invoke(op, self._engine.describe_execution, p["executionArn"])
        return response(execution_description(raw))

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
        op = "ListExecutions"
        p = self._params(
            op,
            kwargs,
            stateMachineArn=stateMachineArn,
            statusFilter=statusFilter,
            maxResults=maxResults,
            nextToken=nextToken,
            mapRunArn=mapRunArn,
            redriveFilter=redriveFilter,
        )
        arn = self._list_executions_target(p, op)
        limit = page_size(p.get("maxResults"), op)
        items = self._invoke(op, self._engine.list_executions, arn, p.get("statusFilter"))
        if p.get("redriveFilter") == "REDRIVEN":
            items = [i for i in items if i.get("redriveCount", 0) > 0]
        positions = {item["executionArn"]: index for index, item in enumerate(items)}
        page, token = paginate(
            items,
            key=lambda item: item["executionArn"],
            start_index=lambda cursor: _next_position(positions, cursor),
            next_token=p.get("nextToken"),
            limit=limit,
            operation=op,
            scope=f"{arn}|{p.get('statusFilter', '')}|{p.get('redriveFilter', '')}",
        )
        return response(_with_token({"executions": [execution_list_item(i) for i in page]}, token))

    @staticmethod
    def _list_executions_target(params: Mapping[str, Any], operation: str) -> str:
        """The state machine ARN to list; errors for the mapRunArn forms."""
        has_sm, has_map_run = "stateMachineArn" in params, "mapRunArn" in params
        if has_sm == has_map_run:
            raise make_error(
                "ValidationException",
                "Must provide exactly one of stateMachineArn or mapRunArn",
                operation,
            )
        if has_map_run:
            raise make_error("ResourceNotFound", f"Resource not found: '{params['mapRunArn']}'", operation)
        return str(params["stateMachineArn"])

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
        op = "StopExecution"
        p = self._params(op, kwargs, executionArn=executionArn, error=error, cause=cause)
        raw = self._invoke(op, self._engine.stop_execution, p["executionArn"], p.get("error"), p.get("cause"))
        return response(convert_times(raw))

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
        op = "GetExecutionHistory"
        p = self._params(
            op,
            kwargs,
            executionArn=executionArn,
            maxResults=maxResults,
            reverseOrder=reverseOrder,
            nextToken=nextToken,
            includeExecutionData=includeExecutionData,
        )
        limit = page_size(p.get("maxResults"), op)
        reverse = bool(p.get("reverseOrder", False))
        raws: Sequence[Mapping[str, Any]] = self._invoke(
            op, self._engine.get_execution_history, p["executionArn"]
        )
        if reverse:
            raws = raws[::-1]
        page, token = paginate(
            raws,
            key=lambda event: event["id"],
            start_index=lambda cursor: _index_after_id(raws, cursor, reverse),
            next_token=p.get("nextToken"),
            limit=limit,
            operation=op,
            scope=f"{p['executionArn']}|{'reverse' if reverse else 'forward'}",
        )
        events = history_events(page, bool(p.get("includeExecutionData", True)))
        return response(_with_token({"events": events}, token))

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
        op = "SendTaskSuccess"
        p = self._params(op, kwargs, taskToken=taskToken, output=output)
        self._invoke(op, self._engine.send_task_success, p["taskToken"], p["output"])
        return response()

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
        op = "SendTaskFailure"
        p = self._params(op, kwargs, taskToken=taskToken, error=error, cause=cause)
        self._invoke(op, self._engine.send_task_failure, p["taskToken"], p.get("error"), p.get("cause"))
        return response()

    def send_task_heartbeat(self, *, taskToken: str = MISSING, **kwargs: Any) -> dict[str, Any]:
        """Reset a task's HeartbeatSeconds clock (SendTaskHeartbeat).

        Returns a dict with only ``ResponseMetadata``. Raises InvalidToken, TaskTimedOut.
        """
        op = "SendTaskHeartbeat"
        p = self._params(op, kwargs, taskToken=taskToken)
        self._invoke(op, self._engine.send_task_heartbeat, p["taskToken"])
        return response()

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

    def engine_stats(self) -> dict[str, Any]:
        """Extension: engine counters -- executions (records held: running or
        within ``execution_retention``), purged (closed executions freed after
        it), running, succeeded / failed / timed_out / aborted (every ended
        execution, purged ones included), open_tokens, live_fibers,
        pending_timers, stacks_in_use, stack_resident_bytes (fiber stack pages
        in RAM), guard_pages."""
        return dict(self._invoke("EngineStats", self._engine.stats))

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


# --- pagination helpers ------------------------------------------------------


def _with_token(body: dict[str, Any], token: str | None) -> dict[str, Any]:
    if token is not None:
        body["nextToken"] = token
    return body


def _index_after_name(items: Sequence[Mapping[str, Any]], cursor: Any) -> int | None:
    """First index whose name sorts after ``cursor`` (items are sorted by name)."""
    if not isinstance(cursor, str):
        return None
    return bisect.bisect_right([item["name"] for item in items], cursor)  # no key= on 3.9


def _next_position(positions: Mapping[str, int], cursor: Any) -> int | None:
    """Index just after the execution ``cursor`` (None if it vanished)."""
    if not isinstance(cursor, str) or cursor not in positions:
        return None
    return positions[cursor] + 1


def _index_after_id(events: Sequence[Mapping[str, Any]], cursor: Any, reverse: bool) -> int | None:
    """First index past event id ``cursor`` in id order (or reverse id order)."""
    if isinstance(cursor, bool) or not isinstance(cursor, int):
        return None
    if reverse:
        return bisect.bisect_right([-event["id"] for event in events], -cursor)
    return bisect.bisect_right([event["id"] for event in events], cursor)


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
    )
