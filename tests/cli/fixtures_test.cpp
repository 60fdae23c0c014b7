#include "support/process.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fmt/core.h>
#include <string>
#include <vector>

using namespace blandhook::test;

namespace {

std::string fixture_path(const std::string& name) {
    return source_dir() + "/fixtures/" + name + ".json";
}

// The stems of fixtures/*.json in the source tree: the tests follow the folder, not a count.
std::vector<std::string> fixture_names() {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(source_dir() + "/fixtures")) {
        if (entry.path().extension() == ".json") {
            names.push_back(entry.path().stem().string());
        }
    }
    std::sort(names.begin(), names.end());
    return names;
}

std::size_t count_lines(const std::string& text) {
    std::size_t lines = 0;
    for (char c : text) {
        lines += c == '\n' ? 1 : 0;
    }
    return lines;
}

} // namespace

TEST_CASE("fixtures list prints a table of every fixture with kind and modelled column") {
    auto result = run_blandhook({"fixtures", "list"});
    CHECK(result.exit_code == 0);
    CHECK(result.out.rfind("NAME", 0) == 0);
    CHECK(result.out.find("MODELLED") != std::string::npos);
    for (const auto& name : fixture_names()) {
        CAPTURE(name);
        CHECK(result.out.find("\n" + name + " ") != std::string::npos);
    }
    const auto busy = result.out.find("\nerror-busy ");
    const auto busy_line = result.out.substr(busy + 1, result.out.find('\n', busy + 1) - busy - 1);
    CHECK(busy_line.find("post-call") != std::string::npos);
    CHECK(busy_line.find(" yes ") != std::string::npos);
}

TEST_CASE("fixtures list --json is machine readable") {
    auto result = run_blandhook({"fixtures", "list", "--json"});
    REQUIRE(result.exit_code == 0);
    const auto list = nlohmann::json::parse(result.out);
    REQUIRE(list.size() == fixture_names().size());
    bool found = false;
    for (const auto& item : list) {
        if (item["name"] == "delayed-citations") {
            found = true;
            CHECK(item["kind"] == "delayed-post-call");
            CHECK(item["modelled"] == false);
            CHECK(item["bytes"].get<std::size_t>() ==
                  read_file(fixture_path("delayed-citations")).size());
        }
    }
    CHECK(found);
}

TEST_CASE("fixtures show prints the embedded bytes, identical to the file") {
    for (const char* name : {"completed-outbound", "error-busy", "live-event"}) {
        CAPTURE(name);
        auto result = run_blandhook({"fixtures", "show", name});
        CHECK(result.exit_code == 0);
        CHECK(result.out == read_file(fixture_path(name)));
    }
}

TEST_CASE("fixtures show of an unknown name is a usage error naming the choices") {
    auto result = run_blandhook({"fixtures", "show", "error-bussy"});
    CHECK(result.exit_code == 2);
    CHECK(result.out.empty());
    CHECK(result.err.find("blandhook: error:") == 0);
    CHECK(result.err.find("error-busy") != std::string::npos);
}

TEST_CASE("fixtures validate passes every built-in fixture with no finding") {
    std::vector<std::string> args = {"fixtures", "validate"};
    for (const auto& name : fixture_names()) {
        args.push_back(fixture_path(name));
    }
    auto result = run_blandhook(args);
    CHECK(result.exit_code == 0);
    CHECK(result.out == fmt::format("{} files: 0 errors, 0 warnings\n", fixture_names().size()));
}

TEST_CASE("fixtures validate prints findings like a compiler and exits 1 on an error") {
    TempDir dir;
    const std::string bad = dir.file("bad.json");
    // call_length as a string is a wrong type (error); an unknown field is drift (warning).
    write_file(bad, R"({"call_id":"c-1","completed":true,"call_length":"3",)"
                    R"("concatenated_transcript":"","brand_new_field":1})");
    auto result = run_blandhook({"fixtures", "validate", bad});
    CHECK(result.exit_code == 1);
    CHECK(result.out.find(bad + ": error: /call_length: ") != std::string::npos);
    CHECK(result.out.find(bad + ": warning: /brand_new_field: ") != std::string::npos);
    CHECK(result.out.find("1 file: 1 error, 1 warning") != std::string::npos);
}

