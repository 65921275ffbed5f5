// The static validation pass (see validator.h). Diagnostics use AWS's codes,
// wording and locations where they are known (LocalStack's AWS-recorded
// snapshots, sfn-semantics §3.6); elsewhere the wording follows the same
// patterns ("The value for the field 'X' must be ...", "Field 'X' is not
// supported").
#include "asl/validator.h"

#include "asl/compiler.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "choice/timestamp.h"
#include "path/json_path.h"
#include "intrinsics/value_expr.h"

namespace stepfiber::asl {
namespace {

constexpr const char* kSchema = "SCHEMA_VALIDATION_FAILED";
constexpr std::int64_t kMaxSeconds = 99999999;

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
bool starts_with(std::string_view s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

/// `"{% expr %}"`: a JSONata expression (exact delimiters, sfn-semantics 2.10).
bool is_jsonata_expr(const Json& v) {
  if (!v.is_string()) return false;
  const auto& s = v.get_ref<const std::string&>();
  return s.size() >= 4 && starts_with(s, "{%") && ends_with(s, "%}");
}

/// A light syntax check of a JSONata expression body: not blank, strings
/// and comments closed, brackets balanced, no number ending in '.'.
/// Returns a problem description, or "" when nothing is wrong.
std::string jsonata_syntax_problem(std::string_view body) {
  std::size_t i = 0;
  const std::size_t n = body.size();
  std::vector<char> stack;
  bool any = false;
  // What the previous token was: an operand (value, name, closing bracket),
  // a binary operator, or an opening bracket / separator / the start.
  enum class Prev { kStart, kOperand, kOperator, kDot } prev = Prev::kStart;
  while (i < n) {
    const char c = body[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') { ++i; continue; }
    any = true;
    if (c == '/' && i + 1 < n && body[i + 1] != '*' && prev != Prev::kOperand) {  // regex literal
      ++i;
      while (i < n && body[i] != '/') i += body[i] == '\\' ? 2 : 1;
      if (i >= n) return "unterminated regular expression";
      ++i;
      while (i < n && (body[i] == 'i' || body[i] == 'm')) ++i;
      prev = Prev::kOperand;
      continue;
    }
    if (i + 1 < n) {
      const std::string_view two = body.substr(i, 2);
      if (two == ":=" || two == "!=" || two == "<=" || two == ">=" || two == "~>") {
        if (prev != Prev::kOperand && two != ":=") return "unexpected operator '" + std::string(two) + "'";
        prev = Prev::kOperator;
        i += 2;
        continue;
      }
    }
    static const std::string_view binary_only = "+*/%&?=";
    if (binary_only.find(c) != std::string_view::npos && !(c == '/' && i + 1 < n && body[i + 1] == '*')) {
      const bool wildcard = c == '*' && (prev == Prev::kDot || prev == Prev::kStart ||
                                         (i + 1 < n && body[i + 1] == '*'));
      if (!wildcard && prev != Prev::kOperand) return std::string("unexpected operator '") + c + "'";
      if (!wildcard) {
        prev = Prev::kOperator;
        ++i;
        continue;
      }
    }
    if (c == '"' || c == '\'' || c == '`') {
      const char q = c;
      ++i;
      while (i < n && body[i] != q) i += body[i] == '\\' ? 2 : 1;
      if (i >= n) return "unterminated string literal";
      ++i;
      prev = Prev::kOperand;
      continue;
    }
    if (c == '/' && i + 1 < n && body[i + 1] == '*') {
      const std::size_t end = body.find("*/", i + 2);
      if (end == std::string_view::npos) return "unterminated comment";
      i = end + 2;
      continue;
    }
    if (c >= '0' && c <= '9') {
      while (i < n && body[i] >= '0' && body[i] <= '9') ++i;
      if (i < n && body[i] == '.') {
        if (i + 1 < n && body[i + 1] == '.') continue;  // range operator 1..5
        ++i;
        if (i >= n || body[i] < '0' || body[i] > '9') return "invalid number literal";
        while (i < n && body[i] >= '0' && body[i] <= '9') ++i;
      }
      if (i < n && (body[i] == 'e' || body[i] == 'E')) {
        ++i;
        if (i < n && (body[i] == '+' || body[i] == '-')) ++i;
        if (i >= n || body[i] < '0' || body[i] > '9') return "invalid number literal";
        while (i < n && body[i] >= '0' && body[i] <= '9') ++i;
      }
      prev = Prev::kOperand;
      continue;
    }
    if (c == '(' || c == '[' || c == '{') {
      stack.push_back(c);
      prev = Prev::kStart;
    } else if (c == ')' || c == ']' || c == '}') {
      const char open = c == ')' ? '(' : c == ']' ? '[' : '{';
      if (stack.empty() || stack.back() != open) return std::string("unbalanced '") + c + "'";
      stack.pop_back();
      prev = Prev::kOperand;
    } else if (c == ',' || c == ';' || c == ':') {
      prev = Prev::kStart;
    } else if (c == '.') {
      prev = Prev::kDot;
    } else if (c == '-' || c == '!' || c == '<' || c == '>' || c == '~' || c == '|' || c == '^' || c == '#' ||
               c == '@') {
      prev = Prev::kOperator;
    } else {
      prev = Prev::kOperand;  // names, $variables, keywords
    }
    ++i;
  }
  if (!any) return "empty expression";
  if (!stack.empty()) return std::string("unclosed '") + stack.back() + "'";
  return "";
}

/// Intrinsics that return a string (Fail ErrorPath / CausePath).
bool string_intrinsic(std::string_view text) {
  static const char* const names[] = {"States.ArrayGetItem(", "States.Base64Encode(", "States.Base64Decode(",
                                      "States.Format(",       "States.JsonToString(", "States.Hash(",
                                      "States.UUID("};
  for (const char* n : names) {
    if (starts_with(text, n)) return true;
  }
  return false;
}

/// Step Functions' optimised integrations: service -> actions
/// (arn:aws:states:::<service>:<action>[.sync|.sync:2|.waitForTaskToken]).
const std::map<std::string, std::set<std::string>>& optimised_integrations() {
  static const std::map<std::string, std::set<std::string>> table{
      {"lambda", {"invoke"}},
      {"batch", {"submitJob"}},
      {"dynamodb", {"getItem", "putItem", "updateItem", "deleteItem"}},
      {"ecs", {"runTask"}},
      {"sns", {"publish"}},
      {"sqs", {"sendMessage"}},
      {"glue", {"startJobRun"}},
      {"databrew", {"startJobRun"}},
      {"states", {"startExecution"}},
      {"events", {"putEvents"}},
      {"apigateway", {"invoke"}},
      {"http", {"invoke"}},
      {"mediaconvert", {"createJob"}},
      {"bedrock", {"invokeModel", "createModelCustomizationJob"}},
      {"athena", {"startQueryExecution", "stopQueryExecution", "getQueryExecution", "getQueryResults"}},
      {"codebuild",
       {"startBuild", "stopBuild", "batchDeleteBuilds", "batchGetReports", "startBuildBatch", "stopBuildBatch",
        "retryBuild", "retryBuildBatch", "batchDeleteBuildBatches"}},
      {"eks",
       {"createCluster", "deleteCluster", "createFargateProfile", "deleteFargateProfile", "createNodegroup",
        "deleteNodegroup", "runJob", "call"}},
      {"elasticmapreduce",
       {"createCluster", "terminateCluster", "addStep", "cancelStep", "setClusterTerminationProtection",
        "modifyInstanceFleetByName", "modifyInstanceGroupByName"}},
      {"emr-containers", {"createVirtualCluster", "deleteVirtualCluster", "startJobRun"}},
      {"emr-serverless",
       {"createApplication", "startApplication", "stopApplication", "deleteApplication", "startJobRun",
        "cancelJobRun"}},
      {"sagemaker",
       {"createEndpoint", "createEndpointConfig", "createHyperParameterTuningJob", "createLabelingJob",
        "createModel", "createProcessingJob", "createTrainingJob", "createTransformJob", "updateEndpoint"}},
  };
  return table;
}

struct Arn {
  std::string partition, service, region, account, resource;
};

std::optional<Arn> split_arn(const std::string& s) {
  if (!starts_with(s, "arn:")) return std::nullopt;
  Arn a;
  std::size_t pos = 4;
  std::string* parts[] = {&a.partition, &a.service, &a.region, &a.account};
  for (std::string* p : parts) {
    const std::size_t colon = s.find(':', pos);
    if (colon == std::string::npos) return std::nullopt;
    *p = s.substr(pos, colon - pos);
    pos = colon + 1;
  }
  a.resource = s.substr(pos);
  if (a.partition.empty() || a.service.empty() || a.resource.empty()) return std::nullopt;
  if (a.partition != "aws" && a.partition != "aws-cn" && a.partition != "aws-us-gov") return std::nullopt;
  return a;
}

bool lambda_qualifier_ok(std::string_view q) {
  if (q.empty() || q.size() > 128) return false;
  return std::all_of(q.begin(), q.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '$';
  });
}

/// The Task Resources AWS recognises.
bool resource_recognised(const std::string& r) {
  auto arn = split_arn(r);
  if (!arn) return false;
  if (arn->service == "states") {
    if (arn->region.empty() && arn->account.empty()) {
      std::string rest = arn->resource;  // e.g. sqs:sendMessage.waitForTaskToken
      for (std::string_view pattern : {".waitForTaskToken", ".sync:2", ".sync"}) {
        if (ends_with(rest, pattern)) {
          rest.resize(rest.size() - pattern.size());
          break;
        }
      }
      if (starts_with(rest, "aws-sdk:")) {
        const std::string svc_action = rest.substr(8);
        const std::size_t colon = svc_action.find(':');
        if (colon == std::string::npos || colon == 0 || colon + 1 >= svc_action.size()) return false;
        const char first = svc_action[colon + 1];
        return first >= 'a' && first <= 'z';
      }
      const std::size_t colon = rest.find(':');
      if (colon == std::string::npos) return false;
      const auto& table = optimised_integrations();
      auto it = table.find(rest.substr(0, colon));
      return it != table.end() && it->second.count(rest.substr(colon + 1)) > 0;
    }
    return true;  // activities and other regional Step Functions resources
  }
  if (arn->service == "lambda") {
    // function:<name>[:<qualifier>]
    if (!starts_with(arn->resource, "function:")) return true;
    const std::string rest = arn->resource.substr(9);
    const std::size_t colon = rest.find(':');
    if (rest.empty() || colon == 0) return false;
    if (colon == std::string::npos) return true;
    return lambda_qualifier_ok(std::string_view(rest).substr(colon + 1));
  }
  return true;
}

/// Map run labels: 1..40 characters, none of whitespace, brackets, wildcards,
/// the special characters " # % \ ^ | ~ ` $ & , ; : / or control characters.
std::string label_problem(const std::string& label) {
  if (label.empty()) return "Label cannot be empty";
  std::size_t chars = 0;
  for (std::size_t i = 0; i < label.size();) {
    const auto c = static_cast<unsigned char>(label[i]);
    std::uint32_t cp = c;
    std::size_t len = 1;
    if (c >= 0xF0) { len = 4; cp = c & 0x07; }
    else if (c >= 0xE0) { len = 3; cp = c & 0x0F; }
    else if (c >= 0xC0) { len = 2; cp = c & 0x1F; }
    for (std::size_t k = 1; k < len && i + k < label.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(label[i + k]) & 0x3F);
    }
    static const std::string_view bad = " <>{}[]?*\"#%\\^|~`$&,;:/";
    const bool control = cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
    const bool space = cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
                       cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    if (control || space || (cp < 0x80 && bad.find(static_cast<char>(cp)) != std::string_view::npos)) {
      return "Label contains invalid character: '" + label.substr(i, len) + "'";
    }
    i += len;
    ++chars;
  }
  if (chars > 40) return "Label cannot exceed 40 characters";
  return "";
}

/// Variable names: a Unicode identifier (ASCII letters, `_`, digits after the
/// first character; non-ASCII accepted), at most 80 characters.
bool variable_name_ok(const std::string& name) {
  if (name.empty() || name.size() > 80 * 4) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    const bool digit = c >= '0' && c <= '9';
    if (!(letter || (digit && i > 0))) return false;
  }
  return true;
}

const char* type_name(const Json& v) {
  switch (v.type()) {
    case Json::value_t::object: return "OBJECT";
    case Json::value_t::array: return "ARRAY";
    case Json::value_t::string: return "STRING";
    case Json::value_t::boolean: return "BOOLEAN";
    case Json::value_t::null: return "NULL";
    default: return "NUMBER";
  }
}

/// Fields each state type accepts in each query language (sfn-semantics 2.2).
const std::set<std::string>& allowed_fields(const std::string& type, bool jsonata) {
  static const std::map<std::string, std::set<std::string>> jsonpath{
      {"Pass", {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "Result", "Assign"}},
      {"Task",
       {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Resource",
        "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath", "Retry", "Catch",
        "Credentials", "Assign"}},
      {"Choice", {"InputPath", "OutputPath", "Choices", "Default", "Assign"}},
      {"Wait", {"Next", "End", "InputPath", "OutputPath", "Seconds", "Timestamp", "SecondsPath", "TimestampPath",
                "Assign"}},
      {"Succeed", {"InputPath", "OutputPath"}},
      {"Fail", {"Error", "Cause", "ErrorPath", "CausePath"}},
      {"Parallel", {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector",
                    "Branches", "Retry", "Catch", "Assign"}},
      {"Map",
       {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ItemSelector", "ResultSelector",
        "ItemsPath", "ItemProcessor", "Iterator", "MaxConcurrency", "MaxConcurrencyPath", "ToleratedFailureCount",
        "ToleratedFailureCountPath", "ToleratedFailurePercentage", "ToleratedFailurePercentagePath",
        "ItemBatcher", "ItemReader", "ResultWriter", "Label", "Retry", "Catch", "Assign"}},
  };
  static const std::map<std::string, std::set<std::string>> jsonata_fields{
      {"Pass", {"Next", "End", "Output", "Assign"}},
      {"Task", {"Next", "End", "Resource", "Arguments", "Output", "TimeoutSeconds", "HeartbeatSeconds", "Retry",
                "Catch", "Credentials", "Assign"}},
      {"Choice", {"Choices", "Default", "Output", "Assign"}},
      {"Wait", {"Next", "End", "Seconds", "Timestamp", "Output", "Assign"}},
      {"Succeed", {"Output"}},
      {"Fail", {"Error", "Cause"}},
      {"Parallel", {"Next", "End", "Branches", "Arguments", "Output", "Retry", "Catch", "Assign"}},
      {"Map",
       {"Next", "End", "Items", "ItemSelector", "ItemProcessor", "Iterator", "MaxConcurrency",
        "ToleratedFailureCount", "ToleratedFailurePercentage", "ItemBatcher", "ItemReader", "ResultWriter",
        "Label", "Output", "Retry", "Catch", "Assign"}},
  };
  static const std::set<std::string> none;
  const auto& table = jsonata ? jsonata_fields : jsonpath;
  auto it = table.find(type);
  return it == table.end() ? none : it->second;
}

struct ScopeInfo {
  std::unordered_map<std::string, const Json*> states;
};

class Validator {
 public:
  explicit Validator(const ValidateOptions& options) : options_(options) {}

