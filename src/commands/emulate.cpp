#include "commands/emulate.hpp"

#include "cli/command.hpp"
#include "commands/retry_flags.hpp"
#include "emulator/emulator.hpp"
#include "emulator/outcome.hpp"
#include "error.hpp"
#include "listen/answer.hpp"
#include "util/duration.hpp"
#include "util/secret.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fmt/core.h>
#include <mutex>

namespace blandhook::commands {
namespace {

struct EmulateOptions {
    std::string host = "127.0.0.1";
    int port = 4001;
    util::SecretInput api_key;
    util::SecretInput secret;
    std::string call_duration = "10s";
    std::string webhook_delay = "0s";
    std::string citations_delay = "0s";
    bool delay_webhook = false;
    bool strict_webhooks = false;
    RetryFlags delivery;
    int workers = 32;
    int per_receiver = 8;
    bool quiet = false;
};

constexpr const char* k_examples =
    R"(  blandhook emulate                                   Bland's API on http://127.0.0.1:4001
  blandhook emulate --port 0 --call-duration 200ms --secret-file secret.txt
  BLAND_BASE_URL=http://127.0.0.1:4001 bland call send +15555550486 --task hi --wait
  curl -s localhost:4001/v1/calls -H 'authorization: k' -d '{"phone_number":"+15555550100",
       "task":"Say hi","webhook":"http://127.0.0.1:4000/hook"}'

Outcome by the number's last digits: 302 warm-transfer, 404 not found, 408 no-answer,
480 unavailable, 486 busy, 500 call failed, 503 unable to start, 507 database, 599 unknown,
608 spam-blocked, 866 voicemail; 402 and 429 refuse the request (402, 429). Any other number
completes. request_data.blandhook_scenario=FIXTURE picks any call fixture instead.
See docs/emulate.md.
)";

int run_emulate(const EmulateOptions& opts, const util::StopToken& stop) {
    emulator::EmulatorOptions options;
    options.host = opts.host;
    options.port = opts.port;
    options.api_key = util::resolve_secret(opts.api_key, util::k_api_key);
    options.call_duration = util::parse_duration(opts.call_duration, "--call-duration");
    options.webhook_delay = util::parse_duration(opts.webhook_delay, "--webhook-delay");
    options.citations_delay = util::parse_duration(opts.citations_delay, "--citations-delay");
    options.delay_webhook = opts.delay_webhook;
    options.strict_webhooks = opts.strict_webhooks;
    options.delivery.secret = util::resolve_secret(opts.secret, util::k_webhook_secret);
    // No jitter: an emulator run is meant to be reproducible.
    options.delivery.retry = retry_policy(opts.delivery, Jitter::off);
    options.delivery.attempt_timeout = delivery_timeout(opts.delivery);
    options.delivery.workers = opts.workers;
    options.delivery.per_receiver = opts.per_receiver;
    options.delivery.user_agent = std::string("blandhook-emulate/") + BLANDHOOK_VERSION;
    // Written so that NaN fails every test.
    if (!(opts.workers >= 1 && opts.workers <= 1024) ||
        !(opts.per_receiver >= 1 && opts.per_receiver <= 1024)) {
        throw Error(ErrorKind::usage, "emulate", "--workers and --per-receiver must be 1 to 1024");
    }
    if (opts.port < 0 || opts.port > 65535) {
        throw Error(ErrorKind::usage, "--port", std::to_string(opts.port) + " is not a port",
                    "use 0 to pick a free one");
    }
    if (options.delivery.attempt_timeout.count() < 1) {
        throw Error(ErrorKind::usage, "--delivery-timeout", "must be at least 1ms");
    }
    if (options.call_duration.count() < 1) {
        throw Error(ErrorKind::usage, "--call-duration", "must be at least 1ms");
    }
    if (!opts.quiet) {
        // Lines come from several threads: one lock keeps them whole.
        auto out_mutex = std::make_shared<std::mutex>();
        options.log = [out_mutex](std::string_view line) {
            std::lock_guard lock(*out_mutex);
            std::fwrite(line.data(), 1, line.size(), stdout);
            std::fputc('\n', stdout);
            std::fflush(stdout);
        };
    }

    emulator::Emulator emulator(options);
    emulator.start();
    const auto& retry = options.delivery.retry;
    std::printf("blandhook emulate: Bland API on %s (export BLAND_BASE_URL=%s)\n",
                emulator.url().c_str(), emulator.url().c_str());
    std::printf("  calls last %lldms; webhooks %s, %s; retries %d (backoff %lldms x%g, max "
                "%lldms), %lldms per attempt\n",
                static_cast<long long>(options.call_duration.count()),
                options.delivery.secret.empty() ? "unsigned (no --secret)" : "signed",
                options.strict_webhooks ? "https:// only (strict, as Bland)"
                                        : "http:// and https:// accepted (Bland: https only)",
                retry.retries, static_cast<long long>(retry.backoff.count()), retry.multiplier,
                static_cast<long long>(retry.max_backoff.count()),
                static_cast<long long>(options.delivery.attempt_timeout.count()));
    std::printf("  %s\n", options.api_key.empty()
                              ? "any API key accepted (--api-key-file or BLAND_API_KEY to "
                                "require one); requests from web pages refused"
                              : "API key required: 401 AUTH_FAILURE otherwise");
    std::fflush(stdout);

    stop.wait();
    emulator.stop();
    auto stats = emulator.stats();
    std::printf("blandhook emulate: stopped (%s): %zu calls, %zu ended, %zu webhooks delivered, "
                "%zu failed, %zu attempts\n",
                stop.signal() == SIGINT ? "SIGINT" : "SIGTERM", stats.calls, stats.ended,
                stats.delivered, stats.failed, stats.attempts);
    std::fflush(stdout);
    return 0;
}

} // namespace

