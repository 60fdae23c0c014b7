#!/bin/sh
# Whole-process start-up: `blandhook --version` against /bin/true (the floor: fork, exec, exit)
# and the official `bland --version` (npm bland-cli, Node.js), measured by hyperfine in one run
# so the three figures share the machine's state. Results: bench/RESULTS-startup.md.
#
# usage: bench/startup.sh [path/to/blandhook]     (default: build/blandhook)
# The official CLI is installed with npm into $BLAND_CLI_DIR (default /tmp/blandhook-bench-node),
# never into the repository.
set -eu
blandhook="${1:-build/blandhook}"
node_dir="${BLAND_CLI_DIR:-/tmp/blandhook-bench-node}"
runs="${RUNS:-300}"

command -v hyperfine >/dev/null || { echo "startup.sh: hyperfine is not installed" >&2; exit 1; }
[ -x "$blandhook" ] || { echo "startup.sh: no blandhook binary at $blandhook (build first)" >&2; exit 1; }
if [ ! -x "$node_dir/node_modules/.bin/bland" ]; then
    npm install --no-audit --no-fund --prefix "$node_dir" bland-cli >&2
fi
bland="$node_dir/node_modules/.bin/bland"

# A fourth reference splits blandhook's figure in two: an empty C++ main linked against the same
# shared libraries (libstdc++, fmt, simdjson, cpp-httplib, OpenSSL, and through httplib zlib and
# brotli) costs the dynamic loader's share; the rest is blandhook's own start-up.
json="$(mktemp)"
libs_only="$(mktemp)"
trap 'rm -f "$json" "$libs_only"' EXIT
printf 'int main() { return 0; }\n' |
    ${CXX:-c++} -O2 -x c++ - -o "$libs_only" -Wl,--no-as-needed \
        -lfmt -lsimdjson -lcpp-httplib -lssl -lcrypto -lstdc++

echo "blandhook: $("$blandhook" --version)   bland-cli: $("$bland" --version)   node: $(node --version)"
# -N: no intermediate shell, so each figure is the program alone.
hyperfine -N --warmup 20 --runs "$runs" --export-json "$json" \
    --command-name '/bin/true' '/bin/true' \
    --command-name 'empty main + the same shared libraries' "$libs_only" \
    --command-name 'blandhook --version' "$blandhook --version" \
    --command-name 'bland --version (npm bland-cli)' "$bland --version"

# Medians and minimums resist the noise of a shared machine better than means: print those too,
# and each command's distance from /bin/true.
node -e '
const results = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).results;
const ms = (s) => (s * 1000).toFixed(2);
const floor = results[0];
console.log("| Command | median ms | min ms | mean ms | median - /bin/true | median / blandhook |");
console.log("|:---|---:|---:|---:|---:|---:|");
for (const r of results) {
  console.log(`| \`${r.command}\` | ${ms(r.median)} | ${ms(r.min)} | ${ms(r.mean)} | ` +
              `+${ms(r.median - floor.median)} | ${(r.median / results[2].median).toFixed(2)}x |`);
}' "$json"