  std::vector<Diagnostic> run(const Json& def) {
    if (!def.is_object()) {
      error("Definition must be a valid JSON object", "");
      return finish();
    }
    static const std::set<std::string> top{"StartAt", "States", "Comment", "Version", "TimeoutSeconds",
                                           "QueryLanguage"};
    for (const auto& [key, _] : def.items()) {
      if (!top.count(key)) error("Field '" + key + "' is not supported", "/");
    }
    if (def.contains("QueryLanguage")) {
      const Json& q = def["QueryLanguage"];
      if (q != "JSONPath" && q != "JSONata") {
        error("The field 'QueryLanguage' should have one of these values: [JSONPath, JSONata]", "/QueryLanguage");
      }
      top_jsonata_ = q == "JSONata";
    }
    if (def.contains("Comment") && !def["Comment"].is_string()) {
      error("The value for the field 'Comment' must be a STRING", "/Comment");
    }
    if (def.contains("Version") && !def["Version"].is_string()) {
      error("The value for the field 'Version' must be a STRING", "/Version");
    }
    if (def.contains("TimeoutSeconds")) {
      const Json& t = def["TimeoutSeconds"];
      if (!t.is_number_integer() || t.get<std::int64_t>() < 1 || t.get<std::int64_t>() > kMaxSeconds) {
        error("The value for the field 'TimeoutSeconds' must be a positive integer", "/TimeoutSeconds");
      }
    }
    scope(def, "");
    return finish();
  }

