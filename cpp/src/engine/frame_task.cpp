// Frame: the Task state. The fiber only waits -- for the attempt's outcome
// and between retries; everything else runs on the main stack.
#include <limits>
#include <utility>

#include "errors/error_names.h"
#include "engine/frame.h"
#include "engine/mock_config.h"
#include "engine/sfn_integration.h"

namespace stepfiber::engine {
namespace {

using asl::StateError;
namespace errors = asl::errors;

/// `{"resourceType":..., "resource":...`, for members to be added after it.
JsonObjectText task_details_text(const asl::TaskSpec& t) {
  JsonObjectText d;
  d.string("resourceType", t.resource_type).string("resource", t.resource_name);
  return d;
}

/// Holds a JSON value as its text while the task waits: nlohmann's objects
/// take several times the bytes of the text, and a million tasks may wait.
/// A value whose text would not read back the same (a string that is not
/// valid UTF-8, from an intrinsic, or nesting past parse_json's limit)
/// stays as it is.
class ParkedJson {
 public:
  void park(Json& v) {
    if (!v.is_structured() || json_depth(v) > kMaxJsonDepth) return;  // scalars are as small as their text
    try {
      text_ = v.dump(-1, ' ', false, Json::error_handler_t::strict);
    } catch (const std::exception&) {
      return;
    }
    text_.shrink_to_fit();
    v = Json();
    parked_ = true;
  }
  void unpark(Json& v) {
    if (!parked_) return;
    auto back = parse_json(text_);
    v = std::move(back).value();  // the engine's own dump: always parses
    std::string().swap(text_);
    parked_ = false;
  }

