#pragma once
// How the listener answers captured requests: fault injection (--answer-status, --delay,
// --respond-sequence, --fail-rate, --drop, custom body and headers, --require-signature). The
// configuration can be replaced while serving (the inspector's "answer the next requests with …").
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace blandhook::listen {

struct AnswerConfig {
    int status = 200;                ///< --answer-status
    std::optional<std::string> body; ///< --answer-body; default: a small JSON receipt
    std::vector<std::pair<std::string, std::string>> headers; ///< --answer-header NAME:VALUE
    std::chrono::milliseconds delay{0};                       ///< --delay, before answering
    std::vector<int> sequence;      ///< --respond-sequence, walked per call_id; 0 = drop
    double fail_rate = 0.0;         ///< --fail-rate, 0..1: answer fail_status instead
    int fail_status = 500;          ///< --fail-status
    std::uint64_t seed = 0;         ///< --seed for --fail-rate (deterministic per run)
    bool drop = false;              ///< --drop: close the connection without answering
    bool require_signature = false; ///< --require-signature: 401 unless the signature is valid
    bool forward_status = false;    ///< --forward-status: hand back the app's answer
};

/// The decision for one request, before forwarding is applied.
struct Decision {
    int status = 200; ///< 0 means drop the connection
    std::string note; ///< why, for the terminal line and the log: "sequence 2/3", "fail-rate" …
    std::chrono::milliseconds delay{0};
};

/// Parses "500,500,200" (0 or "drop" = close without answering). Throws Error (usage).
std::vector<int> parse_sequence(const std::string& text);

} // namespace blandhook::listen