 private:
  const ValidateOptions& options_;
  std::vector<Diagnostic> errors_;
  std::vector<Diagnostic> warnings_;
  bool top_jsonata_ = false;
  std::unordered_set<std::string> all_names_;

  std::vector<Diagnostic> finish() {
    std::vector<Diagnostic> out = std::move(errors_);
    if (options_.warnings) {
      for (auto& w : warnings_) out.push_back(std::move(w));
    }
    return out;
  }

  void error(std::string message, std::string location, const char* code = kSchema) {
    errors_.push_back(Diagnostic{code, std::move(message), std::move(location), "ERROR"});
  }
  void warning(const char* code, std::string message, std::string location) {
    warnings_.push_back(Diagnostic{code, std::move(message), std::move(location), "WARNING"});
  }

  static std::string at(const std::string& base, const std::string& key) { return base + "/" + escape_pointer(key); }

  // ---- scopes (the machine, Parallel branches, Map processors) -------------

  void scope(const Json& obj, const std::string& base) {
    const std::string here = base.empty() ? "/" : base;
    std::vector<std::string> missing;
    if (!obj.contains("States")) missing.push_back("States");
    if (!obj.contains("StartAt")) missing.push_back("StartAt");
    if (!missing.empty()) {
      std::string list;
      for (std::size_t i = 0; i < missing.size(); ++i) list += (i ? ", " : "") + missing[i];
      error("These fields are required: [" + list + "]", here);
      return;
    }
    const Json& states = obj["States"];
    if (!states.is_object()) {
      error("The value for the field 'States' must be an OBJECT", base + "/States");
      return;
    }
    if (states.empty()) {
      error("Value cannot be empty", base + "/States");
      return;
    }
    if (!obj["StartAt"].is_string()) {
      error("The value for the field 'StartAt' must be a STRING", base + "/StartAt");
      return;
    }
    for (const auto& [name, _] : states.items()) {
      if (!all_names_.insert(name).second) {
        error("Duplicate State name: " + name, at(base + "/States", name), "DUPLICATE_STATE_NAME");
      }
      if (name.empty() || utf8_length(name) > 80) {
        error("State name '" + name + "' must be between 1 and 80 characters", at(base + "/States", name),
              "INVALID_STATE_NAME");
      }
    }
    const std::string start = obj["StartAt"].get<std::string>();
    const bool start_ok = states.contains(start);
    if (!start_ok) error("Missing 'Next' target: " + start, base + "/StartAt", "MISSING_TRANSITION_TARGET");

    std::unordered_map<std::string, std::vector<std::string>> edges;
    bool has_terminal = false;
    for (const auto& [name, body] : states.items()) {
      std::vector<std::string> targets;
      bool terminal = false;
      state(body, at(base + "/States", name), states, targets, terminal);
      has_terminal = has_terminal || terminal;
      edges[name] = std::move(targets);
    }
    if (!has_terminal) {
      error("Workflow has no terminal state", "", "MISSING_END_STATE");
      return;
    }
    if (!start_ok) return;
    std::unordered_set<std::string> seen{start};
    std::vector<std::string> todo{start};
    while (!todo.empty()) {
      const std::string s = std::move(todo.back());
      todo.pop_back();
      for (const auto& t : edges[s]) {
        if (seen.insert(t).second) todo.push_back(t);
      }
    }
    for (const auto& [name, _] : states.items()) {
      if (!seen.count(name)) {
        error("State \"" + name + "\" is not reachable.", at(base + "/States", name), "MISSING_TRANSITION_TARGET");
      }
    }
  }

  static std::size_t utf8_length(const std::string& s) {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
      return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
  }

  void target(const Json& v, const std::string& loc, const Json& states, std::vector<std::string>& targets,
              const char* field = "Next") {
    if (!v.is_string()) {
      error(std::string("The value for the field '") + field + "' must be a STRING", loc);
      return;
    }
    const std::string& name = v.get_ref<const std::string&>();
    if (!states.contains(name)) {
      error("Missing 'Next' target: " + name, loc, "MISSING_TRANSITION_TARGET");
      return;
    }
    targets.push_back(name);
  }

  // ---- value checks ---------------------------------------------------------

  /// JSONata expressions anywhere inside a value: syntax only.
  void jsonata_value(const Json& v, const std::string& loc) {
    if (v.is_string()) {
      const auto& s = v.get_ref<const std::string&>();
      if (starts_with(s, "{%") != (ends_with(s, "%}") && s.size() >= 4)) {
        error("The JSONata expression '" + s + "' must be enclosed in '{%' and '%}'", loc);
        return;
      }
      if (starts_with(s, "{%") && ends_with(s, "%}") && s.size() >= 4) {
        const std::string problem = jsonata_syntax_problem(std::string_view(s).substr(2, s.size() - 4));
        if (!problem.empty()) error("The JSONata expression '" + s + "' is not valid: " + problem, loc);
      }
    } else if (v.is_object()) {
      for (const auto& [k, child] : v.items()) jsonata_value(child, at(loc, k));
    } else if (v.is_array()) {
      for (std::size_t i = 0; i < v.size(); ++i) jsonata_value(v[i], loc + "/" + std::to_string(i));
    }
  }

  /// An integer field (JSONata: or an expression).
  void integer(const Json& body, const char* field, const std::string& loc, std::int64_t min, std::int64_t max,
               bool jsonata, bool fractional = false) {
    if (!body.contains(field)) return;
    const Json& v = body[field];
    if (jsonata && is_jsonata_expr(v)) {
      jsonata_value(v, at(loc, field));
      return;
    }
    const bool number = fractional ? v.is_number() : v.is_number_integer();
    if (!number || v.get<double>() < static_cast<double>(min) || v.get<double>() > static_cast<double>(max)) {
      std::string what = fractional ? "a number" : "an integer";
      error(std::string("The value for the field '") + field + "' must be " + what + " between " +
                std::to_string(min) + " and " + std::to_string(max),
            at(loc, field));
    }
  }

  void only_one(const Json& body, const char* a, const char* b, const std::string& loc) {
    if (body.contains(a) && body.contains(b)) {
      error(std::string("The fields '") + a + "' and '" + b + "' are mutually exclusive", loc);
    }
  }

  /// A JSONPath `Path` (InputPath, OutputPath): `$...`, `$$...`, `$var...`, or null.
  void path_field(const Json& body, const char* field, const std::string& loc) {
    if (!body.contains(field)) return;
    const Json& v = body[field];
    if (v.is_null()) return;
    if (v.is_string() && !path::is_intrinsic_call(v.get_ref<const std::string&>()) &&
        path::ValueExpr::compile(v.get_ref<const std::string&>(), field).ok()) {
      return;
    }
    error(std::string("The value for the field '") + field + "' must be a valid JSONPath", at(loc, field));
  }

