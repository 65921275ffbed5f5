// The operation layer's model-driven checks and wire answers (api/).
#include <semaphore>

#include <gtest/gtest.h>

#include "api/model.h"
#include "api/pager.h"
#include "api/service.h"
#include "api/validate.h"
#include "stepfiber/engine.h"
#include "test_json.h"

namespace stepfiber::api {
namespace {

const Shape& input_of(const char* op) { return *Model::get().operation(op)->input; }

TEST(ApiModel, HasEveryOperationOfTheServiceModel) {
  EXPECT_EQ(Model::get().operations().size(), 37u);
  EXPECT_NE(Model::get().operation("StartSyncExecution"), nullptr);
  EXPECT_EQ(Model::get().operation("StartSyncExecution")->host_prefix, "sync-");
  EXPECT_EQ(Model::get().operation("NoSuchOperation"), nullptr);
}

TEST(ApiValidate, MissingRequiredMemberIsNull) {
  Status st = validate_request(input_of("StartExecution"), Json::object());
  EXPECT_EQ(st.code(), ErrorCode::kValidationException);
  EXPECT_EQ(st.message(),
            "1 validation error detected: Value null at 'stateMachineArn' failed to satisfy constraint: Member must "
            "not be null");
}

TEST(ApiValidate, CollectsEveryErrorAndHidesSensitiveValues) {
  Json req = {{"taskToken", ""}, {"output", std::string(262145, 'x')}};
  Status st = validate_request(input_of("SendTaskSuccess"), req);
  EXPECT_EQ(st.code(), ErrorCode::kValidationException);
  EXPECT_NE(st.message().find("2 validation errors detected: "), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("Value at 'output' failed to satisfy constraint: Member must have length less than or "
                              "equal to 262144"),
            std::string::npos)
      << st.message();
}

TEST(ApiValidate, EnumAndRangeWording) {
  Json req = {{"name", "n"}, {"definition", "{}"}, {"roleArn", "arn:aws:iam::1:role/r"}, {"type", "FAST"}};
  Status st = validate_request(input_of("CreateStateMachine"), req);
  EXPECT_EQ(st.message(),
            "1 validation error detected: Value 'FAST' at 'type' failed to satisfy constraint: Member must satisfy "
            "enum value set: [STANDARD, EXPRESS]");
  st = validate_request(input_of("ListExecutions"), Json{{"maxResults", 1001}});
  EXPECT_EQ(st.message(),
            "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have "
            "value less than or equal to 1000");
}

TEST(ApiValidate, StructuredValuesPrintAsJavaObjects) {
  // Recorded: a routing configuration of three items is printed as Java's toString of the request objects.
  const std::string v1 = "arn:aws:states:us-east-1:111111111111:stateMachine:m:1";
  Json routes = Json::array();
  for (int w : {50, 30, 20}) routes.push_back(Json{{"stateMachineVersionArn", v1}, {"weight", w}});
  Status st = validate_request(input_of("CreateStateMachineAlias"), Json{{"name", "a"}, {"routingConfiguration", routes}});
  EXPECT_EQ(st.message(),
            "1 validation error detected: Value '[RoutingConfigurationListItem(stateMachineVersionArn=" + v1 +
                ", weight=50), RoutingConfigurationListItem(stateMachineVersionArn=" + v1 +
                ", weight=30), RoutingConfigurationListItem(stateMachineVersionArn=" + v1 +
                ", weight=20)]' at 'routingConfiguration' failed to satisfy constraint: Member must have length less "
                "than or equal to 2");
}

TEST(ApiValidate, PatternFromTheModel) {
  // TraceHeader's pattern is \p{ASCII}* (Java), matched whole-string.
  Json ok = {{"stateMachineArn", "arn:aws:states:us-east-1:1:stateMachine:x"}, {"traceHeader", "Root=1-abc"}};
  EXPECT_TRUE(validate_request(input_of("StartExecution"), ok).ok());
  Json bad = ok;
  bad["traceHeader"] = "caf\xc3\xa9";
  Status st = validate_request(input_of("StartExecution"), bad);
  EXPECT_NE(st.message().find("Member must satisfy regular expression pattern: \\p{ASCII}*"), std::string::npos)
      << st.message();
}

TEST(ApiValidate, WrongJsonTypeIsASerializationException) {
  Status st = validate_request(input_of("ListExecutions"), Json{{"maxResults", "ten"}});
  EXPECT_EQ(st.code(), ErrorCode::kSerializationException);
  st = validate_request(input_of("StartExecution"), Json{{"stateMachineArn", Json::array()}});
  EXPECT_EQ(st.code(), ErrorCode::kSerializationException);
}

TEST(ApiValidate, UnknownMembersAndNullsAreIgnored) {
  Json req = {{"stateMachineArn", "arn:aws:states:us-east-1:1:stateMachine:x"}, {"nosuch", 1}, {"name", nullptr}};
  EXPECT_TRUE(validate_request(input_of("StartExecution"), req).ok());
}

TEST(ApiPager, TokensRoundTripAndRejectForeignScopes) {
  auto key = [](std::size_t i) { return Json(i); };
  auto after = [](const Json& c) -> std::optional<std::size_t> {
    if (!c.is_number_integer()) return std::nullopt;
    return static_cast<std::size_t>(c.get<std::int64_t>()) + 1;
  };
  auto first = paginate(Json{{"maxResults", 2}}, "Op", "s", 5, key, after);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->begin, 0u);
  EXPECT_EQ(first->end, 2u);
  ASSERT_TRUE(first->next.has_value());
  auto second = paginate(Json{{"maxResults", 2}, {"nextToken", *first->next}}, "Op", "s", 5, key, after);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->begin, 2u);
  auto foreign = paginate(Json{{"nextToken", *first->next}}, "Op", "other", 5, key, after);
  EXPECT_EQ(foreign.status().code(), ErrorCode::kInvalidToken);
  auto garbage = paginate(Json{{"nextToken", "!!!"}}, "Op", "s", 5, key, after);
  EXPECT_EQ(garbage.status().code(), ErrorCode::kInvalidToken);
}

