# bash completion for blandhook                              -*- shell-script -*-
# Generated from the command tree by `blandhook completions bash`. Do not edit: regenerate with
#   build/blandhook completions bash > completions/blandhook.bash

# The subcommands of a command path ("" is the top level, "fixtures" the fixtures group).
__blandhook_subcommands() {
    case "$1" in
        "") echo "listen captures replay call inbound deliver emulate fixtures sign verify completions" ;;
        "captures") echo "list show export call stats prune" ;;
        "call") echo "get resend" ;;
        "inbound") echo "list show set-webhook restore" ;;
        "fixtures") echo "list show validate schema" ;;
    esac
}

# Every option of a command path.
__blandhook_options() {
    case "$1" in
        "") echo "--help -h --version" ;;
        "listen") echo "--help -h --host --port -p --tls-cert --tls-key --secret --secret-file --require-signature --log --no-log --fsync --max-log-size --verbose -v --transcript --json --quiet -q --answer-status --delay --respond-sequence --fail-rate --fail-answer-status --seed --drop --answer-body --answer-header --forward-to --forward-path --forward-status --forward-timeout --count -n --timeout --match --max-body --request-timeout --inspector-port --no-inspector --max-connections --inbound-number --public-url --tunnel --ngrok-api --force --api-key --api-key-file --api-url --insecure -k" ;;
        "captures") echo "--help -h" ;;
        "captures list") echo "--help -h --log --count -n --kind --call-id --call-status --grep --since --until --json" ;;
        "captures show") echo "--help -h --log --json" ;;
        "captures export") echo "--help -h --log --as --output -o --default-name -O --force -f --url --secret --secret-file" ;;
        "captures call") echo "--help -h --log --json" ;;
        "captures stats") echo "--help -h --log --json" ;;
        "captures prune") echo "--help -h --log --before --keep --dry-run" ;;
        "replay") echo "--help -h --to --secret --secret-file --raw --set --fresh-ids --header -H --repeat --jobs -j --scenario --phase-delay --delivery-timeout --retries --retry-backoff --retry-multiplier --retry-max-backoff --follow-redirects --insecure -k --cacert --expect-answer-status --expect-body-contains --expect-refusal --expect-answer --expect-header --expect-latency --probe --probe-cmd --probe-header --settle --ignore --expect-state --log --manifest --report --quiet -q --verbose -v" ;;
        "call") echo "--help -h --to --task --pathway-id --voice --first-sentence --from --record --metadata --request-data --webhook-events --webhook --api-key --api-key-file --api-url --max-duration --dry-run --wait --timeout --listen --listen-host --listen-port --public-url --secret --secret-file --expect-call-status --expect-delayed --check-delivery --json --report --insecure -k --probe --probe-cmd --probe-header --settle --expect-state" ;;
        "call get") echo "--help -h --as --output -o --force" ;;
        "call resend") echo "--help -h" ;;
        "inbound") echo "--help -h" ;;
        "inbound list") echo "--help -h --json --api-key --api-key-file --api-url --insecure -k" ;;
        "inbound show") echo "--help -h --api-key --api-key-file --api-url --insecure -k" ;;
        "inbound set-webhook") echo "--help -h --clear --events --metadata --api-key --api-key-file --api-url --insecure -k" ;;
        "inbound restore") echo "--help -h --all --api-key --api-key-file --api-url --insecure -k" ;;
        "deliver") echo "--help -h --to --json --api-key --api-key-file --api-url --insecure -k" ;;
        "emulate") echo "--help -h --host --port -p --api-key --api-key-file --secret --secret-file --call-duration --webhook-delay --citations-delay --delay-webhook --strict-webhooks --delivery-timeout --retries --retry-backoff --retry-multiplier --retry-max-backoff --workers --per-receiver --quiet -q" ;;
        "fixtures") echo "--help -h" ;;
        "fixtures list") echo "--help -h --json" ;;
        "fixtures show") echo "--help -h" ;;
        "fixtures validate") echo "--help -h --kind --json" ;;
        "fixtures schema") echo "--help -h" ;;
        "sign") echo "--help -h --secret -s --secret-file --canonical" ;;
        "verify") echo "--help -h --secret -s --secret-file --signature -S --json" ;;
        "completions") echo "--help -h" ;;
    esac
}