  /// A Reference Path field (ItemsPath, the *Path forms, Choice Variable):
  /// single-node paths on `$`, `$$` or a variable.
  bool reference_path_ok(const Json& v, const char* field) {
    return v.is_string() && !path::is_intrinsic_call(v.get_ref<const std::string&>()) &&
           path::ValueExpr::compile(v.get_ref<const std::string&>(), field, path::ValueExpr::PathRule::kReferencePath)
               .ok();
  }

  void reference_field(const Json& body, const char* field, const std::string& loc) {
    if (!body.contains(field)) return;
    if (!reference_path_ok(body[field], field)) {
      error(std::string("The value for the field '") + field + "' must be a valid ReferencePath", at(loc, field));
    }
  }

  /// ResultPath: null or a Reference Path on the state's input only.
  void result_path(const Json& body, const std::string& loc) {
    if (!body.contains("ResultPath")) return;
    const Json& v = body["ResultPath"];
    if (v.is_null()) return;
    if (v.is_string() && path::ReferencePath::compile(v.get_ref<const std::string&>()).ok()) return;
    error("The value for the field 'ResultPath' must be a valid ReferencePath", at(loc, "ResultPath"));
  }

  /// A JSONPath-mode payload template (Parameters, ResultSelector,
  /// ItemSelector, BatchInput, Assign, Credentials): `.$` keys take a path,
  /// a context path, a variable or an intrinsic call.
  void payload(const Json& v, const std::string& field_loc, bool assign = false, bool top = true) {
    if (!v.is_object()) {
      if (v.is_array()) {
        for (const auto& item : v) payload(item, field_loc, false, false);
      }
      return;
    }
    std::set<std::string> names;
    for (const auto& [key, value] : v.items()) {
      const bool dynamic = ends_with(key, ".$");
      const std::string name = dynamic ? key.substr(0, key.size() - 2) : key;
      if (!names.insert(name).second) {
        error("The field '" + name + "' is declared more than once (with and without '.$')", field_loc);
      }
      if (assign && top && !variable_name_ok(name)) {
        error("The variable name '" + name + "' is not valid", field_loc);
      }
      if (dynamic) {
        if (!value.is_string()) {
          error("The value for the field '" + key + "' must be a STRING that contains a JSONPath but was an " +
                    type_name(value),
                field_loc);
        } else if (!path::ValueExpr::compile(value.get_ref<const std::string&>(), key).ok()) {
          error("The value for the field '" + key + "' must be a valid JSONPath or a valid intrinsic function call",
                field_loc);
        }
      } else {
        if (value.is_string()) {
          const auto& s = value.get_ref<const std::string&>();
          if (starts_with(s, "$.") || starts_with(s, "$$.") || starts_with(s, "$[") ||
              (path::is_intrinsic_call(s) && ends_with(s, ")"))) {
            warning("NO_DOLLAR",
                    "The value for the field '" + key +
                        "' looks like a JSONPath or an intrinsic function call, but the field name does not end "
                        "with '.$'",
                    field_loc);
          }
        }
        payload(value, field_loc, false, false);
      }
    }
  }

  /// Assign in either language: an object of variable names.
  void assign(const Json& body, const std::string& loc, bool jsonata) {
    if (!body.contains("Assign")) return;
    const Json& v = body["Assign"];
    const std::string aloc = at(loc, "Assign");
    if (!v.is_object()) {
      error("The value for the field 'Assign' must be an OBJECT", aloc);
      return;
    }
    if (jsonata) {
      for (const auto& [key, value] : v.items()) {
        if (!variable_name_ok(key)) error("The variable name '" + key + "' is not valid", aloc);
        jsonata_value(value, at(aloc, key));
      }
    } else {
      payload(v, aloc, true);
    }
  }

  void template_field(const Json& body, const char* field, const std::string& loc, bool jsonata) {
    if (!body.contains(field)) return;
    const Json& v = body[field];
    if (jsonata) {
      jsonata_value(v, at(loc, field));
      return;
    }
    payload(v, at(loc, field));
  }

  // ---- states --------------------------------------------------------------

  void state(const Json& body, const std::string& loc, const Json& states, std::vector<std::string>& targets,
             bool& terminal) {
    if (!body.is_object()) {
      error("The value for the field '" + loc.substr(loc.rfind('/') + 1) + "' must be an OBJECT", loc);
      return;
    }
    // A state whose type cannot be read is still terminal when it says `End: true`
    // (AWS reports only the type, not also "Workflow has no terminal state").
    const bool says_end = body.contains("End") && body["End"] == true;
    if (!body.contains("Type")) {
      error("These fields are required: [Type]", loc);
      terminal = says_end;
      return;
    }
    const Json& tv = body["Type"];
    static const std::set<std::string> types{"Task", "Wait", "Pass", "Succeed", "Fail", "Choice", "Parallel", "Map"};
    if (!tv.is_string() || !types.count(tv.get<std::string>())) {
      error("The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]",
            at(loc, "Type"));
      terminal = says_end;
      return;
    }
    const std::string type = tv.get<std::string>();
    bool jsonata = top_jsonata_;
    if (body.contains("QueryLanguage")) {
      const Json& q = body["QueryLanguage"];
      if (q != "JSONPath" && q != "JSONata") {
        error("The field 'QueryLanguage' should have one of these values: [JSONPath, JSONata]",
              at(loc, "QueryLanguage"));
      } else if (top_jsonata_ && q == "JSONPath") {
        error("'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine", loc);
      } else {
        jsonata = q == "JSONata";
      }
    }
    const auto& allowed = allowed_fields(type, jsonata);
    for (const auto& [key, _] : body.items()) {
      if (key == "Type" || key == "Comment" || key == "QueryLanguage") continue;
      if (!allowed.count(key)) error("Field '" + key + "' is not supported", loc);
    }
    if (body.contains("Comment") && !body["Comment"].is_string()) {
      error("The value for the field 'Comment' must be a STRING", at(loc, "Comment"));
    }

    // Flow.
    const bool flows = type != "Choice" && type != "Succeed" && type != "Fail";
    if (!flows) terminal = type != "Choice";
    if (flows) {
      const bool has_next = body.contains("Next");
      const bool has_end = body.contains("End");
      if (has_end && !body["End"].is_boolean()) {
        error("The value for the field 'End' must be a BOOLEAN", at(loc, "End"));
      }
      const bool end = has_end && body["End"] == true;
      if (has_next && end) {
        error("The fields 'Next' and 'End' are mutually exclusive", loc);
      } else if (!has_next && !end) {
        error("These fields are required: [Next, End]", loc);
      }
      if (has_next) target(body["Next"], at(loc, "Next"), states, targets);
      terminal = end;
    }

    assign(body, loc, jsonata);
    if (jsonata) {
      if (body.contains("Output")) jsonata_value(body["Output"], at(loc, "Output"));
    } else {
      path_field(body, "InputPath", loc);
      path_field(body, "OutputPath", loc);
      result_path(body, loc);
    }

    if (type == "Pass") pass(body, loc, jsonata);
    else if (type == "Task") task(body, loc, states, targets, jsonata);
    else if (type == "Choice") choice(body, loc, states, targets, jsonata);
    else if (type == "Wait") wait(body, loc, jsonata);
    else if (type == "Fail") fail(body, loc, jsonata);
    else if (type == "Parallel") parallel(body, loc, states, targets, jsonata);
    else if (type == "Map") map(body, loc, states, targets, jsonata);
  }

  void pass(const Json& body, const std::string& loc, bool jsonata) {
    if (jsonata) return;
    template_field(body, "Parameters", loc, false);
    if (body.contains("Result") && body["Result"].is_object()) {
      for (const auto& [key, _] : body["Result"].items()) {
        if (ends_with(key, ".$")) {
          warning("PASS_RESULT_IS_STATIC",
                  "The field '" + key + "' ends with '.$', but Result is static: its value is not evaluated",
                  at(loc, "Result"));
          break;
        }
      }
    }
  }

