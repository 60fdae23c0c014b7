#include "replay/probe.hpp"

#include "error.hpp"
#include "payload/pointer.hpp"
#include "replay/model.hpp"
#include "util/duration.hpp"
#include "util/unique_fd.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fmt/core.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace blandhook::replay {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::string_view k_placeholder = "<call_id>";
// The pause between two reads of a settling state: short first, so that a synchronous handler
// costs two back-to-back reads, then doubling for handlers that work in the background.
constexpr milliseconds k_first_gap{2};
constexpr milliseconds k_longest_gap{200};
constexpr std::size_t k_kept_stderr = 2048;

std::string duration_text(milliseconds duration) {
    if (duration.count() % 1000 == 0) {
        return fmt::format("{}s", duration.count() / 1000);
    }
    return fmt::format("{}ms", duration.count());
}

std::string first_line(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
        text.remove_suffix(1);
    }
    auto newline = text.rfind('\n');
    return payload::shorten_text(
        newline == std::string_view::npos ? text : text.substr(newline + 1), 120);
}

} // namespace

std::string State::summary(std::size_t width) const {
    switch (kind) {
    case Kind::none:
        return "no state";
    case Kind::json:
        return payload::shorten(json, width);
    case Kind::text:
        return "text \"" + payload::shorten_text(text, width) + "\"";
    }
    return "no state";
}

State state_from_text(std::string_view text) {
    State state;
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        return state;
    }
    try {
        state.json = payload::parse_json(text);
        state.kind = State::Kind::json;
    } catch (const payload::JsonError&) {
        state.kind = State::Kind::text;
        state.text = std::string(text);
        while (!state.text.empty() && (state.text.back() == '\n' || state.text.back() == '\r')) {
            state.text.pop_back();
        }
    }
    return state;
}

bool same_state(const State& left, const State& right) {
    if (left.kind != right.kind) {
        return false;
    }
    switch (left.kind) {
    case State::Kind::none:
        return true;
    case State::Kind::json:
        return payload::same_json(left.json, right.json);
    case State::Kind::text:
        return left.text == right.text;
    }
    return false;
}

State normalized(State state, const std::vector<std::string>& ids,
                 const std::vector<std::string>& ignore) {
    for (const auto& id : ids) {
        if (id.empty()) {
            continue;
        }
        if (state.kind == State::Kind::json) {
            payload::replace_in_strings(state.json, id, std::string(k_placeholder));
        } else if (state.kind == State::Kind::text) {
            for (auto at = state.text.find(id); at != std::string::npos;
                 at = state.text.find(id, at + k_placeholder.size())) {
                state.text.replace(at, id.size(), k_placeholder);
            }
        }
    }
    if (state.kind == State::Kind::json) {
        for (const auto& pointer : ignore) {
            payload::erase_pointer(state.json, pointer);
        }
    }
    return state;
}

void check_probe_spec(const ProbeSpec& spec) {
    if (spec.url.empty() == spec.command.empty()) {
        throw Error(ErrorKind::usage, "--probe", "give exactly one of --probe URL and --probe-cmd");
    }
    if (!spec.url.empty()) {
        http::parse_url(probe_url(spec.url, "00000000-0000-4000-8000-000000000000"), "--probe");
    }
    if (spec.settle.count() < 0) {
        throw Error(ErrorKind::usage, "--settle", "must be 0 or more");
    }
}

std::shared_ptr<const ProbeSpec> probe_from_options(const std::string& url,
                                                    const std::string& command,
                                                    const std::vector<std::string>& headers,
                                                    const std::string& settle) {
    if (url.empty() && command.empty()) {
        if (!headers.empty()) {
            throw Error(ErrorKind::usage, "--probe-header", "needs --probe URL");
        }
        return nullptr;
    }
    ProbeSpec spec;
    spec.url = url;
    spec.command = command;
    for (const auto& header : headers) {
        spec.headers.push_back(http::parse_header_line(header, "--probe-header"));
    }
    spec.settle = util::parse_duration(settle, "--settle");
    check_probe_spec(spec);
    return std::make_shared<const ProbeSpec>(std::move(spec));
}

std::string probe_url(const std::string& url_template, const std::string& call_id) {
    static constexpr std::string_view k_marker = "{call_id}";
    std::string encoded;
    for (unsigned char c : call_id) {
        if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
            encoded += static_cast<char>(c);
        } else {
            encoded += fmt::format("%{:02X}", c);
        }
    }
    std::string url = url_template;
    for (auto at = url.find(k_marker); at != std::string::npos;
         at = url.find(k_marker, at + encoded.size())) {
        url.replace(at, k_marker.size(), encoded);
    }
    return url;
}

