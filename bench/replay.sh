#!/usr/bin/env bash
# Replay throughput and memory, all in one run so that the ratios compare like with like:
#   20,000 POSTs of fixtures/completed-outbound.json (canonical compact bytes) to nginx on
#   loopback with `blandhook replay -j 8`, `hey -c 8` and a `curl` loop (timed over fewer curls
#   and extrapolated, as stated in the output); then the peak RSS of replaying a generated
#   100,000-line capture log.
# Usage: bench/replay.sh [BLANDHOOK_BINARY] [DELIVERIES] [CURLS]
set -euo pipefail
cd "$(dirname "$0")/.."
blandhook=$(realpath "${1:-build-replay/blandhook}")
deliveries=${2:-20000}
curls=${3:-300}
log_lines=${LOG_LINES:-100000}
secret=whsec_bench

. bench/lib.sh
bench_scratch replay
port=$(bench_free_port)
# The whole 9.5 KB body fits the buffer; 'return' reads and discards it, so keep-alive holds.
bench_nginx "$port" 1 '"ok\n"' \
    'client_body_buffer_size 64k; keepalive_requests 1000000; keepalive_timeout 60s;'
url="http://127.0.0.1:$port/webhook"

# The body as replay sends it (canonical compact JSON) and its signature, for hey and curl.
/usr/bin/python3 - "$work" "$secret" "$blandhook" <<'PY'
import hashlib, hmac, json, subprocess, sys
work, secret, blandhook = sys.argv[1], sys.argv[2], sys.argv[3]
body = open("fixtures/completed-outbound.json", "rb").read()
body = json.dumps(json.loads(body), separators=(",", ":"), ensure_ascii=False).encode()
open(work + "/body.json", "wb").write(body)
open(work + "/signature", "w").write(hmac.new(secret.encode(), body, hashlib.sha256).hexdigest())
PY
signature=$(cat "$work/signature")
status=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary @"$work/body.json" "$url")
[ "$status" = 200 ] || { echo "nginx answered $status to POST, not 200" >&2; exit 1; }
body_bytes=$(stat -c %s "$work/body.json")

rate() { /usr/bin/python3 -c "print(f'{$1/($3-$2):.0f}')"; }

echo "target: nginx $(nginx -v 2>&1 | sed 's/.*\///') on $url, body ${body_bytes} bytes, $(nproc) cores"

# The three fast runs interleaved, ROUNDS times: the machine is shared, so the ratio of medians
# taken in the same rounds is the figure, and every round is printed.
# Each run's own CPU time (user + system, from /usr/bin/time) is kept too: on a shared machine the
# wall-clock rate swings with the neighbours' load, the CPU a client spends per delivery much less.
rounds=${ROUNDS:-3}
replay_rates=(); fresh_rates=(); hey_rates=()
replay_cpus=(); fresh_cpus=(); hey_cpus=()
cpu_us() { /usr/bin/python3 -c "u, s = open('$work/cpu').read().split()[:2]; print(f'{(float(u) + float(s)) * 1e6 / $1:.1f}')"; }
for round in $(seq "$rounds"); do
    t0=$(bench_now)
    /usr/bin/time -f "%U %S" -o "$work/cpu" "$blandhook" replay completed-outbound --to "$url" --secret "$secret" --repeat "$deliveries" \
        -j 8 --retries 0 -q >"$work/replay.out"
    t1=$(bench_now)
    grep -q "$deliveries passed" "$work/replay.out" || { cat "$work/replay.out"; exit 1; }
    replay_rates+=("$(rate "$deliveries" "$t0" "$t1")")
    replay_cpus+=("$(cpu_us "$deliveries")")

    t0=$(bench_now)
    /usr/bin/time -f "%U %S" -o "$work/cpu" "$blandhook" replay completed-outbound --to "$url" --secret "$secret" --repeat "$deliveries" \
        -j 8 --retries 0 -q --fresh-ids >"$work/replay-fresh.out"
    t1=$(bench_now)
    grep -q "$deliveries passed" "$work/replay-fresh.out" || { cat "$work/replay-fresh.out"; exit 1; }
    fresh_rates+=("$(rate "$deliveries" "$t0" "$t1")")
    fresh_cpus+=("$(cpu_us "$deliveries")")

    t0=$(bench_now)
    /usr/bin/time -f "%U %S" -o "$work/cpu" hey -c 8 -n "$deliveries" -m POST -D "$work/body.json" -T application/json \
        -H "X-Webhook-Signature: $signature" "$url" >"$work/hey.out"
    t1=$(bench_now)
    grep -q "\[200\].*$deliveries responses" "$work/hey.out" || { cat "$work/hey.out"; exit 1; }
    hey_rates+=("$(rate "$deliveries" "$t0" "$t1")")
    hey_cpus+=("$(cpu_us "$deliveries")")
    echo "round $round: replay ${replay_rates[-1]}/s (${replay_cpus[-1]} us CPU each), replay --fresh-ids ${fresh_rates[-1]}/s (${fresh_cpus[-1]} us), hey ${hey_rates[-1]}/s (${hey_cpus[-1]} us); fresh/hey this round $(bench_ratio "${fresh_rates[-1]}" "${hey_rates[-1]}")"
