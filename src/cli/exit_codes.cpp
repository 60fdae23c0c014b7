#include "cli/exit_codes.hpp"

#include <algorithm>
#include <fmt/core.h>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace blandhook::cli {

int exit_code_for(ErrorKind kind) {
    for (const auto& row : k_exit_codes) {
        if (row.kind == kind) {
            return row.code;
        }
    }
    return exit_code::k_internal;
}

namespace {

// "Exit codes: WORD WORD …" wrapped at 100 columns: a word is never split.
std::string wrapped_paragraph(const std::vector<std::string>& words) {
    constexpr std::size_t k_width = 100;
    std::string out;
    std::string line = "Exit codes:";
    for (const std::string& word : words) {
        if (line.size() + 1 + word.size() > k_width) {
            out += line + "\n";
            line = word;
        } else {
            line += " " + word;
        }
    }
    return out + line + "\n";
}

// One entry a code, "0 ok," … "130 interrupted.", in the order of `rows`.
template <typename Rows, typename Meaning>
void add_codes(std::vector<std::string>& words, const Rows& rows, Meaning meaning) {
    for (const auto& row : rows) {
        const bool last = &row == std::end(rows) - 1;
        words.push_back(fmt::format("{} {}{}", row.code, meaning(row), last ? "." : ","));
    }
}

} // namespace

std::string exit_codes_help() {
    std::vector<std::string> words;
    add_codes(words, k_exit_codes, [](const ExitCodeRow& row) { return row.label; });
    words.emplace_back("Run 'man blandhook' for more.");
    return wrapped_paragraph(words);
}

std::string command_exit_codes_help(std::initializer_list<CommandExitCode> codes,
                                    std::string_view after) {
    for (const CommandExitCode& code : codes) {
        if (std::ranges::none_of(k_exit_codes,
                                 [&](const ExitCodeRow& row) { return row.code == code.code; })) {
            throw std::logic_error(fmt::format("exit code {} is not in k_exit_codes", code.code));
        }
    }
    // Meanings are sentences: they wrap between words, as prose does.
    std::vector<std::string> entries;
    add_codes(entries, codes, [](const CommandExitCode& code) { return code.meaning; });
    if (!after.empty()) {
        entries.emplace_back(after);
    }
    std::vector<std::string> words;
    for (const std::string& entry : entries) {
        std::istringstream split(entry);
        for (std::string word; split >> word;) {
            words.push_back(std::move(word));
        }
    }
    return wrapped_paragraph(words);
}

std::string exit_codes_markdown() {
    std::string out = "| code | meaning |\n|---|---|\n";
    for (const auto& row : k_exit_codes) {
        out += fmt::format("| {} | {} |\n", row.code, row.meaning);
    }
    return out;
}

} // namespace blandhook::cli
