#pragma once
// Files compiled into the binary by cmake/embed.cmake: fixtures/NAME.json, schemas/KIND.json and
// inspector/ASSET. The table is generated at build time; nothing is read from disk at run time.
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace blandhook::embed {

struct EmbeddedFile {
    std::string_view name;
    std::string_view data;
};

/// Every embedded file, in the order of the generator's input (sorted by path).
std::span<const EmbeddedFile> all_files();

/// The file named exactly `name` (for example "fixtures/completed-outbound.json"), if embedded.
std::optional<std::string_view> find(std::string_view name);

/// The embedded files whose names start with `prefix`, in name order.
std::vector<EmbeddedFile> with_prefix(std::string_view prefix);

} // namespace blandhook::embed
