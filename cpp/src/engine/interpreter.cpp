// The fiber body of an execution: walks the machine's root scope with a
// Frame and records how the execution ended. No exception leaves
// run_execution(): anything unexpected fails the execution with
// States.Runtime (Boost.Fiber would otherwise call std::terminate).
#include <exception>
#include <string>

#include "errors/error_names.h"
#include "engine/core.h"
#include "engine/frame.h"

namespace stepfiber::engine {
namespace {

namespace errors = asl::errors;

void fail_execution(Core& core, Execution& ex, const asl::StateError& e) {
  Json details = Json::object();
  if (!e.error.empty()) details["error"] = e.error;
  if (e.cause) details["cause"] = *e.cause;
  ex.history.add(core.now(), ex.history.last_id(), "ExecutionFailed", &details);
  if (!e.error.empty()) ex.extra().error = e.error;
  if (e.cause) ex.extra().cause = e.cause;
  core.finish(ex, ExecutionStatus::kFailed);
}

void run(Core& core, Execution& ex) {
  ExecutionContext x{core, ex};
  Json input;
  Json variables;  // none yet (null: no allocation)
  std::uint32_t start = ex.machine->program->root.start;
  std::unique_ptr<ExecutionExtra::CompletedChildren> reuse;
  core.main_stack.call([&] {
    // A redrive starts at the state that did not complete, with its input.
    auto* x = ex.extra_if();
    if (x && x->redrive_point) {
      start = x->redrive_point->state;
      auto parsed = parse_json(x->redrive_point->input);
      input = parsed.ok() ? std::move(parsed).value() : Json::object();
      if (!x->redrive_point->variables.empty()) {
        auto vars = parse_json(x->redrive_point->variables);
        if (vars.ok()) variables = std::move(vars).value();
      }
      x->redrive_point.reset();
      if (x->completed_children && x->completed_children->state == start) reuse = std::move(x->completed_children);
      x->completed_children.reset();
      return;
    }
    auto parsed = parse_json(ex.input);
    input = parsed.ok() ? std::move(parsed).value() : Json::object();
  });
  Frame frame(x, 0, std::move(variables), false);
  if (reuse) frame.reuse_after_redrive(std::move(reuse));
  ScopeResult r = frame.run_scope(ex.machine->program->root, std::move(input), start);
  if (ex.abandoned) return;
  core.main_stack.call([&] {
    switch (r.kind) {
      case ScopeResult::Kind::kSucceeded: {
        // printed once: the event's details (what dump_json(payload_details("output", ...)) prints)
        // and the execution's output
        std::string text = dump_json(r.output);
        std::string details = "{\"output\":";
        append_json_string(details, text);
        details += R"(,"outputDetails":{"truncated":false}})";
        ex.history.add_text(core.now(), ex.history.last_id(), "ExecutionSucceeded", details);
        ex.extra().output = std::move(text);
        ex.extra().completed_children.reset();
        core.finish(ex, ExecutionStatus::kSucceeded);
        break;
      }
      case ScopeResult::Kind::kFailed: fail_execution(core, ex, r.error); break;
      case ScopeResult::Kind::kStopped: break;
    }
  });
}

}  // namespace

void run_execution(Core& core, Execution& ex) noexcept {
  try {
    run(core, ex);
  } catch (const std::exception& e) {
    if (ex.status == ExecutionStatus::kRunning && !ex.abandoned) {
      try {
        fail_execution(core, ex, asl::StateError{std::string(errors::kRuntime),
                                                 std::string("Internal engine error: ") + e.what()});
      } catch (...) {
        core.finish(ex, ExecutionStatus::kFailed);
      }
    }
  } catch (...) {
    if (ex.status == ExecutionStatus::kRunning && !ex.abandoned) {
      ex.extra().error = std::string(errors::kRuntime);
      ex.extra().cause = "Internal engine error";
      core.finish(ex, ExecutionStatus::kFailed);
    }
  }
  for (auto& s : ex.strands) {
    if (s->task && s->task->token_slot) core.tokens.close(*s->task->token_slot);
    s->task.reset();
  }
  ex.fiber_done = true;
}

}  // namespace stepfiber::engine
