// Walks the parsed definition once and builds the Program; every problem
// becomes a Diagnostic with AWS's code and a JSON-pointer location.
#include "asl/compiler.h"

#include <cmath>
#include <set>
#include <unordered_map>
#include <utility>

#include "asl/jsonata_fields.h"
#include "asl/validator.h"
#include "choice/timestamp.h"
#include "stepfiber/json.h"

namespace stepfiber::asl {
namespace {

constexpr std::string_view kSchema = "SCHEMA_VALIDATION_FAILED";

/// Fields each state type accepts (JSONPath mode; Assign/QueryLanguage
/// arrive with later issues and are rejected clearly until then).
const std::set<std::string>& allowed_fields(StateType t) {
  static const std::set<std::string> pass{"Type", "Comment", "QueryLanguage", "Next", "End", "InputPath",
                                          "OutputPath", "ResultPath", "Parameters", "Result", "Assign"};
  static const std::set<std::string> task{
      "Type", "Comment", "QueryLanguage", "Next", "End", "InputPath", "OutputPath", "ResultPath",
      "Parameters", "ResultSelector", "Resource", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds",
      "HeartbeatSecondsPath", "Retry", "Catch", "Credentials", "Assign"};
  static const std::set<std::string> choice{"Type", "Comment", "QueryLanguage", "InputPath", "OutputPath",
                                            "Choices", "Default", "Assign"};
  static const std::set<std::string> wait{"Type", "Comment", "QueryLanguage", "Next", "End", "InputPath",
                                          "OutputPath", "Seconds", "Timestamp", "SecondsPath",
                                          "TimestampPath", "Assign"};
  static const std::set<std::string> succeed{"Type", "Comment", "QueryLanguage", "InputPath", "OutputPath"};
  static const std::set<std::string> fail{"Type", "Comment", "QueryLanguage", "Error", "Cause", "ErrorPath",
                                          "CausePath"};
  static const std::set<std::string> parallel{"Type", "Comment", "QueryLanguage", "Next", "End", "InputPath",
                                              "OutputPath", "ResultPath", "Parameters", "ResultSelector",
                                              "Branches", "Retry", "Catch", "Assign"};
  static const std::set<std::string> map{
      "Type", "Comment", "QueryLanguage", "Next", "End", "InputPath", "OutputPath", "ResultPath",
      "Parameters", "ItemSelector", "ResultSelector", "ItemsPath", "ItemProcessor", "Iterator",
      "MaxConcurrency", "MaxConcurrencyPath", "ToleratedFailureCount", "ToleratedFailureCountPath",
      "ToleratedFailurePercentage", "ToleratedFailurePercentagePath", "ItemBatcher", "ItemReader",
      "ResultWriter", "Label", "Retry", "Catch", "Assign"};
  switch (t) {
    case StateType::kPass: return pass;
    case StateType::kTask: return task;
    case StateType::kChoice: return choice;
    case StateType::kWait: return wait;
    case StateType::kSucceed: return succeed;
    case StateType::kFail: return fail;
    case StateType::kParallel: return parallel;
    case StateType::kMap: return map;
  }
  return pass;
}

std::optional<StateType> parse_type(const std::string& s) {
  if (s == "Pass") return StateType::kPass;
  if (s == "Task") return StateType::kTask;
  if (s == "Choice") return StateType::kChoice;
  if (s == "Wait") return StateType::kWait;
  if (s == "Succeed") return StateType::kSucceed;
  if (s == "Fail") return StateType::kFail;
  if (s == "Parallel") return StateType::kParallel;
  if (s == "Map") return StateType::kMap;
  return std::nullopt;
}

class Compiler {
 public:
  std::vector<Diagnostic> diags;

  void error(std::string message, std::string location, std::string_view code = kSchema) {
    diags.push_back(Diagnostic{std::string(code), std::move(message), std::move(location)});
  }

