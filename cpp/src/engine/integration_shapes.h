// The result shapes of the service integrations TestState checks a mocked
// `result` against (`mock.fieldValidationMode`, sfn-semantics 3.5). They come
// from botocore's models through generate_integration_shapes.py
// (integration_shapes_generated.inc), never by hand.
#pragma once

#include <optional>
#include <string>

#include "stepfiber/json.h"

namespace stepfiber::engine {

/// STRICT: required fields must be there and present fields must fit;
/// PRESENT: present fields must fit; NONE: nothing is checked.
enum class FieldValidationMode { kStrict, kPresent, kNone };

/// The integration key a Task `resource` names ("lambda:invoke",
/// "aws-sdk:s3:getObject"), or nullopt when its result is not one API's
/// response: an activity, a Lambda function ARN, `.sync` or
/// `.waitForTaskToken` (the result then stands for the job's or the
/// callback's output).
std::optional<std::string> integration_key(const std::string& resource);

/// Whether the generated table holds the integration's result shape.
bool has_result_shape(const std::string& key);

/// Checks `result` against the result shape of integration `key`. Answers
/// AWS's sentence ("Mock result schema validation error: Field 'X' must be a
/// string"), or nullopt when it fits, the mode is NONE or the integration has
/// no shape in the table. Fields the shape does not know are accepted.
std::optional<std::string> check_mock_result(const std::string& key, const Json& result, FieldValidationMode mode);

/// The botocore version the table was generated from.
const char* integration_shapes_botocore_version();

}  // namespace stepfiber::engine
