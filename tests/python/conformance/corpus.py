"""Locating, loading and classifying the conformance corpus.

The corpus (``<repo>/../shared/conformance/localstack``, or ``$STEPFIBER_CONFORMANCE_DIR``)
holds one JSON file per case recorded against real AWS; ``_README.md`` there documents the
fields. This module only reads cases and answers questions about them; it never runs one.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

Case = dict[str, Any]

#: Environment variable overriding the corpus location.
CORPUS_ENV = "STEPFIBER_CONFORMANCE_DIR"
#: Repository root (this file is tests/python/conformance/corpus.py).
REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "conformance" / "localstack"

#: Cases the corpus README declares not comparable as recorded: (test-id suffix, reason).
NOT_COMPARABLE: tuple[tuple[str, str], ...] = (
    (
        "::test_send_message_no_such_queue",
        "not comparable: the expected cause embeds the recording's random queue host",
    ),
    (
        "::test_send_message_no_such_queue_no_catch",
        "not comparable: the expected cause embeds the recording's random queue host",
    ),
    (
        "::test_timestamp_too_far_in_future_boundary[24855]",
        "not comparable: the input timestamp was frozen at extraction; acceptance depends on the day",
    ),
    (
        "::test_timestamp_too_far_in_future_boundary[24856]",
        "not comparable: the input timestamp was frozen at extraction; acceptance depends on the day",
    ),
    (
        "::test_max_concurrency_path_negative",
        "not comparable: AWS stalled (recorded RUNNING with only ExecutionStarted)",
    ),
)

_CALLBACK_SUFFIX = ".waitForTaskToken"


def corpus_dir() -> Path | None:
    """The corpus directory, or None when it is absent."""
    override = os.environ.get(CORPUS_ENV)
    path = Path(override) if override else DEFAULT_CORPUS
    return path if (path / "_README.md").is_file() or (path / "_summary.json").is_file() else None


def missing_corpus(what: str) -> None:
    """End a floor test whose corpus is absent: a skip locally, a failure under ``CI=true``.

    CI must measure the floors; a checkout without the corpus there is a setup error,
    never a silent pass.
    """
    import pytest

    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"{what} (CI=true: the floor tests must run in CI)", pytrace=False)
    pytest.skip(what)


def load_summary(directory: Path) -> dict[str, Any]:
    """``_summary.json`` (``global_normalisers`` and counts); {} when missing."""
    path = directory / "_summary.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def case_files(directory: Path) -> list[Path]:
    """Case files in a stable order (``_``-prefixed files are metadata)."""
    return sorted(p for p in directory.glob("*.json") if not p.name.startswith("_"))


def iter_cases(directory: Path, kind: str | None = "execution") -> Iterator[tuple[Path, Case]]:
    """Yield ``(path, case)`` for every case of ``kind`` (None = every kind)."""
    for path in case_files(directory):
        case = json.loads(path.read_text())
        if kind is None or case.get("kind") == kind:
            yield path, case


def walk(value: Any) -> Iterator[tuple[str | None, Any]]:
    """Every ``(key, value)`` pair of a JSON tree, depth first (list items have key None)."""
    stack: list[tuple[str | None, Any]] = [(None, value)]
    while stack:
        key, node = stack.pop()
        yield key, node
        if isinstance(node, dict):
            stack.extend((str(k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((None, v) for v in node)


def uses_jsonata(definition: Any) -> bool:
    """True when ``QueryLanguage: JSONata`` appears anywhere in the definition."""
    return any(key == "QueryLanguage" and value == "JSONata" for key, value in walk(definition))


def definition_text(case: Case) -> str:
    """The definition exactly as sent (``definition_raw`` when the test sent raw text)."""
    raw = case.get("definition_raw")
    return raw if isinstance(raw, str) else json.dumps(case["definition"])


def task_resources(case: Case) -> list[str]:
    """Every Task ``Resource`` string in the definition (branches and iterators included)."""
    found = {value for key, value in walk(case.get("definition")) if key == "Resource" and isinstance(value, str)}
    found.update(r["resource"] for r in case.get("task_resources", []) if isinstance(r.get("resource"), str))
    return sorted(found)


def callback_resources(case: Case) -> list[str]:
    """The ``.waitForTaskToken`` resources of the definition."""
    return [r for r in task_resources(case) if r.endswith(_CALLBACK_SUFFIX)]


def is_pure_asl(case: Case) -> bool:
    """Headline group 1: needs no AWS service and uses no JSONata anywhere."""
    return not case.get("needs") and not uses_jsonata(case.get("definition"))


def is_callback_case(case: Case) -> bool:
    """Headline group 2: the case has a ``callback`` block or a ``.waitForTaskToken`` task."""
    return "callback" in case or bool(callback_resources(case))


def not_comparable_reason(case: Case) -> str | None:
    """The README's reason when the case is one of the non-comparable recordings."""
    test_id = str(case.get("id", ""))
    for suffix, reason in NOT_COMPARABLE:
        if test_id.endswith(suffix):
            return reason
    return None


def short_id(case: Case) -> str:
    """``Class::test[param]`` without the module path, for tables and diffs."""
    return re.sub(r"^.*?\.py::", "", str(case.get("id", "?")))
