#pragma once
// The delivery options replay and emulate share: one vocabulary and one set of defaults for how a
// webhook sender times out and retries (--delivery-timeout, --retries, --retry-backoff,
// --retry-multiplier, --retry-max-backoff). Bland documents only that failures are retried; the
// policy is ours and the same in both commands (docs/cli.md).
#include "http/client.hpp"

#include <CLI/CLI.hpp>
#include <chrono>
#include <string>

namespace blandhook::commands {

struct RetryFlags {
    std::string delivery_timeout = "10s";
    int retries = 2;
    std::string backoff = "1s";
    double multiplier = 2.0;
    std::string max_backoff = "30s";
};

/// Adds the five delivery options to `app`, and the spellings replay had before they were shared
/// (--timeout, --backoff, --max-backoff) when `old_spellings` says so.
enum class OldSpellings { none, replay };
void add_retry_flags(CLI::App* app, RetryFlags& flags, OldSpellings old_spellings);

/// Whether retries wait a random 0.8 to 1.2 of the backoff (replay) or exactly it (emulate, whose
/// runs are meant to be reproducible).
enum class Jitter { off, on };

/// The retry policy `flags` describe; a usage Error naming the option at fault.
http::RetryPolicy retry_policy(const RetryFlags& flags, Jitter jitter);

/// The per-attempt timeout of --delivery-timeout, at least 1ms; a usage Error otherwise.
std::chrono::milliseconds delivery_timeout(const RetryFlags& flags);

} // namespace blandhook::commands
