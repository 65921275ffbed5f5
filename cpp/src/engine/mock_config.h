// Step Functions Local's MockConfigFile (mocked service integrations):
//
//   {"StateMachines": {<machine>: {"TestCases": {<case>: {<state>: <mock>}}}},
//    "MockedResponses": {<mock>: {"0": {"Return": <any JSON>},
//                                 "1-2": {"Throw": {"Error": "...", "Cause": "..."}}}}}
//
// Invocation numbers count from zero per state and execution (retries and
// Map iterations take consecutive numbers); "a-b" is an inclusive range.
// Extension: {"Park": true} leaves a .waitForTaskToken task waiting on its
// real token, for the test to complete with SendTaskSuccess/Failure.
// A test case is chosen with StartExecution(stateMachineArn + "#" + case).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "stepfiber/json.h"
#include "stepfiber/status.h"

namespace stepfiber::asl {
struct Program;
}

namespace stepfiber::engine {

struct Execution;

struct MockAnswer {
  enum class Kind { kReturn, kThrow, kPark } kind = Kind::kReturn;
  Json value;                        ///< kReturn
  std::string error;                 ///< kThrow
  std::optional<std::string> cause;  ///< kThrow
};

/// One MockedResponses entry: its invocation ranges, in ascending order.
struct MockedResponse {
  struct Range {
    std::int64_t first = 0;
    std::int64_t last = 0;  ///< inclusive
    MockAnswer answer;
  };
  std::vector<Range> ranges;
  const MockAnswer* at(std::int64_t invocation) const;
};

class MockConfig {
 public:
  /// Parses and checks a MockConfigFile. `source` names it in errors
  /// (a path, or "<dict>"): "<source>: <JSON pointer>: <problem>", code
  /// ValidationException.
  static Result<std::shared_ptr<const MockConfig>> parse(std::string_view text, std::string_view source);

  /// state name -> mocked-response name, or nullptr when the machine or the
  /// case is not in the file.
  const std::map<std::string, std::string>* test_case(const std::string& machine, const std::string& test_case) const;
  const MockedResponse* response(const std::string& name) const;
  const std::string& source() const { return source_; }
  bool has_machine(const std::string& machine) const { return machines_.count(machine) != 0; }

 private:
  std::string source_;
  std::map<std::string, std::map<std::string, std::map<std::string, std::string>>> machines_;
  std::map<std::string, MockedResponse> responses_;
};

/// One execution running a test case: the counters of its mocked states.
struct MockRun {
  std::shared_ptr<const MockConfig> config;
  std::string machine;
  std::string test_case;
  const std::map<std::string, std::string>* states = nullptr;  ///< in *config
  std::unordered_map<std::string, std::int64_t> invocations;
};

/// Checks that every state a test case mocks exists in `program` (any
/// scope); a problem names the file and the JSON pointer.
std::optional<Status> check_test_case(const MockConfig& config, const std::string& machine,
                                      const std::string& test_case, const asl::Program& program);

/// What the next invocation of `state` does under the execution's test case.
struct MockStep {
  enum class Kind { kNone, kAnswer, kMissing } kind = Kind::kNone;
  const MockAnswer* answer = nullptr;  ///< kAnswer
  std::string message;                 ///< kMissing: the cause
};
MockStep next_mock_step(Execution& ex, const std::string& state);

}  // namespace stepfiber::engine
