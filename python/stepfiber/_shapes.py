"""Response helpers: datetimes and the ``ResponseMetadata`` block.

Operation responses are shaped from botocore's model (:mod:`stepfiber._model`);
this module holds what the extensions share with them: millisecond <->
``datetime`` conversion and the ``ResponseMetadata`` every boto3 call returns.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from . import _json

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

#: Keys whose values the engine's native (extension) calls send as int ms.
TIMESTAMP_KEYS = frozenset({"startDate", "scheduledDate"})


def ms_to_datetime(ms: int) -> datetime:
    """Integer ms since the Unix epoch -> aware UTC datetime (exact, no float)."""
    return _EPOCH + timedelta(milliseconds=ms)


def datetime_to_ms(value: datetime | int | float) -> int:
    """An aware datetime (naive = UTC) or epoch seconds -> integer ms."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        delta = value - _EPOCH
        return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"start_time must be a datetime or epoch seconds, not {type(value).__name__}")
    return round(value * 1000)


def convert_times(record: Mapping[str, Any]) -> dict[str, Any]:
    """Copy ``record`` with every timestamp key turned into a datetime."""
    return {
        key: ms_to_datetime(value) if key in TIMESTAMP_KEYS and isinstance(value, int) else value
        for key, value in record.items()
    }


#: A random hex digit -> the RFC 4122 variant digit (binary 10xx) keeping its two low bits.
_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def response_metadata(status: int = 200) -> dict[str, Any]:
    """A boto3-like ``ResponseMetadata`` block with a fresh request id.

    The id is ``uuid.uuid4()``'s text form, written directly: the same 122
    random bits from ``os.urandom`` with the version (4) and RFC 4122 variant
    digits set; ``str(uuid.uuid4())`` costs several times more.
    """
    h = os.urandom(16).hex()
    request_id = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"
    return {
        "RequestId": request_id,
        "HTTPStatusCode": status,
        "HTTPHeaders": {
            "x-amzn-requestid": request_id,
            "content-type": "application/x-amz-json-1.0",
        },
        "RetryAttempts": 0,
    }


def response(body: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``body`` plus ``ResponseMetadata``, as every boto3 call returns."""
    result = dict(body or {})
    result["ResponseMetadata"] = response_metadata()
    return result


def pending_task(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A ``list_pending_tasks`` record with parsed parameters and a datetime."""
    task = convert_times(raw)
    params = raw.get("parameters")
    task["parameters"] = _json.loads(params) if params else None
    return task
