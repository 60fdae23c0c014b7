#!/usr/bin/env bash
# Calls per second `blandhook emulate` accepts and completes with every webhook delivered and
# signed. Usage: bench/emulate.sh [BUILD_DIR] [CALLS] [CONCURRENCY] [CALL_DURATION]
# Defaults: build, 1000 calls, 8 at a time, 100ms simulated calls. Loopback only.
set -euo pipefail
BUILD=${1:-build}
CALLS=${2:-1000}
CONCURRENCY=${3:-8}
DURATION=${4:-100ms}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(mktemp)
"$BUILD/blandhook" emulate --port 0 --quiet --secret bench-secret --api-key bench-key \
  --call-duration "$DURATION" >"$OUT" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true; rm -f "$OUT"' EXIT
for _ in $(seq 1 100); do grep -q 'Bland API on' "$OUT" && break; sleep 0.05; done
URL=$(grep -o 'http://127.0.0.1:[0-9]*' "$OUT" | head -1)
node "$HERE/emulate.mjs" "$URL" bench-secret "$CALLS" "$CONCURRENCY"
kill -INT $PID
wait $PID || true
tail -1 "$OUT"
