"""Snapshot normalisation and placeholder-aware comparison.

The recorded values went through LocalStack's snapshot transformers; the actual results
get the same treatment before they are compared (corpus ``_README.md``):

1. the engine's account id becomes the corpus account (``111111111111``);
2. the case's ``snapshot_transformers``: ``jsonpath`` / ``key_value`` without
   ``replace_reference`` overwrite the value in place; with ``replace_reference`` the value
   becomes ``<replacement:N>`` everywhere in the serialized document; ``regex`` is
   ``re.sub`` on the serialized document (LocalStack applies all serialized replacements
   after the structural ones, in registration order);
3. the global normalisers of ``_summary.json``: region, partition, strict ISO-8601
   timestamps (a real month and day) -> ``date``, UUIDs under keys ending in ``id`` ->
   ``<uuid:N>`` (and every other occurrence of the same UUID), JSON objects quoted inside
   a ``cause`` -> ``<json-input:N>``.

Comparison is exact, except that placeholder tokens listed in a case's
``expected_placeholders`` are wildcards: a whole expected value equal to a placeholder
matches anything, and ``<...>`` placeholders inside a string match any text. Transformer
kinds that name LocalStack helper bundles (``util.*``, ``generic``, ``other``) cannot be
replayed; the wildcards cover what they replaced.
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

Json = Any
Replacement = Callable[[str], str]

CORPUS_ACCOUNT = "111111111111"
UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_FULL_UUID_RE = re.compile(rf"^{UUID_RE.pattern}$")
TIMESTAMP_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?(?:\d{2})?)"
)
#: A JSON object quoted inside a cause: ``... input '{"a":1}' ...``.
QUOTED_JSON_RE = re.compile(r"'(\{.*\})'", re.DOTALL)
#: ``_summary.json`` ``global_normalisers`` as of the corpus commit; used when the file is absent.
DEFAULT_GLOBAL_RULES: tuple[dict[str, str], ...] = (
    {"type": "regex", "pattern": "111111111111", "replacement": "111111111111", "note": "account id"},
    {"type": "regex", "pattern": "us-east-1", "replacement": "<region>", "note": "region"},
    {"type": "regex", "pattern": "arn:aws:", "replacement": "arn:<partition>:", "note": "partition"},
    {"type": "regex", "pattern": TIMESTAMP_RE.pattern, "replacement": "date", "note": "ISO-8601 timestamp"},
    {"type": "key_value", "key": "*Id|*id (UUID values)", "replacement": "<uuid:N>"},
    {"type": "key_value", "key": "cause", "replacement": "<json-input:N>"},
)
_PLACEHOLDER_TOKEN_RE = re.compile(r"<[^<>\s]+>|<<[^<>\s]+>:\d+>")
_JSONPATH_STEP_RE = re.compile(r"(\.\.|\.)([^.\[\]]+)")


# --- timestamps ---------------------------------------------------------------


def is_real_timestamp(match: re.Match[str]) -> bool:
    """True when a TIMESTAMP_RE match names a real calendar instant (month, day, clock)."""
    year, month, day, hour, minute, second = (int(g) for g in match.groups())
    if not (1 <= month <= 12 and hour < 24 and minute < 60 and second < 60):
        return False
    return 1 <= day <= calendar.monthrange(year, month)[1]


def replace_timestamps(text: str) -> str:
    """Strict ISO-8601 timestamps -> ``date``; impossible dates stay as they are."""
    return TIMESTAMP_RE.sub(lambda m: "date" if is_real_timestamp(m) else m.group(0), text)


# --- jsonpath (the subset the corpus uses: $..a.b, $..a..b) -------------------


def jsonpath_find(document: Json, path: str) -> list[tuple[Any, Any]]:
    """``(container, key)`` pairs addressed by a ``$.a`` / ``$..a`` path (dot steps only)."""
    steps = _JSONPATH_STEP_RE.findall(path.lstrip("$"))
    current: list[tuple[Any, Any, Json]] = [(None, None, document)]
    for separator, name in steps:
        found: list[tuple[Any, Any, Json]] = []
        for _, _, value in current:
            nodes = _containers(value) if separator == ".." else [value]
            found.extend((node, name, node[name]) for node in nodes if isinstance(node, dict) and name in node)
        current = found
    return [(container, key) for container, key, _ in current if container is not None]


def _containers(value: Json) -> Iterable[Json]:
    """``value`` and every dict/list nested in it (the ``..`` scan)."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, (dict, list)):
            yield node
            stack.extend(node.values() if isinstance(node, dict) else node)


def _key_find(document: Json, key: str) -> list[tuple[Any, Any]]:
    """``(container, key)`` for every dict entry named ``key`` (a key_value transformer)."""
    return [(node, key) for node in _containers(document) if isinstance(node, dict) and key in node]


# --- the transformation context -----------------------------------------------