EngineOptions manual_clock_options() {
  EngineOptions o;
  o.manual_clock = true;
  return o;
}

class ApiService : public ::testing::Test {
 protected:
  Engine engine{manual_clock_options()};
  Service service{engine};
};

TEST_F(ApiService, AnswersAwsShapedErrors) {
  Response r = service.call("AWSStepFunctions.NoSuchThing", "{}");
  EXPECT_EQ(r.http_status, 400);
  EXPECT_EQ(r.error_code, "UnknownOperationException");
  EXPECT_NE(r.body.find("com.amazon.coral.service#UnknownOperationException"), std::string::npos);
  r = service.call("AWSStepFunctions.ListStateMachines", "{not json");
  EXPECT_EQ(r.error_code, "SerializationException");
  r = service.call("AWSStepFunctions.ListStateMachines", "[1]");
  EXPECT_EQ(r.error_code, "SerializationException");
  r = service.call("AWSStepFunctions.DescribeExecution", R"({"executionArn": "nope"})");
  EXPECT_EQ(r.error_code, "InvalidArn");
  EXPECT_EQ(parse_json(r.body).value()["__type"], "com.amazonaws.swf.service.v2.model#InvalidArn");
  r = service.call("AWSStepFunctions.ListExecutions", R"({"maxResults": "ten"})");
  EXPECT_EQ(r.error_code, "SerializationException");
  EXPECT_NE(r.body.find("com.amazon.coral.service#SerializationException"), std::string::npos);
}

