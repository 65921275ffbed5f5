// The JSONata evaluator: jsonata-js's evaluate() family over the processed
// AST, with sequence semantics, tuple streams, closures, partial application
// and tail-call trampolining, under depth/stack/time/memory guards.
#include "jsonata/evaluator.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <unordered_set>

#include "jsonata/unicode.h"

namespace stepfiber::jsonata {

namespace {

Value at_key(const Value& obj, std::string_view key) {
  if (!obj.is_object()) return Value();
  const Value* v = obj.obj().find(key);
  return v ? *v : Value();
}

// Copy of a tuple object (Object.assign({}, t)).
std::shared_ptr<ObjectData> copy_tuple(const Value& t) {
  auto o = std::make_shared<ObjectData>();
  if (t.is_object()) {
    o->entries = t.obj().entries;  // already in JS key order
    o->reindex();
  }
  return o;
}

Value lookup_field(const Value& input, std::string_view key) {
  if (input.is_array()) {
    Value result = Value::sequence();
    auto& out = result.arr().items;
    out.reserve(input.arr().items.size());
    for (const auto& item : input.arr().items) {
      Value r = lookup_field(item, key);
      if (r.is_undefined()) continue;
      if (r.is_array()) {
        for (const auto& v : r.arr().items) out.push_back(v);
      } else {
        out.push_back(r);
      }
    }
    return result;
  }
  if (input.is_object()) {
    const Value* v = input.obj().find(key);
    return v ? *v : Value();
  }
  return Value();
}

void flatten_into(const Value& v, std::vector<Value>& out) {
  if (v.is_array()) {
    for (const auto& e : v.arr().items) flatten_into(e, out);
  } else {
    out.push_back(v);
  }
}

void recurse_descendants(const Value& input, std::vector<Value>& out) {
  if (!input.is_array()) out.push_back(input);
  if (input.is_array()) {
    for (const auto& m : input.arr().items) recurse_descendants(m, out);
  } else if (input.is_object()) {
    for (const auto& [k, v] : input.obj().entries) recurse_descendants(v, out);
  }
}

bool is_integer(const Value& v) {
  return v.is_number() && std::isfinite(v.as_number()) && std::floor(v.as_number()) == v.as_number();
}

}  // namespace

bool is_numeric(const Value& v) {
  if (!v.is_number()) return false;
  double d = v.as_number();
  if (std::isnan(d)) return false;
  if (!std::isfinite(d)) throw_error("D1001", v);
  return true;
}

Value sequence_of(const Value& v) {
  Value s = Value::sequence();
  s.arr().items.push_back(v);
  return s;
}

Value to_boolean(const Value& arg) {
  switch (arg.kind()) {
    case Kind::kUndefined:
      return Value();
    case Kind::kArray: {
      const auto& items = arg.arr().items;
      if (items.size() == 1) return to_boolean(items[0]);
      if (items.size() > 1) {
        for (const auto& v : items)
          if (truthy(v)) return Value::boolean(true);
      }
      return Value::boolean(false);
    }
    case Kind::kString:
      return Value::boolean(!arg.as_string().empty());
    case Kind::kNumber:
      return Value::boolean(is_numeric(arg) && arg.as_number() != 0);
    case Kind::kObject:
      return Value::boolean(arg.obj().size() > 0);
    case Kind::kBoolean:
      return Value::boolean(arg.as_bool());
    case Kind::kNull:
      return Value::boolean(false);
    case Kind::kFunction:
      return Value::boolean(false);
  }
  return Value::boolean(false);
}

bool truthy(const Value& v) {
  Value b = to_boolean(v);
  return b.is_bool() && b.as_bool();
}

Value to_string_value(const Value& arg, bool pretty) {
  if (arg.is_undefined()) return Value();
  if (arg.is_string()) return arg;
  if (arg.is_function()) return Value::string("");
  if (arg.is_number() && !std::isfinite(arg.as_number())) throw_error("D3001", arg);
  // JSON.stringify's replacer runs isNumeric() on every number: D1001
  std::vector<const Value*> stack{&arg};
  while (!stack.empty()) {
    const Value* v = stack.back();
    stack.pop_back();
    if (v->is_number() && !std::isfinite(v->as_number()) && !std::isnan(v->as_number())) throw_error("D1001", *v);
    if (v->is_array()) {
      for (const auto& e : v->arr().items) stack.push_back(&e);
    } else if (v->is_object()) {
      for (const auto& [k, e] : v->obj().entries) stack.push_back(&e);
    }
  }
  Value a = arg;
  if (a.is_array() && a.arr().outer_wrapper && !a.arr().items.empty()) a = a.arr().items[0];
  StringifyOptions o;
  o.precision15 = true;
  o.pretty = pretty;
  return Value::string(stringify(a, o));
}

Value append_values(const Value& a, const Value& b) {
  if (a.is_undefined()) return b;
  if (b.is_undefined()) return a;
  std::vector<Value> items;
  if (a.is_array()) {
    items = a.arr().items;
  } else {
    items.push_back(a);
  }
  if (b.is_array()) {
    items.insert(items.end(), b.arr().items.begin(), b.arr().items.end());
  } else {
    items.push_back(b);
  }
  return make_array(std::move(items));
}

// ---------------------------------------------------------------------------

Evaluator::Evaluator(std::shared_ptr<const Program> program, EvalSettings settings)
    : program_(std::move(program)), settings_(settings) {
  if (settings_.guards.time_limit_ms) start_ = std::chrono::steady_clock::now();
}

std::int64_t Evaluator::now_ms() {
  if (!now_ms_) {
    now_ms_ = settings_.now_ms ? *settings_.now_ms
                               : std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count();
  }
  return *now_ms_;
}

Evaluator::~Evaluator() {
  // Break closure cycles (a frame binding a lambda that captures the frame).
  for (auto& w : frames_) {
    if (auto f = w.lock()) {
      auto vars = std::move(f->vars);
      f->vars.clear();
      f->parent.reset();
    }
  }
}

std::uint64_t Evaluator::next_random_bits() {
  // splitmix64
  if (!rng_seeded_) {
    rng_seeded_ = true;
    rng_state_ = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
                 0x9E3779B97F4A7C15ULL;
  }
  std::uint64_t z = (rng_state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

Env Evaluator::new_frame(const Env& parent) {
  auto f = std::make_shared<Frame>();
  f->parent = parent;
  frames_.push_back(f);
  if (frames_.size() >= frames_compact_at_) {
    frames_.erase(std::remove_if(frames_.begin(), frames_.end(), [](const auto& w) { return w.expired(); }),
                  frames_.end());
    frames_compact_at_ = std::max<std::size_t>(1024, frames_.size() * 2);
  }
  return f;
}

Value Evaluator::lookup(const Env& env, std::string_view name) const {
  for (const Frame* f = env.get(); f; f = f->parent.get()) {
    for (const auto& [k, v] : f->vars)
      if (k == name) return v;
  }
  if (const Value* b = find_builtin(name, settings_.sfn_functions)) return *b;
  return Value();
}

void Evaluator::charge(std::size_t bytes) {
  memory_ += bytes;
  if (settings_.guards.max_memory_bytes && memory_ > settings_.guards.max_memory_bytes) throw_error("U1003");
}

void Evaluator::check_guards() {
  const Guards& g = settings_.guards;
  if (g.max_depth && depth_ > g.max_depth) throw_error("U1001");
  if (g.max_stack_bytes && stack_base_) {
    char probe;
    const char* here = static_cast<const char*>(static_cast<void*>(&probe));
    std::size_t used = static_cast<std::size_t>(stack_base_ > here ? stack_base_ - here : here - stack_base_);
    if (used > g.max_stack_bytes) throw_error("U1001");
  }
  if (g.time_limit_ms && (++ticks_ & 63) == 0) {
    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start_);
    if (elapsed.count() > g.time_limit_ms) throw_error("U1002");
  }
}

struct EvalFrameGuard {
  explicit EvalFrameGuard(Evaluator& ev) : ev_(ev) {
    ++ev_.depth_;
    ev_.check_guards();
  }
  ~EvalFrameGuard() { --ev_.depth_; }
  Evaluator& ev_;
};

int Evaluator::arity(const Value& fn) {
  if (!fn.is_function()) return 0;
  const auto& c = static_cast<const Callable&>(fn.fn());
  switch (c.type) {
    case FnType::kLambda:
      return static_cast<int>(static_cast<const LambdaFn&>(c).params.size());
    case FnType::kNative:
      return static_cast<const NativeFn&>(c).def->arity;
    case FnType::kPartialNative: {
      const auto& p = static_cast<const PartialNativeFn&>(c);
      return static_cast<int>(std::count(p.holes.begin(), p.holes.end(), true));
    }
    case FnType::kRegex:
      return 2;
    case FnType::kRegexNext:
      return 0;
    case FnType::kTransform:
      return 1;
    case FnType::kChain:
      return 1;
  }
  return 0;
}

Value Evaluator::run(const Value& input, const std::vector<std::pair<std::string, Value>>& bindings) {
  char base;
  stack_base_ = static_cast<const char*>(static_cast<void*>(&base));
  Env env = new_frame(nullptr);
  env->vars.reserve(bindings.size() + 1);
  for (const auto& [k, v] : bindings) env->bind(k, v);
  env->bind("$", input);
  Value in = input;
  if (in.is_array() && !in.arr().sequence) {
    in = sequence_of(input);
    in.arr().outer_wrapper = true;
  }
  return evaluate(program_->ast->root, in, env);
}

Env Evaluator::frame_from_tuple(const Env& env, const Value& tuple) {
  Env f = new_frame(env);
  if (tuple.is_object()) {
    for (const auto& [k, v] : tuple.obj().entries) f->bind(k, v);
  }
  return f;
}

Value Evaluator::evaluate(const Node* expr, const Value& input, const Env& env) {
  EvalFrameGuard guard(*this);
  Value result;
  switch (expr->type) {
    case NodeType::kPath:
      result = evaluate_path(expr, input, env);
      break;
    case NodeType::kBinary:
      result = evaluate_binary(expr, input, env);
      break;
    case NodeType::kUnary:
      result = evaluate_unary(expr, input, env);
      break;
    case NodeType::kName:
      result = lookup_field(input, expr->value);
      break;
    case NodeType::kString:
    case NodeType::kNumber:
    case NodeType::kValue:
      result = expr->literal;
      break;
    case NodeType::kWildcard: {
      Value results = Value::sequence();
      Value in = input;
      if (in.is_array() && in.arr().outer_wrapper && !in.arr().items.empty()) in = in.arr().items[0];
      if (in.is_array()) {
        auto& out = results.arr().items;
        for (const auto& v : in.arr().items) {
          if (v.is_array()) {
            flatten_into(v, out);
          } else {
            out.push_back(v);
          }
        }
      } else if (in.is_object()) {
        auto& out = results.arr().items;
        for (const auto& [k, v] : in.obj().entries) {
          if (v.is_array()) {
            flatten_into(v, out);
          } else {
            out.push_back(v);
          }
        }
      }
      result = results;
      break;
    }
    case NodeType::kDescendant: {
      if (!input.is_undefined()) {
        std::vector<Value> out;
        recurse_descendants(input, out);
        if (out.size() == 1) {
          result = out[0];
        } else {
          result = make_array(std::move(out), true);
        }
      }
      break;
    }
    case NodeType::kParent:
      result = lookup(env, expr->slot->label);
      break;
    case NodeType::kCondition: {
      Value cond = evaluate(expr->condition, input, env);
      if (truthy(cond)) {
        result = evaluate(expr->then, input, env);
      } else if (expr->otherwise) {
        result = evaluate(expr->otherwise, input, env);
      }
      break;
    }
    case NodeType::kBlock: {
      Env frame = new_frame(env);
      for (const Node* e : expr->expressions) result = evaluate(e, input, frame);
      break;
    }
    case NodeType::kBind: {
      Value v = evaluate(expr->rhs, input, env);
      env->bind(expr->lhs->value, v);
      result = v;
      break;
    }
    case NodeType::kRegex: {
      auto f = std::make_shared<RegexFn>();
      f->regex = expr->regex;
      f->position = expr->position;
      result = Value::function(std::move(f));
      break;
    }
    case NodeType::kFunction:
      result = evaluate_function(expr, input, env, nullptr);
      break;
    case NodeType::kVariable:
      if (expr->value.empty()) {
        result = (input.is_array() && input.arr().outer_wrapper && !input.arr().items.empty())
                     ? input.arr().items[0]
                     : input;
      } else {
        result = lookup(env, expr->value);
      }
      break;
    case NodeType::kLambda: {
      auto f = std::make_shared<LambdaFn>();
      f->body = expr->thunk ? expr->body : expr->body;
      for (const Node* a : expr->arguments) f->params.push_back(a->value);
      f->signature = expr->signature;
      f->input = input;
      f->env = env;
      f->thunk = expr->thunk;
      f->program = program_;
      result = Value::function(std::move(f));
      break;
    }
    case NodeType::kPartial:
      result = evaluate_partial(expr, input, env);
      break;
    case NodeType::kApply:
      result = evaluate_apply(expr, input, env);
      break;
    case NodeType::kTransform: {
      auto f = std::make_shared<TransformFn>();
      f->node = expr;
      f->env = env;
      f->program = program_;
      result = Value::function(std::move(f));
      break;
    }
    case NodeType::kSort:
    case NodeType::kOperator:
    case NodeType::kEnd:
      break;
  }

  for (const Stage& p : expr->predicate) result = evaluate_filter(p.expr, result, env);

  if (expr->type != NodeType::kPath && expr->group) result = evaluate_group(*expr->group, result, env);

  if (result.is_array() && result.arr().sequence && !result.arr().tuple_stream) {
    if (expr->keep_array) result.arr().keep_singleton = true;
    if (result.arr().items.empty()) {
      result = Value();
    } else if (result.arr().items.size() == 1 && !result.arr().keep_singleton) {
      Value only = result.arr().items[0];
      result = only;
    }
  }
  return result;
}

namespace {

/// A step the fast path can take: a plain field name (or, first, a named
/// variable) with no predicate, stage, bind, group or parent slot.
bool plain_step(const Node* step, bool first) {
  const bool kind_ok = step->type == NodeType::kName ||
                       (first && step->type == NodeType::kVariable && !step->value.empty());
  return kind_ok && step->stages.empty() && step->predicate.empty() && !step->has_focus && !step->has_index &&
         !step->tuple && !step->group && !step->keep_array && !step->consarray && !step->ancestor &&
         !step->has_seeking_parent;
}

}  // namespace

// The common `a.b.c` / `$v.b.c` over objects, without building the step
// sequences. It gives what the general algorithm below gives, or returns
// false (nothing evaluated that matters) when a value on the way is an array,
// where sequences and flattening come in.
bool Evaluator::evaluate_plain_path(const Node* expr, const Value& input, const Env& env, Value* out) {
  if (expr->keep_singleton_array || expr->keep_array || expr->group || expr->tuple) return false;
  const auto& steps = expr->steps;
  for (std::size_t ii = 0; ii < steps.size(); ++ii)
    if (!plain_step(steps[ii], ii == 0)) return false;
  Value current;
  std::size_t ii = 0;
  if (steps[0]->type == NodeType::kVariable) {
    current = lookup(env, steps[0]->value);
    ii = 1;
  } else {
    if (!input.is_object()) return false;
    current = input;
  }
  for (; ii < steps.size(); ++ii) {
    if (current.is_array()) return false;
    if (!current.is_object()) {
      *out = Value();
      return true;
    }
    const Value* v = current.obj().find(steps[ii]->value);
    if (!v || v->is_undefined()) {
      *out = Value();
      return true;
    }
    current = *v;
  }
  // a non-sequence array as the last value is the result as it stands;
  // a sequence would be flattened
  if (current.is_array() && (current.arr().sequence || steps.size() == 1)) return false;
  *out = std::move(current);
  return true;
}

Value Evaluator::evaluate_path(const Node* expr, const Value& input, const Env& env) {
  if (Value fast; evaluate_plain_path(expr, input, env, &fast)) return fast;
  Value input_sequence;
  if (input.is_array() && expr->steps[0]->type != NodeType::kVariable) {
    input_sequence = input;
  } else {
    input_sequence = sequence_of(input);
  }
  Value result_sequence;
  bool is_tuple_stream = false;
  Value tuple_bindings;
  for (std::size_t ii = 0; ii < expr->steps.size(); ++ii) {
    const Node* step = expr->steps[ii];
    if (step->tuple) is_tuple_stream = true;
    if (ii == 0 && step->consarray) {
      result_sequence = evaluate(step, input_sequence, env);
    } else if (is_tuple_stream) {
      tuple_bindings = evaluate_tuple_step(step, input_sequence, tuple_bindings, env);
    } else {
      result_sequence = evaluate_step(step, input_sequence, env, ii == expr->steps.size() - 1);
    }
    if (!is_tuple_stream &&
        (result_sequence.is_undefined() || (result_sequence.is_array() && result_sequence.arr().items.empty())))
      break;
    if (!step->has_focus) input_sequence = result_sequence;
  }
  if (is_tuple_stream) {
    if (expr->tuple) {
      result_sequence = tuple_bindings;
    } else {
      result_sequence = Value::sequence();
      if (tuple_bindings.is_array()) {
        for (const auto& t : tuple_bindings.arr().items) result_sequence.arr().items.push_back(at_key(t, "@"));
      }
    }
  }
  if (expr->keep_singleton_array) {
    if (result_sequence.is_array() && result_sequence.arr().cons && !result_sequence.arr().sequence) {
      result_sequence = sequence_of(result_sequence);
    }
    if (result_sequence.is_array()) {
      if (!result_sequence.arr().sequence) {
        // never flag an array that may belong to the input (shared, immutable)
        auto copy = std::make_shared<ArrayData>(result_sequence.arr());
        result_sequence = Value::array(std::move(copy));
      }
      result_sequence.arr().keep_singleton = true;
    } else if (!result_sequence.is_undefined()) {
      // jsonata-js sets a property on a non-array (no effect)
    }
  }
  if (expr->group) {
    result_sequence = evaluate_group(*expr->group, is_tuple_stream ? tuple_bindings : result_sequence, env);
  }
  return result_sequence;
}

Value Evaluator::evaluate_step(const Node* expr, const Value& input, const Env& env, bool last_step) {
  if (expr->type == NodeType::kSort) {
    Value result = evaluate_sort(expr, input, env);
    if (!expr->stages.empty()) result = evaluate_stages(expr->stages, result, env);
    return result;
  }
  std::vector<Value> result;
  // a non-array context (e.g. a block step that produced a scalar) has no
  // items to map over, as in jsonata-js (input.length is undefined)
  static const std::vector<Value> kNone;
  const auto& items = input.is_array() ? input.arr().items : kNone;
  result.reserve(items.size());
  for (std::size_t ii = 0; ii < items.size(); ++ii) {
    Value res = evaluate(expr, items[ii], env);
    for (const Stage& st : expr->stages) res = evaluate_filter(st.expr, res, env);
    if (!res.is_undefined()) result.push_back(res);
  }
  if (last_step && result.size() == 1 && result[0].is_array() && !result[0].arr().sequence) return result[0];
  Value seq = Value::sequence();
  auto& out = seq.arr().items;
  out.reserve(result.size());
  for (const auto& res : result) {
    if (!res.is_array() || res.arr().cons) {
      out.push_back(res);
    } else {
      for (const auto& v : res.arr().items) out.push_back(v);
    }
  }
  return seq;
}

Value Evaluator::evaluate_stages(const std::vector<Stage>& stages, Value result, const Env& env) {
  for (const Stage& st : stages) {
    if (!st.is_index) {
      result = evaluate_filter(st.expr, result, env);
    } else if (result.is_array()) {
      auto& items = result.arr().items;
      for (std::size_t ee = 0; ee < items.size(); ++ee) {
        auto t = copy_tuple(items[ee]);
        t->set(st.value, Value::number(static_cast<double>(ee)));
        items[ee] = Value::object(std::move(t));
      }
    }
  }
  return result;
}

Value Evaluator::evaluate_tuple_step(const Node* expr, const Value& input, Value tuple_bindings, const Env& env) {
  if (expr->type == NodeType::kSort) {
    Value result;
    if (!tuple_bindings.is_undefined()) {
      result = evaluate_sort(expr, tuple_bindings, env);
    } else {
      Value sorted = evaluate_sort(expr, input, env);
      result = Value::sequence();
      result.arr().tuple_stream = true;
      if (sorted.is_array()) {
        const auto& s = sorted.arr().items;
        for (std::size_t ss = 0; ss < s.size(); ++ss) {
          auto t = std::make_shared<ObjectData>();
          t->set("@", s[ss]);
          if (expr->has_index) t->set(expr->index, Value::number(static_cast<double>(ss)));
          result.arr().items.push_back(Value::object(std::move(t)));
        }
      }
    }
    if (!expr->stages.empty()) result = evaluate_stages(expr->stages, result, env);
    return result;
  }
  Value result = Value::sequence();
  result.arr().tuple_stream = true;
  if (tuple_bindings.is_undefined()) {
    tuple_bindings = Value::sequence();
    if (input.is_array()) {
      for (const auto& item : input.arr().items) {
        auto t = std::make_shared<ObjectData>();
        t->set("@", item);
        tuple_bindings.arr().items.push_back(Value::object(std::move(t)));
      }
    }
  }
  const auto& tuples = tuple_bindings.arr().items;
  for (std::size_t ee = 0; ee < tuples.size(); ++ee) {
    Env step_env = frame_from_tuple(env, tuples[ee]);
    Value at = at_key(tuples[ee], "@");
    Value res = evaluate(expr, at, step_env);
    if (res.is_undefined()) continue;
    std::vector<Value> list;
    bool res_tuple = res.is_array() && res.arr().tuple_stream;
    if (res.is_array()) {
      list = res.arr().items;
    } else {
      list.push_back(res);
    }
    for (std::size_t bb = 0; bb < list.size(); ++bb) {
      auto t = copy_tuple(tuples[ee]);
      if (res_tuple) {
        if (list[bb].is_object())
          for (const auto& [k, v] : list[bb].obj().entries) t->set(k, v);
      } else {
        if (expr->has_focus) {
          t->set(expr->focus, list[bb]);
          t->set("@", at);
        } else {
          t->set("@", list[bb]);
        }
        if (expr->has_index) t->set(expr->index, Value::number(static_cast<double>(bb)));
        if (expr->ancestor) t->set(expr->ancestor->label, at);
      }
      result.arr().items.push_back(Value::object(std::move(t)));
    }
  }
  if (!expr->stages.empty()) result = evaluate_stages(expr->stages, result, env);
  return result;
}

Value Evaluator::evaluate_filter(const Node* predicate, const Value& input_value, const Env& env) {
  Value results = Value::sequence();
  bool tuple_stream = input_value.is_array() && input_value.arr().tuple_stream;
  if (tuple_stream) results.arr().tuple_stream = true;
  Value input = input_value.is_array() ? input_value : sequence_of(input_value);
  const auto& items = input.arr().items;
  if (predicate->type == NodeType::kNumber) {
    double idx = std::floor(predicate->literal.as_number());
    if (idx < 0) idx = static_cast<double>(items.size()) + idx;
    if (idx >= 0 && idx < static_cast<double>(items.size())) {
      const Value& item = items[static_cast<std::size_t>(idx)];
      if (!item.is_undefined()) {
        if (item.is_array()) {
          results = item;
        } else {
          results.arr().items.push_back(item);
        }
      }
    }
    return results;
  }
  for (std::size_t index = 0; index < items.size(); ++index) {
    const Value& item = items[index];
    Value context = item;
    Env e = env;
    if (tuple_stream) {
      context = at_key(item, "@");
      e = frame_from_tuple(env, item);
    }
    Value res = evaluate(predicate, context, e);
    if (is_numeric(res)) res = make_array({res});
    bool all_numbers = false;
    if (res.is_array()) {
      all_numbers = true;
      for (const auto& r : res.arr().items)
        if (!is_numeric(r)) {
          all_numbers = false;
          break;
        }
    }
    if (all_numbers) {
      for (const auto& r : res.arr().items) {
        double ii = std::floor(r.as_number());
        if (ii < 0) ii = static_cast<double>(items.size()) + ii;
        if (ii == static_cast<double>(index)) results.arr().items.push_back(item);
      }
    } else if (truthy(res)) {
      results.arr().items.push_back(item);
    }
  }
  return results;
}

Value Evaluator::evaluate_binary(const Node* expr, const Value& input, const Env& env) {
  Value lhs = evaluate(expr->lhs, input, env);
  const std::string_view op = expr->value;  // compared with literals, no strlen
  auto annotate = [&](ErrorException& e) {
    e.error.position = expr->position;
    e.error.token = Value::string(expr->value);
  };
  if (op == "and" || op == "or") {
    try {
      bool l = truthy(lhs);
      if (op == "and") {
        if (!l) return Value::boolean(false);
        return Value::boolean(truthy(evaluate(expr->rhs, input, env)));
      }
      if (l) return Value::boolean(true);
      return Value::boolean(truthy(evaluate(expr->rhs, input, env)));
    } catch (ErrorException& e) {
      annotate(e);
      throw;
    }
  }
  Value rhs = evaluate(expr->rhs, input, env);
  try {
    char c0 = op[0];
    if (op.size() == 1 && (c0 == '+' || c0 == '-' || c0 == '*' || c0 == '/' || c0 == '%')) {
      if (!lhs.is_undefined() && !is_numeric(lhs)) throw_error("T2001", lhs);
      if (!rhs.is_undefined() && !is_numeric(rhs)) throw_error("T2002", rhs);
      if (lhs.is_undefined() || rhs.is_undefined()) return Value();
      double a = lhs.as_number(), b = rhs.as_number();
      switch (c0) {
        case '+': return Value::number(a + b);
        case '-': return Value::number(a - b);
        case '*': return Value::number(a * b);
        case '/': return Value::number(a / b);
        default: return Value::number(std::fmod(a, b));
      }
    }
    if (op == "=" || op == "!=") {
      if (lhs.is_undefined() || rhs.is_undefined()) return Value::boolean(false);
      bool eq = deep_equal(lhs, rhs);
      return Value::boolean(op == "=" ? eq : !eq);
    }
    if (op == "<" || op == "<=" || op == ">" || op == ">=") {
      bool lc = lhs.is_undefined() || lhs.is_string() || lhs.is_number();
      bool rc = rhs.is_undefined() || rhs.is_string() || rhs.is_number();
      if (!lc || !rc) {
        throw_error("T2010", !(lhs.is_string() || lhs.is_number()) ? lhs : rhs);
      }
      if (lhs.is_undefined() || rhs.is_undefined()) return Value();
      if (lhs.kind() != rhs.kind()) {
        Error e;
        e.code = "T2009";
        e.value = lhs;
        e.value2 = rhs;
        throw ErrorException(std::move(e));
      }
      int cmp;
      if (lhs.is_string()) {
        cmp = compare_utf16(lhs.as_string(), rhs.as_string());
      } else {
        double a = lhs.as_number(), b = rhs.as_number();
        if (std::isnan(a) || std::isnan(b)) return Value::boolean(false);
        cmp = a < b ? -1 : (a > b ? 1 : 0);
      }
      if (op == "<") return Value::boolean(cmp < 0);
      if (op == "<=") return Value::boolean(cmp <= 0);
      if (op == ">") return Value::boolean(cmp > 0);
      return Value::boolean(cmp >= 0);
    }
    if (op == "&") {
      std::string s;
      for (const Value* side : {&lhs, &rhs}) {
        if (side->is_string()) {
          s += side->as_string();
        } else if (!side->is_undefined()) {
          s += to_string_value(*side).as_string();
        }
      }
      charge(s.size());
      return Value::string(std::move(s));
    }
    if (op == "..") {
      if (!lhs.is_undefined() && !is_integer(lhs)) throw_error("T2003", lhs);
      if (!rhs.is_undefined() && !is_integer(rhs)) throw_error("T2004", rhs);
      if (lhs.is_undefined() || rhs.is_undefined()) return Value();
      double a = lhs.as_number(), b = rhs.as_number();
      if (a > b) return Value();
      double size = b - a + 1;
      if (size > 1e7) throw_error("D2014", Value::number(size));
      charge(static_cast<std::size_t>(size) * sizeof(Value));
      std::vector<Value> items;
      items.reserve(static_cast<std::size_t>(size));
      for (double x = a; x <= b; x += 1) items.push_back(Value::number(x));
      return make_array(std::move(items), true);
    }
    if (op == "in") {
      if (lhs.is_undefined() || rhs.is_undefined()) return Value::boolean(false);
      auto same = [](const Value& x, const Value& y) {
        // JavaScript === : identity for objects/arrays/functions
        if (x.kind() != y.kind()) return false;
        switch (x.kind()) {
          case Kind::kNull: return true;
          case Kind::kBoolean: return x.as_bool() == y.as_bool();
          case Kind::kNumber: return x.as_number() == y.as_number();
          case Kind::kString: return x.as_string() == y.as_string();
          default: return x.node() == y.node();
        }
      };
      if (rhs.is_array()) {
        for (const auto& v : rhs.arr().items)
          if (same(v, lhs)) return Value::boolean(true);
        return Value::boolean(false);
      }
      return Value::boolean(same(rhs, lhs));
    }
  } catch (ErrorException& e) {
    annotate(e);
    throw;
  }
  return Value();
}

Value Evaluator::evaluate_unary(const Node* expr, const Value& input, const Env& env) {
  if (expr->value == "-") {
    Value v = evaluate(expr->expression, input, env);
    if (v.is_undefined()) return Value();
    if (is_numeric(v)) return Value::number(-v.as_number());
    Error e;
    e.code = "D1002";
    e.position = expr->position;
    e.token = Value::string("-");
    e.value = v;
    throw ErrorException(std::move(e));
  }
  if (expr->value == "[") {
    std::vector<Value> result;
    for (const Node* item : expr->expressions) {
      Value v = evaluate(item, input, env);
      if (v.is_undefined()) continue;
      if (item->type == NodeType::kUnary && item->value == "[") {
        result.push_back(v);
      } else if (v.is_array()) {
        result.insert(result.end(), v.arr().items.begin(), v.arr().items.end());
      } else {
        result.push_back(v);
      }
    }
    charge(result.size() * sizeof(Value));
    Value arr = make_array(std::move(result));
    if (expr->consarray) arr.arr().cons = true;
    return arr;
  }
  if (expr->value == "{") {
    Group g;
    g.position = expr->position;
    g.pairs = expr->pairs;
    return evaluate_group(g, input, env);
  }
  return Value();
}

Value Evaluator::evaluate_group(const Group& group, const Value& input, const Env& env) {
  bool reduce = input.is_array() && input.arr().tuple_stream;
  std::vector<Value> items;
  if (input.is_array()) {
    items = input.arr().items;
  } else {
    items.push_back(input);
  }
  if (items.empty()) items.push_back(Value());

  struct Entry {
    Value data;
    std::size_t expr_index;
  };
  ObjectData order;  // key -> index into entries, in JS key order
  std::vector<Entry> entries;
  for (const Value& item : items) {
    Env e = reduce ? frame_from_tuple(env, item) : env;
    for (std::size_t pi = 0; pi < group.pairs.size(); ++pi) {
      Value key = evaluate(group.pairs[pi].first, reduce ? at_key(item, "@") : item, e);
      if (!key.is_string() && !key.is_undefined()) {
        Error err;
        err.code = "T1003";
        err.position = group.position;
        err.value = key;
        throw ErrorException(std::move(err));
      }
      if (key.is_undefined()) continue;
      const Value* slot = order.find(key.as_string());
      if (slot) {
        Entry& en = entries[static_cast<std::size_t>(slot->as_number())];
        if (en.expr_index != pi) {
          Error err;
          err.code = "D1009";
          err.position = group.position;
          err.value = key;
          throw ErrorException(std::move(err));
        }
        en.data = append_values(en.data, item);
      } else {
        order.set(key.as_string(), Value::number(static_cast<double>(entries.size())));
        entries.push_back({item, pi});
      }
    }
  }
  auto result = std::make_shared<ObjectData>();
  for (const auto& [key, idxv] : order.entries) {
    Entry& en = entries[static_cast<std::size_t>(idxv.as_number())];
    Value context = en.data;
    Env e = env;
    if (reduce) {
      // reduceTupleStream
      std::shared_ptr<ObjectData> tuple;
      if (en.data.is_array()) {
        const auto& ts = en.data.arr().items;
        tuple = copy_tuple(ts[0]);
        for (std::size_t ii = 1; ii < ts.size(); ++ii) {
          if (!ts[ii].is_object()) continue;
          for (const auto& [k, v] : ts[ii].obj().entries) {
            const Value* cur = tuple->find(k);
            tuple->set(k, append_values(cur ? *cur : Value(), v));
          }
        }
      } else {
        tuple = copy_tuple(en.data);
      }
      const Value* at = tuple->find("@");
      context = at ? *at : Value();
      tuple->erase("@");
      e = frame_from_tuple(env, Value::object(tuple));
    }
    Value v = evaluate(group.pairs[en.expr_index].second, context, e);
    if (!v.is_undefined()) result->set(key, v);
  }
  return Value::object(std::move(result));
}

namespace {

// jsonata-js's merge sort: split at floor(n/2); when comp(left, right) is
// true the right element goes first. Iterative merge, recursive split
// (depth log2 n).
void merge_sort(std::vector<Value>& a, const std::function<bool(const Value&, const Value&)>& comp) {
  if (a.size() <= 1) return;
  std::size_t middle = a.size() / 2;
  std::vector<Value> left(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(middle));
  std::vector<Value> right(a.begin() + static_cast<std::ptrdiff_t>(middle), a.end());
  merge_sort(left, comp);
  merge_sort(right, comp);
  std::size_t i = 0, j = 0, k = 0;
  while (i < left.size() && j < right.size()) {
    if (comp(left[i], right[j])) {
      a[k++] = right[j++];
    } else {
      a[k++] = left[i++];
    }
  }
  while (i < left.size()) a[k++] = left[i++];
  while (j < right.size()) a[k++] = right[j++];
}

}  // namespace

Value sort_values(std::vector<Value> items, const std::function<bool(const Value&, const Value&)>& comp) {
  merge_sort(items, comp);
  return make_array(std::move(items));
}

Value Evaluator::evaluate_sort(const Node* expr, const Value& input, const Env& env) {
  bool is_tuple_sort = input.is_array() && input.arr().tuple_stream;
  auto comparator = [&](const Value& a, const Value& b) {
    int comp = 0;
    for (std::size_t index = 0; comp == 0 && index < expr->sort_terms.size(); ++index) {
      const SortTerm& term = expr->sort_terms[index];
      Value ctx = a;
      Env e = env;
      if (is_tuple_sort) {
        ctx = at_key(a, "@");
        e = frame_from_tuple(env, a);
      }
      Value aa = evaluate(term.expression, ctx, e);
      ctx = b;
      e = env;
      if (is_tuple_sort) {
        ctx = at_key(b, "@");
        e = frame_from_tuple(env, b);
      }
      Value bb = evaluate(term.expression, ctx, e);
      if (aa.is_undefined()) {
        comp = bb.is_undefined() ? 0 : 1;
        continue;
      }
      if (bb.is_undefined()) {
        comp = -1;
        continue;
      }
      bool aok = aa.is_string() || aa.is_number();
      bool bok = bb.is_string() || bb.is_number();
      if (!aok || !bok) {
        Error err;
        err.code = "T2008";
        err.position = expr->position;
        err.value = !aok ? aa : bb;
        throw ErrorException(std::move(err));
      }
      if (aa.kind() != bb.kind()) {
        Error err;
        err.code = "T2007";
        err.position = expr->position;
        err.value = aa;
        err.value2 = bb;
        throw ErrorException(std::move(err));
      }
      int c;
      if (aa.is_string()) {
        c = compare_utf16(aa.as_string(), bb.as_string());
      } else {
        double x = aa.as_number(), y = bb.as_number();
        c = x == y ? 0 : (x < y ? -1 : 1);
        if (std::isnan(x) || std::isnan(y)) c = 1;
      }
      if (c == 0) continue;
      comp = c < 0 ? -1 : 1;
      if (term.descending) comp = -comp;
    }
    return comp == 1;
  };
  if (!input.is_array()) return input;
  if (input.arr().items.size() <= 1) return input;
  Value sorted = sort_values(input.arr().items, comparator);
  if (is_tuple_sort) sorted.arr().tuple_stream = true;
  return sorted;
}

Value Evaluator::evaluate_function(const Node* expr, const Value& input, const Env& env, const Value* apply_to) {
  Value proc = evaluate(expr->procedure, input, env);
  if (proc.is_undefined() && expr->procedure->type == NodeType::kPath &&
      !lookup(env, expr->procedure->steps[0]->value).is_undefined()) {
    throw_error_at("T1005", expr->position, Value::string(expr->procedure->steps[0]->value));
  }
  std::vector<Value> args;
  args.reserve(expr->arguments.size() + 1);
  if (apply_to) args.push_back(*apply_to);
  for (const Node* a : expr->arguments) args.push_back(evaluate(a, input, env));
  const std::string& proc_name =
      expr->procedure->type == NodeType::kPath ? expr->procedure->steps[0]->value : expr->procedure->value;
  try {
    return apply(proc, std::move(args), input, env);
  } catch (ErrorException& e) {
    e.error.position = expr->position;
    if (e.error.token.is_undefined()) e.error.token = Value::string(proc_name);
    throw;
  }
}

Value Evaluator::apply(const Value& proc, std::vector<Value> args, const Value& input, const Env& env) {
  Value result = apply_inner(proc, args, input, env);
  while (result.is_function() && static_cast<const Callable&>(result.fn()).type == FnType::kLambda &&
         static_cast<const LambdaFn&>(result.fn()).thunk) {
    Value thunk = result;  // keep alive
    const auto& t = static_cast<const LambdaFn&>(thunk.fn());
    const Node* call = t.body;
    Value next = evaluate(call->procedure, t.input, t.env);
    std::vector<Value> next_args;
    next_args.reserve(call->arguments.size());
    for (const Node* a : call->arguments) next_args.push_back(evaluate(a, t.input, t.env));
    try {
      result = apply_inner(next, next_args, input, env);
    } catch (ErrorException& e) {
      if (e.error.token.is_undefined() && call->procedure->type == NodeType::kVariable)
        e.error.token = Value::string(call->procedure->value);
      if (!e.error.position) e.error.position = call->procedure->position;
      throw;
    }
  }
  return result;
}

Value Evaluator::apply_inner(const Value& proc, std::vector<Value>& args, const Value& input, const Env& env) {
  if (!proc.is_function()) throw_error("T1006");
  const auto& c = static_cast<const Callable&>(proc.fn());
  switch (c.type) {
    case FnType::kLambda: {
      const auto& l = static_cast<const LambdaFn&>(c);
      if (l.signature) {
        std::vector<Value> v = l.signature->validate(args, input);
        return apply_procedure(l, v);
      }
      return apply_procedure(l, args);
    }
    case FnType::kNative: {
      const auto& n = static_cast<const NativeFn&>(c);
      std::vector<Value> v = n.signature ? n.signature->validate(args, input) : args;
      return n.def->impl(*this, v, input, env);
    }
    case FnType::kPartialNative: {
      const auto& p = static_cast<const PartialNativeFn&>(c);
      std::vector<Value> full;
      std::size_t k = 0;
      for (std::size_t i = 0; i < p.args.size(); ++i) {
        if (p.holes[i]) {
          full.push_back(k < args.size() ? args[k] : Value());
          ++k;
        } else {
          full.push_back(p.args[i]);
        }
      }
      if (static_cast<const Callable&>(p.target.fn()).type != FnType::kNative) {
        return apply_inner(p.target, full, input, env);
      }
      const auto& target = static_cast<const NativeFn&>(p.target.fn());
      // jsonata-js calls the native directly (no signature check); trailing
      // undefined arguments are dropped so optional parameters stay optional.
      while (!full.empty() && full.back().is_undefined()) full.pop_back();
      std::vector<Value> v = target.signature ? target.signature->validate(full, input) : full;
      return target.def->impl(*this, v, input, env);
    }
    case FnType::kRegex:
    case FnType::kRegexNext: {
      std::shared_ptr<const Regex> re;
      std::shared_ptr<const std::u16string> subject;
      std::size_t from = 0;
      int position = 0;
      if (c.type == FnType::kRegex) {
        const auto& r = static_cast<const RegexFn&>(c);
        re = r.regex;
        position = r.position;
        if (args.empty() || !args[0].is_string()) return Value();
        subject = std::make_shared<const std::u16string>(to_utf16(args[0].as_string()));
        if (args.size() > 1 && args[1].is_number()) from = static_cast<std::size_t>(std::max(0.0, args[1].as_number()));
      } else {
        const auto& r = static_cast<const RegexNextFn&>(c);
        re = r.regex;
        subject = r.subject;
        from = r.last_index;
        position = r.position;
        if (from >= subject->size()) return Value();
      }
      Regex::Match m;
      if (!re->exec(*subject, from, &m)) return Value();
      if (c.type == FnType::kRegexNext && m.start == m.end) {
        Error err;
        err.code = "D1004";
        err.position = position;
        err.value = Value::string(re->source());
        throw ErrorException(std::move(err));
      }
      auto obj = std::make_shared<ObjectData>();
      obj->set("match", Value::string(from_utf16(subject->substr(m.start, m.end - m.start))));
      obj->set("start", Value::number(static_cast<double>(m.start)));
      obj->set("end", Value::number(static_cast<double>(m.end)));
      std::vector<Value> groups;
      for (const auto& g : m.groups) {
        if (g) {
          groups.push_back(Value::string(from_utf16(subject->substr(g->first, g->second - g->first))));
        } else {
          groups.push_back(Value());
        }
      }
      obj->set("groups", make_array(std::move(groups)));
      auto next = std::make_shared<RegexNextFn>();
      next->regex = re;
      next->subject = subject;
      // JS lastIndex: end of match (exec does not advance past empty matches)
      next->last_index = m.end;
      next->position = position;
      obj->set("next", Value::function(std::move(next)));
      return Value::object(std::move(obj));
    }
    case FnType::kTransform: {
      const auto& t = static_cast<const TransformFn&>(c);
      static const auto sig = Signature::builtin("<(oa):o>");
      std::vector<Value> v = sig->validate(args, input);
      return evaluate_transform_call(t, v.empty() ? Value() : v[0]);
    }
    case FnType::kChain: {
      const auto& ch = static_cast<const ChainFn&>(c);
      Value r = apply(ch.f, args, Value::null(), env);
      return apply(ch.g, {r}, Value::null(), env);
    }
  }
  throw_error("T1006");
}

Value Evaluator::apply_procedure(const LambdaFn& fn, std::vector<Value>& args) {
  Env env = new_frame(fn.env);
  env->vars.reserve(fn.params.size());
  for (std::size_t i = 0; i < fn.params.size(); ++i) env->bind(fn.params[i], i < args.size() ? args[i] : Value());
  return evaluate(fn.body, fn.input, env);
}

Value Evaluator::evaluate_partial(const Node* expr, const Value& input, const Env& env) {
  std::vector<Value> args;
  std::vector<bool> holes;
  for (const Node* a : expr->arguments) {
    if (a->type == NodeType::kOperator && a->value == "?") {
      args.emplace_back();
      holes.push_back(true);
    } else {
      args.push_back(evaluate(a, input, env));
      holes.push_back(false);
    }
  }
  Value proc = evaluate(expr->procedure, input, env);
  if (proc.is_undefined() && expr->procedure->type == NodeType::kPath &&
      !lookup(env, expr->procedure->steps[0]->value).is_undefined()) {
    throw_error_at("T1007", expr->position, Value::string(expr->procedure->steps[0]->value));
  }
  if (proc.is_function()) {
    const auto& c = static_cast<const Callable&>(proc.fn());
    if (c.type == FnType::kLambda) {
      const auto& l = static_cast<const LambdaFn&>(c);
      auto f = std::make_shared<LambdaFn>();
      f->body = l.body;
      f->input = l.input;
      f->program = l.program;
      f->env = new_frame(l.env);
      for (std::size_t i = 0; i < l.params.size(); ++i) {
        bool hole = i < holes.size() ? holes[i] : false;
        if (hole) {
          f->params.push_back(l.params[i]);
        } else {
          f->env->bind(l.params[i], i < args.size() ? args[i] : Value());
        }
      }
      return Value::function(std::move(f));
    }
    if (c.type == FnType::kNative) {
      const auto& n = static_cast<const NativeFn&>(c);
      auto f = std::make_shared<PartialNativeFn>();
      f->target = proc;
      // jsonata-js binds by the native's declared parameters
      std::size_t count = static_cast<std::size_t>(std::max<int>(n.def->arity, static_cast<int>(args.size())));
      for (std::size_t i = 0; i < count; ++i) {
        f->args.push_back(i < args.size() ? args[i] : Value());
        f->holes.push_back(i < holes.size() ? holes[i] : false);
      }
      return Value::function(std::move(f));
    }
    // other function kinds: wrap as a lambda-like partial over apply
    auto f = std::make_shared<PartialNativeFn>();
    f->target = proc;
    f->args = args;
    f->holes = holes;
    return Value::function(std::move(f));
  }
  throw_error_at("T1008", expr->position,
                 Value::string(expr->procedure->type == NodeType::kPath ? expr->procedure->steps[0]->value
                                                                         : expr->procedure->value));
}

Value Evaluator::evaluate_apply(const Node* expr, const Value& input, const Env& env) {
  Value lhs = evaluate(expr->lhs, input, env);
  if (expr->rhs->type == NodeType::kFunction) return evaluate_function(expr->rhs, input, env, &lhs);
  Value func = evaluate(expr->rhs, input, env);
  if (!func.is_function()) {
    Error err;
    err.code = "T2006";
    err.position = expr->position;
    err.value = func;
    throw ErrorException(std::move(err));
  }
  if (lhs.is_function()) {
    auto ch = std::make_shared<ChainFn>();
    ch->f = lhs;
    ch->g = func;
    return Value::function(std::move(ch));
  }
  return apply(func, {lhs}, Value::null(), env);
}

namespace {

void collect_nodes(const Value& root, std::unordered_set<const HeapNode*>& out) {
  std::vector<const Value*> stack{&root};
  while (!stack.empty()) {
    const Value* v = stack.back();
    stack.pop_back();
    if (v->is_array()) {
      out.insert(v->node().get());
      for (const auto& e : v->arr().items) stack.push_back(&e);
    } else if (v->is_object()) {
      out.insert(v->node().get());
      for (const auto& [k, e] : v->obj().entries) stack.push_back(&e);
    }
  }
}

}  // namespace

Value Evaluator::evaluate_transform_call(const TransformFn& fn, const Value& obj) {
  if (obj.is_undefined()) return Value();
  const Node* expr = fn.node;
  Value clone_fn = lookup(fn.env, "clone");
  if (!clone_fn.is_function()) throw_error_at("T2013", expr->position, Value());
  Value result = apply(clone_fn, {obj}, Value::null(), fn.env);
  const auto& cc = static_cast<const Callable&>(clone_fn.fn());
  bool builtin_clone = cc.type == FnType::kNative && std::string_view(static_cast<const NativeFn&>(cc).def->name) == "clone";
  if (!builtin_clone) {
    // a user-defined $clone may hand back shared data: never mutate that
    result = deep_clone(result);
  }
  Value matches = evaluate(expr->pattern, result, fn.env);
  if (matches.is_undefined()) return result;
  std::unordered_set<const HeapNode*> owned;
  collect_nodes(result, owned);
  charge(owned.size() * 64);
  std::vector<Value> list;
  if (matches.is_array()) {
    list = matches.arr().items;
  } else {
    list.push_back(matches);
  }
  for (const Value& match : list) {
    Value update = evaluate(expr->update, match, fn.env);
    if (!update.is_undefined()) {
      if (!update.is_object()) {
        Error err;
        err.code = "T2011";
        err.position = expr->update->position;
        err.value = update;
        throw ErrorException(std::move(err));
      }
      if (match.is_object() && owned.count(match.node().get())) {
        for (const auto& [k, v] : update.obj().entries) match.obj().set(k, v);
      }
    }
    if (expr->del) {
      Value deletions = evaluate(expr->del, match, fn.env);
      if (!deletions.is_undefined()) {
        Value val = deletions;
        std::vector<Value> dl;
        if (deletions.is_array()) {
          dl = deletions.arr().items;
        } else {
          dl.push_back(deletions);
        }
        for (const auto& d : dl) {
          if (!d.is_string()) {
            Error err;
            err.code = "T2012";
            err.position = expr->del->position;
            err.value = val;
            throw ErrorException(std::move(err));
          }
        }
        if (match.is_object() && owned.count(match.node().get())) {
          for (const auto& d : dl) match.obj().erase(d.as_string());
        }
      }
    }
  }
  return result;
}

}  // namespace stepfiber::jsonata
