// Tags on state machines and activities: TagResource, UntagResource,
// ListTagsForResource, and the `tags` of CreateStateMachine/CreateActivity.
// Key and value lengths are checked by the model (1..128, 0..256).
#include <algorithm>

#include "api/handlers.h"
#include "api/versioning.h"
#include "api/wire.h"
#include "engine/arn.h"
#include "engine/core.h"

namespace stepfiber::api {
namespace {

/// AWS: 50 tags per resource.
constexpr std::size_t kMaxTags = 50;

using Tags = std::vector<std::pair<std::string, std::string>>;

Status resource_not_found(const std::string& arn) {
  return Status(ErrorCode::kResourceNotFound, "Resource not found: '" + arn + "'");
}

/// Tags of an existing state machine (unqualified) or activity, or the
/// error AWS gives for the ARN.
Result<Tags*> tags_of(engine::Core& core, const std::string& arn) {
  if (arn.rfind("arn:", 0) != 0) {
    return Status(ErrorCode::kInvalidArn, "Invalid Arn: 'Invalid ARN prefix: " + arn + "'");
  }
  const bool machine = core.machines.count(arn) > 0;
  const bool activity = arn.find(":activity:") != std::string::npos && core.activities.count(arn) > 0;
  if (!machine && !activity) return resource_not_found(arn);
  return &core.tags[arn];
}

}  // namespace

Status merge_tags(engine::Core& core, const std::string& arn, const Json& list, bool check_only) {
  Tags merged;
  if (auto it = core.tags.find(arn); it != core.tags.end()) merged = it->second;
  if (list.is_array()) {
    for (const Json& t : list) {
      std::string key = t.value("key", std::string());
      std::string value = t.value("value", std::string());
      auto same = std::find_if(merged.begin(), merged.end(), [&](const auto& kv) { return kv.first == key; });
      if (same != merged.end()) same->second = std::move(value);
      else merged.emplace_back(std::move(key), std::move(value));
    }
  }
  if (merged.size() > kMaxTags) {
    return Status(ErrorCode::kTooManyTags, "Too many tags: the maximum is " + std::to_string(kMaxTags) +
                                               " tags per resource: '" + arn + "'");
  }
  if (!check_only && !merged.empty()) core.tags[arn] = std::move(merged);
  return {};
}

namespace handlers {

Result<Json> tag_resource(Context& c, const Json& r) {
  const std::string arn = str(r, "resourceArn");
  auto tags = tags_of(c.core, arn);
  if (!tags.ok()) return tags.status();
  STEPFIBER_TRY(merge_tags(c.core, arn, r.at("tags"), false));
  return Json::object();
}

Result<Json> untag_resource(Context& c, const Json& r) {
  const std::string arn = str(r, "resourceArn");
  auto tags = tags_of(c.core, arn);
  if (!tags.ok()) return tags.status();
  for (const Json& key : r.at("tagKeys")) {
    if (!key.is_string()) continue;
    std::erase_if(**tags, [&](const auto& kv) { return kv.first == key.get_ref<const std::string&>(); });
  }
  return Json::object();
}

Result<Json> list_tags_for_resource(Context& c, const Json& r) {
  const std::string arn = str(r, "resourceArn");
  auto tags = tags_of(c.core, arn);
  if (!tags.ok()) return tags.status();
  Json list = Json::array();
  for (const auto& [key, value] : **tags) list.push_back(Json{{"key", key}, {"value", value}});
  return Json{{"tags", std::move(list)}};
}

Result<Json> create_activity_with_tags(Context& c, const Json& r) {
  // The ARN is known before the activity exists: check the count first.
  const std::string arn = engine::activity_arn(c.core.options().region, c.core.options().account, str(r, "name"));
  const bool existed = c.core.activities.count(arn) > 0;
  if (r.contains("tags")) STEPFIBER_TRY(merge_tags(c.core, arn, r.at("tags"), true));
  auto out = create_activity(c, r);
  if (out.ok() && !existed && r.contains("tags")) STEPFIBER_TRY(merge_tags(c.core, arn, r.at("tags"), false));
  return out;
}

Result<Json> delete_activity_and_tags(Context& c, const Json& r) {
  auto out = delete_activity(c, r);
  if (out.ok()) c.core.tags.erase(str(r, "activityArn"));
  return out;
}

}  // namespace handlers
}  // namespace stepfiber::api
