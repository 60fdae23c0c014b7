#include "capture/store.hpp"

#include "capture/history.hpp"
#include "capture/segments.hpp"
#include "error.hpp"
#include "util/files.hpp"
#include "util/non_copyable.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <mutex>
#include <shared_mutex>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <thread>
#include <unistd.h>
#include <utility>

namespace blandhook::capture {
namespace {

constexpr std::uint64_t k_no_offset = std::numeric_limits<std::uint64_t>::max();

std::string errno_text() {
    return std::strerror(errno);
}

// mkdir -p with 0700 for the directories we create (existing ones are left as they are).
void make_private_dirs(const std::string& path) {
    const std::size_t slash = path.find_last_of('/');
    if (slash == std::string::npos || slash == 0) {
        return;
    }
    const std::string dir = path.substr(0, slash);
    struct stat info {};
    if (::stat(dir.c_str(), &info) == 0) {
        return;
    }
    make_private_dirs(dir);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        throw Error(ErrorKind::input, "capture log", "cannot create " + dir + ": " + errno_text(),
                    "choose another place with --log PATH, or --no-log");
    }
}

// Writes every byte of `parts`, in order, with as few writev calls as the kernel allows; "" or
// the reason it could not.
std::string write_all(int fd, std::initializer_list<std::string_view> parts) {
    iovec vectors[4];
    int count = 0;
    for (std::string_view part : parts) {
        if (!part.empty()) {
            vectors[count++] = {const_cast<char*>(part.data()), part.size()};
        }
    }
    iovec* next = vectors;
    while (count > 0) {
        const ssize_t n = ::writev(fd, next, count);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return n == 0 ? std::string("no progress") : errno_text();
        }
        auto done = static_cast<std::size_t>(n);
        while (count > 0 && done >= next->iov_len) {
            done -= next->iov_len;
            ++next;
            --count;
        }
        if (count > 0) {
            next->iov_base = static_cast<char*>(next->iov_base) + done;
            next->iov_len -= done;
        }
    }
    return {};
}

// Tells the CPU that this is a spin-wait loop.
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
}

// Reads up to `limit` bytes at `offset` (fewer at the end of the file).
std::string read_at(int fd, std::uint64_t offset, std::size_t limit) {
    std::string bytes;
    util::read_at(fd, offset, limit, bytes); // a failed read leaves what came before it
    return bytes;
}

// Refuses (closing `fd`, changing nothing) a file that is not a capture log: its first line must
// be a capture, and the bytes after the last whole line (`complete` .. `size`, a line torn by a
// crash) must be the start of one. Every line blandhook writes starts {"id":, so a torn one does
// too, or is a shorter piece of that start.
void refuse_unless_capture_log(int fd, const std::string& path, std::uint64_t complete,
                               std::uint64_t size) {
    const auto refuse = [&](const std::string& why) {
        ::close(fd);
        throw Error(ErrorKind::input, "capture log", path + " " + why,
                    "give a new file (or an existing capture log) with --log PATH; the file "
                    "was not changed");
    };
    constexpr std::string_view k_line_start = "{\"id\":";
    if (complete > 0) {
        // The first line only, read a piece at a time (the log may hold gigabytes).
        std::string first;
        for (std::size_t newline = std::string::npos; newline == std::string::npos;) {
            const std::size_t had = first.size();
            first += read_at(fd, had, std::size_t{1} << 16);
            newline = first.find('\n', had);
            if (newline != std::string::npos) {
                first.resize(newline);
            } else if (first.size() == had) {
                break;
            }
        }
        try {
            (void)from_json_line(first);
        } catch (const Error&) {
            refuse("is not a capture log (its first line is not a capture)");
        }
    }
    if (size > complete) {
        const std::string torn =
            read_at(fd, complete, std::min<std::uint64_t>(size - complete, k_line_start.size()));
        const bool capture_start = torn == k_line_start;
        const bool cut_early = complete > 0 && k_line_start.starts_with(torn);
        if (!capture_start && !cut_early) {
            refuse(complete == 0 ? "is not a capture log (its first line is not a capture)"
                                 : "ends with a line that is not a capture and has no line break");
        }
    }
}

} // namespace

std::string default_log_path() {
    if (const char* state = std::getenv("XDG_STATE_HOME"); state != nullptr && *state == '/') {
        return std::string(state) + "/blandhook/captures.ndjson";
    }
    if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
        return std::string(home) + "/.local/state/blandhook/captures.ndjson";
    }
    return ".blandhook/captures.ndjson";
}

