#include "util/uuid.hpp"

#include "util/hex.hpp"

#include <cstdint>
#include <random>

namespace blandhook::util {

std::string uuid_v4() {
    thread_local std::mt19937_64 generator{std::random_device{}()};
    std::uint64_t high = generator();
    std::uint64_t low = generator();
    high = (high & 0xffffffffffff0fffULL) | 0x0000000000004000ULL; // version 4
    low = (low & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;   // variant 10
    std::string out;
    out.reserve(36);
    for (int i = 0; i < 32; ++i) {
        const std::uint64_t word = i < 16 ? high : low;
        const int shift = 60 - 4 * (i % 16);
        out += k_hex_digits[(word >> shift) & 0xf];
        if (i == 7 || i == 11 || i == 15 || i == 19) {
            out += '-';
        }
    }
    return out;
}

} // namespace blandhook::util
