// Fuzz target: the TestState operation on a hostile request body, through the
// operation layer (api::Service::call("TestState", body)), as every door sends
// it: botocore's request checks, then the definition, mock, context,
// variables and stateConfiguration that engine/test_state.cpp reads.
// Invariants: the answer is a 200 with TestStateOutput's `status`, or a 400
// naming an AWS error code with a message; never a 500, a crash or a hang.
#include <cstddef>
#include <cstdint>
#include <string>

#include "api/service.h"
#include "fuzz_common.h"
#include "stepfiber/engine.h"

using namespace stepfiber;

namespace {

struct Fixture {
  Engine engine;
  api::Service service;

  static EngineOptions options() {
    EngineOptions o;
    o.manual_clock = true;
    o.start_time_ms = 1700000000000;
    return o;
  }
  Fixture() : engine(options()), service(engine) {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture* f = new Fixture();  // one engine per process; never destroyed (libFuzzer exits)
  const api::Response r = f->service.call("TestState", std::string(fuzz::text(data, size)));
  auto body = parse_json(r.body);
  if (!body.ok() || !body->is_object()) fuzz::fail("the answer is not a JSON object");
  if (r.http_status == 200) {
    if (!body->contains("status") || !(*body)["status"].is_string()) fuzz::fail("a 200 without a status");
  } else if (r.http_status == 400) {
    if (r.error_code.empty()) fuzz::fail("a 400 without an error code");
    if (!body->contains("message")) fuzz::fail("a 400 without a message");
  } else {
    fuzz::fail("an answer that is neither 200 nor 400");
  }
  return 0;
}
