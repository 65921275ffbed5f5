"""The operation layer against botocore's model: nothing missing, nothing stale.

The C++ operation layer is generated from botocore's ``stepfunctions`` model
(``cpp/src/api/generate_model.py``). These tests fail when the installed
botocore's model has an operation or an input member that the layer does not
route, or when the committed generated file is stale.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import botocore
import pytest

from stepfiber import _core

ROOT = Path(__file__).resolve().parents[2]


def _installed_model() -> dict:
    base = Path(os.path.dirname(botocore.__file__)) / "data" / "stepfunctions" / "2016-11-23"
    plain = base / "service-2.json"
    if plain.exists():
        return json.loads(plain.read_text())
    with gzip.open(base / "service-2.json.gz", "rt") as f:
        return json.load(f)


MODEL = _installed_model()
ROUTED = {op["name"]: op for op in _core.api_operations() if not op["extension"]}


def test_every_model_operation_is_routed() -> None:
    missing = sorted(set(MODEL["operations"]) - set(ROUTED))
    assert not missing, f"botocore's model has operations the layer does not route: {missing}"
    assert len(MODEL["operations"]) == 37


@pytest.mark.parametrize("operation", sorted(MODEL["operations"]))
def test_every_input_member_is_read_or_ignored_on_purpose(operation: str) -> None:
    spec = ROUTED[operation]
    input_shape = MODEL["operations"][operation].get("input", {}).get("shape")
    members = set(MODEL["shapes"][input_shape]["members"]) if input_shape else set()
    handled = set(spec["reads"]) | {member for member, _ in spec["ignored"]}
    assert members - handled == set(), f"{operation}: members neither read nor ignored: {sorted(members - handled)}"
    assert handled - members == set(), f"{operation}: the table names members the model lacks: {sorted(handled - members)}"
    for member, why in spec["ignored"]:
        assert why, f"{operation}.{member} is ignored without a reason"


def test_generated_model_is_current() -> None:
    script = ROOT / "cpp" / "src" / "api" / "generate_model.py"
    result = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_core_model_matches_installed_botocore() -> None:
    core = json.loads(_core.api_model())
    assert set(core["operations"]) == set(MODEL["operations"])
    for name, shape in MODEL["shapes"].items():
        assert core["shapes"][name]["type"] == shape["type"], name
        assert set(core["shapes"][name].get("members", {})) == set(shape.get("members", {})), name
