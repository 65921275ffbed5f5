// Choice state rules (JSONPath mode): compiled And/Or/Not/comparison trees.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "errors/state_error.h"
#include "payload/payload_template.h"
#include "stepfiber/json.h"
#include "stepfiber/status.h"

namespace stepfiber::choice {

class ChoiceRule {
 public:
  /// Compiles one rule object (a top-level Choices entry without its
  /// `Next`, or a nested And/Or/Not operand). `location` is a JSON pointer
  /// used in error messages, e.g. "/States/Check/Choices/0".
  /// Error: kInvalidDefinition naming the problem and location.
  static Result<ChoiceRule> compile(const Json& rule, std::string_view location);

  /// True when the rule matches. Errors (e.g. an invalid `Variable` path
  /// that matches nothing for a comparison operator) come back as
  /// StateError States.Runtime with AWS's cause text (without the
  /// "An error occurred while executing the state ..." prefix).
  asl::Eval<bool> evaluate(const path::EvalScope& scope) const;

  /// The parts of the Context object (`$$`) the rule's paths read
  /// (path::ContextPart bits; 0 when it reads none).
  std::uint8_t context_parts() const noexcept { return context_parts_; }

  struct Node;  // defined in choice_rule.cpp
  ChoiceRule();
  ~ChoiceRule();
  ChoiceRule(ChoiceRule&&) noexcept;
  ChoiceRule& operator=(ChoiceRule&&) noexcept;

 private:
  std::shared_ptr<const Node> root_;
  std::uint8_t context_parts_ = 0;
};

}  // namespace stepfiber::choice