done
replay_cpu=$(bench_median "${replay_cpus[@]}")
fresh_cpu=$(bench_median "${fresh_cpus[@]}")
hey_cpu=$(bench_median "${hey_cpus[@]}")
replay_rate=$(bench_median "${replay_rates[@]}")
fresh_rate=$(bench_median "${fresh_rates[@]}")
hey_rate=$(bench_median "${hey_rates[@]}")

t0=$(bench_now)
for _ in $(seq "$curls"); do
    curl -s -o /dev/null -X POST --data-binary @"$work/body.json" -H "Content-Type: application/json" \
        -H "X-Webhook-Signature: $signature" "$url"
done
t1=$(bench_now)
curl_rate=$(rate "$curls" "$t0" "$t1")

# Memory: a 100,000-line capture log (as `blandhook listen` writes it), replayed with -j 8.
/usr/bin/python3 - "$work" "$log_lines" <<'PY'
import json, sys
work, lines = sys.argv[1], int(sys.argv[2])
body = open(work + "/body.json", encoding="utf-8").read()
with open(work + "/captures.ndjson", "w", encoding="utf-8") as out:
    for i in range(1, lines + 1):
        out.write(json.dumps({"id": i, "received_at": "2026-11-27T10:00:00.000Z", "method": "POST",
                              "path": "/webhook", "query": "", "peer": "127.0.0.1:40000",
                              "headers": [["Content-Type", "application/json"]],
                              "body_bytes": len(body.encode()), "body": body,
                              "response": {"status": 200, "latency_us": 100}},
                             separators=(",", ":"), ensure_ascii=False) + "\n")
PY
log_mb=$(( $(stat -c %s "$work/captures.ndjson") / 1048576 ))
t0=$(bench_now)
/usr/bin/time -f "%M" -o "$work/rss" "$blandhook" replay "$work/captures.ndjson" --to "$url" \
    --secret "$secret" -j 8 --retries 0 -q --report junit:"$work/log.xml" \
    --report json:"$work/log.json" >"$work/log.out"
t1=$(bench_now)
grep -q "$log_lines passed" "$work/log.out" || { tail "$work/log.out"; exit 1; }
rss_mb=$(( $(cat "$work/rss") / 1024 ))
log_rate=$(rate "$log_lines" "$t0" "$t1")

cat <<OUT

| run (median of $rounds rounds) | deliveries/s | blandhook replay vs it |
|---|---:|---:|
| blandhook replay -j 8 (body signed once, reused) | $replay_rate | |
| blandhook replay -j 8 --fresh-ids (every body a new call id, signed on its own) | $fresh_rate | |
| hey -c 8 (one precomputed body and signature) | $hey_rate | $(bench_ratio "$replay_rate" "$hey_rate") (fresh ids: $(bench_ratio "$fresh_rate" "$hey_rate")) |
| curl loop, $curls runs extrapolated to $deliveries | $curl_rate | $(bench_ratio "$replay_rate" "$curl_rate") (fresh ids: $(bench_ratio "$fresh_rate" "$curl_rate")) |

| client CPU per delivery (user + system, median of $rounds rounds) | µs | hey's CPU / it |
|---|---:|---:|
| blandhook replay -j 8 | $replay_cpu | $(bench_ratio "$hey_cpu" "$replay_cpu") |
| blandhook replay -j 8 --fresh-ids | $fresh_cpu | $(bench_ratio "$hey_cpu" "$fresh_cpu") |
| hey -c 8 | $hey_cpu | |

capture log: $log_lines lines ($log_mb MB) replayed with -j 8 and JUnit + JSON reports in
$(/usr/bin/python3 -c "print(f'{$t1-$t0:.1f}')") s ($log_rate/s), peak RSS $rss_mb MB
OUT
