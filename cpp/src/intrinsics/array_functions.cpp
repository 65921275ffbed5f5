// Intrinsic functions for arrays: States.Array, ArrayPartition, ArrayContains,
// ArrayRange, ArrayGetItem, ArrayLength, ArrayUnique.
#include <algorithm>
#include <string>
#include <unordered_set>
#include <utility>

#include "intrinsics/functions.h"

namespace stepfiber::intrinsics::detail {
namespace {

using R = asl::Eval<Json>;

// Value identity as Jackson's JsonNode.equals sees it: object key order does
// not matter, 1 and 1.0 differ. Recursion is bounded by kMaxJsonDepth.
void canonical(const Json& v, std::string& out) {
  if (v.is_object()) {
    std::vector<std::pair<const std::string*, const Json*>> items;
    items.reserve(v.size());
    for (auto it = v.begin(); it != v.end(); ++it) items.emplace_back(&it.key(), &it.value());
    std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return *a.first < *b.first; });
    out.push_back('{');
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i != 0) out.push_back(',');
      out += dump_json(Json(*items[i].first));
      out.push_back(':');
      canonical(*items[i].second, out);
    }
    out.push_back('}');
  } else if (v.is_array()) {
    out.push_back('[');
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (i != 0) out.push_back(',');
      canonical(v[i], out);
    }
    out.push_back(']');
  } else {
    out += dump_json(v);
  }
}

std::string canonical(const Json& v) {
  std::string out;
  canonical(v, out);
  return out;
}

}  // namespace

// States.Array('a', $.b, 1) -> ["a", <b>, 1]
R array(Invocation& call) {
  Json out = Json::array();
  for (auto& v : call.args) out.push_back(std::move(v));
  return R::success(std::move(out));
}

// States.ArrayPartition([1,2,3,4,5], 2) -> [[1,2],[3,4],[5]]
R array_partition(Invocation& call) {
  const auto size = integral_value(call.args[1]);
  if (!size || *size <= 0) {
    return failure(call, "the chunk size must be a positive integer, but was " + dump_json(call.args[1]));
  }
  const auto chunk = static_cast<std::uint64_t>(*size);
  Json out = Json::array();
  Json current = Json::array();
  for (auto& item : call.args[0]) {
    current.push_back(std::move(item));
    if (current.size() == chunk) {
      out.push_back(std::move(current));
      current = Json::array();
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
  return R::success(std::move(out));
}

// States.ArrayContains([1,2,3], 2) -> true (deep equality)
R array_contains(Invocation& call) {
  const std::string needle = canonical(call.args[1]);
  for (const auto& item : call.args[0]) {
    if (canonical(item) == needle) return R::success(Json(true));
  }
  return R::success(Json(false));
}

// States.ArrayRange(1, 9, 2) -> [1,3,5,7,9]; end inclusive; step may be
// negative but not 0; at most kMaxRangeItems items.
R array_range(Invocation& call) {
  const std::int64_t start = *integral_value(call.args[0]);
  const std::int64_t end = *integral_value(call.args[1]);
  const std::int64_t step = *integral_value(call.args[2]);
  if (step == 0) return failure(call, "the step must not be 0");
  // count - 1 = |end - start| / |step|, computed without overflow.
  std::uint64_t steps = 0;
  bool empty = true;
  if (step > 0 && start <= end) {
    steps = (static_cast<std::uint64_t>(end) - static_cast<std::uint64_t>(start)) / static_cast<std::uint64_t>(step);
    empty = false;
  } else if (step < 0 && start >= end) {
    const std::uint64_t magnitude = static_cast<std::uint64_t>(-(step + 1)) + 1;
    steps = (static_cast<std::uint64_t>(start) - static_cast<std::uint64_t>(end)) / magnitude;
    empty = false;
  }
  if (!empty && steps >= static_cast<std::uint64_t>(kMaxRangeItems)) {
    return failure(call, "the range would have more than " + std::to_string(kMaxRangeItems) + " items (at most " +
                             std::to_string(kMaxRangeItems) + " are allowed)");
  }
  const std::uint64_t count = empty ? 0 : steps + 1;
  Json out = Json::array();
  std::int64_t v = start;
  for (std::uint64_t i = 0; i < count; ++i) {
    out.push_back(v);
    if (i + 1 < count) v += step;  // stays within [min(start,end), max(start,end)]
  }
  return R::success(std::move(out));
}

// States.ArrayGetItem([1,2,3], 1) -> 2
R array_get_item(Invocation& call) {
  const std::int64_t index = *integral_value(call.args[1]);
  const auto& arr = call.args[0];
  if (index < 0 || static_cast<std::uint64_t>(index) >= arr.size()) {
    return failure(call, "the index " + std::to_string(index) + " is out of bounds for an array of " +
                             std::to_string(arr.size()) + " items");
  }
  return R::success(std::move(call.args[0][static_cast<std::size_t>(index)]));
}

// States.ArrayLength([1,2,3]) -> 3
R array_length(Invocation& call) { return R::success(Json(call.args[0].size())); }

// States.ArrayUnique([1,2,2,3]) -> [1,2,3]; keeps first occurrences, deep equality.
R array_unique(Invocation& call) {
  std::unordered_set<std::string> seen;
  Json out = Json::array();
  for (auto& item : call.args[0]) {
    if (seen.insert(canonical(item)).second) out.push_back(std::move(item));
  }
  return R::success(std::move(out));
}

}  // namespace stepfiber::intrinsics::detail