  std::shared_ptr<Program> compile(const Json& def) {
    auto program = std::make_shared<Program>();
    if (!def.is_object()) {
      error("Definition must be a valid JSON object", "/");
      return nullptr;
    }
    for (const auto& [key, value] : def.items()) {
      static const std::set<std::string> top{"StartAt", "States", "Comment", "Version",
                                             "TimeoutSeconds", "QueryLanguage"};
      if (!top.count(key)) error("Field '" + key + "' is not supported", "/" + escape_pointer(key));
    }
    top_jsonata_ = def.contains("QueryLanguage") && def["QueryLanguage"] == "JSONata";
    if (def.contains("TimeoutSeconds")) {
      const Json& t = def["TimeoutSeconds"];
      if (!t.is_number_integer() || t.get<std::int64_t>() < 1 || t.get<std::int64_t>() > 99999999) {
        error("The value for the field 'TimeoutSeconds' must be a positive integer", "/TimeoutSeconds");
      } else {
        program->timeout_seconds = t.get<std::int64_t>();
      }
    }
    compile_scope(def, "", program->root);
    if (!diags.empty()) return nullptr;
    return program;
  }

 private:
  std::set<std::string> all_names_;  // state names are unique machine-wide
  bool top_jsonata_ = false;         // QueryLanguage JSONata for the whole machine

  void compile_scope(const Json& obj, const std::string& base, Scope& scope) {
    std::vector<std::string> missing;
    if (!obj.contains("StartAt")) missing.push_back("StartAt");
    if (!obj.contains("States")) missing.push_back("States");
    if (!missing.empty()) {
      std::string list;
      for (std::size_t i = 0; i < missing.size(); ++i) list += (i ? ", " : "") + missing[i];
      error("These fields are required: [" + list + "]", base.empty() ? "/" : base);
      return;
    }
    const Json& states = obj["States"];
    if (!states.is_object() || states.empty()) {
      error("Value cannot be empty", base + "/States");
      return;
    }
    if (!obj["StartAt"].is_string()) {
      error("The value for the field 'StartAt' must be a STRING", base + "/StartAt");
      return;
    }
    std::unordered_map<std::string, std::uint32_t> index;
    for (const auto& [name, _] : states.items()) {
      if (!all_names_.insert(name).second) {
        error("Duplicate State name: " + name, base + "/States/" + escape_pointer(name),
              "DUPLICATE_STATE_NAME");
      }
      if (name.empty() || name.size() > 80) {
        error("State name '" + name + "' must be 1 to 80 characters",
              base + "/States/" + escape_pointer(name), "INVALID_STATE_NAME");
      }
      index.emplace(name, static_cast<std::uint32_t>(index.size()));
    }
    const std::string start = obj["StartAt"].get<std::string>();
    auto it = index.find(start);
    if (it == index.end()) {
      error("Missing 'Next' target: " + start, base + "/StartAt", "MISSING_TRANSITION_TARGET");
    } else {
      scope.start = it->second;
    }
    scope.states.resize(index.size());
    bool has_terminal = false;
    for (const auto& [name, body] : states.items()) {
      State& st = scope.states[index[name]];
      st.name = name;
      compile_state(body, base + "/States/" + escape_pointer(name), index, st);
      if (st.end || st.type == StateType::kSucceed || st.type == StateType::kFail) has_terminal = true;
    }
    if (!has_terminal && diags.empty()) {
      error("No terminal state found in machine", base.empty() ? "/States" : base + "/States",
            "MISSING_END_STATE");
    }
  }

  std::uint32_t target(const Json& v, const std::string& loc,
                       const std::unordered_map<std::string, std::uint32_t>& index) {
    if (!v.is_string()) {
      error("The value for the field 'Next' must be a STRING", loc);
      return kNoState;
    }
    auto it = index.find(v.get<std::string>());
    if (it == index.end()) {
      error("Missing 'Next' target: " + v.get<std::string>(), loc, "MISSING_TRANSITION_TARGET");
      return kNoState;
    }
    return it->second;
  }

  std::optional<std::int64_t> positive_int(const Json& body, const char* field,
                                           const std::string& loc, std::int64_t min) {
    if (!body.contains(field)) return std::nullopt;
    const Json& v = body[field];
    if (!v.is_number_integer() || v.get<std::int64_t>() < min || v.get<std::int64_t>() > 99999999) {
      error(std::string("The value for the field '") + field + "' must be " +
                (min > 0 ? "a positive integer" : "a non-negative integer"),
            loc + "/" + field);
      return std::nullopt;
    }
    return v.get<std::int64_t>();
  }

