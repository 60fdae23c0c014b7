#pragma once
// The built-in fixture library: one realistic payload per documented outcome, written by us, kept
// in fixtures/NAME.json and embedded in the binary.
#include "payload/kind.hpp"

#include <optional>
#include <span>
#include <string_view>

namespace blandhook::payload {

struct FixtureInfo {
    std::string_view name;        ///< file stem, e.g. "error-busy"
    Kind kind;                    ///< what classify() says of it
    std::string_view description; ///< what it models, one line
    bool modelled;                ///< true when Bland never published an example of this case
};

/// Every built-in fixture, in name order.
std::span<const FixtureInfo> builtin_fixtures();

/// The fixture named `name` ("error-busy" or "error-busy.json").
const FixtureInfo* find_fixture(std::string_view name);

/// The exact bytes of fixtures/NAME.json as embedded in the binary.
std::optional<std::string_view> fixture_body(std::string_view name);

} // namespace blandhook::payload