# The options of a command path that take a value: the next word is that value.
__blandhook_value_options() {
    case "$1" in
        "listen") echo "--host --port -p --tls-cert --tls-key --secret --secret-file --log --max-log-size --answer-status --delay --respond-sequence --fail-rate --fail-answer-status --seed --answer-body --answer-header --forward-to --forward-path --forward-timeout --count -n --timeout --match --max-body --request-timeout --inspector-port --max-connections --inbound-number --public-url --tunnel --ngrok-api --api-key --api-key-file --api-url" ;;
        "captures list") echo "--log --count -n --kind --call-id --call-status --grep --since --until" ;;
        "captures show") echo "--log" ;;
        "captures export") echo "--log --as --output -o --url --secret --secret-file" ;;
        "captures call") echo "--log" ;;
        "captures stats") echo "--log" ;;
        "captures prune") echo "--log --before --keep" ;;
        "replay") echo "--to --secret --secret-file --set --header -H --repeat --jobs -j --scenario --phase-delay --delivery-timeout --retries --retry-backoff --retry-multiplier --retry-max-backoff --cacert --expect-answer-status --expect-body-contains --expect-refusal --expect-answer --expect-header --expect-latency --probe --probe-cmd --probe-header --settle --ignore --expect-state --log --manifest --report" ;;
        "call") echo "--to --task --pathway-id --voice --first-sentence --from --metadata --request-data --webhook-events --webhook --api-key --api-key-file --api-url --max-duration --timeout --listen-host --listen-port --public-url --secret --secret-file --expect-call-status --report --probe --probe-cmd --probe-header --settle --expect-state" ;;
        "call get") echo "--as --output -o" ;;
        "inbound list") echo "--api-key --api-key-file --api-url" ;;
        "inbound show") echo "--api-key --api-key-file --api-url" ;;
        "inbound set-webhook") echo "--events --metadata --api-key --api-key-file --api-url" ;;
        "inbound restore") echo "--api-key --api-key-file --api-url" ;;
        "deliver") echo "--to --api-key --api-key-file --api-url" ;;
        "emulate") echo "--host --port -p --api-key --api-key-file --secret --secret-file --call-duration --webhook-delay --citations-delay --delivery-timeout --retries --retry-backoff --retry-multiplier --retry-max-backoff --workers --per-receiver" ;;
        "fixtures validate") echo "--kind" ;;
        "sign") echo "--secret -s --secret-file" ;;
        "verify") echo "--secret -s --secret-file --signature -S" ;;
    esac
}

__blandhook_files() {
    compopt -o filenames 2>/dev/null
    COMPREPLY=($(compgen -f -- "$1"))
}