  /// A Reference Path field (the *Path forms): a reference path, a `$$`
  /// path or a workflow variable; intrinsics only where ASL allows them.
  std::optional<path::ValueExpr> ref_path(const Json& body, const char* field, const std::string& loc,
                                          bool allow_intrinsic = false) {
    if (!body.contains(field)) return std::nullopt;
    const Json& v = body[field];
    if (v.is_string() && (allow_intrinsic || !path::is_intrinsic_call(v.get<std::string>()))) {
      auto p = path::ValueExpr::compile(v.get<std::string>(), field, path::ValueExpr::PathRule::kReferencePath);
      if (p.ok()) return std::move(p).value();
    }
    error(std::string("The value for the field '") + field + "' must be a valid ReferencePath", loc + "/" + field);
    return std::nullopt;
  }

  SelectPath select_path(const Json& body, const char* field, const std::string& loc) {
    SelectPath out;
    if (!body.contains(field)) return out;
    const Json& v = body[field];
    if (v.is_null()) {
      out.kind = SelectPath::Kind::kNull;
      return out;
    }
    if (v.is_string() && path::is_variable_reference(v.get<std::string>())) {
      auto e = path::ValueExpr::compile(v.get<std::string>(), field);
      if (e.ok()) {
        out.kind = SelectPath::Kind::kPath;
        out.variable = std::move(e).value();
        return out;
      }
    }
    if (v.is_string()) {
      std::string text = v.get<std::string>();
      bool context = text.rfind("$$", 0) == 0;
      auto p = path::JsonPath::compile(context ? text.substr(1) : text);
      if (p.ok()) {
        out.kind = SelectPath::Kind::kPath;
        out.path = std::move(p).value();
        out.context = context;
        return out;
      }
    }
    error(std::string("The value for the field '") + field + "' must be a valid JSONPath",
          loc + "/" + field);
    return out;
  }

  ResultPathSpec result_path(const Json& body, const std::string& loc) {
    ResultPathSpec out;
    if (!body.contains("ResultPath")) return out;
    const Json& v = body["ResultPath"];
    if (v.is_null()) {
      out.kind = ResultPathSpec::Kind::kNull;
      return out;
    }
    if (v.is_string()) {
      auto p = path::ReferencePath::compile(v.get<std::string>());
      if (p.ok()) {
        out.kind = ResultPathSpec::Kind::kPath;
        out.path = std::move(p).value();
        return out;
      }
    }
    error("The value for the field 'ResultPath' must be a valid ReferencePath", loc + "/ResultPath");
    return out;
  }

  std::optional<path::PayloadTemplate> payload(const Json& body, const char* field,
                                               const std::string& loc) {
    if (!body.contains(field)) return std::nullopt;
    auto t = path::PayloadTemplate::compile(body[field], field);
    if (!t.ok()) {
      error(t.status().message(), loc + "/" + field);
      return std::nullopt;
    }
    return std::move(t).value();
  }

  std::vector<std::string> error_equals(const Json& entry, const std::string& loc) {
    std::vector<std::string> out;
    if (!entry.contains("ErrorEquals") || !entry["ErrorEquals"].is_array() ||
        entry["ErrorEquals"].empty()) {
      error("The field 'ErrorEquals' is required and must be a non-empty array", loc);
      return out;
    }
    for (const Json& e : entry["ErrorEquals"]) {
      if (!e.is_string()) {
        error("ErrorEquals entries must be strings", loc + "/ErrorEquals");
        continue;
      }
      out.push_back(e.get<std::string>());
    }
    for (const auto& e : out) {
      if (e == "States.ALL" && out.size() != 1) {
        error("States.ALL must appear alone in ErrorEquals", loc + "/ErrorEquals");
      }
    }
    return out;
  }

