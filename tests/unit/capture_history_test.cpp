// Reading a long capture history: newest first from the end, one capture by bisecting on ids,
// searches over raw lines, and a log changed under the reader (appended by another listener, a
// torn last line cut, a rotation). Files in a scratch directory, no sockets, no sleeps.
#include "capture/history.hpp"
#include "capture/maintenance.hpp"
#include "capture/search.hpp"
#include "capture/segments.hpp"
#include "capture/store.hpp"
#include "error.hpp"
#include "support/process.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace blandhook;

namespace {

capture::Capture make(std::uint64_t n, std::string body = {}) {
    capture::Capture c;
    c.received_at = "2026-11-" + std::string(n % 2 == 0 ? "27" : "27") + "T10:00:00.000Z";
    c.method = "POST";
    c.path = "/hook";
    c.peer = "127.0.0.1:5000";
    c.headers = {{"Content-Type", "application/json"}};
    c.body = body.empty() ? "{\"call_id\": \"call-" + std::to_string(n) +
                                "\", \"n\": " + std::to_string(n) + "}"
                          : std::move(body);
    c.response_status = 200;
    c.payload.kind = n % 3 == 0 ? "post-call" : "live-event";
    c.payload.call_id = "call-" + std::to_string(n / 3);
    c.payload.status = n % 3 == 0 ? "completed" : "";
    return c;
}

// Appends `count` captures (make(n), then `change` applied) through the real writer; returns the
// last id.
std::uint64_t fill(const std::string& path, std::uint64_t count, std::uint64_t first_n = 1,
                   const std::function<void(capture::Capture&, std::uint64_t)>& change = {}) {
    capture::StoreOptions options;
    options.path = path;
    capture::Store store(options);
    std::uint64_t last = 0;
    for (std::uint64_t n = first_n; n < first_n + count; ++n) {
        capture::Capture c = make(n);
        if (change) {
            change(c, n);
        }
        last = store.append(c);
    }
    return last;
}

std::vector<std::uint64_t> ids(const std::vector<capture::Capture>& captures) {
    std::vector<std::uint64_t> out;
    for (const auto& c : captures) {
        out.push_back(c.id);
    }
    return out;
}

} // namespace

TEST_CASE("history: the newest captures come from the end, newest first, and any id is found by "
          "bisection in a log of thousands") {
    test::TempDir dir;
    const std::string path = dir.file("log.ndjson");
    REQUIRE(fill(path, 5000) == 5000);
    const capture::History history(path);
    capture::Filter filter;
    filter.limit = 3;
    CHECK(ids(history.newest(filter)) == std::vector<std::uint64_t>{5000, 4999, 4998});
    for (std::uint64_t id : {1ull, 2ull, 777ull, 2500ull, 4999ull, 5000ull}) {
        auto found = history.get(id);
        REQUIRE(found);
        CHECK(found->id == id);
        CHECK(found->body.find("\"n\": " + std::to_string(id) + "}") != std::string::npos);
    }
    CHECK_FALSE(history.get(0));
    CHECK_FALSE(history.get(5001));
    CHECK(history.first_id() == 1);
    CHECK(history.last_id() == 5000);

    filter.before = 101;
    filter.limit = 2;
    CHECK(ids(history.newest(filter)) == std::vector<std::uint64_t>{100, 99});
    filter.before.reset();
    filter.after = 4997;
    filter.limit = 100;
    CHECK(ids(history.newest(filter)) == std::vector<std::uint64_t>{5000, 4999, 4998});
}