TEST_F(ApiService, CallbackFlowOverJson) {
  const std::string def = R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Parameters":{"t.$":"$$.Task.Token"},"End":true}}})";
  Json create = {{"name", "m"}, {"definition", def}, {"roleArn", "arn:aws:iam::123456789012:role/r"}};
  Response r = service.call("CreateStateMachine", dump_json(create));
  ASSERT_EQ(r.http_status, 200) << r.body;
  const Json created = parse_json(r.body).value();
  EXPECT_TRUE(created["creationDate"].is_number());
  r = service.call("StartExecution", dump_json(Json{{"stateMachineArn", created["stateMachineArn"]}, {"input", "{}"}}));
  ASSERT_EQ(r.http_status, 200) << r.body;
  const std::string exec = parse_json(r.body).value()["executionArn"].get<std::string>();
  r = service.call("StepFiber.ListPendingTasks", "{}");
  ASSERT_EQ(r.http_status, 200) << r.body;
  const Json tasks = parse_json(r.body).value()["tasks"];
  ASSERT_EQ(tasks.size(), 1u);
  r = service.call("SendTaskSuccess", dump_json(Json{{"taskToken", tasks[0]["taskToken"]}, {"output", "{\"ok\":1}"}}));
  ASSERT_EQ(r.http_status, 200) << r.body;
  EXPECT_EQ(r.body, "{}");
  r = service.call("DescribeExecution", dump_json(Json{{"executionArn", exec}}));
  const Json d = parse_json(r.body).value();
  EXPECT_EQ(d["status"], "SUCCEEDED");
  EXPECT_EQ(d["output"], "{\"ok\":1}");
  r = service.call("GetExecutionHistory", dump_json(Json{{"executionArn", exec}, {"maxResults", 2}}));
  const Json h = parse_json(r.body).value();
  EXPECT_EQ(h["events"].size(), 2u);
  EXPECT_TRUE(h.contains("nextToken"));
}

TEST_F(ApiService, GetActivityTaskLongPollAnswersWhenWorkArrivesOrTimesOut) {
  Response r = service.call("CreateActivity", R"({"name":"act"})");
  const std::string act = parse_json(r.body).value()["activityArn"].get<std::string>();
  // Nothing scheduled: the (shortened) poll ends with {}.
  r = service.call("GetActivityTask", dump_json(Json{{"activityArn", act}, {"pollSeconds", 0.05}}));
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.body, "{}");
  // A poll waiting when the task is scheduled gets it.
  std::binary_semaphore got{0};
  Response polled;
  service.invoke("GetActivityTask", dump_json(Json{{"activityArn", act}}), [&](Response x) {
    polled = std::move(x);
    got.release();
  });
  const std::string def = std::string(R"({"StartAt":"A","States":{"A":{"Type":"Task","Resource":")") + act +
                          R"(","End":true}}})";
  r = service.call("CreateStateMachine",
                   dump_json(Json{{"name", "acts"}, {"definition", def}, {"roleArn", "arn:aws:iam::123456789012:role/r"}}));
  ASSERT_EQ(r.http_status, 200) << r.body;
  r = service.call("StartExecution", dump_json(Json{{"stateMachineArn", parse_json(r.body).value()["stateMachineArn"]},
                                                    {"input", "{\"n\":1}"}}));
  ASSERT_EQ(r.http_status, 200) << r.body;
  got.acquire();
  ASSERT_EQ(polled.http_status, 200) << polled.body;
  const Json task = parse_json(polled.body).value();
  EXPECT_EQ(task["input"], "{\"n\":1}");
  EXPECT_TRUE(task.contains("taskToken"));
}

TEST_F(ApiService, StartSyncExecutionWaitsWithoutAThreadAndJumpsTheManualClock) {
  const std::string def = R"({"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}})";
  Response r = service.call("CreateStateMachine", dump_json(Json{{"name", "x"}, {"definition", def},
                                                                {"roleArn", "arn:aws:iam::123456789012:role/r"},
                                                                {"type", "EXPRESS"}}));
  ASSERT_EQ(r.http_status, 200) << r.body;
  r = service.call("StartSyncExecution",
                   dump_json(Json{{"stateMachineArn", parse_json(r.body).value()["stateMachineArn"]}, {"input", "{}"}}));
  ASSERT_EQ(r.http_status, 200) << r.body;
  const Json out = parse_json(r.body).value();
  // The Wait outlives EXPRESS's 5 minutes: the execution times out.
  EXPECT_EQ(out["status"], "TIMED_OUT");
  EXPECT_TRUE(out.contains("billingDetails"));
}

}  // namespace
}  // namespace stepfiber::api
