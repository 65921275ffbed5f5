"""Replay the corpus's TestState cases (``test_state`` and ``api_error:test_state``).

Each case is sent to ``client.test_state(**request)`` on a fresh client and the answer is
compared with the AWS recording after the corpus's normalisation (``normalise.py``):

* the request is the case's ``test_state_args`` with its ``definition`` and ``input``, and
  a ``roleArn`` when the tested state is a Task, Map or Parallel (the recordings keep none);
  an ``api_error`` case recorded without them is rebuilt from the test's parameters when
  they name request members (``mock``, ``state_name``, ``context_template``, ``result``;
  a context implies a mock, whose unrecorded content a neutral ``{"result": "{}"}``
  stands in for); parameters that name only templates mean the definition alone was sent;
  a case with neither is skipped ("request not recorded");
* members the corpus lost are restored from ``restored_requests.json`` (values copied from
  LocalStack's test source, keyed by test function and snapshot key), only where the case
  recorded no such member; each result says whether it was restored, and the report gives
  the restored cases' score without them too;
* a placeholder the corpus left unresolved in the request (``<module.function>``, a value
  the test computed at run time) matches whatever AWS recorded where the answer echoes it;
* TestState returns JSON text; it is parsed, and a value the recording kept as text
  (LocalStack's snapshots parse only objects) is compared as AWS prints it;
* a case *needs an AWS service* when the state it tests is a Task and the request has no
  mock (TestState would call the service); those are reported, not counted in ``pure``;
* ``pure`` counts every case that needs no AWS service, JSONPath and JSONata states
  alike; ``jsonata`` and ``jsonpath`` split it by the definition's query language.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import stepfiber

from conformance.corpus import case_files, load_summary, uses_jsonata
from conformance.runner import DOORS, EndpointDoor

try:  # what real boto3 raises (endpoint door); stepfiber's errors subclass these when botocore is present
    from botocore.exceptions import ClientError as _BotoClientError
    from botocore.exceptions import ParamValidationError as _BotoParamValidationError
except ImportError:  # pragma: no cover
    _BotoClientError = stepfiber.ClientError  # type: ignore[misc,assignment]
    _BotoParamValidationError = stepfiber.ParamValidationError  # type: ignore[misc,assignment]
from conformance.normalise import DEFAULT_GLOBAL_RULES, Matcher, Normaliser

Case = dict[str, Any]

CORPUS_ACCOUNT = "111111111111"
CORPUS_REGION = "us-east-1"
ROLE_ARN = f"arn:aws:iam::{CORPUS_ACCOUNT}:role/sfn-test-role"
KINDS = ("test_state", "api_error:test_state")
FLOOR_FILE = Path(__file__).with_name("floor_test_state.json")
RESTORED_FILE = Path(__file__).with_name("restored_requests.json")
#: A value the extractor could not compute, left in the request as ``<module.function>``.
_UNRESOLVED_RE = re.compile(r"<[a-z_]+(?:\.[a-z_]+)+>")
#: Test parameters that name TestState request members (rebuilding a request not recorded).
_PARAM_MEMBERS = ("mock", "state_name", "context_template", "result")
#: States a test gives a role to (they may call a service); the recordings keep no roleArn,
#: and AWS's Context shows `Execution.RoleArn` null when a test of another state sent none.
_ROLE_STATES = ("Task", "Map", "Parallel")


@dataclass
class TestStateResult:
    case_id: str
    kind: str
    outcome: str  # pass | fail | skip
    needs_service: bool
    jsonata: bool
    reason: str = ""
    diff: str = ""
    seconds: float = 0.0
    request: dict[str, Any] = field(default_factory=dict)
    restored: tuple[str, ...] = ()  # request members added from restored_requests.json
    restored_from: str = ""  # the restored_requests.json key they came from

    @property
    def pure(self) -> bool:
        return not self.needs_service


def _target_state(case: Case, request: dict[str, Any]) -> dict[str, Any]:
    definition = case.get("definition")
    if isinstance(definition, dict) and "States" in definition:
        name = request.get("stateName")
        return _find_state(definition, name) or {}
    return definition if isinstance(definition, dict) else {}


def _find_state(scope: Any, name: Any) -> dict[str, Any] | None:
    if not isinstance(scope, dict) or not isinstance(scope.get("States"), dict):
        return None
    states = scope["States"]
    if name in states:
        return states[name]
    for state in states.values():
        if not isinstance(state, dict):
            continue
        for child in list(state.get("Branches") or []) + [state.get("ItemProcessor"), state.get("Iterator")]:
            found = _find_state(child, name)
            if found is not None:
                return found
    return None


def restored_key(case: Case) -> str:
    """The case's key in ``restored_requests.json``: ``Class::function#snapshot_key``."""
    test, _, snapshot = str(case.get("id", "")).partition("#")
    if not snapshot:
        keys = (case.get("source") or {}).get("snapshot_keys") or []
        snapshot = keys[0] if len(keys) == 1 else ""
    return re.sub(r"\[.*\]$", "", test.split("::", 1)[-1]) + "#" + snapshot