TEST_CASE("history: lines longer than a read buffer are read whole, backwards and forwards") {
    test::TempDir dir;
    const std::string path = dir.file("log.ndjson");
    fill(path, 6, 1, [](capture::Capture& c, std::uint64_t n) {
        c.body = std::string(n % 2 == 0 ? 300'000 : 10, 'x') + "end" + std::to_string(n);
    });
    const capture::History history(path);
    capture::Filter filter;
    filter.limit = 10;
    const auto all = history.newest(filter);
    REQUIRE(all.size() == 6);
    CHECK(all[0].body.size() == 300'000 + 4);
    CHECK(all[0].body.ends_with("end6"));
    CHECK(history.get(4)->body.ends_with("end4"));
    std::vector<std::uint64_t> forward;
    history.oldest_first(filter, [&](capture::Capture&& c) {
        forward.push_back(c.id);
        return true;
    });
    CHECK(forward == std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6});
}

TEST_CASE("history: a search finds text in path, headers and body ignoring case (quotes as "
          "written in the body), combined with kind and call_id, over the whole history") {
    test::TempDir dir;
    const std::string path = dir.file("log.ndjson");
    fill(path, 3000, 1, [](capture::Capture& c, std::uint64_t n) {
        if (n == 17) {
            c.body = "Customer said \"Call me Back\" twice"; // a text body
        }
        if (n == 18) {
            c.headers.push_back({"X-Trace", "Needle-In-Header"});
        }
        if (n == 19) {
            c.path = "/hooks/needle-path";
        }
        if (n == 20) {
            c.body = std::string("\xff\xfe binary needle", 16); // stored as base64
        }
    });
    const capture::History history(path);
    capture::Filter filter;
    filter.limit = 50;
    filter.text = "said \"call ME back\"";
    CHECK(ids(history.newest(filter)) == std::vector<std::uint64_t>{17});
    filter.text = "NEEDLE";
    CHECK(ids(history.newest(filter)) == std::vector<std::uint64_t>{20, 19, 18});
    filter.text = "call-2999";
    CHECK(ids(history.newest(filter)) == std::vector<std::uint64_t>{2999});
    // "call-1" is in the bodies of 1, 10-19, 100-199 …; post-call ones are multiples of 3.
    filter.text = "\"call-1";
    filter.kind = "post-call";
    filter.limit = 3;
    CHECK(ids(history.newest(filter)) == std::vector<std::uint64_t>{1998, 1995, 1992});
    filter = {};
    filter.limit = 100;
    filter.call_id = "call-999"; // a call_id's beginning: call-999 only, as ids stop at 3000
    CHECK(ids(history.newest(filter)) == std::vector<std::uint64_t>{2999, 2998, 2997});
    filter.call_id = "call-99";
    filter.status = "completed";
    CHECK(ids(history.newest(filter)).size() == 11); // 297 and 2970 … 2997 (multiples of 3)
    CHECK(ids(history.newest(filter)).back() == 297);
}

TEST_CASE("history: --since and --until select by receive time, and stop reading once past") {
    test::TempDir dir;
    const std::string path = dir.file("log.ndjson");
    fill(path, 9, 1, [](capture::Capture& c, std::uint64_t day) {
        c.received_at = "2026-11-0" + std::to_string(day) + "T12:00:00.000Z";
    });
    const capture::History history(path);
    capture::Filter filter;
    filter.since = capture::parse_when("2026-11-04", "--since", {});
    filter.until = capture::parse_when("2026-11-06T12:00", "--until", {});
    CHECK(ids(history.newest(filter)) == std::vector<std::uint64_t>{5, 4});
}

TEST_CASE("parse_when: dates, date-times and durations ago; nonsense is a usage error") {
    const auto now = std::chrono::system_clock::from_time_t(1'764'237'964); // 2025-11-27T10:06:04Z
    CHECK(capture::parse_when("2026-11-27", "--since", now) == "2026-11-27T00:00:00.000Z");
    CHECK(capture::parse_when("2026-11-27 10:06", "--since", now) == "2026-11-27T10:06:00.000Z");
    CHECK(capture::parse_when("2026-11-27T10:06:04Z", "--since", now) ==
          "2026-11-27T10:06:04.000Z");
    CHECK(capture::parse_when("2h", "--since", now) == "2025-11-27T08:06:04.000Z");
    CHECK(capture::parse_when("7d", "--since", now) == "2025-11-20T10:06:04.000Z");
    CHECK(capture::parse_when("90s", "--since", now) == "2025-11-27T10:04:34.000Z");
    for (const char* bad : {"", "yesterday", "2h30", "2026-13-01", "2026-11-27T25:00", "5y"}) {
        CHECK_THROWS_AS(capture::parse_when(bad, "--since", now), Error);
    }
}

TEST_CASE("Finder finds what a naive search finds, exact or ignoring ASCII case") {
    std::mt19937 random(7);
    const std::string alphabet = "aAbB\"\\-1 ";
    const auto lower = [](std::string s) {
        for (char& c : s) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        return s;
    };
    for (int round = 0; round < 4000; ++round) {
        std::string haystack;
        std::string needle;
        for (int i = static_cast<int>(random() % 80); i > 0; --i) {
            haystack.push_back(alphabet[random() % alphabet.size()]);
        }
        for (int i = 1 + static_cast<int>(random() % 6); i > 0; --i) {
            needle.push_back(alphabet[random() % alphabet.size()]);
        }
        const std::size_t from = random() % 8;
        CAPTURE(haystack);
        CAPTURE(needle);
        CHECK(capture::Finder(needle, capture::Case::ignore_ascii).find(haystack, from) ==
              lower(haystack).find(lower(needle), from));
        CHECK(capture::Finder(needle, capture::Case::exact).find(haystack, from) ==
              haystack.find(needle, from));
    }
}

TEST_CASE("history after the log changed under it: appended by another listener, a torn last "
          "line cut on reopening") {
    test::TempDir dir;
    const std::string path = dir.file("log.ndjson");
    fill(path, 40);
    CHECK(capture::History(path).last_id() == 40);
    // A second listener on the same log continues the ids; a reader sees every capture.
    fill(path, 10, 41);
    const capture::History again(path);
    CHECK(again.last_id() == 50);
    REQUIRE(again.get(45));
    CHECK(again.get(45)->body.find("\"n\": 45}") != std::string::npos);

    // A crash mid-write leaves a torn line: readers skip it, the next listener cuts it.
    test::write_file(path, test::read_file(path) + "{\"id\":51,\"received_at\":\"2026-");
    capture::Filter newest;
    newest.limit = 1;
    CHECK(ids(capture::History(path).newest(newest)) == std::vector<std::uint64_t>{50});
    CHECK_FALSE(capture::History(path).get(51));
    fill(path, 1, 51);
    const std::string text = test::read_file(path);
    CHECK(text.find("{\"id\":51,\"received_at\":\"2026-{") == std::string::npos);
    CHECK(ids(capture::History(path).newest(newest)) == std::vector<std::uint64_t>{51});
    CHECK(capture::History(path).get(51)->body.find("\"n\": 51}") != std::string::npos);
}

TEST_CASE("store rotation: the log rotates into numbered segments between lines, ids keep "
          "increasing, every reader reads across them, compressed or not") {
    test::TempDir dir;
    const std::string path = dir.file("log.ndjson");
    {
        capture::StoreOptions options;
        options.path = path;
        options.max_log_bytes = 2000;
        options.compress_segments = false;
        capture::Store store(options);
        for (std::uint64_t n = 1; n <= 30; ++n) {
            capture::Capture c = make(n);
            REQUIRE(store.append(c) == n);
        }
        // This run's captures, before and after rotations, are all there.
        CHECK(store.get(1)->id == 1);
        CHECK(store.get(30)->id == 30);
        capture::Filter all;
        all.limit = 100;
        CHECK(store.list(all).size() == 30);
    }
    const auto segments = capture::list_segments(path);
    REQUIRE(segments.size() > 3);
    CHECK(segments.back().path == path);
    for (const auto& segment : segments) {
        CHECK(segment.bytes <= 2000);
    }
    // The oldest rotated segment compressed: still read, by bisection elsewhere, by scan there.
    capture::compress_segment(segments.front().path);
    CHECK(capture::list_segments(path).front().compressed);
    const capture::History history(path);
    CHECK(history.first_id() == 1);
    CHECK(history.last_id() == 30);
    for (std::uint64_t id = 1; id <= 30; ++id) {
        REQUIRE(history.get(id));
        CHECK(history.get(id)->body.find("\"n\": " + std::to_string(id) + "}") !=
              std::string::npos);
    }
    capture::Filter filter;
    filter.limit = 100;
    std::vector<std::uint64_t> expected;
    for (std::uint64_t id = 30; id >= 1; --id) {
        expected.push_back(id);
    }
    CHECK(ids(history.newest(filter)) == expected);
    CHECK(history.nth_newest_id(30) == 1);
    CHECK(history.nth_newest_id(3) == 28);
    CHECK_FALSE(history.nth_newest_id(31));
    // A listener started right after a rotation (no active log yet) continues the ids.
    REQUIRE(std::rename(
                path.c_str(),
                capture::segment_path(path, capture::next_segment_number(path), false).c_str()) ==
            0);
    fill(path, 1, 31);
    CHECK(capture::History(path).last_id() == 31);
}

TEST_CASE("captures prune while the listener compresses a rotated segment: the pruned captures "
          "stay pruned (the compressor's .gz used to bring them back)") {
    test::TempDir dir;
    const std::string path = dir.file("log.ndjson");
    // A rotated segment big enough that compressing it takes a while: 160 captures of 256 KiB.
    const std::string big(256 * 1024, 'x');
    fill(path, 160, 1, [&](capture::Capture& c, std::uint64_t n) {
        c.body = "{\"n\": " + std::to_string(n) + ", \"pad\": \"" + big + "\"}";
    });
    const std::string segment = capture::segment_path(path, 1, false);
    REQUIRE(std::rename(path.c_str(), segment.c_str()) == 0);
    const std::uint64_t newest = fill(path, 1, 161);
    REQUIRE(newest == 161);

    // The compressor is under way (its temporary file exists) when prune starts.
    std::thread compressor([&] { capture::compress_segment(segment); });
    const std::string temporary = segment + ".gz.tmp";
    for (int i = 0; i < 20000 && ::access(temporary.c_str(), F_OK) != 0; ++i) {
        std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    const capture::PruneResult result = capture::prune(path, newest, capture::PruneMode::apply);
    compressor.join();

    CHECK(result.removed == 160);
    CHECK(result.kept == 1);
    const capture::History history(path);
    CHECK(history.first_id() == newest);
    CHECK(history.last_id() == newest);
    CHECK(capture::list_segments(path).size() == 1);
    // And a compression whose segment was pruned before its turn leaves it pruned.
    CHECK_NOTHROW(capture::compress_segment(segment));
    CHECK(capture::list_segments(path).size() == 1);
}
