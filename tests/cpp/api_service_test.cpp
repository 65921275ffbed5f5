// The operation layer's versions, aliases, qualified ARNs, redrive, map runs
// and tags, driven as AWS JSON 1.0 requests through api::Service over a
// manual-clock Engine. Messages are AWS's (recorded) where known.
#include <map>
#include <regex>
#include <string>

#include <gtest/gtest.h>

#include "api/service.h"
#include "stepfiber/engine.h"
#include "test_json.h"

namespace stepfiber::api {
namespace {

constexpr const char* kRole = "arn:aws:iam::123456789012:role/r";
constexpr const char* kPass = R"({"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"Arg1":"argument1"},"End":true}}})";

EngineOptions manual_clock() {
  EngineOptions o;
  o.manual_clock = true;
  return o;
}

class ApiOps : public ::testing::Test {
 protected:
  Engine engine{manual_clock()};
  Service service{engine};

  /// Calls `op` and expects success; returns the answer.
  Json ok(const std::string& op, const Json& request) {
    Response r = service.call(op, dump_json(request));
    EXPECT_EQ(r.http_status, 200) << op << ": " << r.body;
    auto parsed = parse_json(r.body);
    return parsed.ok() ? parsed.value() : Json();
  }
  /// Calls `op` and expects the error `code`; returns its message.
  std::string fails(const std::string& op, const Json& request, const std::string& code) {
    Response r = service.call(op, dump_json(request));
    EXPECT_EQ(r.error_code, code) << op << ": " << r.body;
    auto parsed = parse_json(r.body);
    return parsed.ok() && parsed->contains("message") ? parsed.value()["message"].get<std::string>() : "";
  }
  std::string create(const std::string& name, const std::string& definition = kPass, Json extra = Json::object()) {
    Json req = {{"name", name}, {"definition", definition}, {"roleArn", kRole}};
    for (auto it = extra.begin(); it != extra.end(); ++it) req[it.key()] = it.value();
    return ok("CreateStateMachine", req)["stateMachineArn"].get<std::string>();
  }
  std::string start(const std::string& arn, const std::string& input = "{}") {
    return ok("StartExecution", Json{{"stateMachineArn", arn}, {"input", input}})["executionArn"].get<std::string>();
  }
  Json describe(const std::string& exec) { return ok("DescribeExecution", Json{{"executionArn", exec}}); }
  Json describe_machine(const std::string& arn) { return ok("DescribeStateMachine", Json{{"stateMachineArn", arn}}); }
  std::vector<std::string> history_types(const std::string& exec) {
    std::vector<std::string> out;
    const Json history = ok("GetExecutionHistory", Json{{"executionArn", exec}});
    for (const Json& e : history["events"]) {
      out.push_back(e["type"].get<std::string>());
    }
    return out;
  }
  std::string only_token(const std::string& exec) {
    Json tasks = ok("StepFiber.ListPendingTasks", Json{{"executionArn", exec}})["tasks"];
    EXPECT_EQ(tasks.size(), 1u);
    return tasks.empty() ? "" : tasks[0]["taskToken"].get<std::string>();
  }
  void advance(double seconds) { ok("StepFiber.AdvanceClock", Json{{"seconds", seconds}}); }
};

// ---- configurations ------------------------------------------------------------------------------

TEST_F(ApiOps, DescribeShowsAwsDefaultConfigurations) {
  const std::string arn = create("m");
  Json d = describe_machine(arn);
  EXPECT_EQ(d["loggingConfiguration"], J(R"({"level":"OFF","includeExecutionData":false})"));
  EXPECT_EQ(d["tracingConfiguration"], J(R"({"enabled":false})"));
  EXPECT_EQ(d["encryptionConfiguration"], J(R"({"type":"AWS_OWNED_KEY"})"));
  const std::string exec = start(arn);
  EXPECT_EQ(ok("DescribeStateMachineForExecution", Json{{"executionArn", exec}})["tracingConfiguration"],
            J(R"({"enabled":false})"));
  Json activity = ok("CreateActivity", Json{{"name", "a"}});
  EXPECT_EQ(ok("DescribeActivity", Json{{"activityArn", activity["activityArn"]}})["encryptionConfiguration"],
            J(R"({"type":"AWS_OWNED_KEY"})"));
}

TEST_F(ApiOps, GivenConfigurationsAreEchoedWithDefaultsFilledIn) {
  const Json dest = J(R"([{"cloudWatchLogsLogGroup":{"logGroupArn":"arn:aws:logs:us-east-1:123456789012:log-group:g:*"}}])");
  const std::string arn = create("m", kPass, Json{{"loggingConfiguration", {{"level", "ALL"}, {"destinations", dest}}},
                                                   {"tracingConfiguration", {{"enabled", true}}}});
  Json d = describe_machine(arn);
  EXPECT_EQ(d["loggingConfiguration"], (Json{{"level", "ALL"}, {"includeExecutionData", false}, {"destinations", dest}}));
  EXPECT_EQ(d["tracingConfiguration"], J(R"({"enabled":true})"));
  // OFF keeps an empty destination list; an update replaces the configuration, and a version keeps its own.
  ok("UpdateStateMachine", Json{{"stateMachineArn", arn}, {"loggingConfiguration", {{"destinations", Json::array()}}},
                                {"publish", true}});
  EXPECT_EQ(describe_machine(arn)["loggingConfiguration"],
            J(R"({"level":"OFF","includeExecutionData":false,"destinations":[]})"));
  ok("UpdateStateMachine", Json{{"stateMachineArn", arn}, {"tracingConfiguration", {{"enabled", false}}}});
  EXPECT_EQ(describe_machine(arn + ":1")["tracingConfiguration"], J(R"({"enabled":true})"));
  EXPECT_EQ(describe_machine(arn)["tracingConfiguration"], J(R"({"enabled":false})"));
}

TEST_F(ApiOps, LoggingNeedsExactlyOneDestinationUnlessOff) {
  const std::string message = "Invalid Logging Configuration: Must specify exactly one Log Destination.";
  const Json one = J(R"({"cloudWatchLogsLogGroup":{"logGroupArn":"arn:aws:logs:us-east-1:123456789012:log-group:g:*"}})");
  for (const char* level : {"ALL", "ERROR", "FATAL"}) {
    EXPECT_EQ(fails("CreateStateMachine",
                    Json{{"name", "x"}, {"definition", kPass}, {"roleArn", kRole}, {"loggingConfiguration", {{"level", level}}}},
                    "InvalidLoggingConfiguration"),
              message);
  }
  EXPECT_EQ(fails("CreateStateMachine",
                  Json{{"name", "x"}, {"definition", kPass}, {"roleArn", kRole},
                       {"loggingConfiguration", {{"level", "ALL"}, {"destinations", Json::array({one, one})}}}},
                  "InvalidLoggingConfiguration"),
            message);
  EXPECT_TRUE(fails("DescribeStateMachine", Json{{"stateMachineArn", "arn:aws:states:us-east-1:123456789012:stateMachine:x"}},
                    "StateMachineDoesNotExist").size() > 0) << "a refused create creates nothing";
  const std::string arn = create("m");
  EXPECT_EQ(fails("UpdateStateMachine", Json{{"stateMachineArn", arn}, {"loggingConfiguration", {{"level", "ALL"}}}},
                  "InvalidLoggingConfiguration"),
            message);
}

