#pragma once
// The documented exit codes of every blandhook command (README "Exit codes", man page EXIT STATUS).

namespace blandhook::cli::exit_code {

constexpr int k_ok = 0;            ///< everything passed
constexpr int k_failed = 1;        ///< a check failed: expectation, signature, validation error
constexpr int k_usage = 2;         ///< the command line is wrong
constexpr int k_unreachable = 3;   ///< a target or API could not be reached
constexpr int k_timeout = 4;       ///< a deadline passed (--timeout)
constexpr int k_input = 5;         ///< an input file or stdin could not be read or parsed
constexpr int k_api = 6;           ///< Bland's API (or the emulator) answered with an error
constexpr int k_internal = 70;     ///< internal error (a bug, disk full, …)
constexpr int k_interrupted = 130; ///< stopped by SIGINT/SIGTERM before finishing its job

} // namespace blandhook::cli::exit_code
