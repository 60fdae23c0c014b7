// Hex digits both ways (util/hex.hpp): what \u escapes, MAC signatures and UUIDs are made of.
#include "util/hex.hpp"

#include <doctest/doctest.h>

using namespace blandhook;

TEST_CASE("hex_digit_value reads digits of either case and refuses every other character") {
    CHECK(util::hex_digit_value('0') == 0);
    CHECK(util::hex_digit_value('9') == 9);
    CHECK(util::hex_digit_value('a') == 10);
    CHECK(util::hex_digit_value('F') == 15);
    // The neighbours of each range: '/' ':' '@' 'G' '`' 'g'.
    for (char c : {'/', ':', '@', 'G', '`', 'g', ' ', '\0', '\xff'}) {
        CHECK(util::hex_digit_value(c) == -1);
    }
}

TEST_CASE("k_hex_digits writes each value as the digit hex_digit_value reads back") {
    REQUIRE(util::k_hex_digits.size() == 16);
    for (int value = 0; value < 16; ++value) {
        CHECK(util::hex_digit_value(util::k_hex_digits[static_cast<std::size_t>(value)]) == value);
    }
    CHECK(util::k_hex_digits[0xb] == 'b');
}
