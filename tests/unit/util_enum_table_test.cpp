// Enumerations named by a table (util/enum_table.hpp): both directions from one list of rows.
#include "util/enum_table.hpp"

#include <doctest/doctest.h>

#include <array>

using namespace blandhook;

namespace {

enum class Colour { red, green, blue };

constexpr util::Named<Colour> k_colours[] = {
    {Colour::red, "red"},
    {Colour::green, "green"},
};

// A wider row, in a std::array: the functions need only `value` and `name`.
struct Paint {
    Colour value;
    std::string_view name;
    bool glossy;
};
constexpr std::array<Paint, 2> k_paints = {{
    {Colour::blue, "navy", true},
    {Colour::blue, "sky", false},
}};

} // namespace

TEST_CASE("name_of gives a row's name, and the fallback for a value without a row") {
    CHECK(util::name_of(k_colours, Colour::green, "?") == "green");
    CHECK(util::name_of(k_colours, Colour::red, "?") == "red");
    CHECK(util::name_of(k_colours, Colour::blue, "?") == "?");
    // The first row wins when two rows share a value.
    CHECK(util::name_of(k_paints, Colour::blue, "?") == "navy");
    static_assert(util::name_of(k_colours, Colour::green, "") == "green");
}

TEST_CASE("value_of finds a row by its exact name, and nothing for any other text") {
    CHECK(util::value_of(k_colours, "green") == Colour::green);
    CHECK(util::value_of(k_paints, "sky") == Colour::blue);
    CHECK_FALSE(util::value_of(k_colours, "Green").has_value());
    CHECK_FALSE(util::value_of(k_colours, "").has_value());
    CHECK_FALSE(util::value_of(k_colours, "blue").has_value());
    static_assert(util::value_of(k_colours, "red") == Colour::red);
}

TEST_CASE("row_of gives the whole row, so wider tables read their other columns") {
    const auto* navy = util::row_of(k_paints, Colour::blue);
    REQUIRE(navy != nullptr);
    CHECK(navy->glossy);
    CHECK(util::row_of(k_paints, Colour::red) == nullptr);
}