def _restored_members(case: Case) -> dict[str, Any]:
    """The request members ``restored_requests.json`` holds for this case (may be empty)."""
    return dict(_restored_table().get(restored_key(case), {}))


_RESTORED: dict[str, dict[str, Any]] | None = None


def _restored_table() -> dict[str, dict[str, Any]]:
    global _RESTORED
    if _RESTORED is None:
        _RESTORED = json.loads(RESTORED_FILE.read_text())["requests"]
    return _RESTORED


def build_request(case: Case, restore: bool = True) -> tuple[dict[str, Any] | None, str]:
    """The TestState request a case sent, or (None, why it cannot be rebuilt).

    ``restore``: add the members the corpus lost (``restored_requests.json``)."""
    request: dict[str, Any] = {"definition": json.dumps(case["definition"])}
    if case.get("input") is not None:
        request["input"] = json.dumps(case["input"])
    restored = _restored_members(case) if restore and case.get("kind") in KINDS else {}
    args = case.get("test_state_args")
    if args is None and case.get("kind") == "api_error:test_state":
        params = (case.get("source") or {}).get("params") or {}
        templates_only = bool(params) and all(key.endswith("_template") for key in params)
        if not restored and not templates_only and not any(key in params for key in _PARAM_MEMBERS):
            return None, "request not recorded (the case keeps neither test_state_args nor request parameters)"
        args = {}
        if "mock" in params:
            args["mock"] = params["mock"]
        if "result" in params:
            args["mock"] = {"result": json.dumps(params["result"])}
        if "state_name" in params:
            args["stateName"] = params["state_name"]
        if "context_template" in params:
            ctx = params["context_template"]
            args["context"] = ctx if isinstance(ctx, str) else json.dumps(ctx)
            # AWS takes a Context object only with a mock, so the test sent one; its
            # content was not recorded, and a neutral mock stands in for it.
            args.setdefault("mock", {"result": "{}"})
    recorded = set(request) | set(args or {})
    request.update(args or {})
    for name, value in restored.items():
        if name not in recorded and value is not None:
            request[name] = value
    if _target_state(case, request).get("Type") in _ROLE_STATES or not isinstance(case.get("definition"), dict):
        request["roleArn"] = ROLE_ARN
    for name, value in restored.items():  # null: the test sent no such member
        if value is None and name not in recorded:
            request.pop(name, None)
    return request, ""


def needs_service(case: Case, request: dict[str, Any]) -> bool:
    """True when TestState would call an AWS service: an unmocked Task that AWS did not
    reject before running it (an ``api_error`` case's answer came from request checks)."""
    return (_target_state(case, request).get("Type") == "Task" and "mock" not in request
            and case.get("kind") != "api_error:test_state")


