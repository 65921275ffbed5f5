// Fuzz target: MockConfigFile text -> engine::MockConfig::parse (a new wire
// input: stepfiber.client(mock_config=...), SFN_MOCK_CONFIG, serve
// --mock-config). Invariants: an error names the source and a JSON pointer;
// a parsed config answers every lookup without crashing, and each
// invocation number maps to at most one answer.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/mock_config.h"
#include "fuzz_common.h"

using namespace stepfiber;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto r = engine::MockConfig::parse(fuzz::text(data, size), "fuzz.json");
  if (!r.ok()) {
    if (r.status().message().rfind("mock config fuzz.json: /", 0) != 0) fuzz::fail("error without source and pointer");
    return 0;
  }
  const engine::MockConfig& cfg = *r.value();
  // Look up names taken from the input itself, and a few fixed ones.
  auto doc = parse_json(fuzz::text(data, size));
  if (!doc.ok()) fuzz::fail("parsed a config that is not JSON");
  const Json& d = doc.value();
  if (d.contains("StateMachines")) {
    for (const auto& [machine, body] : d.at("StateMachines").items()) {
      for (const auto& [tc, states] : body.at("TestCases").items()) {
        const auto* mapped = cfg.test_case(machine, tc);
        if (mapped == nullptr) fuzz::fail("a listed test case is missing");
        for (const auto& [state, mock] : *mapped) {
          (void)state;
          if (cfg.response(mock) == nullptr) fuzz::fail("a test case names a missing response");
        }
      }
    }
  }
  if (d.contains("MockedResponses")) {
    for (const auto& [name, entries] : d.at("MockedResponses").items()) {
      (void)entries;
      const engine::MockedResponse* resp = cfg.response(name);
      if (resp == nullptr) fuzz::fail("a listed response is missing");
      for (std::int64_t i = 0; i < 8; ++i) (void)resp->at(i);
      for (std::size_t a = 0; a + 1 < resp->ranges.size(); ++a) {
        if (resp->ranges[a].last >= resp->ranges[a + 1].first) fuzz::fail("overlapping ranges accepted");
      }
    }
  }
  (void)cfg.test_case("", "");
  return 0;
}
