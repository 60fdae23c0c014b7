#include "bland/inbound_restore.hpp"

#include "bland/inbound_api.hpp"
#include "capture/store.hpp"
#include "error.hpp"
#include "http/client.hpp"
#include "listen/listener.hpp"
#include "payload/json.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <filesystem>
#include <fmt/core.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace blandhook::bland {
namespace {

using payload::Json;
namespace fs = std::filesystem;

// FNV-1a: a short stable tag of the API URL for the file name, so that the same number on the
// emulator and on Bland gets two records.
std::string url_tag(const std::string& url) {
    std::uint32_t hash = 2166136261u;
    for (unsigned char c : url) {
        hash = (hash ^ c) * 16777619u;
    }
    return fmt::format("{:08x}", hash);
}

std::string now_iso() {
    std::time_t now = std::time(nullptr);
    std::tm parts{};
    gmtime_r(&now, &parts);
    char text[32];
    std::size_t length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
    return {text, length};
}

void make_private_dir(const std::string& dir) {
    std::error_code error;
    if (fs::is_directory(dir, error)) {
        return;
    }
    fs::create_directories(dir, error);
    if (error) {
        throw Error(ErrorKind::internal, "inbound",
                    fmt::format("cannot create {}: {}", dir, error.message()),
                    "the pending restore must be written before the number is changed; check "
                    "XDG_STATE_HOME");
    }
    ::chmod(dir.c_str(), 0700);
}

bool on_this_machine(const std::string& url) {
    try {
        return http::is_loopback_host(http::parse_url(url).host);
    } catch (const Error&) {
        return false;
    }
}

Json to_json(const PendingRestore& restore) {
    return Json{{"number", restore.number},
                {"api_url", restore.api_url},
                {"previous_webhook", restore.previous_webhook},
                {"webhook", restore.webhook},
                {"pid", restore.pid},
                {"since", restore.since}};
}

} // namespace

std::string default_restore_dir() {
    std::string log = capture::default_log_path();
    return log.substr(0, log.find_last_of('/')) + "/inbound";
}

RestoreLedger::RestoreLedger(std::string dir) : m_dir(std::move(dir)) {}

void RestoreLedger::record(PendingRestore& restore) const {
    make_private_dir(m_dir);
    // The pid is in the name: a listener taking a number over with --force must not replace the
    // record of the one it took it from (each removes only its own).
    restore.path = fmt::format("{}/{}-{}-{}.json", m_dir, restore.number.substr(1),
                               url_tag(restore.api_url), restore.pid);
    if (restore.since.empty()) {
        restore.since = now_iso();
    }
    const std::string temp = restore.path + ".tmp";
    const std::string text = payload::pretty_json(to_json(restore)) + "\n";
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    bool ok = fd >= 0;
    if (ok) {
        std::size_t written = 0;
        while (ok && written < text.size()) {
            ssize_t n = ::write(fd, text.data() + written, text.size() - written);
            ok = n > 0;
            written += n > 0 ? static_cast<std::size_t>(n) : 0;
        }
        ok = ok && ::fsync(fd) == 0;
        ok = (::close(fd) == 0) && ok;
    }
    if (!ok || ::rename(temp.c_str(), restore.path.c_str()) != 0) {
        std::string reason = std::strerror(errno);
        ::unlink(temp.c_str());
        throw Error(ErrorKind::internal, "inbound",
                    fmt::format("cannot write {}: {}", restore.path, reason),
                    "nothing was changed on the number; free space or fix XDG_STATE_HOME");
    }
}

void RestoreLedger::remove(const PendingRestore& restore) const {
    if (!restore.path.empty()) {
        ::unlink(restore.path.c_str());
    }
}