bool Filter::matches(const Capture& capture) const {
    if (after && capture.id <= *after) {
        return false;
    }
    if (before && capture.id >= *before) {
        return false;
    }
    if (!call_id.empty() && !capture.payload.call_id.starts_with(call_id)) {
        return false;
    }
    if (!kind.empty() && capture.payload.kind != kind) {
        return false;
    }
    if (!status.empty() && capture.payload.status != status) {
        return false;
    }
    if (!method.empty() && capture.method != method) {
        return false;
    }
    if (response_status != 0 && capture.response_status != response_status) {
        return false;
    }
    // The times have one fixed-width form (2026-11-27T10:06:04.123Z): text order is time order.
    if (!since.empty() && capture.received_at < since) {
        return false;
    }
    if (!until.empty() && capture.received_at >= until) {
        return false;
    }
    if (!text.empty()) {
        bool found = util::icontains_ascii(capture.path, text) ||
                     util::icontains_ascii(capture.query, text) ||
                     util::icontains_ascii(capture.body, text);
        for (const Header& header : capture.headers) {
            found = found || util::icontains_ascii(header.name, text) ||
                    util::icontains_ascii(header.value, text);
        }
        if (!found) {
            return false;
        }
    }
    return true;
}

// A file descriptor closed by its last owner: a reader keeps the active log's open across a
// rotation that replaces it.
struct FileHandle : private util::NonCopyable {
    int fd = -1;
    explicit FileHandle(int descriptor) : fd(descriptor) {}
    ~FileHandle() {
        if (fd >= 0) {
            ::close(fd);
        }
    }
};

struct Store::Impl {
    int write_fd = -1;
    std::shared_ptr<const FileHandle> reader; ///< the active log, for this run's lines

    // Rotated segments wait here to be compressed by a thread of their own, off the hot path.
    std::mutex compress_mutex;
    std::condition_variable compress_wake;
    std::deque<std::string> to_compress;
    bool stopping = false;
    std::thread compressor;

    // Guards the file's end, the ids and the index; held across each line's write.
    std::mutex mutex;
    std::string save_error;    ///< why the last write failed; "" while saving works
    std::uint64_t unsaved = 0; ///< captures refused because their line could not be written
    std::function<void(const std::string&)> on_save_state; ///< told when save_error changes
    std::uint64_t end_offset = 0;  ///< where the next appended byte lands in the file
    std::uint64_t written_end = 0; ///< bytes of the file that are written (readable)

    std::uint64_t first_id = 0; ///< id of offsets[0]
    std::uint64_t last_id = 0;
    std::uint64_t opened_last_id = 0;
    std::uint64_t appended = 0;
    std::deque<std::uint64_t> offsets; ///< this run's lines, by id - first_id; k_no_offset for gaps

    // Recent captures, contiguous ids, bounded by bytes.
    mutable std::mutex cache_mutex;
    std::deque<std::shared_ptr<const Capture>> cache;
    std::size_t cache_bytes = 0;

    std::mutex subscribers_mutex;
    std::shared_ptr<const std::vector<std::pair<Subscription, std::function<void(const Capture&)>>>>
        subscribers = std::make_shared<
            std::vector<std::pair<Subscription, std::function<void(const Capture&)>>>>();
    Subscription next_subscription = 1;

    void index(std::uint64_t id, std::uint64_t offset) {
        if (offsets.empty()) {
            first_id = id;
        }
        if (id < first_id + offsets.size()) {
            return; // a repeated or out-of-order id (concatenated logs): the first one wins
        }
        while (first_id + offsets.size() < id) {
            offsets.push_back(k_no_offset);
        }
        offsets.push_back(offset);
    }

    std::uint64_t offset_of(std::uint64_t id) const {
        if (offsets.empty() || id < first_id || id - first_id >= offsets.size()) {
            return k_no_offset;
        }
        return offsets[id - first_id];
    }

    static std::size_t cost(const Capture& capture) {
        return sizeof(Capture) + capture.body.size() + capture.path.size() + capture.query.size() +
               capture.headers.size() * 64 + capture.payload.findings.size() * 96;
    }
};