  void compile_task(const Json& body, const std::string& loc,
                    const std::unordered_map<std::string, std::uint32_t>& index, TaskSpec& t) {
    if (!body.contains("Resource") || !body["Resource"].is_string()) {
      error("These fields are required: [Resource]", loc);
      return;
    }
    t.resource = body["Resource"].get<std::string>();
    classify_resource(t);
    t.parameters = payload(body, "Parameters", loc);
    t.result_selector = payload(body, "ResultSelector", loc);
    t.timeout_seconds = positive_int(body, "TimeoutSeconds", loc, 1);
    t.timeout_seconds_path = ref_path(body, "TimeoutSecondsPath", loc);
    t.heartbeat_seconds = positive_int(body, "HeartbeatSeconds", loc, 1);
    t.heartbeat_seconds_path = ref_path(body, "HeartbeatSecondsPath", loc);
    if (body.contains("TimeoutSeconds") && body.contains("TimeoutSecondsPath")) {
      error("Only one of TimeoutSeconds and TimeoutSecondsPath may be set", loc);
    }
    if (body.contains("HeartbeatSeconds") && body.contains("HeartbeatSecondsPath")) {
      error("Only one of HeartbeatSeconds and HeartbeatSecondsPath may be set", loc);
    }
    if (t.timeout_seconds && t.heartbeat_seconds && *t.heartbeat_seconds >= *t.timeout_seconds) {
      error("HeartbeatSeconds must be smaller than TimeoutSeconds", loc + "/HeartbeatSeconds");
    }
    compile_errors(body, loc, index, t.errors);
  }

  void compile_errors(const Json& body, const std::string& loc,
                      const std::unordered_map<std::string, std::uint32_t>& index, ErrorHandling& eh) {
    if (body.contains("Retry")) {
      const Json& r = body["Retry"];
      if (!r.is_array()) error("The value for the field 'Retry' must be an ARRAY", loc + "/Retry");
      else for (std::size_t i = 0; i < r.size(); ++i) {
        std::string rloc = loc + "/Retry/" + std::to_string(i);
        const Json& e = r[i];
        if (!e.is_object()) { error("A retrier must be an object", rloc); continue; }
        Retrier rt;
        rt.error_equals = error_equals(e, rloc);
        if (e.contains("IntervalSeconds")) {
          if (!e["IntervalSeconds"].is_number_integer() || e["IntervalSeconds"].get<std::int64_t>() < 1 ||
              e["IntervalSeconds"].get<std::int64_t>() > 99999999)
            error("The value for the field 'IntervalSeconds' must be a positive integer", rloc + "/IntervalSeconds");
          else rt.interval_seconds = static_cast<double>(e["IntervalSeconds"].get<std::int64_t>());
        }
        if (e.contains("MaxAttempts")) {
          if (!e["MaxAttempts"].is_number_integer() || e["MaxAttempts"].get<std::int64_t>() < 0 ||
              e["MaxAttempts"].get<std::int64_t>() > 99999999)
            error("The value for the field 'MaxAttempts' must be a non-negative integer", rloc + "/MaxAttempts");
          else rt.max_attempts = e["MaxAttempts"].get<std::int64_t>();
        }
        if (e.contains("BackoffRate")) {
          if (!e["BackoffRate"].is_number() || e["BackoffRate"].get<double>() < 1.0)
            error("The value for the field 'BackoffRate' must be a number >= 1.0", rloc + "/BackoffRate");
          else rt.backoff_rate = e["BackoffRate"].get<double>();
        }
        if (e.contains("MaxDelaySeconds")) {
          if (!e["MaxDelaySeconds"].is_number_integer() || e["MaxDelaySeconds"].get<std::int64_t>() < 1 ||
              e["MaxDelaySeconds"].get<std::int64_t>() > 31622400)
            error("The value for the field 'MaxDelaySeconds' must be between 1 and 31622400", rloc + "/MaxDelaySeconds");
          else rt.max_delay_seconds = static_cast<double>(e["MaxDelaySeconds"].get<std::int64_t>());
        }
        if (e.contains("JitterStrategy")) {
          const Json& j = e["JitterStrategy"];
          if (j == "FULL") rt.jitter_full = true;
          else if (j != "NONE") error("The value for the field 'JitterStrategy' must be FULL or NONE", rloc + "/JitterStrategy");
        }
        eh.retry.push_back(std::move(rt));
      }
    }
    if (body.contains("Catch")) {
      const Json& c = body["Catch"];
      if (!c.is_array()) error("The value for the field 'Catch' must be an ARRAY", loc + "/Catch");
      else for (std::size_t i = 0; i < c.size(); ++i) {
        std::string cloc = loc + "/Catch/" + std::to_string(i);
        const Json& e = c[i];
        if (!e.is_object()) { error("A catcher must be an object", cloc); continue; }
        Catcher ct;
        ct.error_equals = error_equals(e, cloc);
        ct.result_path = result_path(e, cloc);
        ct.assign = payload(e, "Assign", cloc);
        if (!e.contains("Next")) error("These fields are required: [Next]", cloc);
        else ct.next = target(e["Next"], cloc + "/Next", index);
        eh.catch_.push_back(std::move(ct));
      }
    }
  }