TEST_F(ApiOps, AnUpdateThatChangesNothingKeepsTheRevision) {
  const std::string arn = create("m");
  const std::string first = ok("UpdateStateMachine", Json{{"stateMachineArn", arn}, {"roleArn", kRole + std::string("2")}})["revisionId"];
  Json again = ok("UpdateStateMachine",
                  Json{{"stateMachineArn", arn}, {"definition", kPass}, {"roleArn", kRole + std::string("2")}});
  EXPECT_EQ(again["revisionId"], first);
  EXPECT_EQ(describe_machine(arn)["revisionId"], first);
  Json changed = ok("UpdateStateMachine", Json{{"stateMachineArn", arn}, {"tracingConfiguration", {{"enabled", true}}}});
  EXPECT_NE(changed["revisionId"], first);
}

TEST_F(ApiOps, InvalidExecutionInputUsesJacksonsWords) {
  const std::string arn = create("m");
  const std::string prefix = "Invalid State Machine Execution Input: '";
  EXPECT_EQ(fails("StartExecution", Json{{"stateMachineArn", arn}, {"input", "not some json"}}, "InvalidExecutionInput"),
            prefix + "Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', "
                     "'true' or 'false')'");
  EXPECT_EQ(fails("StartExecution", Json{{"stateMachineArn", arn}, {"input", "{'not': 'json'"}}, "InvalidExecutionInput"),
            prefix + "Unexpected character (''' (code 39)): was expecting double-quote to start field name'");
  EXPECT_EQ(fails("StartExecution", Json{{"stateMachineArn", arn}, {"input", ""}}, "InvalidExecutionInput"),
            prefix + "Invalid execution input.'");
}

TEST_F(ApiOps, DescribeListsTheVariablesEachStateReads) {
  const char* def = R"ASL({"StartAt":"Ask","States":{
    "Ask":{"Type":"Pass","Assign":{"guess.$":"$.g","limit":3},"Next":"Check"},
    "Check":{"Type":"Choice","Choices":[
       {"And":[{"Variable":"$guess","NumericEqualsPath":"$answer"},{"Variable":"$.x","IsPresent":true}],"Next":"Each"}],
     "Default":"Wrong"},
    "Wrong":{"Type":"Fail","ErrorPath":"$answer","CausePath":"States.Format('{} {}', $limit, $.y)"},
    "Each":{"Type":"Map","ItemsPath":"$items","MaxConcurrencyPath":"$limit",
      "ItemSelector":{"v.$":"$$.Map.Item.Value","plain":"$bucket","k.$":"States.ArrayGetItem($list, 0)"},
      "ItemProcessor":{"StartAt":"Sum","States":{"Sum":{"Type":"Pass","Parameters":{"s.$":"$total"},"End":true}}},
      "End":true}}})ASL";
  const std::string arn = create("refs", def);
  const Json expected = J(R"({"Check":["answer","guess"],"Wrong":["answer","limit"],
                              "Each":["items","limit","list"],"Sum":["total"]})");
  EXPECT_EQ(describe_machine(arn)["variableReferences"], expected);
  EXPECT_FALSE(describe_machine(create("plain"))["variableReferences"].is_object()) << "absent when nothing reads one";
}

TEST_F(ApiOps, StartSyncExecutionOnAStandardMachineIsNotSupported) {
  EXPECT_EQ(fails("StartSyncExecution", Json{{"stateMachineArn", create("m")}}, "StateMachineTypeNotSupported"),
            "This operation is not supported by this type of state machine");
}

// ---- versions ------------------------------------------------------------------------------------

TEST_F(ApiOps, CreateWithPublishAnswersVersionOne) {
  Json out = ok("CreateStateMachine", Json{{"name", "m"}, {"definition", kPass}, {"roleArn", kRole},
                                           {"publish", true}, {"versionDescription", "HelloWorld!"}});
  const std::string arn = out["stateMachineArn"];
  EXPECT_EQ(out["stateMachineVersionArn"], arn + ":1");
  Json v = ok("DescribeStateMachine", Json{{"stateMachineArn", arn + ":1"}});
  EXPECT_EQ(v["stateMachineArn"], arn + ":1");
  EXPECT_EQ(v["description"], "HelloWorld!");
  EXPECT_EQ(v["definition"], kPass);
  EXPECT_EQ(v["status"], "ACTIVE");
  EXPECT_FALSE(v.contains("revisionId"));
  Json base = ok("DescribeStateMachine", Json{{"stateMachineArn", arn}});
  EXPECT_EQ(base["stateMachineArn"], arn);
  EXPECT_FALSE(base.contains("description"));
}

TEST_F(ApiOps, VersionDescriptionNeedsPublish) {
  EXPECT_EQ(fails("CreateStateMachine",
                  Json{{"name", "m"}, {"definition", kPass}, {"roleArn", kRole}, {"versionDescription", "d"}},
                  "ValidationException"),
            "Version description can only be set when publish is true");
}

TEST_F(ApiOps, UpdateWithPublishNumbersVersionsAndListsNewestFirst) {
  const std::string arn = create("m");
  Json u1 = ok("UpdateStateMachine",
               Json{{"stateMachineArn", arn}, {"definition", R"({"Comment":"R1","StartAt":"P","States":{"P":{"Type":"Pass","End":true}}})"},
                    {"publish", true}});
  EXPECT_EQ(u1["stateMachineVersionArn"], arn + ":1");
  EXPECT_TRUE(u1.contains("revisionId"));
  Json u2 = ok("UpdateStateMachine",
               Json{{"stateMachineArn", arn}, {"definition", R"({"Comment":"R2","StartAt":"P","States":{"P":{"Type":"Pass","End":true}}})"},
                    {"publish", true}});
  EXPECT_EQ(u2["stateMachineVersionArn"], arn + ":2");
  Json list = ok("ListStateMachineVersions", Json{{"stateMachineArn", arn}});
  ASSERT_EQ(list["stateMachineVersions"].size(), 2u);
  EXPECT_EQ(list["stateMachineVersions"][0]["stateMachineVersionArn"], arn + ":2");
  EXPECT_EQ(list["stateMachineVersions"][1]["stateMachineVersionArn"], arn + ":1");
  Json v1 = ok("DescribeStateMachine", Json{{"stateMachineArn", arn + ":1"}});
  EXPECT_EQ(v1["revisionId"], u1["revisionId"]);
  // A version ARN is not an updatable machine (recorded).
  EXPECT_EQ(fails("UpdateStateMachine", Json{{"stateMachineArn", arn + ":2"}, {"definition", kPass}},
                  "StateMachineDoesNotExist"),
            "State Machine Does Not Exist: '" + arn + ":2'");
}