TEST_CASE("fixtures validate exits 5 on an unreadable or non-JSON file, still reporting others") {
    TempDir dir;
    const std::string bad = dir.file("bad.json");
    const std::string text = dir.file("text.json");
    const std::string missing = dir.file("missing.json");
    write_file(bad, R"({"call_id":"c-1","completed":"yes","concatenated_transcript":""})");
    write_file(text, "call ended\n");
    auto result = run_blandhook({"fixtures", "validate", missing, text, bad});
    CHECK(result.exit_code == 5);
    CHECK(result.out.find(missing + ": error: cannot read: ") != std::string::npos);
    CHECK(result.out.find(text + ": error: not JSON") != std::string::npos);
    CHECK(result.out.find(bad + ": error: /completed: ") != std::string::npos);
    CHECK(result.out.find("2 unreadable or not JSON") != std::string::npos);
}

TEST_CASE("fixtures validate reads stdin for - and can force a kind") {
    ProcessOptions options;
    options.stdin_data = R"({"message":"Call connected","call_id":"c-1"})";
    // As its own kind it is unknown (no category): an error saying so.
    auto as_is = run_blandhook({"fixtures", "validate", "-"}, options);
    CHECK(as_is.exit_code == 1);
    CHECK(as_is.out.find("stdin: error: not a body Bland sends") != std::string::npos);
    auto forced = run_blandhook({"fixtures", "validate", "--kind", "live-event", "-"}, options);
    CHECK(forced.out.find("stdin: ") != std::string::npos);
    CHECK(forced.out.find("not a body Bland sends") == std::string::npos);
}

TEST_CASE("fixtures validate --json reports files, findings and totals") {
    TempDir dir;
    const std::string bad = dir.file("bad.json");
    write_file(bad, R"({"call_id":7,"completed":true,"concatenated_transcript":""})");
    auto result =
        run_blandhook({"fixtures", "validate", "--json", bad, fixture_path("error-busy")});
    CHECK(result.exit_code == 1);
    const auto report = nlohmann::json::parse(result.out);
    CHECK(report["errors"] == 1);
    CHECK(report["unreadable"] == 0);
    REQUIRE(report["files"].size() == 2);
    CHECK(report["files"][0]["file"] == bad);
    CHECK(report["files"][0]["kind"] == "post-call");
    CHECK(report["files"][0]["findings"][0]["pointer"] == "/call_id");
    CHECK(report["files"][0]["findings"][0]["severity"] == "error");
    CHECK(report["files"][1]["findings"].empty());
}

TEST_CASE("fixtures schema prints the post-call schema by default and any kind on request") {
    auto default_kind = run_blandhook({"fixtures", "schema"});
    CHECK(default_kind.exit_code == 0);
    CHECK(default_kind.out == read_file(source_dir() + "/src/payload/schemas/post-call.json"));
    auto live = run_blandhook({"fixtures", "schema", "live-event"});
    CHECK(live.exit_code == 0);
    const auto schema = nlohmann::json::parse(live.out);
    CHECK(schema.contains("properties"));
    CHECK(live.out == read_file(source_dir() + "/src/payload/schemas/live-event.json"));
}

TEST_CASE("fixtures schema of an unknown kind is a usage error listing the kinds") {
    auto result = run_blandhook({"fixtures", "schema", "post_call"});
    CHECK(result.exit_code == 2);
    CHECK(result.out.empty());
    for (const char* kind :
         {"post-call", "delayed-post-call", "citations-event", "post-transfer-transcript-event",
          "multiple-event", "evals-event", "live-event"}) {
        CAPTURE(kind);
        CHECK(result.err.find(kind) != std::string::npos);
    }
}

TEST_CASE("fixtures without a subcommand shows its subcommands and exits 2") {
    auto result = run_blandhook({"fixtures"});
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("validate") != std::string::npos);
    CHECK(count_lines(result.out) == 0);
}
