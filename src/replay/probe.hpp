#pragma once
// Reading back what a handler stored for a call (--probe URL, --probe-cmd COMMAND), and waiting
// for that state to settle (--settle): what replay's oracles and --expect-state judge.
#include "http/client.hpp"
#include "payload/json.hpp"
#include "util/non_copyable.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace blandhook::replay {

/// What a probe answered for one call: nothing, a JSON document, or text that is not JSON.
struct State {
    enum class Kind { none, json, text };
    Kind kind = Kind::none;
    payload::Json json; ///< when kind is json
    std::string text;   ///< when kind is text

    /// "no state", the JSON shortened, or the text shortened and quoted.
    std::string summary(std::size_t width = 60) const;
};

/// A probe's output as a state: blank is none, JSON when it parses, else text.
State state_from_text(std::string_view text);

/// True when both are none, both the same JSON (object key order ignored) or the same text.
bool same_state(const State& left, const State& right);

/// `state` as an oracle compares it: every occurrence of each of `ids` (the call_ids its deliveries
/// used) replaced by "<call_id>", in strings, object keys and text, and every `ignore` pointer
/// removed (a "*" token matches every member).
State normalized(State state, const std::vector<std::string>& ids,
                 const std::vector<std::string>& ignore);

/// How to read the state: an HTTP GET or a shell command (exactly one of url and command).
struct ProbeSpec {
    std::string url;       ///< "{call_id}" is replaced, URL-encoded
    http::Headers headers; ///< --probe-header
    std::string command;   ///< run by /bin/sh with BLANDHOOK_CALL_ID, _CASE, _SCENARIO set
    std::chrono::milliseconds settle{2000};
};

/// Checks a spec before anything is sent: one of url or command, a URL that parses once
/// {call_id} is replaced. Throws Error (usage).
void check_probe_spec(const ProbeSpec& spec);

/// The probe the command-line flags describe (--probe, --probe-cmd, --probe-header, --settle),
/// checked; null when neither --probe nor --probe-cmd is given. Throws Error (usage).
std::shared_ptr<const ProbeSpec> probe_from_options(const std::string& url,
                                                    const std::string& command,
                                                    const std::vector<std::string>& headers,
                                                    const std::string& settle);

/// "{call_id}" in `url_template` replaced by `call_id`, percent-encoded.
std::string probe_url(const std::string& url_template, const std::string& call_id);

/// Which call a read is for, and the names a probe command sees.
struct ProbeTarget {
    std::string call_id;
    std::string case_name;
    std::string scenario;
};

/// One read: the state, or why there is none (unreachable, a status other than 2xx or 404, a
/// command that failed).
struct ProbeRead {
    std::optional<State> state;
    std::string error;
};

/// A state read until it settled, or until --settle ran out.
struct Settled {
    State state;
    std::string error;    ///< a read failed: no state to judge
    bool settled = false; ///< two consecutive reads agreed (or --settle 0: one read)
    bool changed = true;  ///< false when a change was awaited and never came
    int reads = 0;
    std::chrono::milliseconds waited{0};

    /// "settled after 2 reads (5 ms)", "still changing when --settle 2s ran out (9 reads)",
    /// "unchanged after the delivery for --settle 2s (9 reads)".
    std::string how(const ProbeSpec& spec) const;
};

/// One settled read as reports show it.
struct ProbeResult {
    std::string label; ///< "after first", "before bad-signature", "in-order control after delayed"
    std::string call_id; ///< the call it read
    Settled read;
    std::string how; ///< Settled::how
};

/// Reads states; keeps one kept-alive connection per probe origin. Not thread-safe: one per worker.
class Prober : util::NonCopyable {
public:
    explicit Prober(http::ClientOptions options);
    ~Prober();

    ProbeRead read(const ProbeSpec& spec, const ProbeTarget& target);

    /// Reads until two consecutive reads agree or spec.settle passes. With `changed_from`, reads
    /// equal to it do not count until the state has changed from it (a delivery is still being
    /// processed), so an asynchronous handler is given until the deadline to act.
    Settled settle(const ProbeSpec& spec, const ProbeTarget& target,
                   const State* changed_from = nullptr);

private:
    ProbeRead read_url(const ProbeSpec& spec, const ProbeTarget& target);
    ProbeRead read_command(const ProbeSpec& spec, const ProbeTarget& target);

    http::ClientOptions m_options;
    std::map<std::string, http::Client> m_clients; ///< by origin
};

/// The output of `/bin/sh -c command` run with `environment` added to ours: exit status (or the
/// signal), stdout and the end of stderr. Killed after `timeout`.
struct CommandResult {
    int exit_code = 0;
    std::string signal; ///< "SIGKILL" … when it died of a signal
    bool timed_out = false;
    std::string out;
    std::string err; ///< the last 2 KB
};
CommandResult run_shell(const std::string& command,
                        const std::vector<std::pair<std::string, std::string>>& environment,
                        std::chrono::milliseconds timeout);

} // namespace blandhook::replay
