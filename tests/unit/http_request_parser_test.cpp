// The wire server's request parser on bytes alone: the same request whatever the pieces it
// arrives in, pipelining, chunked framing, and the limits and refusals a sender sees.
#include "http/request_parser.hpp"
#include "support/feed_parser.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace test = blandhook::test;
using blandhook::http::ParseLimits;
using blandhook::http::RequestParser;
using blandhook::http::WireRequest;
using Step = RequestParser::Step;

namespace {

// What a sender would see of `bytes` fed in pieces of `piece` bytes.
test::FedRequests parse(const std::string& bytes, std::size_t piece = 0, ParseLimits limits = {}) {
    test::FedRequests fed = test::feed_parser(bytes, piece, limits);
    REQUIRE_FALSE(fed.stuck);
    return fed;
}

const std::string k_two = "POST /a?x=1 HTTP/1.1\r\nHost: h\r\nX-B: 1\r\nx-a: 2\r\nX-B: 3\r\n"
                          "Content-Length: 5\r\n\r\nhello"
                          "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nTrailer: t\r\n\r\n";

} // namespace

TEST_CASE("request parser: the same two pipelined requests however the bytes are cut") {
    for (std::size_t piece : {0u, 1u, 2u, 3u, 7u, 16u, 64u}) {
        CAPTURE(piece);
        const test::FedRequests parsed = parse(k_two, piece);
        REQUIRE(parsed.failed_status == 0);
        REQUIRE(parsed.requests.size() == 2);
        const WireRequest& first = parsed.requests[0];
        CHECK(first.method == "POST");
        CHECK(first.target == "/a?x=1");
        REQUIRE(first.headers.size() == 5);
        CHECK(first.headers[1].name == "X-B");
        CHECK(first.headers[2].name == "x-a");
        CHECK(first.headers[3].value == "3");
        CHECK(first.body == "hello");
        CHECK(parsed.requests[1].body == "abcde");
    }
}

TEST_CASE("request parser: refusals carry the status a sender gets") {
    ParseLimits small;
    small.max_body_bytes = 10;
    small.max_header_bytes = 200;
    small.max_header_count = 3;
    CHECK(parse("GARBAGE\r\n\r\n").failed_status == 400);
    CHECK(parse("GET / HTTP/2.0\r\n\r\n").failed_status == 505);
    CHECK(parse("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", 0, small).failed_status == 413);
    CHECK(
        parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nb\r\nhello world\r\n0\r\n\r\n",
              0, small)
            .failed_status == 413);
    CHECK(parse("GET /" + std::string(300, 'a'), 0, small).failed_status == 414);
    CHECK(parse("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", 0, small).failed_status ==
          431);
    CHECK(parse("POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}")
              .failed_status == 400);
    CHECK(parse("POST / HTTP/1.1\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n")
              .failed_status == 400);
    CHECK(parse("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n").failed_status == 501);
    CHECK(parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").failed_status ==
          400);
}

TEST_CASE("request parser: keep-alive by version and Connection, HEAD, folding, blank lines") {
    RequestParser parser;
    std::string in = "\r\n\r\nHEAD / HTTP/1.0\r\nConnection: keep-alive\r\nX-F: a\r\n  b\r\n\r\n";
    REQUIRE(parser.advance(in) == Step::head);
    REQUIRE(parser.advance(in) == Step::complete);
    CHECK(parser.keep_alive());
    CHECK(parser.head_only());
    CHECK(parser.request().headers[1].value == "a b");
    CHECK(parser.end() == in.size());

    RequestParser closing;
    std::string close_in = "GET / HTTP/1.1\r\nConnection: Keep-Alive, close\r\n\r\n";
    REQUIRE(closing.advance(close_in) == Step::head);
    REQUIRE(closing.advance(close_in) == Step::complete);
    CHECK_FALSE(closing.keep_alive());
}

TEST_CASE("request parser: 100-continue is wanted only while the body has not started") {
    RequestParser waiting;
    std::string in = "POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n";
    REQUIRE(waiting.advance(in) == Step::head);
    CHECK(waiting.wants_continue(in));
    RequestParser started;
    std::string with_body = in + "{";
    REQUIRE(started.advance(with_body) == Step::head);
    CHECK_FALSE(started.wants_continue(with_body));
}

TEST_CASE(
    "request parser: a bare CR anywhere in a header line is refused with 400 (RFC 9112 2.2)") {
    for (const char* head :
         {"POST / HTTP/1.1\r\nX-Evil: a\rInjected: 1\r\n\r\n",
          "POST / HTTP/1.1\r\nX-Evil: a\r\r\n\r\n", "POST / HTTP/1.1\r\nX\rY: 1\r\n\r\n",
          "POST / HTTP/1.1\r\nX-Folded: a\r\n b\rc\r\n\r\n"}) {
        CAPTURE(head);
        CHECK(parse(head).failed_status == 400);
    }
    CHECK(parse("POST / HTTP/1.1\r\nX-Fine: a b\r\n\r\n").failed_status == 0);
}
