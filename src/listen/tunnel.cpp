#include "listen/tunnel.hpp"

#include "error.hpp"
#include "http/client.hpp"
#include "util/text.hpp"

#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <fmt/core.h>
#include <mutex>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace blandhook::listen {
namespace {

using namespace std::chrono_literals;

// The program's path when `name` is found on PATH.
std::optional<std::string> find_on_path(const std::string& name) {
    const char* path = std::getenv("PATH");
    for (const std::string_view dir : util::split(path != nullptr ? path : "", ':')) {
        // An empty entry means the current directory, as the shell reads PATH.
        std::string candidate = (dir.empty() ? std::string(".") : std::string(dir)) + "/" + name;
        if (::access(candidate.c_str(), X_OK) == 0) {
            return candidate;
        }
    }
    return std::nullopt;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
        text.remove_suffix(1);
    }
    return text;
}

} // namespace

TunnelKind parse_tunnel_kind(std::string_view text, std::string_view what) {
    if (text == "cloudflared") {
        return TunnelKind::cloudflared;
    }
    if (text == "ngrok") {
        return TunnelKind::ngrok;
    }
    throw Error(ErrorKind::usage, std::string(what),
                fmt::format("'{}' is not a tunnel blandhook can start", text),
                "use cloudflared or ngrok, or run any tunnel yourself and pass --public-url");
}

std::optional<std::string> cloudflared_url(std::string_view line) {
    // The URL sits alone between two box borders: "|  https://x.trycloudflare.com  |". Other
    // lines of the same box hold prose (and the banner above it names developers.cloudflare.com),
    // so only a cell whose whole content is one URL counts.
    std::size_t open = line.find('|');
    if (open == std::string_view::npos) {
        return std::nullopt;
    }
    std::size_t close = line.find('|', open + 1);
    if (close == std::string_view::npos) {
        return std::nullopt;
    }
    std::string_view cell = trim(line.substr(open + 1, close - open - 1));
    bool url = cell.starts_with("https://") || cell.starts_with("http://");
    if (!url || cell.find(' ') != std::string_view::npos) {
        return std::nullopt;
    }
    return std::string(cell);
}

std::optional<std::string> ngrok_api_address(std::string_view line) {
    if (line.find("msg=\"starting web service\"") == std::string_view::npos) {
        return std::nullopt;
    }
    std::size_t at = line.find(" addr=");
    if (at == std::string_view::npos) {
        return std::nullopt;
    }
    std::string_view rest = line.substr(at + 6);
    std::string_view addr = rest.substr(0, rest.find(' '));
    if (addr.empty()) {
        return std::nullopt;
    }
    return "http://" + std::string(trim(addr));
}

std::optional<std::string> ngrok_public_url(const payload::Json& answer) {
    if (!answer.is_object() || !answer.contains("tunnels") || !answer["tunnels"].is_array()) {
        return std::nullopt;
    }
    std::optional<std::string> first;
    for (const auto& tunnel : answer["tunnels"]) {
        if (!tunnel.is_object() || !tunnel.contains("public_url") ||
            !tunnel["public_url"].is_string()) {
            continue;
        }
        std::string url = tunnel["public_url"].get<std::string>();
        if (url.starts_with("https://")) {
            return url;
        }
        if (!first) {
            first = url;
        }
    }
    return first;
}

struct Tunnel::Impl {
    TunnelOptions options;
    std::string program;
    std::string url;
    pid_t pid = -1;
    int read_fd = -1;
    std::thread reader;

    std::mutex mutex;
    std::condition_variable changed;
    std::deque<std::string> last_lines;       // for the error message when no URL comes
    std::optional<std::string> announced;     // cloudflared's URL
    std::optional<std::string> api_announced; // ngrok's API address
    bool ended = false;

