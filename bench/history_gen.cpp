// Writes a capture log of N captures through the real writer (capture::Store::append, as
// `blandhook listen` does), shaped like a busy development log: calls of six live events, a
// post-call webhook (fixtures/completed-outbound.json, 10 KB), a delayed post-call webhook for
// one call in three and a citations event for one in five, spread over 30 days.
// Usage: history_gen LOG N [SOURCE_DIR]   (LOG must not exist)
#include "capture/capture.hpp"
#include "capture/json_text.hpp"
#include "capture/store.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/stat.h>

using namespace blandhook;

namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (std::size_t at = text.find(from); at != std::string::npos;
         at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
    return text;
}

std::string iso(std::int64_t epoch_ms) {
    return capture::iso8601(
        std::chrono::system_clock::time_point(std::chrono::milliseconds(epoch_ms)));
}

// One analysed template per kind; each capture copies it with the call's own call_id.
struct Template {
    capture::Capture capture;
    std::string call_id; ///< the call_id in the fixture, replaced per call
};

Template make_template(const std::string& body) {
    Template t;
    t.capture.method = "POST";
    t.capture.path = "/webhook";
    t.capture.peer = "127.0.0.1:40000";
    t.capture.headers = {{"Host", "127.0.0.1:4000"},
                         {"User-Agent", "Bland-Webhooks/1.0"},
                         {"Content-Type", "application/json"}};
    t.capture.body = body;
    t.capture.response_status = 200;
    t.capture.latency_us = 80;
    capture::analyze_into(t.capture, "");
    t.call_id = t.capture.payload.call_id;
    return t;
}

capture::Capture instance(const Template& t, const std::string& call_id, std::int64_t at_ms) {
    capture::Capture c = t.capture;
    if (!t.call_id.empty()) {
        c.body = replace_all(c.body, t.call_id, call_id);
        c.payload.call_id = call_id;
    }
    c.received_at = iso(at_ms);
    return c;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: history_gen LOG N [SOURCE_DIR]\n");
        return 2;
    }
    const std::string log = argv[1];
    const std::uint64_t total = std::strtoull(argv[2], nullptr, 10);
    const std::string source = argc > 3 ? argv[3] : ".";
    struct stat info {};
    if (::stat(log.c_str(), &info) == 0) {
        std::fprintf(stderr, "history_gen: %s exists; give a new path\n", log.c_str());
        return 2;
    }
    const Template live = make_template(read_file(source + "/fixtures/live-event.json"));
    const Template post_call =
        make_template(read_file(source + "/fixtures/completed-outbound.json"));
    const Template delayed = make_template(read_file(source + "/fixtures/delayed-citations.json"));
    const Template citations = make_template(read_file(source + "/fixtures/citations-event.json"));

    capture::StoreOptions options;
    options.path = log;
    options.cache_bytes = 1u << 20;
    capture::Store store(options);
    const std::int64_t start_ms = 1'793'520'000'000; // 2026-11-01T00:00:00Z
    const std::int64_t step_ms = 30LL * 86'400'000 / static_cast<std::int64_t>(total);
    std::uint64_t written = 0;
    std::int64_t at = start_ms;
    const auto add = [&](const Template& t, const std::string& call_id) {
        if (written < total) {
            store.append(instance(t, call_id, at));
            ++written;
            at += step_ms;
        }
    };
    char call_id[64];
    for (std::uint64_t call = 0; written < total; ++call) {
        std::snprintf(call_id, sizeof call_id, "c0ffee%02llx-%04llx-4abc-8def-%012llx",
                      static_cast<unsigned long long>(call % 256),
                      static_cast<unsigned long long>(call % 65536),
                      static_cast<unsigned long long>(call));
        for (int i = 0; i < 6; ++i) {
            add(live, call_id);
        }
        add(post_call, call_id);
        if (call % 3 == 0) {
            add(delayed, call_id);
        }
        if (call % 5 == 0) {
            add(citations, call_id);
        }
    }
    std::printf("%llu captures in %s\n", static_cast<unsigned long long>(written), log.c_str());
    return 0;
}
