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

failures=0
expect() {
    mode="$1" candidate="$2" line="$3"
    got="$(cd "$work/dir" && HOME="$work" fish --no-config -c "source '$work/blandhook.fish'; complete -C '$line'" | cut -f1)"
    if printf '%s\n' "$got" | grep -qx -- "$candidate"; then found=yes; else found=no; fi
    if { [ "$mode" = has ] && [ "$found" = no ]; } || { [ "$mode" = lacks ] && [ "$found" = yes ]; }; then
        echo "FAIL: [$line] should $mode \"$candidate\"; got: $(echo $got)"
        failures=$((failures + 1))
    else
        echo "ok: [$line] $mode $candidate"
    fi
}
expect has listen 'blandhook li'
expect lacks fixtures 'blandhook li'
expect has --forward-to 'blandhook listen --fo'
expect has validate 'blandhook fixtures '
expect has live-event 'blandhook fixtures schema '
expect has post-call 'blandhook fixtures validate --kind '
expect has bash 'blandhook completions '
expect has --signature 'blandhook verify --secret s --sig'
expect has body-one.json 'blandhook sign --secret s body'
# replay's inputs: built-in fixture names and files; file options; fixed and suggested values.
expect has error-busy 'blandhook replay error-b'
expect has body-one.json 'blandhook replay body-'
expect has body-one.json 'blandhook replay --manifest body-'
expect has body-one.json 'blandhook listen --log body-'
expect has body-one.json 'blandhook captures list --log body-'
expect has live-event 'blandhook captures list --kind li'
expect has citations 'blandhook call --webhook-events cit'
expect has two-phase 'blandhook replay --scenario tw'
expect has kind= 'blandhook listen --match ki'
expect lacks list 'blandhook fixtures list '
exit $failures
