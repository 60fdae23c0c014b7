#pragma once
// Local time in a named IANA zone ("America/Chicago") without touching the process's TZ: the
// zone's TZif file is read from the system's zoneinfo folder. GCC 12's <chrono> has no tzdb, and
// setenv("TZ") would race with every other thread.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace blandhook::emulator {

/// The UTC offset and abbreviation in force at one instant.
struct ZoneOffset {
    std::chrono::seconds offset{0};
    std::string abbreviation = "UTC";
};

/// The offset of `zone` at `time`; nullopt when the zone is unknown (no such TZif file, a name
/// with "..", a damaged file). Files are read once per zone and cached.
std::optional<ZoneOffset> zone_offset(std::string_view zone,
                                      std::chrono::system_clock::time_point time);

/// Where zone files are read from: $TZDIR, else /usr/share/zoneinfo.
std::string zoneinfo_dir();

} // namespace blandhook::emulator