  void task(const Json& body, const std::string& loc, const Json& states, std::vector<std::string>& targets,
            bool jsonata) {
    if (!body.contains("Resource")) {
      error("These fields are required: [Resource]", loc);
    } else if (!body["Resource"].is_string()) {
      error("The value for the field 'Resource' must be a STRING", at(loc, "Resource"));
    } else {
      const std::string& r = body["Resource"].get_ref<const std::string&>();
      if (!resource_recognised(r)) {
        error("The resource provided " + r +
                  " is not recognized. The value is not a valid resource ARN, or the resource is not available in "
                  "this region.",
              at(loc, "Resource"));
      } else if (options_.type == "EXPRESS") {
        express(r, at(loc, "Resource"));
      }
    }
    if (jsonata) {
      if (body.contains("Arguments")) jsonata_value(body["Arguments"], at(loc, "Arguments"));
    } else {
      template_field(body, "Parameters", loc, false);
      template_field(body, "ResultSelector", loc, false);
      reference_field(body, "TimeoutSecondsPath", loc);
      reference_field(body, "HeartbeatSecondsPath", loc);
      only_one(body, "TimeoutSeconds", "TimeoutSecondsPath", loc);
      only_one(body, "HeartbeatSeconds", "HeartbeatSecondsPath", loc);
    }
    integer(body, "TimeoutSeconds", loc, 1, kMaxSeconds, jsonata);
    integer(body, "HeartbeatSeconds", loc, 1, kMaxSeconds, jsonata);
    if (body.contains("TimeoutSeconds") && body.contains("HeartbeatSeconds") &&
        body["TimeoutSeconds"].is_number_integer() && body["HeartbeatSeconds"].is_number_integer() &&
        body["HeartbeatSeconds"].get<std::int64_t>() >= body["TimeoutSeconds"].get<std::int64_t>()) {
      error("The value for the field 'HeartbeatSeconds' must be smaller than the value for the field 'TimeoutSeconds'",
            at(loc, "HeartbeatSeconds"));
    }
    if (body.contains("Credentials")) credentials(body["Credentials"], at(loc, "Credentials"), jsonata);
    retry_catch(body, loc, states, targets, jsonata);
  }

  void express(const std::string& r, const std::string& loc) {
    if (ends_with(r, ".waitForTaskToken")) {
      error("Express state machine does not support '.waitForTaskToken' service integration ", loc);
    } else if (ends_with(r, ".sync") || ends_with(r, ".sync:2")) {
      error("Express state machine does not support '.sync' service integration", loc);
    } else if (auto arn = split_arn(r); arn && arn->service == "states" && starts_with(arn->resource, "activity:")) {
      error("Express state machine does not support Activity ARN", loc);
    }
  }

  void credentials(const Json& c, const std::string& loc, bool jsonata) {
    if (!c.is_object()) {
      error("The value for the field 'Credentials' must be an OBJECT", loc);
      return;
    }
    const bool has_role = c.contains("RoleArn") || (!jsonata && c.contains("RoleArn.$"));
    if (!has_role) {
      error("The field 'RoleArn' is required but was missing", loc);
      return;
    }
    for (const auto& [key, value] : c.items()) {
      if (key == "RoleArn") {
        if (jsonata ? !(value.is_string()) : !value.is_string()) {
          error("The value for the field 'RoleArn' must be a STRING", at(loc, "RoleArn"));
        } else if (jsonata) {
          jsonata_value(value, at(loc, "RoleArn"));
        }
      } else if (key == "RoleArn.$" && !jsonata) {
        if (!value.is_string() || !path::ValueExpr::compile(value.get_ref<const std::string&>(), key).ok()) {
          error("The value for the field 'RoleArn.$' must be a valid JSONPath or a valid intrinsic function call",
                loc);
        }
      } else {
        error("Field '" + key + "' is not supported", loc);
      }
    }
  }

  void error_equals(const Json& entry, const std::string& loc, bool& has_all) {
    if (!entry.contains("ErrorEquals")) {
      error("These fields are required: [ErrorEquals]", loc);
      return;
    }
    const Json& e = entry["ErrorEquals"];
    if (!e.is_array()) {
      error("The value for the field 'ErrorEquals' must be an ARRAY", at(loc, "ErrorEquals"));
      return;
    }
    if (e.empty()) {
      error("Value cannot be empty", at(loc, "ErrorEquals"));
      return;
    }
    for (const Json& name : e) {
      if (!name.is_string()) {
        error("The value for the field 'ErrorEquals' must be an ARRAY of STRING", at(loc, "ErrorEquals"));
        return;
      }
      if (name == "States.ALL") {
        has_all = true;
        if (e.size() != 1) {
          error("States.ALL must appear alone in ErrorEquals", at(loc, "ErrorEquals"));
        }
      }
    }
  }

  void retry_catch(const Json& body, const std::string& loc, const Json& states, std::vector<std::string>& targets,
                   bool jsonata) {
    if (body.contains("Retry")) {
      const Json& r = body["Retry"];
      const std::string rloc = at(loc, "Retry");
      if (!r.is_array()) {
        error("The value for the field 'Retry' must be an ARRAY", rloc);
      } else {
        for (std::size_t i = 0; i < r.size(); ++i) {
          const std::string eloc = rloc + "/" + std::to_string(i);
          const Json& e = r[i];
          if (!e.is_object()) {
            error("The value for the field 'Retry' must be an ARRAY of OBJECT", eloc);
            continue;
          }
          static const std::set<std::string> fields{"ErrorEquals",  "IntervalSeconds", "MaxAttempts", "BackoffRate",
                                                    "MaxDelaySeconds", "JitterStrategy", "Comment"};
          for (const auto& [key, _] : e.items()) {
            if (!fields.count(key)) error("Field '" + key + "' is not supported", eloc);
          }
          bool has_all = false;
          error_equals(e, eloc, has_all);
          if (has_all && i + 1 != r.size()) {
            error("States.ALL must appear in the last retrier", at(eloc, "ErrorEquals"));
          }
          integer(e, "IntervalSeconds", eloc, 1, kMaxSeconds, false);
          integer(e, "MaxAttempts", eloc, 0, kMaxSeconds, false);
          integer(e, "MaxDelaySeconds", eloc, 1, 31622400, false);
          if (e.contains("BackoffRate")) {
            const Json& b = e["BackoffRate"];
            if (!b.is_number() || b.get<double>() < 1.0) {
              error("The value for the field 'BackoffRate' must be a number greater than or equal to 1.0",
                    at(eloc, "BackoffRate"));
            }
          }
          if (e.contains("JitterStrategy") && e["JitterStrategy"] != "FULL" && e["JitterStrategy"] != "NONE") {
            error("The field 'JitterStrategy' should have one of these values: [FULL, NONE]",
                  at(eloc, "JitterStrategy"));
          }
        }
      }
    }
    if (body.contains("Catch")) {
      const Json& c = body["Catch"];
      const std::string cloc = at(loc, "Catch");
      if (!c.is_array()) {
        error("The value for the field 'Catch' must be an ARRAY", cloc);
        return;
      }
      for (std::size_t i = 0; i < c.size(); ++i) {
        const std::string eloc = cloc + "/" + std::to_string(i);
        const Json& e = c[i];
        if (!e.is_object()) {
          error("The value for the field 'Catch' must be an ARRAY of OBJECT", eloc);
          continue;
        }
        static const std::set<std::string> path_fields{"ErrorEquals", "Next", "ResultPath", "Assign", "Comment"};
        static const std::set<std::string> ata_fields{"ErrorEquals", "Next", "Output", "Assign", "Comment"};
        const auto& fields = jsonata ? ata_fields : path_fields;
        for (const auto& [key, _] : e.items()) {
          if (!fields.count(key)) error("Field '" + key + "' is not supported", eloc);
        }
        bool has_all = false;
        error_equals(e, eloc, has_all);
        if (has_all && i + 1 != c.size()) {
          error("States.ALL must appear in the last catcher", at(eloc, "ErrorEquals"));
        }
        if (!e.contains("Next")) {
          error("These fields are required: [Next]", eloc);
        } else {
          target(e["Next"], cloc + "[" + std::to_string(i) + "]/Next", states, targets);
        }
        if (jsonata) {
          if (e.contains("Output")) jsonata_value(e["Output"], at(eloc, "Output"));
        } else {
          result_path(e, eloc);
        }
        assign(e, eloc, jsonata);
      }
    }
  }

