"""Step Functions Local's MockConfigFile and WAIT_TIME_SCALE, for :func:`stepfiber.client`.

``mock_config`` is a path to a MockConfigFile, or the same content as a dict. Without it,
the ``SFN_MOCK_CONFIG`` environment variable names the file, as Step Functions Local reads
it. The engine parses and checks it (``engine/mock_config.h``); a bad file raises
:class:`MockConfigError` (a ``ValueError``) naming the file, the JSON pointer and the
problem. Executions started on ``stateMachineArn + "#" + TestCase`` run that test case.

``time_scale`` is Step Functions Local's ``WAIT_TIME_SCALE``: 0.1 makes every Wait,
timeout, heartbeat and retry back-off ten times shorter (finite, > 0).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

__all__ = ["ENV_VAR", "MockConfigError", "install_mock_config", "read_mock_config", "check_time_scale"]

#: The environment variable Step Functions Local reads the MockConfigFile's path from.
ENV_VAR = "SFN_MOCK_CONFIG"

class MockConfigError(ValueError):
    """A MockConfigFile that cannot be loaded: the file, the JSON pointer and what is wrong."""


class _CallsApi(Protocol):
    def call_api(self, target: str, body: bytes | str) -> tuple[int, bytes]: ...


def check_time_scale(value: Any) -> float:
    """``time_scale`` as a float, or ValueError unless it is a finite number > 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"time_scale must be a finite number > 0, got {value!r}")
    return float(value)


def read_mock_config(mock_config: Any) -> tuple[str, str] | None:
    """``(json_text, source_name)`` of the mock config to load, or None for none.

    ``mock_config``: a path, a dict, or None (then ``$SFN_MOCK_CONFIG`` when set).
    """
    if mock_config is None:
        env = os.environ.get(ENV_VAR)
        if not env:
            return None
        mock_config = env
    if isinstance(mock_config, Mapping):
        try:
            return json.dumps(mock_config), "<dict>"
        except (TypeError, ValueError) as exc:
            raise MockConfigError(f"mock config <dict>: /: not JSON-serialisable: {exc}") from None
    if isinstance(mock_config, (str, os.PathLike)):
        path = Path(mock_config)
        try:
            return path.read_text(encoding="utf-8"), str(path)
        except OSError as exc:
            raise MockConfigError(f"mock config {path}: cannot be read: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise MockConfigError(f"mock config {path}: /: not JSON: the file is not UTF-8 text") from None
    raise TypeError(f"mock_config must be a path or a dict, got {type(mock_config).__name__}")


def install_mock_config(client: _CallsApi, found: tuple[str, str]) -> None:
    """Load ``(json_text, source_name)`` (from :func:`read_mock_config`) into the client's engine.

    Raises :class:`MockConfigError` naming the file, the JSON pointer and the problem.
    """
    text, source = found
    status, raw = client.call_api("StepFiber.LoadMockConfig", json.dumps({"config": text, "source": source}))
    if status != 200:
        message = json.loads(raw or b"{}").get("message", "cannot be loaded")
        raise MockConfigError(message)
