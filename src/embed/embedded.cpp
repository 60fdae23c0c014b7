#include "embed/embedded.hpp"

#include <algorithm>

namespace blandhook::embed {

std::optional<std::string_view> find(std::string_view name) {
    for (const auto& file : all_files()) {
        if (file.name == name) {
            return file.data;
        }
    }
    return std::nullopt;
}

std::vector<EmbeddedFile> with_prefix(std::string_view prefix) {
    std::vector<EmbeddedFile> out;
    for (const auto& file : all_files()) {
        if (file.name.starts_with(prefix)) {
            out.push_back(file);
        }
    }
    std::ranges::sort(out,
                      [](const EmbeddedFile& a, const EmbeddedFile& b) { return a.name < b.name; });
    return out;
}

} // namespace blandhook::embed
