#!/bin/sh
# Loads the generated fish completion and asks fish itself (`complete -C`) for candidates.
set -eu
binary="$1"
command -v fish >/dev/null || { echo "fish is not installed (tools/test installs it)"; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$binary" completions fish >"$work/blandhook.fish"
fish --no-execute "$work/blandhook.fish"
mkdir "$work/dir" && : >"$work/dir/body-one.json"

candidates() {
    (cd "$work/dir" && HOME="$work" fish --no-config -c "source '$work/blandhook.fish'; complete -C '$1'" | cut -f1)
}
. "$(dirname "$0")/expect.sh"
expect_common
expect lacks fixtures 'blandhook li'
expect has live-event 'blandhook fixtures schema '
expect has post-call 'blandhook fixtures validate --kind '
expect has bash 'blandhook completions '
expect has --signature 'blandhook verify --secret s --sig'
expect has body-one.json 'blandhook sign --secret s body'
expect lacks list 'blandhook fixtures list '
exit $failures
