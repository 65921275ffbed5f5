// Status and Result<T>: the engine/API error channel (house rule 2a).
//
// ErrorCode names are AWS Step Functions API error codes verbatim, so the
// Python layer can raise client.exceptions.<Code> without a mapping table.
// ASL runtime errors (States.Timeout, ...) are *not* carried here: they are
// data (see asl/state_error.h) and flow through Retry/Catch.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace stepfiber {

enum class ErrorCode {
  kOk = 0,
  kValidationException,        ///< request field violates a constraint
  kInvalidArn,                 ///< malformed ARN
  kInvalidName,                ///< malformed state machine / execution name
  kInvalidDefinition,          ///< the ASL definition was rejected
  kInvalidExecutionInput,      ///< execution input is not JSON
  kInvalidToken,               ///< malformed or unknown task token
  kInvalidOutput,              ///< SendTaskSuccess output is not JSON
  kTaskTimedOut,               ///< task token refers to a closed task
  kTaskDoesNotExist,           ///< documented for activities
  kStateMachineDoesNotExist,
  kStateMachineAlreadyExists,
  kStateMachineDeleting,
  kStateMachineTypeNotSupported,
  kExecutionDoesNotExist,
  kExecutionAlreadyExists,
  kExecutionLimitExceeded,
  kActivityDoesNotExist,
  kResourceNotFound,           ///< alias, version, map run or tagged resource not found
  kConflictException,          ///< e.g. deleting a version an alias routes to
  kServiceQuotaExceededException,
  kTooManyTags,
  kExecutionNotRedrivable,
  kMissingRequiredParameter,
  kInvalidLoggingConfiguration,
  kInvalidTracingConfiguration,
  kInvalidEncryptionConfiguration,
  kStateMachineLimitExceeded,
  kActivityAlreadyExists,
  kActivityLimitExceeded,
  kActivityWorkerLimitExceeded,
  kSerializationException,     ///< request body or member types unreadable
  kUnknownOperationException,  ///< X-Amz-Target names no operation
  kUnsupportedOperation,       ///< e.g. TestState before it exists
  kEngineClosed,               ///< the engine was shut down (not an AWS code)
};

/// The AWS error code string ("InvalidToken", ...) for an ErrorCode.
std::string_view error_code_name(ErrorCode code) noexcept;

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message)
      : code_(code), message_(std::move(message)) {}

  bool ok() const noexcept { return code_ == ErrorCode::kOk; }
  ErrorCode code() const noexcept { return code_; }
  const std::string& message() const noexcept { return message_; }
  std::string_view code_name() const noexcept { return error_code_name(code_); }

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

/// A value or a non-ok Status (simdjson_result / absl::StatusOr style).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT
  Result(ErrorCode code, std::string message) : v_(Status(code, std::move(message))) {}

  bool ok() const noexcept { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace stepfiber

/// Early-return on a non-ok Status (SIMDJSON_TRY style).
#define STEPFIBER_TRY(expr)                       \
  do {                                            \
    ::stepfiber::Status stepfiber_try_s_ = (expr); \
    if (!stepfiber_try_s_.ok()) return stepfiber_try_s_; \
  } while (0)
