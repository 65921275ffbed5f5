"""Client-side request validation, as botocore's ``ParamValidator`` does it.

The input shapes come from botocore's ``stepfunctions`` 2016-11-23 model, the
same pruned model the core's operation layer is generated from
(:mod:`stepfiber._model`). Like botocore, validation checks required
members, Python types, unknown members and ``min`` (length for strings and
lists, value for numbers); it does **not** check ``max``, patterns or enums --
those are the service's ``ValidationException`` (the operation layer's job).
Messages use botocore's wording.

Valid requests, the common case, are checked by predicates compiled once per
shape (:func:`checker`, :func:`params_check`); only a request they reject walks
the shapes again to word the report, so error names are built only when
reported.
"""

from __future__ import annotations

import decimal
import functools
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Callable

from ._model import input_shape
from .exceptions import ParamValidationError

Shape = dict[str, Any]

# Python types botocore accepts for each model type (botocore.validate).
_VALID_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "long": (int,),
    "boolean": (bool,),
    "structure": (dict,),
    "map": (dict,),
    "list": (list, tuple),
    "timestamp": (datetime, str),
    "blob": (bytes, bytearray, str),
    "float": (float, decimal.Decimal, int),
    "double": (float, decimal.Decimal, int),
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
    what = "value" if shape["type"] in ("integer", "long", "float", "double") else "length"
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
    elif kind == "map":
        for key, item in value.items():
            _validate(item, shape["value"], f"{name}.{key}", errors)
    elif kind == "string":
        _check_min(len(value), len(value), shape, name, errors)
    elif kind in ("integer", "long"):
        _check_min(value, value, shape, name, errors)


Check = Callable[[Any], bool]


def checker(shape: Shape) -> Check:
    """A predicate that is True exactly when :func:`_validate` would report nothing.

    A shape it cannot judge (a recursive shape cut short by ``input_shape``)
    answers False, which sends the value to the reporting walk.
    """
    kind = shape["type"]
    valid = _VALID_TYPES.get(kind)
    minimum = shape.get("min")
    if valid is None:
        return lambda value: False
    if kind == "structure":
        if "members" not in shape:
            return lambda value: False
        members = {name: checker(member) for name, member in shape["members"].items()}
        required = tuple(shape.get("required", ()))

        def check_structure(value: Any) -> bool:
            if not isinstance(value, valid):
                return False
            for name in required:
                if name not in value:
                    return False
            for key, item in value.items():
                member = members.get(key)
                if member is None or not member(item):
                    return False
            return True

        return check_structure
    if kind in ("list", "map"):
        item_shape = shape.get("member" if kind == "list" else "value")
        item_check = (lambda value: False) if item_shape is None else checker(item_shape)
        floor = 0 if kind == "map" or minimum is None else minimum

        def check_container(value: Any) -> bool:
            if not isinstance(value, valid) or len(value) < floor:
                return False
            return all(map(item_check, value if kind == "list" else value.values()))

        return check_container
    types, floor, sized = scalar_rule(shape)  # type: ignore[misc]
    if floor is None:
        return lambda value: isinstance(value, types)
    if sized:
        return lambda value: isinstance(value, types) and len(value) >= floor
    return lambda value: isinstance(value, types) and value >= floor


ScalarRule = tuple[tuple[type, ...], "int | None", bool]


def scalar_rule(shape: Shape) -> ScalarRule | None:
    """What botocore checks on a scalar: ``(valid types, min or None, whether
    min bounds len() rather than the value)``. None for a structure, list or
    map, and for a type botocore does not know: judge those with :func:`checker`.

    A value passes when ``isinstance(value, types)`` and, with a min,
    ``len(value)`` (strings) or ``value`` (integers, longs) is at least min.
    """
    kind = shape["type"]
    if kind in ("structure", "list", "map") or kind not in _VALID_TYPES:
        return None
    floor = shape.get("min") if kind in ("string", "integer", "long") else None
    return _VALID_TYPES[kind], floor, kind == "string"


@functools.lru_cache(maxsize=None)
def params_check(operation: str) -> Check:
    """The compiled validity predicate of ``operation``'s input: True means
    :func:`validate_params` has nothing to report."""
    return checker(input_shape(operation))


def validate_params(operation: str, params: Mapping[str, Any]) -> None:
    """Validate ``params`` for ``operation``; raise :class:`ParamValidationError`.

    All problems are collected first, one report line each, as botocore does.
    """
    if params_check(operation)(params):
        return
    errors: list[str] = []
    _validate_structure(params, input_shape(operation), "", errors)
    if errors:
        raise ParamValidationError(report="\n".join(errors))
