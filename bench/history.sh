#!/usr/bin/env bash
# Capture history at scale (issue 13): builds a 1,000,000-capture log with the real writer
# (bench/history_gen.cpp over capture::Store) and a 10-capture one, then measures, interleaved in
# one run: `captures list` (newest 20) and `captures show ID` on both (the ratio is the target:
# at most 2x), their peak memory (at most 50 MB), a text search over the whole log against
# `grep -c` on the same file (at most 1.5x), stats, a call's story, gzip level 1 on a slice of
# the log (the rotation's compression), and the inspector on the big log (bench/inspector.mjs).
# Writes bench/RESULTS-history.md.
# Usage: bench/history.sh [build-dir]   (BENCH_DIR=/tmp/… to keep the logs elsewhere; ROUNDS=7;
#        BLANDHOOK=path/to/blandhook to measure another binary;
#        CAPTURES=1000000; INSPECTOR=0 to skip the browser part)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
bin=${BLANDHOOK:-$build/blandhook}
work=${BENCH_DIR:-/tmp/blandhook-history-bench}
rounds=${ROUNDS:-7}
count=${CAPTURES:-1000000}
mkdir -p "$work"

# The generator links the same library as the binary; the logs are kept between runs.
gen=$work/history_gen
big=$work/big/captures.ndjson
small=$work/small/captures.ndjson
if [ ! -s "$big" ] || [ ! -s "$small" ]; then
    ${CXX:-g++} -std=c++20 -O2 -DNDEBUG -I"$root/src" -o "$gen" "$root/bench/history_gen.cpp" \
        "$build/libblandhook_lib.a" -lsimdjson -lfmt -lssl -lcrypto -lz -lbrotlienc -lbrotlidec -pthread
fi
if [ ! -s "$big" ]; then
    mkdir -p "$work/big"
    start=$(date +%s.%N)
    "$gen" "$big" "$count" "$root"
    awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN { printf "%.1f", a - b }' > "$work/gen_seconds"
fi
gen_seconds=$(cat "$work/gen_seconds" 2>/dev/null || echo "?")
if [ ! -s "$small" ]; then
    mkdir -p "$work/small"
    "$gen" "$small" 10 "$root" >/dev/null
fi
big_bytes=$(stat -c %s "$big")
big_count=$(grep -c '' "$big")
# A call in the middle of the log: its captures, and a text that only its lines hold.
middle_call=$(sed -n "$((big_count / 2))p" "$big" | grep -o '"call_id":"[^"]*"' | tail -1 | cut -d'"' -f4)

