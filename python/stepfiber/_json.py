"""JSON text <-> Python values for payloads as deep as the engine accepts.

The engine accepts JSON nested up to ``_core.MAX_JSON_DEPTH`` (1000) levels,
as AWS (Jackson) does. CPython's ``json`` module recurses once per level and
counts against ``sys.getrecursionlimit()`` (1000 by default), so a payload
the engine accepted could not cross into a handler. :func:`loads` and
:func:`dumps` retry a ``RecursionError`` once with the limit raised just
enough, then restore it.

:func:`dumps_compact` and :func:`loads_body` are the client's per-call request
and response codecs: the same text and values as ``json.dumps(...,
separators=(",", ":"))`` and ``json.loads``, with less work per call.
"""

from __future__ import annotations

import json
import sys
import threading
from json.encoder import encode_basestring_ascii
from typing import Any, Callable

from . import _core

#: Frames of headroom above the payload's depth (the caller's own stack).
_HEADROOM = 200
_limit_lock = threading.Lock()
#: ``json.dumps(value, separators=(",", ":"))`` builds this encoder on every call.
_COMPACT = json.JSONEncoder(separators=(",", ":"))
_DECODER = json.JSONDecoder()


def _deep(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except RecursionError:
        pass
    with _limit_lock:
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(max(old, old + _core.MAX_JSON_DEPTH + _HEADROOM))
        try:
            return fn()
        finally:
            sys.setrecursionlimit(old)


def loads(text: str | bytes) -> Any:
    """``json.loads`` that handles nesting up to the engine's limit."""
    return _deep(lambda: json.loads(text))


def dumps(value: Any, **kwargs: Any) -> str:
    """``json.dumps`` that handles nesting up to the engine's limit (deeper
    values are encoded too; the engine then refuses them with its depth error)."""
    return _deep(lambda: json.dumps(value, **kwargs))


def dumps_compact(value: Any) -> str:
    """``json.dumps(value, separators=(",", ":"))``, the same text with less work.

    A dict whose keys and values are all plain ``str`` (most requests) is
    written with json's own string encoder; anything else goes through one
    cached compact ``JSONEncoder``.
    """
    if type(value) is dict:
        parts = []
        for key, item in value.items():
            if type(key) is not str or type(item) is not str:
                return _COMPACT.encode(value)
            parts.append(f"{encode_basestring_ascii(key)}:{encode_basestring_ascii(item)}")
        return "{" + ",".join(parts) + "}"
    return _COMPACT.encode(value)


def loads_body(raw: Any) -> Any:
    """``json.loads(raw)`` for an operation-layer body, without its encoding sniffing.

    The operation layer answers UTF-8 bytes holding one JSON value. Anything
    this quick path cannot take whole (not bytes, another encoding or a BOM,
    surrounding whitespace, malformed text) goes to ``json.loads`` itself, so
    the value or the error is the same.
    """
    if type(raw) is not bytes:
        return json.loads(raw)
    if raw == b"{}":  # the answer of most operations that return nothing
        return {}
    try:
        text = raw.decode("utf-8", "surrogatepass")
        value, end = _DECODER.raw_decode(text)
    except ValueError:  # UnicodeDecodeError, JSONDecodeError
        return json.loads(raw)
    return value if end == len(text) else json.loads(raw)
