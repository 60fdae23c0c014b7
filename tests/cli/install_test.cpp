#include "support/process.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <set>
#include <string>

using namespace blandhook::test;
namespace fs = std::filesystem;

TEST_CASE("cmake --install puts binary, man page, completions, fixtures and schemas in place") {
    // The build directory is where the binary under test lives.
    const fs::path build = fs::path(binary_path()).parent_path();
    REQUIRE(fs::exists(build / "CMakeCache.txt"));
    TempDir prefix;
    auto result = run_process({"cmake", "--install", build.string(), "--prefix", prefix.path()});
    INFO(result.out);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);

    const fs::path root = prefix.path();
    for (const char* file :
         {"bin/blandhook", "share/man/man1/blandhook.1.gz",
          "share/bash-completion/completions/blandhook", "share/zsh/vendor-completions/_blandhook",
          "share/fish/vendor_completions.d/blandhook.fish",
          "share/blandhook/fixtures/completed-outbound.json",
          "share/blandhook/fixtures/error-busy.json", "share/blandhook/fixtures/live-event.json",
          "share/blandhook/schemas/post-call.json",
          "share/blandhook/schemas/delayed-post-call.json",
          "share/blandhook/schemas/citations-event.json",
          "share/blandhook/schemas/live-event.json"}) {
        CAPTURE(file);
        CHECK(fs::is_regular_file(root / file));
    }
    // Every fixture of the source tree is installed, whatever their number.
    const auto json_files = [](const fs::path& folder) {
        std::set<std::string> names;
        for (const auto& entry : fs::directory_iterator(folder)) {
            if (entry.path().extension() == ".json") {
                names.insert(entry.path().filename().string());
            }
        }
        return names;
    };
    CHECK(json_files(root / "share/blandhook/fixtures") ==
          json_files(fs::path(source_dir()) / "fixtures"));
    CHECK(json_files(root / "share/blandhook/schemas") ==
          json_files(fs::path(source_dir()) / "src/payload/schemas"));

    // The installed pieces are the generated ones, and the installed binary runs.
    CHECK(read_file((root / "share/bash-completion/completions/blandhook").string()) ==
          read_file(source_dir() + "/completions/blandhook.bash"));
    auto man = run_process({"gzip", "-dc", (root / "share/man/man1/blandhook.1.gz").string()});
    CHECK(man.exit_code == 0);
    CHECK(man.out.rfind(".\\\"", 0) == 0);
    auto version = run_process({(root / "bin/blandhook").string(), "--version"});
    CHECK(version.exit_code == 0);
    CHECK(version.out.rfind("blandhook ", 0) == 0);
}
