// Frame: Parallel and Map. Branches and iterations run as child fibers of
// the execution (one strand each); the parent fiber joins them. A failure
// beyond what the state tolerates cancels the siblings, which unwind
// recording *StateAborted / MapIterationAborted.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <utility>

#include "errors/error_names.h"
#include "engine/frame.h"

namespace stepfiber::engine {
namespace {

using asl::StateError;
namespace errors = asl::errors;

/// AWS runs at most 40 iterations of an inline Map at once.
constexpr std::size_t kMaxInlineConcurrency = 40;

}  // namespace

/// What run_children() needs to know and what it reports.
struct Frame::Branches {
  std::size_t count = 0;
  std::size_t concurrency = 1;
  // Tolerance (Map): failures beyond it stop everything.
  std::optional<std::int64_t> tolerated_count;
  std::optional<double> tolerated_percentage;
  std::function<const asl::Scope&(std::size_t)> scope_of;
  std::function<Json(std::size_t)> input_of;   ///< main stack
  std::function<void(std::size_t, const char*)> on_event;  ///< main stack; MapIteration*
  /// Iterations are child executions (Distributed Map): their events do not
  /// go to this execution's history.
  bool detached_history = false;
  /// Children that already succeeded before a redrive: not run again, their
  /// outputs reused (null, or one entry per child).
  const std::vector<std::optional<Json>>* reuse = nullptr;
  // Results.
  std::vector<Json> outputs;
  std::vector<char> succeeded;  ///< per child
  std::size_t failures = 0;
  std::optional<StateError> failure;  ///< the first failure that exceeded tolerance
  bool halted = false;
  std::size_t next = 0;
  std::size_t finished_workers = 0;

