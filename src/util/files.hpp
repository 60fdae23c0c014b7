#pragma once
// Reading a whole input file (or stdin for "-") with one vocabulary of failures, so that every
// command says the same thing for a missing file, a directory or a read error.
#include "error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace blandhook::util {

/// How messages name an input path: "stdin" for "-", else the path.
std::string input_name(const std::string& path);

/// Reads all of `path` into `out` ("-" reads stdin). Returns why it could not, in words fit for
/// a message ("is a directory", "No such file or directory", …), or nullopt when it could.
std::optional<std::string> read_whole_file(const std::string& path, std::string& out);

/// The contents of `path` ("-" reads stdin). Throws Error(kind) with `what` as its subject and
/// "cannot read PATH: REASON" as its detail when it cannot be read.
std::string read_file(const std::string& path, std::string_view what,
                      ErrorKind kind = ErrorKind::input, std::string_view hint = {});

/// Reads up to `size` bytes of `fd` at `offset` into `out`, resized to what was read (fewer at
/// the end of the file), retrying interrupted reads. Returns 0, or the errno of a failed read.
int read_at(int fd, std::uint64_t offset, std::size_t size, std::string& out);

} // namespace blandhook::util
