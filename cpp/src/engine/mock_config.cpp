// MockConfigFile parsing and the per-execution invocation counters (mock_config.h).
#include "engine/mock_config.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "asl/program.h"
#include "engine/execution.h"

namespace stepfiber::engine {
namespace {

Status problem(std::string_view source, const std::string& pointer, const std::string& what) {
  return Status(ErrorCode::kValidationException,
                "mock config " + std::string(source) + ": " + (pointer.empty() ? std::string("/") : pointer) + ": " +
                    what);
}

/// `base` + "/" + `key` escaped for a JSON pointer (RFC 6901: `~` -> `~0`, `/` -> `~1`).
std::string ptr(const std::string& base, const std::string& key) {
  std::string out = base + "/";
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

/// "7" or "2-5" (decimal, no sign, no spaces) -> [first, last].
std::optional<std::pair<std::int64_t, std::int64_t>> parse_range(const std::string& key) {
  auto number = [](std::string_view s) -> std::optional<std::int64_t> {
    if (s.empty() || s.size() > 15) return std::nullopt;
    std::int64_t v = 0;
    for (char c : s) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
      v = v * 10 + (c - '0');
    }
    return v;
  };
  const auto dash = key.find('-');
  if (dash == std::string::npos) {
    auto v = number(key);
    if (!v) return std::nullopt;
    return std::make_pair(*v, *v);
  }
  auto a = number(std::string_view(key).substr(0, dash));
  auto b = number(std::string_view(key).substr(dash + 1));
  if (!a || !b) return std::nullopt;
  return std::make_pair(*a, *b);
}

bool names_state(const asl::Scope& scope, const std::string& name) {
  for (const asl::State& st : scope.states) {
    if (st.name == name) return true;
    const std::vector<asl::Scope>* children = nullptr;
    if (auto* p = std::get_if<asl::ParallelSpec>(&st.spec)) children = &p->branches;
    if (auto* m = std::get_if<asl::MapSpec>(&st.spec)) children = &m->processor;
    if (!children) continue;
    for (const asl::Scope& c : *children) {
      if (names_state(c, name)) return true;
    }
  }
  return false;
}

}  // namespace

const MockAnswer* MockedResponse::at(std::int64_t invocation) const {
  for (const Range& r : ranges) {
    if (invocation >= r.first && invocation <= r.last) return &r.answer;
  }
  return nullptr;
}

Result<std::shared_ptr<const MockConfig>> MockConfig::parse(std::string_view text, std::string_view source) {
  auto parsed = parse_json(text);
  if (!parsed.ok()) return problem(source, "", "not JSON: " + parsed.status().message());
  const Json& doc = parsed.value();
  if (!doc.is_object()) return problem(source, "", "must be a JSON object");
  auto config = std::make_shared<MockConfig>();
  config->source_ = std::string(source);
  for (const auto& [key, value] : doc.items()) {
    (void)value;
    if (key != "StateMachines" && key != "MockedResponses") {
      return problem(source, ptr("", key), "unknown field (expected StateMachines and MockedResponses)");
    }
  }
  // MockedResponses first: test cases name them.
  if (doc.contains("MockedResponses")) {
    const Json& responses = doc.at("MockedResponses");
    if (!responses.is_object()) return problem(source, "/MockedResponses", "must be an object");
    for (const auto& [name, entries] : responses.items()) {
      const std::string at = ptr("/MockedResponses", name);
      if (!entries.is_object()) return problem(source, at, "must be an object of invocation numbers");
      if (entries.empty()) return problem(source, at, "has no invocation numbers");
      MockedResponse resp;
      for (const auto& [key, entry] : entries.items()) {
        const std::string here = ptr(at, key);
        auto range = parse_range(key);
        if (!range) {
          return problem(source, here, "'" + key + "' is not an invocation number or an inclusive range such as \"1-3\"");
        }
        if (range->first > range->second) {
          return problem(source, here, "range '" + key + "' ends before it starts");
        }
        if (!entry.is_object()) return problem(source, here, "must be an object with Return or Throw");
        const bool has_return = entry.contains("Return");
        const bool has_throw = entry.contains("Throw");
        const bool has_park = entry.contains("Park");
        if (has_return + has_throw + has_park != 1) {
          return problem(source, here, has_return || has_throw || has_park
                                           ? "must have exactly one of Return, Throw (or the extension Park)"
                                           : "must have Return or Throw");
        }
        for (const auto& [field, v] : entry.items()) {
          (void)v;
          if (field != "Return" && field != "Throw" && field != "Park") {
            return problem(source, ptr(here, field), "unknown field (expected Return or Throw)");
          }
        }
        MockAnswer answer;
        if (has_return) {
          answer.kind = MockAnswer::Kind::kReturn;
          answer.value = entry.at("Return");
        } else if (has_throw) {
          const Json& t = entry.at("Throw");
          const std::string tp = here + "/Throw";
          if (!t.is_object()) return problem(source, tp, "must be an object with Error and Cause");
          if (!t.contains("Error")) return problem(source, tp, "Throw needs an Error");
          if (!t.at("Error").is_string()) return problem(source, tp + "/Error", "must be a string");
          for (const auto& [field, v] : t.items()) {
            if (field == "Cause") {
              if (!v.is_string()) return problem(source, tp + "/Cause", "must be a string");
            } else if (field != "Error") {
              return problem(source, ptr(tp, field), "unknown field (expected Error and Cause)");
            }
          }
          answer.kind = MockAnswer::Kind::kThrow;
          answer.error = t.at("Error").get<std::string>();
          if (t.contains("Cause")) answer.cause = t.at("Cause").get<std::string>();
        } else {
          if (entry.at("Park") != Json(true)) return problem(source, here + "/Park", "must be true");
          answer.kind = MockAnswer::Kind::kPark;
        }
        for (const auto& r : resp.ranges) {
          if (range->first <= r.last && r.first <= range->second) {
            return problem(source, here,
                           "invocation numbers " + std::to_string(std::max(range->first, r.first)) +
                               " overlap an earlier key of this response");
          }
        }
        resp.ranges.push_back(MockedResponse::Range{range->first, range->second, std::move(answer)});
      }
      std::sort(resp.ranges.begin(), resp.ranges.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      config->responses_.emplace(name, std::move(resp));
    }
  }
  if (doc.contains("StateMachines")) {
    const Json& machines = doc.at("StateMachines");
    if (!machines.is_object()) return problem(source, "/StateMachines", "must be an object");
    for (const auto& [machine, body] : machines.items()) {
      const std::string at = ptr("/StateMachines", machine);
      if (!body.is_object()) return problem(source, at, "must be an object with TestCases");
      for (const auto& [field, v] : body.items()) {
        (void)v;
        if (field != "TestCases") return problem(source, ptr(at, field), "unknown field (expected TestCases)");
      }
      if (!body.contains("TestCases") || !body.at("TestCases").is_object()) {
        return problem(source, at + "/TestCases", "must be an object of test cases");
      }
      auto& cases = config->machines_[machine];
      for (const auto& [name, states] : body.at("TestCases").items()) {
        const std::string cp = ptr(at + "/TestCases", name);
        if (!states.is_object()) return problem(source, cp, "must map state names to MockedResponses names");
        auto& mapped = cases[name];
        for (const auto& [state, mock] : states.items()) {
          const std::string sp = ptr(cp, state);
          if (!mock.is_string()) return problem(source, sp, "must be the name of a MockedResponses entry");
          const std::string m = mock.get<std::string>();
          if (!config->responses_.count(m)) {
            return problem(source, sp, "names MockedResponses entry '" + m + "', which does not exist");
          }
          mapped.emplace(state, m);
        }
      }
    }
  }
  return std::shared_ptr<const MockConfig>(std::move(config));
}

const std::map<std::string, std::string>* MockConfig::test_case(const std::string& machine,
                                                                 const std::string& test_case) const {
  auto m = machines_.find(machine);
  if (m == machines_.end()) return nullptr;
  auto c = m->second.find(test_case);
  return c == m->second.end() ? nullptr : &c->second;
}

const MockedResponse* MockConfig::response(const std::string& name) const {
  auto it = responses_.find(name);
  return it == responses_.end() ? nullptr : &it->second;
}

std::optional<Status> check_test_case(const MockConfig& config, const std::string& machine,
                                      const std::string& test_case, const asl::Program& program) {
  const std::string at = ptr("/StateMachines", machine);
  if (!config.has_machine(machine)) {
    return problem(config.source(), at, "state machine '" + machine + "' is not in the mock config");
  }
  const auto* states = config.test_case(machine, test_case);
  if (!states) {
    return problem(config.source(), ptr(at + "/TestCases", test_case),
                   "test case '" + test_case + "' of state machine '" + machine + "' is not in the mock config");
  }
  for (const auto& [state, mock] : *states) {
    (void)mock;
    if (!names_state(program.root, state)) {
      return problem(config.source(), ptr(ptr(at + "/TestCases", test_case), state),
                     "state '" + state + "' is not a state of state machine '" + machine + "'");
    }
  }
  return std::nullopt;
}

MockStep next_mock_step(Execution& ex, const std::string& state) {
  ExecutionExtra* extra = ex.extra_if();
  if (!extra || !extra->mock) return {};
  MockRun& run = *extra->mock;
  auto it = run.states->find(state);
  if (it == run.states->end()) return {};  // not mocked by this case: runs for real
  const std::int64_t n = run.invocations[state]++;
  const MockedResponse* resp = run.config->response(it->second);
  const MockAnswer* answer = resp ? resp->at(n) : nullptr;
  if (!answer) {
    MockStep s;
    s.kind = MockStep::Kind::kMissing;
    s.message = "The mocked response '" + it->second + "' (test case '" + run.test_case + "', " +
                run.config->source() + ") has no entry for invocation number " + std::to_string(n) + " of state '" +
                state + "'.";
    return s;
  }
  MockStep s;
  s.kind = MockStep::Kind::kAnswer;
  s.answer = answer;
  return s;
}

}  // namespace stepfiber::engine