TEST_F(ApiOps, PublishIsIdempotentAndChecksTheRevision) {
  const std::string arn = create("m");
  Json p1 = ok("PublishStateMachineVersion", Json{{"stateMachineArn", arn}});
  Json p2 = ok("PublishStateMachineVersion", Json{{"stateMachineArn", arn}});
  EXPECT_EQ(p1["stateMachineVersionArn"], arn + ":1");
  EXPECT_EQ(p2["stateMachineVersionArn"], arn + ":1");
  EXPECT_EQ(p1["creationDate"], p2["creationDate"]);
  Json u1 = ok("UpdateStateMachine", Json{{"stateMachineArn", arn}, {"definition", R"({"StartAt":"Q","States":{"Q":{"Type":"Pass","End":true}}})"}});
  Json u2 = ok("UpdateStateMachine", Json{{"stateMachineArn", arn}, {"definition", kPass}});
  const std::string old_rev = u1["revisionId"], cur_rev = u2["revisionId"];
  EXPECT_EQ(fails("PublishStateMachineVersion", Json{{"stateMachineArn", arn}, {"revisionId", old_rev}},
                  "ConflictException"),
            "Failed to publish the State Machine version for revision " + old_rev +
                ". The current State Machine revision is " + cur_rev + ".");
  Json p3 = ok("PublishStateMachineVersion",
               Json{{"stateMachineArn", arn}, {"revisionId", cur_rev}, {"description", "d"}});
  EXPECT_EQ(p3["stateMachineVersionArn"], arn + ":2");
}

TEST_F(ApiOps, VersionNumbersAreNeverReused) {
  Json out = ok("CreateStateMachine", Json{{"name", "m"}, {"definition", kPass}, {"roleArn", kRole}, {"publish", true}});
  const std::string arn = out["stateMachineArn"];
  ok("UpdateStateMachine", Json{{"stateMachineArn", arn}, {"definition", R"({"Comment":"R2","StartAt":"P","States":{"P":{"Type":"Pass","End":true}}})"}, {"publish", true}});
  EXPECT_EQ(ok("DeleteStateMachineVersion", Json{{"stateMachineVersionArn", arn + ":2"}}), Json::object());
  EXPECT_EQ(ok("DeleteStateMachineVersion", Json{{"stateMachineVersionArn", arn + ":2"}}), Json::object());
  EXPECT_EQ(ok("PublishStateMachineVersion", Json{{"stateMachineArn", arn}})["stateMachineVersionArn"], arn + ":3");
  fails("DescribeStateMachine", Json{{"stateMachineArn", arn + ":2"}}, "StateMachineDoesNotExist");
}

TEST_F(ApiOps, UnchangedUpdateWithPublishReturnsTheVersionWithoutRevision) {
  Json out = ok("CreateStateMachine", Json{{"name", "m"}, {"definition", kPass}, {"roleArn", kRole}, {"publish", true}});
  const std::string arn = out["stateMachineArn"];
  Json u = ok("UpdateStateMachine", Json{{"stateMachineArn", arn}, {"definition", kPass}, {"publish", true}});
  EXPECT_EQ(u["stateMachineVersionArn"], arn + ":1");
  EXPECT_FALSE(u.contains("revisionId"));
  EXPECT_TRUE(u["updateDate"].is_number());
}

TEST_F(ApiOps, PublishErrorsAreAws) {
  EXPECT_EQ(fails("PublishStateMachineVersion", Json{{"stateMachineArn", "invalid_arn"}}, "InvalidArn"),
            "Invalid Arn: 'Invalid ARN prefix: invalid_arn'");
  const std::string missing = "arn:aws:states:us-east-1:123456789012:stateMachine:nope";
  EXPECT_EQ(fails("PublishStateMachineVersion", Json{{"stateMachineArn", missing}}, "StateMachineDoesNotExist"),
            "State Machine Does Not Exist: '" + missing + "'");
  fails("ListStateMachineVersions", Json{{"stateMachineArn", missing}, {"maxResults", 1001}}, "ValidationException");
}

TEST_F(ApiOps, ListVersionsPages) {
  const std::string arn = create("m");
  for (int i = 1; i <= 13; ++i) {
    ok("UpdateStateMachine", Json{{"stateMachineArn", arn},
                                  {"definition", "{\"Comment\":\"R" + std::to_string(i) + "\",\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"End\":true}}}"},
                                  {"publish", true}});
  }
  Json p1 = ok("ListStateMachineVersions", Json{{"stateMachineArn", arn}, {"maxResults", 10}});
  ASSERT_EQ(p1["stateMachineVersions"].size(), 10u);
  EXPECT_EQ(p1["stateMachineVersions"][0]["stateMachineVersionArn"], arn + ":13");
  ASSERT_TRUE(p1.contains("nextToken"));
  Json p2 = ok("ListStateMachineVersions", Json{{"stateMachineArn", arn}, {"nextToken", p1["nextToken"]}});
  ASSERT_EQ(p2["stateMachineVersions"].size(), 3u);
  EXPECT_EQ(p2["stateMachineVersions"][2]["stateMachineVersionArn"], arn + ":1");
  EXPECT_FALSE(p2.contains("nextToken"));
}

// ---- aliases -------------------------------------------------------------------------------------

class ApiAliases : public ApiOps {
 protected:
  std::string arn;
  void SetUp() override {
    arn = ok("CreateStateMachine", Json{{"name", "m"}, {"definition", kPass}, {"roleArn", kRole}, {"publish", true}})
              ["stateMachineArn"];
    ok("UpdateStateMachine", Json{{"stateMachineArn", arn}, {"definition", R"({"Comment":"v2","StartAt":"P","States":{"P":{"Type":"Pass","Result":2,"End":true}}})"}, {"publish", true}});
  }
  static Json route(const std::string& version, int weight) {
    return Json{{"stateMachineVersionArn", version}, {"weight", weight}};
  }
};

