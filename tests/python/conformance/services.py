"""Python task handlers standing in for the AWS services a case integrates with.

Only what the case data shows is emulated; everything else is a skip with a reason.

* **Lambda** - the functions a case creates are named in its ``resources``
  (``create_lambda_function`` with a ``handler_file`` from LocalStack's templates). The
  behaviour of each template file is below (:data:`LAMBDA_FUNCTIONS`), taken from the file
  or, where the file is not available, from what every recording shows it doing. Both
  integration forms are served: the function ARN as ``Resource`` (result = the function's
  return value) and ``arn:aws:states:::lambda:invoke`` (result = the Invoke envelope, built
  as AWS's Lambda integration builds it from the function's response: see
  :func:`invoke_envelope`; fields no one can know in advance - request ids, dates, trace
  ids - get fresh values that the corpus placeholders and LocalStack's header transformers
  cover). Nothing here reads a case's expected output.
* **Callbacks** - ``.waitForTaskToken`` resources answer with the integration's recorded
  response (``callback.token_tasks[].submitted_output``), which becomes TaskSubmitted; the
  runner then completes the token (see :mod:`.runner`).
"""

from __future__ import annotations

import base64
import json
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any

from .corpus import Case, callback_resources, task_resources

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
_FUNCTION_ARN_RE = re.compile(r"^arn:aws[\w-]*:lambda:([\w-]+):(\d{12}):function:([\w-]+)(?::[\w$-]+)?$")
#: AWS's service limit on a state's result (256 KiB).
_PAYLOAD_LIMIT = 256 * 1024
#: Real seconds a "sleeping" function blocks at most (it is released when the case ends).
_SLEEP_CAP_SECONDS = 30.0


def task_error(error: str, cause: str) -> Exception:
    """An exception the engine turns into Error = ``error``, Cause = ``cause``.

    A handler's failure is reported as Error = the exception's class name, so the class
    is named after the error (``Lambda.ResourceNotFoundException`` is a valid class name
    for ``type``).
    """
    return type(error, (Exception,), {})(cause)


@dataclass(frozen=True)
class FunctionBehaviour:
    """What one LocalStack Lambda template does."""

    returns: Callable[[Any], Any] | None = None
    raises: tuple[str, str, int, str] | None = None  # (errorType, errorMessage, line, source line)
    sleeps: bool = False


LAMBDA_FUNCTIONS: dict[str, FunctionBehaviour] = {
    # def handler(event, context): return event
    "id_function.py": FunctionBehaviour(returns=lambda event: event),
    # returns b'"HelloWorld!"'; Lambda sends the bytes, i.e. the JSON string "HelloWorld!"
    "return_bytes_str.py": FunctionBehaviour(returns=lambda event: "HelloWorld!"),
    # return f"input-event-{event}" (Python's str() of the event)
    "return_decorated_input.py": FunctionBehaviour(returns=lambda event: f"input-event-{event}"),
    # returns {"Return": "HelloWorld"} whatever the event (recorded pipe of two calls)
    "echo_function.py": FunctionBehaviour(returns=lambda event: {"Return": "HelloWorld"}),
    # a string over the 256 KiB result limit
    "large_output_string.py": FunctionBehaviour(returns=lambda event: "a" * (_PAYLOAD_LIMIT + 1)),
    # line 2: raise Exception("Some exception was raised.")
    "raise_exception.py": FunctionBehaviour(
        raises=("Exception", "Some exception was raised.", 2, 'raise Exception("Some exception was raised.")')
    ),
    # line 9: raise CustomException()
    "raise_custom_exception.py": FunctionBehaviour(raises=("CustomException", "", 9, "raise CustomException()")),
    # time.sleep(60): outlives every TimeoutSeconds the corpus gives it
    "wait_60_seconds.py": FunctionBehaviour(sleeps=True),
}


def lambda_functions(case: Case) -> dict[str, str]:
    """Function name -> template file name, from the case's ``create_lambda_function`` resources."""
    functions: dict[str, str] = {}
    for resource in case.get("resources", []):
        if resource.get("fixture") != "create_lambda_function":
            continue
        kwargs = resource.get("kwargs", {})
        name = kwargs.get("func_name") or (resource.get("value") or {}).get("FunctionName")
        if name:
            functions[name] = str(kwargs.get("handler_file", "?")).rsplit("/", 1)[-1]
    return functions


SQS_SEND_MESSAGE = "arn:aws:states:::sqs:sendMessage"


def sqs_success_responder(case: Case) -> bool:
    """True when a test worker answered the case's SQS messages with SendTaskSuccess."""
    responders = case.get("callback", {}).get("responders", [])
    return any(r.get("fixture") == "sqs_send_task_success_state_machine" for r in responders)


def unknown_lambda_templates(case: Case) -> list[str]:
    """Template files the case uses whose behaviour is not known here."""
    return sorted({f for f in lambda_functions(case).values() if f not in LAMBDA_FUNCTIONS})


