#pragma once
// The documented exit codes of every blandhook command, in one table that generates the help
// footer (`blandhook --help`), the man page's EXIT STATUS and README's "Exit codes" section (the
// last checked by tests/unit/exit_codes_test.cpp), and maps each error kind to its code.
#include "error.hpp"

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace blandhook::cli {

namespace exit_code {

// Names for the codes of k_exit_codes below, which says what each means.
constexpr int k_ok = 0;
constexpr int k_failed = 1;
constexpr int k_usage = 2;
constexpr int k_unreachable = 3;
constexpr int k_timeout = 4;
constexpr int k_input = 5;
constexpr int k_api = 6;
constexpr int k_internal = 70;
constexpr int k_interrupted = 130;

} // namespace exit_code

/// One documented exit code: what `--help` calls it, what the man page and README say, and the
/// error kind (src/error.hpp) that ends a command with it, if any.
struct ExitCodeRow {
    int code;
    std::string_view label;
    std::string_view meaning;
    std::optional<ErrorKind> kind;
};

constexpr ExitCodeRow k_exit_codes[] = {
    {exit_code::k_ok, "ok", "Success: everything passed.", std::nullopt},
    {exit_code::k_failed, "a check failed",
     "A check failed: an expectation, a signature or a validation error. A result, not a crash.",
     std::nullopt},
    {exit_code::k_usage, "usage",
     "The command line is wrong (unknown command or option, bad value).", ErrorKind::usage},
    {exit_code::k_unreachable, "unreachable", "A target or API could not be reached.",
     ErrorKind::network},
    {exit_code::k_timeout, "timeout", "A deadline (--timeout) passed.", ErrorKind::timeout},
    {exit_code::k_input, "bad input", "An input file or stdin could not be read or parsed.",
     ErrorKind::input},
    {exit_code::k_api, "API error", "Bland's API (or the emulator) answered with an error.",
     ErrorKind::api},
    {exit_code::k_internal, "internal error",
     "Internal error: a bug, or the environment failed (disk full ...).", ErrorKind::internal},
    {exit_code::k_interrupted, "interrupted",
     "Stopped by SIGINT or SIGTERM before finishing its job.", std::nullopt},
};

/// The exit code a command ends with when it throws an Error of `kind`.
int exit_code_for(ErrorKind kind);

/// The help footer's paragraph: "Exit codes: 0 ok, 1 a check failed, … Run 'man blandhook' for
/// more.", wrapped at 100 columns, ending with a newline.
std::string exit_codes_help();

/// What one documented code means for one command ("every check passed" for call's 0).
struct CommandExitCode {
    int code; ///< a code of k_exit_codes
    std::string_view meaning;
};

/// A command's "Exit codes: 0 every check passed, 1 a check failed, …." paragraph for its help,
/// then `after` ("See docs/call.md."), wrapped at 100 columns, ending with a newline. Every code
/// must be one of k_exit_codes (std::logic_error otherwise: a command would document a code the
/// man page and README do not know).
std::string command_exit_codes_help(std::initializer_list<CommandExitCode> codes,
                                    std::string_view after);

/// README's "Exit codes" section body: a Markdown table `| code | meaning |`, one row a code.
std::string exit_codes_markdown();

} // namespace blandhook::cli
