#include "commands/retry_flags.hpp"

#include "cli/command.hpp"
#include "error.hpp"
#include "util/duration.hpp"

namespace blandhook::commands {

void add_retry_flags(CLI::App* app, RetryFlags& flags, OldSpellings old_spellings) {
    app->add_option("--delivery-timeout", flags.delivery_timeout,
                    "Time one delivery attempt may take, connect to answer")
        ->capture_default_str();
    app->add_option("--retries", flags.retries,
                    "Retries after a network error, timeout, 5xx or 429 (0 to 20; our policy: "
                    "Bland documents none)")
        ->capture_default_str();
    app->add_option("--retry-backoff", flags.backoff, "Wait before the first retry")
        ->capture_default_str();
    app->add_option("--retry-multiplier", flags.multiplier,
                    "Growth of the wait per retry (1 to 100)")
        ->capture_default_str();
    app->add_option("--retry-max-backoff", flags.max_backoff, "Longest wait between retries")
        ->capture_default_str();
    if (old_spellings == OldSpellings::replay) {
        cli::add_old_spelling(app, "--timeout", flags.delivery_timeout);
        cli::add_old_spelling(app, "--backoff", flags.backoff);
        cli::add_old_spelling(app, "--max-backoff", flags.max_backoff);
    }
}

http::RetryPolicy retry_policy(const RetryFlags& flags, Jitter jitter) {
    // Written so that NaN fails the test.
    if (!(flags.retries >= 0 && flags.retries <= 20)) {
        throw Error(ErrorKind::usage, "--retries", "must be from 0 to 20");
    }
    if (!(flags.multiplier >= 1.0 && flags.multiplier <= 100.0)) {
        throw Error(ErrorKind::usage, "--retry-multiplier", "must be from 1 to 100");
    }
    http::RetryPolicy policy;
    policy.retries = flags.retries;
    policy.backoff = util::parse_duration(flags.backoff, "--retry-backoff");
    policy.multiplier = flags.multiplier;
    policy.max_backoff = util::parse_duration(flags.max_backoff, "--retry-max-backoff");
    policy.jitter = jitter == Jitter::on;
    return policy;
}

std::chrono::milliseconds delivery_timeout(const RetryFlags& flags) {
    const std::chrono::milliseconds timeout =
        util::parse_duration(flags.delivery_timeout, "--delivery-timeout");
    if (timeout.count() < 1) {
        throw Error(ErrorKind::usage, "--delivery-timeout", "must be at least 1ms");
    }
    return timeout;
}

} // namespace blandhook::commands
