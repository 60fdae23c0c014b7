#!/bin/sh
# Checks the generated zsh completion: `zsh -n`, then real completion in an interactive zsh
# driven through zpty, with compadd wrapped to print every candidate it is given.
set -eu
binary="$1"
command -v zsh >/dev/null || { echo "zsh is not installed (tools/test installs it)"; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/functions"
: >"$work/body-one.json"
"$binary" completions zsh >"$work/functions/_blandhook"
zsh -n "$work/functions/_blandhook"

cat >"$work/complete.zsh" <<'ZSH'
# usage: zsh -f complete.zsh FUNCTION_DIR 'words to complete' -> one candidate per line
zmodload zsh/zpty || exit 3
zpty z zsh -f -i
# The dump file lives in the scratch directory: zsh replaces a -d file with a regular file, and
# /dev/null must stay the null device for everything else on the machine.
zpty -w z "fpath=($1 \$fpath); autoload -U compinit; compinit -u -D -d $1/zcompdump; PROMPT='> '"
zpty -w z 'compadd() { local -a __hits; builtin compadd -A __hits "$@"; local i; for i in $__hits; do print -r -- "<hit>$i</hit>"; done; builtin compadd "$@"; }'
zpty -w z "print '<rea''dy>'"
zpty -r -m z line '*<ready>*' || exit 4
# TAB completes, Ctrl-U clears the line, then a marker command ends the output.
zpty -n -w z "$2"$'\t\x15'
zpty -w z "print '<do''ne>'"
zpty -r -m z out '*<done>*' || exit 5
print -r -- "$out" | grep -o '<hit>[^<]*</hit>' | sed 's/<hit>\(.*\)<\/hit>/\1/' | sort -u
zpty -d z
ZSH

candidates() {
    # An interactive zsh on a pty can lose a keystroke on a loaded machine: an empty answer is
    # asked again (up to three times); a non-empty one is final.
    for attempt in 1 2 3; do
        answer="$(cd "$work" && timeout 30 zsh -f "$work/complete.zsh" "$work/functions" "$1" || true)"
        [ -n "$answer" ] && break
    done
    printf '%s\n' "$answer"
}
. "$(dirname "$0")/expect.sh"
expect_common
expect has delayed-post-call 'blandhook fixtures schema '
expect has fish 'blandhook completions '
expect has --canonical 'blandhook sign --c'
expect lacks manpage 'blandhook ma'
# An earlier version of this test pointed compinit's dump at /dev/null, and zsh replaced the
# device with a regular file: everything that wrote to /dev/null afterwards filled that file.
if [ ! -c /dev/null ]; then
  echo "FAIL: /dev/null is no longer the null device after running zsh"
  failures=$((failures + 1))
fi
exit $failures
