"""Definition-validation agreement: stepfiber's ValidateStateMachineDefinition against labelled corpora.

Two corpora are measured:

* ``../shared/conformance/validation`` (or ``$STEPFIBER_VALIDATION_DIR``): definitions labelled
  ``valid`` / ``invalid`` with their source (``_manifest.json`` describes them). Cases whose
  ``label_note`` starts with ``contested`` have no trustworthy label and are left out (listed
  in the report). ``aws_verified`` cases were created (or refused) by real AWS.
* The ``create_error`` and ``validate`` cases of the LocalStack corpus
  (``../shared/conformance/localstack``): AWS's own InvalidDefinition messages and
  ValidateStateMachineDefinition responses. All are AWS-confirmed.

A case agrees when ``validate_state_machine_definition`` says OK for a valid definition and
FAIL for an invalid one (``create_error`` cases must also make ``create_state_machine`` raise
InvalidDefinition). Message fidelity is reported separately: the exact InvalidDefinition
message (``create_error``) and the exact diagnostics list (``validate``).
"""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import stepfiber

from .corpus import REPO_ROOT, corpus_dir, definition_text, iter_cases

#: Environment variable overriding the validation corpus location.
VALIDATION_ENV = "STEPFIBER_VALIDATION_DIR"
DEFAULT_VALIDATION = REPO_ROOT.parent / "shared" / "conformance" / "validation"
FLOOR_PATH = Path(__file__).with_name("validation_floor.json")
ROLE = "arn:aws:iam::111111111111:role/stepfiber-validation"
#: Source label used for the LocalStack corpus's create_error / validate cases.
LOCALSTACK_API = "localstack corpus (create_error + validate)"


@dataclass
class ValidationResult:
    """One measured case."""

    case_id: str
    source: str
    expect: str  # "valid" | "invalid"
    got: str  # "valid" | "invalid"
    aws_confirmed: bool
    diagnostics: list[dict[str, Any]]
    message_match: bool | None = None  # create_error / validate: AWS's exact wording reproduced
    reason: str = ""  # the corpus's reason for an invalid label

    @property
    def agrees(self) -> bool:
        return self.expect == self.got


def validation_dir() -> Path | None:
    """The labelled validation corpus, or None when absent."""
    override = os.environ.get(VALIDATION_ENV)
    path = Path(override) if override else DEFAULT_VALIDATION
    return path if (path / "_manifest.json").is_file() else None


def is_contested(case: dict[str, Any]) -> bool:
    """The manifest's contested cases (no trustworthy label)."""
    return str(case.get("label_note", "")).startswith("contested")


def iter_validation_cases(directory: Path) -> Iterator[dict[str, Any]]:
    """Every labelled case, in file order."""
    for path in sorted(directory.glob("*.json")):
        if not path.name.startswith("_"):
            yield json.loads(path.read_text())


def contested_cases(directory: Path) -> list[str]:
    """Ids of the cases left out of the measurement."""
    return [case["id"] for case in iter_validation_cases(directory) if is_contested(case)]


def _validate(client: stepfiber.SFNClient, definition: str, machine_type: str) -> dict[str, Any]:
    return client.validate_state_machine_definition(definition=definition, type=machine_type)


def run_labelled(client: stepfiber.SFNClient, directory: Path) -> list[ValidationResult]:
    """Validate every non-contested labelled definition."""
    results = []
    for case in iter_validation_cases(directory):
        if is_contested(case):
            continue
        answer = _validate(client, case["definition"], case.get("machine_type", "STANDARD"))
        results.append(
            ValidationResult(
                case_id=case["id"],
                source=case["source"],
                expect=case["expect"],
                got="valid" if answer["result"] == "OK" else "invalid",
                aws_confirmed=bool(case.get("aws_verified")),
                diagnostics=answer["diagnostics"],
                reason=str(case.get("reason", "")),
            )
        )
    return results


def _normalise_message(message: str) -> str:
    """The LocalStack snapshot normalisation of ARNs in messages."""
    return message.replace("arn:aws:", "arn:<partition>:")


def run_localstack(client: stepfiber.SFNClient, directory: Path) -> list[ValidationResult]:
    """The create_error and validate cases of the AWS-recorded LocalStack corpus."""
    results = []
    for index, (_, case) in enumerate(iter_cases(directory, kind=None)):
        kind = case.get("kind")
        machine_type = case.get("state_machine_type") or "STANDARD"
        if kind == "validate":
            text = case["source"].get("params", {}).get("definition_string") or json.dumps(case["definition"])
            answer = _validate(client, text, machine_type)
            expected = case["expected"]
            got_diags = [(d["code"], d["message"], d.get("location")) for d in answer["diagnostics"]]
            want_diags = [(d["code"], d["message"], d.get("location")) for d in expected["diagnostics"]]
            results.append(
                ValidationResult(
                    case_id=case["id"],
                    source=LOCALSTACK_API,
                    expect="valid" if expected["result"] == "OK" else "invalid",
                    got="valid" if answer["result"] == "OK" else "invalid",
                    aws_confirmed=True,
                    diagnostics=answer["diagnostics"],
                    message_match=got_diags == want_diags and answer["truncated"] == expected["truncated"],
                )
            )
        elif kind == "create_error":
            text = definition_text(case)
            answer = _validate(client, text, machine_type)
            created = True
            message = ""
            try:
                client.create_state_machine(
                    name=f"validation-{index}", definition=text, roleArn=ROLE, type=machine_type
                )
            except client.exceptions.InvalidDefinition as exc:
                created = False
                message = exc.response["Error"]["Message"]
            refused = answer["result"] == "FAIL" and not created
            results.append(
                ValidationResult(
                    case_id=case["id"],
                    source=LOCALSTACK_API,
                    expect="invalid",
                    got="invalid" if refused else "valid",
                    aws_confirmed=True,
                    diagnostics=answer["diagnostics"],
                    message_match=_normalise_message(message) == case["expected"]["message"],
                )
            )
    return results


