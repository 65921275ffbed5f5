"""Errors raised by :class:`stepfiber.SFNClient`, shaped like botocore's.

* :class:`ClientError` mirrors ``botocore.exceptions.ClientError``: it carries
  ``.response`` (``{"Error": {"Code", "Message"}, "ResponseMetadata": {...}}``)
  and ``.operation_name``, and ``str()`` reads
  ``An error occurred (Code) when calling the Op operation: Message``. When
  botocore is importable it *is* a subclass of botocore's ClientError, so
  ``except botocore.exceptions.ClientError`` keeps working.
* One subclass per error code of the ``stepfunctions`` service model
  (``TaskTimedOut``, ``InvalidToken``, ...), reachable as
  ``client.exceptions.<Code>`` exactly as on a boto3 client.
* :class:`ParamValidationError` mirrors botocore's client-side validation
  error (a subclass of it when botocore is importable).
"""

from __future__ import annotations

from typing import Any

from ._shapes import response_metadata

try:  # botocore is optional; subclass its types when it is there.
    from botocore.exceptions import (  # type: ignore[import-untyped]
        ClientError as _BotoClientError,
    )
    from botocore.exceptions import (
        ParamValidationError as _BotoParamValidationError,
    )
except ImportError:  # pragma: no cover - exercised only without botocore
    _BotoClientError = None
    _BotoParamValidationError = None


#: Every exception shape of the ``stepfunctions`` 2016-11-23 model.
ERROR_CODES: tuple[str, ...] = (
    "ActivityAlreadyExists",
    "ActivityDoesNotExist",
    "ActivityLimitExceeded",
    "ActivityWorkerLimitExceeded",
    "ConflictException",
    "ExecutionAlreadyExists",
    "ExecutionDoesNotExist",
    "ExecutionLimitExceeded",
    "ExecutionNotRedrivable",
    "InvalidArn",
    "InvalidDefinition",
    "InvalidEncryptionConfiguration",
    "InvalidExecutionInput",
    "InvalidLoggingConfiguration",
    "InvalidName",
    "InvalidOutput",
    "InvalidToken",
    "InvalidTracingConfiguration",
    "KmsAccessDeniedException",
    "KmsInvalidStateException",
    "KmsThrottlingException",
    "MissingRequiredParameter",
    "ResourceNotFound",
    "ServiceQuotaExceededException",
    "StateMachineAlreadyExists",
    "StateMachineDeleting",
    "StateMachineDoesNotExist",
    "StateMachineLimitExceeded",
    "StateMachineTypeNotSupported",
    "TaskDoesNotExist",
    "TaskTimedOut",
    "TooManyTags",
    "ValidationException",
)

__all__ = [
    "ClientError",
    "ParamValidationError",
    "Exceptions",
    "ERROR_CODES",
    "error_class",
    "error_from_body",
    "from_engine_error",
    *ERROR_CODES,
]

_CLIENT_ERROR_BASES: tuple[type, ...] = (_BotoClientError,) if _BotoClientError is not None else (Exception,)
_PARAM_ERROR_BASES: tuple[type, ...] = (
    (_BotoParamValidationError,) if _BotoParamValidationError is not None else (ValueError,)
)


def error_response(code: str, message: str, status: int = 400) -> dict[str, Any]:
    """Build a botocore-shaped error response dict (``ClientError.response``)."""
    return {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": response_metadata(status),
        "message": message,
    }


class ClientError(*_CLIENT_ERROR_BASES):  # type: ignore[misc]
    """An AWS service error, shaped like ``botocore.exceptions.ClientError``.

    Attributes:
        response: ``{"Error": {"Code": str, "Message": str},
            "ResponseMetadata": {"HTTPStatusCode": 400, ...}, "message": str}``.
        operation_name: the AWS operation, e.g. ``"SendTaskSuccess"``.
    """

    MSG_TEMPLATE = (
        "An error occurred ({error_code}) when calling the {operation_name} operation: {error_message}"
    )

    def __init__(self, error_response: dict[str, Any], operation_name: str) -> None:
        error = error_response.get("Error", {})
        msg = self.MSG_TEMPLATE.format(
            error_code=error.get("Code", "Unknown"),
            error_message=error.get("Message", "Unknown"),
            operation_name=operation_name,
        )
        Exception.__init__(self, msg)
        self.response = error_response
        self.operation_name = operation_name

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the concrete class (they are module attributes here)."""
        return type(self), (self.response, self.operation_name)


class ParamValidationError(*_PARAM_ERROR_BASES):  # type: ignore[misc]
    """Client-side parameter validation failure, like botocore's.

    ``str(e)`` is ``"Parameter validation failed:\\n" + report``, where the
    report has one line per problem in botocore's wording.
    """

    fmt = "Parameter validation failed:\n{report}"

    def __init__(self, report: str = "", **kwargs: Any) -> None:
        kwargs["report"] = report
        msg = self.fmt.format(**kwargs)
        Exception.__init__(self, msg)
        self.kwargs = kwargs
        self.report = report

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle with the report only."""
        return type(self), (self.report,)


# --- one class per exception shape of the stepfunctions model -------------


class ActivityAlreadyExists(ClientError):
    """Activity already exists."""


class ActivityDoesNotExist(ClientError):
    """The specified activity does not exist."""


class ActivityLimitExceeded(ClientError):
    """The maximum number of activities has been reached."""


class ActivityWorkerLimitExceeded(ClientError):
    """The maximum number of workers concurrently polling for activity tasks has been ..."""


