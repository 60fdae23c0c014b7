#include "emulator/time_zone.hpp"

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <vector>

namespace blandhook::emulator {
namespace {

// The parts of a TZif file (RFC 8536) a lookup needs.
struct Zone {
    std::vector<std::int64_t> transitions; // UTC seconds, ascending
    std::vector<std::uint8_t> indices;     // the local time type of each transition
    struct Type {
        std::int32_t offset;
        std::uint8_t abbreviation; // index into `names`
    };
    std::vector<Type> types;
    std::string names;
};

std::int64_t big_endian(const std::string& data, std::size_t at, int bytes) {
    std::uint64_t value = 0;
    for (int i = 0; i < bytes; ++i) {
        value =
            (value << 8) | static_cast<unsigned char>(data.at(at + static_cast<std::size_t>(i)));
    }
    if (bytes == 4) {
        return static_cast<std::int32_t>(static_cast<std::uint32_t>(value));
    }
    return static_cast<std::int64_t>(value);
}

// Parses one data block starting at `at` (a header "TZif" then data) with `time_bytes`-byte times.
// Returns the offset just past the block, or 0 when the file is damaged.
std::size_t parse_block(const std::string& data, std::size_t at, int time_bytes, Zone& zone) {
    if (data.size() < at + 44 || data.compare(at, 4, "TZif") != 0) {
        return 0;
    }
    const auto count = [&](std::size_t field) {
        return static_cast<std::size_t>(big_endian(data, at + 20 + field * 4, 4));
    };
    const std::size_t isutcnt = count(0), isstdcnt = count(1), leapcnt = count(2),
                      timecnt = count(3), typecnt = count(4), charcnt = count(5);
    const auto size = static_cast<std::size_t>(time_bytes);
    std::size_t p = at + 44;
    const std::size_t end = p + timecnt * size + timecnt + typecnt * 6 + charcnt +
                            leapcnt * (size + 4) + isstdcnt + isutcnt;
    if (typecnt == 0 || data.size() < end) {
        return 0;
    }
    zone = Zone{};
    for (std::size_t i = 0; i < timecnt; ++i, p += size) {
        zone.transitions.push_back(big_endian(data, p, time_bytes));
    }
    for (std::size_t i = 0; i < timecnt; ++i, ++p) {
        zone.indices.push_back(static_cast<std::uint8_t>(data[p]));
    }
    for (std::size_t i = 0; i < typecnt; ++i, p += 6) {
        zone.types.push_back({static_cast<std::int32_t>(big_endian(data, p, 4)),
                              static_cast<std::uint8_t>(data[p + 5])});
    }
    zone.names = data.substr(p, charcnt);
    for (auto index : zone.indices) {
        if (index >= typecnt) {
            return 0;
        }
    }
    return end;
}

std::optional<Zone> load(std::string_view name) {
    if (name.empty() || name.find("..") != std::string_view::npos || name.front() == '/') {
        return std::nullopt;
    }
    std::ifstream file(zoneinfo_dir() + "/" + std::string(name), std::ios::binary);
    if (!file) {
        return std::nullopt;
    }
    const std::string data((std::istreambuf_iterator<char>(file)),
                           std::istreambuf_iterator<char>());
    Zone zone;
    const std::size_t first = parse_block(data, 0, 4, zone);
    if (first == 0) {
        return std::nullopt;
    }
    // Version 2 and later repeat the data with 64-bit times after the first block.
    if (data.at(4) >= '2') {
        Zone wide;
        if (parse_block(data, first, 8, wide) != 0) {
            zone = std::move(wide);
        }
    }
    return zone;
}

} // namespace

std::string zoneinfo_dir() {
    const char* dir = std::getenv("TZDIR");
    return dir != nullptr && *dir != '\0' ? dir : "/usr/share/zoneinfo";
}

std::optional<ZoneOffset> zone_offset(std::string_view name,
                                      std::chrono::system_clock::time_point time) {
    static std::mutex mutex;
    static std::map<std::string, std::optional<Zone>, std::less<>> cache;
    std::lock_guard lock(mutex);
    auto it = cache.find(name);
    if (it == cache.end()) {
        it = cache.emplace(std::string(name), load(name)).first;
    }
    if (!it->second) {
        return std::nullopt;
    }
    const Zone& zone = *it->second;
    const std::int64_t seconds =
        std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
    // Before the first transition the first non-DST type applies; RFC 8536 says type 0.
    std::size_t type = 0;
    for (std::size_t i = 0; i < zone.transitions.size() && zone.transitions[i] <= seconds; ++i) {
        type = zone.indices[i];
    }
    const auto& chosen = zone.types.at(type);
    ZoneOffset out;
    out.offset = std::chrono::seconds(chosen.offset);
    const std::size_t start = chosen.abbreviation;
    out.abbreviation =
        start < zone.names.size() ? std::string(zone.names.c_str() + start) : std::string();
    return out;
}

} // namespace blandhook::emulator