std::vector<PendingRestore>
RestoreLedger::list(const std::function<void(const std::string&)>& problem) const {
    std::vector<PendingRestore> records;
    std::error_code error;
    if (!fs::is_directory(m_dir, error)) {
        return records;
    }
    for (const auto& entry : fs::directory_iterator(m_dir, error)) {
        const std::string path = entry.path().string();
        if (entry.path().extension() != ".json") {
            continue;
        }
        std::ifstream in(path, std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        try {
            Json body = payload::parse_json(text.str());
            PendingRestore restore;
            restore.number = body.at("number").get<std::string>();
            restore.api_url = body.at("api_url").get<std::string>();
            restore.previous_webhook = body.value("previous_webhook", std::string());
            restore.webhook = body.at("webhook").get<std::string>();
            restore.pid = body.value("pid", 0);
            restore.since = body.value("since", std::string());
            restore.path = path;
            records.push_back(std::move(restore));
        } catch (const std::exception& bad) {
            if (problem) {
                problem(fmt::format("{} is not a pending restore ({}); left in place", path,
                                    bad.what()));
            }
        }
    }
    std::ranges::sort(records, [](const auto& a, const auto& b) { return a.since < b.since; });
    return records;
}

bool listener_alive(int pid) {
    if (pid <= 0 || (::kill(pid, 0) != 0 && errno != EPERM)) {
        return false;
    }
    // A pid reused by another program after a reboot or a long time must not hold a number
    // forever: where /proc exists, the process must be a blandhook.
    std::ifstream cmdline(fmt::format("/proc/{}/cmdline", pid), std::ios::binary);
    if (!cmdline) {
        return true;
    }
    std::string text((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
    std::string first = text.substr(0, text.find('\0'));
    return first.find("blandhook") != std::string::npos;
}

RestoreOutcome restore_one(const PendingRestore& restore, const RestoreLedger& ledger,
                           const std::string& key, bool insecure) {
    RestoreOutcome outcome;
    outcome.number = restore.number;
    const std::string previous =
        restore.previous_webhook.empty() ? std::string("(none)") : restore.previous_webhook;
    try {
        ApiOptions options;
        options.base_url = restore.api_url;
        options.api_key = key;
        options.insecure = insecure;
        ApiClient api(options);
        Json current = get_inbound(api, restore.number);
        const std::string now = webhook_of(current);
        if (now != restore.webhook) {
            outcome.detail =
                fmt::format("left as is: it points at {}, changed since blandhook "
                            "set {}",
                            now.empty() ? std::string("(none)") : now, restore.webhook);
        } else {
            WebhookSettings settings;
            settings.webhook = restore.previous_webhook;
            set_inbound_webhook(api, restore.number, settings, current);
            outcome.detail = fmt::format("restored to {}", previous);
        }
        outcome.ok = true;
        ledger.remove(restore);
    } catch (const Error& error) {
        if (error.kind() == ErrorKind::network && on_this_machine(restore.api_url)) {
            // An API on this machine is the emulator, whose numbers live in its memory: once it
            // is gone there is nothing left to restore, and the record would only nag.
            outcome.ok = true;
            outcome.detail = fmt::format("forgotten: the API at {} is gone, and the number with "
                                         "it",
                                         restore.api_url);
            ledger.remove(restore);
            return outcome;
        }
        outcome.error = error.kind();
        outcome.detail = fmt::format("not restored ({}: {}); the pending restore is kept: run "
                                     "`blandhook inbound restore`",
                                     error.subject(), error.detail());
    }
    return outcome;
}

std::vector<RestoreOutcome> repair_pending(const RestoreLedger& ledger, const std::string& key,
                                           bool insecure, bool include_live,
                                           std::vector<PendingRestore>* skipped) {
    std::vector<RestoreOutcome> outcomes;
    for (const auto& restore : ledger.list()) {
        if (!include_live && listener_alive(restore.pid)) {
            if (skipped != nullptr) {
                skipped->push_back(restore);
            }
            continue;
        }
        outcomes.push_back(restore_one(restore, ledger, key, insecure));
    }
    return outcomes;
}

InboundTakeover::InboundTakeover(ApiOptions api, RestoreLedger ledger)
    : m_api(std::move(api)), m_ledger(std::move(ledger)) {}

InboundTakeover::~InboundTakeover() {
    restore();
}

void InboundTakeover::take(const std::vector<std::string>& numbers, const std::string& webhook,
                           bool force, const std::function<void(const std::string&)>& progress) {
    ApiClient api(m_api);
    const std::string api_url = api.url_of("");
    for (const auto& text : numbers) {
        const std::string number = require_number(text, "--inbound-number");
        if (std::ranges::any_of(m_taken,
                                [&](const auto& taken) { return taken.number == number; })) {
            continue;
        }
        Json current = get_inbound(api, number);
        std::string previous = webhook_of(current);
        // Another listener's record for this number: its previous URL is the real original.
        for (const auto& other : m_ledger.list()) {
            if (other.number != number || other.api_url != api_url) {
                continue;
            }
            if (listener_alive(other.pid) && other.pid != ::getpid() && other.webhook == previous) {
                if (!force) {
                    throw Error(ErrorKind::usage, "--inbound-number",
                                fmt::format("{} already points at another running listener "
                                            "(pid {}, {})",
                                            number, other.pid, other.webhook),
                                "stop that listener first, or pass --force to take the number "
                                "over (it is still restored to " +
                                    (other.previous_webhook.empty() ? std::string("none")
                                                                    : other.previous_webhook) +
                                    " at the end)");
                }
                previous = other.previous_webhook;
            }
        }
        PendingRestore restore;
        restore.number = number;
        restore.api_url = api_url;
        restore.previous_webhook = previous;
        restore.webhook = webhook;
        restore.pid = static_cast<int>(::getpid());
        m_ledger.record(restore); // before the change, so a crash can be repaired
        m_taken.push_back(restore);
        WebhookSettings settings;
        settings.webhook = webhook;
        set_inbound_webhook(api, number, settings, current);
        if (progress) {
            progress(fmt::format("{}: webhook {} (was {})", number, webhook,
                                 previous.empty() ? std::string("none") : previous));
        }
    }
}

std::vector<RestoreOutcome> InboundTakeover::restore() {
    std::vector<RestoreOutcome> outcomes;
    outcomes.reserve(m_taken.size());
    for (const auto& restore : m_taken) {
        outcomes.push_back(restore_one(restore, m_ledger, m_api.api_key, m_api.insecure));
    }
    m_taken.clear();
    return outcomes;
}

} // namespace blandhook::bland
