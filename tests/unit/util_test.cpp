// The leaf helpers every command shares: durations, sizes, whole-file reads and secrets.
#include "error.hpp"
#include "support/process.hpp"
#include "util/duration.hpp"
#include "util/files.hpp"
#include "util/secret.hpp"
#include "util/size.hpp"

#include <doctest/doctest.h>

#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <unistd.h>

using namespace blandhook;
using namespace std::chrono_literals;

namespace {

// The kind of the Error `call` throws; fails the test when it throws none.
template <typename Call> ErrorKind error_kind(Call call) {
    try {
        call();
    } catch (const Error& error) {
        return error.kind();
    }
    FAIL("no error");
    return ErrorKind::internal;
}

} // namespace

TEST_CASE("durations accept ms, s, m, min, h and bare seconds") {
    CHECK(util::parse_duration("10s", "--timeout") == 10'000ms);
    CHECK(util::parse_duration("250ms", "--timeout") == 250ms);
    CHECK(util::parse_duration("1.5s", "--timeout") == 1500ms);
    CHECK(util::parse_duration("2m", "--timeout") == 120'000ms);
    CHECK(util::parse_duration("2min", "--timeout") == 120'000ms);
    CHECK(util::parse_duration("1h", "--timeout") == 3'600'000ms);
    CHECK(util::parse_duration("3", "--timeout") == 3000ms);
    CHECK(util::parse_duration(".5", "--timeout") == 500ms);
    CHECK(util::parse_duration("0", "--timeout") == 0ms);
    CHECK(util::parse_duration("720h", "--timeout") == util::k_max_duration);
}

TEST_CASE("durations that are not one, negative, NaN, infinite or overflowing are usage errors") {
    for (const char* bad : {"fast", "10 parsecs", "", "s", "-1s", "+1s", "nan", "NaN", "inf", "1e3",
                            "1..5s", "1.5.2s", "99999999999999999999999", "1e308s", "721h",
                            "9223372036854775807ms", "1s ", " 1s"}) {
        CAPTURE(bad);
        CHECK(error_kind([&] { util::parse_duration(bad, "--timeout"); }) == ErrorKind::usage);
    }
    try {
        util::parse_duration("soon", "--delay");
    } catch (const Error& error) {
        CHECK(error.subject() == "--delay");
        CHECK(error.detail() == "'soon' is not a duration");
    }
}

TEST_CASE("sizes take binary units; zero, signs, fractions and overflow are usage errors") {
    CHECK(util::parse_size("1048576", "--max-body") == 1'048'576);
    CHECK(util::parse_size("512KiB", "--max-body") == 512 * 1024);
    CHECK(util::parse_size("10MiB", "--max-body") == 10u << 20);
    CHECK(util::parse_size("10M", "--max-body") == 10u << 20);
    CHECK(util::parse_size("2GiB", "--max-body") == std::size_t{2} << 30);
    CHECK(util::parse_size("1024GiB", "--max-body") == util::k_max_size);
    for (const char* bad :
         {"0", "0MiB", "-1", "-1MiB", "1.5MiB", "ten", "", "MiB", "10 MiB", "10TiB", "1025GiB",
          "18446744073709551615", "99999999999999999999", "18014398509481984KiB", "nan"}) {
        CAPTURE(bad);
        CHECK(error_kind([&] { util::parse_size(bad, "--max-body"); }) == ErrorKind::usage);
    }
}

TEST_CASE("read_file reads every byte; a directory or a missing file is an input error naming it") {
    test::TempDir dir;
    test::write_file(dir.file("body.json"), std::string("{\"a\":1}\n\0x", 10));
    CHECK(util::read_file(dir.file("body.json"), "sign") == std::string("{\"a\":1}\n\0x", 10));
    try {
        util::read_file(dir.path(), "--manifest");
        FAIL("a directory was read");
    } catch (const Error& error) {
        CHECK(error.kind() == ErrorKind::input);
        CHECK(error.subject() == "--manifest");
        CHECK(error.detail() == "cannot read " + dir.path() + ": it is a directory, not a file");
    }
    CHECK(error_kind([&] { util::read_file(dir.file("absent"), "x"); }) == ErrorKind::input);
    CHECK(error_kind([&] { util::read_file(dir.path(), "--answer-body", ErrorKind::usage); }) ==
          ErrorKind::usage);
}

TEST_CASE("read_at reads up to the end of the file and says why a read failed") {
    test::TempDir dir;
    const std::string path = dir.file("data");
    test::write_file(path, "0123456789");
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    std::string out = "left over";
    CHECK(util::read_at(fd, 2, 4, out) == 0);
    CHECK(out == "2345");
    CHECK(util::read_at(fd, 8, 100, out) == 0); // fewer bytes at the end
    CHECK(out == "89");
    CHECK(util::read_at(fd, 20, 4, out) == 0); // past the end: nothing
    CHECK(out.empty());
    ::close(fd);
    CHECK(util::read_at(fd, 0, 4, out) == EBADF);
    CHECK(out.empty());
}

TEST_CASE("a secret comes from the option, else its file (last line break dropped), else the "
          "environment") {
    test::TempDir dir;
    test::write_file(dir.file("secret"), "whsec_file\n");
    test::write_file(dir.file("crlf"), "whsec_crlf\r\n");
    test::write_file(dir.file("empty"), "\n");
    ::setenv("BLANDHOOK_TEST_SECRET_ENV", "whsec_env", 1);
    const util::SecretKind kind{"--secret", "--secret-file", "BLANDHOOK_TEST_SECRET_ENV",
                                "webhook secret"};
    CHECK(util::resolve_secret({"whsec_flag", ""}, kind) == "whsec_flag");
    CHECK(util::resolve_secret({"", dir.file("secret")}, kind) == "whsec_file");
    CHECK(util::resolve_secret({"", dir.file("crlf")}, kind) == "whsec_crlf");
    CHECK(util::resolve_secret({"", ""}, kind) == "whsec_env");
    ::unsetenv("BLANDHOOK_TEST_SECRET_ENV");
    CHECK(util::resolve_secret({"", ""}, kind).empty());
    CHECK(error_kind([&] {
              util::resolve_secret({"a", dir.file("secret")}, kind);
          }) == ErrorKind::usage);
    CHECK(error_kind([&] {
              util::resolve_secret({"", dir.file("empty")}, kind);
          }) == ErrorKind::input);
    CHECK(error_kind([&] { util::resolve_secret({"", dir.path()}, kind); }) == ErrorKind::input);
    try {
        util::resolve_secret({"", dir.file("absent")}, kind);
    } catch (const Error& error) {
        CHECK(error.what() ==
              "--secret-file: cannot read " + dir.file("absent") + ": No such file or directory");
    }
}