TEST_F(ApiAliases, LifecycleCreateDescribeUpdateDelete) {
  Json created = ok("CreateStateMachineAlias", Json{{"name", "live"}, {"description", "d"},
                                                    {"routingConfiguration", Json::array({route(arn + ":1", 100)})}});
  const std::string alias = arn + ":live";
  EXPECT_EQ(created["stateMachineAliasArn"], alias);
  // Idempotent with the same description and routing.
  Json again = ok("CreateStateMachineAlias", Json{{"name", "live"}, {"description", "d"},
                                                  {"routingConfiguration", Json::array({route(arn + ":1", 100)})}});
  EXPECT_EQ(again["creationDate"], created["creationDate"]);
  EXPECT_EQ(fails("CreateStateMachineAlias", Json{{"name", "live"}, {"description", "other"},
                                                  {"routingConfiguration", Json::array({route(arn + ":1", 100)})}},
                  "ConflictException"),
            "Failed to create alias because an alias with the same name and a different routing configuration "
            "already exists.");
  Json d = ok("DescribeStateMachineAlias", Json{{"stateMachineAliasArn", alias}});
  EXPECT_EQ(d["name"], "live");
  EXPECT_EQ(d["description"], "d");
  EXPECT_EQ(d["routingConfiguration"], Json::array({route(arn + ":1", 100)}));
  ok("UpdateStateMachineAlias", Json{{"stateMachineAliasArn", alias}, {"description", "new description"}});
  ok("UpdateStateMachineAlias", Json{{"stateMachineAliasArn", alias},
                                     {"routingConfiguration", Json::array({route(arn + ":1", 50), route(arn + ":2", 50)})}});
  d = ok("DescribeStateMachineAlias", Json{{"stateMachineAliasArn", alias}});
  EXPECT_EQ(d["description"], "new description");
  EXPECT_EQ(d["routingConfiguration"].size(), 2u);
  EXPECT_EQ(fails("DeleteStateMachineVersion", Json{{"stateMachineVersionArn", arn + ":1"}}, "ConflictException"),
            "Version to be deleted must not be referenced by an alias. Current list of aliases referencing this "
            "version: [live]");
  Json listed = ok("ListStateMachineAliases", Json{{"stateMachineArn", arn + ":2"}});
  ASSERT_EQ(listed["stateMachineAliases"].size(), 1u);
  EXPECT_EQ(listed["stateMachineAliases"][0]["stateMachineAliasArn"], alias);
  EXPECT_EQ(ok("DeleteStateMachineAlias", Json{{"stateMachineAliasArn", alias}}), Json::object());
  EXPECT_EQ(ok("DeleteStateMachineAlias", Json{{"stateMachineAliasArn", alias}}), Json::object());
  EXPECT_EQ(fails("UpdateStateMachineAlias", Json{{"stateMachineAliasArn", alias}, {"description", "x"}},
                  "ResourceNotFound"),
            "Request references a resource that does not exist.");
  fails("DescribeStateMachineAlias", Json{{"stateMachineAliasArn", alias}}, "ResourceNotFound");
  EXPECT_EQ(ok("DeleteStateMachineVersion", Json{{"stateMachineVersionArn", arn + ":1"}}), Json::object());
}

TEST_F(ApiAliases, RoutingConfigurationErrorsAreAws) {
  EXPECT_EQ(fails("CreateStateMachineAlias",
                  Json{{"name", "a"}, {"routingConfiguration", Json::array({route(arn, 100)})}}, "ValidationException"),
            "Routing configuration must contain state machine version ARNs. Received: [" + arn + "]");
  EXPECT_EQ(fails("CreateStateMachineAlias",
                  Json{{"name", "a"}, {"routingConfiguration", Json::array({route(arn + ":1", 50), route(arn + ":1", 50)})}},
                  "ValidationException"),
            "Routing configuration must contain distinct state machine version ARNs. Received: [" + arn + ":1, " +
                arn + ":1]");
  EXPECT_EQ(fails("CreateStateMachineAlias",
                  Json{{"name", "a"}, {"routingConfiguration", Json::array({route(arn + ":1", 70), route(arn + ":2", 29)})}},
                  "ValidationException"),
            "Sum of routing configuration weights must equal 100. Received: [70, 29]");
  fails("CreateStateMachineAlias",
        Json{{"name", "a"}, {"routingConfiguration", Json::array({route(arn + ":1", 101)})}}, "ValidationException");
  fails("CreateStateMachineAlias",
        Json{{"name", "a"},
             {"routingConfiguration", Json::array({route(arn + ":1", 50), route(arn + ":2", 30), route(arn + ":3", 20)})}},
        "ValidationException");
  fails("CreateStateMachineAlias", Json{{"name", "a"}, {"routingConfiguration", Json::array({route(arn + ":9", 100)})}},
        "ResourceNotFound");
}

TEST_F(ApiAliases, StartsSplitByWeight) {
  ok("CreateStateMachineAlias", Json{{"name", "split"},
                                     {"routingConfiguration", Json::array({route(arn + ":1", 30), route(arn + ":2", 70)})}});
  const std::string alias = arn + ":split";
  constexpr int kStarts = 10000;
  std::map<std::string, int> by_version;
  for (int i = 0; i < kStarts; ++i) {
    Json d = describe(start(alias));
    EXPECT_EQ(d["stateMachineAliasArn"], alias);
    EXPECT_EQ(d["stateMachineArn"], arn);
    ++by_version[d["stateMachineVersionArn"].get<std::string>()];
  }
  // 30% of 10,000 with sd ~46: 2,700..3,300 is over 6 sd either side.
  EXPECT_GT(by_version[arn + ":1"], 2700);
  EXPECT_LT(by_version[arn + ":1"], 3300);
  EXPECT_EQ(by_version[arn + ":1"] + by_version[arn + ":2"], kStarts);
}

