#include "cli/build_info.hpp"

#include <fmt/format.h>

namespace blandhook::cli {

std::string version_text() {
    const BuildInfo& info = build_info();
    // The first line stays "blandhook VERSION" for scripts that read only that.
    return fmt::format("blandhook {}\ncommit {}\nbuilt {}", info.version, info.commit, info.date);
}

} // namespace blandhook::cli