def actual_document(response: dict[str, Any], expected: dict[str, Any]) -> dict[str, Any]:
    """The TestState answer, its JSON text parsed like the recording."""
    document: dict[str, Any] = {}
    for key in ("status", "error", "cause", "nextState"):
        if response.get(key) not in (None, ""):
            document[key] = response[key]
    if "output" in response:
        document["output"] = _as_recorded(response["output"], expected.get("output"))
    inspection = response.get("inspectionData")
    if inspection:
        recorded = expected.get("inspectionData") or {}
        document["inspectionData"] = {
            k: (_as_recorded(v, recorded.get(k)) if isinstance(v, str) else v) for k, v in inspection.items()
        }
    return document


def _as_recorded(text: str, recorded: Any) -> Any:
    """JSON text parsed; printed back as AWS prints it where the recording kept text."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return text
    if isinstance(recorded, str) and not isinstance(value, str):
        return json.dumps(value)
    return value


def run_case(case: Case, path: Path | None = None,
             global_rules: Sequence[dict[str, Any]] = DEFAULT_GLOBAL_RULES, restore: bool = True,
             door: str = "in-process") -> TestStateResult:
    """Replay one case through ``door`` (``"in-process"``: the Python client; ``"endpoint"``:
    real boto3 over HTTP to :func:`stepfiber.serve`) and compare it with the recording."""
    if door not in DOORS:
        raise ValueError(f"door must be one of {DOORS}, got {door!r}")
    started = time.perf_counter()
    request, why = build_request(case, restore)
    recorded, _ = build_request(case, restore=False)
    result = TestStateResult(
        case_id=str(case.get("id")), kind=str(case.get("kind")), outcome="skip",
        needs_service=bool(request) and needs_service(case, request), jsonata=uses_jsonata(case.get("definition")),
        reason=why, request=request or {},
        restored=tuple(k for k in set(request or {}) ^ set(recorded or {})),
    )
    if result.restored:
        result.restored_from = restored_key(case)
    if request is None:
        return result
    if result.needs_service:
        result.reason = "needs an AWS service (an unmocked Task)"
        return result
    expected = dict(case.get("expected") or {})
    sfn = stepfiber.client(account_id=CORPUS_ACCOUNT, region_name=CORPUS_REGION)
    api: Any = EndpointDoor(sfn) if door == "endpoint" else sfn
    try:
        try:
            response = api.test_state(**request)
            actual: dict[str, Any] = actual_document(response, expected)
        except (stepfiber.ParamValidationError, _BotoParamValidationError) as exc:
            actual = {"status": "API_ERROR", "api": "test_state", "error": "ParamValidationError", "message": str(exc)}
        except (stepfiber.ClientError, _BotoClientError) as exc:
            err = exc.response.get("Error", {})
            actual = {"status": "API_ERROR", "api": "test_state", "error": err.get("Code"), "message": err.get("Message")}
    finally:
        if api is not sfn:
            api.close()
        sfn.close()
    normaliser = Normaliser(_transformers(case), CORPUS_ACCOUNT, global_rules)
    actual = normaliser.apply(actual)
    if expected.get("status") == "API_ERROR":  # the error's code and message are what AWS answered
        expected = {k: expected[k] for k in ("status", "error", "message") if k in expected}
        actual = {k: actual[k] for k in ("status", "error", "message") if k in actual}
    unresolved = _UNRESOLVED_RE.findall(json.dumps(request))
    diff = Matcher(case.get("expected_placeholders", []), unresolved).first_difference(expected, actual)
    result.outcome = "fail" if diff else "pass"
    result.diff = diff or ""
    result.reason = _reason(diff, actual) if diff else ""
    result.seconds = time.perf_counter() - started
    return result


def _transformers(case: Case) -> list[dict[str, Any]]:
    """The case's transformers; a key_value recorded as LocalStack's call (args, kwargs) is spelt out."""
    out = []
    for spec in case.get("snapshot_transformers", []):
        if spec.get("type") == "key_value" and "key" not in spec and len(spec.get("args", [])) >= 2:
            kwargs = spec.get("kwargs") or {}
            spec = {"type": "key_value", "key": spec["args"][0], "replacement": spec["args"][1],
                    "replace_reference": kwargs.get("reference_replacement", True)}
        out.append(spec)
    return out


def _reason(diff: str, actual: dict[str, Any]) -> str:
    if actual.get("status") == "API_ERROR":
        return f"answered {actual.get('error')}: {str(actual.get('message'))[:100]}"
    return diff.split(":", 1)[0]


def run_corpus(directory: Path, select: str | None = None, restore: bool = True,
               door: str = "in-process") -> list[TestStateResult]:
    """Every TestState case of the corpus (``select``: those whose id contains it), through ``door``.

    ``restore=False`` replays the requests exactly as recorded (no restored members)."""
    global_rules = load_summary(directory).get("global_normalisers") or DEFAULT_GLOBAL_RULES
    results = []
    for path in case_files(directory):
        case = json.loads(path.read_text())
        if case.get("kind") not in KINDS or (select and select not in str(case.get("id"))):
            continue
        results.append(run_case(case, path, global_rules, restore, door))
    return results


def restored_summary(directory: Path, results: Sequence[TestStateResult]) -> str:
    """How many cases the restored members reach, and those cases' score with and without them."""
    reached = {r.case_id for r in results if r.restored and r.outcome != "skip"}
    if not reached:
        return "  restored requests: none"
    with_them = sum(r.outcome == "pass" for r in results if r.case_id in reached)
    bare = [r for r in run_corpus(directory, restore=False) if r.case_id in reached]
    without = sum(r.outcome == "pass" for r in bare)
    unplayable = sum(r.outcome == "skip" for r in bare)
    return (f"  restored requests (members the corpus lost, from LocalStack's test source): "
            f"{len(reached)} cases, {with_them} pass with them; as recorded {without} pass, "
            f"{len(bare) - without - unplayable} fail and {unplayable} cannot be replayed")


