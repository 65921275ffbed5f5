// JSONata engine alone (issue 9 §5): compile and evaluate timed separately,
// in ns per operation, for the typical Step Functions expressions that
// benchmarks/python/jsonata_compare.py also measures through Python.
//
//   build/jbench/benchmarks/jsonata_bench [--iterations N]
//
// Each expression is compiled N times (compile ns/op), then one compiled
// Expression is evaluated N times against `$states` bound to its input
// (evaluate ns/op). Best of three rounds counts.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "jsonata/jsonata.h"

namespace {

using stepfiber::jsonata::Bindings;
using stepfiber::jsonata::Error;
using stepfiber::jsonata::EvaluateOptions;
using stepfiber::jsonata::Expression;
using stepfiber::jsonata::Value;

/// One workload: a name, the expression and the `$states.input` JSON text.
struct Workload {
  const char* name;
  const char* expr;
  std::string input_json;
};

/// `{"items": [{"price": i % 97, "qty": i % 5}, ...]}` with `n` items.
std::string items_json(int n) {
  std::string s = "{\"id\":\"order-1\",\"items\":[";
  for (int i = 0; i < n; ++i) {
    if (i) s += ',';
    s += "{\"price\":" + std::to_string(i % 97) + ",\"qty\":" + std::to_string(i % 5) + "}";
  }
  s += "]}";
  return s;
}

/// The same workloads as the Python comparison.
std::vector<Workload> workloads() {
  const std::string items = items_json(1000);
  return {
      {"field access", "$states.input.order.id", "{\"order\":{\"id\":\"o-42\",\"total\":12.5}}"},
      {"string building", "'Hello ' & $states.input.name & '!'", "{\"name\":\"World\"}"},
      {"$map x1000", "$map($states.input.items, function($v) { $v.price * 2 })", items},
      {"$filter x1000", "$filter($states.input.items, function($v) { $v.price > 50 })", items},
      {"$sum x1000", "$sum($states.input.items.price)", items},
      {"object construction", "{\"id\": $states.input.id, \"total\": $sum($states.input.items.price)}", items},
  };
}

/// Monotonic clock in nanoseconds.
double now_ns() {
  return static_cast<double>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

}  // namespace

/// Runs every workload and prints compile and evaluate ns/op.
int main(int argc, char** argv) {
  long iterations = 20000;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--iterations") == 0 && i + 1 < argc) iterations = std::atol(argv[++i]);
  }
  std::printf("%-22s %12s %12s %14s\n", "workload", "compile ns", "evaluate ns", "evals/s");
  for (const Workload& w : workloads()) {
    Value input;
    std::string perr;
    if (!stepfiber::jsonata::from_json_text(w.input_json, &input, &perr)) {
      std::fprintf(stderr, "%s: bad input: %s\n", w.name, perr.c_str());
      return 1;
    }
    Value states;
    std::string states_text = "{\"input\":" + w.input_json + "}";
    if (!stepfiber::jsonata::from_json_text(states_text, &states, &perr)) return 1;
    const Bindings bindings{{"states", states}};
    EvaluateOptions opts;
    // Work per evaluation grows with the array: fewer iterations for those.
    const long n = w.input_json.size() > 1000 ? std::max(1L, iterations / 50) : iterations;
    double best_compile = 1e300, best_eval = 1e300;
    for (int round = 0; round < 3; ++round) {
      Error err;
      double t0 = now_ns();
      for (long i = 0; i < n; ++i) {
        auto e = Expression::compile(w.expr, &err);
        if (!e) {
          std::fprintf(stderr, "%s: compile error %s\n", w.name, err.message().c_str());
          return 1;
        }
      }
      best_compile = std::min(best_compile, (now_ns() - t0) / static_cast<double>(n));
      auto expr = Expression::compile(w.expr, &err);
      Value out;
      t0 = now_ns();
      for (long i = 0; i < n; ++i) {
        if (!expr->evaluate(Value(), bindings, opts, &out, &err)) {
          std::fprintf(stderr, "%s: evaluate error %s\n", w.name, err.message().c_str());
          return 1;
        }
      }
      best_eval = std::min(best_eval, (now_ns() - t0) / static_cast<double>(n));
    }
    std::printf("%-22s %12.0f %12.0f %14.0f\n", w.name, best_compile, best_eval, 1e9 / best_eval);
  }
  return 0;
}
