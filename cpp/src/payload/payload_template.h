// Payload templates: Parameters, ResultSelector, ItemSelector. Compiled once;
// keys ending in ".$" take a value expression (intrinsics/value_expr.h): a path
// (`$...`), a context path (`$$...`), a variable reference (`$name...`) or an
// intrinsic function call (`States.Format(...)`).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "errors/state_error.h"
#include "path/eval_scope.h"
#include "stepfiber/json.h"
#include "stepfiber/status.h"

namespace stepfiber::path {

class PayloadTemplate {
 public:
  /// `field` names the ASL field ("Parameters", "ResultSelector", ...) for
  /// error messages. Error: kInvalidDefinition.
  static Result<PayloadTemplate> compile(const Json& tmpl, std::string_view field);

  /// Evaluates the template. A path that matches nothing raises
  /// States.Runtime with AWS's cause text (without the "An error occurred
  /// while executing the state ..." prefix, which the interpreter adds).
  asl::Eval<Json> evaluate(const EvalScope& scope) const;

  /// True when some value reads `$$` (lets callers skip building the
  /// context object).
  bool uses_context() const noexcept { return uses_context_; }
  /// The Context object parts any of its expressions reads (ContextPart bits).
  std::uint8_t context_parts() const noexcept { return context_parts_; }

  struct Node;  // defined in payload_template.cpp
  PayloadTemplate();
  ~PayloadTemplate();
  PayloadTemplate(PayloadTemplate&&) noexcept;
  PayloadTemplate& operator=(PayloadTemplate&&) noexcept;

 private:
  std::shared_ptr<const Node> root_;
  bool uses_context_ = false;
  std::uint8_t context_parts_ = 0;
};

}  // namespace stepfiber::path