# Seconds and peak KiB of one command (output to a file in the work directory).
measure() {
    /usr/bin/time -f '%e %M' -o "$work/time.txt" "$@" >"$work/out.txt" 2>"$work/err.txt" || true
    cat "$work/time.txt" | tail -1
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# Finer clock than /usr/bin/time's 10 ms: hyperfine, interleaved by running both commands in
# each of its rounds (it alternates between them).
hf() { # name, commands…
    local name=$1; shift
    hyperfine -N --ignore-failure --warmup 2 --runs "$rounds" --export-json "$work/$name.json" "$@" >/dev/null 2>&1
}
mean_ms() { # json file, index
    node -e "const r=require('$1').results[$2]; const m=r.times.slice().sort((a,b)=>a-b); console.log((m[Math.floor(m.length/2)]*1000).toFixed(2))"
}

drop_note="page cache warm (each command run twice before timing)"
hf list "$bin captures list --log $small" "$bin captures list --log $big"
list_small=$(mean_ms "$work/list.json" 0); list_big=$(mean_ms "$work/list.json" 1)
hf show "$bin captures show 5 --log $small" "$bin captures show $((big_count / 2)) --log $big"
show_small=$(mean_ms "$work/show.json" 0); show_big=$(mean_ms "$work/show.json" 1)
hf export "$bin captures export 5 --as curl --log $small" "$bin captures export $((big_count / 2)) --as curl --log $big"
export_small=$(mean_ms "$work/export.json" 0); export_big=$(mean_ms "$work/export.json" 1)

list_rss=$(measure "$bin" captures list --log "$big" | cut -d' ' -f2)
show_rss=$(measure "$bin" captures show $((big_count / 2)) --log "$big" | cut -d' ' -f2)

# Search: a needle with letters (case folded by blandhook; grep -c is case-sensitive, grep -ci
# is shown too) that is in no line, so both read everything; and a call_id (one call's lines).
needle=no-such-Text-anywhere
hf grep "$bin captures list --log $big --grep $needle -n 1000000 --json" "grep -c $needle $big" "grep -ci $needle $big"
search_ms=$(mean_ms "$work/grep.json" 0); grep_ms=$(mean_ms "$work/grep.json" 1); grepi_ms=$(mean_ms "$work/grep.json" 2)
hf grepcall "$bin captures list --log $big --grep $middle_call -n 1000000 --json" "grep -c $middle_call $big"
call_search_ms=$(mean_ms "$work/grepcall.json" 0); call_grep_ms=$(mean_ms "$work/grepcall.json" 1)
call_matches=$("$bin" captures list --log "$big" --grep "$middle_call" -n 1000000 --json | grep -c '')
search_rss=$(measure "$bin" captures list --log "$big" --grep "$needle" -n 1000000 --json | cut -d' ' -f2)
hf since "$bin captures list --log $big --since 2026-11-30T12:00 --kind post-call -n 5 --json"
since_ms=$(mean_ms "$work/since.json" 0)

hf story "$bin captures call $middle_call --log $big"
story_ms=$(mean_ms "$work/story.json" 0)
story_head=$("$bin" captures call "$middle_call" --log "$big" | grep -E '^call |^post-call' | head -2)
stats_t=$(measure "$bin" captures stats --log "$big")
stats_s=$(echo "$stats_t" | cut -d' ' -f1); stats_rss=$(echo "$stats_t" | cut -d' ' -f2)

# The rotation's compression: gzip -1 (zlib level 1, what blandhook uses) on 64 MiB of the log,
# and on one post-call line alone.
slice=$work/slice.ndjson
head -c $((64 << 20)) "$big" > "$slice"
gz_start=$(date +%s.%N)
gzip -1 -c "$slice" > "$slice.gz"
gz_seconds=$(awk -v a="$(date +%s.%N)" -v b="$gz_start" 'BEGIN { printf "%.2f", a - b }')
slice_ratio=$(ratio "$(stat -c %s "$slice")" "$(stat -c %s "$slice.gz")")
grep -m1 '"kind":"post-call"' "$big" > "$work/post.ndjson"
post_ratio=$(ratio "$(stat -c %s "$work/post.ndjson")" "$(gzip -1 -c "$work/post.ndjson" | wc -c)")
gz_mbs=$(awk -v s="$gz_seconds" 'BEGIN { printf "%.0f", 64 / s }')
rm -f "$slice" "$slice.gz"

inspector_lines="(skipped: INSPECTOR=0)"
if [ "${INSPECTOR:-1}" != 0 ]; then
    inspector_lines=$(node "$root/bench/inspector.mjs" "$bin" --history-dir "$work/big" --call "$middle_call")
fi

load=$(cut -d' ' -f1-3 /proc/loadavg)
cat > "$root/bench/RESULTS-history.md" <<EOF
# Capture history at scale (issue 13)

Measured by \`bench/history.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores shared with other
engineers' builds (load average at the end: $load), so absolute times are pessimistic; the
ratios are taken within one run, both sides timed by hyperfine in alternation ($rounds runs each,
median shown), $drop_note.

## Reproduce

\`\`\`sh
cmake --build build -j2 --target blandhook
(cd tests/browser && npm install)     # for the inspector part (playwright-core, Debian chromium)
bench/history.sh build
\`\`\`

The big log: $big_count captures, $(ratio "$big_bytes" 1073741824) GiB, written by
\`bench/history_gen.cpp\` through \`capture::Store::append\` (the listener's writer) in
$gen_seconds s: calls of six live events, a 10 KB post-call webhook, a delayed post-call webhook
for one call in three and a citations event for one in five, over 30 days. The small log: 10 of
the same.

## Results

| what | 10 captures | $big_count captures | ratio | target |
|---|---|---|---|---|
| \`captures list\` (newest 20) | $list_small ms | $list_big ms | $(ratio "$list_big" "$list_small")x | ≤ 2x |
| \`captures show ID\` (ID in the middle) | $show_small ms | $show_big ms | $(ratio "$show_big" "$show_small")x | ≤ 2x |
| \`captures export ID --as curl\` | $export_small ms | $export_big ms | $(ratio "$export_big" "$export_small")x | — |
| peak memory, \`list\` / \`show\` on the big log | | $((list_rss / 1024)) MB / $((show_rss / 1024)) MB | | ≤ 50 MB |

| search over the big log | blandhook | grep | ratio | target |
|---|---|---|---|---|
| \`captures list --grep $needle -n 1000000\` (no match: reads all) vs \`grep -c\` | $search_ms ms | $grep_ms ms | $(ratio "$search_ms" "$grep_ms")x | ≤ 1.5x |
| the same vs \`grep -ci\` (blandhook ignores case) | $search_ms ms | $grepi_ms ms | $(ratio "$search_ms" "$grepi_ms")x | — |
| \`--grep CALL_ID\` ($call_matches matching captures, parsed and printed) vs \`grep -c\` | $call_search_ms ms | $call_grep_ms ms | $(ratio "$call_search_ms" "$call_grep_ms")x | — |

Peak memory of the search: $((search_rss / 1024)) MB.

| other commands on the big log | time |
|---|---|
| \`captures list --since 2026-11-30T12:00 --kind post-call -n 5\` | $since_ms ms |
| \`captures call CALL_ID\` (whole history) | $story_ms ms |
| \`captures stats\` (every line) | $stats_s s, $((stats_rss / 1024)) MB |

\`\`\`
$story_head
\`\`\`

Compression of rotated segments (zlib level 1, as \`listen --max-log-size\` does): 64 MiB of the
log shrinks ${slice_ratio}x at $gz_mbs MB/s on this machine; one post-call line alone
${post_ratio}x.

Inspector on the big log (bench/inspector.mjs --history-dir, Debian chromium via playwright-core):

\`\`\`
$inspector_lines
\`\`\`
EOF
cat "$root/bench/RESULTS-history.md"
