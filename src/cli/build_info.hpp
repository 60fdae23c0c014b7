#pragma once
// What `blandhook --version` reports: the release, the commit it was built from and when.
// Generated at build time by cmake/build_info.cmake (the date honours SOURCE_DATE_EPOCH).

#include <string>

namespace blandhook::cli {

struct BuildInfo {
    const char* version; ///< the project version, e.g. "0.1.0"
    const char*
        commit;       ///< abbreviated git commit, "-dirty" appended for local changes, or "unknown"
    const char* date; ///< ISO 8601 UTC: SOURCE_DATE_EPOCH, else the commit's date
};

/// The identity of this build.
const BuildInfo& build_info();

/// The text `--version` prints: "blandhook VERSION\ncommit: …\nbuilt: …".
std::string version_text();

} // namespace blandhook::cli