TEST_F(ApiAliases, QualifiedArnsInExecutions) {
  ok("CreateStateMachineAlias", Json{{"name", "live"}, {"routingConfiguration", Json::array({route(arn + ":2", 100)})}});
  const std::string via_alias = start(arn + ":live");
  const std::string via_version = start(arn + ":1");
  const std::string plain = start(arn);
  Json a = describe(via_alias);
  EXPECT_EQ(a["status"], "SUCCEEDED");
  EXPECT_EQ(a["output"], "2");
  EXPECT_EQ(a["stateMachineArn"], arn);
  EXPECT_EQ(a["stateMachineVersionArn"], arn + ":2");
  EXPECT_EQ(a["stateMachineAliasArn"], arn + ":live");
  EXPECT_EQ(a["redriveCount"], 0);
  EXPECT_EQ(a["redriveStatus"], "NOT_REDRIVABLE");
  EXPECT_EQ(a["redriveStatusReason"], "Execution is SUCCEEDED and cannot be redriven");
  Json v = describe(via_version);
  EXPECT_EQ(v["output"], R"({"Arg1":"argument1"})");
  EXPECT_EQ(v["stateMachineVersionArn"], arn + ":1");
  EXPECT_FALSE(v.contains("stateMachineAliasArn"));
  EXPECT_FALSE(describe(plain).contains("stateMachineVersionArn"));
  EXPECT_EQ(ok("ListExecutions", Json{{"stateMachineArn", arn}})["executions"].size(), 3u);
  Json by_version = ok("ListExecutions", Json{{"stateMachineArn", arn + ":1"}})["executions"];
  ASSERT_EQ(by_version.size(), 1u);
  EXPECT_EQ(by_version[0]["executionArn"], via_version);
  EXPECT_EQ(by_version[0]["redriveCount"], 0);
  Json by_alias = ok("ListExecutions", Json{{"stateMachineArn", arn + ":live"}})["executions"];
  ASSERT_EQ(by_alias.size(), 1u);
  EXPECT_EQ(by_alias[0]["stateMachineAliasArn"], arn + ":live");
  Json sm = ok("DescribeStateMachineForExecution", Json{{"executionArn", via_version}});
  EXPECT_EQ(sm["stateMachineArn"], arn);
  EXPECT_EQ(sm["definition"], kPass);
  EXPECT_EQ(fails("StartExecution", Json{{"stateMachineArn", arn + ":7"}}, "StateMachineDoesNotExist"),
            "State Machine Does Not Exist: '" + arn + ":7'");
  fails("StartExecution", Json{{"stateMachineArn", arn + ":nolias"}}, "StateMachineDoesNotExist");
  fails("DescribeStateMachine", Json{{"stateMachineArn", arn + ":live"}}, "StateMachineDoesNotExist");
  // Deleting the machine takes its versions and aliases along.
  ok("DeleteStateMachine", Json{{"stateMachineArn", arn}});
  fails("StartExecution", Json{{"stateMachineArn", arn + ":1"}}, "StateMachineDoesNotExist");
}

TEST_F(ApiOps, StartSyncExecutionOnExpressVersion) {
  Json out = ok("CreateStateMachine", Json{{"name", "x"}, {"definition", kPass}, {"roleArn", kRole}, {"type", "EXPRESS"},
                                           {"publish", true}});
  Json r = ok("StartSyncExecution", Json{{"stateMachineArn", out["stateMachineVersionArn"]}});
  EXPECT_EQ(r["status"], "SUCCEEDED");
  EXPECT_EQ(r["output"], R"({"Arg1":"argument1"})");
}

// ---- redrive -------------------------------------------------------------------------------------

constexpr const char* kCallback =
    R"({"StartAt":"Set","States":{)"
    R"("Set":{"Type":"Pass","Assign":{"x":41},"Result":{"v":1},"Next":"Wait4Token"},)"
    R"("Wait4Token":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",)"
    R"("Parameters":{"t.$":"$$.Task.Token","c.$":"$$.Execution.RedriveCount"},"ResultPath":"$.r","Next":"Done"},)"
    R"("Done":{"Type":"Pass","Parameters":{"x.$":"$x","v.$":"$.v","r.$":"$.r"},"End":true}}})";

TEST_F(ApiOps, RedriveRestartsAtTheFailedState) {
  const std::string arn = create("cb", kCallback);
  const std::string exec = start(arn);
  ok("SendTaskFailure", Json{{"taskToken", only_token(exec)}, {"error", "Boom"}, {"cause", "bad"}});
  Json d = describe(exec);
  EXPECT_EQ(d["status"], "FAILED");
  EXPECT_EQ(d["redriveStatus"], "REDRIVABLE");
  EXPECT_FALSE(d.contains("redriveStatusReason"));
  EXPECT_EQ(d["redriveCount"], 0);
  Json red = ok("RedriveExecution", Json{{"executionArn", exec}});
  EXPECT_TRUE(red["redriveDate"].is_number());
  d = describe(exec);
  EXPECT_EQ(d["status"], "RUNNING");
  EXPECT_EQ(d["redriveCount"], 1);
  EXPECT_EQ(d["redriveDate"], red["redriveDate"]);
  EXPECT_FALSE(d.contains("error"));
  EXPECT_EQ(fails("RedriveExecution", Json{{"executionArn", exec}}, "ExecutionNotRedrivable"),
            "Execution is RUNNING and cannot be redriven");
  ok("SendTaskSuccess", Json{{"taskToken", only_token(exec)}, {"output", "\"ok\""}});
  d = describe(exec);
  EXPECT_EQ(d["status"], "SUCCEEDED");
  // The variable assigned before the failure and the failed state's input survive.
  EXPECT_EQ(J(d["output"].get<std::string>()), J(R"({"x":41,"v":1,"r":"ok"})"));
  const std::vector<std::string> types = history_types(exec);
  const std::vector<std::string> expected = {
      "ExecutionStarted", "PassStateEntered", "PassStateExited", "TaskStateEntered", "TaskScheduled", "TaskStarted",
      "TaskFailed",       "ExecutionFailed",  "ExecutionRedriven", "TaskStateEntered", "TaskScheduled",
      "TaskStarted",      "TaskSucceeded",    "TaskStateExited",   "PassStateEntered", "PassStateExited",
      "ExecutionSucceeded"};
  EXPECT_EQ(types, expected);
  Json events = ok("GetExecutionHistory", Json{{"executionArn", exec}})["events"];
  EXPECT_EQ(events[8]["executionRedrivenEventDetails"], J(R"({"redriveCount":1})"));
  EXPECT_EQ(events[8]["previousEventId"], 8);
  EXPECT_EQ(events[9]["previousEventId"], 9);
  // $$.Execution.RedriveCount in the second attempt's parameters.
  EXPECT_NE(events[10]["taskScheduledEventDetails"]["parameters"].get<std::string>().find("\"c\":1"),
            std::string::npos);
  EXPECT_EQ(fails("RedriveExecution", Json{{"executionArn", exec}}, "ExecutionNotRedrivable"),
            "Execution is SUCCEEDED and cannot be redriven");
  Json redriven = ok("ListExecutions", Json{{"stateMachineArn", arn}, {"redriveFilter", "REDRIVEN"}})["executions"];
  ASSERT_EQ(redriven.size(), 1u);
  EXPECT_EQ(redriven[0]["redriveCount"], 1);
  EXPECT_TRUE(redriven[0].contains("redriveDate"));
  EXPECT_TRUE(ok("ListExecutions", Json{{"stateMachineArn", arn}, {"redriveFilter", "NOT_REDRIVEN"}})["executions"].empty());
}

