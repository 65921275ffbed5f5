"""The client's per-call fast paths give exactly what the plain paths give.

Each quick path (compiled validity checks, the request encoder, the body
decoder, compiled timestamp converters, the request id, the datetime
shortcut) is compared with the straightforward computation it replaces.
"""

from __future__ import annotations

import json
import random
import sys
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import stepfiber
from stepfiber import _json
from stepfiber._model import OPERATIONS, SHAPES, input_shape, parse_output, seconds_to_datetime
from stepfiber._shapes import response_metadata
from stepfiber._validation import _validate_structure, params_check

client_module = sys.modules["stepfiber.client"]
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

#: Requests, valid and not, for the compiled checks (operation, params).
REQUESTS: list[tuple[str, dict[str, Any]]] = [
    ("StartExecution", {"stateMachineArn": "arn", "input": "{}"}),
    ("StartExecution", {"stateMachineArn": "", "name": "", "input": 3}),
    ("StartExecution", {"stateMachineArn": None}),
    ("StartExecution", {}),
    ("SendTaskSuccess", {"taskToken": "t", "output": "{}"}),
    ("SendTaskSuccess", {"taskToken": "t", "output": "{}", "color": "blue"}),
    ("SendTaskFailure", {"taskToken": "t", "error": 1, "cause": ["c"]}),
    ("ListExecutions", {"maxResults": -5, "nextToken": ""}),
    ("ListExecutions", {"maxResults": 0, "stateMachineArn": "a"}),
    ("ListExecutions", {"maxResults": True, "stateMachineArn": "a"}),
    ("GetExecutionHistory", {"executionArn": "a", "reverseOrder": "no", "maxResults": "10"}),
    ("CreateStateMachine", {"name": "n", "definition": "d", "roleArn": "r", "tags": [{"key": "k", "value": "v"}]}),
    ("CreateStateMachine", {"name": "n", "definition": "d", "roleArn": "r", "tags": [{"key": "", "value": 1}]}),
    ("CreateStateMachine", {"name": "n", "definition": "d", "roleArn": "r", "tags": ({"key": "k"},)}),
    ("CreateStateMachine", {"name": "n", "definition": "d", "roleArn": "r", "tags": "x"}),
    (
        "CreateStateMachine",
        {"name": "n", "definition": "d", "roleArn": "r",
         "loggingConfiguration": {"destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": ""}}]}},
    ),
    ("CreateStateMachine", {"name": "n", "definition": "d", "roleArn": "r", "encryptionConfiguration": {"type": 5}}),
]


def _slow_errors(operation: str, params: dict[str, Any]) -> list[str]:
    errors: list[str] = []
    _validate_structure(params, input_shape(operation), "", errors)
    return errors


@pytest.mark.parametrize("operation,params", REQUESTS)
def test_compiled_check_agrees_with_the_reporting_walk(operation: str, params: dict[str, Any]) -> None:
    assert params_check(operation)(params) == (not _slow_errors(operation, params))


def _reference_params(operation: str, extra: dict[str, Any], named: dict[str, Any]) -> dict[str, Any]:
    """The request as the client built it before it was compiled."""
    shape = input_shape(operation)
    required = shape.get("required", ())
    given = {**named, **extra}
    order = [k for k in shape["members"] if k in given] + [k for k in given if k not in shape["members"]]
    params = {k: given[k] for k in order
              if given[k] is not client_module.MISSING and not (given[k] is None and k not in required)}
    stepfiber._validation.validate_params(operation, params)
    return params


@pytest.mark.parametrize("operation,params", REQUESTS)
def test_request_plan_builds_the_same_request_and_report(operation: str, params: dict[str, Any]) -> None:
    # Caller order reversed, an omitted optional (None) and an omitted required (MISSING) member.
    named = {"stateMachineArn": client_module.MISSING, "name": None, **{k: params[k] for k in reversed(list(params))}}
    named = {k: v for k, v in named.items() if k in input_shape(operation)["members"] or k in params}
    outcomes = []
    for build in (client_module._request_plan(operation).params, lambda n, e: _reference_params(operation, e, n)):
        try:
            built = build(dict(named), {"extraNone": None})
            outcomes.append(("ok", list(built.items())))
        except stepfiber.ParamValidationError as exc:
            outcomes.append(("error", str(exc)))
    assert outcomes[0] == outcomes[1]


BODIES: list[Any] = [
    {},
    {"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:x", "input": '{"i":1}'},
    {"taskToken": "t\u00e9\u2028\"\\\n\x00", "output": "\U0001f600"},
    {"maxResults": 10, "reverseOrder": True, "nextToken": "n"},
    {"tags": [{"key": "k", "value": "v"}], "name": "n"},
    {"bogus": "x", "name": "n"},
    {"pollSeconds": 1.5, "activityArn": "a"},
]


