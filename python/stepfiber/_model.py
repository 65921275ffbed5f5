"""botocore's ``stepfunctions`` model, as the core's operation layer holds it.

The C++ operation layer is generated from botocore's service model
(``cpp/src/api/generate_model.py``); this module reads the same pruned
model back from ``stepfiber._core`` so the Python client validates inputs
and shapes outputs from it too. Nothing here is transcribed by hand.
"""

from __future__ import annotations

import functools
import json
import threading
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from . import _core

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

#: The pruned model: {"metadata", "operations", "shapes"}.
MODEL: dict[str, Any] = json.loads(_core.api_model())
SHAPES: dict[str, dict[str, Any]] = MODEL["shapes"]
OPERATIONS: dict[str, dict[str, Any]] = MODEL["operations"]


#: Below 2**32 s from the epoch (years 1833-2106), ``ms / 1000`` as a float is
#: within 0.25 µs of the instant, so ``fromtimestamp`` (rounding to the µs)
#: gives it exactly, quicker than building a timedelta.
_FLOAT_EXACT_MS = 2**32 * 1000


def seconds_to_datetime(value: float | int) -> datetime:
    """The wire's epoch seconds -> aware UTC datetime, to the millisecond."""
    ms = round(float(value) * 1000)
    if -_FLOAT_EXACT_MS < ms < _FLOAT_EXACT_MS:
        return datetime.fromtimestamp(ms / 1000, timezone.utc)
    return _EPOCH + timedelta(milliseconds=ms)


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
    """Shape a response body as botocore's parser does: timestamps -> datetime.

    ``body`` is the decoder's fresh value and is converted in place, then
    returned. Only members whose shapes can hold a timestamp are visited
    (:func:`_converter`); a body without any is returned untouched.
    """
    convert = output_converter(operation)
    return body if convert is None or not isinstance(body, dict) else convert(body)


@functools.lru_cache(maxsize=None)
def output_converter(operation: str) -> Callable[[Any], Any] | None:
    """The converter :func:`parse_output` applies to ``operation``'s dict bodies
    (in place); None when the operation has no output or no timestamp in it."""
    name = OPERATIONS[operation]["output"]
    if name is None:
        return None
    with _building_lock:  # one thread builds at a time: _building is shared
        return _converter(name)


def _shape_refs(shape: dict[str, Any]) -> list[str]:
    """The names of the shapes ``shape`` refers to (members, list member, map key and value)."""
    refs = [member["shape"] for member in shape.get("members", {}).values()]
    return refs + [shape[key] for key in ("member", "key", "value") if key in shape]


@functools.lru_cache(maxsize=None)
def _timestamped() -> frozenset[str]:
    """Names of the shapes that are, or can contain, a timestamp."""
    found = {name for name, shape in SHAPES.items() if shape["type"] == "timestamp"}
    grown = True
    while grown:
        before = len(found)
        found.update(name for name, shape in SHAPES.items() if any(ref in found for ref in _shape_refs(shape)))
        grown = len(found) != before
    return frozenset(found)


#: Shapes whose converter is being built (a recursive shape refers back to one).
_building: set[str] = set()
_building_lock = threading.RLock()


@functools.lru_cache(maxsize=None)
def _converter(name: str) -> Callable[[Any], Any] | None:
    """A converter for values of shape ``name``, or None when the shape holds no timestamp.

    It returns the value with its timestamps (epoch seconds) turned into
    datetimes, changing dicts and lists in place; a value of the wrong JSON
    type is returned as is, as botocore's parser leaves it. Call it through
    :func:`output_converter`, which holds the lock ``_building`` needs.
    """
    if name not in _timestamped():
        return None
    if name in _building:  # a recursive shape: look the finished converter up when called
        return lambda value: _converter(name)(value)  # type: ignore[misc]
    shape = SHAPES[name]
    kind = shape["type"]
    _building.add(name)
    try:
        if kind == "structure":
            members = [(key, convert) for key, member in shape.get("members", {}).items()
                       if (convert := _converter(member["shape"])) is not None]
            stamps = tuple(key for key, convert in members if convert is _convert_timestamp)
            nested = tuple((key, convert) for key, convert in members if convert is not _convert_timestamp)
            return functools.partial(_convert_structure, stamps, nested)
        if kind == "list":
            return functools.partial(_convert_list, _converter(shape["member"]))
        if kind == "map":  # botocore converts map values, never keys
            convert = _converter(shape["value"])
            return None if convert is None else functools.partial(_convert_map, convert)
        return _convert_timestamp if kind == "timestamp" else None
    finally:
        _building.discard(name)


def _convert_timestamp(value: Any) -> Any:
    """Epoch seconds -> datetime; anything else unchanged."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return seconds_to_datetime(value)
    return value


def _convert_structure(
    stamps: tuple[str, ...], nested: tuple[tuple[str, Callable[[Any], Any]], ...], value: Any
) -> Any:
    """Convert, in place, the members of a structure that can hold timestamps:
    ``stamps`` are timestamp members (converted here, saving a call each),
    ``nested`` the others with their converters."""
    if isinstance(value, dict):
        for key in stamps:
            if key in value:
                item = value[key]
                if isinstance(item, (int, float)) and not isinstance(item, bool):
                    value[key] = seconds_to_datetime(item)
        for key, convert in nested:
            if key in value:
                value[key] = convert(value[key])
    return value


def _convert_list(convert: Callable[[Any], Any], value: Any) -> Any:
    """Convert, in place, every item of a list."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            value[index] = convert(item)
    return value


def _convert_map(convert: Callable[[Any], Any], value: Any) -> Any:
    """Convert, in place, every value of a map."""
    if isinstance(value, dict):
        for key, item in value.items():
            value[key] = convert(item)
    return value
