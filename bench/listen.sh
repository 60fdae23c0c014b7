#!/usr/bin/env bash
# Throughput, latency, loss and memory of `blandhook listen` against its peers, in one run, on the
# same bodies and with the same load (wrk -t2 -c16): the bare cpp-httplib server (the library's
# ceiling), nginx `return 200` (the machine's limit), a small Node receiver that parses and
# appends each body, and the official `bland listen` (npm bland-cli) forwarding to nginx.
#
#   bench/listen.sh [BUILD_DIR] [SECONDS] [ROUNDS]   default: build-listen 8 2
#
# Each server is measured ROUNDS times, interleaved with the others, and its best round is kept
# (the same rule for all: the machine's noise only ever slows a server down).
#   BLAND_CLI=/path/to/bland bench/listen.sh      use an installed bland-cli (else /tmp/bland-cli)
#
# Results and the command that produced them: bench/RESULTS-listen.md.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=${1:-build-listen}
seconds=${2:-8}
rounds=${3:-2}
blandhook="$root/$build/blandhook"
[ -x "$blandhook" ] || { echo "build blandhook first: $blandhook" >&2; exit 2; }
bland=${BLAND_CLI:-/tmp/bland-cli/node_modules/.bin/bland}
if [ ! -x "$bland" ]; then
  echo "installing bland-cli under /tmp/bland-cli (npm)" >&2
  mkdir -p /tmp/bland-cli && (cd /tmp/bland-cli && npm install --no-audit --no-fund bland-cli >/dev/null)
fi

# Servers here send their output to /dev/null; if it is not the null device (a sandbox that
# replaced it with a file) blandhook would format and write a line per request, and Node too.
[ -c /dev/null ] || { echo "/dev/null is not a character device: fix it first (mknod -m 666 /dev/null c 1 3)" >&2; exit 2; }

. "$here/lib.sh"
bench_scratch listen

secret=bench-secret
small="$root/fixtures/completed-outbound.json"
large="$work/large.json"
# ~110 KB: the same call with its transcript repeated, as a long call would send.
node -e '
  const fs = require("fs");
  const body = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  const turns = body.transcripts || [];
  const out = Object.assign({}, body, {transcripts: []});
  let text = "";
  while (JSON.stringify(out, null, 2).length < 110 * 1024) {
    for (const t of turns) out.transcripts.push(Object.assign({}, t, {id: out.transcripts.length + 1}));
  }
  fs.writeFileSync(process.argv[2], JSON.stringify(out, null, 2));
' "$small" "$large"

g++ -O2 -std=c++20 -o "$work/bare" "$here/listen_bare_server.cpp" -lcpp-httplib -lpthread

nginx_port=$(bench_free_port)
bench_nginx "$nginx_port" 2 "'{\"ok\":true}'" 'client_max_body_size 20m; client_body_buffer_size 256k;'

# warm URL BODY: one second of the same load, not measured. Before it, the dirty pages earlier
# servers left (the Node receiver's and blandhook's logs, gigabytes per run) are flushed, so that
# no server pays for another's writeback.
warm() {
  sync
  local signature
  signature=$(openssl dgst -sha256 -hmac "$secret" -hex < "$2" | sed 's/^.*= //')
  BODY_FILE=$2 SIGNATURE=$signature wrk -t2 -c16 -d1s -s "$here/listen_post.lua" "$1" >/dev/null 2>&1 || true
}

# run_wrk NAME URL BODY: prints "rps p50 p99 requests errors"
run_wrk() {
  local url=$2 body=$3 signature
  signature=$(openssl dgst -sha256 -hmac "$secret" -hex < "$body" | sed 's/^.*= //')
  BODY_FILE=$body SIGNATURE=$signature wrk -t2 -c16 -d"${seconds}s" --latency -s "$here/listen_post.lua" "$url" > "$work/wrk.txt" 2>&1
  local rps p50 p99 requests errors
  rps=$(awk '/^Requests\/sec/ {print $2}' "$work/wrk.txt")
  p50=$(awk '$1=="50%" {print $2}' "$work/wrk.txt")
  p99=$(awk '$1=="99%" {print $2}' "$work/wrk.txt")
  requests=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
  errors=$(awk '/Socket errors|Non-2xx/ {printf "%s ", $0}' "$work/wrk.txt")
  echo "$rps $p50 $p99 $requests ${errors:-none}"
}

# stop PID: SIGTERM, then wait until it has really gone (SIGKILL after 5 s). A server still
# working off its backlog after wrk stops (bland listen does, for seconds) would otherwise take
# CPU from the next one measured.
stop() {
  kill "$1" 2>/dev/null || return 0
  for _ in $(seq 1 50); do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$1" 2>/dev/null || true
  while kill -0 "$1" 2>/dev/null; do sleep 0.1; done
}