@pytest.mark.parametrize("body", BODIES)
def test_request_text_is_json_dumps_text(body: Any) -> None:
    expected = json.dumps(body, separators=(",", ":"))
    assert _json.dumps_compact(body) == expected
    for operation in ("StartExecution", "SendTaskSuccess", "CreateStateMachine", "GetActivityTask"):
        assert client_module._request_plan(operation).encode(body) == expected


@pytest.mark.parametrize(
    "raw",
    [b"{}", b'{"a":1.5,"b":[1,2,{"c":null}],"d":"\\u00e9\xc3\xa9"}', b"\xef\xbb\xbf{}", b' {"a":1} ',
     b'{"a":1}\n', b"[1,2]", b"{", b'{"a":1}x', b"\xff", '{"s":1}'],
)
def test_body_decoder_is_json_loads(raw: Any) -> None:
    def outcome(fn: Any) -> Any:
        try:
            return "ok", fn(raw)
        except Exception as exc:  # noqa: BLE001 - the same error is the point
            return type(exc), str(exc)

    assert outcome(_json.loads_body) == outcome(json.loads)


def test_seconds_to_datetime_is_the_millisecond_instant() -> None:
    rng = random.Random(7)
    limit = 2**32 * 1000
    values: list[float | int] = [0, 1, -1, 0.001, -0.001, 0.0005, 1796625413.101, 253402300799.999, -62135596800,
                                 (limit - 1) / 1000, -(limit - 1) / 1000, limit / 1000, -limit / 1000]
    for _ in range(20000):
        ms = rng.randrange(-limit, limit)
        values += [ms / 1000, ms // 1000]
    for value in values:
        got, expected = seconds_to_datetime(value), _EPOCH + timedelta(milliseconds=round(float(value) * 1000))
        assert (got, got.tzinfo, got.fold) == (expected, expected.tzinfo, expected.fold), value


def _reference_parse(name: str, value: Any) -> Any:
    """botocore-style output parsing as the client did it before it was compiled."""
    shape = SHAPES[name]
    kind = shape["type"]
    if kind == "timestamp" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return _EPOCH + timedelta(milliseconds=round(float(value) * 1000))
    if kind == "structure" and isinstance(value, dict):
        members = shape.get("members", {})
        return {k: _reference_parse(members[k]["shape"], v) if k in members else v for k, v in value.items()}
    if kind == "list" and isinstance(value, list):
        return [_reference_parse(shape["member"], v) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {k: _reference_parse(shape["value"], v) for k, v in value.items()}
    return value


def _sample(name: str, rng: random.Random, depth: int = 0) -> Any:
    """A JSON value for shape ``name``, sometimes of the wrong type."""
    shape = SHAPES[name]
    kind = shape["type"]
    if rng.random() < 0.05:
        return rng.choice(["x", 1, None, True, [], {}])
    if kind == "timestamp":
        return rng.choice([1796625413.101, 1796625413, -5.5, "2024-01-01", True])
    if kind == "structure":
        members = shape.get("members", {})
        body = {k: _sample(m["shape"], rng, depth + 1) for k, m in members.items() if depth < 6 and rng.random() < 0.8}
        if rng.random() < 0.2:
            body["unmodelled"] = 1.5
        return body
    if kind == "list":
        return [_sample(shape["member"], rng, depth + 1) for _ in range(rng.randrange(3))] if depth < 6 else []
    if kind == "map":
        return {f"k{i}": _sample(shape["value"], rng, depth + 1) for i in range(rng.randrange(3))} if depth < 6 else {}
    return rng.choice(["s", 3, 2.5, False])


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_parse_output_matches_the_model_walk(operation: str) -> None:
    name = OPERATIONS[operation]["output"]
    rng = random.Random(operation)
    for _ in range(30):
        body = _sample(name, rng) if name else {"a": 1}
        expected = _reference_parse(name, json.loads(json.dumps(body))) if name else body
        got = parse_output(operation, json.loads(json.dumps(body)))
        assert got == expected
        assert repr(got) == repr(expected)  # same key order, same types


def test_request_ids_are_fresh_uuid4_text() -> None:
    ids = [response_metadata()["RequestId"] for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for request_id in ids:
        parsed = uuid.UUID(request_id)
        assert str(parsed) == request_id and parsed.version == 4 and parsed.variant == uuid.RFC_4122
    metadata = response_metadata(400)
    assert metadata["HTTPHeaders"]["x-amzn-requestid"] == metadata["RequestId"]
    assert metadata["HTTPStatusCode"] == 400 and metadata["RetryAttempts"] == 0
