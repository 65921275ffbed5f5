// TestState: one state run in isolation, as AWS's TestState API runs it
// (sfn-semantics 3.5). The state is compiled by the engine's own compiler
// (asl::compile_program, wrapped into a one-state machine when the request
// gives a lone state) and its data flow runs through the same compiled
// pieces an execution uses (payload templates, value expressions, choice
// rules, reference paths), recording every intermediate value for
// `inspectionData`. Nothing waits: a Wait state reports its output at once,
// a Task, Map or Parallel takes its result from the request's mock.
#pragma once

#include <cstdint>

#include "stepfiber/engine.h"
#include "stepfiber/json.h"
#include "stepfiber/status.h"

namespace stepfiber::engine {

/// Runs a TestState request (TestStateInput's members, already checked
/// against botocore's model) and answers TestStateOutput's members, or the
/// ValidationException / InvalidDefinition / InvalidExecutionInput AWS
/// answers. `now_ms` is the engine clock (the Context's times).
Result<Json> run_test_state(const EngineOptions& options, std::int64_t now_ms, const Json& request);

}  // namespace stepfiber::engine
