#pragma once
// Feeds bytes to the wire server's RequestParser the way the server does, a piece at a time, and
// collects what it makes of them. Shared by the parser's unit tests and its fuzz target.
#include "http/request_parser.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace blandhook::test {

struct FedRequests {
    std::vector<http::WireRequest> requests; ///< every complete request, in order
    std::vector<std::size_t> ends;           ///< parser.end() of each, against its buffer
    std::vector<std::size_t> buffers;        ///< the buffer's size when each completed
    int failed_status = 0;                   ///< the refusal, 0 when none
    bool stuck = false; ///< the parser kept asking for more than it was given (a loop)
};

/// Feeds `bytes` in pieces of `piece` bytes (0: all at once) until they are used up.
inline FedRequests feed_parser(const std::string& bytes, std::size_t piece,
                               http::ParseLimits limits = {}) {
    using Step = http::RequestParser::Step;
    FedRequests fed;
    http::RequestParser parser(limits);
    std::string in;
    std::size_t given = 0;
    for (int rounds = 0; rounds < 1'000'000; ++rounds) {
        const std::size_t take =
            piece == 0 ? bytes.size() - given : std::min(piece, bytes.size() - given);
        in.append(bytes, given, take);
        given += take;
        bool progressed = take > 0;
        for (Step step = parser.advance(in); step != Step::incomplete; step = parser.advance(in)) {
            if (step == Step::failed) {
                fed.failed_status = parser.failure().status;
                return fed;
            }
            if (step == Step::complete) {
                fed.requests.push_back(std::move(parser.request()));
                fed.ends.push_back(parser.end());
                fed.buffers.push_back(in.size());
                in.erase(0, parser.end());
                parser.reset();
                progressed = true;
            }
        }
        if (!progressed && given == bytes.size()) {
            return fed;
        }
    }
    fed.stuck = true;
    return fed;
}

} // namespace blandhook::test