std::string Settled::how(const ProbeSpec& spec) const {
    if (!error.empty()) {
        return "probe error: " + error;
    }
    if (spec.settle.count() == 0) {
        return "read once (--settle 0)";
    }
    if (settled) {
        return fmt::format("settled after {} reads ({} ms)", reads, waited.count());
    }
    if (!changed) {
        return fmt::format("unchanged after the delivery when --settle {} ran out ({} reads)",
                           duration_text(spec.settle), reads);
    }
    return fmt::format("still changing when --settle {} ran out ({} reads)",
                       duration_text(spec.settle), reads);
}

Prober::Prober(http::ClientOptions options) : m_options(std::move(options)) {}
Prober::~Prober() = default;

ProbeRead Prober::read(const ProbeSpec& spec, const ProbeTarget& target) {
    return spec.command.empty() ? read_url(spec, target) : read_command(spec, target);
}

ProbeRead Prober::read_url(const ProbeSpec& spec, const ProbeTarget& target) {
    http::Url url = http::parse_url(probe_url(spec.url, target.call_id), "--probe");
    auto [it, inserted] = m_clients.try_emplace(url.origin(), url, m_options);
    http::Request request;
    request.method = "GET";
    request.target = url.target;
    request.headers = spec.headers;
    request.headers.push_back({"Accept", "application/json"});
    http::Attempt attempt = it->second.send(request);
    ProbeRead result;
    if (!attempt.response) {
        result.error =
            fmt::format("GET {} got no answer: {}", url.origin() + url.target, attempt.error);
        return result;
    }
    const http::Response& response = *attempt.response;
    if (response.status == 404) {
        result.state = State{};
        return result;
    }
    if (response.status / 100 != 2) {
        result.error =
            fmt::format("GET {} answered {}{}", url.origin() + url.target, response.status,
                        response.body.empty() ? "" : ": " + first_line(response.body));
        return result;
    }
    result.state = state_from_text(response.body);
    return result;
}

ProbeRead Prober::read_command(const ProbeSpec& spec, const ProbeTarget& target) {
    CommandResult run = run_shell(spec.command,
                                  {{"BLANDHOOK_CALL_ID", target.call_id},
                                   {"BLANDHOOK_CASE", target.case_name},
                                   {"BLANDHOOK_SCENARIO", target.scenario}},
                                  m_options.timeout);
    ProbeRead result;
    std::string said = run.err.empty() ? "" : ": " + first_line(run.err);
    if (run.timed_out) {
        result.error =
            fmt::format("--probe-cmd did not finish within {}", duration_text(m_options.timeout));
    } else if (!run.signal.empty()) {
        result.error = fmt::format("--probe-cmd was killed by {}{}", run.signal, said);
    } else if (run.exit_code != 0) {
        result.error = fmt::format("--probe-cmd exited {}{}", run.exit_code, said);
    } else {
        result.state = state_from_text(run.out);
    }
    return result;
}

Settled Prober::settle(const ProbeSpec& spec, const ProbeTarget& target,
                       const State* changed_from) {
    Settled result;
    const auto start = Clock::now();
    const auto deadline = start + spec.settle;
    auto elapsed = [&] { return std::chrono::duration_cast<milliseconds>(Clock::now() - start); };
    ProbeRead first = read(spec, target);
    ++result.reads;
    if (!first.state) {
        result.error = first.error;
        return result;
    }
    result.state = std::move(*first.state);
    if (spec.settle.count() == 0) {
        result.settled = true;
        return result;
    }
    result.changed = changed_from == nullptr || !same_state(result.state, *changed_from);
    milliseconds gap = k_first_gap;
    while (true) {
        auto now = Clock::now();
        if (now >= deadline) {
            result.waited = elapsed();
            return result;
        }
        std::this_thread::sleep_for(
            std::min(gap, std::chrono::duration_cast<milliseconds>(deadline - now)));
        gap = std::min(gap * 2, k_longest_gap);
        ProbeRead next = read(spec, target);
        ++result.reads;
        if (!next.state) {
            result.error = next.error;
            return result;
        }
        bool agrees = same_state(*next.state, result.state);
        result.state = std::move(*next.state);
        if (!result.changed) {
            result.changed = !same_state(result.state, *changed_from);
            continue; // the first changed read still needs a second to agree with it
        }
        if (agrees) {
            result.settled = true;
            result.waited = elapsed();
            return result;
        }
    }
}

