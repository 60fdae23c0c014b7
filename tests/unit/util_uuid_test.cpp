// Call ids for emulated calls and replayed variants.
#include "util/uuid.hpp"

#include <doctest/doctest.h>

#include <regex>
#include <set>
#include <string>

TEST_CASE("uuid_v4 is a lowercase version-4 UUID, different each time") {
    static const std::regex shape(
        "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    std::set<std::string> seen;
    for (int i = 0; i < 100; ++i) {
        const std::string id = blandhook::util::uuid_v4();
        CHECK(std::regex_match(id, shape));
        seen.insert(id);
    }
    CHECK(seen.size() == 100);
}
