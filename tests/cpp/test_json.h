// Shared by the C++ tests: JSON literals in test bodies.
#pragma once

#include <string_view>

#include <gtest/gtest.h>

#include "stepfiber/json.h"

namespace stepfiber {

/// Parses `text`, failing the current test (and returning null) when it is not JSON.
inline Json J(std::string_view text) {
  auto r = parse_json(text);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r.value() : Json();
}

}  // namespace stepfiber
