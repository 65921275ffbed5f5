"""The official JSONata suite through stepfiber.jsonata must not fall below its floor.

The floor is ``jsonata_suite/floor.json`` (raise it with
``python tests/python/jsonata_suite/runner.py --write-floor``). Without the corpus the
test skips, except under ``CI=true`` where a missing corpus is a failure.
"""

from __future__ import annotations

import os

import pytest

from jsonata_suite.runner import corpus_dir, format_report, load_floor, run_suite


def test_jsonata_suite_floor(capsys: pytest.CaptureFixture[str]) -> None:
    """Applicable cases pass at least as often as the committed floor says."""
    directory = corpus_dir()
    if directory is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("JSONata suite corpus missing (<repo>/../shared/conformance/jsonata or $STEPFIBER_JSONATA_SUITE_DIR)")
        pytest.skip("JSONata suite corpus not found")
    report = run_suite(directory)
    with capsys.disabled():
        print("\n\n" + format_report(report))
    floor = load_floor()
    assert report["passed"] >= floor["passed"], f"JSONata suite fell below its floor: {report['passed']} < {floor['passed']}"