# Completes the value "$3" of option "$2" of command path "$1".
__blandhook_option_value() {
    case "$1 $2" in
        "listen --host") : ;;
        "listen --port") : ;;
        "listen -p") : ;;
        "listen --tls-cert") __blandhook_files "$3" ;;
        "listen --tls-key") __blandhook_files "$3" ;;
        "listen --secret") : ;;
        "listen --secret-file") __blandhook_files "$3" ;;
        "listen --log") __blandhook_files "$3" ;;
        "listen --max-log-size") : ;;
        "listen --answer-status") : ;;
        "listen --delay") : ;;
        "listen --respond-sequence") : ;;
        "listen --fail-rate") : ;;
        "listen --fail-answer-status") : ;;
        "listen --seed") : ;;
        "listen --answer-body") : ;;
        "listen --answer-header") : ;;
        "listen --forward-to") : ;;
        "listen --forward-path") COMPREPLY+=($(compgen -W "exact keep" -- "$3")) ;;
        "listen --forward-timeout") : ;;
        "listen --count") : ;;
        "listen -n") : ;;
        "listen --timeout") : ;;
        "listen --match") COMPREPLY+=($(compgen -W "call_id= kind= status= method= path= signature=" -- "$3")) ;;
        "listen --max-body") : ;;
        "listen --request-timeout") : ;;
        "listen --inspector-port") : ;;
        "listen --max-connections") : ;;
        "listen --inbound-number") : ;;
        "listen --public-url") : ;;
        "listen --tunnel") COMPREPLY+=($(compgen -W "cloudflared ngrok" -- "$3")) ;;
        "listen --ngrok-api") : ;;
        "listen --api-key") : ;;
        "listen --api-key-file") __blandhook_files "$3" ;;
        "listen --api-url") : ;;
        "captures list --log") __blandhook_files "$3" ;;
        "captures list --count") : ;;
        "captures list -n") : ;;
        "captures list --kind") COMPREPLY+=($(compgen -W "post-call delayed-post-call citations-event post-transfer-transcript-event multiple-event evals-event live-event unknown" -- "$3")) ;;
        "captures list --call-id") : ;;
        "captures list --call-status") : ;;
        "captures list --grep") : ;;
        "captures list --since") : ;;
        "captures list --until") : ;;
        "captures show --log") __blandhook_files "$3" ;;
        "captures export --log") __blandhook_files "$3" ;;
        "captures export --as") COMPREPLY+=($(compgen -W "fixture curl" -- "$3")) ;;
        "captures export --output") __blandhook_files "$3" ;;
        "captures export -o") __blandhook_files "$3" ;;
        "captures export --url") : ;;
        "captures export --secret") : ;;
        "captures export --secret-file") __blandhook_files "$3" ;;
        "captures call --log") __blandhook_files "$3" ;;
        "captures stats --log") __blandhook_files "$3" ;;
        "captures prune --log") __blandhook_files "$3" ;;
        "captures prune --before") : ;;
        "captures prune --keep") : ;;
        "replay --to") : ;;
        "replay --secret") : ;;
        "replay --secret-file") __blandhook_files "$3" ;;
        "replay --set") : ;;
        "replay --header") : ;;
        "replay -H") : ;;
        "replay --repeat") : ;;
        "replay --jobs") : ;;
        "replay -j") : ;;
        "replay --scenario") COMPREPLY+=($(compgen -W "single two-phase out-of-order duplicate signature-variants bad-signature no-signature" -- "$3")) ;;
        "replay --phase-delay") : ;;
        "replay --delivery-timeout") : ;;
        "replay --retries") : ;;
        "replay --retry-backoff") : ;;
        "replay --retry-multiplier") : ;;
        "replay --retry-max-backoff") : ;;
        "replay --cacert") __blandhook_files "$3" ;;
        "replay --expect-answer-status") : ;;
        "replay --expect-body-contains") : ;;
        "replay --expect-refusal") : ;;
        "replay --expect-answer") : ;;
        "replay --expect-header") : ;;
        "replay --expect-latency") : ;;
        "replay --probe") : ;;
        "replay --probe-cmd") : ;;
        "replay --probe-header") : ;;
        "replay --settle") : ;;
        "replay --ignore") : ;;
        "replay --expect-state") : ;;
        "replay --log") : ;;
        "replay --manifest") __blandhook_files "$3" ;;
        "replay --report") __blandhook_files "$3"; COMPREPLY+=($(compgen -W "junit: json:" -- "$3")) ;;
        "call --to") : ;;
        "call --task") : ;;
        "call --pathway-id") : ;;
        "call --voice") : ;;
        "call --first-sentence") : ;;
        "call --from") : ;;
        "call --metadata") : ;;
        "call --request-data") : ;;
        "call --webhook-events") COMPREPLY+=($(compgen -W "queue call latency webhook tool dynamic_data citations evals post_transfer_transcript" -- "$3")) ;;
        "call --webhook") : ;;
        "call --api-key") : ;;
        "call --api-key-file") __blandhook_files "$3" ;;
        "call --api-url") : ;;
        "call --max-duration") : ;;
        "call --timeout") : ;;
        "call --listen-host") : ;;
        "call --listen-port") : ;;
        "call --public-url") : ;;
        "call --secret") : ;;
        "call --secret-file") __blandhook_files "$3" ;;
        "call --expect-call-status") COMPREPLY+=($(compgen -W "completed failed busy no-answer canceled unknown any" -- "$3")) ;;
        "call --report") __blandhook_files "$3"; COMPREPLY+=($(compgen -W "junit:" -- "$3")) ;;
        "call --probe") : ;;
        "call --probe-cmd") : ;;
        "call --probe-header") : ;;
        "call --settle") : ;;
        "call --expect-state") : ;;
        "call get --as") COMPREPLY+=($(compgen -W "json fixture" -- "$3")) ;;
        "call get --output") : ;;
        "call get -o") : ;;
        "inbound list --api-key") : ;;
        "inbound list --api-key-file") __blandhook_files "$3" ;;
        "inbound list --api-url") : ;;
        "inbound show --api-key") : ;;
        "inbound show --api-key-file") __blandhook_files "$3" ;;
        "inbound show --api-url") : ;;
        "inbound set-webhook --events") COMPREPLY+=($(compgen -W "queue call latency webhook tool dynamic_data citations evals post_transfer_transcript" -- "$3")) ;;
        "inbound set-webhook --metadata") : ;;
        "inbound set-webhook --api-key") : ;;
        "inbound set-webhook --api-key-file") __blandhook_files "$3" ;;
        "inbound set-webhook --api-url") : ;;
        "inbound restore --api-key") : ;;
        "inbound restore --api-key-file") __blandhook_files "$3" ;;
        "inbound restore --api-url") : ;;
        "deliver --to") : ;;
        "deliver --api-key") : ;;
        "deliver --api-key-file") __blandhook_files "$3" ;;
        "deliver --api-url") : ;;
        "emulate --host") : ;;
        "emulate --port") : ;;
        "emulate -p") : ;;
        "emulate --api-key") : ;;
        "emulate --api-key-file") __blandhook_files "$3" ;;
        "emulate --secret") : ;;
        "emulate --secret-file") __blandhook_files "$3" ;;
        "emulate --call-duration") : ;;
        "emulate --webhook-delay") : ;;
        "emulate --citations-delay") : ;;
        "emulate --delivery-timeout") : ;;
        "emulate --retries") : ;;
        "emulate --retry-backoff") : ;;
        "emulate --retry-multiplier") : ;;
        "emulate --retry-max-backoff") : ;;
        "emulate --workers") : ;;
        "emulate --per-receiver") : ;;
        "fixtures validate --kind") COMPREPLY+=($(compgen -W "post-call delayed-post-call citations-event post-transfer-transcript-event multiple-event evals-event live-event" -- "$3")) ;;
        "sign --secret") : ;;
        "sign -s") : ;;
        "sign --secret-file") __blandhook_files "$3" ;;
        "verify --secret") : ;;
        "verify -s") : ;;
        "verify --secret-file") __blandhook_files "$3" ;;
        "verify --signature") : ;;
        "verify -S") : ;;
    esac
}

