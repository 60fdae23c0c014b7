// Webhook signing (spec section 5): HMAC-SHA256 as lowercase hex, checked against RFC 4231.
#include "payload/signature.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <string>

using namespace blandhook::payload;

namespace {

std::string bytes(std::size_t count, unsigned char value) {
    return std::string(count, static_cast<char>(value));
}

std::string upper(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return text;
}

} // namespace

TEST_CASE("sign reproduces the RFC 4231 HMAC-SHA256 test vectors") {
    CHECK(sign(bytes(20, 0x0b), "Hi There") ==
          "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    CHECK(sign("Jefe", "what do ya want for nothing?") ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    CHECK(sign(bytes(20, 0xaa), bytes(50, 0xdd)) ==
          "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
    std::string key4;
    for (int i = 1; i <= 25; ++i) {
        key4.push_back(static_cast<char>(i));
    }
    CHECK(sign(key4, bytes(50, 0xcd)) ==
          "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
    // Test case 5 publishes only the first 128 bits.
    CHECK(sign(bytes(20, 0x0c), "Test With Truncation").substr(0, 32) ==
          "a3b6167473100ee06e0c796c2955552b");
    CHECK(sign(bytes(131, 0xaa), "Test Using Larger Than Block-Size Key - Hash Key First") ==
          "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    CHECK(sign(bytes(131, 0xaa),
               "This is a test using a larger than block-size key and a larger than block-size "
               "data. The key needs to be hashed before being used by the HMAC algorithm.") ==
          "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST_CASE("sign handles an empty secret and an empty body") {
    // HMAC-SHA256 with an empty key over an empty message (a well-known value).
    CHECK(sign("", "") == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST_CASE("signature_matches accepts either hex case and surrounding blanks") {
    const std::string body = R"({"call_id":"abc"})";
    const std::string signature = sign("s3cret", body);
    CHECK(signature.size() == 64);
    CHECK(signature.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(signature_matches("s3cret", body, signature));
    CHECK(signature_matches("s3cret", body, upper(signature)));
    CHECK(signature_matches("s3cret", body, " " + signature + "\r\n"));
}

TEST_CASE("signature_matches rejects wrong secrets, bodies, lengths and characters") {
    const std::string body = R"({"call_id":"abc"})";
    const std::string signature = sign("s3cret", body);
    CHECK_FALSE(signature_matches("other", body, signature));
    CHECK_FALSE(signature_matches("s3cret", body + " ", signature));
    CHECK_FALSE(signature_matches("s3cret", body, signature.substr(0, 63)));
    CHECK_FALSE(signature_matches("s3cret", body, signature + "0"));
    CHECK_FALSE(signature_matches("s3cret", body, signature.substr(0, 62)));
    CHECK_FALSE(signature_matches("s3cret", body, ""));
    CHECK_FALSE(signature_matches("s3cret", body, "sha256=" + signature));
    std::string not_hex = signature;
    not_hex[10] = 'g';
    CHECK_FALSE(signature_matches("s3cret", body, not_hex));
    std::string flipped = signature;
    flipped[63] = flipped[63] == '0' ? '1' : '0';
    CHECK_FALSE(signature_matches("s3cret", body, flipped));
}

TEST_CASE("check_signature tells raw, re-serialised, invalid, missing and unchecked apart") {
    const std::string body = "{ \"call_id\": \"abc\", \"price\": 1.50 }";
    const std::string canonical = R"({"call_id":"abc","price":1.5})";
    CHECK(check_signature("", body, sign("k", body)) == SignatureVerdict::not_checked);
    CHECK(check_signature("k", body, std::nullopt) == SignatureVerdict::missing);
    CHECK(check_signature("k", body, sign("k", body)) == SignatureVerdict::valid_raw);
    CHECK(check_signature("k", body, sign("k", canonical)) == SignatureVerdict::valid_canonical);
    CHECK(check_signature("k", body, sign("other", canonical)) == SignatureVerdict::invalid);
    CHECK(check_signature("k", "not json", sign("k", "other")) == SignatureVerdict::invalid);
    CHECK(check_signature("k", body, "") == SignatureVerdict::invalid);
}

TEST_CASE("verdicts have stable names and texts") {
    CHECK(verdict_name(SignatureVerdict::valid_raw) == "valid-raw");
    CHECK(verdict_name(SignatureVerdict::valid_canonical) == "valid-canonical");
    CHECK(verdict_name(SignatureVerdict::not_checked) == "not-checked");
    CHECK(verdict_text(SignatureVerdict::valid_canonical) == "valid (JSON.stringify)");
    CHECK(verdict_text(SignatureVerdict::missing) == "missing");
    for (SignatureVerdict verdict :
         {SignatureVerdict::valid_raw, SignatureVerdict::valid_canonical, SignatureVerdict::invalid,
          SignatureVerdict::missing, SignatureVerdict::not_checked}) {
        CHECK(verdict_from_name(verdict_name(verdict)) == verdict);
    }
    CHECK_FALSE(verdict_from_name("valid (raw)").has_value());
    CHECK(k_signature_header == "X-Webhook-Signature");
}