  bool exceeds_tolerance() const {
    if (!tolerated_count && !tolerated_percentage) return failures > 0;
    if (tolerated_count && static_cast<std::int64_t>(failures) > *tolerated_count) return true;
    if (tolerated_percentage && count > 0 &&
        static_cast<double>(failures) * 100.0 > *tolerated_percentage * static_cast<double>(count))
      return true;
    return false;
  }
};

std::uint32_t Frame::new_strand() {
  if (auto* x = ex_.extra_if(); x && !x->free_strands.empty()) {
    const std::uint32_t s = x->free_strands.back();
    x->free_strands.pop_back();
    Strand& st = *ex_.strands[s];
    st.cancelled = false;
    st.finished = false;
    st.task.reset();
    (void)st.waiter.begin();  // wakes meant for the previous user are stale
    return s;
  }
  ex_.strands.push_back(std::make_unique<Strand>());
  return static_cast<std::uint32_t>(ex_.strands.size() - 1);
}

void Frame::release_strand(std::uint32_t s) {
  ex_.strands[s]->finished = true;
  ex_.extra().free_strands.push_back(s);
}

void Frame::run_children(Branches& b) {
  b.outputs.assign(b.count, Json());
  b.succeeded.assign(b.count, 0);
  std::size_t to_run = b.count;
  if (b.reuse != nullptr && b.reuse->size() == b.count) {
    main([&] {  // copies recurse on the data's depth: main stack
      for (std::size_t i = 0; i < b.count; ++i) {
        if (!(*b.reuse)[i]) continue;
        b.outputs[i] = *(*b.reuse)[i];
        b.succeeded[i] = 1;
        --to_run;
      }
    });
  }
  const std::size_t workers = std::min(to_run, std::max<std::size_t>(1, b.concurrency));
  if (workers == 0) return;
  const std::uint32_t parent = strand_;
  const std::uint32_t parent_epoch = strand().waiter.begin();
  std::vector<std::uint32_t> strands(workers);
  std::vector<std::function<void()>> bodies(workers);
  auto cancel_all = [&] {
    b.halted = true;
    for (std::uint32_t s : strands) {
      Strand& st = *ex_.strands[s];
      st.cancelled = true;
      st.waiter.wake(st.waiter.epoch());
    }
  };
  for (std::size_t w = 0; w < workers; ++w) {
    strands[w] = new_strand();
    bodies[w] = [this, &b, &strands, &cancel_all, w, parent, parent_epoch] {
      for (;;) {
        if (b.halted || ex_.abandoned || ex_.strands[strands[w]]->cancelled) break;
        while (b.next < b.count && b.succeeded[b.next]) ++b.next;  // reused after a redrive
        const std::size_t i = b.next++;
        if (i >= b.count) break;
        Json vars, input;
        main([&] {
          vars = variables_;  // each branch/iteration gets its own copy
          input = b.input_of(i);
          if (b.on_event) b.on_event(i, "MapIterationStarted");
        });
        History detached;
        Frame child(x_, strands[w], std::move(vars), true, b.detached_history ? &detached : nullptr);
        ScopeResult r = child.run_scope(b.scope_of(i), std::move(input));
        main([&] {
          switch (r.kind) {
            case ScopeResult::Kind::kSucceeded:
              b.outputs[i] = std::move(r.output);
              b.succeeded[i] = 1;
              if (b.on_event) b.on_event(i, "MapIterationSucceeded");
              break;
            case ScopeResult::Kind::kFailed: {
              ++b.failures;
              Json error_output = Json::object();
              error_output["Error"] = r.error.error.empty() ? Json(nullptr) : Json(r.error.error);
              error_output["Cause"] = r.error.cause ? Json(*r.error.cause) : Json(nullptr);
              b.outputs[i] = std::move(error_output);
              if (b.on_event) b.on_event(i, "MapIterationFailed");
              if (!b.halted && b.exceeds_tolerance()) {
                b.failure = std::move(r.error);
                cancel_all();
              }
              break;
            }
            case ScopeResult::Kind::kStopped:
              if (b.on_event && !ex_.abandoned) b.on_event(i, "MapIterationAborted");
              break;
          }
        });
      }
      ++b.finished_workers;
      ex_.strands[parent]->waiter.wake(parent_epoch);
    };
    core_.spawn_child(bodies[w]);
  }
  while (b.finished_workers < workers) {
    strand().waiter.wait();
    if (stopped() && !b.halted) cancel_all();  // the parent itself was stopped
  }
  for (std::uint32_t s : strands) release_strand(s);
}

// ---- redrive: children that already succeeded -------------------------------------------------

std::unique_ptr<ExecutionExtra::CompletedChildren> Frame::take_redrive_reuse(const asl::State& st, std::size_t count) {
  if (!redrive_reuse_) return nullptr;
  std::unique_ptr<ExecutionExtra::CompletedChildren> done;
  main([&] {  // a mismatch frees the outputs here, on the main stack
    done = std::move(redrive_reuse_);
    const auto& root = ex_.machine->program->root.states;
    if (in_branch_ || done->state >= root.size() || &st != &root[done->state] || done->outputs.size() != count) {
      done.reset();
    }
  });
  return done;
}

void Frame::drop_redrive_reuse(std::unique_ptr<ExecutionExtra::CompletedChildren>& reuse) {
  if (reuse) main([&] { reuse.reset(); });
}

void Frame::keep_completed_children(const asl::State& st, const Branches& b) {
  if (in_branch_ || b.detached_history) return;
  if (!b.failure && !stopped()) {  // succeeded: forget what an earlier attempt kept, if anything
    const ExecutionExtra* x = ex_.extra_if();
    if (x == nullptr || !x->completed_children) return;  // the usual case: no switch to the main stack
  }
  const auto& root = ex_.machine->program->root.states;
  if (root.empty() || &st < &root.front() || &st > &root.back()) return;
  main([&] {
    ExecutionExtra& x = ex_.extra();
    if (!b.failure && !stopped()) {
      x.completed_children.reset();
      return;
    }
    auto done = std::make_unique<ExecutionExtra::CompletedChildren>();
    done->state = static_cast<std::uint32_t>(&st - &root.front());
    done->outputs.resize(b.count);
    bool any = false;
    for (std::size_t i = 0; i < b.count; ++i) {
      if (!b.succeeded[i]) continue;
      done->outputs[i] = b.outputs[i];
      any = true;
    }
    if (any) x.completed_children = std::move(done);
    else x.completed_children.reset();
  });
}

// ---- Parallel ---------------------------------------------------------------------------------

StepResult Frame::run_parallel(const asl::State& st, const asl::ParallelSpec& p, Json raw, bool first) {
  std::optional<StepResult> early;
  Json eff;
  main([&] {
    enter_state(st, raw, first);
    auto e = select(st.input_path, raw, st);
    if (!e.ok()) {
      early = StepResult::fail(e.err);
      return;
    }
    eff = std::move(*e.value);
    if (p.parameters) {
      auto r = evaluate(*p.parameters, st, eff);
      if (!r.ok()) early = StepResult::fail(r.err);
      else eff = std::move(*r.value);
    }
    if (st.jsonata) {
      if (auto err = jsonata_parallel_input(st, eff)) early = StepResult::fail(*err);
    }
  });
  if (early) return std::move(*early);
  std::vector<std::int64_t> retries(p.errors.retry.size(), 0);
  auto reuse = take_redrive_reuse(st, p.branches.size());
  for (;;) {
    main([&] { record("ParallelStateStarted", nullptr); });
    Branches b;
    b.count = p.branches.size();
    b.concurrency = b.count;
    b.scope_of = [&p](std::size_t i) -> const asl::Scope& { return p.branches[i]; };
    b.input_of = [&eff](std::size_t) { return eff; };
    if (reuse) b.reuse = &reuse->outputs;
    run_children(b);
    drop_redrive_reuse(reuse);  // a retry runs every branch again
    keep_completed_children(st, b);
    if (stopped()) return stop_state(st);
    AfterError next;
    main([&] {
      if (!b.failure) {
        Json result = Json::array();
        for (Json& o : b.outputs) result.push_back(std::move(o));
        next.result = finish_with_result(st, p.result_selector, std::move(raw), std::move(result));
        return;
      }
      next = handle_error(st, p.errors, raw, b.failure->error, b.failure->cause, false, !b.failure->error.empty(),
                          retries, "ParallelStateFailed");
    });
    if (next.result) return std::move(*next.result);
    if (!back_off(st, next.retry_delay)) return StepResult::stopped();
  }
}

// ---- Map --------------------------------------------------------------------------------------------

namespace {

/// Resolves an integer field given literally or through its *Path form.
using Lookup = std::function<std::optional<Json>(const path::ValueExpr&)>;

/// Resolves a numeric Map field given literally or through its *Path form.
/// Numeric strings count as numbers (AWS parses them). Messages are AWS's.
std::optional<std::string> resolve_number(const asl::IntOrPath& f, const Lookup& look, const char* field,
                                          bool fractional, std::optional<double>& out) {
  if (f.value) {
    out = f.value;
    return std::nullopt;
  }
  if (!f.path) return std::nullopt;
  auto v = look(*f.path);
  std::optional<double> number;
  if (v && v->is_number()) {
    number = v->get<double>();
  } else if (v && v->is_string()) {
    const std::string& text = v->get_ref<const std::string&>();
    char* end = nullptr;
    const double parsed = std::strtod(text.c_str(), &end);
    if (!text.empty() && end == text.c_str() + text.size()) number = parsed;
  }
  if (number && !fractional && std::floor(*number) != *number) number.reset();
  if (!number) {
    const std::string shown = !v ? "null" : v->is_string() ? v->get<std::string>() : dump_json(*v);
    return std::string("The ") + field + "Path field refers to value \"" + shown + "\" which is not a valid " +
           (fractional ? "float" : "integer") + ": " + f.path->text();
  }
  out = number;
  return std::nullopt;
}

const char* json_type_name(const Json& v) {
  if (v.is_object()) return "object";
  if (v.is_array()) return "array";
  if (v.is_string()) return "string";
  if (v.is_boolean()) return "boolean";
  if (v.is_null()) return "null";
  return "number";
}

}  // namespace

MapRunRecord& Frame::start_map_run(const asl::MapSpec& m, std::size_t items, double max_concurrency,
                                   double tolerated_count, double tolerated_percentage) {
  // arn:aws:states:<r>:<a>:mapRun:<machine>/<Label or a UUID>:<UUID>
  const std::string part = m.label.empty() ? uuid4() : m.label;
  std::string arn = "arn:aws:states:" + core_.options().region + ":" + core_.options().account + ":mapRun:";
  arn += ex_.machine->name;
  arn += '/';
  arn += part;
  arn += ':';
  arn += uuid4();
  MapRunRecord& r = core_.map_runs[arn];
  r.arn = arn;
  r.execution_arn = ex_.arn;
  r.machine_arn = ex_.machine->arn + "/" + part;
  r.express_children = m.express_children;
  r.start = core_.now();
  r.max_concurrency = static_cast<std::int64_t>(max_concurrency);
  r.tolerated_failure_count = static_cast<std::int64_t>(tolerated_count);
  r.tolerated_failure_percentage = tolerated_percentage;
  r.counts.total = r.counts.pending = static_cast<std::int64_t>(items);
  r.children.resize(items);
  core_.map_runs_of[ex_.index].push_back(arn);
  return r;
}

void Frame::count_map_run(MapRunRecord& r, std::size_t i, std::string_view type) {
  MapRunCounts& c = r.counts;
  MapRunChild& child = r.children[i];
  if (type == "MapIterationStarted") {
    --c.pending;
    ++c.running;
    child.name = uuid4();
    child.start = core_.now();
    child.status = "RUNNING";
    return;
  }
  --c.running;
  child.stop = core_.now();
  if (type == "MapIterationSucceeded") {
    ++c.succeeded;
    ++c.results_written;
    child.status = "SUCCEEDED";
  } else if (type == "MapIterationFailed") {
    ++c.failed;
    child.status = "FAILED";
  } else {
    ++c.aborted;
    child.status = "ABORTED";
  }
}

void Frame::end_map_run(MapRunRecord& r, const char* status) {
  r.status = status;
  r.stop = core_.now();
  for (MapRunChild& child : r.children) {
    if (child.start != 0 && child.stop == 0) {  // an abandoned execution records no iteration end
      child.stop = r.stop;
      child.status = "ABORTED";
      --r.counts.running;
      ++r.counts.aborted;
    }
  }
}

StepResult Frame::run_map(const asl::State& st, const asl::MapSpec& m, Json raw, bool first) {
  std::optional<StepResult> early;
  std::vector<Json> inputs;
  std::size_t concurrency = kMaxInlineConcurrency;
  std::optional<double> max_concurrency;  // JSONPath: resolved before the attempts
  std::optional<std::int64_t> tolerated_count;
  std::optional<double> tolerated_percentage;
  main([&] {
    enter_state(st, raw, first);
    auto fail = [&](StateError e) { early = StepResult::fail(std::move(e)); };
    auto e = select(st.input_path, raw, st);
    if (!e.ok()) return fail(e.err);
    const Json& eff = *e.value;
    const Lookup look = [&](const path::ValueExpr& x) { return lookup(x, st, eff); };
    if (st.jsonata) {  // Items / ItemSelector as expressions; no ItemBatcher yet
      if (auto err = jsonata_map_inputs(st, eff, inputs)) {
        record("MapStateFailed", nullptr);
        return fail(*err);
      }
      return;
    }
    Json items;
    if (m.items_path) {
      auto v = look(*m.items_path);
      if (!v) {
        auto jp = path::JsonPath::compile(m.items_path->text());
        return fail(runtime_error("Invalid path '" + m.items_path->text() + "' : " +
                                  (jp.ok() ? jp->explain_no_match(eff) : "No results for path")));
      }
      items = std::move(*v);
    } else {
      items = eff;
    }
    if (!items.is_array()) {
      return fail(runtime_error(std::string("Map state input must be an array but was: ") + json_type_name(items)));
    }
    // MaxConcurrency(Path) is resolved with the items, before MapStateStarted
    // (recorded); the tolerances after it.
    std::optional<double> mc;
    if (auto err = resolve_number(m.max_concurrency, look, "MaxConcurrency", false, mc)) return fail(runtime_error(*err));
    max_concurrency = mc;
    // Per-item inputs: ItemSelector (with $$.Map.Item) or the item itself.
    std::vector<Json> selected;
    selected.reserve(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (m.item_selector) {
        Json item = {{"Index", i}, {"Value", items[i]}};
        auto r = evaluate(*m.item_selector, st, eff, nullptr, &item);
        if (!r.ok()) return fail(r.err);
        selected.push_back(std::move(*r.value));
      } else {
        selected.push_back(std::move(items[i]));
      }
    }
    if (!m.batched) {
      inputs = std::move(selected);
      return;
    }
    std::optional<double> max_items, max_bytes;
    if (auto err = resolve_number(m.max_items_per_batch, look, "MaxItemsPerBatch", false, max_items)) {
      return fail(runtime_error(*err));
    }
    if (auto err = resolve_number(m.max_input_bytes_per_batch, look, "MaxInputBytesPerBatch", false, max_bytes)) {
      return fail(runtime_error(*err));
    }
    Json batch_input;
    if (m.batch_input) {
      auto r = evaluate(*m.batch_input, st, eff);
      if (!r.ok()) return fail(r.err);
      batch_input = std::move(*r.value);
    }
    auto make_batch = [&] {
      Json b = Json::object();
      if (m.batch_input) b["BatchInput"] = batch_input;
      b["Items"] = Json::array();
      return b;
    };
    Json batch = make_batch();
    std::size_t bytes = 0;
    for (Json& item : selected) {
      const std::size_t size = dump_json(item).size();
      const bool full_items = max_items && static_cast<double>(batch["Items"].size()) >= *max_items;
      const bool full_bytes = max_bytes && !batch["Items"].empty() && static_cast<double>(bytes + size) > *max_bytes;
      if (full_items || full_bytes) {
        inputs.push_back(std::move(batch));
        batch = make_batch();
        bytes = 0;
      }
      bytes += size;
      batch["Items"].push_back(std::move(item));
    }
    if (!batch["Items"].empty()) inputs.push_back(std::move(batch));
  });
  if (early) return std::move(*early);

  std::vector<std::int64_t> retries(m.errors.retry.size(), 0);
  // A Distributed Map's Map Run is started anew by a redrive (its children
  // are separate executions); an inline Map reruns only what did not succeed.
  auto reuse = m.distributed ? nullptr : take_redrive_reuse(st, inputs.size());
  for (;;) {
    MapRunRecord* run = nullptr;  // Distributed Map: this attempt's Map Run
    main([&] {
      Json d = {{"length", inputs.size()}};
      record("MapStateStarted", &d);
      // Recorded AWS runs resolve the tolerances after MapStateStarted.
      auto fail = [&](StateError e) { early = StepResult::fail(std::move(e)); };
      auto e = select(st.input_path, raw, st);
      if (!e.ok()) return fail(e.err);
      const Json& eff = *e.value;
      const Lookup look = [&](const path::ValueExpr& x) { return lookup(x, st, eff); };
      std::optional<double> mc = max_concurrency, tc, tp;
      if (st.jsonata) {  // a literal MaxConcurrency (expressions: jsonata_map_limits below)
        if (auto err = resolve_number(m.max_concurrency, look, "MaxConcurrency", false, mc)) {
          return fail(runtime_error(*err));
        }
      }
      if (auto err = resolve_number(m.tolerated_failure_count, look, "ToleratedFailureCount", false, tc)) {
        return fail(runtime_error(*err));
      }
      if (auto err = resolve_number(m.tolerated_failure_percentage, look, "ToleratedFailurePercentage", true, tp)) {
        return fail(runtime_error(*err));
      }
      if (st.jsonata) {
        if (auto err = jsonata_map_limits(st, eff, mc, tc, tp)) return fail(*err);
      }
      if (tc && *tc < 0) return fail(runtime_error("ToleratedFailureCount cannot be negative."));
      if (tp && (*tp < 0 || *tp > 100)) return fail(runtime_error("ToleratedFailurePercentage must be between 0 and 100."));
      if (mc && *mc > 0) concurrency = std::min<std::size_t>(static_cast<std::size_t>(*mc), kMaxInlineConcurrency);
      if (tc) tolerated_count = static_cast<std::int64_t>(*tc);
      tolerated_percentage = tp;
      if (m.distributed) {
        run = &start_map_run(m, inputs.size(), mc.value_or(0), tc.value_or(0), tp.value_or(0));
        Json d = {{"mapRunArn", run->arn}};
        record("MapRunStarted", &d);
      }
    });
    if (early) {
      drop_redrive_reuse(reuse);
      return std::move(*early);
    }
    Branches b;
    b.count = inputs.size();
    b.concurrency = concurrency;
    b.tolerated_count = tolerated_count;
    b.tolerated_percentage = tolerated_percentage;
    b.scope_of = [&m](std::size_t) -> const asl::Scope& { return m.processor[0]; };
    b.input_of = [&inputs](std::size_t i) { return inputs[i]; };
    b.detached_history = m.distributed;
    if (!m.distributed) {
      b.on_event = [this, &st](std::size_t i, const char* type) {
        Json d = {{"index", i}, {"name", st.name}};
        record(type, &d);
      };
    } else {
      b.on_event = [this, run](std::size_t i, const char* type) { count_map_run(*run, i, type); };
    }
    if (reuse) b.reuse = &reuse->outputs;
    run_children(b);
    drop_redrive_reuse(reuse);  // a retry runs every iteration again
    keep_completed_children(st, b);
    if (run != nullptr) main([&] { end_map_run(*run, stopped() ? "ABORTED" : b.failure ? "FAILED" : "SUCCEEDED"); });
    if (stopped()) return stop_state(st);
    AfterError next;
    main([&] {
      if (!b.failure) {
        if (m.distributed) record("MapRunSucceeded", nullptr);
        record("MapStateSucceeded", nullptr);
        Json result = Json::array();
        for (Json& o : b.outputs) result.push_back(std::move(o));
        next.result = finish_with_result(st, m.result_selector, std::move(raw), std::move(result));
        return;
      }
      if (m.distributed) record("MapRunFailed", nullptr);
      StateError e = *b.failure;
      if (tolerated_count || tolerated_percentage) {
        e = StateError{std::string(errors::kExceedToleratedFailureThreshold),
                       "The specified tolerated failure threshold was exceeded"};
      }
      next = handle_error(st, m.errors, raw, e.error, e.cause, false, !e.error.empty(), retries, "MapStateFailed");
    });
    if (next.result) return std::move(*next.result);
    if (!back_off(st, next.retry_delay)) return StepResult::stopped();
  }
}

}  // namespace stepfiber::engine