to_ms() { # wrk prints 812.00us, 1.23ms, 1.01s
  awk -v v="$1" 'BEGIN { n=v+0; if (v ~ /us$/) n/=1000; else if (v ~ /ms$/) n=n; else if (v ~ /s$/) n*=1000; printf "%.2f", n }'
}

# keep NAME SIZE RPS P99: remembers the best round of a server (the same rule for every server).
declare -A rps p99 note
keep() {
  local old=${rps[$1,$2]:-0}
  if awk -v a="$3" -v b="$old" 'BEGIN { exit !(a > b) }'; then
    rps[$1,$2]=$3; p99[$1,$2]=$4
  fi
}

for round in $(seq 1 "$rounds"); do
for size in small large; do
  body=$([ $size = small ] && echo "$small" || echo "$large")
  bytes=$(stat -c %s "$body")

  port=$(bench_free_port); "$work/bare" "$port" >/dev/null & bench_pids+=($!); bench_wait_http "$port"
  warm "http://127.0.0.1:$port/" "$body"
  read -r r _ q n e < <(run_wrk bare "http://127.0.0.1:$port/" "$body")
  keep bare $size "$r" "$q"; stop "${bench_pids[-1]}"

  warm "http://127.0.0.1:$nginx_port/" "$body"
  read -r r _ q n e < <(run_wrk nginx "http://127.0.0.1:$nginx_port/" "$body")
  keep nginx $size "$r" "$q"

  port=$(bench_free_port); node "$here/listen_node_receiver.js" "$port" "$work/node.ndjson" >/dev/null & bench_pids+=($!); bench_wait_http "$port"
  warm "http://127.0.0.1:$port/" "$body"
  read -r r _ q n e < <(run_wrk node "http://127.0.0.1:$port/" "$body")
  keep node $size "$r" "$q"; stop "${bench_pids[-1]}"
  rm -f "$work/node.ndjson"

  port=$(bench_free_port)
  HOME=$work "$bland" listen --port "$port" --forward-to "http://127.0.0.1:$nginx_port/" >/dev/null 2>&1 & bench_pids+=($!)
  bench_wait_http "$port"
  warm "http://127.0.0.1:$port/" "$body"
  read -r r _ q n e < <(run_wrk bland "http://127.0.0.1:$port/" "$body")
  keep bland $size "$r" "$q"; stop "${bench_pids[-1]}"

  port=$(bench_free_port); log="$work/captures-$size.ndjson"
  rm -f "$log"
  "$blandhook" listen --port "$port" --save "$log" --secret "$secret" >/dev/null 2>"$work/blandhook.err" & bench_pids+=($!)
  bh=${bench_pids[-1]}
  bench_wait_http "$port"
  warm "http://127.0.0.1:$port/" "$body"
  before=$(wc -l < "$log")
  read -r r _ q n e < <(run_wrk blandhook "http://127.0.0.1:$port/" "$body")
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$bh/status")
  kill -TERM "$bh"; wait "$bh" 2>/dev/null || true
  lines=$(( $(wc -l < "$log") - before ))
  bad=$(grep -c '"signature":"valid-raw"' "$log" || true)
  total=$(wc -l < "$log")
  rm -f "$log"
  keep blandhook $size "$r" "$q"
  note[$size]="${note[$size]:-}
  round $round: blandhook $r req/s; wrk completed $n requests ($e), the log gained $lines lines during the measured run; $bad of its $total lines have a valid raw signature; RSS ${rss} kB at the end"
  echo "round $round: $size ($bytes bytes) done" >&2
done
done

echo "| server | 10 KB req/s | p99 | 110 KB req/s | p99 |"
echo "|---|---|---|---|---|"
for s in bare nginx node bland blandhook; do
  echo "| $s | ${rps[$s,small]} | ${p99[$s,small]} | ${rps[$s,large]} | ${p99[$s,large]} |"
done
echo
for size in small large; do
  b=${rps[blandhook,$size]}
  awk -v b="$b" -v bare="${rps[bare,$size]}" -v node="${rps[node,$size]}" -v bland="${rps[bland,$size]}" -v ng="${rps[nginx,$size]}" -v size="$size" \
    'BEGIN { printf "%s: blandhook = %.2fx bare httplib, %.2fx nginx, %.2fx node, %.1fx bland listen\n", size, b/bare, b/ng, b/node, b/bland }'
  echo "$size: p99 $(to_ms "${p99[blandhook,$size]}") ms (best round)${note[$size]}"
done
