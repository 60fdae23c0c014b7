#pragma once
// The capture store: the capture log on disk (NDJSON, one capture per line, append-only) plus a
// bounded in-memory cache of recent captures and an id -> offset index, so memory stays flat while
// the log grows to millions of captures. Each append writes its line with one writev() under the
// store's lock and returns only once it is written (acknowledged => on disk, in the OS page cache;
// see docs/capture-log.md for what that survives).
#include "capture/capture.hpp"
#include "util/non_copyable.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace blandhook::capture {

/// The default capture log: $XDG_STATE_HOME/blandhook/captures.ndjson, else
/// ~/.local/state/blandhook/captures.ndjson.
std::string default_log_path();

struct StoreOptions {
    std::string path; ///< the capture log; "" keeps captures in memory only (--no-save)
    /// Recent captures kept in memory (whole bodies) for get/list without reading the file; also
    /// the whole history when path is "" (older ones are forgotten then).
    std::size_t cache_bytes = 8u << 20;
    bool fsync = false; ///< fdatasync every batch (survives power loss; slower)
    /// Rotate the log into a numbered segment (PATH.1, PATH.2 …) before it grows past this many
    /// bytes; 0 never rotates. A line longer than this still goes in, alone in its segment.
    std::uint64_t max_log_bytes = 0;
    /// Compress rotated segments (gzip, on a thread of the store's own) into PATH.N.gz.
    bool compress_segments = true;
};

/// Selects captures for list(). Empty fields match everything.
struct Filter {
    std::string call_id; ///< a call_id or its beginning
    std::string kind;    ///< payload kind name
    std::string status;  ///< payload status ("completed", "failed" …)
    std::string method;
    int response_status = 0; ///< the answer's status, 0 = any
    std::string text;        ///< substring of path, query, headers or body, ignoring ASCII case
    std::string since; ///< received_at >= since (the log's form, see parse_when in search.hpp)
    std::string until; ///< received_at < until
    std::optional<std::uint64_t> after;  ///< ids > after
    std::optional<std::uint64_t> before; ///< ids < before
    std::size_t limit = 100;

    bool matches(const Capture& capture) const;
};

using Subscription = std::uint64_t;

class Store : util::NonCopyable {
public:
    /// Opens (creating it 0600, its directory 0700) or re-opens the log; the next id continues
    /// after the last one in it. Throws blandhook::Error (input) when it cannot.
    explicit Store(StoreOptions options);
    ~Store();

    /// Gives `capture` the next id, writes its line and returns once that line is written;
    /// subscribers are called (on this thread, after the write). Returns the id.
    /// Thread-safe; called concurrently by the listener's request threads. When the line cannot
    /// be written (a full disk) nothing of it stays in the log, no id is used, the capture counts
    /// as unsaved() and Error (internal) is thrown; the next append tries the disk again.
    std::uint64_t append(Capture& capture);
    /// The same without copying the capture: it is moved into the store and shared back.
    std::shared_ptr<const Capture> append(Capture&& capture);

    /// The capture with this id, from memory or the log.
    std::optional<Capture> get(std::uint64_t id) const;

    /// Matching captures, newest first, at most filter.limit.
    std::vector<Capture> list(const Filter& filter) const;

    /// Captures appended since open (not counting those already in the log).
    std::uint64_t appended() const;
    /// Why the last write to the log failed ("no space left on device"); "" while saving works.
    std::string save_error() const;
    /// Captures refused since open because their line could not be written.
    std::uint64_t unsaved() const;
    /// Calls `callback` when saving stops (with the reason) and when it works again (with ""),
    /// on the appending thread, outside the store's lock. One callback; a new one replaces it.
    void on_save_state(std::function<void(const std::string& error)> callback);
    /// Highest id in use (0 when none).
    std::uint64_t last_id() const;
    /// Ids currently readable (those in the log plus this run's).
    std::uint64_t size() const;
    const std::string& path() const { return m_options.path; }

    /// Calls `callback` with every capture appended from now on (on the appending thread, after
    /// its line is written; keep it short). Thread-safe.
    Subscription subscribe(std::function<void(const Capture&)> callback);
    void unsubscribe(Subscription subscription);

    /// Blocks until a capture appended from now on... or already appended since open satisfies
    /// `predicate`, or `timeout` passes. For `blandhook call --listen` and tests.
    std::optional<Capture> wait_for(const std::function<bool(const Capture&)>& predicate,
                                    std::chrono::milliseconds timeout);

private:
    void rotate_locked();
    // append(): writes the line of capture `id` (the text after its id) under `lock`; returns the
    // save error this write ended, if any; on failure unlocks and throws.
    std::string write_locked(std::uint64_t id, std::string_view rest,
                             std::unique_lock<std::mutex>& lock);
    // append(): puts the stored capture in the cache and hands it to the subscribers.
    std::shared_ptr<const Capture> publish(Capture&& capture);
    void start_compressor();

    struct Impl;
    StoreOptions m_options;
    std::unique_ptr<Impl> m_impl;
};

/// Reads a capture log line by line with bounded memory, calling `callback` for each capture in
/// file order; returning false from it stops. A malformed line is reported with its line number
/// (Error input) unless `on_bad_line` is given, which then gets (line number, message) and reading
/// goes on. A truncated last line (a crash mid-write) is skipped silently.
void read_log(const std::string& path, const std::function<bool(Capture&&)>& callback,
              const std::function<void(std::size_t, const std::string&)>& on_bad_line = {});

} // namespace blandhook::capture
