#pragma once
// Incremental HTTP/1.1 request parsing for the wire server, apart from any socket so
// that it can be fuzzed and tested on bytes alone. Headers are kept in wire order with
// duplicates; bodies are never decoded beyond chunked framing; limits are enforced before the
// bytes beyond them are needed.
#include "http/header.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace blandhook::http {

struct WireRequest {
    std::string method;
    std::string target;          ///< as sent: path and query, never decoded
    std::string version;         ///< "HTTP/1.1" or "HTTP/1.0"
    std::vector<Header> headers; ///< in wire order, duplicates kept
    std::string body;            ///< the bytes sent (chunked framing removed)
    std::string peer;            ///< "127.0.0.1:5555", "[::1]:5555"
};

struct ParseLimits {
    std::size_t max_body_bytes = 10u << 20;   ///< 413 beyond
    std::size_t max_header_bytes = 64u << 10; ///< request line and headers; 414/431 beyond
    std::size_t max_header_count = 1000;      ///< 431 beyond
};

/// Why a request was refused: the status to answer with and a short reason.
struct ParseFailure {
    int status = 400;
    std::string message;
};

/// Parses one request at a time from the front of a buffer that the caller fills with what it
/// receives: call advance() after each read; after `complete`, take the request, erase end()
/// bytes from the buffer and reset() for the next one (pipelined bytes stay in the buffer).
class RequestParser {
public:
    enum class Step {
        incomplete, ///< more bytes are needed
        head,       ///< the head was just parsed (returned once): call advance() again for the body
        complete,   ///< request() is whole; it ends at end()
        failed,     ///< failure() says why; the connection should be answered and closed
    };

    explicit RequestParser(ParseLimits limits = {});

    /// Parses on from where the last call stopped. `in` starts at the current request (blank
    /// lines before a request line are removed from it); decoded chunks may be removed from it.
    Step advance(std::string& in);
    /// Ready for the next request (the limits are kept).
    void reset();

    WireRequest& request() { return m_request; }
    const ParseFailure& failure() const { return m_failure; }
    bool head_done() const { return m_head_done; }
    std::size_t body_at() const { return m_body_at; }
    std::size_t end() const { return m_end_at; }
    bool keep_alive() const { return m_keep_alive; }
    bool head_only() const { return m_head_only; }
    /// True once the head is parsed when the sender asked for "100 Continue" and its body has
    /// not started to arrive.
    bool wants_continue(const std::string& in) const;

private:
    std::optional<ParseFailure> parse_head(std::string_view head);
    Step decode_chunks(std::string& in);
    // The stages of decode_chunks: each returns the step to report, or nullopt to go on with
    // the stage it sets next.
    std::optional<Step> chunk_size_line(std::string& in);
    std::optional<Step> chunk_data(std::string& in);
    std::optional<Step> chunk_data_end(std::string& in);
    std::optional<Step> chunk_trailers(std::string& in);

    using ChunkStage = std::optional<Step> (RequestParser::*)(std::string& in);

    ParseLimits m_limits;
    ParseFailure m_failure;
    WireRequest m_request;
    bool m_head_done = false;
    std::size_t m_scanned = 0; ///< `in` searched for the end of the head up to here
    std::size_t m_body_at = 0; ///< offset of the body in `in`
    std::size_t m_end_at = 0;  ///< offset just past the request (when complete)
    bool m_keep_alive = true;
    bool m_head_only = false; ///< HEAD: the answer has no body
    bool m_chunked = false;
    std::size_t m_content_length = 0;
    // The stage the next bytes of a chunked body are for.
    ChunkStage m_chunk_stage = &RequestParser::chunk_size_line;
    std::size_t m_chunk_at = 0;    ///< next unparsed byte of the chunked body
    std::size_t m_chunk_left = 0;  ///< data bytes left in the current chunk
    std::size_t m_trailers_at = 0; ///< where the trailers (after the last chunk) begin
};

} // namespace blandhook::http
