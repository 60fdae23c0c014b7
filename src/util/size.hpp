#pragma once
// Sizes on the command line ("10MiB", "512KiB", "64K", a bare number of bytes).
#include <cstddef>
#include <string_view>

namespace blandhook::util {

/// The largest size any option accepts (1 TiB).
constexpr std::size_t k_max_size = std::size_t{1} << 40;

/// Parses a size in bytes: a whole number with an optional unit B, K/KB/KiB, M/MB/MiB, G/GB/GiB
/// (all binary: K = 1024). Throws Error (usage) naming `what` for anything else, for 0, and for
/// more than k_max_size.
std::size_t parse_size(std::string_view text, std::string_view what);

} // namespace blandhook::util