 private:
  std::string text_;
  bool parked_ = false;
};

/// A mocked invocation: Return is the result (of the callback, for
/// .waitForTaskToken and .sync, after TaskSubmitted), Throw the failure;
/// Park leaves the task waiting on its real token.
void answer_from_mock(const MockAnswer& answer, const asl::TaskSpec& t, TaskInFlight& task) {
  if (answer.kind == MockAnswer::Kind::kPark) return;
  task.handler_call = kEngineCall;
  if (answer.kind == MockAnswer::Kind::kThrow) {
    task.handler_outcome = TaskOutcome{false, {}, answer.error, answer.cause};
    return;
  }
  if (t.wait_for_task_token || t.sync) {
    task.handler_outcome = TaskOutcome{true, Json::object(), {}, {}};
    task.token_outcome = TaskOutcome{true, answer.value, {}, {}};
  } else {
    task.handler_outcome = TaskOutcome{true, answer.value, {}, {}};
  }
}

}  // namespace

void Frame::close_task() {
  Strand& s = strand();
  if (s.task && s.task->token_slot) core_.tokens.close(*s.task->token_slot);
  s.task.reset();
}

std::optional<StateError> Frame::resolve_seconds(const std::optional<std::int64_t>& literal,
                                                 const std::optional<path::ValueExpr>& p, const Json& in,
                                                 std::optional<std::int64_t>& out) {
  out = literal;
  if (!p) return std::nullopt;
  auto v = lookup(*p, *current_state_, in);
  if (!v) {
    auto jp = path::JsonPath::compile(p->text());
    return runtime_error("Invalid path '" + p->text() + "' : " +
                         (jp.ok() ? jp->explain_no_match(in) : "No results for path: " + p->text()));
  }
  if (!v->is_number_integer() || v->get<std::int64_t>() < 1) {
    return runtime_error("The value at path '" + p->text() + "' must be a positive integer, but was '" +
                         dump_json(*v) + "'");
  }
  out = v->get<std::int64_t>();
  return std::nullopt;
}

void Frame::record_scheduled(const asl::TaskSpec& t, const Json& params, std::optional<std::int64_t> timeout,
                             std::optional<std::int64_t> heartbeat) {
  if (t.kind == asl::ResourceKind::kActivity) {
    // ActivityStarted follows when a worker takes the task (Core::hand_over_activity).
    Json d = {{"resource", t.resource}, {"input", dump_json(params)}, {"inputDetails", {{"truncated", false}}}};
    if (timeout) d["timeoutInSeconds"] = *timeout;
    if (heartbeat) d["heartbeatInSeconds"] = *heartbeat;
    record("ActivityScheduled", &d);
    return;
  }
  if (t.kind == asl::ResourceKind::kLambdaFunction) {
    Json d = {{"resource", t.resource}, {"input", dump_json(params)}, {"inputDetails", {{"truncated", false}}}};
    if (timeout) d["timeoutInSeconds"] = *timeout;
    record("LambdaFunctionScheduled", &d);
    record("LambdaFunctionStarted", nullptr);
    return;
  }
  // "region" is added when the history is read.
  JsonObjectText d = task_details_text(t);
  d.string("parameters", dump_json(params));
  if (timeout) d.number("timeoutInSeconds", *timeout);
  if (heartbeat) d.number("heartbeatInSeconds", *heartbeat);
  record_text("TaskScheduled", std::move(d).finish());
  // Its details repeat TaskScheduled's resource: rendered from that event
  // when the history is read (see task_started_details).
  record("TaskStarted", nullptr);
}

std::size_t Frame::record_outcome(const asl::TaskSpec& t, const Awaited& a) {
  std::size_t output_size = 0;
  // Event names per resource kind: Task*, LambdaFunction*, Activity*.
  const bool lambda = t.kind == asl::ResourceKind::kLambdaFunction;
  const bool activity = t.kind == asl::ResourceKind::kActivity;
  auto name = [&](const char* task, const char* fn, const char* act) { return lambda ? fn : activity ? act : task; };
  JsonObjectText d = lambda || activity ? JsonObjectText() : task_details_text(t);
  switch (a.kind) {
    case Awaited::Kind::kSuccess: {
      const std::string text = dump_json(a.output);
      output_size = text.size();
      d.string("output", text).json("outputDetails", R"({"truncated":false})");
      record_text(name("TaskSucceeded", "LambdaFunctionSucceeded", "ActivitySucceeded"), std::move(d).finish());
      break;
    }
    case Awaited::Kind::kFailure:
      if (a.error) d.string("error", *a.error);
      if (a.cause) d.string("cause", *a.cause);
      record_text(name("TaskFailed", "LambdaFunctionFailed", "ActivityFailed"), std::move(d).finish());
      break;
    case Awaited::Kind::kTimeout:
      d.string("error", std::string(errors::kTimeout));
      record_text(name("TaskTimedOut", "LambdaFunctionTimedOut", "ActivityTimedOut"), std::move(d).finish());
      break;
    case Awaited::Kind::kStopped:
      break;
  }
  return output_size;
}

std::optional<StepResult> Frame::prepare_attempt(const asl::State& st, const asl::TaskSpec& t, const Json& eff,
                                                 Attempt& at) {
  Strand& s = strand();
  const std::uint32_t epoch = s.waiter.begin();
  auto task = std::make_unique<TaskInFlight>();
  task->epoch = epoch;
  task->state_name = &st.name;
  task->resource = &t.resource;
  task->scheduled = core_.now();
  // .sync tasks have a token too ($$.Task.Token; a SendTaskSuccess with it
  // completes the task before the job does).
  const bool has_token = t.wait_for_task_token || t.sync;
  std::string token;
  if (has_token) {
    auto issued = core_.tokens.issue(ex_.index, strand_, epoch);
    task->token_slot = issued.slot;
    token = std::move(issued.token);
  }
  s.task = std::move(task);

  Json params;
  if (t.parameters) {
    auto r = evaluate(*t.parameters, st, eff, has_token ? &token : nullptr);
    if (!r.ok()) {
      close_task();
      return StepResult::fail(r.err);
    }
    params = std::move(*r.value);
  } else {
    params = eff;
  }
  if (auto e = resolve_seconds(t.timeout_seconds, t.timeout_seconds_path, eff, at.timeout)) {
    close_task();
    return StepResult::fail(*e);
  }
  if (auto e = resolve_seconds(t.heartbeat_seconds, t.heartbeat_seconds_path, eff, at.heartbeat)) {
    close_task();
    return StepResult::fail(*e);
  }
  if (st.jsonata) {
    if (auto e = jsonata_task_arguments(st, eff, has_token ? &token : nullptr, params, at)) {
      close_task();
      return StepResult::fail(*e);
    }
  }
  TaskInFlight& task_ref = *s.task;
  task_ref.parameters = dump_json(params);
  task_ref.parameters.shrink_to_fit();  // held while the task is parked
  ActivityRecord* activity = nullptr;
  if (t.kind == asl::ResourceKind::kActivity) {
    auto it = core_.activities.find(t.resource);
    if (it == core_.activities.end()) {
      close_task();
      return StepResult::fail(runtime_error("The activity " + t.resource + " does not exist."));
    }
    activity = &it->second;
  }
  // A MockConfigFile test case answers this invocation instead of the resource.
  const MockStep mock = next_mock_step(ex_, st.name);
  const bool parked_mock = mock.kind == MockStep::Kind::kAnswer && mock.answer->kind == MockAnswer::Kind::kPark;
  if (mock.kind == MockStep::Kind::kMissing || (parked_mock && !t.wait_for_task_token)) {
    close_task();
    return StepResult::fail(runtime_error(parked_mock ? "A Park mock needs a .waitForTaskToken task." : mock.message));
  }
  record_scheduled(t, params, at.timeout, at.heartbeat);

  const runtime::Millis start = core_.now();
  if (at.timeout) core_.timers.arm(start + *at.timeout * 1000, ex_.index, strand_, epoch);
  if (at.heartbeat) {
    task_ref.heartbeat_seconds = *at.heartbeat;
    if (!activity) {  // an activity's heartbeat clock starts when a worker takes it
      task_ref.heartbeat_deadline = start + *at.heartbeat * 1000;
      core_.timers.arm(*task_ref.heartbeat_deadline, ex_.index, strand_, epoch);
    }
  }
  if (mock.kind == MockStep::Kind::kAnswer) {
    answer_from_mock(*mock.answer, t, task_ref);
  } else if (activity) {
    core_.schedule_activity(*activity, ex_, strand_);
  } else if (core_.handled_resources.count(t.resource) != 0) {
    task_ref.handler_call = core_.dispatch_handler(ex_, strand_, t.resource, task_ref.parameters);
  } else {
    run_sfn_integration(core_, ex_, strand_, t, params);  // no-op unless t is one
  }
  return std::nullopt;
}

Awaited Frame::await_task(const asl::TaskSpec& t, const Attempt& at) {
  Strand& s = strand();
  TaskInFlight& task = *s.task;
  const std::uint32_t epoch = task.epoch;
  const runtime::Millis timeout_deadline =
      at.timeout ? task.scheduled + *at.timeout * 1000 : std::numeric_limits<runtime::Millis>::max();
  runtime::Millis armed_heartbeat = task.heartbeat_deadline.value_or(0);
  const bool has_handler = task.handler_call != 0;
  // After the call: wait for a token (.waitForTaskToken) or the job (.sync).
  const bool awaits_completion = t.wait_for_task_token || t.sync;
  if (!has_handler && !t.wait_for_task_token && t.kind != asl::ResourceKind::kActivity) {
    Awaited a;
    a.kind = Awaited::Kind::kFailure;
    a.error = std::string(errors::kTaskFailed);
    a.cause = "No task handler is registered for resource '" + t.resource +
              "'. Register one with client.register_task_handler().";
    return a;
  }
  bool submitted = !has_handler;
  for (;;) {
    if (stopped()) return Awaited{};
    if (task.handler_outcome) {
      std::optional<Awaited> done;
      main([&] {
        TaskOutcome h = std::move(*task.handler_outcome);
        task.handler_outcome.reset();
        task.handler_call = 0;
        if (!h.success) {
          done = Awaited{Awaited::Kind::kFailure, {}, h.error, h.cause};
        } else if (!awaits_completion) {
          done = Awaited{Awaited::Kind::kSuccess, std::move(h.output), {}, {}};
        } else {
          JsonObjectText d = task_details_text(t);
          d.string("output", dump_json(h.output)).json("outputDetails", R"({"truncated":false})");
          record_text("TaskSubmitted", std::move(d).finish());
        }
      });
      if (done) return std::move(*done);
      submitted = true;
    }
    if (submitted && task.token_outcome) {
      TaskOutcome o = std::move(*task.token_outcome);
      task.token_outcome.reset();
      if (o.sent_ns) core_.record_resume_latency(steady_now_ns() - o.sent_ns);
      if (o.success) return Awaited{Awaited::Kind::kSuccess, std::move(o.output), {}, {}};
      return Awaited{Awaited::Kind::kFailure, {}, o.error, o.cause};
    }
    const runtime::Millis now = core_.now();
    if (now >= timeout_deadline) return Awaited{Awaited::Kind::kTimeout, {}, {}, {}, false};
    if (task.heartbeat_deadline && now >= *task.heartbeat_deadline) {
      return Awaited{Awaited::Kind::kTimeout, {}, {}, {}, true};
    }
    if (task.heartbeat_deadline && *task.heartbeat_deadline > armed_heartbeat) {
      armed_heartbeat = *task.heartbeat_deadline;  // a heartbeat moved it on
      core_.timers.arm(armed_heartbeat, ex_.index, strand_, epoch);
    }
    s.waiter.wait();
  }
}

AfterError Frame::finish_attempt(const asl::State& st, const asl::TaskSpec& t, Json& raw, Awaited& a,
                                 std::vector<std::int64_t>& retries) {
  const std::size_t output_size = record_outcome(t, a);  // the printed output's size, for the limit
  if (a.kind == Awaited::Kind::kSuccess) {
    if (output_size <= kPayloadLimit) {
      return {finish_with_result(st, t.result_selector, std::move(raw), std::move(a.output))};
    }
    // Over the payload limit: a catchable error naming the integration
    // ('lambda') or the function ARN, as AWS words it.
    a = Awaited{Awaited::Kind::kFailure, {}, std::string(errors::kDataLimitExceeded),
                "The state/task '" +
                    (t.kind == asl::ResourceKind::kServiceIntegration ? t.resource_type : t.resource) +
                    "' returned a result with a size exceeding the maximum number of bytes service limit."};
  }
  const bool timed_out = a.kind == Awaited::Kind::kTimeout;
  const std::string error = timed_out ? std::string(errors::kTimeout) : a.error.value_or("");
  // A caught timeout's Error Output carries Cause "" (recorded AWS runs);
  // ExecutionFailed for a timeout carries no cause.
  AfterError after = handle_error(st, t.errors, raw, error, timed_out ? std::optional<std::string>("") : a.cause,
                                  a.heartbeat, timed_out || a.error.has_value(), retries);
  if (after.result && after.result->kind == StepResult::Kind::kFail) {
    if (timed_out) after.result->error.cause.reset();
    if (in_branch_) record("TaskStateAborted", nullptr);
  }
  return after;
}

StepResult Frame::run_task(const asl::State& st, const asl::TaskSpec& t, Json raw, bool first) {
  std::optional<StepResult> early;
  // The effective input is kept for retries. With the default InputPath it
  // is `raw` itself: a parked task holds one copy of its input, not two.
  Json selected;
  const bool whole_input = st.input_path.kind == asl::SelectPath::Kind::kDefault;
  main([&] {
    enter_state(st, raw, first);
    if (whole_input) return;
    auto e = select(st.input_path, raw, st);
    if (!e.ok()) early = StepResult::fail(e.err);
    else selected = std::move(*e.value);
  });
  if (early) return std::move(*early);
  const Json& eff = whole_input ? raw : selected;
  std::vector<std::int64_t> retries(t.errors.retry.size(), 0);
  ParkedJson parked_raw, parked_selected;
  for (;;) {
    Attempt at;
    main([&] {
      early = prepare_attempt(st, t, eff, at);
      if (early) return;
      parked_raw.park(raw);
      parked_selected.park(selected);
    });
    if (early) return std::move(*early);
    Awaited a;
    {
      // Parked on a token: .waitForTaskToken, or an activity waiting for its worker.
      const bool on_token = t.wait_for_task_token || t.kind == asl::ResourceKind::kActivity;
      CensusWaiting waiting(core_.census, ex_, strand_, on_token ? CensusWait::kToken : CensusWait::kNone);
      a = await_task(t, at);
    }
    close_task();
    if (a.kind == Awaited::Kind::kStopped || stopped()) return stop_state(st);
    AfterError next;
    main([&] {
      parked_raw.unpark(raw);
      parked_selected.unpark(selected);
      next = finish_attempt(st, t, raw, a, retries);
    });
    if (next.result) return std::move(*next.result);
    if (!back_off(st, next.retry_delay)) return StepResult::stopped();
  }
}

}  // namespace stepfiber::engine
