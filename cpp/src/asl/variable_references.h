// DescribeStateMachine's `variableReferences`: for each state (nested ones
// included, under their own names), the workflow variables it reads.
#pragma once

#include "stepfiber/json.h"

namespace stepfiber::asl {

/// {state name: [variable names, sorted, unique]} for a JSONPath definition
/// (an empty object when nothing reads a variable). A state reads `$name`
/// through a field whose value is a path or an intrinsic: a key ending in
/// `.$` (Parameters, ResultSelector, ItemSelector, Assign, ...), `Variable`,
/// or a key ending in `Path` (InputPath, ItemsPath, SecondsPath, ErrorPath,
/// MaxConcurrencyPath, StringEqualsPath, ...). A plain string such as
/// "$bucket" under a key without `.$` is data, not a reference (recorded).
/// JSONata expressions are not scanned [verify: no recording shows them].
Json variable_references(const Json& definition);

}  // namespace stepfiber::asl