  IntOrPath int_or_path(const Json& body, const char* field, const std::string& loc, std::int64_t min,
                        std::int64_t max, bool fractional = false) {
    IntOrPath out;
    const std::string path_field = std::string(field) + "Path";
    if (body.contains(field)) {
      const Json& v = body[field];
      const bool whole = v.is_number() && std::floor(v.get<double>()) == v.get<double>();
      if (!v.is_number() || (!fractional && !whole) || v.get<double>() < static_cast<double>(min) ||
          v.get<double>() > static_cast<double>(max)) {
        error(std::string("The value for the field '") + field + "' must be " +
                  (fractional ? "a number" : "an integer") + " between " + std::to_string(min) + " and " +
                  std::to_string(max),
              loc + "/" + field);
      } else {
        out.value = v.get<double>();
      }
    }
    out.path = ref_path(body, path_field.c_str(), loc);
    if (body.contains(field) && body.contains(path_field)) {
      error(std::string("Only one of ") + field + " and " + path_field + " may be set", loc);
    }
    return out;
  }

  MapSpec compile_map(const Json& body, const std::string& loc,
                      const std::unordered_map<std::string, std::uint32_t>& index) {
    MapSpec m;
    m.items_path = ref_path(body, "ItemsPath", loc);
    if (body.contains("ItemSelector") && body.contains("Parameters")) {
      error("Only one of ItemSelector and Parameters may be set", loc);
    }
    m.item_selector = payload(body, body.contains("ItemSelector") ? "ItemSelector" : "Parameters", loc);
    m.result_selector = payload(body, "ResultSelector", loc);
    if (body.contains("Label") && body["Label"].is_string()) m.label = body["Label"].get<std::string>();
    const char* proc_field = body.contains("ItemProcessor") ? "ItemProcessor" : "Iterator";
    if (body.contains("ItemProcessor") && body.contains("Iterator")) {
      error("Only one of ItemProcessor and Iterator may be set", loc);
    }
    if (!body.contains(proc_field) || !body[proc_field].is_object()) {
      error("These fields are required: [ItemProcessor]", loc);
    } else {
      const Json& proc = body[proc_field];
      if (proc.contains("ProcessorConfig")) {
        const Json& pc = proc["ProcessorConfig"];
        m.distributed = pc.contains("Mode") && pc["Mode"] == "DISTRIBUTED";
        m.express_children = pc.contains("ExecutionType") && pc["ExecutionType"] == "EXPRESS";
        if (pc.contains("Mode") && pc["Mode"] != "INLINE" && pc["Mode"] != "DISTRIBUTED") {
          error("The value for the field 'Mode' must be INLINE or DISTRIBUTED", loc + "/" + proc_field + "/ProcessorConfig/Mode");
        }
      }
      Json scope_def = proc;
      scope_def.erase("ProcessorConfig");
      m.processor.resize(1);
      compile_scope(scope_def, loc + "/" + proc_field, m.processor[0]);
    }
    if (body.contains("ItemReader")) {
      error("ItemReader (Distributed Map reading from S3) is not supported yet", loc + "/ItemReader");
    }
    if (body.contains("ResultWriter")) {
      error("ResultWriter (Distributed Map writing to S3) is not supported yet", loc + "/ResultWriter");
    }
    m.max_concurrency = int_or_path(body, "MaxConcurrency", loc, 0, 99999999);
    m.tolerated_failure_count = int_or_path(body, "ToleratedFailureCount", loc, 0, 99999999);
    m.tolerated_failure_percentage = int_or_path(body, "ToleratedFailurePercentage", loc, 0, 100, true);
    if (body.contains("ItemBatcher")) {
      const Json& b = body["ItemBatcher"];
      const std::string bloc = loc + "/ItemBatcher";
      if (!b.is_object()) {
        error("The value for the field 'ItemBatcher' must be an OBJECT", bloc);
      } else {
        m.batched = true;
        m.max_items_per_batch = int_or_path(b, "MaxItemsPerBatch", bloc, 1, 99999999);
        m.max_input_bytes_per_batch = int_or_path(b, "MaxInputBytesPerBatch", bloc, 1, 262144);
        m.batch_input = payload(b, "BatchInput", bloc);
        if (!m.max_items_per_batch.present() && !m.max_input_bytes_per_batch.present()) {
          error("ItemBatcher needs at least one of MaxItemsPerBatch(Path) and MaxInputBytesPerBatch(Path)", bloc);
        }
      }
    }
    compile_errors(body, loc, index, m.errors);
    return m;
  }

