// JSON nested as deep as AWS accepts (1,000 levels: Jackson's default
// StreamReadConstraints.maxNestingDepth), everywhere JSON enters, driven as
// AWS JSON 1.0 requests through api::Service. One level more is refused in
// the operation's own error shape with a message that says "depth" and names
// the limit. A 1,000-deep value then flows through templates, JSONPath
// (`$..a`), intrinsics, a callback, Parallel, Map, JSONata and history
// without overflowing a fiber stack or the engine's main stack.
#include <string>

#include <gtest/gtest.h>

#include "api/service.h"
#include "engine/core.h"
#include "stepfiber/engine.h"
#include "stepfiber/json.h"

namespace stepfiber::api {
namespace {

constexpr const char* kRole = "arn:aws:iam::123456789012:role/r";

/// `levels` objects {"a":{"a":...1...}}: depth `levels`.
std::string deep(std::size_t levels) {
  std::string s;
  for (std::size_t i = 0; i < levels; ++i) s += R"({"a":)";
  s += "1";
  s += std::string(levels, '}');
  return s;
}

/// A Pass machine whose Result is nested so that the definition's depth is
/// `total` (the Result sits at depth 4: root, States, P, Result).
std::string deep_definition(std::size_t total) {
  return R"({"StartAt":"P","States":{"P":{"Type":"Pass","End":true,"Result":)" + deep(total - 3) + "}}}";
}

void expect_depth_message(const std::string& message) {
  EXPECT_NE(message.find("depth"), std::string::npos) << message;
  EXPECT_NE(message.find(std::to_string(kMaxJsonDepth)), std::string::npos) << message;
}

EngineOptions manual_clock() {
  EngineOptions o;
  o.manual_clock = true;
  return o;
}

class DeepJson : public ::testing::Test {
 protected:
  Engine engine{manual_clock()};
  Service service{engine};

  void TearDown() override {
    // Without guard pages an overflow shows as a broken canary.
    const auto& arena = engine.core().arena();
    EXPECT_TRUE(arena.has_guard_pages() || arena.canary_failures() == 0);
  }

