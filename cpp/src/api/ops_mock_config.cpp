// Step Functions Local's mocked service integrations (engine/mock_config.h):
// StartExecution / StartSyncExecution on `stateMachineArn#TestCase`, and the
// StepFiber.LoadMockConfig extension that installs a MockConfigFile.
//
// Choices where Step Functions Local is rough (research aws-json-protocol.md):
// - a bare trailing '#' runs unmocked, as in Step Functions Local;
// - an unknown state machine, test case or mocked state is a
//   ValidationException naming the file and the JSON pointer (Step Functions
//   Local answers a plain HTTP 500);
// - StartSyncExecution accepts '#TestCase' too (Step Functions Local answers
//   UnsupportedOperation).
#include "api/handlers.h"
#include "api/wire.h"
#include "engine/core.h"
#include "engine/mock_config.h"

namespace stepfiber::api::handlers {
namespace {

struct Prepared {
  Json request;
  std::shared_ptr<engine::MockRun> run;
};

/// The machine's name from a state machine ARN (qualified or not).
std::string machine_name(const std::string& arn) {
  // arn:aws:states:<region>:<account>:stateMachine:<name>[:<qualifier>]
  std::size_t pos = 0;
  for (int i = 0; i < 6 && pos != std::string::npos; ++i) {
    pos = arn.find(':', pos);
    if (pos != std::string::npos) ++pos;
  }
  if (pos == std::string::npos) return "";
  const std::size_t end = arn.find(':', pos);
  return arn.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
}

Result<Prepared> prepare(Context& c, const Json& r) {
  Prepared p{r, nullptr};
  const std::string arn = str(r, "stateMachineArn");
  const auto hash = arn.find('#');
  if (hash == std::string::npos) return p;
  const std::string base = arn.substr(0, hash);
  const std::string test_case = arn.substr(hash + 1);
  p.request["stateMachineArn"] = base;
  if (test_case.empty()) return p;  // Step Functions Local: a bare '#' runs unmocked
  if (!c.core.mock_config) {
    return Status(ErrorCode::kValidationException,
                  "Test case '" + test_case +
                      "' requested, but no mock config is loaded (stepfiber.client(mock_config=...), "
                      "SFN_MOCK_CONFIG or serve --mock-config)");
  }
  const std::string name = machine_name(base);
  auto machine = c.core.machines.find(base.substr(0, base.find(':', base.find(":stateMachine:") + 14)));
  if (machine == c.core.machines.end() || !machine->second->program) return p;  // the start reports it
  if (auto bad = engine::check_test_case(*c.core.mock_config, name, test_case, *machine->second->program)) {
    return *bad;
  }
  auto run = std::make_shared<engine::MockRun>();
  run->config = c.core.mock_config;
  run->machine = name;
  run->test_case = test_case;
  run->states = c.core.mock_config->test_case(name, test_case);
  p.run = std::move(run);
  return p;
}

}  // namespace

Result<Json> start_execution_with_mocks(Context& c, const Json& r) {
  auto p = prepare(c, r);
  if (!p.ok()) return p.status();
  c.core.pending_mock = p->run;
  auto out = start_execution(c, p->request);
  c.core.pending_mock.reset();
  return out;
}

void start_sync_execution_with_mocks(Context& c, const Json& r, Done done) {
  auto p = prepare(c, r);
  if (!p.ok()) {
    done(p.status());
    return;
  }
  c.core.pending_mock = p->run;
  start_sync_execution(c, p->request, std::move(done));
  c.core.pending_mock.reset();
}

Result<Json> load_mock_config(Context& c, const Json& r) {
  const auto text = opt_string(r, "config");
  if (!text) {
    if (r.contains("config") && r.at("config").is_null()) {
      c.core.mock_config.reset();
      return Json::object();
    }
    return Status(ErrorCode::kValidationException, "LoadMockConfig needs 'config' (the MockConfigFile's JSON text)");
  }
  auto config = engine::MockConfig::parse(*text, opt_string(r, "source").value_or("<config>"));
  if (!config.ok()) return config.status();
  c.core.mock_config = std::move(config).value();
  return Json::object();
}

}  // namespace stepfiber::api::handlers