def invoke_envelope(result: Any, parameters: dict[str, Any], executed_version: str = "$LATEST") -> dict[str, Any]:
    """The ``lambda:invoke`` task result for a function that returned ``result``, as AWS builds it.

    The integration returns the Lambda Invoke response: ``StatusCode`` 200,
    ``ExecutedVersion``, the parsed ``Payload`` and the AWS SDK's response metadata
    (``SdkHttpMetadata`` with Lambda's HTTP headers, ``SdkResponseMetadata``). The
    ``Content-Length`` is the byte length of the payload as the Python runtime sends it
    (``json.dumps`` with its default separators); ``LogType: Tail`` adds ``LogResult``
    (base64 of the log tail) and its header. Request ids, the date and the trace id are
    fresh values: the recording holds placeholders for them.
    """
    request_id = str(uuid.uuid4())
    body = json.dumps(result).encode("utf-8")
    date = formatdate(usegmt=True)
    trace = f"root=1-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:24]};sampled=0"
    headers: dict[str, str] = {
        "X-Amz-Executed-Version": executed_version,
        "x-amzn-Remapped-Content-Length": "0",
        "Connection": "keep-alive",
        "x-amzn-RequestId": request_id,
        "Content-Length": str(len(body)),
        "Date": date,
        "X-Amzn-Trace-Id": trace,
        "Content-Type": "application/json",
    }
    envelope: dict[str, Any] = {"ExecutedVersion": executed_version}
    if str(parameters.get("LogType", "")) == "Tail":
        log = (f"START RequestId: {request_id} Version: {executed_version}\nEND RequestId: {request_id}\n"
               f"REPORT RequestId: {request_id}\tDuration: 1.00 ms\tBilled Duration: 1 ms\n")
        envelope["LogResult"] = headers["X-Amz-Log-Result"] = base64.b64encode(log.encode()).decode()
    envelope.update({
        "Payload": result,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {name: [value] for name, value in headers.items()},
            "HttpHeaders": dict(sorted(headers.items(), key=lambda item: item[0].lower())),
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
        "StatusCode": 200,
    })
    return envelope


#: Recorded values that stand for a Lambda request id some LocalStack test modules replaced
#: with the key's name (``x-amzn-RequestId``, ``SdkResponseMetadata.RequestId``) by a helper
#: transformer the case does not list. A request id cannot be known in advance, so the
#: comparison treats these two values as placeholders, like the listed ``<uuid:N>`` ones.
UNKNOWABLE_REQUEST_ID_PLACEHOLDERS: tuple[str, ...] = ("x-amzn-RequestId", "RequestId")

#: LocalStack's Step Functions snapshots replace these Lambda response headers before
#: recording (its helper bundle, not listed in a case's transformers): the ``Date`` value
#: becomes ``date`` and the trace id its header name. Applied to actual results alike.
LAMBDA_HEADER_TRANSFORMERS: tuple[dict[str, Any], ...] = tuple(
    {"type": "jsonpath", "jsonpath": f"$..{headers}.{name}", "replacement": replacement, "replace_reference": False}
    for headers in ("AllHttpHeaders", "HttpHeaders")
    for name, replacement in (("Date", "date"), ("X-Amzn-Trace-Id", "X-Amzn-Trace-Id"))
)


@dataclass
class HandlerActivity:
    """Tracks handler calls so the runner never advances the clock under a running one."""

    busy: int = 0
    calls: int = 0
    sleeping: int = 0
    release: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _idle: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self._idle = threading.Condition(self._lock)

    def enter(self) -> None:
        """A handler call started."""
        with self._lock:
            self.busy += 1
            self.calls += 1

    def leave(self) -> None:
        """A handler call finished (or started sleeping)."""
        with self._lock:
            self.busy -= 1
            self._idle.notify_all()

    def sleep(self, release_after: float) -> None:
        """A handler stops computing and sleeps until released (the clock may advance)."""
        with self._lock:
            self.sleeping += 1
            self.busy -= 1
            self._idle.notify_all()
        try:
            self.release.wait(release_after)
        finally:
            with self._lock:
                self.sleeping -= 1
                self.busy += 1

    def wait_idle(self, timeout: float) -> bool:
        """Block until no handler is computing; False on timeout."""
        with self._lock:
            return self._idle.wait_for(lambda: self.busy == 0, timeout)


