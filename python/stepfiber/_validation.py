"""Client-side request validation, as botocore's ``ParamValidator`` does it.

The input shapes below are transcribed from botocore's ``stepfunctions``
2016-11-23 model for the operations :class:`stepfiber.SFNClient` implements.
Like botocore, validation checks required members, Python types, unknown
members and ``min`` (length for strings and lists, value for integers); it
does **not** check ``max`` or enums -- those are the service's
``ValidationException`` (the engine's job). Messages use botocore's wording.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .exceptions import ParamValidationError

Shape = dict[str, Any]

# --- shape constructors (keep the table below readable) -------------------


def _str(min_len: int | None = None, max_len: int | None = None) -> Shape:
    shape: Shape = {"type": "string"}
    if min_len is not None:
        shape["min"] = min_len
    if max_len is not None:
        shape["max"] = max_len
    return shape


def _int(min_val: int | None = None, max_val: int | None = None) -> Shape:
    shape: Shape = {"type": "integer"}
    if min_val is not None:
        shape["min"] = min_val
    if max_val is not None:
        shape["max"] = max_val
    return shape


def _bool() -> Shape:
    return {"type": "boolean"}


def _list(member: Shape) -> Shape:
    return {"type": "list", "member": member}


def _struct(members: dict[str, Shape], required: tuple[str, ...] = ()) -> Shape:
    return {"type": "structure", "members": members, "required": list(required)}


_ARN = _str(1, 256)
_NAME = _str(1, 80)
_PAGE_SIZE = _int(0, 1000)
_ERROR = _str(0, 256)
_CAUSE = _str(0, 32768)
_SENSITIVE_DATA = _str(None, 262144)
_TASK_TOKEN = _str(1, 2048)

#: Members CreateStateMachine and UpdateStateMachine share (botocore's
#: member order matters: it is quoted in "Unknown parameter" messages).
_LOGGING = _struct(
    {
        "level": _str(),
        "includeExecutionData": _bool(),
        "destinations": _list(_struct({"cloudWatchLogsLogGroup": _struct({"logGroupArn": _ARN})})),
    }
)
_MACHINE_SETTINGS: dict[str, Shape] = {
    "tracingConfiguration": _struct({"enabled": _bool()}),
    "publish": _bool(),
    "versionDescription": _str(None, 256),
    "encryptionConfiguration": _struct(
        {"kmsKeyId": _str(1, 2048), "kmsDataKeyReusePeriodSeconds": _int(60, 900), "type": _str()},
        required=("type",),
    ),
}

INPUT_SHAPES: dict[str, Shape] = {
    "CreateStateMachine": _struct(
        {
            "name": _NAME,
            "definition": _str(1, 1048576),
            "roleArn": _ARN,
            "type": _str(),
            "loggingConfiguration": _LOGGING,
            "tags": _list(_struct({"key": _str(1, 128), "value": _str(0, 256)})),
            **_MACHINE_SETTINGS,
        },
        required=("name", "definition", "roleArn"),
    ),
    "UpdateStateMachine": _struct(
        {
            "stateMachineArn": _ARN,
            "definition": _str(1, 1048576),
            "roleArn": _ARN,
            "loggingConfiguration": _LOGGING,
            **_MACHINE_SETTINGS,
        },
        required=("stateMachineArn",),
    ),
    "ValidateStateMachineDefinition": _struct(
        {
            "definition": _str(1, 1048576),
            "type": _str(),
            "severity": _str(),
            "maxResults": _int(0, 100),
        },
        required=("definition",),
    ),
    "DescribeStateMachine": _struct(
        {"stateMachineArn": _ARN, "includedData": _str()}, required=("stateMachineArn",)
    ),
    "ListStateMachines": _struct({"maxResults": _PAGE_SIZE, "nextToken": _str(1, 1024)}),
    "CreateActivity": _struct(
        {
            "name": _NAME,
            "tags": _list(_struct({"key": _str(1, 128), "value": _str(0, 256)})),
            "encryptionConfiguration": _struct({"kmsKeyId": _str(1, 2048), "type": _str()}),
        },
        required=("name",),
    ),
    "DescribeActivity": _struct({"activityArn": _ARN}, required=("activityArn",)),
    "ListActivities": _struct({"maxResults": _PAGE_SIZE, "nextToken": _str(1, 1024)}),
    "DeleteActivity": _struct({"activityArn": _ARN}, required=("activityArn",)),
    "GetActivityTask": _struct({"activityArn": _ARN, "workerName": _str(1, 80)}, required=("activityArn",)),
    "DeleteStateMachine": _struct({"stateMachineArn": _ARN}, required=("stateMachineArn",)),
    "StartExecution": _struct(
        {
            "stateMachineArn": _ARN,
            "name": _NAME,
            "input": _SENSITIVE_DATA,
            "traceHeader": _str(0, 256),
        },
        required=("stateMachineArn",),
    ),
    "StartSyncExecution": _struct(
        {
            "stateMachineArn": _ARN,
            "name": _NAME,
            "input": _SENSITIVE_DATA,
            "traceHeader": _str(0, 256),
            "includedData": _str(),
        },
        required=("stateMachineArn",),
    ),
    "DescribeExecution": _struct({"executionArn": _ARN, "includedData": _str()}, required=("executionArn",)),
    "ListExecutions": _struct(
        {
            "stateMachineArn": _ARN,
            "statusFilter": _str(),
            "maxResults": _PAGE_SIZE,
            "nextToken": _str(1, 3096),
            "mapRunArn": _str(1, 2000),
            "redriveFilter": _str(),
        }
    ),
    "StopExecution": _struct(
        {"executionArn": _ARN, "error": _ERROR, "cause": _CAUSE}, required=("executionArn",)
    ),
    "GetExecutionHistory": _struct(
        {
            "executionArn": _ARN,
            "maxResults": _PAGE_SIZE,
            "reverseOrder": _bool(),
            "nextToken": _str(1, 1024),
            "includeExecutionData": _bool(),
        },
        required=("executionArn",),
    ),
    "SendTaskSuccess": _struct(
        {"taskToken": _TASK_TOKEN, "output": _SENSITIVE_DATA}, required=("taskToken", "output")
    ),
    "SendTaskFailure": _struct(
        {"taskToken": _TASK_TOKEN, "error": _ERROR, "cause": _CAUSE}, required=("taskToken",)
    ),
    "SendTaskHeartbeat": _struct({"taskToken": _TASK_TOKEN}, required=("taskToken",)),
}

# Python types botocore accepts for each model type (botocore.validate).
_VALID_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "boolean": (bool,),
    "structure": (dict,),
    "list": (list, tuple),
}


def _display_name(name: str) -> str:
    """botocore's naming: '' -> 'input', '.a.b' -> 'a.b'."""
    if not name:
        return "input"
    return name[1:] if name.startswith(".") else name


