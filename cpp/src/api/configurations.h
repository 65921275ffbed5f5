// The configurations AWS stores with a state machine or activity and echoes
// in its Describe answers: logging, tracing and encryption. stepfiber keeps
// them (nothing is logged, traced or encrypted locally) so that Describe
// answers what AWS answers, and checks what AWS checks.
#pragma once

#include <optional>
#include <string>

#include "stepfiber/json.h"
#include "stepfiber/status.h"

namespace stepfiber::api {

/// The request's `loggingConfiguration` as AWS echoes it (level OFF and
/// includeExecutionData false by default, destinations as given), nullopt
/// when absent, or InvalidLoggingConfiguration (recorded): a level other than
/// OFF needs exactly one destination, and no level takes more than one.
Result<std::optional<Json>> logging_configuration(const Json& request);
/// The request's `tracingConfiguration` as AWS echoes it (enabled false by
/// default), nullopt when absent.
std::optional<Json> tracing_configuration(const Json& request);
/// The request's `encryptionConfiguration` as given, nullopt when absent.
std::optional<Json> encryption_configuration(const Json& request);

/// A stored configuration's JSON text, or AWS's default when none was stored
/// ("" = none): logging {"level":"OFF","includeExecutionData":false},
/// tracing {"enabled":false}, encryption {"type":"AWS_OWNED_KEY"} (recorded).
Json logging_or_default(const std::string& stored);
Json tracing_or_default(const std::string& stored);
Json encryption_or_default(const std::string& stored);

}  // namespace stepfiber::api
