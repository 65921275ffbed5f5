#include "stepfiber/status.h"

namespace stepfiber {

std::string_view error_code_name(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::kOk: return "Ok";
    case ErrorCode::kValidationException: return "ValidationException";
    case ErrorCode::kInvalidArn: return "InvalidArn";
    case ErrorCode::kInvalidName: return "InvalidName";
    case ErrorCode::kInvalidDefinition: return "InvalidDefinition";
    case ErrorCode::kInvalidExecutionInput: return "InvalidExecutionInput";
    case ErrorCode::kInvalidToken: return "InvalidToken";
    case ErrorCode::kInvalidOutput: return "InvalidOutput";
    case ErrorCode::kTaskTimedOut: return "TaskTimedOut";
    case ErrorCode::kTaskDoesNotExist: return "TaskDoesNotExist";
    case ErrorCode::kStateMachineDoesNotExist: return "StateMachineDoesNotExist";
    case ErrorCode::kStateMachineAlreadyExists: return "StateMachineAlreadyExists";
    case ErrorCode::kStateMachineDeleting: return "StateMachineDeleting";
    case ErrorCode::kStateMachineTypeNotSupported: return "StateMachineTypeNotSupported";
    case ErrorCode::kExecutionDoesNotExist: return "ExecutionDoesNotExist";
    case ErrorCode::kExecutionAlreadyExists: return "ExecutionAlreadyExists";
    case ErrorCode::kExecutionLimitExceeded: return "ExecutionLimitExceeded";
    case ErrorCode::kActivityDoesNotExist: return "ActivityDoesNotExist";
    case ErrorCode::kResourceNotFound: return "ResourceNotFound";
    case ErrorCode::kConflictException: return "ConflictException";
    case ErrorCode::kServiceQuotaExceededException: return "ServiceQuotaExceededException";
    case ErrorCode::kTooManyTags: return "TooManyTags";
    case ErrorCode::kExecutionNotRedrivable: return "ExecutionNotRedrivable";
    case ErrorCode::kMissingRequiredParameter: return "MissingRequiredParameter";
    case ErrorCode::kInvalidLoggingConfiguration: return "InvalidLoggingConfiguration";
    case ErrorCode::kInvalidTracingConfiguration: return "InvalidTracingConfiguration";
    case ErrorCode::kInvalidEncryptionConfiguration: return "InvalidEncryptionConfiguration";
    case ErrorCode::kStateMachineLimitExceeded: return "StateMachineLimitExceeded";
    case ErrorCode::kActivityAlreadyExists: return "ActivityAlreadyExists";
    case ErrorCode::kActivityLimitExceeded: return "ActivityLimitExceeded";
    case ErrorCode::kActivityWorkerLimitExceeded: return "ActivityWorkerLimitExceeded";
    case ErrorCode::kSerializationException: return "SerializationException";
    case ErrorCode::kUnknownOperationException: return "UnknownOperationException";
    case ErrorCode::kUnsupportedOperation: return "UnsupportedOperation";
    case ErrorCode::kEngineClosed: return "EngineClosed";
  }
  return "Unknown";
}

}  // namespace stepfiber