  Json ok(const std::string& op, const Json& request) {
    Response r = service.call(op, dump_json(request));
    EXPECT_EQ(r.http_status, 200) << op << ": " << r.body.substr(0, 600);
    auto parsed = parse_json(r.body);
    EXPECT_TRUE(parsed.ok()) << parsed.status().message();
    return parsed.ok() ? parsed.value() : Json();
  }
  std::string fails(const std::string& op, const Json& request, const std::string& code) {
    return fails_raw(op, dump_json(request), code);
  }
  std::string fails_raw(const std::string& op, const std::string& body, const std::string& code) {
    Response r = service.call(op, body);
    EXPECT_EQ(r.error_code, code) << op << ": " << r.body.substr(0, 600);
    auto parsed = parse_json(r.body);
    return parsed.ok() && parsed->contains("message") ? parsed.value()["message"].get<std::string>() : "";
  }
  std::string create(const std::string& name, const std::string& definition, const std::string& type = "STANDARD") {
    return ok("CreateStateMachine", Json{{"name", name}, {"definition", definition}, {"roleArn", kRole}, {"type", type}})
        ["stateMachineArn"]
            .get<std::string>();
  }
};

TEST(DeepJsonParse, AcceptsExactlyJacksonsDefaultDepth) {
  for (const char* open : {"[", "{\"k\":"}) {
    const bool object = open[0] == '{';
    auto nest = [&](std::size_t n) {
      std::string s;
      for (std::size_t i = 0; i < n; ++i) s += open;
      s += "0";
      for (std::size_t i = 0; i < n; ++i) s += object ? "}" : "]";
      return s;
    };
    auto at_limit = parse_json(nest(kMaxJsonDepth));
    ASSERT_TRUE(at_limit.ok()) << at_limit.status().message();
    EXPECT_EQ(json_depth(*at_limit), kMaxJsonDepth);
    EXPECT_EQ(dump_json(*at_limit), nest(kMaxJsonDepth));
    auto over = parse_json(nest(kMaxJsonDepth + 1), ErrorCode::kInvalidOutput);
    ASSERT_FALSE(over.ok());
    EXPECT_EQ(over.status().code(), ErrorCode::kInvalidOutput);
    EXPECT_TRUE(is_nesting_depth_error(over.status()));
    EXPECT_EQ(over.status().message(),
              "Document nesting depth (1001) exceeds the maximum allowed (1000, from "
              "`StreamReadConstraints.getMaxNestingDepth()`)");
    // Far deeper still fails cleanly (simdjson stops at the limit).
    EXPECT_TRUE(is_nesting_depth_error(parse_json(nest(100000)).status()));
  }
  EXPECT_EQ(kMaxJsonDepth, 1000u);
}

TEST_F(DeepJson, DefinitionsUpToTheLimitAreAcceptedByEveryOperation) {
  for (std::size_t depth : {900u, 1000u}) {
    const std::string def = deep_definition(depth);
    ASSERT_EQ(json_depth(*parse_json(def)), depth);
    EXPECT_EQ(ok("ValidateStateMachineDefinition", Json{{"definition", def}})["result"], "OK");
    const std::string arn = create("deep" + std::to_string(depth), def);
    ok("UpdateStateMachine", Json{{"stateMachineArn", arn}, {"definition", def}});
    Json tested = ok("TestState", Json{{"definition", def}, {"stateName", "P"}, {"roleArn", kRole}});
    EXPECT_EQ(tested["status"], "SUCCEEDED");
    const std::string exec = ok("StartExecution", Json{{"stateMachineArn", arn}})["executionArn"].get<std::string>();
    Json d = ok("DescribeExecution", Json{{"executionArn", exec}});
    EXPECT_EQ(d["status"], "SUCCEEDED");
    EXPECT_EQ(d["output"], deep(depth - 3));
  }
}

TEST_F(DeepJson, DefinitionsPastTheLimitSayDepth) {
  const std::string def = deep_definition(kMaxJsonDepth + 1);
  Json report = ok("ValidateStateMachineDefinition", Json{{"definition", def}});
  EXPECT_EQ(report["result"], "FAIL");
  ASSERT_EQ(report["diagnostics"].size(), 1u);
  EXPECT_EQ(report["diagnostics"][0]["code"], "INVALID_JSON_DESCRIPTION");
  const std::string message = report["diagnostics"][0]["message"].get<std::string>();
  expect_depth_message(message);
  // Just after the bracket that opens level 1001.
  const std::size_t column = def.find(R"({"a":1})") + 1;  // the innermost object is level 1001
  EXPECT_NE(message.find("line: 1, column: " + std::to_string(column + 1) + "]"), std::string::npos) << message;

  expect_depth_message(fails("CreateStateMachine", Json{{"name", "x"}, {"definition", def}, {"roleArn", kRole}},
                             "InvalidDefinition"));
  const std::string arn = create("ok", deep_definition(10));
  expect_depth_message(
      fails("UpdateStateMachine", Json{{"stateMachineArn", arn}, {"definition", def}}, "InvalidDefinition"));
  expect_depth_message(
      fails("TestState", Json{{"definition", def}, {"stateName", "P"}, {"roleArn", kRole}}, "InvalidDefinition"));
}

TEST_F(DeepJson, PayloadsPastTheLimitSayDepthInEachOperationsShape) {
  const std::string too_deep = deep(kMaxJsonDepth + 1);
  const std::string pass = R"({"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}})";
  const std::string arn = create("p", pass);
  const std::string express = create("e", pass, "EXPRESS");
  expect_depth_message(
      fails("StartExecution", Json{{"stateMachineArn", arn}, {"input", too_deep}}, "InvalidExecutionInput"));
  expect_depth_message(
      fails("StartSyncExecution", Json{{"stateMachineArn", express}, {"input", too_deep}}, "InvalidExecutionInput"));
  expect_depth_message(fails("TestState", Json{{"definition", pass}, {"stateName", "P"}, {"input", too_deep}},
                             "InvalidExecutionInput"));
  expect_depth_message(fails("TestState", Json{{"definition", pass}, {"stateName", "P"}, {"variables", too_deep}},
                             "ValidationException"));
  const std::string task = R"({"StartAt":"T","States":{"T":{"Type":"Task",
    "Resource":"arn:aws:states:::lambda:invoke","End":true}}})";
  expect_depth_message(fails("TestState",
                             Json{{"definition", task}, {"stateName", "T"}, {"mock", Json{{"result", too_deep}}}},
                             "ValidationException"));

  const std::string cb = create("cb", R"({"StartAt":"T","States":{"T":{"Type":"Task",
    "Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Parameters":{"t.$":"$$.Task.Token"},"End":true}}})");
  const std::string exec = ok("StartExecution", Json{{"stateMachineArn", cb}})["executionArn"].get<std::string>();
  Json tasks = ok("StepFiber.ListPendingTasks", Json{{"executionArn", exec}})["tasks"];
  ASSERT_EQ(tasks.size(), 1u);
  expect_depth_message(fails("SendTaskSuccess", Json{{"taskToken", tasks[0]["taskToken"]}, {"output", too_deep}},
                             "InvalidOutput"));

  // The request envelope itself (AWS JSON 1.0 body) past the limit.
  std::string body = R"({"stateMachineArn":")" + arn + R"(","x":)" + deep(kMaxJsonDepth) + "}";
  expect_depth_message(fails_raw("StartExecution", body, "SerializationException"));
}