void register_emulate(cli::Registrar& registrar) {
    auto opts = std::make_shared<EmulateOptions>();
    CLI::App* app = registrar.add_command(
        "emulate", "Run a local Bland calls API that simulates calls and delivers their webhooks",
        k_examples);
    // A repeated option takes its last value, as in curl: scripts can append overrides.
    app->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    app->add_option("--host", opts->host, "Address to bind")->capture_default_str();
    app->add_option("-p,--port", opts->port, "Port to bind; 0 picks a free one")
        ->capture_default_str();
    cli::add_secret_options(app, opts->api_key, util::k_api_key,
                            "Require this key in the authorization header (raw or 'Bearer KEY')");
    cli::add_secret_options(app, opts->secret, util::k_webhook_secret,
                            "Sign webhooks with this secret (X-Webhook-Signature)");
    app->add_option("--call-duration", opts->call_duration,
                    "Wall-clock time from queued to hang-up (queued for the first fifth)")
        ->capture_default_str();
    app->add_option("--webhook-delay", opts->webhook_delay,
                    "Wait between hang-up and the post-call webhook (Bland: up to a minute)")
        ->capture_default_str();
    app->add_option("--citations-delay", opts->citations_delay,
                    "Extra wait for citations: the delayed webhook or the citations event")
        ->capture_default_str();
    app->add_flag("--delay-webhook", opts->delay_webhook,
                  "With 'citations' in webhook_events send one delayed post-call webhook "
                  "(corrected_transcript, citations) instead of a separate citations event");
    app->add_flag("--strict-webhooks", opts->strict_webhooks,
                  "Accept only https:// webhook URLs, as Bland does");
    add_retry_flags(app, opts->delivery, OldSpellings::none);
    app->add_option("--workers", opts->workers, "Deliveries in flight at once")
        ->capture_default_str();
    app->add_option("--per-receiver", opts->per_receiver,
                    "Deliveries in flight at once to one receiver (origin)")
        ->capture_default_str();
    app->add_flag("-q,--quiet", opts->quiet, "Print only the readiness and summary lines");
    registrar.on_run(
        app, [opts](const cli::Context& context) { return run_emulate(*opts, context.stop); },
        cli::OnSignal::request_stop);
}

} // namespace blandhook::commands
