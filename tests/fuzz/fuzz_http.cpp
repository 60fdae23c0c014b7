// libFuzzer target for the listener's HTTP/1.1 request parser: whatever bytes arrive, cut into
// whatever pieces, the parser must neither crash, loop nor break its own limits, and a request
// must parse the same whether its bytes come at once or in pieces.
// Build: see fuzz_payload.cpp (same CMake option); run:
//        build-fuzz/blandhook_fuzz_http -max_total_time=20 build-fuzz/http-corpus
#include "listen/request_parser.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace listen = blandhook::listen;
using Step = listen::RequestParser::Step;

namespace {

constexpr listen::ParseLimits k_limits{4096, 2048, 50};

struct Outcome {
    std::vector<std::string> requests; ///< method, target, headers and body of each, flattened
    int failed_status = 0;
};

std::string flatten(const listen::WireRequest& request) {
    std::string out = request.method + ' ' + request.target + ' ' + request.version + '\n';
    for (const auto& header : request.headers) {
        out += header.name + ": " + header.value + '\n';
    }
    return out + '\n' + request.body;
}

// Parses `bytes`, feeding `piece` bytes at a time (0: all at once).
Outcome run(const std::string& bytes, std::size_t piece) {
    Outcome outcome;
    listen::RequestParser parser(k_limits);
    std::string in;
    std::size_t fed = 0;
    for (int guard = 0;; ++guard) {
        if (guard > 1'000'000) {
            std::abort(); // no progress: the parser loops
        }
        const std::size_t take =
            piece == 0 ? bytes.size() - fed : std::min(piece, bytes.size() - fed);
        in.append(bytes, fed, take);
        fed += take;
        bool progressed = take > 0;
        for (;;) {
            const Step step = parser.advance(in);
            if (step == Step::head) {
                continue;
            }
            if (step == Step::failed) {
                outcome.failed_status = parser.failure().status;
                if (outcome.failed_status < 400 || outcome.failed_status > 599) {
                    std::abort();
                }
                return outcome;
            }
            if (step == Step::incomplete) {
                break;
            }
            const listen::WireRequest& request = parser.request();
            if (request.body.size() > k_limits.max_body_bytes || parser.end() > in.size() ||
                request.headers.size() > k_limits.max_header_count) {
                std::abort(); // a limit was not enforced
            }
            outcome.requests.push_back(flatten(request));
            in.erase(0, parser.end());
            parser.reset();
            progressed = true;
        }
        if (!progressed && fed == bytes.size()) {
            return outcome;
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    // The first byte picks the piece size; the rest is what the sender sends.
    const std::size_t piece = 1 + data[0] % 17;
    const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    const Outcome whole = run(bytes, 0);
    const Outcome pieces = run(bytes, piece);
    // Cutting the bytes differently changes nothing a sender could see, except that a request
    // whose limit is crossed is refused as soon as that is known either way.
    if (whole.requests != pieces.requests || whole.failed_status != pieces.failed_status) {
        std::abort();
    }
    return 0;
}
