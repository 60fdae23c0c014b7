#pragma once
// The one format for errors and warnings (`blandhook: error: what: detail`, then `hint: …`).
#include <string_view>

namespace blandhook {
class Error;
}

namespace blandhook::cli {

/// Prints `blandhook: error: WHAT: DETAIL` and, when present, `hint: HINT` to stderr.
void print_error(const Error& error);

/// Prints `blandhook: warning: MESSAGE` to stderr.
void print_warning(std::string_view message);

} // namespace blandhook::cli
