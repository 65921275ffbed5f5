"""Executes the notebooks so they cannot rot."""

from __future__ import annotations

import pathlib

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = pathlib.Path(__file__).resolve().parents[2]


def run_notebook(name: str):
    nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    return nb


def outputs_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts.append(str(out.get("data", {}).get("text/plain", "")))
    return "\n".join(parts)


def test_callbacks_notebook_runs_and_shows_outcomes():
    nb = run_notebook("01_callbacks.ipynb")
    text = outputs_text(nb)
    # Every post gets its outcome from the workflow's own rules.
    assert "p1  SUCCEEDED  published" in text
    assert "p2  FAILED     ForbiddenWords" in text
    assert "p4  FAILED     PostRejected" in text
    assert "second answer: TaskTimedOut" in text
    assert "after a heartbeat: RUNNING" in text
    assert "after silence: FAILED States.Timeout" in text


def test_testing_notebook_runs_and_shows_outcomes():
    nb = run_notebook("02_testing.ipynb")
    text = outputs_text(nb)
    assert "status: SUCCEEDED next: Decide" in text
    assert "0 RETRIABLE" in text and "3 CAUGHT_ERROR ManualReview" in text
    assert "HappyPath  SUCCEEDED" in text
    assert "RetryPath  SUCCEEDED  TaskFailed x3" in text
    assert "after two days: RUNNING" in text
    assert 'after the answer: SUCCEEDED {"approved":true}' in text
