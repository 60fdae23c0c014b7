#!/bin/sh
# Sources the generated bash completion (with bash-completion loaded, as on a user's machine),
# drives _blandhook through COMP_WORDS/COMP_CWORD and checks COMPREPLY.
set -eu
binary="$1"
command -v bash >/dev/null || { echo "bash is not installed (tools/test installs it)"; exit 1; }
[ -r /usr/share/bash-completion/bash_completion ] ||
    { echo "bash-completion is not installed (tools/test installs it)"; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$binary" completions bash >"$work/blandhook.bash"
mkdir "$work/dir" && : >"$work/dir/body-one.json" && : >"$work/dir/body-two.json"

cd "$work/dir"
exec bash --norc --noprofile -c '
source /usr/share/bash-completion/bash_completion
source "$1"
failures=0
# expect WANT_OR_NOT CANDIDATE WORDS...: completes the last word of WORDS.
expect() {
    local mode="$1" candidate="$2"
    shift 2
    COMP_WORDS=("$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    local COMP_WORDBREAKS="$COMP_WORDBREAKS"
    [[ "${COMP_WORDS[COMP_CWORD]}" == --*=* ]] && COMP_WORDBREAKS="${COMP_WORDBREAKS//=/}"
    _blandhook
    local found=no item
    for item in "${COMPREPLY[@]}"; do
        [[ "$item" == "$candidate" ]] && found=yes
    done
    if [[ "$mode" == has && "$found" == no ]] || [[ "$mode" == lacks && "$found" == yes ]]; then
        echo "FAIL: [$*] should $mode \"$candidate\"; got: ${COMPREPLY[*]}"
        failures=$((failures + 1))
    else
        echo "ok: [$*] $mode $candidate"
    fi
}
expect has listen blandhook li
expect lacks fixtures blandhook li
expect has --forward-to blandhook listen --fo
expect has --port blandhook listen --p
expect has --port blandhook listen --fsync --p
expect has validate blandhook fixtures ""
expect has schema blandhook fixtures sch
expect has delayed-post-call blandhook fixtures schema ""
expect has live-event blandhook fixtures validate --kind ""
expect has citations-event blandhook fixtures validate --kind = ""
expect has --kind=live-event blandhook fixtures validate --kind=li
expect has zsh blandhook completions ""
expect has error-busy blandhook fixtures show error-b
expect has --canonical blandhook sign --can
expect has --signature blandhook verify --secret s --sig
expect has body-one.json blandhook sign --secret s body-
expect has body-two.json blandhook fixtures validate body-one.json body-
# replay's inputs: built-in fixture names and files; file options; fixed and suggested values.
expect has error-busy blandhook replay error-b
expect has body-one.json blandhook replay body-
expect has body-one.json blandhook replay --manifest body-
expect has body-one.json blandhook listen --log body-
expect has body-one.json blandhook listen --tls-key body-
expect has body-one.json blandhook captures list --log body-
expect has body-one.json blandhook captures export 1 -o body-
expect has live-event blandhook captures list --kind li
expect has citations blandhook call --webhook-events cit
expect has post_transfer_transcript blandhook inbound set-webhook --events post
expect has two-phase blandhook replay --scenario tw
expect has kind= blandhook listen --match ki
expect has junit: blandhook replay --report ju
expect lacks manpage blandhook man
expect has --version blandhook --ver
exit $failures
' bash "$work/blandhook.bash"
