// util::UniqueFd closes its descriptor exactly once, on every way out of a scope.
#include "util/unique_fd.hpp"

#include <doctest/doctest.h>

#include <cerrno>
#include <fcntl.h>
#include <stdexcept>
#include <unistd.h>

using namespace blandhook;

namespace {

bool is_open(int fd) {
    return ::fcntl(fd, F_GETFD) != -1;
}

struct Pipe {
    int ends[2] = {-1, -1};
    Pipe() { REQUIRE(::pipe(ends) == 0); }
    ~Pipe() {
        for (int fd : ends) {
            if (is_open(fd)) {
                ::close(fd);
            }
        }
    }
};

} // namespace

TEST_CASE("UniqueFd closes its descriptor when it goes out of scope, also by an exception") {
    Pipe pipe;
    {
        const util::UniqueFd fd(pipe.ends[0]);
        CHECK(fd);
        CHECK(fd.get() == pipe.ends[0]);
    }
    CHECK_FALSE(is_open(pipe.ends[0]));
    try {
        const util::UniqueFd fd(pipe.ends[1]);
        throw std::runtime_error("leaving early");
    } catch (const std::runtime_error&) {
        CHECK_FALSE(is_open(pipe.ends[1]));
    }
}

TEST_CASE("a moved UniqueFd hands its descriptor over and closes nothing itself") {
    Pipe pipe;
    util::UniqueFd first(pipe.ends[0]);
    util::UniqueFd second(std::move(first));
    CHECK_FALSE(first); // NOLINT(bugprone-use-after-move): what a move leaves is the point
    CHECK(second.get() == pipe.ends[0]);
    first.reset();
    CHECK(is_open(pipe.ends[0]));
    util::UniqueFd third(pipe.ends[1]);
    third = std::move(second); // closes what third held, takes second's
    CHECK_FALSE(is_open(pipe.ends[1]));
    CHECK(is_open(pipe.ends[0]));
    third.reset();
    CHECK_FALSE(is_open(pipe.ends[0]));
    CHECK_FALSE(util::UniqueFd());
}