class Normaliser:
    """Applies one case's transformers plus the global normalisers to actual results."""

    def __init__(
        self,
        case_transformers: Sequence[dict[str, Any]],
        engine_account: str | None,
        global_rules: Sequence[dict[str, Any]] = DEFAULT_GLOBAL_RULES,
    ) -> None:
        self._transformers = list(case_transformers)
        self._global_regexes = [_global_regex(rule) for rule in global_rules if rule.get("type") == "regex"]
        key_rules = [rule for rule in global_rules if rule.get("type") == "key_value"]
        self._uuid_ids = any("uuid" in str(rule.get("replacement", "")) for rule in key_rules)
        self._cause_json = any(rule.get("key") == "cause" for rule in key_rules)
        self._engine_account = engine_account
        self._counters: dict[str, int] = {}
        self._references: dict[tuple[str, str], str] = {}

    def apply(self, document: Json) -> Json:
        """Return the normalised copy of ``document`` (a JSON-compatible value)."""
        document = json.loads(json.dumps(document))
        serialized: list[Replacement] = []
        if self._engine_account and self._engine_account != CORPUS_ACCOUNT:
            serialized.append(_literal(self._engine_account, CORPUS_ACCOUNT))
        for transformer in self._transformers:
            serialized.extend(self._apply_case_transformer(document, transformer))
        text = json.dumps(document)
        for replace in serialized:
            text = replace(text)
        document = json.loads(text)
        return self._apply_globals(document)

    def _apply_case_transformer(self, document: Json, spec: dict[str, Any]) -> list[Replacement]:
        """Apply a structural transformer now; return serialized replacements for later."""
        kind = spec.get("type")
        if kind == "regex":
            return [_regex(spec["pattern"], spec["replacement"])]
        if kind == "jsonpath":
            targets = jsonpath_find(document, spec["jsonpath"])
        elif kind == "key_value":  # as LocalStack's: a null value is left as it is
            targets = [(c, k) for c, k in _key_find(document, spec["key"]) if c[k] is not None]
        else:  # util.* / generic / other: LocalStack helper bundles, not replayable
            return []
        if not spec.get("replace_reference", kind == "key_value"):
            for container, key in targets:
                container[key] = spec["replacement"]
            return []
        return [self._reference(spec["replacement"], container[key]) for container, key in targets]

    def _reference(self, name: str, value: Json) -> Replacement:
        """``value`` -> ``<name:N>`` everywhere (N counts distinct values per name)."""
        text = value if isinstance(value, str) else json.dumps(value)
        token = self._references.get((name, text))
        if token is None:
            self._counters[name] = self._counters.get(name, 0) + 1
            token = f"<{name}:{self._counters[name]}>"
            self._references[(name, text)] = token
        return _literal(text, token) if text else (lambda s: s)

    def _apply_globals(self, document: Json) -> Json:
        """Region, partition, timestamps, UUIDs under ``*id`` keys, quoted JSON in causes."""
        if self._cause_json:
            _replace_quoted_json_in_causes(document)
        uuid_tokens = self._uuid_tokens(document) if self._uuid_ids else {}
        text = json.dumps(document)
        for replace in self._global_regexes:
            text = replace(text)
        for value, token in uuid_tokens.items():
            text = text.replace(value, token)
        return json.loads(text)

    def _uuid_tokens(self, document: Json) -> dict[str, str]:
        """UUID values under keys ending in ``id`` -> ``<uuid:N>`` in discovery order."""
        tokens: dict[str, str] = {}
        for node in _ordered_dicts(document):
            for key, value in node.items():
                if key.lower().endswith("id") and isinstance(value, str) and _FULL_UUID_RE.match(value):
                    if value not in tokens:
                        self._counters["uuid"] = self._counters.get("uuid", 0) + 1
                        tokens[value] = f"<uuid:{self._counters['uuid']}>"
        return tokens


def _ordered_dicts(value: Json) -> Iterable[dict[str, Any]]:
    """Dicts of a JSON tree in document order (pre-order), parsing JSON text in strings."""
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _ordered_dicts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _ordered_dicts(item)
    elif isinstance(value, str) and value[:1] in "{[":
        try:
            yield from _ordered_dicts(json.loads(value))
        except ValueError:
            return


def _replace_quoted_json_in_causes(document: Json) -> None:
    """Inside every ``cause`` string, ``'{...}'`` -> ``'<json-input:N>'`` (in place)."""
    counter = 0
    for node in list(_containers(document)):
        if isinstance(node, dict) and isinstance(node.get("cause"), str) and QUOTED_JSON_RE.search(node["cause"]):
            counter += 1
            node["cause"] = QUOTED_JSON_RE.sub(f"'<json-input:{counter}>'", node["cause"])


def _global_regex(rule: dict[str, Any]) -> Replacement:
    """A global regex rule; the timestamp rule only replaces real calendar instants."""
    if rule.get("replacement") == "date" or "timestamp" in str(rule.get("note", "")).lower():
        loose = re.compile(rule["pattern"])

        def strict(text: str) -> str:
            return loose.sub(lambda m: replace_timestamps(m.group(0)), text)

        return strict
    return _regex(rule["pattern"], rule["replacement"])


