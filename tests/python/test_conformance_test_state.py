"""AWS conformance of TestState: replay the corpus's TestState cases and hold their floor.

The cases (``test_state`` and ``api_error:test_state``) run through
``client.test_state`` (``conformance/teststate_cases.py``); the test fails only when a
figure drops below ``conformance/floor_test_state.json``, and prints the table with each
failing case and why. Raise the floor after an improvement, never lower it to hide a
regression. Without the corpus the test skips, except under ``CI=true`` where that fails.
"""

from __future__ import annotations

import json

import pytest

from conformance.corpus import corpus_dir, missing_corpus
from conformance.teststate_cases import (
    RESTORED_FILE,
    figures,
    floor_violations,
    format_report,
    load_floor,
    restored_summary,
    run_corpus,
)

_MISSING = "conformance corpus not found (<repo>/../shared/conformance/localstack or $STEPFIBER_CONFORMANCE_DIR)"


def test_test_state_conformance_floor(capsys: pytest.CaptureFixture[str]) -> None:
    directory = corpus_dir()
    if directory is None:
        missing_corpus(_MISSING)
    results = run_corpus(directory)
    with capsys.disabled():
        print("\n\nTestState conformance (AWS-recorded LocalStack corpus)\n" + format_report(results))
        print(restored_summary(directory, results))
    assert results, "the corpus holds no TestState case"
    problems = floor_violations(results, load_floor())
    assert not problems, "TestState conformance fell below its floor:\n" + "\n".join(problems)


def test_endpoint_door_passes_what_in_process_passes(capsys: pytest.CaptureFixture[str]) -> None:
    """The same cases through real boto3 over HTTP (``stepfiber.serve``): case by case, the same outcome."""
    directory = corpus_dir()
    if directory is None:
        missing_corpus(_MISSING)
    in_process = run_corpus(directory)
    endpoint = run_corpus(directory, door="endpoint")
    with capsys.disabled():
        print("\n\nTestState through the HTTP endpoint (boto3)\n" + format_report(endpoint))
    assert [r.case_id for r in in_process] == [r.case_id for r in endpoint]
    differing = [
        f"{a.case_id.split('::')[-1]}: in-process {a.outcome}, endpoint {b.outcome} ({b.reason}: {b.diff[:160]})"
        for a, b in zip(in_process, endpoint)
        if a.outcome != b.outcome
    ]
    assert not differing, "the doors disagree:\n" + "\n".join(differing[:20])


def test_floor_names_known_figures() -> None:
    """A misspelt floor key would hold nothing."""
    assert set(load_floor()["min_passed"]) <= set(figures([]))


def test_every_restored_request_reaches_a_case() -> None:
    """A restored entry whose key matches no corpus case would hold nothing (a typo, or the
    corpus changed); each must add a member to at least one replayed request."""
    directory = corpus_dir()
    if directory is None:
        missing_corpus(_MISSING)
    table = json.loads(RESTORED_FILE.read_text())["requests"]
    reached = {r.restored_from for r in run_corpus(directory)}
    unmatched = sorted(set(table) - reached)
    assert not unmatched, f"restored_requests.json entries that reach no case: {unmatched}"


def test_missing_corpus_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        missing_corpus(_MISSING)
