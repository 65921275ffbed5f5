"""AWS conformance: replay the LocalStack-recorded corpus and hold the headline floors.

One aggregate test runs every execution case (a few seconds) and fails only when a
headline figure drops below ``conformance/floor.json``; individual case failures are
reported in the table, not as test failures. The table is printed to the terminal.
Raise the floor after an improvement with
``python tests/python/conformance/report.py --write-floor`` (see conformance/floor.json).
A second run goes through the endpoint door (real boto3 over HTTP against
``stepfiber.serve``) and must pass exactly the cases the in-process run passes.
Without the corpus these tests skip, except under ``CI=true`` where that is a failure.
"""

from __future__ import annotations

import functools
import json

import pytest

import stepfiber
from conformance.corpus import CORPUS_ENV, corpus_dir, missing_corpus, uses_jsonata
from conformance.normalise import Matcher, Normaliser, replace_timestamps
from conformance.runner import (
    CaseResult,
    floor_violations,
    format_report,
    headline,
    history_key,
    load_floor,
    run_corpus,
)
from conformance.services import LAMBDA_INVOKE, ServiceEmulator, invoke_envelope

_MISSING = f"conformance corpus not found (<repo>/../shared/conformance/localstack or ${CORPUS_ENV})"


@functools.lru_cache(maxsize=None)
def _in_process_results() -> tuple[CaseResult, ...]:
    """The in-process run, shared by the floor test and the endpoint comparison."""
    directory = corpus_dir()
    return tuple(run_corpus(directory)) if directory is not None else ()


def test_conformance_floor(capsys: pytest.CaptureFixture[str]) -> None:
    """Every execution case runs; no headline figure falls below its committed floor."""
    if corpus_dir() is None:
        missing_corpus(_MISSING)
    results = list(_in_process_results())
    with capsys.disabled():
        print("\n\nConformance (AWS-recorded LocalStack corpus)\n" + format_report(results))
    assert results, "the corpus holds no execution case"
    problems = floor_violations(results, load_floor())
    assert not problems, "conformance fell below its floor:\n" + "\n".join(problems)


def test_endpoint_door_passes_what_in_process_passes(capsys: pytest.CaptureFixture[str]) -> None:
    """Through real boto3 over HTTP (stepfiber.serve) the same cases pass, with the same figures."""
    directory = corpus_dir()
    if directory is None:
        missing_corpus(_MISSING)
    if not hasattr(stepfiber._core, "HttpServer"):
        pytest.skip("this build has no HTTP server (_core.HttpServer)")
    in_process = list(_in_process_results())
    endpoint = run_corpus(directory, door="endpoint")
    figures = {k: (f.passed, f.compared) for k, f in headline(endpoint).items()}
    with capsys.disabled():
        print("\n\nConformance through the HTTP endpoint (boto3)\n"
              + "\n".join(f"  {k}: {p}/{c}" for k, (p, c) in figures.items()))
    assert figures == {k: (f.passed, f.compared) for k, f in headline(in_process).items()}
    differing = [
        f"{a.short}: in-process {a.outcome}, endpoint {b.outcome} ({b.reason}: {b.diff[:160]})"
        for a, b in zip(in_process, endpoint)
        if (a.case_id, a.outcome, a.history_match) != (b.case_id, b.outcome, b.history_match)
    ]
    assert not differing, "the doors disagree:\n" + "\n".join(differing[:20])


def test_missing_corpus_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """A missing corpus is a skip locally and a failure under CI=true."""
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        missing_corpus("corpus not found")
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        missing_corpus("corpus not found")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        missing_corpus("corpus not found")


# --- the Lambda Invoke envelope is built, never copied from the expectation ------------


