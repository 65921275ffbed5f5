"""Type stubs for the compiled module ``stepfiber._core``.

This is the thin C++ adapter. Every AWS operation goes through :class:`Service`
(the operation layer, AWS JSON 1.0 in and out); :class:`Engine` keeps only the
native fast paths (batches) and the extensions. Names match the C++ classes.
JSON payloads cross as ``str`` (compact JSON text); times cross as integer
milliseconds since the Unix epoch (UTC). Every method releases the GIL while
the engine works. Errors are raised as :class:`EngineError` whose ``code`` is
the AWS error code (``"InvalidToken"``, ``"TaskTimedOut"``, ...).
"""

from typing import Optional

__version__: str
#: The deepest JSON nesting the engine accepts (1000, Jackson's default).
MAX_JSON_DEPTH: int

class EngineError(Exception):
    """Raised by every Engine method on failure. args == (code, message)."""
    code: str
    message: str

class Engine:
    def __init__(
        self,
        manual_clock: bool = False,
        start_time_ms: Optional[int] = None,
        region: str = "us-east-1",
        account: str = "123456789012",
        execution_retention_ms: Optional[int] = None,
        time_scale: float = 1.0,
    ) -> None:
        """Start an engine thread. manual_clock=True: time only moves via advance_clock().
        Every AWS operation goes through :class:`Service`; Engine keeps the batches and extensions."""

    # --- batch extensions (one engine round trip each) -------------------
    def start_executions(self, state_machine_arn: str, inputs: list[str],
                         names: list[str] = ...) -> tuple[list[dict], list[dict]]:
        """-> (started [{"executionArn", "startDate"}], failures [{"index", "code", "message"}])."""
    def send_task_success_batch(self, tokens: list[str], outputs: list[str]) -> list[dict]:
        """-> failures [{"index", "code", "message"}]; empty when every token completed."""
    def send_task_failure_batch(self, tokens: list[str], errors: list[Optional[str]],
                                causes: list[Optional[str]]) -> list[dict]: ...
    def pending_task_tokens(self) -> list[str]:
        """Tokens of every task waiting on one, oldest execution first."""
    def pending_task_refs(self) -> list[tuple[str, str]]:
        """(token, execution ARN) of every task waiting on one, oldest execution first."""
    def take_resume_latencies_ns(self) -> list[int]:
        """SendTask* -> fiber resumed latencies (ns) since the last call."""
    def stats(self, scan: bool = True) -> dict:
        """Engine counters: executions, running, open_tokens, live_fibers, pending_timers,
        stacks_in_use, stack_resident_bytes, guard_pages, succeeded, failed, timed_out, aborted.
        scan=False leaves out pending_timers and stack_resident_bytes (their walks grow with size)."""

    # --- extensions -----------------------------------------------------
    def list_pending_tasks(self, execution_arn: Optional[str]) -> list[dict]:
        """-> [{"taskToken","executionArn","stateName","resource","parameters": str (JSON),
        "scheduledDate": int_ms}] for every task waiting on a token, oldest first."""
    def wait_for_execution(self, execution_arn: str, timeout_seconds: Optional[float]) -> bool:
        """Block (GIL released) until the execution is no longer RUNNING. False on timeout.
        Errors: InvalidArn, ExecutionDoesNotExist."""
    def wait_for_all(self, timeout_seconds: Optional[float]) -> bool:
        """Block until no execution is RUNNING. False on timeout."""
    def advance_clock(self, seconds: float) -> None:
        """Manual clock only: move time forward, firing due timers in order and letting
        woken executions run to their next wait before returning.
        Errors: ValidationException (not a manual clock, or negative)."""
    def now_ms(self) -> int:
        """The engine clock's current time."""

    # --- Python task handlers (served by a Python thread, never a fiber) -
    def register_resource(self, resource_arn: str) -> None:
        """Tasks whose Resource equals resource_arn are dispatched to next_handler_call()."""
    def unregister_resource(self, resource_arn: str) -> None: ...
    def next_handler_call(self, timeout_seconds: Optional[float]) -> Optional[dict]:
        """Block for the next handler invocation -> {"id": int, "resource": str,
        "input": str (JSON), "taskToken": str ("" unless .waitForTaskToken),
        "executionArn": str, "stateName": str}. None on timeout or when the engine closed."""
    def complete_handler_call(self, call_id: int, output: Optional[str],
                              error: Optional[str], cause: Optional[str]) -> None:
        """Report a handler's outcome: output (JSON text) on success, or error/cause.
        Unknown or stale ids are ignored."""

    def close(self) -> None:
        """Stop the engine thread; parked executions are discarded. Idempotent."""


class Service:
    """The operation layer over an Engine (``stepfiber::api::Service``)."""
    def __init__(self, engine: Engine) -> None: ...
    def call(self, target: str, body: str) -> tuple[int, bytes]:
        """Run one operation ('AWSStepFunctions.StartExecution' or 'StepFiber.AdvanceClock') on a
        JSON body; -> (http_status, JSON body bytes), exactly as the HTTP endpoint answers."""

class HttpServer:
    """The AWS JSON 1.0 HTTP endpoint (Boost.Beast) over a Service; listens until stop()."""
    def __init__(self, service: Service, host: str = "127.0.0.1", port: int = 0, threads: int = 1) -> None:
        """Binds host:port (0 picks a free port). Raises OSError when it cannot bind."""
    @property
    def port(self) -> int: ...
    @property
    def host(self) -> str: ...
    def stats(self) -> dict:
        """{"open_connections", "accepted", "requests"}."""
    def stop(self) -> None:
        """Close the listener and every connection, join the I/O threads. Idempotent."""

def api_model() -> str:
    """The pruned botocore stepfunctions model the operation layer was generated from (JSON text)."""
def api_botocore_version() -> str:
    """botocore's version that model came from."""
def api_operations() -> list[dict]:
    """Every routed operation: {"name", "extension", "reads": [member], "ignored": [(member, why)]}."""