// A 1,000-deep value through everything that recurses on data.
TEST_F(DeepJson, AThousandLevelsFlowThroughEveryStateKindAndTheHistory) {
  const std::string arn = create("flow", R"J({"StartAt":"T","States":{
    "T":{"Type":"Pass","Parameters":{"s.$":"States.JsonToString($.d)","n.$":"States.ArrayLength($..a)",
         "copy.$":"$.d.a"},"ResultPath":"$.p","Next":"Back"},
    "Back":{"Type":"Pass","Parameters":{"d.$":"States.StringToJson($.p.s)","items.$":"$.items","n.$":"$.p.n",
            "same.$":"States.ArrayLength(States.Array($.p.copy))"},"Next":"Ask"},
    "Ask":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
           "Parameters":{"Token.$":"$$.Task.Token","Post.$":"$.d.a"},"ResultPath":"$.d","Next":"Par"},
    "Par":{"Type":"Parallel","ResultPath":"$.par","Next":"Map","Branches":[
      {"StartAt":"B","States":{"B":{"Type":"Pass","OutputPath":"$.d.a","End":true}}}]},
    "Map":{"Type":"Map","ItemsPath":"$.items","ResultPath":"$.items","Next":"J",
           "ItemProcessor":{"ProcessorConfig":{"Mode":"INLINE"},"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}}},
    "J":{"Type":"Pass","QueryLanguage":"JSONata","Output":"{% $states.input %}","End":true}}})J");
  const std::string input = R"({"d":)" + deep(kMaxJsonDepth - 1) + R"(,"items":[)" + deep(kMaxJsonDepth - 2) + "]}";
  ASSERT_EQ(json_depth(*parse_json(input)), kMaxJsonDepth);
  const std::string exec =
      ok("StartExecution", Json{{"stateMachineArn", arn}, {"input", input}})["executionArn"].get<std::string>();
  Json tasks = ok("StepFiber.ListPendingTasks", Json{{"executionArn", exec}})["tasks"];
  ASSERT_EQ(tasks.size(), 1u);
  ok("SendTaskSuccess", Json{{"taskToken", tasks[0]["taskToken"]}, {"output", deep(kMaxJsonDepth - 1)}});

  Json d = ok("DescribeExecution", Json{{"executionArn", exec}});
  ASSERT_EQ(d["status"], "SUCCEEDED") << d.dump().substr(0, 2000);
  auto out = parse_json(d["output"].get<std::string>());
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(json_depth(*out), kMaxJsonDepth);
  EXPECT_EQ(dump_json((*out)["d"]), deep(kMaxJsonDepth - 1));
  EXPECT_EQ(dump_json((*out)["items"]), "[" + deep(kMaxJsonDepth - 2) + "]");
  EXPECT_EQ(dump_json((*out)["par"]), "[" + deep(kMaxJsonDepth - 2) + "]");
  EXPECT_EQ((*out)["n"], 2 * kMaxJsonDepth - 3);  // every "a" in d (999) and items[0] (998)
  EXPECT_EQ((*out)["same"], 1);

  // History: every event renders, and the payloads in it read back.
  Json history = ok("GetExecutionHistory", Json{{"executionArn", exec}, {"includeExecutionData", true}});
  ASSERT_GT(history["events"].size(), 10u);
  std::size_t deep_payloads = 0;
  for (const Json& e : history["events"]) {
    for (auto it = e.begin(); it != e.end(); ++it) {
      if (!it->is_object()) continue;
      for (const char* field : {"input", "output", "parameters"}) {
        if (!it->contains(field)) continue;
        auto payload = parse_json((*it)[field].get<std::string>());
        ASSERT_TRUE(payload.ok()) << e["type"] << ": " << payload.status().message();
        if (json_depth(*payload) >= kMaxJsonDepth - 2) ++deep_payloads;
      }
    }
  }
  EXPECT_GT(deep_payloads, 10u);
}

TEST_F(DeepJson, SyncExecutionAndTestStateCarryAThousandLevels) {
  const std::string input = deep(kMaxJsonDepth);
  const std::string pass = R"({"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}})";
  const std::string express = create("e", pass, "EXPRESS");
  Json sync = ok("StartSyncExecution", Json{{"stateMachineArn", express}, {"input", input}});
  EXPECT_EQ(sync["status"], "SUCCEEDED");
  EXPECT_EQ(sync["output"], input);
  Json tested = ok("TestState", Json{{"definition", pass}, {"stateName", "P"}, {"input", input}});
  EXPECT_EQ(tested["output"], input);
  Json mocked = ok("TestState", Json{{"definition", R"({"StartAt":"T","States":{"T":{"Type":"Task",
    "Resource":"arn:aws:states:::lambda:invoke","End":true}}})"},
                                     {"stateName", "T"},
                                     {"mock", Json{{"result", input}}}});
  EXPECT_EQ(mocked["output"], input);
  Json vars = ok("TestState", Json{{"definition", R"({"StartAt":"P","States":{"P":{"Type":"Pass",
    "Parameters":{"v.$":"$x.a"},"End":true}}})"},
                                   {"stateName", "P"},
                                   {"variables", R"({"x":)" + deep(kMaxJsonDepth - 1) + "}"}});
  EXPECT_EQ(vars["output"], R"({"v":)" + deep(kMaxJsonDepth - 2) + "}");
}

}  // namespace
}  // namespace stepfiber::api
