"""JSON text <-> Python values for payloads as deep as the engine accepts.

The engine accepts JSON nested up to ``_core.MAX_JSON_DEPTH`` (1000) levels,
as AWS (Jackson) does. CPython's ``json`` module recurses once per level and
counts against ``sys.getrecursionlimit()`` (1000 by default), so a payload
the engine accepted could not cross into a handler. These helpers retry a
``RecursionError`` once with the limit raised just enough, then restore it.
"""

from __future__ import annotations

import json
import sys
import threading
from typing import Any, Callable

from . import _core

#: Frames of headroom above the payload's depth (the caller's own stack).
_HEADROOM = 200
_limit_lock = threading.Lock()


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
