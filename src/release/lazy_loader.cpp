// Lazy loading for the self-contained release binary (not part of blandhook_lib, nor of the
// binary that the tests and the Debian package use).
//
// Loading cpp-httplib's shared library costs about 4 ms at every start: the dynamic loader binds
// it, OpenSSL, zlib and brotli, and httplib's static initialiser initialises OpenSSL. Most runs
// (--version, --help, completions, fixtures, sign) need none of it. So the release binary does not
// link those libraries: cmake/lazy_stubs.cmake gives every function of theirs that blandhook calls
// a stub, and the stub's first call lands here, which loads the library, looks the function up and
// hands its address back for the stub to jump to and remember. An HTTP command pays the cost once,
// when it first uses HTTP; the others never do.
//
// The libraries come from lib/blandhook/ beside bin/ when the release archive has them there
// (their own RUNPATH, $ORIGIN, finds their dependencies there too), else from the system.

#include <dlfcn.h>
#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <mutex>
#include <string>

// The stubs' jump slots (generated assembly), one per entry of k_stubs.
extern "C" __attribute__((visibility("hidden"))) void* blandhook_lazy_slots[];

namespace {

struct Stub {
    const char* name; ///< the function's (mangled) symbol name
    int library;      ///< index into k_libraries
};

// Generated from the symbols blandhook_lib calls: {name, library}.
const Stub k_stubs[] = {
#include "lazy_stubs.inc"
};

// In the order cmake/lazy_stubs.cmake was given them (BLANDHOOK_LAZY_LIBRARIES).
const char* const k_libraries[] = {BLANDHOOK_LAZY_LIBRARIES};
constexpr std::size_t k_library_count = sizeof(k_libraries) / sizeof(k_libraries[0]);

std::once_flag g_loaded[k_library_count];
void* g_handles[k_library_count] = {};

// lib/blandhook/ beside the directory of this executable, "" when there is none.
std::string bundle_directory() {
    char path[4096];
    ssize_t length = readlink("/proc/self/exe", path, sizeof path - 1);
    if (length <= 0) {
        return {};
    }
    std::string exe(path, static_cast<std::size_t>(length));
    std::string bin = exe.substr(0, exe.rfind('/'));
    std::string bundle = bin.substr(0, bin.rfind('/')) + "/lib/blandhook";
    return access(bundle.c_str(), X_OK) == 0 ? bundle : std::string{};
}

[[noreturn]] void fail(const char* what, const char* detail) {
    // Below main's error handling (this runs inside any call into the library), so it reports
    // in the house format and leaves with the internal-error code itself.
    std::fprintf(stderr,
                 "blandhook: error: %s: %s\nhint: the release archive keeps its libraries in "
                 "lib/blandhook/ beside bin/; keep the two directories together\n",
                 what, detail);
    std::fflush(stderr);
    _exit(70); // exit_code::k_internal
}

void load(std::size_t library) {
    std::string bundle = bundle_directory();
    std::string path = k_libraries[library];
    if (!bundle.empty() && access((bundle + "/" + path).c_str(), R_OK) == 0) {
        path = bundle + "/" + path;
    }
    g_handles[library] = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (g_handles[library] == nullptr) {
        const char* error = dlerror();
        fail(("cannot load " + std::string(k_libraries[library])).c_str(),
             error != nullptr ? error : "unknown error");
    }
}

} // namespace

// Called by the generated trampoline with the stub's index; returns the function's address.
extern "C" void* blandhook_lazy_resolve(std::size_t index) {
    const Stub& stub = k_stubs[index];
    const auto library = static_cast<std::size_t>(stub.library);
    std::call_once(g_loaded[library], load, library);
    void* address = dlsym(g_handles[library], stub.name);
    if (address == nullptr) {
        fail(("cannot find " + std::string(stub.name)).c_str(), k_libraries[library]);
    }
    // Later calls jump straight there. Several threads may race to store the same value.
    __atomic_store_n(&blandhook_lazy_slots[index], address, __ATOMIC_RELEASE);
    return address;
}
