// The progress bar's total for `blandhook replay`: the inputs counted beside the run.
#include "payload/fixtures.hpp"
#include "replay/progress.hpp"
#include "support/process.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <optional>

using namespace blandhook;

namespace {

// The total InputCounter reports for `sources`, nullopt when it reports none.
std::optional<std::size_t> count_of(std::vector<replay::Source> sources, const std::string& log) {
    std::optional<std::size_t> total;
    std::atomic<int> calls{0};
    replay::InputCounter counter(std::move(sources), log, [&](std::size_t items) {
        total = items;
        ++calls;
    });
    counter.wait();
    CHECK(calls <= 1);
    return total;
}

} // namespace

TEST_CASE("the counter reports once how many items the inputs hold, as the run reads them") {
    test::TempDir scratch;
    test::write_file(scratch.file("one.json"), R"({"call_id":"a"})");
    std::filesystem::create_directory(scratch.file("dir"));
    test::write_file(scratch.file("dir/two.json"), R"({"call_id":"b"})");
    test::write_file(scratch.file("dir/three.json"), R"({"call_id":"c"})");
    test::write_file(scratch.file("dir/notes.txt"), "not replayed");
    const std::size_t builtins = payload::builtin_fixtures().size();
    REQUIRE(builtins > 1);
    CHECK(count_of({{scratch.file("one.json"), "", 0}, {scratch.file("dir"), "", 0}},
                   scratch.file("captures.ndjson")) == 3);
    CHECK(count_of({{"builtin:all", "", 0}, {scratch.file("one.json"), "", 0}},
                   scratch.file("captures.ndjson")) == builtins + 1);
    // A missing file is an item too: the run reports it as an error.
    CHECK(count_of({{scratch.file("missing.json"), "", 0}}, scratch.file("captures.ndjson")) == 1);
}
