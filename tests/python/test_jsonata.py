"""stepfiber.jsonata: the public Python API over the native JSONata engine."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from stepfiber import jsonata


def test_evaluate_path_and_aggregate_returns_json_value() -> None:
    data = {"Account": {"Order": [{"Product": [{"Price": 2, "Quantity": 3}, {"Price": 1.5, "Quantity": 2}]}]}}
    expr = jsonata.compile("Account.Order.Product.(Price * Quantity) ~> $sum()")
    assert expr.evaluate(data) == 9


def test_evaluate_no_result_returns_undefined_not_none() -> None:
    assert jsonata.evaluate("missing", {"a": 1}) is jsonata.UNDEFINED
    assert jsonata.evaluate("a", {"a": None}) is None


def test_evaluate_undefined_input_is_distinct_from_null() -> None:
    assert jsonata.evaluate("$exists($)", jsonata.UNDEFINED) is False
    assert jsonata.evaluate("$exists($)", None) is True


def test_evaluate_bindings_become_variables() -> None:
    assert jsonata.evaluate("$states.input.x + $y", jsonata.UNDEFINED,
                            {"states": {"input": {"x": 40}}, "y": 2}) == 42


def test_compile_syntax_error_raises_with_code_position_token() -> None:
    with pytest.raises(jsonata.JSONataError) as info:
        jsonata.compile("1 + )")
    err = info.value
    assert (err.code, err.position, err.token) == ("S0211", 5, ")")
    assert "cannot be used as a unary operator" in err.message


def test_evaluate_type_error_carries_value() -> None:
    with pytest.raises(jsonata.JSONataError) as info:
        jsonata.evaluate("'a' - 1")
    assert info.value.code == "T2001"
    assert info.value.token == "-"
    assert info.value.value == "a"


def test_error_function_message_is_user_text() -> None:
    with pytest.raises(jsonata.JSONataError) as info:
        jsonata.evaluate("$error('boom')")
    assert (info.value.code, info.value.message) == ("D3137", "boom")


def test_limits_depth_raises_u1001() -> None:
    expr = jsonata.compile("($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(500))")
    with pytest.raises(jsonata.JSONataError) as info:
        expr.evaluate(limits={"depth": 100, "timelimit_ms": 1000})
    assert info.value.code == "U1001"


def test_limits_time_raises_u1001_like_the_suite_harness() -> None:
    expr = jsonata.compile("($f := function($n){ $f($n + 1) }; $f(0))")
    with pytest.raises(jsonata.JSONataError) as info:
        expr.evaluate(limits={"timelimit_ms": 50})
    assert info.value.code == "U1001"


def test_unbounded_recursion_is_an_error_not_a_crash() -> None:
    with pytest.raises(jsonata.JSONataError) as info:
        jsonata.evaluate("($f := function($n){ 1 + $f($n) }; $f(0))")
    assert info.value.code == "U1001"


def test_expression_is_reusable_and_thread_safe() -> None:
    from concurrent.futures import ThreadPoolExecutor

    expr = jsonata.compile("$sum(n)")
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda i: expr.evaluate({"n": list(range(i))}), range(200)))
    assert results == [sum(range(i)) for i in range(200)]


def test_sfn_functions_are_opt_in() -> None:
    with pytest.raises(jsonata.JSONataError):
        jsonata.evaluate("$uuid()")
    assert jsonata.evaluate("$random(42)", sfn_functions=True) == 0.7275636800328681
    assert jsonata.evaluate("$partition([1,2,3], 2)", sfn_functions=True) == [[1, 2], [3]]


def test_eval_is_not_defined() -> None:
    with pytest.raises(jsonata.JSONataError) as info:
        jsonata.evaluate("$eval('1+1')")
    assert info.value.code == "T1006"


def test_lone_surrogates_cross_the_boundary() -> None:
    assert jsonata.evaluate("$length($)", "\ud800x") == 2
    assert jsonata.evaluate("'\\ud83d\\ude00'") == "\U0001F600"


def test_now_is_fixed_per_call() -> None:
    assert jsonata.evaluate("$millis()", now_ms=1234) == 1234
    assert jsonata.evaluate("$now()", now_ms=0) == "1970-01-01T00:00:00.000Z"


def test_cli_evaluates_stdin() -> None:
    run = subprocess.run([sys.executable, "-m", "stepfiber", "jsonata", "a.b"], input=json.dumps({"a": {"b": [1, 2]}}),
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == [1, 2]
    bad = subprocess.run([sys.executable, "-m", "stepfiber", "jsonata", "1 +"], input="",
                         capture_output=True, text=True, check=False)
    assert bad.returncode == 1
    assert bad.stderr.startswith("S0207:")
