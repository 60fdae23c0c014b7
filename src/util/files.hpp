#pragma once
// Reading a whole input file (or stdin for "-") with one vocabulary of failures, so that every
// command says the same thing for a missing file, a directory or a read error.
#include "error.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace blandhook::util {

/// Reads all of `path` into `out` ("-" reads stdin). Returns why it could not, in words fit for
/// a message ("is a directory", "No such file or directory", …), or nullopt when it could.
std::optional<std::string> read_whole_file(const std::string& path, std::string& out);

/// The contents of `path` ("-" reads stdin). Throws Error(kind) with `what` as its subject and
/// "cannot read PATH: REASON" as its detail when it cannot be read.
std::string read_file(const std::string& path, std::string_view what,
                      ErrorKind kind = ErrorKind::input, std::string_view hint = {});

} // namespace blandhook::util