  // ---- Choice --------------------------------------------------------------

  void choice(const Json& body, const std::string& loc, const Json& states, std::vector<std::string>& targets,
              bool jsonata) {
    if (!body.contains("Choices")) {
      error("These fields are required: [Choices]", loc);
    } else if (!body["Choices"].is_array()) {
      error("The value for the field 'Choices' must be an ARRAY", at(loc, "Choices"));
    } else if (body["Choices"].empty()) {
      error("Value cannot be empty", at(loc, "Choices"));
    } else {
      const Json& cs = body["Choices"];
      for (std::size_t i = 0; i < cs.size(); ++i) {
        const std::string rloc = at(loc, "Choices") + "/" + std::to_string(i);
        const Json& rule = cs[i];
        if (!rule.is_object()) {
          error("The value for the field 'Choices' must be an ARRAY of OBJECT", rloc);
          continue;
        }
        if (!rule.contains("Next")) {
          error("These fields are required: [Next]", rloc);
        } else {
          target(rule["Next"], at(loc, "Choices") + "[" + std::to_string(i) + "]/Next", states, targets);
        }
        assign(rule, rloc, jsonata);
        if (jsonata) jsonata_rule(rule, rloc);
        else choice_rule(rule, rloc, true);
      }
    }
    if (body.contains("Default")) target(body["Default"], at(loc, "Default"), states, targets, "Default");
  }

  void jsonata_rule(const Json& rule, const std::string& loc) {
    static const std::set<std::string> fields{"Condition", "Next", "Output", "Assign", "Comment"};
    for (const auto& [key, _] : rule.items()) {
      if (!fields.count(key)) error("Field '" + key + "' is not supported", loc);
    }
    if (!rule.contains("Condition")) {
      error("These fields are required: [Condition]", loc);
      return;
    }
    const Json& c = rule["Condition"];
    if (c.is_boolean()) return;
    if (!is_jsonata_expr(c)) {
      error("The value for the field 'Condition' must be a BOOLEAN or a JSONata expression", at(loc, "Condition"));
      return;
    }
    jsonata_value(c, at(loc, "Condition"));
    if (rule.contains("Output")) jsonata_value(rule["Output"], at(loc, "Output"));
  }

  /// A JSONPath Choice rule: `Variable` + one comparison, or And/Or/Not.
  void choice_rule(const Json& rule, const std::string& loc, bool top) {
    if (!rule.is_object()) {
      error("A choice rule must be an OBJECT", loc);
      return;
    }
    static const std::set<std::string> string_ops{"StringEquals", "StringLessThan", "StringGreaterThan",
                                                  "StringLessThanEquals", "StringGreaterThanEquals",
                                                  "StringMatches"};
    static const std::set<std::string> numeric_ops{"NumericEquals", "NumericLessThan", "NumericGreaterThan",
                                                   "NumericLessThanEquals", "NumericGreaterThanEquals"};
    static const std::set<std::string> timestamp_ops{"TimestampEquals", "TimestampLessThan", "TimestampGreaterThan",
                                                     "TimestampLessThanEquals", "TimestampGreaterThanEquals"};
    static const std::set<std::string> bool_ops{"BooleanEquals", "IsNull", "IsPresent", "IsNumeric", "IsString",
                                                "IsBoolean", "IsTimestamp"};
    auto is_path_op = [&](const std::string& k) {
      if (!ends_with(k, "Path")) return false;
      const std::string base = k.substr(0, k.size() - 4);
      return base != "StringMatches" &&
             (string_ops.count(base) || numeric_ops.count(base) || timestamp_ops.count(base) ||
              base == "BooleanEquals");
    };
    int combinators = 0;
    int comparisons = 0;
    for (const auto& [key, value] : rule.items()) {
      if (key == "Next" || key == "Assign") {
        if (!top) error("Field '" + key + "' is not supported", loc);
        continue;
      }
      if (key == "Comment" || key == "Variable") continue;
      if (key == "And" || key == "Or") {
        ++combinators;
        if (!value.is_array() || value.empty()) {
          error("The value for the field '" + key + "' must be a non-empty ARRAY", at(loc, key));
          continue;
        }
        for (std::size_t i = 0; i < value.size(); ++i) choice_rule(value[i], at(loc, key) + "/" + std::to_string(i), false);
      } else if (key == "Not") {
        ++combinators;
        choice_rule(value, at(loc, key), false);
      } else if (string_ops.count(key)) {
        ++comparisons;
        if (!value.is_string()) error("The value for the field '" + key + "' must be a STRING", at(loc, key));
      } else if (numeric_ops.count(key)) {
        ++comparisons;
        if (!value.is_number()) error("The value for the field '" + key + "' must be a NUMBER", at(loc, key));
      } else if (timestamp_ops.count(key)) {
        ++comparisons;
        if (!value.is_string() || !choice::parse_timestamp(value.get_ref<const std::string&>())) {
          error("String does not match RFC3339 timestamp", at(loc, key));
        }
      } else if (bool_ops.count(key)) {
        ++comparisons;
        if (!value.is_boolean()) error("The value for the field '" + key + "' must be a BOOLEAN", at(loc, key));
      } else if (is_path_op(key)) {
        ++comparisons;
        if (!reference_path_ok(value, key.c_str())) {
          error("The value for the field '" + key + "' must be a valid ReferencePath", at(loc, key));
        }
      } else {
        error("Field '" + key + "' is not supported", loc);
      }
    }
    if (combinators + comparisons == 0) {
      error("A choice rule needs a comparison operator or one of [And, Or, Not]", loc);
    } else if (combinators + comparisons > 1) {
      error("A choice rule may have only one comparison operator or combinator", loc);
    }
    if (comparisons == 1) {
      if (!rule.contains("Variable")) error("These fields are required: [Variable]", loc);
      else if (!reference_path_ok(rule["Variable"], "Variable")) {
        error("The value for the field 'Variable' must be a valid ReferencePath", at(loc, "Variable"));
      }
    } else if (rule.contains("Variable") && combinators > 0) {
      error("Field 'Variable' is not supported", loc);
    }
  }

  // ---- Wait, Fail ------------------------------------------------------------

  void wait(const Json& body, const std::string& loc, bool jsonata) {
    int forms = 0;
    for (const char* f : {"Seconds", "Timestamp", "SecondsPath", "TimestampPath"}) forms += body.contains(f) ? 1 : 0;
    if (forms != 1) {
      error(forms == 0 ? "One of these fields is required: [Seconds, Timestamp, SecondsPath, TimestampPath]"
                       : "Only one of these fields may be set: [Seconds, Timestamp, SecondsPath, TimestampPath]",
            loc);
    }
    integer(body, "Seconds", loc, 0, kMaxSeconds, jsonata);
    if (body.contains("Timestamp")) {
      const Json& ts = body["Timestamp"];
      if (jsonata && is_jsonata_expr(ts)) {
        jsonata_value(ts, at(loc, "Timestamp"));
      } else if (!ts.is_string() || !choice::parse_timestamp(ts.get_ref<const std::string&>())) {
        error("String does not match RFC3339 timestamp", at(loc, "Timestamp"));
      }
    }
    if (!jsonata) {
      reference_field(body, "SecondsPath", loc);
      reference_field(body, "TimestampPath", loc);
    }
  }

