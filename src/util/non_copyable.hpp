#pragma once
// A base for objects that own a thread, a socket, a child process or an open file: copying one
// would share or double-free what it owns, so copies are refused at compile time.

namespace blandhook::util {

/// Derive privately (`class Store : util::NonCopyable`): the class can then be neither copied nor
/// moved, as with its own `= delete` copy constructor and assignment.
class NonCopyable {
public:
    NonCopyable(const NonCopyable&) = delete;
    NonCopyable& operator=(const NonCopyable&) = delete;

protected:
    NonCopyable() = default;
    ~NonCopyable() = default;
};

} // namespace blandhook::util