def _check_type(value: Any, shape: Shape, name: str, errors: list[str]) -> bool:
    valid = _VALID_TYPES[shape["type"]]
    if isinstance(value, valid):
        return True
    valid_names = ", ".join(str(t) for t in valid)
    errors.append(
        f"Invalid type for parameter {_display_name(name)}, value: {value}, "
        f"type: {type(value)}, valid types: {valid_names}"
    )
    return False


def _check_min(value: Any, size: int, shape: Shape, name: str, errors: list[str]) -> None:
    if "min" not in shape or size >= shape["min"]:
        return
    what = "value" if shape["type"] == "integer" else "length"
    errors.append(
        f"Invalid {what} for parameter {_display_name(name)}, value: {value}, "
        f"valid min {what}: {shape['min']}"
    )


def _validate_structure(params: Mapping[str, Any], shape: Shape, name: str, errors: list[str]) -> None:
    display = _display_name(name)
    for required in shape.get("required", ()):
        if required not in params:
            errors.append(f'Missing required parameter in {display}: "{required}"')
    members = shape["members"]
    for key in params:
        if key not in members:
            errors.append(f'Unknown parameter in {display}: "{key}", must be one of: {", ".join(members)}')
    for key, value in params.items():
        if key in members:
            _validate(value, members[key], f"{name}.{key}", errors)


def _validate(value: Any, shape: Shape, name: str, errors: list[str]) -> None:
    if not _check_type(value, shape, name, errors):
        return
    kind = shape["type"]
    if kind == "structure":
        _validate_structure(value, shape, name, errors)
    elif kind == "list":
        _check_min(len(value), len(value), shape, name, errors)
        for index, item in enumerate(value):
            _validate(item, shape["member"], f"{name}[{index}]", errors)
    elif kind == "string":
        _check_min(len(value), len(value), shape, name, errors)
    elif kind == "integer":
        _check_min(value, value, shape, name, errors)


def validate_params(operation: str, params: Mapping[str, Any]) -> None:
    """Validate ``params`` for ``operation``; raise :class:`ParamValidationError`.

    All problems are collected first, one report line each, as botocore does.
    """
    errors: list[str] = []
    _validate_structure(params, INPUT_SHAPES[operation], "", errors)
    if errors:
        raise ParamValidationError(report="\n".join(errors))


def member_max(operation: str, member: str) -> int | None:
    """The model's ``max`` for a top-level member (None when unbounded)."""
    shape: Shape | None = INPUT_SHAPES[operation]["members"].get(member)
    return None if shape is None else shape.get("max")
