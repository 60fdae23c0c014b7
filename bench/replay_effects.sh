#!/usr/bin/env bash
# What proving the effects costs: the whole fixture library over every scenario against
# tests/replay/store_handler.py (the correct mode: verify, then upsert into SQLite), without a
# probe, with --probe URL and with --probe-cmd running the sqlite3 command-line tool, interleaved
# ROUNDS times (the machine is shared: the ratio of medians taken in the same rounds is the figure).
# Usage: bench/replay_effects.sh [BLANDHOOK_BINARY] [JOBS]
set -euo pipefail
cd "$(dirname "$0")/.."
blandhook=$(realpath "${1:-build/blandhook}")
jobs=${2:-4}
rounds=${ROUNDS:-3}
secret=whsec_bench

. bench/lib.sh
bench_scratch effects

/usr/bin/python3 tests/replay/store_handler.py --secret "$secret" --db "$work/app.db" \
    --port-file "$work/port" >/dev/null &
bench_pids+=($!)
for _ in $(seq 200); do [ -s "$work/port" ] && break; sleep 0.05; done
port=$(cat "$work/port")
hook="http://127.0.0.1:$port/webhook"

scenarios=()
for name in single two-phase out-of-order duplicate signature-variants bad-signature no-signature; do
    scenarios+=(--scenario "$name")
done
base=("$blandhook" replay fixtures/ --to "$hook" --secret "$secret" "${scenarios[@]}"
      -j "$jobs" --retries 0 -q)
ignores=(--ignore '/*/id' --ignore '/*/updated_at')
probe_url=(--probe "http://127.0.0.1:$port/calls/{call_id}" "${ignores[@]}")
probe_cmd=(--probe-cmd "sqlite3 -cmd '.timeout 10000' -json $work/app.db \"select id, call_id, status, corrected_transcript, citations, updated_at from calls where call_id = '\$BLANDHOOK_CALL_ID' order by id\"" "${ignores[@]}")

timed() { # NAME ARGS...: runs, prints seconds, keeps the totals line
    local name=$1; shift
    local t0 t1
    t0=$(bench_now)
    "$@" >"$work/$name.out" || true
    t1=$(bench_now)
    /usr/bin/python3 -c "print(f'{$t1-$t0:.3f}')"
}
totals() { grep -E "^[0-9]+ cases" "$work/$1.out" | sed 's/ in [0-9.]* s.*: / /'; }

echo "handler: tests/replay/store_handler.py (correct, SQLite WAL in $work), $(nproc) cores, -j $jobs"
# A probe gives every case a fresh call_id of its own, so the no-probe run is also timed with
# --fresh-ids: without it, the cases of one fixture upsert the same row and wait on each other.
plain_times=(); fresh_times=(); url_times=(); cmd_times=()
for round in $(seq "$rounds"); do
    plain_times+=("$(timed plain "${base[@]}")")
    fresh_times+=("$(timed fresh "${base[@]}" --fresh-ids)")
    url_times+=("$(timed url "${base[@]}" "${probe_url[@]}")")
    cmd_times+=("$(timed cmd "${base[@]}" "${probe_cmd[@]}")")
    echo "round $round: no probe ${plain_times[-1]} s, no probe --fresh-ids ${fresh_times[-1]} s, --probe URL ${url_times[-1]} s, --probe-cmd sqlite3 ${cmd_times[-1]} s"
done
plain=$(bench_median "${plain_times[@]}")
fresh=$(bench_median "${fresh_times[@]}")
url=$(bench_median "${url_times[@]}")
cmd=$(bench_median "${cmd_times[@]}")
cat <<OUT

| run (median of $rounds rounds) | seconds | vs no probe | vs no probe --fresh-ids | cases |
|---|---:|---:|---:|---|
| no probe | $plain | | | $(totals plain) |
| no probe, --fresh-ids | $fresh | $(bench_ratio "$fresh" "$plain") | | $(totals fresh) |
| --probe URL (every oracle) | $url | $(bench_ratio "$url" "$plain") | $(bench_ratio "$url" "$fresh") | $(totals url) |
| --probe-cmd sqlite3 (every oracle) | $cmd | $(bench_ratio "$cmd" "$plain") | $(bench_ratio "$cmd" "$fresh") | $(totals cmd) |
OUT
