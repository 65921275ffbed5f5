"""TestState's integration result shapes against botocore: generated, current, complete.

``cpp/src/engine/generate_integration_shapes.py`` derives the shapes TestState checks
a mocked result against (``mock.fieldValidationMode``) from botocore's service models.
These tests fail when the committed ``integration_shapes_generated.inc`` is stale, or
when an integration the generator lists does not name a botocore operation.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import botocore.loaders

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "cpp" / "src" / "engine" / "generate_integration_shapes.py"


def _generator():
    spec = importlib.util.spec_from_file_location("generate_integration_shapes", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def test_generated_shapes_are_current() -> None:
    result = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_every_listed_integration_names_a_botocore_operation() -> None:
    loader = botocore.loaders.Loader()
    for resource, service, operation in _generator().integrations():
        model = loader.load_service_model(service, "service-2")
        assert operation in model["operations"], f"{resource}: {service} has no operation {operation}"


def test_committed_table_covers_the_listed_integrations() -> None:
    text = (SCRIPT.parent / "integration_shapes_generated.inc").read_text()
    table = json.loads("".join(re.findall(r'R"sfnshapes\((.*?)\)sfnshapes"', text, re.S)))
    listed = {resource for resource, _, _ in _generator().integrations()}
    assert set(table["integrations"]) == listed
    for entry in table["integrations"].values():
        assert entry["output"] is None or entry["output"] in table["shapes"]
    # Step Functions prints member names capitalised, and lambda:invoke's Payload is JSON.
    invoke = table["shapes"][table["integrations"]["lambda:invoke"]["output"]]
    assert invoke["members"]["Payload"] == "document"
    start = table["shapes"][table["integrations"]["states:startExecution"]["output"]]
    assert start["required"] == ["ExecutionArn", "StartDate"]