# Completes the positional argument "$2" of command path "$1".
__blandhook_arguments() {
    case "$1" in
        "replay") __blandhook_files "$2"; COMPREPLY+=($(compgen -W "builtin:all citations-event completed-inbound completed-outbound delayed-citations delayed-post-transfer error-busy error-call-failed error-database error-number-not-found error-spam-blocked error-temporarily-unavailable error-unable-to-start error-unknown evals-event live-event multiple-event no-answer post-transfer-transcript-event voicemail warm-transfer" -- "$2")) ;;
        "fixtures show") COMPREPLY+=($(compgen -W "citations-event completed-inbound completed-outbound delayed-citations delayed-post-transfer error-busy error-call-failed error-database error-number-not-found error-spam-blocked error-temporarily-unavailable error-unable-to-start error-unknown evals-event live-event multiple-event no-answer post-transfer-transcript-event voicemail warm-transfer" -- "$2")) ;;
        "fixtures validate") __blandhook_files "$2" ;;
        "fixtures schema") COMPREPLY+=($(compgen -W "post-call delayed-post-call citations-event post-transfer-transcript-event multiple-event evals-event live-event" -- "$2")) ;;
        "sign") __blandhook_files "$2" ;;
        "verify") __blandhook_files "$2" ;;
        "completions") COMPREPLY+=($(compgen -W "bash zsh fish" -- "$2")) ;;
    esac
}

_blandhook() {
    local cur="${COMP_WORDS[COMP_CWORD]}" path="" word i
    COMPREPLY=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        word="${COMP_WORDS[i]}"
        case "$word" in
        -*=*) ;;
        -*)
            if [[ " $(__blandhook_value_options "$path") " == *" $word "* ]]; then
                ((i += 1))
            fi
            ;;
        *)
            if [[ " $(__blandhook_subcommands "$path") " == *" $word "* ]]; then
                path="${path:+$path }$word"
            fi
            ;;
        esac
    done

    # An option's value: `--opt VALUE`, and `--opt=VALUE`, which bash splits at the `=`.
    local prev="" before=""
    ((COMP_CWORD >= 1)) && prev="${COMP_WORDS[COMP_CWORD - 1]}"
    ((COMP_CWORD >= 2)) && before="${COMP_WORDS[COMP_CWORD - 2]}"
    if [[ "$cur" == "=" && "$prev" == -* ]]; then
        __blandhook_option_value "$path" "$prev" ""
        return 0
    fi
    if [[ "$prev" == "=" && "$before" == -* ]]; then
        __blandhook_option_value "$path" "$before" "$cur"
        return 0
    fi
    if [[ "$prev" == -* && " $(__blandhook_value_options "$path") " == *" $prev "* ]]; then
        __blandhook_option_value "$path" "$prev" "$cur"
        return 0
    fi
    # `--opt=VALUE` as one word, when COMP_WORDBREAKS lacks `=`.
    if [[ "$cur" == --*=* ]]; then
        __blandhook_option_value "$path" "${cur%%=*}" "${cur#*=}"
        COMPREPLY=("${COMPREPLY[@]/#/${cur%%=*}=}")
        return 0
    fi

    if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "$(__blandhook_options "$path")" -- "$cur"))
        return 0
    fi
    local subcommands
    subcommands="$(__blandhook_subcommands "$path")"
    if [[ -n "$subcommands" ]]; then
        COMPREPLY=($(compgen -W "$subcommands" -- "$cur"))
    else
        __blandhook_arguments "$path" "$cur"
    fi
    return 0
}

complete -F _blandhook blandhook