TEST_F(ApiOps, RedriveAfterStopAndClientTokenIdempotency) {
  const std::string arn = create("cb", kCallback);
  const std::string exec = start(arn);
  (void)only_token(exec);
  ok("StopExecution", Json{{"executionArn", exec}, {"error", "E"}});
  EXPECT_EQ(describe(exec)["status"], "ABORTED");
  Json first = ok("RedriveExecution", Json{{"executionArn", exec}, {"clientToken", "tok-1"}});
  advance(1);
  Json second = ok("RedriveExecution", Json{{"executionArn", exec}, {"clientToken", "tok-1"}});
  EXPECT_EQ(first["redriveDate"], second["redriveDate"]);
  EXPECT_EQ(describe(exec)["redriveCount"], 1);
  ok("SendTaskSuccess", Json{{"taskToken", only_token(exec)}, {"output", "1"}});
  EXPECT_EQ(describe(exec)["status"], "SUCCEEDED");
}

TEST_F(ApiOps, RedriveWindowIsFourteenDays) {
  const std::string exec = start(create("cb", kCallback));
  ok("SendTaskFailure", Json{{"taskToken", only_token(exec)}});
  advance(14.0 * 24 * 3600 - 1);
  EXPECT_EQ(describe(exec)["redriveStatus"], "REDRIVABLE");
  advance(2);
  Json d = describe(exec);
  EXPECT_EQ(d["redriveStatus"], "NOT_REDRIVABLE");
  EXPECT_EQ(d["redriveStatusReason"], "Execution redrivable period exceeded");
  EXPECT_EQ(fails("RedriveExecution", Json{{"executionArn", exec}}, "ExecutionNotRedrivable"),
            "Execution redrivable period exceeded");
}

TEST_F(ApiOps, RedriveResetsTheMachineTimeout) {
  const std::string def =
      R"({"TimeoutSeconds":10,"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Parameters":{"t.$":"$$.Task.Token"},"End":true}}})";
  const std::string exec = start(create("t", def));
  advance(11);
  EXPECT_EQ(describe(exec)["status"], "TIMED_OUT");
  ok("RedriveExecution", Json{{"executionArn", exec}});
  advance(5);
  EXPECT_EQ(describe(exec)["status"], "RUNNING");
  advance(6);
  EXPECT_EQ(describe(exec)["status"], "TIMED_OUT");
  EXPECT_EQ(describe(exec)["redriveCount"], 1);
}

// A Parallel of two callback branches, and an inline Map of callbacks: a
// redrive reruns only the branches and iterations that did not succeed.
constexpr const char* kParallelCallbacks =
    R"({"StartAt":"Both","States":{"Both":{"Type":"Parallel","End":true,"Branches":[)"
    R"({"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",)"
    R"("Parameters":{"t.$":"$$.Task.Token"},"End":true}}},)"
    R"({"StartAt":"B","States":{"B":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",)"
    R"("Parameters":{"t.$":"$$.Task.Token"},"End":true}}}]}}})";
constexpr const char* kMapCallbacks =
    R"({"StartAt":"Each","States":{"Each":{"Type":"Map","End":true,"ItemProcessor":{"StartAt":"Ask","States":{)"
    R"("Ask":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",)"
    R"("Parameters":{"t.$":"$$.Task.Token","item.$":"$"},"End":true}}}}}})";

/// The open tokens of `exec` by state name (and the item, for a Map).
std::map<std::string, std::string> tokens_by(const Json& tasks) {
  std::map<std::string, std::string> out;
  for (const Json& t : tasks) {
    std::string key = t["stateName"].get<std::string>();
    const Json params = t["parameters"].is_string() ? J(t["parameters"].get<std::string>()) : t["parameters"];
    if (params.contains("item")) key += dump_json(params["item"]);
    out[key] = t["taskToken"].get<std::string>();
  }
  return out;
}

std::size_t count_of(const std::vector<std::string>& types, const std::string& type, std::size_t from = 0) {
  std::size_t n = 0;
  for (std::size_t i = from; i < types.size(); ++i) n += types[i] == type;
  return n;
}

std::size_t index_of(const std::vector<std::string>& types, const std::string& type) {
  for (std::size_t i = 0; i < types.size(); ++i) {
    if (types[i] == type) return i;
  }
  return types.size();
}

TEST_F(ApiOps, RedriveRerunsOnlyTheParallelBranchesThatFailed) {
  const std::string exec = start(create("par", kParallelCallbacks), R"({"in":1})");
  auto open = tokens_by(ok("StepFiber.ListPendingTasks", Json{{"executionArn", exec}})["tasks"]);
  ASSERT_EQ(open.size(), 2u);
  ok("SendTaskSuccess", Json{{"taskToken", open["A"]}, {"output", R"("a-first")"}});
  ok("SendTaskFailure", Json{{"taskToken", open["B"]}, {"error", "Boom"}});
  ASSERT_EQ(describe(exec)["status"], "FAILED");
  ok("RedriveExecution", Json{{"executionArn", exec}});
  open = tokens_by(ok("StepFiber.ListPendingTasks", Json{{"executionArn", exec}})["tasks"]);
  ASSERT_EQ(open.size(), 1u) << "only the failed branch runs again";
  ASSERT_EQ(open.count("B"), 1u);
  ok("SendTaskSuccess", Json{{"taskToken", open["B"]}, {"output", R"("b-second")"}});
  Json d = describe(exec);
  EXPECT_EQ(d["status"], "SUCCEEDED");
  EXPECT_EQ(J(d["output"].get<std::string>()), J(R"(["a-first","b-second"])"));
  const auto types = history_types(exec);
  const std::size_t redriven = index_of(types, "ExecutionRedriven");
  ASSERT_LT(redriven, types.size());
  EXPECT_EQ(count_of(types, "TaskScheduled", redriven), 1u);
  EXPECT_EQ(count_of(types, "ParallelStateStarted", redriven), 1u);
}

TEST_F(ApiOps, RedriveRerunsOnlyTheMapIterationsThatFailed) {
  const std::string exec = start(create("map", kMapCallbacks), "[10,11,12]");
  auto open = tokens_by(ok("StepFiber.ListPendingTasks", Json{{"executionArn", exec}})["tasks"]);
  ASSERT_EQ(open.size(), 3u);
  ok("SendTaskSuccess", Json{{"taskToken", open["Ask10"]}, {"output", "0"}});
  ok("SendTaskSuccess", Json{{"taskToken", open["Ask12"]}, {"output", "2"}});
  ok("SendTaskFailure", Json{{"taskToken", open["Ask11"]}, {"error", "Boom"}});
  ASSERT_EQ(describe(exec)["status"], "FAILED");
  ok("RedriveExecution", Json{{"executionArn", exec}});
  open = tokens_by(ok("StepFiber.ListPendingTasks", Json{{"executionArn", exec}})["tasks"]);
  ASSERT_EQ(open.size(), 1u) << "only the failed iteration runs again";
  ASSERT_EQ(open.count("Ask11"), 1u);
  ok("SendTaskSuccess", Json{{"taskToken", open["Ask11"]}, {"output", R"("one")"}});
  Json d = describe(exec);
  EXPECT_EQ(d["status"], "SUCCEEDED");
  EXPECT_EQ(J(d["output"].get<std::string>()), J(R"([0,"one",2])"));
  const auto types = history_types(exec);
  const std::size_t redriven = index_of(types, "ExecutionRedriven");
  EXPECT_EQ(count_of(types, "MapIterationStarted", redriven), 1u);
}