class ConflictException(ClientError):
    """Updating or deleting a resource can cause an inconsistent state."""


class ExecutionAlreadyExists(ClientError):
    """The execution has the same name as another execution (but a different input)."""


class ExecutionDoesNotExist(ClientError):
    """The specified execution does not exist."""


class ExecutionLimitExceeded(ClientError):
    """The maximum number of running executions has been reached."""


class ExecutionNotRedrivable(ClientError):
    """The execution Amazon Resource Name (ARN) that you specified for executionArn ..."""


class InvalidArn(ClientError):
    """The provided Amazon Resource Name (ARN) is not valid."""


class InvalidDefinition(ClientError):
    """The provided Amazon States Language definition is not valid."""


class InvalidEncryptionConfiguration(ClientError):
    """Received when encryptionConfiguration is specified but various conditions exist ..."""


class InvalidExecutionInput(ClientError):
    """The provided JSON input data is not valid."""


class InvalidLoggingConfiguration(ClientError):
    """Configuration is not valid."""


class InvalidName(ClientError):
    """The provided name is not valid."""


class InvalidOutput(ClientError):
    """The provided JSON output data is not valid."""


class InvalidToken(ClientError):
    """The provided token is not valid."""


class InvalidTracingConfiguration(ClientError):
    """Your tracingConfiguration key does not match, or enabled has not been set to ..."""


class KmsAccessDeniedException(ClientError):
    """Either your KMS key policy or API caller does not have the required permissions."""


class KmsInvalidStateException(ClientError):
    """The KMS key is not in valid state, for example: Disabled or Deleted."""


class KmsThrottlingException(ClientError):
    """Received when KMS returns ThrottlingException for a KMS call that Step ..."""


class MissingRequiredParameter(ClientError):
    """Request is missing a required parameter."""


class ResourceNotFound(ClientError):
    """Could not find the referenced resource."""


class ServiceQuotaExceededException(ClientError):
    """The request would cause a service quota to be exceeded."""


class StateMachineAlreadyExists(ClientError):
    """A state machine with the same name but a different definition or role ARN ..."""


class StateMachineDeleting(ClientError):
    """The specified state machine is being deleted."""


class StateMachineDoesNotExist(ClientError):
    """The specified state machine does not exist."""


class StateMachineLimitExceeded(ClientError):
    """The maximum number of state machines has been reached."""


class StateMachineTypeNotSupported(ClientError):
    """State machine type is not supported."""


class TaskDoesNotExist(ClientError):
    """The activity does not exist."""


class TaskTimedOut(ClientError):
    """The task token has either expired or the task associated with the token has ..."""


class TooManyTags(ClientError):
    """You've exceeded the number of tags allowed for a resource."""


class ValidationException(ClientError):
    """The input does not satisfy the constraints specified by an Amazon Web Services ..."""


_ERROR_CLASSES: dict[str, type[ClientError]] = {code: globals()[code] for code in ERROR_CODES}


def error_class(code: str) -> type[ClientError]:
    """The exception class for an AWS error code; :class:`ClientError` if unmodeled."""
    return _ERROR_CLASSES.get(code, ClientError)


def make_error(code: str, message: str, operation_name: str) -> ClientError:
    """Instantiate the right :class:`ClientError` subclass for ``code``."""
    return error_class(code)(error_response(code, message), operation_name)


def error_from_body(body: Any, operation_name: str, status: int = 400) -> ClientError:
    """The ClientError for an AWS JSON 1.0 error body, read as botocore reads it.

    The code is ``__type`` after its ``#`` and before any ``:``; the message is
    ``message`` (or ``Message``).
    """
    data = body if isinstance(body, dict) else {}
    code = str(data.get("__type") or data.get("code") or "InternalFailure").rpartition("#")[2].partition(":")[0]
    message = str(data.get("message") or data.get("Message") or "")
    return error_class(code)(error_response(code, message, status), operation_name)


def from_engine_error(exc: BaseException, operation_name: str) -> ClientError:
    """Turn a ``stepfiber._core.EngineError`` into the matching ClientError subclass.

    The result has ``__cause__`` left to the caller (use ``raise ... from exc``).
    """
    code: str | None = getattr(exc, "code", None)
    message: str | None = getattr(exc, "message", None)
    if code is None and len(getattr(exc, "args", ())) >= 2:
        code, message = exc.args[0], exc.args[1]
    return make_error(code or "InternalFailure", message or str(exc), operation_name)


_AnyClientError = ClientError  # alias usable in annotations inside Exceptions


class Exceptions:
    """Namespace of error classes, exposed as ``client.exceptions`` (as in boto3).

    ``client.exceptions.TaskTimedOut``, ``client.exceptions.ClientError`` and
    ``client.exceptions.from_code("InvalidToken")`` all work.
    """

    ClientError = ClientError
    ParamValidationError = ParamValidationError

    @staticmethod
    def from_code(code: str) -> type[_AnyClientError]:
        """The class for ``code``; :class:`ClientError` for unknown codes (as boto3)."""
        return error_class(code)

    def __getattr__(self, name: str) -> type[_AnyClientError]:
        """Only reached for names that are not modeled error codes."""
        raise AttributeError(f"stepfunctions has no modeled exception {name!r}")

    def __repr__(self) -> str:
        return f"<stepfiber.Exceptions: {len(_ERROR_CLASSES)} error codes>"


for _code, _cls in _ERROR_CLASSES.items():
    setattr(Exceptions, _code, _cls)
del _code, _cls
