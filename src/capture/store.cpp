#include "capture/store.hpp"

#include "error.hpp"

#include <algorithm>
#include <cctype>
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
                    "choose another place with --save PATH, or --no-save");
    }
}

// The id of a log line without parsing all of it: every line blandhook writes starts {"id":N,
std::optional<std::uint64_t> quick_id(std::string_view line) {
    constexpr std::string_view k_prefix = "{\"id\":";
    if (line.substr(0, k_prefix.size()) != k_prefix) {
        return std::nullopt;
    }
    std::uint64_t id = 0;
    std::size_t i = k_prefix.size();
    bool digits = false;
    for (; i < line.size() && line[i] >= '0' && line[i] <= '9'; ++i) {
        id = id * 10 + static_cast<std::uint64_t>(line[i] - '0');
        digits = true;
    }
    if (!digits || i >= line.size() || line[i] != ',') {
        return std::nullopt;
    }
    return id;
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

// ASCII case-insensitive substring search (the filters' free text: "Bearer" finds "bearer").
bool contains(std::string_view haystack, std::string_view needle) {
    const auto lower = [](char c) {
        return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    };
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                       [&](char a, char b) { return lower(a) == lower(b); }) != haystack.end();
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
    if (!call_id.empty() && capture.payload.call_id.compare(0, call_id.size(), call_id) != 0) {
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
    if (!text.empty()) {
        bool found = contains(capture.path, text) || contains(capture.query, text) ||
                     contains(capture.body, text);
        for (const Header& header : capture.headers) {
            found = found || contains(header.name, text) || contains(header.value, text);
        }
        if (!found) {
            return false;
        }
    }
    return true;
}

struct Store::Impl {
    int write_fd = -1;
    int read_fd = -1;

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
    std::deque<std::uint64_t> offsets; ///< by id - first_id; k_no_offset for gaps
    std::uint64_t indexed = 0;

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
        ++indexed;
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
    m_impl->write_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (m_impl->write_fd < 0) {
        throw Error(ErrorKind::input, "capture log", "cannot open " + path + ": " + errno_text(),
                    "choose another place with --save PATH, or --no-save");
    }
    if (::flock(m_impl->write_fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(m_impl->write_fd);
        throw Error(ErrorKind::input, "capture log",
                    path + " is in use by another blandhook listen",
                    "give this one its own log with --save PATH, or --no-save");
    }
    m_impl->read_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);

    // Index what is already there; a line cut short by a crash is removed so that the next line
    // starts clean (nothing half-written survives a restart).
    std::uint64_t offset = 0;
    std::uint64_t complete_end = 0;
    {
        std::ifstream in(path, std::ios::binary);
        std::string line;
        while (std::getline(in, line)) {
            const std::uint64_t line_offset = offset;
            offset += line.size() + 1;
            if (in.eof()) {
                break; // no newline: a torn last line
            }
            complete_end = offset;
            std::optional<std::uint64_t> id = quick_id(line);
            if (!id) {
                try {
                    id = from_json_line(line).id;
                } catch (const Error&) {
                    continue;
                }
            }
            m_impl->index(*id, line_offset);
            m_impl->last_id = std::max(m_impl->last_id, *id);
        }
    }
    struct stat info {};
    if (::fstat(m_impl->write_fd, &info) == 0 &&
        static_cast<std::uint64_t>(info.st_size) > complete_end) {
        if (::ftruncate(m_impl->write_fd, static_cast<off_t>(complete_end)) != 0) {
            throw Error(ErrorKind::input, "capture log",
                        "cannot remove a torn last line from " + path + ": " + errno_text());
        }
    }
    m_impl->end_offset = complete_end;
    m_impl->written_end = complete_end;
    m_impl->opened_last_id = m_impl->last_id;
}

Store::~Store() {
    if (m_impl->write_fd >= 0) {
        ::close(m_impl->write_fd);
    }
    if (m_impl->read_fd >= 0) {
        ::close(m_impl->read_fd);
    }
}

std::uint64_t Store::append(Capture& capture) {
    Capture copy = capture;
    const std::shared_ptr<const Capture> stored = append(std::move(copy));
    capture.id = stored->id;
    return stored->id;
}

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

    // The lock is held for one writev, a few microseconds for a webhook: a thread that finds it
    // taken spins for up to 20 us before sleeping, as sleeping and being woken by the scheduler
    // costs the listener's event loops more than such a wait.
    std::unique_lock lock(impl.mutex, std::defer_lock);
    if (!lock.try_lock()) {
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::microseconds(20);
        for (int spin = 1; !lock.try_lock(); ++spin) {
            if (spin % 32 == 0 && std::chrono::steady_clock::now() > give_up) {
                lock.lock();
                break;
            }
            cpu_relax();
        }
    }
    const std::uint64_t id = impl.last_id + 1;
    capture.id = id;
    std::string resumed; ///< the error that ended, when this write ends it
    if (impl.write_fd >= 0) {
        // One writev per capture, under the lock: a line is in the file (the page cache) before
        // append returns, lines never interleave, and nobody waits on a condition variable.
        char prefix[32];
        const int prefix_size = std::snprintf(prefix, sizeof prefix, "{\"id\":%llu",
                                              static_cast<unsigned long long>(id));
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
            error[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(error[0])));
            const bool changed = impl.save_error != error;
            impl.save_error = error;
            const auto notify = impl.on_save_state;
            lock.unlock();
            if (changed && notify) {
                notify(error);
            }
            throw Error(ErrorKind::internal, "capture log",
                        "cannot write to " + m_options.path + ": " + error,
                        "free some disk space or choose another log with --save PATH");
        }
        impl.index(id, impl.end_offset);
        impl.end_offset += static_cast<std::uint64_t>(prefix_size) + rest.size();
        impl.written_end = impl.end_offset;
        resumed = std::exchange(impl.save_error, std::string());
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
    {
        std::lock_guard lock(m_impl->mutex);
        offset = impl.offset_of(id);
        if (offset == k_no_offset || offset >= impl.written_end) {
            return std::nullopt;
        }
        end = impl.written_end;
        for (std::uint64_t next = id + 1; next <= impl.last_id; ++next) {
            const std::uint64_t next_offset = impl.offset_of(next);
            if (next_offset != k_no_offset) {
                end = std::min(end, next_offset);
                break;
            }
        }
    }
    if (impl.read_fd < 0 || end <= offset) {
        return std::nullopt;
    }
    std::string line(end - offset, '\0');
    std::size_t done = 0;
    while (done < line.size()) {
        const ssize_t n = ::pread(impl.read_fd, line.data() + done, line.size() - done,
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
    }
    return std::nullopt;
}

