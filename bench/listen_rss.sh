#!/usr/bin/env bash
# Memory of `blandhook listen` over a million captures: the listener captures, validates,
# signature-checks and saves the 10 KB fixture under wrk -t2 -c16 until its log holds N lines,
# and its resident memory is sampled as the log grows. Needs ~13 GB of free disk for the log,
# which is deleted at the end.
#
#   bench/listen_rss.sh [BUILD_DIR] [CAPTURES]      default: build-listen 1000000
#
# Results: bench/RESULTS-listen.md ("Memory over a million captures").
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
blandhook="$root/${1:-build-listen}/blandhook"
target=${2:-1000000}
[ -x "$blandhook" ] || { echo "build blandhook first: $blandhook" >&2; exit 2; }
[ -c /dev/null ] || { echo "/dev/null is not a character device" >&2; exit 2; }

work=$(mktemp -d /tmp/blandhook-rss.XXXXXX)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  pkill -P $$ wrk 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

secret=bench-secret
body="$root/fixtures/completed-outbound.json"
signature=$(openssl dgst -sha256 -hmac "$secret" -hex < "$body" | sed 's/^.*= //')
log="$work/captures.ndjson"
"$blandhook" listen --port 0 --save "$log" --secret "$secret" > "$work/out.txt" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  url=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/out.txt" | head -1 || true)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "blandhook did not start" >&2; exit 1; }

BODY_FILE=$body SIGNATURE=$signature wrk -t2 -c16 -d1h -s "$here/listen_post.lua" "$url/" > /dev/null 2>&1 &
load=$!
echo "| captures in the log | RSS | log size |"
echo "|---|---|---|"
next=100000
start=$(date +%s)
while :; do
  sleep 1
  lines=$(curl -s "$url/_blandhook/health" | sed 's/.*"captures":\([0-9]*\).*/\1/')
  if [ "$lines" -ge "$next" ] || [ "$lines" -ge "$target" ]; then
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
    size=$(du -h "$log" | cut -f1)
    printf '| %s | %.1f MB | %s |\n' "$lines" "$(echo "$rss / 1024" | bc -l)" "$size"
    next=$(( next + 100000 ))
  fi
  [ "$lines" -ge "$target" ] && break
done
kill "$load" 2>/dev/null || true
wait "$load" 2>/dev/null || true
echo
echo "$target captures in $(( $(date +%s) - start )) s; every line $(grep -c '"signature":"valid-raw"' "$log") of $(wc -l < "$log") signed valid"
