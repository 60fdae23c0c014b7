#pragma once
// Enumerations named by a table: one constexpr row per value, looked up in both directions,
// instead of a switch per direction that the next enumerator added can drift from.
//
//   constexpr util::Named<Shell> k_shells[] = {{Shell::bash, "bash"}, {Shell::zsh, "zsh"}};
//   util::name_of(k_shells, Shell::zsh, "bash")   // "zsh"
//   util::value_of(k_shells, "bash")              // Shell::bash; nullopt for "tcsh"
//
// Header-only and free of the rest of blandhook, so that every module (payload/ too) may use it.
#include <iterator>
#include <optional>
#include <string_view>
#include <type_traits>

namespace blandhook::util {

/// The simplest row: an enumerator and its name. Wider rows (a help text, a flag) work with
/// these functions too, as long as they have members `value` and `name`.
template <typename Enum> struct Named {
    Enum value;
    std::string_view name;
};

/// The first row of `table` whose `value` is `value`; nullptr when none is.
template <typename Table, typename Enum>
constexpr const auto* row_of(const Table& table, Enum value) {
    using Row = std::remove_cvref_t<decltype(*std::begin(table))>;
    const Row* found = nullptr;
    for (const Row& row : table) {
        if (row.value == value) {
            found = &row;
            break;
        }
    }
    return found;
}

/// The name of `value` in `table`; `fallback` when no row has it (an integer cast to the enum).
template <typename Table, typename Enum>
constexpr std::string_view name_of(const Table& table, Enum value, std::string_view fallback) {
    const auto* row = row_of(table, value);
    return row != nullptr ? std::string_view(row->name) : fallback;
}

/// The value of the row named exactly `name` (case matters); nullopt when no row is.
template <typename Table>
constexpr auto value_of(const Table& table, std::string_view name)
    -> std::optional<std::remove_cvref_t<decltype(std::begin(table)->value)>> {
    for (const auto& row : table) {
        if (row.name == name) {
            return row.value;
        }
    }
    return std::nullopt;
}

} // namespace blandhook::util
