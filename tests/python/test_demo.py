"""The `make demo` script runs and reports the moderation outcomes."""

from __future__ import annotations

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_moderation_demo_prints_outcomes_and_history():
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / "moderation_demo.py")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    status = {ln.split()[0]: ln.split()[1:3] for ln in lines if ln[:2] in {"p1", "p2", "p5", "p8"}}
    assert status["p1"] == ["SUCCEEDED", "published"]
    assert status["p2"] == ["FAILED", "ForbiddenWords"]
    assert status["p5"] == ["FAILED", "PostRejected"]
    assert any("TaskSubmitted" in ln for ln in lines)
    assert lines[-1].strip().endswith("ExecutionSucceeded")
