"""Python task handlers, served by daemon threads (never by an engine thread).

The engine queues a *handler call* whenever a Task's Resource is registered;
``HandlerPool`` threads take calls with ``Engine.next_handler_call`` (GIL
released while they wait), run the user's function holding the GIL, and
report with ``Engine.complete_handler_call``. Because the engine never waits
on Python, a handler may call back into the client (``send_task_success``
with the token it received, ``start_execution``, ...) without deadlock.
"""

from __future__ import annotations

import inspect
import logging
import threading
import time
from collections.abc import Mapping
from typing import Any, Callable

from . import _core, _json

log = logging.getLogger("stepfiber")

TaskHandler = Callable[..., Any]

#: Error name used when a handler's return value cannot be encoded as JSON
#: (the name AWS Lambda uses for the same failure).
MARSHAL_ERROR = "Runtime.MarshalError"
#: Error name when a call arrives for a resource unregistered meanwhile.
NOT_REGISTERED_ERROR = "stepfiber.HandlerNotRegistered"
#: AWS limits on a task failure's error and cause (SendTaskFailure shapes).
MAX_ERROR_CHARS = 256
MAX_CAUSE_CHARS = 32768
#: How long a handler thread blocks in the engine before re-checking shutdown.
POLL_SECONDS = 0.25


def wants_context(fn: TaskHandler) -> bool:
    """True when ``fn`` accepts a second positional argument (the call context)."""
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return False
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 or any(p.kind is p.VAR_POSITIONAL for p in params)


def call_context(call: Mapping[str, Any]) -> dict[str, Any]:
    """The context dict passed to two-argument handlers."""
    return {
        "taskToken": call.get("taskToken") or None,
        "executionArn": call.get("executionArn"),
        "stateName": call.get("stateName"),
        "resource": call.get("resource"),
    }


def encode_result(result: Any, resource: str) -> tuple[str | None, str | None, str | None]:
    """Handler result -> (output, error, cause) for ``complete_handler_call``."""
    try:
        return _json.dumps(result, allow_nan=False, separators=(",", ":")), None, None
    except (TypeError, ValueError) as exc:
        cause = (
            f"Unable to marshal response: {exc} (the task handler for '{resource}' "
            f"returned a value of type {type(result).__name__})"
        )
        return None, MARSHAL_ERROR, cause


def run_handler(
    fn: TaskHandler, with_context: bool, call: Mapping[str, Any]
) -> tuple[str | None, str | None, str | None]:
    """Run one handler call -> (output, error, cause). Never raises."""
    try:
        payload = _json.loads(call["input"]) if call.get("input") else None
        result = fn(payload, call_context(call)) if with_context else fn(payload)
    except BaseException as exc:
        return None, type(exc).__name__[:MAX_ERROR_CHARS], str(exc)[:MAX_CAUSE_CHARS]
    return encode_result(result, call["resource"])


class HandlerPool:
    """Resource ARN -> Python callable registry plus the threads serving it."""

    def __init__(self, engine: _core.Engine, threads: int) -> None:
        if threads < 1:
            raise ValueError("handler_threads must be >= 1")
        self._engine = engine
        self._size = threads
        self._lock = threading.Lock()
        self._handlers: dict[str, tuple[TaskHandler, bool]] = {}
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()

    def register(self, resource_arn: str, fn: TaskHandler) -> None:
        """Route tasks on ``resource_arn`` to ``fn``; start the threads on first use."""
        with self._lock:
            self._handlers[resource_arn] = (fn, wants_context(fn))
            self._start_threads_locked()
        self._engine.register_resource(resource_arn)

    def unregister(self, resource_arn: str) -> bool:
        """Stop routing ``resource_arn``; False if it was not registered."""
        with self._lock:
            known = self._handlers.pop(resource_arn, None) is not None
        if known:
            self._engine.unregister_resource(resource_arn)
        return known

    def registered(self) -> list[str]:
        """The resource ARNs currently routed to Python."""
        with self._lock:
            return sorted(self._handlers)

    def request_stop(self) -> None:
        """Tell the threads to exit after their current call (non-blocking)."""
        self._stop.set()

    def join(self, timeout: float) -> None:
        """Join the threads for at most ``timeout`` seconds in total (never self)."""
        deadline = time.monotonic() + timeout
        current = threading.current_thread()
        for thread in list(self._threads):
            if thread is not current:
                thread.join(max(0.0, deadline - time.monotonic()))

    def _start_threads_locked(self) -> None:
        if self._threads or self._stop.is_set():
            return
        for index in range(self._size):
            thread = threading.Thread(target=self._serve, name=f"stepfiber-handler-{index}", daemon=True)
            self._threads.append(thread)
            thread.start()

    def _lookup(self, resource_arn: str) -> tuple[TaskHandler, bool] | None:
        with self._lock:
            return self._handlers.get(resource_arn)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                call = self._engine.next_handler_call(POLL_SECONDS)
            except Exception:  # engine closed underneath us
                if self._stop.is_set():
                    return
                log.exception("stepfiber: next_handler_call failed")
                time.sleep(POLL_SECONDS)
                continue
            if call is not None:
                self._dispatch(call)

    def _dispatch(self, call: Mapping[str, Any]) -> None:
        entry = self._lookup(call["resource"])
        if entry is None:
            outcome: tuple[str | None, str | None, str | None] = (
                None,
                NOT_REGISTERED_ERROR,
                f"No task handler is registered for resource '{call['resource']}'",
            )
        else:
            outcome = run_handler(entry[0], entry[1], call)
        try:
            self._engine.complete_handler_call(call["id"], *outcome)
        except Exception:
            if not self._stop.is_set():
                log.exception("stepfiber: complete_handler_call failed for %s", call["resource"])
