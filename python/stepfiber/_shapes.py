"""Response shaping: botocore-like dicts from the engine's plain values.

The engine speaks integer milliseconds and JSON text; boto3 users expect
timezone-aware ``datetime`` objects, parsed history details and a
``ResponseMetadata`` block on every response. Nothing here knows AWS
semantics beyond the response *shapes* of the botocore model.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

#: Keys whose values the engine sends as int milliseconds since the epoch.
TIMESTAMP_KEYS = frozenset(
    {"creationDate", "startDate", "stopDate", "timestamp", "scheduledDate", "redriveDate", "updateDate"}
)

#: ExecutionListItem members of the model (ListExecutions items).
EXECUTION_LIST_ITEM_KEYS = (
    "executionArn",
    "stateMachineArn",
    "name",
    "status",
    "startDate",
    "stopDate",
    "mapRunArn",
    "itemCount",
    "stateMachineVersionArn",
    "stateMachineAliasArn",
    "redriveCount",
    "redriveDate",
)

#: History-detail members that carry execution data (dropped when
#: ``includeExecutionData=False``).
EXECUTION_DATA_KEYS = ("input", "output")


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


def response_metadata(status: int = 200) -> dict[str, Any]:
    """A boto3-like ``ResponseMetadata`` block with a fresh request id."""
    request_id = str(uuid.uuid4())
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


def execution_description(raw: Mapping[str, Any]) -> dict[str, Any]:
    """DescribeExecution body: datetimes, plus input/outputDetails as AWS sends."""
    body = convert_times(raw)
    if "input" in body:
        body.setdefault("inputDetails", {"included": True})
    if "output" in body:
        body.setdefault("outputDetails", {"included": True})
    return body


def execution_list_item(raw: Mapping[str, Any]) -> dict[str, Any]:
    """ListExecutions item: only ExecutionListItem members, with datetimes."""
    return convert_times({k: raw[k] for k in EXECUTION_LIST_ITEM_KEYS if k in raw})


def history_event(raw: Mapping[str, Any], include_execution_data: bool) -> dict[str, Any]:
    """One engine history record -> botocore's HistoryEvent shape."""
    event: dict[str, Any] = {
        "timestamp": ms_to_datetime(raw["timestamp"]),
        "type": raw["type"],
        "id": raw["id"],
        "previousEventId": raw["previousEventId"],
    }
    details_key = raw.get("detailsKey") or ""
    if details_key:
        details = json.loads(raw["details"]) if raw.get("details") else {}
        if not include_execution_data:
            for key in EXECUTION_DATA_KEYS:
                details.pop(key, None)
        event[details_key] = details
    return event


def pending_task(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A ``list_pending_tasks`` record with parsed parameters and a datetime."""
    task = convert_times(raw)
    params = raw.get("parameters")
    task["parameters"] = json.loads(params) if params else None
    return task


def history_events(raws: Iterable[Mapping[str, Any]], include_execution_data: bool) -> list[dict[str, Any]]:
    """Shape a sequence of engine history records."""
    return [history_event(raw, include_execution_data) for raw in raws]
