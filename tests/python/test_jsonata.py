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


# ---- values cross as Python objects, exactly as a JSON round trip would ----

_CONVERSION_CASES = [
    {"s": "x", "i": 3, "f": 2.5, "b": True, "n": None, "l": [1, [2, {"k": "v"}]], "e": {}, "el": []},
    [0.1, 1e300, 2**53, -17, "ünï€ode", "\U0001F600"],
    {"k" * 20: list(range(12)), **{f"key{i}": i for i in range(12)}},  # objects past the 8-key index
]


@pytest.mark.parametrize("value", _CONVERSION_CASES)
def test_values_round_trip_as_json_would(value) -> None:
    expected = json.loads(json.dumps(value))
    assert jsonata.evaluate("$", value) == expected
    assert jsonata.evaluate("$v", None, {"v": value}) == expected
    assert json.dumps(jsonata.evaluate("$", value)) == json.dumps(expected)  # same types and key order


def test_integer_like_keys_come_first_as_javascript_orders_them() -> None:
    assert list(jsonata.evaluate("$", {"x": "c", "10": "b", "2": "a"})) == ["2", "10", "x"]


def test_numbers_come_back_as_int_when_integral_like_json_loads() -> None:
    assert jsonata.evaluate("$", -0.0) == 0 and type(jsonata.evaluate("$", -0.0)) is int  # JS prints -0 as 0
    out = jsonata.evaluate("[1.0, 2.5, 1e21, 1e20, -0, $x / 3]", None, {"x": 9})
    assert out == [1, 2.5, 1e21, 100000000000000000000, 0, 3]
    assert [type(v) for v in out] == [int, float, float, int, int, int]


def test_tuples_and_non_str_keys_convert_as_json_dumps_does() -> None:
    value = {1: "one", 2.5: "half", True: "t", None: "n", "t": (1, 2)}
    assert jsonata.evaluate("$", value) == json.loads(json.dumps(value))
    # a key that prints like an existing one: the last value wins, as json.loads does
    assert jsonata.evaluate("$", {1: "int", "1": "str"}) == {"1": "str"}


def test_unserialisable_input_raises_type_error() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        jsonata.evaluate("$", {"when": object()})
    with pytest.raises(TypeError, match="keys must be"):
        jsonata.evaluate("$", {(1, 2): 1})


def test_circular_input_raises_value_error_not_a_crash() -> None:
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError, match="nested too deeply"):
        jsonata.evaluate("$", loop)


def test_undefined_results_inside_values_follow_json_stringify() -> None:
    # undefined object members are dropped; undefined array items are null
    assert jsonata.evaluate('{"a": missing, "b": 1}', {}) == {"b": 1}
    assert jsonata.evaluate("[1, $f]", None, {"f": None}) == [1, None]
    assert jsonata.evaluate("{'f': function($x) { $x }}", None) == {"f": ""}


def test_plain_paths_match_the_general_path_semantics() -> None:
    data = {"a": {"b": [1, 2], "c": {"d": "x"}, "s": [[1], [2]]}, "arr": [{"b": 1}, {"b": 2}]}
    assert jsonata.evaluate("a.c.d", data) == "x"
    assert jsonata.evaluate("a.b", data) == [1, 2]       # an array at the end stays as it is
    assert jsonata.evaluate("a.s", data) == [[1], [2]]
    assert jsonata.evaluate("arr.b", data) == [1, 2]     # an array on the way maps
    assert jsonata.evaluate("a.c.d.e", data) is jsonata.UNDEFINED
    assert jsonata.evaluate("$v.c.d", None, {"v": data["a"]}) == "x"
    assert jsonata.evaluate("$v.b", None, {"v": data["a"]}) == [1, 2]
    assert jsonata.evaluate("$v.nothing", None, {"v": 5}) is jsonata.UNDEFINED
    assert jsonata.evaluate("$v.x", None, {"v": [{"x": 1}, {"x": [2, 3]}]}) == [1, 2, 3]


def test_compile_caches_by_source_and_stays_bounded() -> None:
    first = jsonata.compile("a.b + 1")
    assert jsonata.compile("a.b + 1") is first
    for i in range(jsonata._CACHE_MAX + 10):
        jsonata.compile(f"{i} + 1")
    assert len(jsonata._CACHE) <= jsonata._CACHE_MAX
    assert jsonata.compile("a.b + 1").evaluate({"a": {"b": 2}}) == 3
    with pytest.raises(jsonata.JSONataError):  # errors are not cached as results
        jsonata.compile("a +")
    with pytest.raises(jsonata.JSONataError):
        jsonata.compile("a +")