class ServiceEmulator:
    """Registers the handlers a case needs on one client and keeps what they saw."""

    def __init__(self, case: Case, region: str = "us-east-1", account: str = "111111111111") -> None:
        self.case = case
        self.activity = HandlerActivity()
        self._functions = lambda_functions(case)
        self._region, self._account = region, account
        self.messages: list[dict[str, Any]] = []
        #: True once at least one handler is registered.
        self.installed = False

    def install(self, sfn: Any) -> None:
        """Register handlers for every emulated resource of the case on ``sfn``."""
        for resource in task_resources(self.case):
            handler = self._handler_for(resource)
            if handler is not None:
                sfn.register_task_handler(resource, handler)
                self.installed = True
        if sqs_success_responder(self.case):
            sfn.register_task_handler(SQS_SEND_MESSAGE, self._tracked(self._sqs_responder(sfn)))
            self.installed = True

    def _sqs_responder(self, sfn: Any) -> Callable[[Any, dict[str, Any]], Any]:
        """Plain ``sqs:sendMessage`` whose queue a test worker polls: for each message it
        calls SendTaskSuccess(taskToken=body.TaskToken, output=JSON text of body.Message),
        as the case's ``callback.responders`` describes."""

        def handler(payload: Any, _context: dict[str, Any]) -> Any:
            body = payload.get("MessageBody") if isinstance(payload, dict) else None
            if isinstance(body, str):
                try:
                    body = json.loads(body)
                except ValueError:
                    body = None
            if isinstance(body, dict) and "TaskToken" in body:
                sfn.send_task_success(taskToken=body["TaskToken"], output=json.dumps(body.get("Message")))
            return {"MessageId": str(uuid.uuid4()), "MD5OfMessageBody": "-"}

        return handler

    def close(self) -> None:
        """Release sleeping functions so their threads end."""
        self.activity.release.set()

    def _handler_for(self, resource: str) -> Callable[..., Any] | None:
        if resource in callback_resources(self.case):
            return self._tracked(self._callback_handler(resource))
        if resource == LAMBDA_INVOKE:
            return self._tracked(self._invoke_handler)
        match = _FUNCTION_ARN_RE.match(resource)
        if match:
            name = match.group(3)
            return self._tracked(lambda payload, _context: self._run_function(name, payload, compact=False))
        return None

    def _tracked(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """Wrap ``fn`` so :class:`HandlerActivity` knows when it runs (two-argument form)."""

        def handler(payload: Any, context: dict[str, Any]) -> Any:
            self.activity.enter()
            try:
                return fn(payload, context)
            finally:
                self.activity.leave()

        return handler

    # --- callbacks --------------------------------------------------------------

    def _callback_handler(self, resource: str) -> Callable[[Any, dict[str, Any]], Any]:
        """Record the message (resolved Parameters + token); answer with the recorded response."""
        submitted = self._submitted_output(resource)

        def handler(payload: Any, context: dict[str, Any]) -> Any:
            self.messages.append({"parameters": payload, **context})
            return submitted

        return handler

    def _submitted_output(self, resource: str) -> Any:
        """The integration's recorded response for this resource's token task, else {}."""
        short = resource.split(":::", 1)[-1]
        for task in self.case.get("callback", {}).get("token_tasks", []):
            if task.get("resource") == short and "submitted_output" in task:
                return task["submitted_output"]
        return {}

    # --- Lambda -----------------------------------------------------------------

    def _invoke_handler(self, parameters: Any, _context: dict[str, Any]) -> Any:
        """``lambda:invoke``: call the function named by FunctionName; wrap the Invoke response."""
        parameters = parameters if isinstance(parameters, dict) else {}
        name = _function_name(parameters.get("FunctionName"))
        payload = parameters.get("Payload")
        if payload is None:  # no payload: the function receives {}
            payload = {}
        elif isinstance(payload, str):
            try:
                payload = json.loads(payload)
            except ValueError:
                pass
        result = self._run_function(name, payload, compact=True)
        return invoke_envelope(result, parameters)

    def _run_function(self, name: str, event: Any, *, compact: bool) -> Any:
        """Run the emulated function ``name``; raise its error like the integration does."""
        template = self._functions.get(name)
        behaviour = LAMBDA_FUNCTIONS.get(template or "")
        if behaviour is None:
            arn = f"arn:aws:lambda:{self._region}:{self._account}:function:{name}:$LATEST"
            raise task_error(
                "Lambda.ResourceNotFoundException",
                f"Function not found: {arn} (Service: AWSLambda; Status Code: 404; Error Code: "
                f"ResourceNotFoundException; Request ID: {uuid.uuid4()}; Proxy: null)",
            )
        if behaviour.sleeps:  # blocks until the case ends
            self.activity.sleep(_SLEEP_CAP_SECONDS)
            return None
        if behaviour.raises:
            raise _function_error(behaviour.raises, compact)
        assert behaviour.returns is not None
        return behaviour.returns(event)


def _function_name(value: Any) -> str:
    """A function name from a name, a full ARN or a partial ARN."""
    text = str(value or "")
    match = re.search(r"function:([\w-]+)", text)
    return match.group(1) if match else text.split(":")[0]


def _function_error(spec: tuple[str, str, int, str], compact: bool) -> Exception:
    """The Lambda runtime's error payload; ``lambda:invoke`` quotes it compactly."""
    error_type, message, line, source = spec
    payload = {
        "errorMessage": message,
        "errorType": error_type,
        "requestId": str(uuid.uuid4()),
        "stackTrace": [f'  File "/var/task/handler.py", line {line}, in handler\n    {source}\n'],
    }
    separators = (",", ":") if compact else (", ", ": ")
    return task_error(error_type, json.dumps(payload, separators=separators))
