"""Opaque ``nextToken`` pagination over lists the engine returns whole.

A token is URL-safe base64 of a small JSON object naming the operation, the
scope it was issued for (e.g. the execution ARN) and a cursor. Cursors are
*keys*, not offsets, so a page boundary survives items being added between
calls. A token that does not decode, or was issued for another operation or
scope, is rejected with ``InvalidToken`` as AWS does.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any, Callable, TypeVar

from .exceptions import make_error

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


def page_size(max_results: int | None, operation: str) -> int:
    """``maxResults`` -> page size: 0/None mean 100; over 1000 is a ValidationException."""
    if max_results is not None and max_results > MAX_PAGE_SIZE:
        raise make_error(
            "ValidationException",
            f"1 validation error detected: Value '{max_results}' at 'maxResults' failed to "
            f"satisfy constraint: Member must have value less than or equal to {MAX_PAGE_SIZE}",
            operation,
        )
    return max_results or DEFAULT_PAGE_SIZE


def encode_token(operation: str, scope: str, cursor: Any) -> str:
    """Build an opaque token for the page after ``cursor``."""
    raw = json.dumps({"op": operation, "scope": scope, "after": cursor}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _invalid(operation: str) -> Exception:
    return make_error("InvalidToken", "Invalid Token: 'Invalid token'", operation)


def decode_token(token: str, operation: str, scope: str) -> Any:
    """Return the cursor inside ``token``; InvalidToken when it is not ours."""
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        raise _invalid(operation) from None
    if not isinstance(data, dict) or data.get("op") != operation or data.get("scope") != scope:
        raise _invalid(operation)
    if "after" not in data:
        raise _invalid(operation)
    return data["after"]


def paginate(
    items: Sequence[T],
    *,
    key: Callable[[T], Any],
    start_index: Callable[[Any], int | None],
    next_token: str | None,
    limit: int,
    operation: str,
    scope: str,
) -> tuple[list[T], str | None]:
    """Slice one page out of ``items``.

    ``key(item)`` is the cursor stored in tokens; ``start_index(cursor)``
    finds where the next page starts in the current ``items`` (None when the
    cursor no longer makes sense -> InvalidToken).
    """
    start = 0
    if next_token is not None:
        cursor = decode_token(next_token, operation, scope)
        found = start_index(cursor)
        if found is None:
            raise _invalid(operation)
        start = found
    page = list(items[start : start + limit])
    token = None
    if start + limit < len(items) and page:
        token = encode_token(operation, scope, key(page[-1]))
    return page, token
