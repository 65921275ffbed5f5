"""botocore's ``stepfunctions`` model, as the core's operation layer holds it.

The C++ operation layer is generated from botocore's service model
(``cpp/src/api/generate_model.py``); this module reads the same pruned
model back from ``stepfiber._core`` so the Python client validates inputs
and shapes outputs from it too. Nothing here is transcribed by hand.
"""

from __future__ import annotations

import functools
import json
from datetime import datetime, timedelta, timezone
from typing import Any

from . import _core

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

#: The pruned model: {"metadata", "operations", "shapes"}.
MODEL: dict[str, Any] = json.loads(_core.api_model())
SHAPES: dict[str, dict[str, Any]] = MODEL["shapes"]
OPERATIONS: dict[str, dict[str, Any]] = MODEL["operations"]


def seconds_to_datetime(value: float | int) -> datetime:
    """The wire's epoch seconds -> aware UTC datetime, to the millisecond."""
    return _EPOCH + timedelta(milliseconds=round(float(value) * 1000))


@functools.lru_cache(maxsize=None)
def input_shape(operation: str) -> dict[str, Any]:
    """The operation's input shape, resolved into nested dicts for validation.

    Each node is ``{"type", "min"?, "max"?, "members"?: {name: node},
    "required"?: [...], "member"?: node, "value"?: node}``.
    """
    name = OPERATIONS[operation]["input"]
    if name is None:
        return {"type": "structure", "members": {}, "required": []}
    return _resolve(name, ())


def _resolve(name: str, seen: tuple[str, ...]) -> dict[str, Any]:
    shape = SHAPES[name]
    node: dict[str, Any] = {k: shape[k] for k in ("type", "min", "max", "enum") if k in shape}
    if name in seen:  # a recursive shape: stop (the service checks the rest)
        return node
    seen = (*seen, name)
    if "members" in shape:
        node["members"] = {m: _resolve(s["shape"], seen) for m, s in shape["members"].items()}
        node["required"] = list(shape.get("required", ()))
    for key in ("member", "key", "value"):
        if key in shape:
            node[key] = _resolve(shape[key], seen)
    return node


def parse_output(operation: str, body: Any) -> Any:
    """Shape a response body as botocore's parser does: timestamps -> datetime."""
    name = OPERATIONS[operation]["output"]
    if name is None or not isinstance(body, dict):
        return body
    return _parse(name, body)


def _parse(name: str, value: Any) -> Any:
    shape = SHAPES[name]
    kind = shape["type"]
    if kind == "timestamp" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return seconds_to_datetime(value)
    if kind == "structure" and isinstance(value, dict):
        members = shape.get("members", {})
        return {k: _parse(members[k]["shape"], v) if k in members else v for k, v in value.items()}
    if kind == "list" and isinstance(value, list):
        return [_parse(shape["member"], v) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {k: _parse(shape["value"], v) for k, v in value.items()}
    return value