def figures(results: Sequence[TestStateResult]) -> dict[str, tuple[int, int]]:
    """(passed, compared) per group: all, pure (no AWS service), by query language, by kind."""
    groups: dict[str, list[TestStateResult]] = {
        "all": list(results),
        "pure": [r for r in results if r.pure],
        "jsonpath (pure)": [r for r in results if r.pure and not r.jsonata],
        "jsonata (pure)": [r for r in results if r.pure and r.jsonata],
    }
    for kind in KINDS:
        groups[kind] = [r for r in results if r.kind == kind]
        groups[f"{kind} (pure)"] = [r for r in results if r.kind == kind and r.pure]
    out = {}
    for name, group in groups.items():
        compared = [r for r in group if r.outcome != "skip"]
        out[name] = (sum(r.outcome == "pass" for r in compared), len(compared))
    return out


def format_report(results: Sequence[TestStateResult]) -> str:
    lines = [f"  {name}: {p}/{c}" for name, (p, c) in figures(results).items()]
    skipped = [r for r in results if r.outcome == "skip"]
    lines.append(f"  skipped: {len(skipped)}")
    for r in results:
        if r.outcome == "fail":
            lines.append(f"  FAIL {'JA ' if r.jsonata else ''}{r.case_id.split('::')[-1][:80]}: {r.reason} | {r.diff[:200]}")
    return "\n".join(lines)


def load_floor(path: Path = FLOOR_FILE) -> dict[str, Any]:
    return json.loads(path.read_text())


def floor_violations(results: Sequence[TestStateResult], floor: dict[str, Any]) -> list[str]:
    got = figures(results)
    return [
        f"{name}: {got.get(name, (0, 0))[0]} passed < floor {minimum}"
        for name, minimum in floor.get("min_passed", {}).items()
        if got.get(name, (0, 0))[0] < minimum
    ]


if __name__ == "__main__":  # python tests/python/conformance/teststate_cases.py [filter]
    import sys

    from conformance.corpus import corpus_dir

    directory = corpus_dir()
    if directory is None:
        raise SystemExit("corpus not found")
    found = run_corpus(directory, sys.argv[1] if len(sys.argv) > 1 else None)
    print(format_report(found))
    print(restored_summary(directory, found))
