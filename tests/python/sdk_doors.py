"""Helpers for the tests of stepfiber's SDK doors (patch_boto3, serve, the AWS CLI).

Plain functions, imported by the door tests (``from sdk_doors import ...``); the
network they touch is 127.0.0.1 only.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from datetime import datetime
from typing import Any

import boto3
from botocore.config import Config

FAKE_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
CONTENT_TYPE = "application/x-amz-json-1.0"

#: No retries (an error must show, not be retried away) and short socket timeouts.
NO_RETRY = {"total_max_attempts": 1}


def endpoint_client(endpoint_url: str, region: str = "us-east-1", **config: Any) -> Any:
    """A real boto3 stepfunctions client over HTTP, as the README tells users to make it."""
    options: dict[str, Any] = {"inject_host_prefix": False, "retries": NO_RETRY, "connect_timeout": 5,
                               "read_timeout": 70}
    options.update(config)
    return boto3.session.Session().client(
        "stepfunctions", region_name=region, endpoint_url=endpoint_url, config=Config(**options),
        **FAKE_CREDENTIALS,
    )


def raw_post(
    endpoint_url: str,
    target: str | None,
    body: bytes,
    content_type: str = CONTENT_TYPE,
    timeout: float = 10.0,
) -> tuple[int, dict[str, str], Any]:
    """POST ``body`` to the endpoint with ``X-Amz-Target: target``; (status, headers, parsed JSON body)."""
    headers = {"Content-Type": content_type}
    if target is not None:
        headers["X-Amz-Target"] = target
    request = urllib.request.Request(endpoint_url + "/", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw, got = response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        status, raw, got = exc.code, exc.read(), dict(exc.headers)
        exc.close()
    return status, {k.lower(): v for k, v in got.items()}, json.loads(raw) if raw else None


def error_code(body: Any) -> str:
    """The code of an AWS JSON error body (what botocore reads from ``__type``)."""
    return str(body.get("__type", "")).rsplit("#", 1)[-1]


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def normalise(value: Any, tokens: dict[str, str] | None = None) -> Any:
    """An answer with what legitimately differs between engines/doors replaced.

    ``ResponseMetadata`` is dropped, datetimes become ``<date>``, UUIDs ``<uuid>``, and
    every known task token ``<token:N>`` (``tokens`` maps token -> name).
    """
    tokens = tokens or {}
    if isinstance(value, dict):
        return {k: normalise(v, tokens) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [normalise(v, tokens) for v in value]
    if isinstance(value, datetime):
        return "<date>"
    if isinstance(value, str):
        for token, name in tokens.items():
            value = value.replace(token, name)
        return _UUID.sub("<uuid>", value)
    return value
