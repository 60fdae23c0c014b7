// libFuzzer target for the payload model: whatever bytes arrive, parse_json, canonical_json,
// analyze, classify and validate must neither crash nor disagree with each other.
// Build: cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DBLANDHOOK_FUZZ=ON
//        -DBLANDHOOK_TESTS=OFF -DBLANDHOOK_SANITIZE=ON && cmake --build build-fuzz
// Run:   build-fuzz/blandhook_fuzz -max_total_time=30 -max_len=65536 CORPUS_DIR fixtures
#include "payload/analysis.hpp"
#include "payload/json.hpp"
#include "payload/signature.hpp"

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace payload = blandhook::payload;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);

    std::string canonical;
    bool parsed = false;
    try {
        const payload::Json value = payload::parse_json(body);
        canonical = payload::canonical_json(value);
        parsed = true;
        // JSON.stringify output is itself JSON that prints back unchanged.
        if (payload::canonical_json(payload::parse_json(canonical)) != canonical) {
            std::abort();
        }
        (void)payload::pretty_json(value, 2);
    } catch (const payload::JsonError&) {
        parsed = false;
    }

    const payload::Analysis analysis = payload::analyze(body);
    // analyze (simdjson, with our parser as fallback) and parse_json (JSON.parse) must agree on
    // what is JSON, except that analyze refuses invalid UTF-8 that JavaScript would replace.
    if (parsed && !analysis.is_json && simdjson::validate_utf8(body.data(), body.size())) {
        std::abort();
    }
    if (analysis.is_json && !parsed) {
        std::abort();
    }
    if (analysis.is_json) {
        if (payload::classify(body) != analysis.kind) {
            std::abort();
        }
        const auto findings = payload::validate(body, analysis.kind);
        if (findings.size() != analysis.findings.size()) {
            std::abort();
        }
    } else if (analysis.kind != payload::Kind::unknown || !analysis.findings.empty()) {
        std::abort();
    }
    for (payload::Kind kind : payload::k_schema_kinds) {
        (void)payload::validate(body, kind);
    }
    (void)payload::to_json(analysis).dump();

    if (parsed) {
        const std::string signature = payload::sign("fuzz", canonical);
        if (payload::check_signature("fuzz", body, signature) ==
            payload::SignatureVerdict::invalid) {
            std::abort(); // a re-serialising sender's signature must verify
        }
    }
    return 0;
}
