// Fuzz target: the public Engine API's SendTaskSuccess / SendTaskFailure /
// SendTaskHeartbeat with hostile tokens, outputs, errors and causes.
//
// One Engine per process (manual clock) with one execution parked on a
// .waitForTaskToken task. Input layout: byte 0 is the mode, the rest is the
// payload.
//   mode & 3:  0 real token, 1 real token with edits, 2 fuzzed token,
//              3 a closed (earlier) token
//   mode >> 2 & 3: 0/1 send_task_success, 2 send_task_failure, 3 heartbeat
//   mode & 16: failure's error is absent;  mode & 32: cause is absent
// The payload is split at the first NUL byte: [token part] \0 [output], and
// for failures the output is split again: [error] \0 [cause].
// Every call must return one of the documented Status codes; when the real
// task completes, a new execution is parked for the next input.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "fuzz_common.h"
#include "stepfiber/engine.h"

using namespace stepfiber;

namespace {

// The callback's result flows through ResultSelector, ResultPath, a Choice
// and a Catch, so hostile outputs reach the data-flow code too.
const char* kDefinition = R"ASL({"StartAt":"Ask","States":{
  "Ask":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
         "Parameters":{"Token.$":"$$.Task.Token","Input.$":"$"},
         "ResultSelector":{"whole.$":"$","fmt.$":"States.JsonToString($)"},
         "ResultPath":"$.decision","HeartbeatSeconds":3600,
         "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"Caught"}],
         "Next":"Check"},
  "Check":{"Type":"Choice","Choices":[
     {"Variable":"$.decision.whole.approved","IsPresent":true,"Next":"Approved"}],
   "Default":"Done"},
  "Approved":{"Type":"Pass","Parameters":{"a.$":"$.decision.whole.approved"},"Next":"Done"},
  "Caught":{"Type":"Pass","Next":"Done"},
  "Done":{"Type":"Succeed"}}})ASL";

struct Fixture {
  Engine engine;
  std::string machine;
  std::string token;   // the parked execution's open token
  std::string closed;  // a token of a completed execution
  std::string execution;  // the parked execution's ARN
  std::size_t parked = 0;

  static EngineOptions options() {
    EngineOptions o;
    o.manual_clock = true;
    o.start_time_ms = 1700000000000;
    return o;
  }
  Fixture() : engine(options()) {
    auto m = engine.create_state_machine("fuzz", kDefinition, "arn:aws:iam::123456789012:role/r", "STANDARD");
    if (!m.ok()) fuzz::fail("create_state_machine failed");
    machine = m->state_machine_arn;
    park();
    closed = token;
    if (!engine.send_task_success(token, "{}").ok()) fuzz::fail("the first completion failed");
    park();
  }
  void park() {
    auto ex = engine.start_execution(machine, std::nullopt, R"({"order":42})");
    if (!ex.ok()) fuzz::fail("start_execution failed");
    auto tasks = engine.list_pending_tasks(ex->execution_arn);
    if (tasks.size() != 1) fuzz::fail("the execution did not park on its token");
    token = tasks[0].task_token;
    execution = ex->execution_arn;
    ++parked;
  }
};

bool documented(const Status& s) {
  switch (s.code()) {
    case ErrorCode::kOk:
    case ErrorCode::kInvalidToken:
    case ErrorCode::kTaskTimedOut:
    case ErrorCode::kInvalidOutput:
    case ErrorCode::kValidationException:
      return true;
    default:
      return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture* f = new Fixture();  // reachable for LeakSanitizer; never torn down mid-run
  if (size == 0) return 0;
  const unsigned mode = data[0];
  std::string_view payload = fuzz::text(data + 1, size - 1);
  const auto nul = payload.find('\0');
  std::string_view token_part = nul == std::string_view::npos ? std::string_view{} : payload.substr(0, nul);
  std::string_view rest = nul == std::string_view::npos ? payload : payload.substr(nul + 1);

  std::string token;
  switch (mode & 3) {
    case 0: token = f->token; break;
    case 1:
      token = f->token;
      for (std::size_t i = 0; i + 1 < token_part.size(); i += 2)
        token[static_cast<unsigned char>(token_part[i]) % token.size()] ^= token_part[i + 1];
      if (token_part.size() % 2 == 1) token.resize(static_cast<unsigned char>(token_part.back()) % token.size());
      break;
    case 2: token = std::string(token_part); break;
    case 3: token = f->closed; break;
  }

  Status s;
  switch ((mode >> 2) & 3) {
    case 0:
    case 1:
      s = f->engine.send_task_success(token, std::string(rest));
      break;
    case 2: {
      const auto nul2 = rest.find('\0');
      std::optional<std::string> error, cause;
      if (!(mode & 16)) error = std::string(rest.substr(0, nul2));
      if (!(mode & 32)) cause = nul2 == std::string_view::npos ? std::string() : std::string(rest.substr(nul2 + 1));
      s = f->engine.send_task_failure(token, error, cause);
      break;
    }
    case 3:
      s = f->engine.send_task_heartbeat(token);
      break;
  }
  if (!documented(s)) {
    std::fprintf(stderr, "undocumented status %s: %s\n", std::string(s.code_name()).c_str(), s.message().c_str());
    fuzz::fail("send_task_* returned an undocumented status");
  }
  if (s.ok() && token != f->token) fuzz::fail("a token other than the open one was accepted");
  if (s.ok() && ((mode >> 2) & 3) != 3) {
    // The task closed: the execution must have finished and the same token
    // must now time out.
    if (f->engine.send_task_success(token, "{}").code() != ErrorCode::kTaskTimedOut)
      fuzz::fail("a completed token was accepted twice");
    // (Not stats(): it measures resident fiber stacks with mincore, far too
    // slow to call per input.)
    // The Catch takes every error but States.Runtime, which escapes
    // States.ALL (engine/frame.cpp error_matches), even when a worker sends
    // it as its own error name.
    auto d = f->engine.describe_execution(f->execution);
    if (!d.ok()) fuzz::fail("the parked execution vanished");
    const bool escaped = d->status == "FAILED" && d->error == std::string("States.Runtime");
    if (d->status != "SUCCEEDED" && !escaped) {
      std::fprintf(stderr, "status %s error %s\n", d->status.c_str(), d->error.value_or("-").c_str());
      fuzz::fail("the execution did not end as the definition says after its task completed");
    }
    f->closed = token;
    f->park();
  }
  return 0;
}