  void fail(const Json& body, const std::string& loc, bool jsonata) {
    for (const char* f : {"Error", "Cause"}) {
      if (!body.contains(f)) continue;
      if (!body[f].is_string()) {
        error(std::string("The value for the field '") + f + "' must be a STRING", at(loc, f));
      } else if (jsonata) {
        jsonata_value(body[f], at(loc, f));
      }
    }
    if (jsonata) return;
    for (const char* f : {"ErrorPath", "CausePath"}) {
      if (!body.contains(f)) continue;
      const Json& v = body[f];
      bool ok = false;
      if (v.is_string()) {
        const auto& s = v.get_ref<const std::string&>();
        if (path::is_intrinsic_call(s)) ok = string_intrinsic(s) && path::ValueExpr::compile(s, f).ok();
        else ok = reference_path_ok(v, f);
      }
      if (!ok) {
        error(std::string("The value for the field '") + f +
                  "' must be a valid JSONPath or a valid intrinsic function call that returns a string",
              at(loc, f));
      }
    }
    only_one(body, "Error", "ErrorPath", loc);
    only_one(body, "Cause", "CausePath", loc);
  }

  // ---- Parallel, Map ----------------------------------------------------------

  void branch_scope(const Json& obj, const std::string& loc, bool map_processor) {
    if (!obj.is_object()) {
      error("The value must be an OBJECT", loc);
      return;
    }
    static const std::set<std::string> branch_fields{"StartAt", "States", "Comment", "QueryLanguage"};
    for (const auto& [key, _] : obj.items()) {
      if (branch_fields.count(key) || (map_processor && key == "ProcessorConfig")) continue;
      error("Field '" + key + "' is not supported", loc);
    }
    scope(obj, loc);
  }

  void parallel(const Json& body, const std::string& loc, const Json& states, std::vector<std::string>& targets,
                bool jsonata) {
    if (!jsonata) {
      template_field(body, "Parameters", loc, false);
      template_field(body, "ResultSelector", loc, false);
    } else if (body.contains("Arguments")) {
      jsonata_value(body["Arguments"], at(loc, "Arguments"));
    }
    if (!body.contains("Branches")) {
      error("These fields are required: [Branches]", loc);
    } else if (!body["Branches"].is_array()) {
      error("The value for the field 'Branches' must be an ARRAY", at(loc, "Branches"));
    } else if (body["Branches"].empty()) {
      error("Value cannot be empty", at(loc, "Branches"));
    } else {
      const Json& bs = body["Branches"];
      for (std::size_t i = 0; i < bs.size(); ++i) {
        branch_scope(bs[i], at(loc, "Branches") + "/" + std::to_string(i), false);
      }
    }
    retry_catch(body, loc, states, targets, jsonata);
  }

  void map(const Json& body, const std::string& loc, const Json& states, std::vector<std::string>& targets,
           bool jsonata) {
    const bool has_processor = body.contains("ItemProcessor");
    const bool has_iterator = body.contains("Iterator");
    if (has_processor && has_iterator) {
      error("The fields 'ItemProcessor' and 'Iterator' are mutually exclusive", loc);
    } else if (!has_processor && !has_iterator) {
      error("These fields are required: [ItemProcessor]", loc);
    }
    bool distributed = false;
    if (has_processor || has_iterator) {
      const char* field = has_processor ? "ItemProcessor" : "Iterator";
      const Json& proc = body[field];
      const std::string ploc = at(loc, field);
      if (proc.is_object() && proc.contains("ProcessorConfig")) {
        const Json& pc = proc["ProcessorConfig"];
        const std::string cloc = at(ploc, "ProcessorConfig");
        if (!pc.is_object()) {
          error("The value for the field 'ProcessorConfig' must be an OBJECT", cloc);
        } else {
          for (const auto& [key, value] : pc.items()) {
            if (key == "Mode") {
              if (value != "INLINE" && value != "DISTRIBUTED") {
                error("The field 'Mode' should have one of these values: [INLINE, DISTRIBUTED]", at(cloc, "Mode"));
              }
              distributed = value == "DISTRIBUTED";
            } else if (key == "ExecutionType") {
              if (value != "STANDARD" && value != "EXPRESS") {
                error("The field 'ExecutionType' should have one of these values: [STANDARD, EXPRESS]",
                      at(cloc, "ExecutionType"));
              }
            } else {
              error("Field '" + key + "' is not supported", cloc);
            }
          }
          if (distributed && !pc.contains("ExecutionType")) {
            error("These fields are required: [ExecutionType]", cloc);
          }
        }
      }
      branch_scope(proc, ploc, true);
    }
    if (jsonata) {
      if (body.contains("Items")) {
        const Json& items = body["Items"];
        if (!items.is_array() && !is_jsonata_expr(items)) {
          error("The value for the field 'Items' must be an ARRAY or a JSONata expression", at(loc, "Items"));
        }
        jsonata_value(items, at(loc, "Items"));
      }
      if (body.contains("ItemSelector")) jsonata_value(body["ItemSelector"], at(loc, "ItemSelector"));
    } else {
      reference_field(body, "ItemsPath", loc);
      only_one(body, "ItemSelector", "Parameters", loc);
      template_field(body, "ItemSelector", loc, false);
      template_field(body, "Parameters", loc, false);
      template_field(body, "ResultSelector", loc, false);
      for (const char* f : {"MaxConcurrency", "ToleratedFailureCount", "ToleratedFailurePercentage"}) {
        const std::string path_field = std::string(f) + "Path";
        reference_field(body, path_field.c_str(), loc);
        only_one(body, f, path_field.c_str(), loc);
      }
    }
    integer(body, "MaxConcurrency", loc, 0, kMaxSeconds, jsonata);
    integer(body, "ToleratedFailureCount", loc, 0, kMaxSeconds, jsonata);
    integer(body, "ToleratedFailurePercentage", loc, 0, 100, jsonata, true);
    if (body.contains("Label")) {
      const Json& l = body["Label"];
      if (!l.is_string()) {
        error("The value for the field 'Label' must be a STRING", at(loc, "Label"));
      } else if (const std::string problem = label_problem(l.get<std::string>()); !problem.empty()) {
        error(problem, at(loc, "Label"), "INVALID_LABEL_NAME");
      }
    }
    if (body.contains("ItemBatcher")) item_batcher(body["ItemBatcher"], at(loc, "ItemBatcher"), jsonata);
    if (body.contains("ItemReader")) reader_writer(body["ItemReader"], at(loc, "ItemReader"), jsonata, true);
    if (body.contains("ResultWriter")) reader_writer(body["ResultWriter"], at(loc, "ResultWriter"), jsonata, false);
    retry_catch(body, loc, states, targets, jsonata);
  }

  void item_batcher(const Json& b, const std::string& loc, bool jsonata) {
    if (!b.is_object()) {
      error("The value for the field 'ItemBatcher' must be an OBJECT", loc);
      return;
    }
    static const std::set<std::string> path_fields{"BatchInput", "MaxItemsPerBatch", "MaxItemsPerBatchPath",
                                                   "MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath"};
    static const std::set<std::string> ata_fields{"BatchInput", "MaxItemsPerBatch", "MaxInputBytesPerBatch"};
    for (const auto& [key, _] : b.items()) {
      if (!(jsonata ? ata_fields : path_fields).count(key)) error("Field '" + key + "' is not supported", loc);
    }
    integer(b, "MaxItemsPerBatch", loc, 1, kMaxSeconds, jsonata);
    integer(b, "MaxInputBytesPerBatch", loc, 1, 262144, jsonata);
    if (jsonata) {
      if (b.contains("BatchInput")) jsonata_value(b["BatchInput"], at(loc, "BatchInput"));
    } else {
      reference_field(b, "MaxItemsPerBatchPath", loc);
      reference_field(b, "MaxInputBytesPerBatchPath", loc);
      template_field(b, "BatchInput", loc, false);
    }
    if (!jsonata) {
      only_one(b, "MaxItemsPerBatch", "MaxItemsPerBatchPath", loc);
      only_one(b, "MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath", loc);
    }
    const bool any = b.contains("MaxItemsPerBatch") || b.contains("MaxItemsPerBatchPath") ||
                     b.contains("MaxInputBytesPerBatch") || b.contains("MaxInputBytesPerBatchPath");
    if (!any) error("At least one of these fields is required: [MaxItemsPerBatch, MaxInputBytesPerBatch]", loc);
  }

