// The one way to stop: a StopSource's request seen by every token, callbacks run once, and
// SIGINT/SIGTERM turned into a request by SignalStop.
#include "util/stop.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <thread>
#include <unistd.h>

using namespace blandhook::util;
using namespace std::chrono_literals;

TEST_CASE("a stop request is seen by every token, with the signal that asked") {
    StopSource source;
    StopToken token = source.token();
    StopToken copy = token;
    CHECK_FALSE(token.stop_requested());
    CHECK_FALSE(token.wait_for(0ms));
    source.request_stop(SIGTERM);
    CHECK(token.stop_requested());
    CHECK(copy.stop_requested());
    CHECK(copy.signal() == SIGTERM);
    CHECK(token.wait_for(1h)); // returns at once once stopped
    CHECK(token.flag()->load());
    source.request_stop(SIGINT); // the first request wins
    CHECK(token.signal() == SIGTERM);
}

TEST_CASE("a token that no source made is never stopped") {
    StopToken token;
    CHECK_FALSE(token.stop_requested());
    CHECK(token.flag() == nullptr);
    CHECK(token.signal() == 0);
    int calls = 0;
    auto callback = token.on_stop([&] { ++calls; });
    CHECK(calls == 0);
}

TEST_CASE("a waiting thread wakes when another thread requests the stop") {
    StopSource source;
    std::thread asker([&] { source.request_stop(); });
    CHECK(source.token().wait_for(1h));
    asker.join();
}

TEST_CASE("stop callbacks run once; one registered after the stop runs at once; a removed one "
          "never runs") {
    StopSource source;
    int first = 0;
    int removed = 0;
    auto kept = source.token().on_stop([&] { ++first; });
    {
        auto gone = source.token().on_stop([&] { ++removed; });
    }
    source.request_stop();
    source.request_stop();
    CHECK(first == 1);
    CHECK(removed == 0);
    int late = 0;
    auto after = source.token().on_stop([&] { ++late; });
    CHECK(late == 1);
}

TEST_CASE("SignalStop turns SIGTERM into a stop request instead of ending the process") {
    StopSource source;
    {
        SignalStop signals(source, 130);
        ::kill(::getpid(), SIGTERM);
        CHECK(source.token().wait_for(10s));
        CHECK(source.token().signal() == SIGTERM);
    }
    // Gone: the signal mask is as it was (SIGTERM not blocked).
    sigset_t mask;
    pthread_sigmask(SIG_SETMASK, nullptr, &mask);
    CHECK_FALSE(sigismember(&mask, SIGTERM));
}
