#include "cli/exit_codes.hpp"

#include <fmt/core.h>

namespace blandhook::cli {

int exit_code_for(ErrorKind kind) {
    for (const auto& row : k_exit_codes) {
        if (row.kind == kind) {
            return row.code;
        }
    }
    return exit_code::k_internal;
}

std::string exit_codes_help() {
    constexpr std::size_t k_width = 100;
    std::string out;
    std::string line = "Exit codes:";
    const auto add = [&](const std::string& word) {
        if (line.size() + 1 + word.size() > k_width) {
            out += line + "\n";
            line = word;
        } else {
            line += " " + word;
        }
    };
    for (const auto& row : k_exit_codes) {
        const bool last = &row == std::end(k_exit_codes) - 1;
        add(fmt::format("{} {}{}", row.code, row.label, last ? "." : ","));
    }
    add("Run 'man blandhook' for more.");
    return out + line + "\n";
}

std::string exit_codes_markdown() {
    std::string out = "| code | meaning |\n|---|---|\n";
    for (const auto& row : k_exit_codes) {
        out += fmt::format("| {} | {} |\n", row.code, row.meaning);
    }
    return out;
}

} // namespace blandhook::cli