def run_all() -> list[ValidationResult]:
    """Both corpora (whichever are present), on one client."""
    results: list[ValidationResult] = []
    with stepfiber.client(manual_clock=True) as client:
        labelled = validation_dir()
        if labelled is not None:
            results += run_labelled(client, labelled)
        recorded = corpus_dir()
        if recorded is not None:
            results += run_localstack(client, recorded)
    return results


# --- aggregation ---------------------------------------------------------------------------


def _pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f}%" if whole else "n/a"


def headline(results: list[ValidationResult]) -> dict[str, tuple[int, int]]:
    """(agreeing, total) for the whole set and the AWS-confirmed cases."""
    aws = [r for r in results if r.aws_confirmed]
    return {
        "whole_set": (sum(r.agrees for r in results), len(results)),
        "aws_confirmed": (sum(r.agrees for r in aws), len(aws)),
    }


def format_report(results: list[ValidationResult], markdown: bool = False, contested: list[str] | None = None) -> str:
    """Agreement by source and label, the headline figures and message fidelity."""
    rows: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for r in results:
        cell = rows[r.source][r.expect]
        cell[0] += r.agrees
        cell[1] += 1
    header = ["source", "valid agree", "invalid agree", "total agree"]
    lines = []
    table = []
    for source in sorted(rows):
        valid, invalid = rows[source]["valid"], rows[source]["invalid"]
        agree, total = valid[0] + invalid[0], valid[1] + invalid[1]
        table.append(
            [source, f"{valid[0]}/{valid[1]}", f"{invalid[0]}/{invalid[1]}", f"{agree}/{total} = {_pct(agree, total)}"]
        )
    figures = headline(results)
    whole, aws = figures["whole_set"], figures["aws_confirmed"]
    table.append(["TOTAL", "", "", f"{whole[0]}/{whole[1]} = {_pct(*whole)}"])
    if markdown:
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|---|---:|---:|---:|")
        lines.extend("| " + " | ".join(row) + " |" for row in table)
    else:
        widths = [max(len(str(row[i])) for row in [header, *table]) for i in range(len(header))]
        for row in [header, *table]:
            lines.append("  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row)))
    lines.append("")
    lines.append(f"- whole set: {whole[0]}/{whole[1]} = {_pct(*whole)}")
    lines.append(f"- AWS-confirmed cases: {aws[0]}/{aws[1]} = {_pct(*aws)}")
    fidelity = [r for r in results if r.message_match is not None]
    for kind, label in (("create_error", "InvalidDefinition message exact"), ("validate", "diagnostics exact")):
        subset = [r for r in fidelity if ("validate_state_machine" in r.case_id) == (kind == "validate")]
        if subset:
            ok = sum(bool(r.message_match) for r in subset)
            lines.append(f"- {label} ({kind} cases): {ok}/{len(subset)}")
    if contested:
        lines.append(f"- left out (contested labels): {', '.join(contested)}")
    return "\n".join(lines)


def disagreement_lines(results: list[ValidationResult]) -> list[str]:
    """One line per disagreeing case: id, label, first diagnostic."""
    out = []
    for r in results:
        if r.agrees:
            continue
        first = r.diagnostics[0] if r.diagnostics else {}
        detail = f"{first.get('code', '')}: {first.get('message', '')} @ {first.get('location', '')}" if first else ""
        why = re.sub(r"\s+", " ", r.reason)[:120]
        out.append(f"{r.case_id} [{r.source}] expected {r.expect}, got {r.got}: {detail[:160]}{' | ' + why if why else ''}")
    return out


def load_floor(path: Path = FLOOR_PATH) -> dict[str, Any]:
    return json.loads(path.read_text())


def current_floor(results: list[ValidationResult]) -> dict[str, int]:
    figures = headline(results)
    return {name: agree for name, (agree, _) in figures.items()}


def floor_violations(results: list[ValidationResult], floor: dict[str, Any]) -> list[str]:
    """Headline agreement counts below the committed floor."""
    figures = headline(results)
    problems = []
    for name, minimum in floor.get("min_agreeing", {}).items():
        agree, total = figures.get(name, (0, 0))
        if agree < minimum:
            problems.append(f"{name}: {agree}/{total} agree, floor is {minimum}")
    return problems
