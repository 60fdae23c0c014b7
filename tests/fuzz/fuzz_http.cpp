// libFuzzer target for the wire server's HTTP/1.1 request parser: whatever bytes arrive, cut into
// whatever pieces, the parser must neither crash, loop nor break its own limits, and a request
// must parse the same whether its bytes come at once or in pieces.
// Build: see fuzz_payload.cpp (same CMake option); run:
//        build-fuzz/blandhook_fuzz_http -max_total_time=20 build-fuzz/http-corpus
#include "http/request_parser.hpp"
#include "support/feed_parser.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace http = blandhook::http;

namespace {

constexpr http::ParseLimits k_limits{4096, 2048, 50};

std::vector<std::string> flattened(const blandhook::test::FedRequests& fed) {
    std::vector<std::string> out;
    for (const http::WireRequest& request : fed.requests) {
        std::string text = request.method + ' ' + request.target + ' ' + request.version + '\n';
        for (const auto& header : request.headers) {
            text += header.name + ": " + header.value + '\n';
        }
        out.push_back(text + '\n' + request.body);
    }
    return out;
}

// The parser's own promises, whatever the bytes.
void check(const blandhook::test::FedRequests& fed) {
    if (fed.stuck ||
        (fed.failed_status != 0 && (fed.failed_status < 400 || fed.failed_status > 599))) {
        std::abort();
    }
    for (std::size_t i = 0; i < fed.requests.size(); ++i) {
        if (fed.requests[i].body.size() > k_limits.max_body_bytes ||
            fed.requests[i].headers.size() > k_limits.max_header_count ||
            fed.ends[i] > fed.buffers[i]) {
            std::abort(); // a limit was not enforced, or a request ends beyond its bytes
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
    const blandhook::test::FedRequests whole = blandhook::test::feed_parser(bytes, 0, k_limits);
    const blandhook::test::FedRequests pieces =
        blandhook::test::feed_parser(bytes, piece, k_limits);
    check(whole);
    check(pieces);
    // Cutting the bytes differently changes nothing a sender could see.
    if (flattened(whole) != flattened(pieces) || whole.failed_status != pieces.failed_status) {
        std::abort();
    }
    return 0;
}
