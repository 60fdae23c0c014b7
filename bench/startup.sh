#!/bin/sh
# Whole-process start-up against /bin/true (the floor: fork, exec, exit), in interleaved rounds so
# that every command shares the machine's state: each round is one hyperfine run over all
# commands (-N: no shell in between, output to /dev/null), and the figures are taken over all
# rounds. Results: bench/RESULTS-startup.md.
#
# usage: bench/startup.sh [BUILD_DIR]          (default: build)
#   ROUNDS=10 RUNS=30   rounds, and runs of each command per round
#   BLAND_CLI=1         also the official `bland --version` (npm bland-cli, Node.js), installed
#                       with npm into $BLAND_CLI_DIR (default /tmp/blandhook-bench-node)
#
# Commands: the release archive's binary (cpp-httplib and OpenSSL bound lazily, libraries from
# lib/blandhook) for `--version` and for `fixtures list` (a command that builds the whole command
# tree); the ordinary build's binary, linked as the Debian package's is, for `--version`.
set -eu
build="${1:-build}"
rounds="${ROUNDS:-10}"
runs="${RUNS:-30}"
command -v hyperfine >/dev/null || { echo "startup.sh: hyperfine is not installed" >&2; exit 1; }
archive=$(ls "$build"/dist/blandhook-*-linux-x86_64.tar.gz 2>/dev/null | head -1)
[ -n "$archive" ] && [ -x "$build/blandhook" ] ||
    { echo "startup.sh: no $build/blandhook or release archive in $build/dist (build first)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tar -xzf "$archive" -C "$work"
release=$(ls -d "$work"/blandhook-*/bin/blandhook)

set -- --command-name '/bin/true' '/bin/true' \
    --command-name 'release: blandhook --version' "$release --version" \
    --command-name 'release: blandhook fixtures list' "$release fixtures list" \
    --command-name 'package build: blandhook --version' "$build/blandhook --version"
if [ "${BLAND_CLI:-0}" = 1 ]; then
    node_dir="${BLAND_CLI_DIR:-/tmp/blandhook-bench-node}"
    [ -x "$node_dir/node_modules/.bin/bland" ] ||
        npm install --no-audit --no-fund --prefix "$node_dir" bland-cli >&2
    set -- "$@" --command-name 'bland --version (npm bland-cli)' \
        "$node_dir/node_modules/.bin/bland --version"
fi

echo "release: $("$release" --version | tr '\n' ' ')"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"
round=1
while [ "$round" -le "$rounds" ]; do
    hyperfine -N --style none --warmup 5 --runs "$runs" --export-json "$work/round-$round.json" \
        "$@" >/dev/null
    round=$((round + 1))
done
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"

# Over all rounds: median and minimum of every run, and the per-round median of each command
# minus the same round's /bin/true median (the difference that matters, least disturbed by load).
python3 - "$work" "$rounds" <<'EOF'
import json, os, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
names, times, deltas = [], {}, {}
for r in range(1, rounds + 1):
    results = json.load(open(os.path.join(work, "round-%d.json" % r)))["results"]
    floor = statistics.median(results[0]["times"])
    for result in results:
        name = result["command"]
        if name not in times:
            names.append(name)
            times[name], deltas[name] = [], []
        times[name] += result["times"]
        deltas[name].append(statistics.median(result["times"]) - floor)
ms = lambda s: "%.2f" % (s * 1000)
true_median, true_min = statistics.median(times[names[0]]), min(times[names[0]])
print("| Command | median ms | min ms | median - /bin/true (ms) | min - /bin/true (ms) | "
      "per-round median - /bin/true, median of rounds (ms) | median / /bin/true |")
print("|:---|---:|---:|---:|---:|---:|---:|")
for name in names:
    t = times[name]
    print("| `%s` | %s | %s | %+.2f | %+.2f | %+.2f | %.2fx |" % (
        name, ms(statistics.median(t)), ms(min(t)), (statistics.median(t) - true_median) * 1000,
        (min(t) - true_min) * 1000, statistics.median(deltas[name]) * 1000,
        statistics.median(t) / true_median))
EOF