namespace {

// Our environment with `environment` added, replacing variables of the same names.
std::vector<std::string>
child_environment(const std::vector<std::pair<std::string, std::string>>& environment) {
    std::vector<std::string> variables;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        std::string_view text(*entry);
        bool replaced = false;
        for (const auto& [name, value] : environment) {
            replaced = replaced || (text.size() > name.size() && text.starts_with(name) &&
                                    text[name.size()] == '=');
        }
        if (!replaced) {
            variables.emplace_back(text);
        }
    }
    for (const auto& [name, value] : environment) {
        variables.push_back(fmt::format("{}={}", name, value));
    }
    return variables;
}

// Starts `/bin/sh -c command` with stdin from /dev/null and stdout, stderr into the pipes.
pid_t spawn_shell(const std::string& command, std::vector<std::string>& variables, int out,
                  int err) {
    std::vector<char*> envp;
    envp.reserve(variables.size() + 1);
    for (auto& variable : variables) {
        envp.push_back(variable.data());
    }
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out, 1);
    posix_spawn_file_actions_adddup2(&actions, err, 2);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    // Its own process group, so that a timeout kills the command's children too. The signals
    // the CLI blocks to take them on one thread (util::SignalStop) are unblocked for it: a mask
    // survives exec.
    posix_spawnattr_setpgroup(&attributes, 0);
    sigset_t signals;
    sigemptyset(&signals);
    posix_spawnattr_setsigmask(&attributes, &signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGPIPE);
    posix_spawnattr_setsigdefault(&attributes, &signals);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                              POSIX_SPAWN_SETSIGDEF);
    std::string shell = "/bin/sh";
    std::string flag = "-c";
    std::string text = command;
    char* argv[] = {shell.data(), flag.data(), text.data(), nullptr};
    pid_t pid = 0;
    int spawned = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (spawned != 0) {
        throw Error(ErrorKind::internal, "--probe-cmd",
                    "cannot start /bin/sh: " + std::string(std::strerror(spawned)));
    }
    return pid;
}

// Reads both pipes until they close or the deadline passes (then the group is killed).
void collect_output(util::UniqueFd& out_read, util::UniqueFd& err_read, pid_t pid,
                    Clock::time_point deadline, CommandResult& result) {
    char buffer[65536];
    while (out_read || err_read) {
        auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            result.timed_out = true;
            ::kill(-pid, SIGKILL);
            return;
        }
        pollfd fds[2] = {{out_read.get(), POLLIN, 0}, {err_read.get(), POLLIN, 0}};
        int ready = ::poll(fds, 2, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR) {
            continue;
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
                continue;
            }
            util::UniqueFd& fd = i == 0 ? out_read : err_read;
            ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
            if (n > 0) {
                std::string& into = i == 0 ? result.out : result.err;
                into.append(buffer, static_cast<std::size_t>(n));
                if (i == 1 && into.size() > 2 * k_kept_stderr) {
                    into.erase(0, into.size() - k_kept_stderr);
                }
            } else if (n == 0 || errno != EINTR) {
                fd.reset();
            }
        }
    }
}

void wait_exit(pid_t pid, CommandResult& result) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status)) {
        result.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        const char* name = sigabbrev_np(WTERMSIG(status));
        result.signal = name != nullptr ? std::string("SIG") + name : "a signal";
        result.exit_code = 128 + WTERMSIG(status);
    }
}

} // namespace

CommandResult run_shell(const std::string& command,
                        const std::vector<std::pair<std::string, std::string>>& environment,
                        milliseconds timeout) {
    CommandResult result;
    std::vector<std::string> variables = child_environment(environment);
    int out_pipe[2];
    int err_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0) {
        throw Error(ErrorKind::internal, "--probe-cmd", std::strerror(errno));
    }
    util::UniqueFd out_read{out_pipe[0]};
    util::UniqueFd out_write{out_pipe[1]};
    if (pipe2(err_pipe, O_CLOEXEC) != 0) {
        throw Error(ErrorKind::internal, "--probe-cmd", std::strerror(errno));
    }
    util::UniqueFd err_read{err_pipe[0]};
    util::UniqueFd err_write{err_pipe[1]};
    const pid_t pid = spawn_shell(command, variables, out_write.get(), err_write.get());
    out_write.reset();
    err_write.reset();
    collect_output(out_read, err_read, pid, Clock::now() + timeout, result);
    wait_exit(pid, result);
    if (result.err.size() > k_kept_stderr) {
        result.err.erase(0, result.err.size() - k_kept_stderr);
    }
    return result;
}

} // namespace blandhook::replay