    void read_loop() {
        std::string pending;
        char buffer[4096];
        for (;;) {
            ssize_t n = ::read(read_fd, buffer, sizeof buffer);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                break;
            }
            pending.append(buffer, static_cast<std::size_t>(n));
            std::size_t newline;
            while ((newline = pending.find('\n')) != std::string::npos) {
                take_line(pending.substr(0, newline));
                pending.erase(0, newline + 1);
            }
        }
        if (!pending.empty()) {
            take_line(pending);
        }
        std::lock_guard lock(mutex);
        ended = true;
        changed.notify_all();
    }

    void take_line(const std::string& line) {
        std::lock_guard lock(mutex);
        // The program keeps logging for as long as it runs: only the first lines are kept.
        if (!announced && last_lines.size() < 200) {
            last_lines.push_back(line);
        }
        if (options.kind == TunnelKind::cloudflared && !announced) {
            announced = cloudflared_url(line);
        } else if (options.kind == TunnelKind::ngrok && !api_announced) {
            api_announced = ngrok_api_address(line);
        }
        changed.notify_all();
    }

    void spawn(const std::string& path, const std::vector<std::string>& args) {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) {
            throw Error(ErrorKind::internal, "--tunnel", std::strerror(errno));
        }
        std::vector<char*> argv;
        argv.push_back(const_cast<char*>(path.c_str()));
        for (const auto& arg : args) {
            argv.push_back(const_cast<char*>(arg.c_str()));
        }
        argv.push_back(nullptr);
        const pid_t parent = ::getpid();
        pid = ::fork();
        if (pid == 0) {
            // The child of a threaded process: only async-signal-safe calls until exec.
            // Its own process group keeps the terminal's Ctrl-C for us (we stop it after the
            // numbers are restored). PR_SET_PDEATHSIG ends it when listen is killed outright,
            // so a SIGKILLed listener leaves no tunnel running to a dead port.
            ::setpgid(0, 0);
            ::prctl(PR_SET_PDEATHSIG, SIGTERM);
            if (::getppid() != parent) {
                ::_exit(127);
            }
            // The CLI blocks SIGINT/SIGTERM in every thread (util::SignalStop takes them on one
            // thread); the mask survives exec, so the child gets an empty one.
            struct sigaction default_action {};
            default_action.sa_handler = SIG_DFL;
            ::sigaction(SIGINT, &default_action, nullptr);
            ::sigaction(SIGTERM, &default_action, nullptr);
            ::sigaction(SIGPIPE, &default_action, nullptr);
            sigset_t empty;
            sigemptyset(&empty);
            ::sigprocmask(SIG_SETMASK, &empty, nullptr);
            int input = ::open("/dev/null", O_RDONLY);
            if (input >= 0) {
                ::dup2(input, 0);
            }
            ::dup2(fds[1], 1);
            ::dup2(fds[1], 2);
            ::execv(path.c_str(), argv.data());
            ::_exit(127);
        }
        const int fork_errno = errno;
        ::close(fds[1]);
        if (pid < 0) {
            ::close(fds[0]);
            throw Error(ErrorKind::internal, "--tunnel",
                        fmt::format("cannot start {}: {}", path, std::strerror(fork_errno)));
        }
        ::setpgid(pid, pid); // also here: stop() may signal the group before the child ran
        read_fd = fds[0];
        reader = std::thread([this] { read_loop(); });
    }

    std::string recent_output() {
        std::lock_guard lock(mutex);
        std::string text;
        std::size_t from = last_lines.size() > 5 ? last_lines.size() - 5 : 0;
        for (std::size_t i = from; i < last_lines.size(); ++i) {
            text += "\n  " + last_lines[i];
        }
        return text.empty() ? std::string(" (it printed nothing)") : ":" + text;
    }

    // Waits for cloudflared's announcement line.
    std::optional<std::string> wait_cloudflared(std::chrono::steady_clock::time_point deadline) {
        std::unique_lock lock(mutex);
        changed.wait_until(lock, deadline, [&] {
            return announced.has_value() || ended || options.stop.stop_requested();
        });
        return announced;
    }

    // Polls ngrok's agent API until it lists a tunnel.
    std::optional<std::string> wait_ngrok(std::chrono::steady_clock::time_point deadline) {
        while (std::chrono::steady_clock::now() < deadline && !options.stop.stop_requested()) {
            std::string api = options.ngrok_api;
            {
                std::lock_guard lock(mutex);
                if (ended) {
                    return std::nullopt;
                }
                if (api.empty()) {
                    api = api_announced.value_or("http://127.0.0.1:4040");
                }
            }
            http::ClientOptions client_options;
            client_options.connect_timeout = 1s;
            client_options.timeout = 2s;
            client_options.keep_alive = false;
            client_options.cancel = options.stop.flag();
            http::Client client(http::parse_url(api, "--ngrok-api"), client_options);
            http::Request request;
            request.method = "GET";
            request.target = "/api/tunnels";
            request.headers.push_back({"Accept", "application/json"});
            http::Attempt attempt = client.send(request);
            if (attempt.response && attempt.response->status == 200) {
                try {
                    if (auto found =
                            ngrok_public_url(payload::parse_json(attempt.response->body))) {
                        return found;
                    }
                } catch (const payload::JsonError&) { // NOLINT(bugprone-empty-catch): polled
                    // Not the agent API (yet): keep polling until the deadline.
                }
            }
            std::unique_lock lock(mutex);
            changed.wait_for(lock, 200ms, [&] { return ended || options.stop.stop_requested(); });
        }
        return std::nullopt;
    }

    void stop() {
        if (pid > 0) {
            ::kill(-pid, SIGTERM);
            int status = 0;
            bool reaped = false;
            for (int i = 0; i < 300 && !reaped; ++i) {
                pid_t done = ::waitpid(pid, &status, WNOHANG);
                reaped = done == pid || (done < 0 && errno == ECHILD);
                if (!reaped) {
                    std::this_thread::sleep_for(10ms);
                }
            }
            if (!reaped) {
                ::kill(-pid, SIGKILL);
                ::waitpid(pid, &status, 0);
            }
            pid = -1;
        }
        if (reader.joinable()) {
            reader.join();
        }
        if (read_fd >= 0) {
            ::close(read_fd);
            read_fd = -1;
        }
    }
};