def _lambda_case(expected_output: object) -> dict[str, object]:
    return {
        "id": "t::lambda_case",
        "definition": {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": LAMBDA_INVOKE, "End": True}}},
        "needs": ["lambda"],
        "resources": [{"fixture": "create_lambda_function",
                       "kwargs": {"func_name": "fn_1", "handler_file": "templates/id_function.py"}}],
        "expected": {"status": "SUCCEEDED", "output": expected_output},
    }


def test_invoke_envelope_is_built_from_the_function_response() -> None:
    """Content-Length is the payload's bytes as the runtime sends them; ids and dates are fresh."""
    envelope = invoke_envelope({"a": [1, "é"]}, {})
    body = json.dumps({"a": [1, "é"]}).encode()
    headers = envelope["SdkHttpMetadata"]["HttpHeaders"]
    assert headers["Content-Length"] == str(len(body))
    assert envelope["SdkHttpMetadata"]["AllHttpHeaders"]["Content-Length"] == [str(len(body))]
    assert envelope["StatusCode"] == 200 and envelope["ExecutedVersion"] == "$LATEST"
    assert envelope["SdkResponseMetadata"]["RequestId"] == headers["x-amzn-RequestId"]
    assert invoke_envelope(1, {})["SdkResponseMetadata"]["RequestId"] != envelope["SdkResponseMetadata"]["RequestId"]
    assert "LogResult" not in envelope and "LogResult" in invoke_envelope(1, {"LogType": "Tail"})


def test_emulated_invoke_ignores_the_recorded_envelope() -> None:
    """A recording with a doctored envelope changes nothing in what the emulator returns."""
    doctored = {"ExecutedVersion": "7", "Payload": {}, "StatusCode": 299,
                "SdkHttpMetadata": {"HttpHeaders": {"Content-Length": "99999"}, "HttpStatusCode": 299}}
    emulator = ServiceEmulator(_lambda_case(doctored))  # type: ignore[arg-type]
    result = emulator._invoke_handler({"FunctionName": "fn_1", "Payload": {"x": 1}}, {})
    assert result["Payload"] == {"x": 1}
    assert result["StatusCode"] == 200 and result["ExecutedVersion"] == "$LATEST"
    assert result["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"] == str(len(json.dumps({"x": 1})))


# --- the comparison machinery itself (no corpus needed) --------------------------------


def test_timestamps_are_normalised_only_when_real() -> None:
    """A real ISO-8601 instant becomes 'date'; month 13 or Feb 30 stay as they are."""
    text = "2024-02-29T10:00:00.123Z 2016-13-05T21:29:29Z 2023-02-30T00:00:00Z 2024-06-01T12:00:00+00:00"
    assert replace_timestamps(text) == "date 2016-13-05T21:29:29Z 2023-02-30T00:00:00Z date"


def test_normaliser_applies_case_then_global_transformers() -> None:
    """Engine account, case regex/jsonpath (with references), region, partition, UUID ids."""
    transformers = [
        {"type": "regex", "pattern": "sm_uid0001", "replacement": "<ArnPart_0idx>"},
        {"type": "jsonpath", "jsonpath": "$..TaskToken", "replacement": "task_token", "replace_reference": True},
        {"type": "jsonpath", "jsonpath": "$..output.When", "replacement": "when", "replace_reference": False},
    ]
    uid = "0f9d3c52-8a1e-4c3b-9d2e-7a6b5c4d3e2f"
    actual = {
        "output": {
            "Arn": "arn:aws:states:us-east-1:123456789012:stateMachine:sm_uid0001",
            "TaskToken": "tok123",
            "Echo": "got tok123",
            "When": 5,
            "RequestId": uid,
            "Again": uid,
        }
    }
    normalised = Normaliser(transformers, "123456789012").apply(actual)
    assert normalised["output"] == {
        "Arn": "arn:<partition>:states:<region>:111111111111:stateMachine:<ArnPart_0idx>",
        "TaskToken": "<task_token:1>",
        "Echo": "got <task_token:1>",
        "When": "when",
        "RequestId": "<uuid:1>",
        "Again": "<uuid:1>",
    }


def test_quoted_json_in_cause_becomes_a_reference() -> None:
    """``'{...}'`` inside a cause is replaced like LocalStack's json-input transformer."""
    actual = {"cause": "could not be found in the input '{\"a\": 1}'"}
    assert Normaliser([], None).apply(actual)["cause"] == "could not be found in the input '<json-input:1>'"


def test_matcher_wildcards_only_listed_placeholders() -> None:
    """Listed placeholders match anything; other text must be equal; bool is not a number."""
    matcher = Matcher(["<uuid:1>", "a_task_token"])
    assert matcher.first_difference({"id": "req <uuid:1> end", "t": "a_task_token"}, {"id": "req X end", "t": 7}) is None
    assert matcher.first_difference({"id": "req <uuid:2>"}, {"id": "req X"}) is not None
    assert matcher.first_difference({"n": 1}, {"n": True}) is not None
    assert matcher.first_difference({"n": 1}, {"n": 1.0}) is None
    assert matcher.first_difference([1, 2], [1]) is not None
    difference = matcher.first_difference({"a": {"b": "xyz"}}, {"a": {"b": "xyq"}})
    assert difference is not None and difference.startswith("a.b:")


def test_history_key_sorts_parallel_sub_events_only_when_the_test_did() -> None:
    """``history_order_normalised`` cases compare Parallel sub-events order-independently."""
    recorded = ["ParallelStateStarted", "PassStateEntered", "TaskStateEntered", "ParallelStateExited"]
    actual = ["ParallelStateStarted", "TaskStateEntered", "PassStateEntered", "ParallelStateSucceeded", "ParallelStateExited"]
    assert history_key(recorded, {"history_order_normalised": "sorted"}) == history_key(
        actual, {"history_order_normalised": "sorted"}
    )
    assert history_key(recorded, {}) != history_key(actual, {})


def test_jsonata_detection_looks_everywhere() -> None:
    """A state-level QueryLanguage inside a branch counts as JSONata."""
    definition = {"States": {"P": {"Branches": [{"States": {"S": {"QueryLanguage": "JSONata"}}}]}}}
    assert uses_jsonata(definition)
    assert not uses_jsonata(json.loads('{"QueryLanguage": "JSONPath"}'))
