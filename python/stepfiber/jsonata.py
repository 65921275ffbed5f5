"""JSONata 2.0.6 expressions, evaluated by stepfiber's native C++ engine.

Quickstart::

    from stepfiber import jsonata

    expr = jsonata.compile("Account.Order.Product.(Price * Quantity) ~> $sum()")
    expr.evaluate(data)                       # -> a JSON value (dict, list, str, ...)
    jsonata.evaluate("$x + 1", None, bindings={"x": 41})   # -> 42

Values cross as JSON values (converted directly, as ``json.dumps``/``json.loads``
would: dict, list/tuple, str, int, float, bool). ``None`` is JSON ``null``; JavaScript's ``undefined`` (no
input, or no result) is the sentinel :data:`UNDEFINED`::

    jsonata.evaluate("$exists($)", jsonata.UNDEFINED)   # -> False
    jsonata.evaluate("nothing.here", {}) is jsonata.UNDEFINED   # -> True

Errors raise :class:`JSONataError` carrying jsonata-js's ``code`` (``"T2001"``,
``"S0201"``, ...), ``position``, ``token``, ``value`` and message.

Known differences from jsonata-js (the reference implementation):

- ``$eval`` is not defined (as in AWS Step Functions); calling it raises T1006.
- Results that are functions come back as ``""`` (JSON has no functions);
  non-finite numbers come back as ``float('inf')`` / ``float('nan')``.
- Guards: ``limits={"depth": N, "timelimit_ms": T}`` raise U1001 (the official
  suite's harness code) past N nested evaluation frames or T milliseconds;
  ``memory_bytes`` raises U1003. A C++ stack guard always applies (U1001).
- ``sfn_functions=True`` adds Step Functions' own functions (``$partition``,
  ``$range``, ``$hash``, ``$random(seed)``, ``$uuid``, strict ``$parse``).
"""

from __future__ import annotations

import json
from typing import Any, Mapping, Optional

from ._core import jsonata as _native

__all__ = ["UNDEFINED", "Expression", "JSONataError", "compile", "evaluate"]


class _Undefined:
    """JavaScript's ``undefined``: no value (distinct from ``None``, JSON null)."""

    _instance: Optional["_Undefined"] = None

    def __new__(cls) -> "_Undefined":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNDEFINED"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "UNDEFINED"


UNDEFINED: Any = _Undefined()
"""The undefined sentinel: pass as ``data`` for "no input"; returned for "no result"."""
_native.set_undefined(UNDEFINED)


class JSONataError(Exception):
    """A JSONata compile or evaluation error.

    Attributes: ``code`` (e.g. ``"T2001"``), ``position`` (UTF-16 offset in the
    expression, or None), ``token`` and ``value`` (JSON values or None), and
    ``message`` (jsonata-js's English text).
    """

    def __init__(self, code: str, message: str, position: Optional[int] = None, token: Any = None,
                 value: Any = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.position = position
        self.token = token
        self.value = value


def _error(code: str, position: Optional[int], token: Any, value: Any, message: str) -> JSONataError:
    return JSONataError(code, message, position, token, value)


class Expression:
    """A compiled JSONata expression: compile once, evaluate many times (thread-safe)."""

    def __init__(self, native: Any, source: str) -> None:
        self._native = native
        self._evaluate = native.evaluate
        self.source = source

    def evaluate(
        self,
        data: Any = UNDEFINED,
        bindings: Optional[Mapping[str, Any]] = None,
        *,
        limits: Optional[Mapping[str, int]] = None,
        sfn_functions: bool = False,
        now_ms: Optional[int] = None,
    ) -> Any:
        """Evaluates against ``data`` (a JSON value, or :data:`UNDEFINED` for no input).

        ``bindings`` maps variable names (without ``$``) to JSON values.
        ``limits`` may hold ``depth``, ``timelimit_ms`` and ``memory_bytes``.
        ``now_ms`` fixes ``$now()``/``$millis()``. Returns a JSON value or
        :data:`UNDEFINED`; raises :class:`JSONataError`.
        """
        if bindings is not None and type(bindings) is not dict:
            bindings = dict(bindings)
        try:
            if limits is None and not sfn_functions and now_ms is None:
                return self._evaluate(data, bindings or None)
            limits = dict(limits or {})
            return self._native.evaluate_with(
                data,
                bindings or None,
                sfn_functions,
                int(limits.get("depth", 0) or 0),
                int(limits.get("timelimit_ms", 0) or 0),
                int(limits.get("memory_bytes", 0) or 0),
                now_ms,
                "timelimit_ms" in limits or "depth" in limits,
            )
        except _native.Error as err:
            raise _error(*err.args) from None

    def __repr__(self) -> str:
        return f"jsonata.Expression({self.source!r})"


#: Compiled expressions by source text, as ``re`` caches its patterns: an
#: Expression is immutable, so handing out the same one is safe.
_CACHE: dict = {}
_CACHE_MAX = 512


def compile(expr: str) -> Expression:  # noqa: A001 - mirrors re.compile
    """Compiles ``expr``; raises :class:`JSONataError` on a syntax error.

    The last 512 distinct sources are cached (as ``re.compile`` caches), so
    compiling the same text again returns the same :class:`Expression`.
    """
    try:
        return _CACHE[expr]
    except (KeyError, TypeError):
        pass
    # WTF-8 bytes: lone surrogates (legal in JS strings) survive the trip
    try:
        native = _native.compile(expr.encode("utf-8", "surrogatepass"))
    except _native.Error as err:
        raise _error(*err.args) from None
    compiled = Expression(native, expr)
    if len(_CACHE) >= _CACHE_MAX:
        try:  # drop the oldest entry (dicts keep insertion order)
            del _CACHE[next(iter(_CACHE))]
        except (StopIteration, RuntimeError, KeyError):
            pass
    _CACHE[expr] = compiled
    return compiled


def evaluate(expr: str, data: Any = UNDEFINED, bindings: Optional[Mapping[str, Any]] = None, **kwargs: Any) -> Any:
    """Compiles and evaluates in one call (see :meth:`Expression.evaluate`)."""
    return compile(expr).evaluate(data, bindings, **kwargs)


def cli_main(argv: list) -> int:
    """``python -m stepfiber jsonata EXPR [--sfn] [--bindings JSON] < input.json``.

    Reads the input document from stdin (empty stdin means no input), prints
    the result as JSON (nothing for an undefined result) and exits 0; on a
    JSONata error prints ``CODE: message`` to stderr and exits 1.
    """
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m stepfiber jsonata",
                                     description="Evaluate a JSONata expression against JSON read from stdin.")
    parser.add_argument("expression")
    parser.add_argument("--sfn", action="store_true", help="enable Step Functions' own functions")
    parser.add_argument("--bindings", default=None, help="JSON object of variable bindings (names without $)")
    parser.add_argument("--indent", type=int, default=None, help="pretty-print the result")
    args = parser.parse_args(argv)
    text = "" if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read()
    data = json.loads(text) if text.strip() else UNDEFINED
    bindings = json.loads(args.bindings) if args.bindings else None
    try:
        result = evaluate(args.expression, data, bindings, sfn_functions=args.sfn)
    except JSONataError as err:
        print(f"{err.code}: {err.message}", file=sys.stderr)
        return 1
    if result is not UNDEFINED:
        print(json.dumps(result, ensure_ascii=False, indent=args.indent))
    return 0