TEST_F(ApiOps, RedriveAfterStopRerunsTheAbortedBranchOnly) {
  const std::string exec = start(create("par", kParallelCallbacks));
  auto open = tokens_by(ok("StepFiber.ListPendingTasks", Json{{"executionArn", exec}})["tasks"]);
  ok("SendTaskSuccess", Json{{"taskToken", open["B"]}, {"output", R"("b-first")"}});
  ok("StopExecution", Json{{"executionArn", exec}});
  ASSERT_EQ(describe(exec)["status"], "ABORTED");
  ok("RedriveExecution", Json{{"executionArn", exec}});
  open = tokens_by(ok("StepFiber.ListPendingTasks", Json{{"executionArn", exec}})["tasks"]);
  ASSERT_EQ(open.size(), 1u);
  ASSERT_EQ(open.count("A"), 1u);
  ok("SendTaskSuccess", Json{{"taskToken", open["A"]}, {"output", R"("a-second")"}});
  EXPECT_EQ(J(describe(exec)["output"].get<std::string>()), J(R"(["a-second","b-first"])"));
}

TEST_F(ApiOps, RedriveOfALaterStateDoesNotReuseAnEarlierParallel) {
  // The Parallel fails, is caught, and the execution fails later: the redrive
  // restarts at the later state, and nothing of the Parallel is kept for it.
  const char* def =
      R"({"StartAt":"Both","States":{"Both":{"Type":"Parallel","Next":"Last",)"
      R"("Catch":[{"ErrorEquals":["States.ALL"],"Next":"Last"}],"Branches":[)"
      R"({"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}},)"
      R"({"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E"}}}]},)"
      R"("Last":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",)"
      R"("Parameters":{"t.$":"$$.Task.Token"},"End":true}}})";
  const std::string exec = start(create("later", def));
  ok("SendTaskFailure", Json{{"taskToken", only_token(exec)}, {"error", "Boom"}});
  ok("RedriveExecution", Json{{"executionArn", exec}});
  ok("SendTaskSuccess", Json{{"taskToken", only_token(exec)}, {"output", "1"}});
  EXPECT_EQ(describe(exec)["status"], "SUCCEEDED");
  EXPECT_EQ(count_of(history_types(exec), "ParallelStateStarted"), 1u);
}

TEST_F(ApiOps, RedriveErrors) {
  EXPECT_EQ(fails("RedriveExecution", Json{{"executionArn", "nope"}}, "InvalidArn"),
            "Invalid Arn: 'Invalid ARN prefix: nope'");
  const std::string missing = "arn:aws:states:us-east-1:123456789012:execution:m:e";
  EXPECT_EQ(fails("RedriveExecution", Json{{"executionArn", missing}}, "ExecutionDoesNotExist"),
            "Execution Does Not Exist: '" + missing + "'");
  Json out = ok("CreateStateMachine", Json{{"name", "x"}, {"definition", R"({"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E"}}})"},
                                           {"roleArn", kRole}, {"type", "EXPRESS"}});
  Json sync = ok("StartSyncExecution", Json{{"stateMachineArn", out["stateMachineArn"]}});
  EXPECT_EQ(sync["status"], "FAILED");
  EXPECT_FALSE(sync.contains("redriveCount"));
  fails("RedriveExecution", Json{{"executionArn", sync["executionArn"]}}, "ExecutionNotRedrivable");
}

// ---- map runs ------------------------------------------------------------------------------------

constexpr const char* kDistributed =
    R"({"StartAt":"M","States":{"M":{"Type":"Map","Label":"lbl","MaxConcurrency":2,)"
    R"("ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},)"
    R"("StartAt":"I","States":{"I":{"Type":"Pass","End":true}}},"End":true}}})";

TEST_F(ApiOps, DistributedMapHasAMapRun) {
  const std::string arn = create("dm", kDistributed);
  const std::string exec = start(arn, "[1,2,3]");
  EXPECT_EQ(describe(exec)["status"], "SUCCEEDED");
  Json runs = ok("ListMapRuns", Json{{"executionArn", exec}})["mapRuns"];
  ASSERT_EQ(runs.size(), 1u);
  const std::string run = runs[0]["mapRunArn"];
  EXPECT_TRUE(std::regex_match(run, std::regex("arn:aws:states:us-east-1:123456789012:mapRun:dm/lbl:[0-9a-f-]{36}")))
      << run;
  EXPECT_EQ(runs[0]["stateMachineArn"], arn + "/lbl");
  EXPECT_EQ(runs[0]["executionArn"], exec);
  Json events = ok("GetExecutionHistory", Json{{"executionArn", exec}})["events"];
  bool started = false;
  for (const Json& e : events) {
    if (e["type"] == "MapRunStarted") {
      EXPECT_EQ(e["mapRunStartedEventDetails"]["mapRunArn"], run);
      started = true;
    }
  }
  EXPECT_TRUE(started);
  Json d = ok("DescribeMapRun", Json{{"mapRunArn", run}});
  EXPECT_EQ(d["status"], "SUCCEEDED");
  EXPECT_EQ(d["maxConcurrency"], 2);
  EXPECT_EQ(d["toleratedFailureCount"], 0);
  EXPECT_EQ(d["itemCounts"], J(R"({"pending":0,"running":0,"succeeded":3,"failed":0,"timedOut":0,"aborted":0,"total":3,"resultsWritten":3})"));
  EXPECT_EQ(d["executionCounts"], d["itemCounts"]);
  EXPECT_TRUE(d.contains("stopDate"));
  Json children = ok("ListExecutions", Json{{"mapRunArn", run}})["executions"];
  ASSERT_EQ(children.size(), 3u);
  for (const Json& c : children) {
    EXPECT_EQ(c["status"], "SUCCEEDED");
    EXPECT_EQ(c["stateMachineArn"], arn + "/lbl");
    EXPECT_EQ(c["mapRunArn"], run);
    EXPECT_EQ(c["executionArn"].get<std::string>().rfind("arn:aws:states:us-east-1:123456789012:execution:dm/lbl:", 0), 0u);
  }
  ok("UpdateMapRun", Json{{"mapRunArn", run}, {"maxConcurrency", 5}, {"toleratedFailurePercentage", 10.5}});
  d = ok("DescribeMapRun", Json{{"mapRunArn", run}});
  EXPECT_EQ(d["maxConcurrency"], 5);
  EXPECT_EQ(d["toleratedFailurePercentage"], 10.5);
  fails("UpdateMapRun", Json{{"mapRunArn", run}}, "ValidationException");
  EXPECT_EQ(fails("DescribeMapRun", Json{{"mapRunArn", run + "x"}}, "ResourceNotFound"),
            "Resource not found: '" + run + "x'");
  fails("ListExecutions", Json{{"mapRunArn", run + "x"}}, "ResourceNotFound");
  fails("ListMapRuns", Json{{"executionArn", exec + "x"}}, "ExecutionDoesNotExist");
}

