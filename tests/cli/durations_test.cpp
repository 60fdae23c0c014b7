// One duration grammar for every command: what `listen --delay` accepts, `replay --timeout`
// accepts too, and both refuse the same things with the same words (docs/listen.md, "Sizes are …
// durations are written …").
#include "support/process.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <string>

using namespace blandhook;

namespace {

constexpr const char* k_not_a_duration = "is not a duration";

// Whether `listen --delay TEXT` starts; stops it with SIGINT when it does.
bool listen_accepts(const std::string& text) {
    auto child = test::start_blandhook(
        {"listen", "--port", "0", "--no-save", "--no-inspector", "-q", "--delay", text});
    const bool started = child->wait_for_line("listening on").has_value();
    child->signal(SIGINT);
    const int code = child->wait();
    if (!started) {
        CHECK(code == 2);
        CHECK(child->err().find(k_not_a_duration) != std::string::npos);
    }
    return started;
}

// Whether `replay --timeout TEXT` gets as far as sending (to a port nothing listens on).
bool replay_accepts(const std::string& text) {
    const test::ProcessResult run =
        test::run_blandhook({"replay", "completed-outbound", "--to", "http://127.0.0.1:9/",
                             "--retries", "0", "-q", "--timeout", text});
    const bool refused = run.err.find(k_not_a_duration) != std::string::npos;
    CHECK((run.exit_code == 2) == refused); // accepted: it ran and found nothing listening
    return !refused;
}

} // namespace

TEST_CASE("listen --delay and replay --timeout accept and refuse the same durations") {
    // (0 is a duration too, but a timeout must be more than 0: a range check, not the grammar.)
    for (const std::string good : {"250ms", "2s", "1.5s", "5m", "2min", "1h", "3", ".5"}) {
        CAPTURE(good);
        CHECK(listen_accepts(good));
        CHECK(replay_accepts(good));
    }
    for (const std::string bad :
         {"1e3", "-1s", "+1s", "nan", "inf", "soon", "1.5.2s", "721h", "1 s"}) {
        CAPTURE(bad);
        CHECK_FALSE(listen_accepts(bad));
        CHECK_FALSE(replay_accepts(bad));
    }
}
