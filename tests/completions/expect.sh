# Sourced by the zsh and fish completion tests, which define `candidates LINE` (the candidates
# their shell offers for LINE, one a line). `expect has|lacks CANDIDATE LINE` checks one answer
# and counts failures; `expect_common` runs the expectations every shell must meet.
failures=0
expect() {
    mode="$1" candidate="$2" line="$3"
    got="$(candidates "$line")"
    if printf '%s\n' "$got" | grep -qx -- "$candidate"; then found=yes; else found=no; fi
    if { [ "$mode" = has ] && [ "$found" = no ]; } || { [ "$mode" = lacks ] && [ "$found" = yes ]; }; then
        echo "FAIL: [$line] should $mode \"$candidate\"; got: $(echo $got)"
        failures=$((failures + 1))
    else
        echo "ok: [$line] $mode $candidate"
    fi
}

expect_common() {
    expect has listen 'blandhook li'
    expect has --forward-to 'blandhook listen --fo'
    expect has validate 'blandhook fixtures '
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
}