def _literal(old: str, new: str) -> Replacement:
    """A serialized replacement of the JSON-escaped literal ``old``."""
    escaped_old, escaped_new = json.dumps(old)[1:-1], json.dumps(new)[1:-1]
    return lambda text: text.replace(escaped_old, escaped_new)


def _regex(pattern: str, replacement: str) -> Replacement:
    """A serialized ``re.sub`` (an invalid pattern is used as a literal)."""
    try:
        compiled = re.compile(pattern)
    except re.error:
        return _literal(pattern, replacement)
    return lambda text: compiled.sub(lambda _m: replacement, text)


# --- comparison -----------------------------------------------------------------


class Matcher:
    """Compares expected (recorded) values with normalised actual ones."""

    def __init__(self, placeholders: Iterable[str], unresolved: Iterable[str] = ()) -> None:
        """``placeholders``: tokens of the recording that match anything in the actual value.
        ``unresolved``: placeholders left in the *request* (a value the extractor could not
        compute); an actual string equal to one matches whatever text AWS recorded there."""
        self._whole = {p for p in placeholders if isinstance(p, str)}
        self._unresolved = {u for u in unresolved if isinstance(u, str)}
        tokens = sorted({t for p in self._whole for t in _PLACEHOLDER_TOKEN_RE.findall(p)}, key=len, reverse=True)
        self._tokens = tokens

    def first_difference(self, expected: Json, actual: Json, path: str = "") -> str | None:
        """None when the values match; else ``"<path>: expected X, got Y"``."""
        if self._scalar_matches(expected, actual):
            return None
        if isinstance(expected, dict) and isinstance(actual, dict):
            return self._dict_difference(expected, actual, path)
        if isinstance(expected, list) and isinstance(actual, list):
            return self._list_difference(expected, actual, path)
        if isinstance(expected, str) and isinstance(actual, str):
            return f"{path or '<root>'}: {string_difference(expected, actual)}"
        return f"{path or '<root>'}: expected {_brief(expected)}, got {_brief(actual)}"

    def _dict_difference(self, expected: dict[str, Any], actual: dict[str, Any], path: str) -> str | None:
        missing = [k for k in expected if k not in actual]
        extra = [k for k in actual if k not in expected]
        if missing or extra:
            where = path or "<root>"
            parts = ([f"missing {missing[:3]}"] if missing else []) + ([f"unexpected {extra[:3]}"] if extra else [])
            return f"{where}: keys differ ({'; '.join(parts)})"
        for key in expected:
            found = self.first_difference(expected[key], actual[key], f"{path}.{key}" if path else key)
            if found:
                return found
        return None

    def _list_difference(self, expected: list[Any], actual: list[Any], path: str) -> str | None:
        if len(expected) != len(actual):
            return f"{path or '<root>'}: expected {len(expected)} items, got {len(actual)}: {_brief(actual)}"
        for index, (e, a) in enumerate(zip(expected, actual)):
            found = self.first_difference(e, a, f"{path}[{index}]")
            if found:
                return found
        return None

    def _scalar_matches(self, expected: Json, actual: Json) -> bool:
        """Equal JSON scalars (bool is not a number), or a placeholder wildcard."""
        if isinstance(expected, str) and expected in self._whole:
            return True
        if isinstance(expected, str) and isinstance(actual, str) and actual in self._unresolved:
            return True
        if isinstance(expected, (dict, list)) or isinstance(actual, (dict, list)):
            return False
        if isinstance(expected, bool) or isinstance(actual, bool):
            return type(expected) is type(actual) and expected == actual
        if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
            return expected == actual
        if isinstance(expected, str) and isinstance(actual, str):
            return expected == actual or self._pattern_matches(expected, actual)
        return expected == actual and type(expected) is type(actual)

    def _pattern_matches(self, expected: str, actual: str) -> bool:
        """``<...>`` placeholders inside ``expected`` match any text of ``actual``."""
        present = [t for t in self._tokens if t in expected]
        if not present:
            return False
        pattern = re.escape(expected)
        for token in present:
            pattern = pattern.replace(re.escape(token), ".*?")
        return re.fullmatch(pattern, actual, re.DOTALL) is not None


def string_difference(expected: str, actual: str, context: int = 30, width: int = 60) -> str:
    """Where two strings part: ``…common prefix⟨expected: X | got: Y⟩``."""
    index = next((i for i, (e, a) in enumerate(zip(expected, actual)) if e != a), min(len(expected), len(actual)))
    start = max(0, index - context)
    prefix = ("…" if start else "") + expected[start:index]

    def tail(text: str) -> str:
        rest = text[index : index + width]
        return repr(rest + ("…" if len(text) > index + width else ""))

    return f"{prefix!r} then expected {tail(expected)}, got {tail(actual)}"


def _brief(value: Json, limit: int = 90) -> str:
    """A one-line rendering of ``value`` cut to ``limit`` characters."""
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