TEST_F(ApiOps, FailedDistributedMapRunCountsFailures) {
  const std::string def =
      R"({"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":1,)"
      R"("ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},)"
      R"("StartAt":"F","States":{"F":{"Type":"Fail","Error":"E"}}},"End":true}}})";
  const std::string exec = start(create("dmf", def), "[1,2]");
  EXPECT_EQ(describe(exec)["status"], "FAILED");
  Json runs = ok("ListMapRuns", Json{{"executionArn", exec}})["mapRuns"];
  ASSERT_EQ(runs.size(), 1u);
  // Without a Label the run's name part is a UUID.
  EXPECT_TRUE(std::regex_match(runs[0]["mapRunArn"].get<std::string>(),
                               std::regex(".*:mapRun:dmf/[0-9a-f-]{36}:[0-9a-f-]{36}")));
  Json d = ok("DescribeMapRun", Json{{"mapRunArn", runs[0]["mapRunArn"]}});
  EXPECT_EQ(d["status"], "FAILED");
  EXPECT_EQ(d["itemCounts"]["failed"], 1);
  EXPECT_EQ(d["itemCounts"]["total"], 2);
  Json children = ok("ListExecutions", Json{{"mapRunArn", runs[0]["mapRunArn"]}})["executions"];
  ASSERT_EQ(children.size(), 1u);
  EXPECT_EQ(children[0]["status"], "FAILED");
  EXPECT_NE(children[0]["executionArn"].get<std::string>().find(":express:dmf/"), std::string::npos);
}

// ---- tags ----------------------------------------------------------------------------------------

TEST_F(ApiOps, TagsOnStateMachines) {
  const std::string arn = create("m", kPass, Json{{"tags", J(R"([{"key":"key1","value":"value1"},{"key":"key2","value":"value2"}])")}});
  EXPECT_EQ(ok("ListTagsForResource", Json{{"resourceArn", arn}})["tags"],
            J(R"([{"key":"key1","value":"value1"},{"key":"key2","value":"value2"}])"));
  EXPECT_EQ(ok("TagResource", Json{{"resourceArn", arn}, {"tags", J(R"([{"key":"key1","value":""},{"key":"key3","value":"v3"}])")}}),
            Json::object());
  EXPECT_EQ(ok("ListTagsForResource", Json{{"resourceArn", arn}})["tags"],
            J(R"([{"key":"key1","value":""},{"key":"key2","value":"value2"},{"key":"key3","value":"v3"}])"));
  EXPECT_EQ(ok("UntagResource", Json{{"resourceArn", arn}, {"tagKeys", J(R"(["key1","key1","nope"])")}}), Json::object());
  EXPECT_EQ(ok("ListTagsForResource", Json{{"resourceArn", arn}})["tags"].size(), 2u);
  // Versions are not taggable (recorded).
  ok("PublishStateMachineVersion", Json{{"stateMachineArn", arn}});
  EXPECT_EQ(fails("TagResource", Json{{"resourceArn", arn + ":1"}, {"tags", J(R"([{"key":"k","value":"v"}])")}},
                  "ResourceNotFound"),
            "Resource not found: '" + arn + ":1'");
  EXPECT_EQ(fails("ListTagsForResource", Json{{"resourceArn", "nope"}}, "InvalidArn"),
            "Invalid Arn: 'Invalid ARN prefix: nope'");
  fails("TagResource", Json{{"resourceArn", arn}, {"tags", J(R"([{"key":"","value":"v"}])")}}, "ValidationException");
  // Deleting the machine drops its tags.
  ok("DeleteStateMachine", Json{{"stateMachineArn", arn}});
  fails("ListTagsForResource", Json{{"resourceArn", arn}}, "ResourceNotFound");
  create("m");
  EXPECT_TRUE(ok("ListTagsForResource", Json{{"resourceArn", arn}})["tags"].empty());
}

TEST_F(ApiOps, FiftyTagsPerResource) {
  Json fifty = Json::array();
  for (int i = 0; i < 50; ++i) fifty.push_back(Json{{"key", "k" + std::to_string(i)}, {"value", "v"}});
  const std::string arn = create("m", kPass, Json{{"tags", fifty}});
  EXPECT_EQ(ok("ListTagsForResource", Json{{"resourceArn", arn}})["tags"].size(), 50u);
  ok("TagResource", Json{{"resourceArn", arn}, {"tags", J(R"([{"key":"k0","value":"again"}])")}});  // overwrite: still 50
  const std::string msg =
      fails("TagResource", Json{{"resourceArn", arn}, {"tags", J(R"([{"key":"k50","value":"v"}])")}}, "TooManyTags");
  EXPECT_NE(msg.find(arn), std::string::npos);
  Json fifty_one = fifty;
  fifty_one.push_back(Json{{"key", "k50"}, {"value", "v"}});
  fails("CreateStateMachine", Json{{"name", "m2"}, {"definition", kPass}, {"roleArn", kRole}, {"tags", fifty_one}},
        "TooManyTags");
  fails("DescribeStateMachine", Json{{"stateMachineArn", "arn:aws:states:us-east-1:123456789012:stateMachine:m2"}},
        "StateMachineDoesNotExist");
}

TEST_F(ApiOps, TagsOnActivities) {
  Json a = ok("CreateActivity", Json{{"name", "act"}, {"tags", J(R"([{"key":"team","value":"x"}])")}});
  const std::string arn = a["activityArn"];
  EXPECT_EQ(ok("ListTagsForResource", Json{{"resourceArn", arn}})["tags"], J(R"([{"key":"team","value":"x"}])"));
  ok("UntagResource", Json{{"resourceArn", arn}, {"tagKeys", J(R"(["team"])")}});
  EXPECT_TRUE(ok("ListTagsForResource", Json{{"resourceArn", arn}})["tags"].empty());
  ok("DeleteActivity", Json{{"activityArn", arn}});
  fails("ListTagsForResource", Json{{"resourceArn", arn}}, "ResourceNotFound");
}

}  // namespace
}  // namespace stepfiber::api
