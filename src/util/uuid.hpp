#pragma once
// Random identifiers in the shape Bland gives call ids.
#include <string>

namespace blandhook::util {

/// A new random UUID version 4 (RFC 9562), lowercase: "xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx".
/// Not for secrets: the generator is seeded once per thread from std::random_device.
std::string uuid_v4();

} // namespace blandhook::util
