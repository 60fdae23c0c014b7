#pragma once
// The validation engine: a small interpreter of the JSON Schema subset our schemas use, compiled
// once from the embedded schema text and run over a simdjson DOM (the listener's hot path).
// Supported: type, properties, required, items, enum, const, minimum, maximum, if/then/else,
// allOf, $ref (to "#/..." and to sibling files "other.json#/..."), $defs, and the blandhook
// extensions x-known-values, x-drift, x-severity, x-message (docs/payload.md). Any other
// validation keyword makes the schema fail to compile, so nothing is silently ignored.
#include "payload/analysis.hpp"

#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

namespace blandhook::payload::schema {

/// Appends the findings of `value` against the embedded schema of `kind` (none for unknown).
void validate(Kind kind, simdjson::dom::element value, std::vector<Finding>& findings);

/// Compiles schema texts given as (file name, text), e.g. {"post-call.json", "{…}"}; returns ""
/// or the first problem found. For tests of the schemas and of the interpreter itself.
std::string compile_check(const std::vector<std::pair<std::string, std::string>>& files);

/// Validates `value` against `file` of a set of schema texts (tests of the interpreter).
std::vector<Finding> validate_with(const std::vector<std::pair<std::string, std::string>>& files,
                                   std::string_view file, simdjson::dom::element value);

/// At most this many findings are listed; one more finding says how many were left out.
constexpr std::size_t k_max_findings = 200;

} // namespace blandhook::payload::schema
