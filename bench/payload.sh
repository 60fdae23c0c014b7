#!/bin/sh
# Validation engine benchmark: blandhook's schema interpreter over simdjson vs valijson over
# nlohmann::json, plus analyze(), canonical_json and HMAC costs, on a ~9 KB and a ~1 MB body.
# Builds the payload model on its own (no other module needed) with -O2, then runs ~10 s.
# Usage: bench/payload.sh   (from anywhere; needs libvalijson-dev, libsimdjson-dev, OpenSSL)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${BENCH_BUILD_DIR:-$root/build-bench-payload}
mkdir -p "$out"
cmake -DSOURCE_DIR="$root" -DOUTPUT="$out/embedded_files.cpp" \
  "-DINPUTS=$(ls "$root"/fixtures/*.json "$root"/src/payload/schemas/*.json | tr '\n' ';' | sed 's/;$//')" \
  -P "$root/cmake/embed.cmake"
${CXX:-g++} -std=c++20 -O2 -DNDEBUG -I"$root/src" -o "$out/payload_bench" \
  "$root/bench/payload_bench.cpp" \
  "$root"/src/payload/kind.cpp "$root"/src/payload/signature.cpp "$root"/src/payload/json.cpp \
  "$root"/src/payload/pointer.cpp \
  "$root"/src/payload/schema.cpp "$root"/src/payload/analysis.cpp "$root"/src/embed/embedded.cpp \
  "$out/embedded_files.cpp" -lsimdjson -lcrypto
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(uname -m), $(nproc) cores, $(${CXX:-g++} --version | head -1)"
exec "$out/payload_bench" "$root"