  void reader_writer(const Json& r, const std::string& loc, bool jsonata, bool reader) {
    if (!r.is_object()) {
      error(std::string("The value for the field '") + (reader ? "ItemReader" : "ResultWriter") +
                "' must be an OBJECT",
            loc);
      return;
    }
    const char* config = reader ? "ReaderConfig" : "WriterConfig";
    for (const auto& [key, _] : r.items()) {
      const bool ok = key == "Resource" || key == config || (jsonata ? key == "Arguments" : key == "Parameters");
      if (!ok) error("Field '" + key + "' is not supported", loc);
    }
    if (!r.contains("Resource")) {
      // A ResultWriter may carry only a WriterConfig (output transformation without S3).
      if (reader || !r.contains("WriterConfig")) error("These fields are required: [Resource]", loc);
    } else if (!r["Resource"].is_string() || !starts_with(r["Resource"].get_ref<const std::string&>(), "arn:")) {
      error("The value for the field 'Resource' must be a valid resource ARN", at(loc, "Resource"));
    }
    if (jsonata) {
      if (r.contains("Arguments")) jsonata_value(r["Arguments"], at(loc, "Arguments"));
    } else {
      template_field(r, "Parameters", loc, false);
    }
    if (r.contains(config)) {
      const Json& c = r[config];
      const std::string cloc = at(loc, config);
      if (!c.is_object()) {
        error(std::string("The value for the field '") + config + "' must be an OBJECT", cloc);
        return;
      }
      if (reader) {
        if (c.contains("InputType")) {
          static const std::set<std::string> types{"CSV", "JSON", "JSONL", "PARQUET", "MANIFEST"};
          if (!c["InputType"].is_string() || !types.count(c["InputType"].get<std::string>())) {
            error("The field 'InputType' should have one of these values: [CSV, JSON, JSONL, PARQUET, MANIFEST]",
                  at(cloc, "InputType"));
          }
        }
        if (c.contains("CSVHeaderLocation") && c["CSVHeaderLocation"] != "FIRST_ROW" &&
            c["CSVHeaderLocation"] != "GIVEN") {
          error("The field 'CSVHeaderLocation' should have one of these values: [FIRST_ROW, GIVEN]",
                at(cloc, "CSVHeaderLocation"));
        }
        integer(c, "MaxItems", cloc, 0, 100000000, jsonata);
        if (!jsonata) {
          reference_field(c, "MaxItemsPath", cloc);
          only_one(c, "MaxItems", "MaxItemsPath", cloc);
        }
      } else {
        std::vector<std::string> missing;
        for (const char* f : {"OutputType"}) {
          if (!c.contains(f)) missing.emplace_back(f);
        }
        if (!missing.empty()) {
          std::string list;
          for (std::size_t i = 0; i < missing.size(); ++i) list += (i ? ", " : "") + missing[i];
          error("These fields are required: [" + list + "]", cloc);
        }
        if (c.contains("OutputType") && c["OutputType"] != "JSON" && c["OutputType"] != "JSONL") {
          error("The field 'OutputType' should have one of these values: [JSON, JSONL]", at(cloc, "OutputType"));
        }
        if (c.contains("Transformation") && c["Transformation"] != "NONE" && c["Transformation"] != "COMPACT" &&
            c["Transformation"] != "FLATTEN") {
          error("The field 'Transformation' should have one of these values: [NONE, COMPACT, FLATTEN]",
                at(cloc, "Transformation"));
        }
      }
    }
  }
};

/// Jackson's location: "[Source: (String)"<first 500 chars>"; line: L, column: C]".
std::string jackson_location(std::string_view text, std::size_t line, std::size_t column) {
  std::string escaped;
  for (char c : text.substr(0, std::min<std::size_t>(text.size(), 500))) {
    if (c == '"') escaped += "\\\"";
    else escaped += c;
  }
  return "[Source: (String)\"" + escaped + "\"; line: " + std::to_string(line) + ", column: " + std::to_string(column) +
         "]";
}

/// Jackson's message for a document that does not parse (best effort: the
/// first offending token, 1-based line and column after it).
Diagnostic json_error(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
  std::size_t line = 1, line_start = 0;
  for (std::size_t k = 0; k < i; ++k) {
    if (text[k] == '\n') { ++line; line_start = k + 1; }
  }
  const char c = i < text.size() ? text[i] : '\0';
  std::string message;
  std::size_t column = i - line_start + 1;
  const bool starts_value = c == '{' || c == '[' || c == '"' || c == '-' || (c >= '0' && c <= '9');
  if (!starts_value && c != '\0') {
    std::size_t end = i;
    while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_' ||
                                 text[end] == '$' || static_cast<unsigned char>(text[end]) >= 0x80)) {
      ++end;
    }
    if (end == i) end = i + 1;
    const std::string token(text.substr(i, end - i));
    column = end - line_start + 1;
    message = "Unrecognized token '" + token +
              "': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')";
  } else {
    message = "Unexpected end-of-input or character in the JSON document";
  }
  const std::string location = jackson_location(text, line, column);
  return Diagnostic{"INVALID_JSON_DESCRIPTION", message + "\n at " + location, location, "ERROR"};
}

/// Jackson's message for a document nested deeper than kMaxJsonDepth: the
/// location is just after the bracket that opens one level too many.
Diagnostic json_depth_error(std::string_view text) {
  std::size_t depth = 0, line = 1, line_start = 0, at = text.size();
  bool in_string = false, escaped_char = false;
  for (std::size_t k = 0; k < text.size(); ++k) {
    const char c = text[k];
    if (in_string) {
      if (escaped_char) escaped_char = false;
      else if (c == '\\') escaped_char = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '\n') { ++line; line_start = k + 1; }
    else if (c == ']' || c == '}') { if (depth > 0) --depth; }
    else if ((c == '[' || c == '{') && ++depth > kMaxJsonDepth) { at = k; break; }
  }
  const std::size_t column = at < text.size() ? at - line_start + 2 : 1;
  const std::string location = jackson_location(text, line, column);
  return Diagnostic{"INVALID_JSON_DESCRIPTION", nesting_depth_message() + "\n at " + location, location, "ERROR"};
}

}  // namespace

std::vector<Diagnostic> validate_definition(const Json& definition, const ValidateOptions& options) {
  Validator v(options);
  return v.run(definition);
}

std::vector<Diagnostic> validate_definition(std::string_view definition, const ValidateOptions& options) {
  const bool blank = std::all_of(definition.begin(), definition.end(),
                                 [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
  if (blank) return {Diagnostic{"SCHEMA_VALIDATION_FAILED", "Definition must be a valid JSON object", "", "ERROR"}};
  auto parsed = parse_json(definition, ErrorCode::kInvalidDefinition);
  if (!parsed.ok()) {
    return {is_nesting_depth_error(parsed.status()) ? json_depth_error(definition) : json_error(definition)};
  }
  return validate_definition(*parsed, options);
}

ValidationReport validation_report(std::string_view definition, const std::string& type,
                                   const std::string& severity, std::size_t max_results) {
  ValidateOptions options;
  options.type = type.empty() ? "STANDARD" : type;
  options.warnings = severity == "WARNING";
  ValidationReport report;
  std::vector<Diagnostic> all = validate_definition(definition, options);
  const bool failed = std::any_of(all.begin(), all.end(), [](const Diagnostic& d) { return d.severity == "ERROR"; });
  report.result = failed ? "FAIL" : "OK";
  const std::size_t limit = max_results == 0 ? 100 : max_results;
  if (all.size() > limit) {
    all.resize(limit);
    report.truncated = true;
  }
  report.diagnostics = std::move(all);
  return report;
}

}  // namespace stepfiber::asl
