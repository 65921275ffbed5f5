"""Type stubs for the compiled module ``stepfiber._core``.

This is the thin C++ adapter. Names match the C++ ``stepfiber::Engine``.
JSON payloads cross as ``str`` (compact JSON text); times cross as integer
milliseconds since the Unix epoch (UTC). Every method releases the GIL while
the engine works. Errors are raised as :class:`EngineError` whose ``code`` is
the AWS error code (``"InvalidToken"``, ``"TaskTimedOut"``, ...).
"""

from typing import Optional

__version__: str

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
    ) -> None:
        """Start an engine thread. manual_clock=True: time only moves via advance_clock()."""

    # --- state machines -------------------------------------------------
    def create_state_machine(self, name: str, definition: str, role_arn: str, type: str) -> dict:
        """-> {"stateMachineArn": str, "creationDate": int_ms}.
        Errors: InvalidDefinition, InvalidName, StateMachineAlreadyExists (same name,
        different definition/role/type; identical -> returns the existing one, as AWS)."""
    def describe_state_machine(self, state_machine_arn: str) -> dict:
        """-> {"stateMachineArn","name","status":"ACTIVE","definition","roleArn","type","creationDate": int_ms}.
        Errors: InvalidArn, StateMachineDoesNotExist."""
    def list_state_machines(self) -> list[dict]:
        """-> [{"stateMachineArn","name","type","creationDate": int_ms}] sorted by name."""
    def update_state_machine(
        self, state_machine_arn: str, definition: str | None, role_arn: str | None
    ) -> dict: ...
    def validate_state_machine_definition(
        self, definition: str, type: str, severity: str, max_results: int
    ) -> dict: ...
    def delete_state_machine(self, state_machine_arn: str) -> None:
        """Errors: InvalidArn. Deleting an unknown machine is a no-op (AWS)."""

    # --- executions -----------------------------------------------------
    def start_execution(self, state_machine_arn: str, name: Optional[str], input: Optional[str]) -> dict:
        """-> {"executionArn": str, "startDate": int_ms}. Returns once the new execution
        has run up to its first wait (token, timer, handler call) or its end.
        Errors: InvalidArn, StateMachineDoesNotExist, InvalidName, InvalidExecutionInput,
        ExecutionAlreadyExists, ValidationException (input > 262144 bytes)."""
    def start_sync_execution(self, state_machine_arn: str, name: Optional[str], input: Optional[str]) -> dict:
        """EXPRESS only: run to the end; -> the describe_execution dict of the finished execution.
        With a manual clock, time jumps to the next timer while the execution waits on one.
        Errors: as start_execution, plus StateMachineTypeNotSupported for STANDARD machines."""
    def describe_execution(self, execution_arn: str) -> dict:
        """-> {"executionArn","stateMachineArn","name","status","startDate": int_ms,
        "stopDate": int_ms (absent while RUNNING), "input": str,
        "output": str (SUCCEEDED only), "error": str, "cause": str (when set)}.
        Errors: InvalidArn, ExecutionDoesNotExist."""
    def list_executions(self, state_machine_arn: str, status_filter: Optional[str]) -> list[dict]:
        """-> list of describe_execution-like dicts without input/output, newest first.
        Errors: InvalidArn, StateMachineDoesNotExist."""
    def stop_execution(self, execution_arn: str, error: Optional[str], cause: Optional[str]) -> dict:
        """-> {"stopDate": int_ms}. Errors: InvalidArn, ExecutionDoesNotExist, ValidationException."""
    def get_execution_history(self, execution_arn: str) -> list[dict]:
        """-> [{"id": int, "previousEventId": int, "timestamp": int_ms, "type": str,
        "detailsKey": str (e.g. "taskScheduledEventDetails", "" when none),
        "details": str (JSON object text, "" when none)}] in id order.
        Errors: InvalidArn, ExecutionDoesNotExist."""

    # --- activities -----------------------------------------------------
    def create_activity(self, name: str) -> dict:
        """-> {"activityArn", "creationDate": int_ms}; idempotent. Errors: InvalidName."""
    def describe_activity(self, activity_arn: str) -> dict:
        """-> {"activityArn", "name", "creationDate"}. Errors: InvalidArn, ActivityDoesNotExist."""
    def list_activities(self) -> list[dict]: ...
    def delete_activity(self, activity_arn: str) -> None: ...
    def get_activity_task(self, activity_arn: str, worker_name: Optional[str] = None,
                          timeout_seconds: float = 60.0) -> dict:
        """Long poll: {"taskToken", "input"} or {} when no task arrived in time.
        Errors: InvalidArn, ActivityDoesNotExist."""

    # --- task tokens ----------------------------------------------------
    def send_task_success(self, task_token: str, output: str) -> None:
        """Errors: InvalidToken, TaskTimedOut, InvalidOutput, ValidationException."""
    def send_task_failure(self, task_token: str, error: Optional[str], cause: Optional[str]) -> None:
        """Errors: InvalidToken, TaskTimedOut, ValidationException."""
    def send_task_heartbeat(self, task_token: str) -> None:
        """Errors: InvalidToken, TaskTimedOut."""

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
    def stats(self) -> dict:
        """Engine counters: executions, running, open_tokens, live_fibers, pending_timers,
        stacks_in_use, stack_resident_bytes, guard_pages, succeeded, failed, timed_out, aborted."""

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