Tunnel::Tunnel(TunnelOptions options) : m_impl(std::make_unique<Impl>()) {
    m_impl->options = std::move(options);
    const bool cloudflared = m_impl->options.kind == TunnelKind::cloudflared;
    m_impl->program = cloudflared ? "cloudflared" : "ngrok";
    auto path = find_on_path(m_impl->program);
    if (!path) {
        throw Error(ErrorKind::usage, "--tunnel", fmt::format("{} is not on PATH", m_impl->program),
                    cloudflared ? "install cloudflared (developers.cloudflare.com, Cloudflare "
                                  "Tunnel downloads) or pass --public-url"
                                : "install ngrok (ngrok.com/download) and run `ngrok config "
                                  "add-authtoken …` once, or pass --public-url");
    }
    std::vector<std::string> args;
    if (cloudflared) {
        args = {"tunnel", "--no-autoupdate", "--url", m_impl->options.local_url};
    } else {
        args = {"http", m_impl->options.local_url, "--log", "stdout", "--log-format", "logfmt"};
    }
    m_impl->spawn(*path, args);
    auto deadline = std::chrono::steady_clock::now() + m_impl->options.timeout;
    std::optional<std::string> url;
    {
        // A stop request wakes the waits below (they check the token under the mutex).
        Impl* impl = m_impl.get();
        const util::StopCallback wake = m_impl->options.stop.on_stop([impl] {
            std::lock_guard lock(impl->mutex);
            impl->changed.notify_all();
        });
        url = cloudflared ? m_impl->wait_cloudflared(deadline) : m_impl->wait_ngrok(deadline);
    }
    if (!url && m_impl->options.stop.stop_requested()) {
        m_impl->stop();
        return;
    }
    if (!url) {
        bool ended;
        {
            std::lock_guard lock(m_impl->mutex);
            ended = m_impl->ended;
        }
        std::string output = m_impl->recent_output();
        m_impl->stop();
        throw Error(ended ? ErrorKind::network : ErrorKind::timeout, "--tunnel",
                    fmt::format("{} {} without announcing a public URL{}", m_impl->program,
                                ended ? "ended" : "ran for the whole timeout", output),
                    cloudflared ? "run `cloudflared tunnel --url " + m_impl->options.local_url +
                                      "` yourself to see why"
                                : "is ngrok's authtoken configured? Its agent API: " +
                                      (m_impl->options.ngrok_api.empty()
                                           ? std::string("http://127.0.0.1:4040 (--ngrok-api)")
                                           : m_impl->options.ngrok_api));
    }
    m_impl->url = *url;
}

Tunnel::~Tunnel() {
    stop();
}

const std::string& Tunnel::public_url() const {
    return m_impl->url;
}

std::string Tunnel::program() const {
    return m_impl->program;
}

void Tunnel::stop() {
    m_impl->stop();
}

} // namespace blandhook::listen