std::vector<Capture> Store::list(const Filter& filter) const {
    std::vector<Capture> found;
    if (filter.limit == 0) {
        return found;
    }
    std::uint64_t lowest = 0;
    std::uint64_t highest = 0;
    {
        std::lock_guard lock(m_impl->mutex);
        highest = m_impl->last_id;
        lowest = m_impl->offsets.empty() ? highest + 1 : m_impl->first_id;
    }
    {
        std::lock_guard cache_lock(m_impl->cache_mutex);
        if (!m_impl->cache.empty()) {
            lowest = std::min(lowest, m_impl->cache.front()->id);
        }
    }
    if (filter.before) {
        if (*filter.before == 0) {
            return found;
        }
        highest = std::min(highest, *filter.before - 1);
    }
    if (filter.after) {
        lowest = std::max(lowest, *filter.after + 1);
    }
    for (std::uint64_t id = highest; id >= lowest && id > 0; --id) {
        std::optional<Capture> capture = get(id);
        if (capture && filter.matches(*capture)) {
            found.push_back(std::move(*capture));
            if (found.size() >= filter.limit) {
                break;
            }
        }
    }
    return found;
}

std::string Store::save_error() const {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->save_error;
}

std::uint64_t Store::unsaved() const {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->unsaved;
}

void Store::on_save_state(std::function<void(const std::string& error)> callback) {
    std::lock_guard lock(m_impl->mutex);
    m_impl->on_save_state = std::move(callback);
}

std::uint64_t Store::appended() const {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->appended;
}

std::uint64_t Store::last_id() const {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->last_id;
}

std::uint64_t Store::size() const {
    std::lock_guard lock(m_impl->mutex);
    if (m_impl->write_fd >= 0) {
        return m_impl->indexed;
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
    if (!in) {
        throw Error(ErrorKind::input, "capture log", "cannot open " + path + ": " + errno_text(),
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