Store::Store(StoreOptions options)
    : m_options(std::move(options)), m_impl(std::make_unique<Impl>()) {
    if (m_options.path.empty()) {
        return;
    }
    const std::string& path = m_options.path;
    make_private_dirs(path);
    // O_NOFOLLOW: a symbolic link planted where the log goes must not redirect captures (and
    // their phone numbers and transcripts) into another file, nor append to its target.
    m_impl->write_fd =
        ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (m_impl->write_fd < 0) {
        if (errno == ELOOP) {
            throw Error(ErrorKind::input, "capture log",
                        path + " is a symbolic link; blandhook does not follow links for its log",
                        "give the file itself with --log PATH");
        }
        throw Error(ErrorKind::input, "capture log", "cannot open " + path + ": " + errno_text(),
                    "choose another place with --log PATH, or --no-log");
    }
    struct stat info {};
    if (::fstat(m_impl->write_fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        ::close(m_impl->write_fd);
        throw Error(ErrorKind::input, "capture log", path + " is not a regular file",
                    "give a file path with --log PATH, or --no-log to keep captures in memory");
    }
    if (::flock(m_impl->write_fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(m_impl->write_fd);
        throw Error(ErrorKind::input, "capture log",
                    path + " is in use by another blandhook listen",
                    "give this one its own log with --log PATH, or --no-log");
    }
    // The same open file, for reading by offset: no second lookup of the path (which a link
    // planted after the O_NOFOLLOW open could redirect).
    m_impl->reader = std::make_shared<const FileHandle>(::dup(m_impl->write_fd));

    // The file must be a capture log: anything else is left as it is and refused. A last line cut
    // short by a crash is removed so that the next line starts clean (nothing half-written
    // survives a restart); nothing else is ever removed. Only the first line and the torn tail are
    // read: the history is read on demand from its end (history.hpp), so opening costs the same
    // for ten captures or ten million.
    const auto size = static_cast<std::uint64_t>(info.st_size);
    const std::uint64_t complete = complete_end(m_impl->write_fd, size);
    refuse_unless_capture_log(m_impl->write_fd, path, complete, size);
    if (size > complete && ::ftruncate(m_impl->write_fd, static_cast<off_t>(complete)) != 0) {
        throw Error(ErrorKind::input, "capture log",
                    "cannot remove a torn last line from " + path + ": " + errno_text());
    }
    const History history(path);
    m_impl->last_id = history.last_id().value_or(0);
    m_impl->end_offset = complete;
    m_impl->written_end = complete;
    m_impl->opened_last_id = m_impl->last_id;
    if (m_options.compress_segments && m_options.max_log_bytes > 0) {
        start_compressor();
    }
}

Store::~Store() {
    if (m_impl->compressor.joinable()) {
        {
            std::lock_guard lock(m_impl->compress_mutex);
            m_impl->stopping = true;
        }
        m_impl->compress_wake.notify_all();
        m_impl->compressor.join();
    }
    if (m_impl->write_fd >= 0) {
        ::close(m_impl->write_fd);
    }
}

void Store::start_compressor() {
    // Segments a previous run rotated but did not get to compress are compressed now.
    for (const Segment& segment : list_segments(m_options.path)) {
        if (segment.number > 0 && !segment.compressed) {
            m_impl->to_compress.push_back(segment.path);
        }
    }
    m_impl->compressor = std::thread([impl = m_impl.get()] {
        std::unique_lock lock(impl->compress_mutex);
        while (true) {
            impl->compress_wake.wait(lock,
                                     [&] { return impl->stopping || !impl->to_compress.empty(); });
            if (impl->stopping) {
                return; // the rest is compressed by the next run
            }
            const std::string path = impl->to_compress.front();
            impl->to_compress.pop_front();
            lock.unlock();
            try {
                compress_segment(path);
            } catch (const Error&) { // NOLINT(bugprone-empty-catch): nothing is lost
                // Left uncompressed: readers read it as it is, a later run tries again.
            }
            lock.lock();
        }
    });
}

void Store::rotate_locked() {
    Impl& impl = *m_impl;
    const std::string& path = m_options.path;
    const std::string rotated = segment_path(path, next_segment_number(path), false);
    // The full log is renamed (atomic: a reader sees it under one name or the other, with every
    // line) before a fresh one takes its place; the lines in it stay where readers look.
    if (::rename(path.c_str(), rotated.c_str()) != 0) {
        return; // the log keeps growing; the next append tries again
    }
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0 || ::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        // Lines keep going to the renamed file (its descriptor is still open): nothing is lost.
        if (fd >= 0) {
            ::close(fd);
        }
        return;
    }
    ::close(impl.write_fd);
    impl.write_fd = fd;
    impl.reader = std::make_shared<const FileHandle>(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    impl.offsets.clear(); // they point into the rotated file: the history reads those lines now
    impl.end_offset = 0;
    impl.written_end = 0;
    if (m_options.compress_segments) {
        {
            std::lock_guard lock(impl.compress_mutex);
            impl.to_compress.push_back(rotated);
        }
        impl.compress_wake.notify_one();
    }
}

std::uint64_t Store::append(Capture& capture) {
    Capture copy = capture;
    const std::shared_ptr<const Capture> stored = append(std::move(copy));
    capture.id = stored->id;
    return stored->id;
}

namespace {

// The lock is held for one writev, a few microseconds for a webhook: a thread that finds it
// taken spins for up to 20 us before sleeping, as sleeping and being woken by the scheduler
// costs the listener's event loops more than such a wait.
void lock_spinning(std::unique_lock<std::mutex>& lock) {
    if (lock.try_lock()) {
        return;
    }
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::microseconds(20);
    for (int spin = 1; !lock.try_lock(); ++spin) {
        if (spin % 32 == 0 && std::chrono::steady_clock::now() > give_up) {
            lock.lock();
            return;
        }
        cpu_relax();
    }
}

} // namespace

std::shared_ptr<const Capture> Store::append(Capture&& capture) {
    Impl& impl = *m_impl;
    // Serialise outside the lock, into this thread's reused buffer, with a placeholder id; the
    // real id is written in front of the rest under the lock, so that ids and file order agree.
    thread_local std::string line;
    line.clear();
    capture.id = 0;
    if (impl.write_fd >= 0) {
        append_json_line(line, capture);
        line.push_back('\n');
    }
    constexpr std::size_t k_placeholder = sizeof("{\"id\":0") - 1;
    const std::string_view rest =
        impl.write_fd >= 0 ? std::string_view(line).substr(k_placeholder) : std::string_view();

    std::unique_lock lock(impl.mutex, std::defer_lock);
    lock_spinning(lock);
    const std::uint64_t id = impl.last_id + 1;
    capture.id = id;
    std::string resumed; ///< the error that ended, when this write ends it
    if (impl.write_fd >= 0) {
        resumed = write_locked(id, rest, lock);
    }
    impl.last_id = id;
    ++impl.appended;
    const auto notify = resumed.empty() ? nullptr : impl.on_save_state;
    lock.unlock();
    if (notify) {
        notify("");
    }
    if (line.capacity() > (1u << 20)) {
        std::string().swap(line); // a huge body must not pin memory on every request thread
    }
    return publish(std::move(capture));
}

std::string Store::write_locked(std::uint64_t id, std::string_view rest,
                                std::unique_lock<std::mutex>& lock) {
    Impl& impl = *m_impl;
    // One writev per capture, under the lock: a line is in the file (the page cache) before
    // append returns, lines never interleave, and nobody waits on a condition variable.
    char prefix[32];
    const int prefix_size =
        std::snprintf(prefix, sizeof prefix, "{\"id\":%llu", static_cast<unsigned long long>(id));
    if (m_options.max_log_bytes > 0 && impl.end_offset > 0 &&
        impl.end_offset + static_cast<std::uint64_t>(prefix_size) + rest.size() >
            m_options.max_log_bytes) {
        rotate_locked();
    }
    std::string error = write_all(impl.write_fd, {std::string_view(prefix, prefix_size), rest});
    if (error.empty() && m_options.fsync && ::fdatasync(impl.write_fd) != 0) {
        error = errno_text();
    }
    if (!error.empty()) {
        // Nothing of the line may stay (the next line would continue a torn one), and the
        // id is not used: ids and counts stay those of the lines in the log. Every later
        // append tries again, so saving resumes by itself once the disk has room.
        [[maybe_unused]] const int cut =
            ::ftruncate(impl.write_fd, static_cast<off_t>(impl.end_offset));
        ++impl.unsaved;
        error[0] = util::to_lower_ascii(error[0]);
        const bool changed = impl.save_error != error;
        impl.save_error = error;
        const auto notify = impl.on_save_state;
        lock.unlock();
        if (changed && notify) {
            notify(error);
        }
        throw Error(ErrorKind::internal, "capture log",
                    "cannot write to " + m_options.path + ": " + error,
                    "free some disk space or choose another log with --log PATH");
    }
    impl.index(id, impl.end_offset);
    impl.end_offset += static_cast<std::uint64_t>(prefix_size) + rest.size();
    impl.written_end = impl.end_offset;
    return std::exchange(impl.save_error, std::string());
}

std::shared_ptr<const Capture> Store::publish(Capture&& capture) {
    Impl& impl = *m_impl;
    auto shared = std::make_shared<const Capture>(std::move(capture));
    {
        std::lock_guard cache_lock(impl.cache_mutex);
        impl.cache_bytes += Impl::cost(*shared);
        impl.cache.push_back(shared);
        while (impl.cache.size() > 1 && impl.cache_bytes > m_options.cache_bytes) {
            impl.cache_bytes -= Impl::cost(*impl.cache.front());
            impl.cache.pop_front();
        }
    }

    std::shared_ptr<const std::vector<std::pair<Subscription, std::function<void(const Capture&)>>>>
        subscribers;
    {
        std::lock_guard subscribers_lock(impl.subscribers_mutex);
        subscribers = impl.subscribers;
    }
    for (const auto& [subscription, callback] : *subscribers) {
        callback(*shared);
    }
    return shared;
}

std::optional<Capture> Store::get(std::uint64_t id) const {
    const Impl& impl = *m_impl;
    {
        std::lock_guard cache_lock(impl.cache_mutex);
        if (!impl.cache.empty() && id >= impl.cache.front()->id && id <= impl.cache.back()->id) {
            const auto& entry = impl.cache[id - impl.cache.front()->id];
            if (entry->id == id) {
                return *entry;
            }
        }
    }
    std::uint64_t offset = 0;
    std::uint64_t end = 0;
    std::shared_ptr<const FileHandle> reader;
    {
        std::lock_guard lock(m_impl->mutex);
        reader = impl.reader;
        offset = impl.offset_of(id);
        if (offset != k_no_offset && offset < impl.written_end) {
            end = impl.written_end;
            for (std::uint64_t next = id + 1; next <= impl.last_id; ++next) {
                const std::uint64_t next_offset = impl.offset_of(next);
                if (next_offset != k_no_offset) {
                    end = std::min(end, next_offset);
                    break;
                }
            }
        }
    }
    if (!reader || reader->fd < 0) {
        return std::nullopt;
    }
    if (end <= offset) {
        // Not appended by this run (or rotated out since): the history finds it.
        return History(m_options.path).get(id);
    }
    std::string line(end - offset, '\0');
    std::size_t done = 0;
    while (done < line.size()) {
        const ssize_t n = ::pread(reader->fd, line.data() + done, line.size() - done,
                                  static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return std::nullopt;
        }
        done += static_cast<std::size_t>(n);
    }
    const std::size_t newline = line.find('\n');
    if (newline != std::string::npos) {
        line.resize(newline);
    }
    try {
        Capture capture = from_json_line(line);
        if (capture.id == id) {
            return capture;
        }
    } catch (const Error&) {
        return std::nullopt; // a torn or foreign line holds no capture with this id
    }
    return std::nullopt;
}

std::vector<Capture> Store::list(const Filter& filter) const {
    if (m_impl->write_fd >= 0) {
        return History(m_options.path).newest(filter); // the whole history, from its end
    }
    // --no-log: the cache is all there is.
    std::vector<Capture> found;
    std::lock_guard cache_lock(m_impl->cache_mutex);
    for (auto it = m_impl->cache.rbegin();
         it != m_impl->cache.rend() && found.size() < filter.limit; ++it) {
        if (filter.matches(**it)) {
            found.push_back(**it);
        }
    }
    return found;
}

namespace {

// A copy of one field of a store's state, read under the state's mutex.
template <typename Impl, typename Field> Field read_locked(Impl& impl, Field Impl::*field) {
    std::lock_guard lock(impl.mutex);
    return impl.*field;
}

} // namespace

std::string Store::save_error() const {
    return read_locked(*m_impl, &Impl::save_error);
}

std::uint64_t Store::unsaved() const {
    return read_locked(*m_impl, &Impl::unsaved);
}

void Store::on_save_state(std::function<void(const std::string& error)> callback) {
    std::lock_guard lock(m_impl->mutex);
    m_impl->on_save_state = std::move(callback);
}

std::uint64_t Store::appended() const {
    return read_locked(*m_impl, &Impl::appended);
}

std::uint64_t Store::last_id() const {
    return read_locked(*m_impl, &Impl::last_id);
}

std::uint64_t Store::size() const {
    std::unique_lock lock(m_impl->mutex);
    if (m_impl->write_fd >= 0) {
        // Ids are dense from the oldest kept to the newest, so their span counts the captures
        // without reading them. The oldest is read from the log as it is now (its file list and
        // one line), not remembered from opening it: `captures prune` may have removed older
        // segments while this store runs.
        const std::uint64_t last = m_impl->last_id;
        lock.unlock();
        const std::uint64_t first = History(m_options.path).first_id().value_or(last + 1);
        return last >= first ? last - first + 1 : 0;
    }
    std::lock_guard cache_lock(m_impl->cache_mutex);
    return m_impl->cache.size();
}

Subscription Store::subscribe(std::function<void(const Capture&)> callback) {
    std::lock_guard lock(m_impl->subscribers_mutex);
    auto next =
        std::make_shared<std::vector<std::pair<Subscription, std::function<void(const Capture&)>>>>(
            *m_impl->subscribers);
    const Subscription subscription = m_impl->next_subscription++;
    next->emplace_back(subscription, std::move(callback));
    m_impl->subscribers = std::move(next);
    return subscription;
}

void Store::unsubscribe(Subscription subscription) {
    std::lock_guard lock(m_impl->subscribers_mutex);
    auto next =
        std::make_shared<std::vector<std::pair<Subscription, std::function<void(const Capture&)>>>>(
            *m_impl->subscribers);
    std::erase_if(*next, [&](const auto& entry) { return entry.first == subscription; });
    m_impl->subscribers = std::move(next);
}

std::optional<Capture> Store::wait_for(const std::function<bool(const Capture&)>& predicate,
                                       std::chrono::milliseconds timeout) {
    struct Waiter {
        std::mutex mutex;
        std::condition_variable cv;
        std::optional<Capture> found;
        std::function<bool(const Capture&)> predicate;
    };
    auto waiter = std::make_shared<Waiter>();
    // The callback may still run on an appending thread after this returns: it owns everything
    // it touches through `waiter`.
    waiter->predicate = predicate;
    // Subscribe first, then look at what already came, so that nothing slips between the two.
    const Subscription subscription = subscribe([waiter](const Capture& capture) {
        std::lock_guard lock(waiter->mutex);
        if (!waiter->found && waiter->predicate(capture)) {
            waiter->found = capture;
            waiter->cv.notify_all();
        }
    });
    std::vector<std::shared_ptr<const Capture>> recent;
    {
        std::lock_guard cache_lock(m_impl->cache_mutex);
        recent.assign(m_impl->cache.begin(), m_impl->cache.end());
    }
    const std::uint64_t opened = m_impl->opened_last_id;
    std::optional<Capture> result;
    for (const auto& capture : recent) {
        if (capture->id > opened && predicate(*capture)) {
            result = *capture;
            break;
        }
    }
    if (!result) {
        std::unique_lock lock(waiter->mutex);
        waiter->cv.wait_for(lock, timeout, [&] { return waiter->found.has_value(); });
        result = waiter->found;
    }
    unsubscribe(subscription);
    return result;
}

void read_log(const std::string& path, const std::function<bool(Capture&&)>& callback,
              const std::function<void(std::size_t, const std::string&)>& on_bad_line) {
    std::ifstream in(path, std::ios::binary);
    struct stat info {};
    if (!in || (::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode))) {
        throw Error(ErrorKind::input, "capture log",
                    "cannot open " + path + ": " +
                        (in ? std::string("it is a directory, not a file") : errno_text()),
                    "run 'blandhook listen' first, or name the log with --log PATH");
    }
    std::string line;
    std::size_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        const bool last_without_newline = in.eof();
        if (line.empty()) {
            continue;
        }
        Capture capture;
        try {
            capture = from_json_line(line);
        } catch (const Error& error) {
            if (last_without_newline) {
                return; // torn by a crash mid-write
            }
            if (on_bad_line) {
                on_bad_line(number, error.detail());
                continue;
            }
            throw Error(ErrorKind::input, "capture log",
                        path + ":" + std::to_string(number) + ": " + error.detail());
        }
        if (!callback(std::move(capture))) {
            return;
        }
    }
}

} // namespace blandhook::capture