  static void classify_resource(TaskSpec& t) {
    const std::string& r = t.resource;
    static const std::string kStates = "arn:aws:states:::";
    for (std::string_view suffix : {".waitForTaskToken"}) {
      if (r.size() > suffix.size() && r.compare(r.size() - suffix.size(), suffix.size(), suffix) == 0)
        t.wait_for_task_token = true;
    }
    auto ends_with = [&](std::string_view suffix) {
      return r.size() > suffix.size() && r.compare(r.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    t.sync_v2 = ends_with(".sync:2");
    t.sync = t.sync_v2 || ends_with(".sync");
    if (r.rfind(kStates + "states:startExecution", 0) == 0) t.integration = Integration::kStartExecution;
    if (r == kStates + "aws-sdk:sfn:startExecution") t.integration = Integration::kSdkStartExecution;
    if (r == kStates + "aws-sdk:sfn:sendTaskSuccess") t.integration = Integration::kSdkSendTaskSuccess;
    if (r == kStates + "aws-sdk:sfn:sendTaskFailure") t.integration = Integration::kSdkSendTaskFailure;
    if (r == kStates + "aws-sdk:sfn:sendTaskHeartbeat") t.integration = Integration::kSdkSendTaskHeartbeat;
    if (r.rfind(kStates, 0) == 0) {
      t.kind = ResourceKind::kServiceIntegration;
      std::string rest = r.substr(kStates.size());  // e.g. sqs:sendMessage.waitForTaskToken
      std::size_t colon = rest.rfind(':');
      if (rest.rfind("aws-sdk:", 0) == 0) colon = rest.find(':', 8);
      if (colon == std::string::npos) {
        t.resource_type = rest;
        t.resource_name = rest;
      } else {
        t.resource_type = rest.substr(0, colon);
        t.resource_name = rest.substr(colon + 1);
      }
      return;
    }
    if (r.rfind("arn:aws:states:", 0) == 0 && r.find(":activity:") != std::string::npos) {
      t.kind = ResourceKind::kActivity;
      t.resource_type = "activity";
      t.resource_name = r;
      return;
    }
    if (r.rfind("arn:aws:lambda:", 0) == 0 && r.find(":function:") != std::string::npos) {
      t.kind = ResourceKind::kLambdaFunction;
      t.resource_type = "lambda";
      t.resource_name = r;
      return;
    }
    t.kind = ResourceKind::kOther;
    std::size_t colon = r.rfind(':');
    t.resource_type = colon == std::string::npos ? r : r.substr(0, colon);
    t.resource_name = colon == std::string::npos ? r : r.substr(colon + 1);
  }

  void compile_state(const Json& body_in, const std::string& loc,
                     const std::unordered_map<std::string, std::uint32_t>& index, State& st) {
    // A JSONata state: its expressions compile apart (asl/jsonata_fields.h);
    // the rest (flow, Retry, Catch targets, literals) compiles as below.
    Json jsonata_rest;
    const bool jsonata = body_in.is_object() && (body_in.contains("QueryLanguage")
                                                     ? body_in["QueryLanguage"] == "JSONata"
                                                     : top_jsonata_);
    if (jsonata) st.jsonata = compile_jsonata_state(body_in, loc, diags, jsonata_rest);
    const Json& body = jsonata ? jsonata_rest : body_in;
    if (!body.is_object()) {
      error("A state must be a JSON object", loc);
      return;
    }
    if (!body.contains("Type")) {
      error("These fields are required: [Type]", loc);
      return;
    }
    auto type = body["Type"].is_string() ? parse_type(body["Type"].get<std::string>()) : std::nullopt;
    if (!type) {
      error("The value for the field 'Type' must be one of [Task, Pass, Choice, Wait, Succeed, Fail, Parallel, Map]",
            loc + "/Type");
      return;
    }
    st.type = *type;
    const auto& allowed = allowed_fields(st.type);
    for (const auto& [key, _] : body.items()) {
      if (!allowed.count(key) && !jsonata) {  // JSONata fields: checked by the validator
        error("Field '" + key + "' is not supported by a " + state_type_name(st.type) + " state",
              loc + "/" + escape_pointer(key));
      }
    }
    // Flow: Next xor End for every state except Choice, Succeed, Fail.
    const bool flows = st.type != StateType::kChoice && st.type != StateType::kSucceed &&
                       st.type != StateType::kFail;
    if (flows) {
      const bool has_next = body.contains("Next");
      const bool has_end = body.contains("End");
      if (has_end && body["End"] != true) error("The value for the field 'End' must be true", loc + "/End");
      if (has_next && has_end) error("Only one of Next and End may be set", loc);
      else if (!has_next && !has_end) error("These fields are required: [Next, End]", loc, "MISSING_END_STATE");
      if (has_next) st.next = target(body["Next"], loc + "/Next", index);
      st.end = has_end && body["End"] == true;
    }
    st.assign = payload(body, "Assign", loc);
    st.input_path = select_path(body, "InputPath", loc);
    st.output_path = select_path(body, "OutputPath", loc);
    st.result_path = result_path(body, loc);

    switch (st.type) {
      case StateType::kPass: {
        PassSpec p;
        p.parameters = payload(body, "Parameters", loc);
        if (body.contains("Result")) p.result = body["Result"];
        st.spec = std::move(p);
        break;
      }
      case StateType::kTask: {
        TaskSpec t;
        compile_task(body, loc, index, t);
        st.spec = std::move(t);
        break;
      }
      case StateType::kChoice: {
        ChoiceSpec c;
        if (!body.contains("Choices") || !body["Choices"].is_array() || body["Choices"].empty()) {
          error("The field 'Choices' is required and must be a non-empty array", loc + "/Choices");
        } else {
          const Json& cs = body["Choices"];
          for (std::size_t i = 0; i < cs.size(); ++i) {
            std::string cloc = loc + "/Choices/" + std::to_string(i);
            if (!cs[i].is_object()) { error("A choice rule must be an object", cloc); continue; }
            Json rule = cs[i];
            if (!rule.contains("Next")) {
              error("These fields are required: [Next]", cloc);
              continue;
            }
            ChoiceBranch b;
            b.next = target(rule["Next"], cloc + "/Next", index);
            b.assign = payload(rule, "Assign", cloc);
            rule.erase("Next");
            rule.erase("Comment");
            rule.erase("Assign");
            if (jsonata) {  // the Condition is in st.jsonata->choices[i]
              c.choices.push_back(std::move(b));
              continue;
            }
            auto compiled = choice::ChoiceRule::compile(rule, cloc);
            if (!compiled.ok()) {
              error(compiled.status().message(), cloc);
              continue;
            }
            b.rule = std::move(compiled).value();
            c.choices.push_back(std::move(b));
          }
        }
        if (body.contains("Default")) c.default_next = target(body["Default"], loc + "/Default", index);
        st.spec = std::move(c);
        break;
      }
      case StateType::kWait: {
        WaitSpec w;
        int forms = st.jsonata ? (st.jsonata->seconds ? 1 : 0) + (st.jsonata->timestamp ? 1 : 0) : 0;
        if (body.contains("Seconds")) { ++forms; w.seconds = positive_int(body, "Seconds", loc, 0); }
        if (body.contains("Timestamp")) {
          ++forms;
          const Json& ts = body["Timestamp"];
          if (!ts.is_string() || !choice::parse_timestamp(ts.get<std::string>())) {
            error("String does not match RFC3339 timestamp", loc + "/Timestamp");
          } else {
            w.timestamp = ts.get<std::string>();
          }
        }
        if (body.contains("SecondsPath")) { ++forms; w.seconds_path = ref_path(body, "SecondsPath", loc); }
        if (body.contains("TimestampPath")) { ++forms; w.timestamp_path = ref_path(body, "TimestampPath", loc); }
        if (forms != 1) {
          error("A Wait state must have exactly one of [Seconds, Timestamp, SecondsPath, TimestampPath]", loc);
        }
        st.spec = std::move(w);
        break;
      }
      case StateType::kSucceed:
        st.spec = SucceedSpec{};
        break;
      case StateType::kParallel: {
        ParallelSpec p;
        p.parameters = payload(body, "Parameters", loc);
        p.result_selector = payload(body, "ResultSelector", loc);
        if (!body.contains("Branches") || !body["Branches"].is_array() || body["Branches"].empty()) {
          error("Value cannot be empty", loc + "/Branches");
        } else {
          const Json& bs = body["Branches"];
          p.branches.resize(bs.size());
          for (std::size_t i = 0; i < bs.size(); ++i) {
            const std::string bloc = loc + "/Branches/" + std::to_string(i);
            if (!bs[i].is_object()) {
              error("A branch must be an object", bloc);
              continue;
            }
            compile_scope(bs[i], bloc, p.branches[i]);
          }
        }
        compile_errors(body, loc, index, p.errors);
        st.spec = std::move(p);
        break;
      }
      case StateType::kMap:
        st.spec = compile_map(body, loc, index);
        break;
      case StateType::kFail: {
        FailSpec f;
        auto str = [&](const char* field) -> std::optional<std::string> {
          if (!body.contains(field)) return std::nullopt;
          if (!body[field].is_string()) {
            error(std::string("The value for the field '") + field + "' must be a STRING", loc + "/" + field);
            return std::nullopt;
          }
          return body[field].get<std::string>();
        };
        f.error = str("Error");
        f.cause = str("Cause");
        f.error_path = ref_path(body, "ErrorPath", loc, true);
        f.cause_path = ref_path(body, "CausePath", loc, true);
        if (body.contains("Error") && body.contains("ErrorPath")) error("Only one of Error and ErrorPath may be set", loc);
        if (body.contains("Cause") && body.contains("CausePath")) error("Only one of Cause and CausePath may be set", loc);
        st.spec = std::move(f);
        break;
      }
    }
  }
};

}  // namespace

const char* state_type_name(StateType type) noexcept {
  switch (type) {
    case StateType::kPass: return "Pass";
    case StateType::kTask: return "Task";
    case StateType::kChoice: return "Choice";
    case StateType::kWait: return "Wait";
    case StateType::kSucceed: return "Succeed";
    case StateType::kFail: return "Fail";
    case StateType::kParallel: return "Parallel";
    case StateType::kMap: return "Map";
  }
  return "Unknown";
}

CompileResult compile_program(std::string_view definition) {
  CompileResult out;
  auto parsed = parse_json(definition, ErrorCode::kInvalidDefinition);
  if (!parsed.ok()) {
    out.diagnostics = validate_definition(definition);  // Jackson-style INVALID_JSON_DESCRIPTION
    if (out.diagnostics.empty()) {
      out.diagnostics.push_back(Diagnostic{"INVALID_JSON_DESCRIPTION", parsed.status().message(), ""});
    }
    return out;
  }
  out.diagnostics = validate_definition(*parsed);
  if (!out.diagnostics.empty()) return out;
  Compiler c;
  auto program = c.compile(*parsed);
  out.diagnostics = std::move(c.diags);
  if (out.diagnostics.empty()) out.program = std::move(program);
  return out;
}

std::string escape_pointer(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

std::string invalid_definition_message(const std::vector<Diagnostic>& diagnostics) {
  std::string body;
  for (std::size_t i = 0; i < diagnostics.size(); ++i) {
    const Diagnostic& d = diagnostics[i];
    if (i) body += ", ";
    body += d.code + ": " + d.message;
    if (d.code == "INVALID_JSON_DESCRIPTION") continue;  // the message carries its location
    body += " at " + (d.location.empty() ? std::string("null") : d.location);
  }
  return "Invalid State Machine Definition: '" + body + "'";
}

}  // namespace stepfiber::asl
