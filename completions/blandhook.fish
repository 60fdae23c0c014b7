# fish completion for blandhook. Generated from the command tree by `blandhook completions fish`.
# Do not edit: regenerate with
#   build/blandhook completions fish > completions/blandhook.fish

# The subcommands of a command path ("" is the top level).
function __blandhook_subcommands
    switch "$argv[1]"
        case ''
            echo listen captures replay call inbound deliver emulate fixtures sign verify completions
        case 'captures'
            echo list show export call stats prune
        case 'call'
            echo get resend
        case 'inbound'
            echo list show set-webhook restore
        case 'fixtures'
            echo list show validate schema
    end
end

# The options of a command path that take a value: the next word is that value.
function __blandhook_value_options
    switch "$argv[1]"
        case 'listen'
            echo --host --port -p --tls-cert --tls-key --secret --secret-file --log --max-log-size --answer-status --delay --respond-sequence --fail-rate --fail-answer-status --seed --answer-body --answer-header --forward-to --forward-path --forward-timeout --count -n --timeout --match --max-body --request-timeout --inspector-port --max-connections --inbound-number --public-url --tunnel --ngrok-api --api-key --api-key-file --api-url
        case 'captures list'
            echo --log --count -n --kind --call-id --call-status --grep --since --until
        case 'captures show'
            echo --log
        case 'captures export'
            echo --log --as --output -o --url --secret --secret-file
        case 'captures call'
            echo --log
        case 'captures stats'
            echo --log
        case 'captures prune'
            echo --log --before --keep
        case 'replay'
            echo --to --secret --secret-file --set --header -H --repeat --jobs -j --scenario --phase-delay --delivery-timeout --retries --retry-backoff --retry-multiplier --retry-max-backoff --cacert --expect-answer-status --expect-body-contains --expect-refusal --expect-answer --expect-header --expect-latency --probe --probe-cmd --probe-header --settle --ignore --expect-state --log --manifest --report
        case 'call'
            echo --to --task --pathway-id --voice --first-sentence --from --metadata --request-data --webhook-events --webhook --api-key --api-key-file --api-url --max-duration --timeout --listen-host --listen-port --public-url --secret --secret-file --expect-call-status --report --probe --probe-cmd --probe-header --settle --expect-state
        case 'call get'
            echo --as --output -o
        case 'inbound list'
            echo --api-key --api-key-file --api-url
        case 'inbound show'
            echo --api-key --api-key-file --api-url
        case 'inbound set-webhook'
            echo --events --metadata --api-key --api-key-file --api-url
        case 'inbound restore'
            echo --api-key --api-key-file --api-url
        case 'deliver'
            echo --to --api-key --api-key-file --api-url
        case 'emulate'
            echo --host --port -p --api-key --api-key-file --secret --secret-file --call-duration --webhook-delay --citations-delay --delivery-timeout --retries --retry-backoff --retry-multiplier --retry-max-backoff --workers --per-receiver
        case 'fixtures validate'
            echo --kind
        case 'sign'
            echo --secret -s --secret-file
        case 'verify'
            echo --secret -s --secret-file --signature -S
    end
end

# The command path typed so far, such as "fixtures validate".
function __blandhook_path
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l path
    set -l skip 0
    for token in $tokens
        if test $skip = 1
            set skip 0
            continue
        end
        switch $token
            case '-*=*'
            case '-*'
                if contains -- $token (string split ' ' -- (__blandhook_value_options "$path"))
                    set skip 1
                end
            case '*'
                if contains -- $token (string split ' ' -- (__blandhook_subcommands "$path"))
                    set -a path $token
                end
        end
    end
    echo "$path"
end

function __blandhook_at
    test (__blandhook_path) = "$argv[1]"
end

complete -c blandhook -f
complete -c blandhook -n '__blandhook_at \'\'' -a listen -d 'Capture, check and answer webhooks on a local URL (a private Webhook.site)'
complete -c blandhook -n '__blandhook_at \'\'' -a captures -d 'List, show and export what \'blandhook listen\' captured'
complete -c blandhook -n '__blandhook_at \'\'' -a replay -d 'Send fixtures or captured webhooks to your handler, signed as Bland signs, and check the answers'
complete -c blandhook -n '__blandhook_at \'\'' -a call -d 'Place a call through Bland\'s API and prove its webhook arrives and is right'
complete -c blandhook -n '__blandhook_at \'\'' -a inbound -d 'Your Bland inbound numbers: list, show, set-webhook, restore'
complete -c blandhook -n '__blandhook_at \'\'' -a deliver -d 'Have Bland send finished calls\' real post-call webhooks to any URL, at no call cost'
complete -c blandhook -n '__blandhook_at \'\'' -a emulate -d 'Run a local Bland calls API that simulates calls and delivers their webhooks'
complete -c blandhook -n '__blandhook_at \'\'' -a fixtures -d 'The built-in payload library: list, show, validate, schema'
complete -c blandhook -n '__blandhook_at \'\'' -a sign -d 'Print the X-Webhook-Signature value Bland would send for a body'
complete -c blandhook -n '__blandhook_at \'\'' -a verify -d 'Check an X-Webhook-Signature value against a body (exit 0 valid, 1 invalid)'
complete -c blandhook -n '__blandhook_at \'\'' -a completions -d 'Print shell completions for bash, zsh or fish'
complete -c blandhook -n '__blandhook_at \'\'' -l help -s h -d 'Print this help message and exit'
complete -c blandhook -n '__blandhook_at \'\'' -l version -d 'Print the version, the commit and the build date, and exit'
complete -c blandhook -n '__blandhook_at \'listen\'' -l help -s h -d 'Print this help message and exit'
complete -c blandhook -n '__blandhook_at \'listen\'' -l host -x -d 'Address to bind (a warning unless loopback)'
complete -c blandhook -n '__blandhook_at \'listen\'' -l port -s p -x -d 'Port to listen on; 0 picks a free one'
complete -c blandhook -n '__blandhook_at \'listen\'' -l tls-cert -r -F -d 'Serve HTTPS with this PEM certificate'
complete -c blandhook -n '__blandhook_at \'listen\'' -l tls-key -r -F -d 'The PEM private key for --tls-cert'
complete -c blandhook -n '__blandhook_at \'listen\'' -l secret -x -d 'Webhook signing secret to check X-Webhook-Signature (default: $BLAND_WEBHOOK_SECRET; prefer it or --secret-file: other local users see command lines)'
complete -c blandhook -n '__blandhook_at \'listen\'' -l secret-file -r -F -d 'Read the webhook secret from this file (its last line break is ignored; - reads stdin)'
complete -c blandhook -n '__blandhook_at \'listen\'' -l require-signature -d 'Answer 401 to requests without a valid signature'
complete -c blandhook -n '__blandhook_at \'listen\'' -l log -r -F -d 'Capture log to append to (default: $XDG_STATE_HOME/blandhook/captures.ndjson)'
complete -c blandhook -n '__blandhook_at \'listen\'' -l no-log -d 'Keep captures in memory only'
complete -c blandhook -n '__blandhook_at \'listen\'' -l fsync -d 'fdatasync the capture log before answering (survives power loss; slower)'
complete -c blandhook -n '__blandhook_at \'listen\'' -l max-log-size -x -d 'Rotate the capture log into numbered, gzipped segments (PATH.1.gz …) when it reaches SIZE (64MiB, 1GiB); readers read every segment'
complete -c blandhook -n '__blandhook_at \'listen\'' -l verbose -s v -d 'Show headers and the pretty-printed body'
complete -c blandhook -n '__blandhook_at \'listen\'' -l transcript -d 'Show the call\'s conversation'
complete -c blandhook -n '__blandhook_at \'listen\'' -l json -d 'Print each capture as one JSON line on stdout (the capture log format)'
complete -c blandhook -n '__blandhook_at \'listen\'' -l quiet -s q -d 'Print no line per capture, and the banner on one line'
complete -c blandhook -n '__blandhook_at \'listen\'' -l answer-status -x -d 'HTTP status to answer with'
complete -c blandhook -n '__blandhook_at \'listen\'' -l delay -x -d 'Wait this long before answering (250ms, 2s)'
complete -c blandhook -n '__blandhook_at \'listen\'' -l respond-sequence -x -d 'Statuses to answer in turn per call_id, the last one repeating (500,500,200; \'drop\' closes)'
complete -c blandhook -n '__blandhook_at \'listen\'' -l fail-rate -x -d 'Fraction of requests answered with --fail-answer-status (0..1)'
complete -c blandhook -n '__blandhook_at \'listen\'' -l fail-answer-status -x -d 'HTTP status for --fail-rate failures'
complete -c blandhook -n '__blandhook_at \'listen\'' -l seed -x -d 'Seed for --fail-rate, for repeatable runs'
complete -c blandhook -n '__blandhook_at \'listen\'' -l drop -d 'Close every connection without answering'
complete -c blandhook -n '__blandhook_at \'listen\'' -l answer-body -x -d 'Body to answer with instead of the JSON receipt (@FILE reads a file)'
complete -c blandhook -n '__blandhook_at \'listen\'' -l answer-header -x -d 'Header to add to answers, \'Name: value\' (repeatable)'
complete -c blandhook -n '__blandhook_at \'listen\'' -l forward-to -x -d 'Relay every captured request byte-exact to this URL (your handler\'s URL; the captured query string is kept)'
complete -c blandhook -n '__blandhook_at \'listen\'' -l forward-path -x -a 'exact keep' -d 'exact: send to the --forward-to URL as given; keep: append the captured path to it'
complete -c blandhook -n '__blandhook_at \'listen\'' -l forward-status -d 'Answer the sender with the app\'s answer instead of the configured one'
complete -c blandhook -n '__blandhook_at \'listen\'' -l forward-timeout -x -d 'How long the app may take'
complete -c blandhook -n '__blandhook_at \'listen\'' -l count -s n -x -d 'Exit 0 after N captures (that match every --match)'
complete -c blandhook -n '__blandhook_at \'listen\'' -l timeout -x -d 'Stop after this long; with --count, exit 4 if they did not all come'
complete -c blandhook -n '__blandhook_at \'listen\'' -l match -x -a 'call_id= kind= status= method= path= signature=' -d 'KEY=VALUE a capture must have to count (call_id, kind, status, method, path, signature); repeatable'
complete -c blandhook -n '__blandhook_at \'listen\'' -l max-body -x -d 'Largest body accepted; 413 beyond'
complete -c blandhook -n '__blandhook_at \'listen\'' -l request-timeout -x -d 'A request must arrive whole within this of its first byte (slow senders are cut off)'
complete -c blandhook -n '__blandhook_at \'listen\'' -l inspector-port -x -d 'Port of the inspector on 127.0.0.1 (0 = any free one; default: --port + 100, or a free one when that is taken)'
complete -c blandhook -n '__blandhook_at \'listen\'' -l no-inspector -d 'Serve no inspector (the capture port never serves it)'
complete -c blandhook -n '__blandhook_at \'listen\'' -l max-connections -x -d 'Connections served at once, idle keep-alive ones included'
complete -c blandhook -n '__blandhook_at \'listen\'' -l inbound-number -x -d 'Point this Bland inbound number\'s webhook here while listening, and back afterwards (repeatable; needs BLAND_API_KEY)'
complete -c blandhook -n '__blandhook_at \'listen\'' -l public-url -x -d 'The URL Bland reaches this listener at (a tunnel you run)'
complete -c blandhook -n '__blandhook_at \'listen\'' -l tunnel -x -a 'cloudflared ngrok' -d 'Start this tunnel to the listener and use its https URL'
complete -c blandhook -n '__blandhook_at \'listen\'' -l ngrok-api -x -d 'ngrok\'s agent API (default: the address ngrok logs, else http://127.0.0.1:4040)'
complete -c blandhook -n '__blandhook_at \'listen\'' -l force -d 'Take an --inbound-number over from another running listener'
complete -c blandhook -n '__blandhook_at \'listen\'' -l api-key -x -d 'Bland API key (never printed) (default: $BLAND_API_KEY; prefer it or --api-key-file: other local users see command lines)'
complete -c blandhook -n '__blandhook_at \'listen\'' -l api-key-file -r -F -d 'Read the API key from this file (its last line break is ignored; - reads stdin)'
complete -c blandhook -n '__blandhook_at \'listen\'' -l api-url -x -d 'Bland API base URL (or the emulator\'s)'
complete -c blandhook -n '__blandhook_at \'listen\'' -l insecure -s k -d 'Skip TLS verification of the API'
complete -c blandhook -n '__blandhook_at \'captures\'' -a list -d 'The newest captures, one line each'
complete -c blandhook -n '__blandhook_at \'captures\'' -a show -d 'One capture in full: headers, body, findings, transcript'
complete -c blandhook -n '__blandhook_at \'captures\'' -a export -d 'A capture as a fixture file or a curl command'
complete -c blandhook -n '__blandhook_at \'captures\'' -a call -d 'Everything captured for one call, in order, and what the delayed webhook changed'
complete -c blandhook -n '__blandhook_at \'captures\'' -a stats -d 'What the capture log holds: captures, bytes, kinds, per day'
complete -c blandhook -n '__blandhook_at \'captures\'' -a prune -d 'Remove the oldest captures from the log (every segment)'
complete -c blandhook -n '__blandhook_at \'captures\'' -l help -s h -d 'Print this help message and exit'
complete -c blandhook -n '__blandhook_at \'captures list\'' -l help -s h -d 'Print this help message and exit'
complete -c blandhook -n '__blandhook_at \'captures list\'' -l log -r -F -d 'Capture log to read (default: $XDG_STATE_HOME/blandhook/captures.ndjson)'
complete -c blandhook -n '__blandhook_at \'captures list\'' -l count -s n -x -d 'How many of the newest captures to list'
complete -c blandhook -n '__blandhook_at \'captures list\'' -l kind -x -a 'post-call delayed-post-call citations-event post-transfer-transcript-event multiple-event evals-event live-event unknown' -d 'Only this payload kind (post-call, live-event …)'
complete -c blandhook -n '__blandhook_at \'captures list\'' -l call-id -x -d 'Only this call_id (or call_ids starting so)'
complete -c blandhook -n '__blandhook_at \'captures list\'' -l call-status -x -d 'Only this call status (completed, failed …)'
complete -c blandhook -n '__blandhook_at \'captures list\'' -l grep -x -d 'Only captures whose path, query, headers or body hold TEXT (ignoring case)'
complete -c blandhook -n '__blandhook_at \'captures list\'' -l since -x -d 'Only captures received at or after WHEN: a UTC time (2026-11-27, 2026-11-27T10:06) or a duration ago (90s, 15m, 2h, 7d)'
complete -c blandhook -n '__blandhook_at \'captures list\'' -l until -x -d 'Only captures received before WHEN (as --since)'
complete -c blandhook -n '__blandhook_at \'captures list\'' -l json -d 'One JSON line per capture (the log format)'
complete -c blandhook -n '__blandhook_at \'captures show\'' -l help -s h -d 'Print this help message and exit'
complete -c blandhook -n '__blandhook_at \'captures show\'' -l log -r -F -d 'Capture log to read (default: $XDG_STATE_HOME/blandhook/captures.ndjson)'
complete -c blandhook -n '__blandhook_at \'captures show\'' -l json -d 'The capture as one JSON line'
complete -c blandhook -n '__blandhook_at \'captures export\'' -l help -s h -d 'Print this help message and exit'
complete -c blandhook -n '__blandhook_at \'captures export\'' -l log -r -F -d 'Capture log to read (default: $XDG_STATE_HOME/blandhook/captures.ndjson)'
complete -c blandhook -n '__blandhook_at \'captures export\'' -l as -x -a 'fixture curl' -d 'What to export as'
complete -c blandhook -n '__blandhook_at \'captures export\'' -l output -s o -r -F -d 'Write to this file (default: stdout)'
complete -c blandhook -n '__blandhook_at \'captures export\'' -l default-name -s O -d 'Write a fixture to capture-ID.json (export\'s default before 0.2)'
complete -c blandhook -n '__blandhook_at \'captures export\'' -l force -s f -d 'Replace an existing file'
complete -c blandhook -n '__blandhook_at \'captures export\'' -l url -x -d 'For curl: where to send (the capture\'s path is added when URL has none)'
complete -c blandhook -n '__blandhook_at \'captures export\'' -l secret -x -d 'For curl: sign with this secret (default: $BLAND_WEBHOOK_SECRET; prefer it or --secret-file: other local users see command lines)'
complete -c blandhook -n '__blandhook_at \'captures export\'' -l secret-file -r -F -d 'Read the webhook secret from this file (its last line break is ignored; - reads stdin)'
complete -c blandhook -n '__blandhook_at \'captures call\'' -l help -s h -d 'Print this help message and exit'
complete -c blandhook -n '__blandhook_at \'captures call\'' -l log -r -F -d 'Capture log to read (default: $XDG_STATE_HOME/blandhook/captures.ndjson)'
complete -c blandhook -n '__blandhook_at \'captures call\'' -l json -d 'One JSON object: captures (log lines), post_call_id, delayed_id, changes'
complete -c blandhook -n '__blandhook_at \'captures stats\'' -l help -s h -d 'Print this help message and exit'
complete -c blandhook -n '__blandhook_at \'captures stats\'' -l log -r -F -d 'Capture log to read (default: $XDG_STATE_HOME/blandhook/captures.ndjson)'
complete -c blandhook -n '__blandhook_at \'captures stats\'' -l json -d 'One JSON object'
complete -c blandhook -n '__blandhook_at \'captures prune\'' -l help -s h -d 'Print this help message and exit'
complete -c blandhook -n '__blandhook_at \'captures prune\'' -l log -r -F -d 'Capture log to read (default: $XDG_STATE_HOME/blandhook/captures.ndjson)'
complete -c blandhook -n '__blandhook_at \'captures prune\'' -l before -x -d 'Remove captures received before WHEN: a UTC time (2026-11-27) or a duration ago (30d, 12h)'
complete -c blandhook -n '__blandhook_at \'captures prune\'' -l keep -x -d 'Keep only the newest N captures'
complete -c blandhook -n '__blandhook_at \'captures prune\'' -l dry-run -d 'Say what would go; change nothing'
complete -c blandhook -n '__blandhook_at \'replay\'' -l help -s h -d 'Print this help message and exit'
complete -c blandhook -n '__blandhook_at \'replay\'' -l to -x -d 'Target URL (http or https)'
complete -c blandhook -n '__blandhook_at \'replay\'' -l secret -x -d 'Webhook signing secret: signs X-Webhook-Signature over the bytes sent (default: $BLAND_WEBHOOK_SECRET; prefer it or --secret-file: other local users see command lines)'
complete -c blandhook -n '__blandhook_at \'replay\'' -l secret-file -r -F -d 'Read the webhook secret from this file (its last line break is ignored; - reads stdin)'
complete -c blandhook -n '__blandhook_at \'replay\'' -l raw -d 'Send file bytes as they are instead of canonical compact JSON'
complete -c blandhook -n '__blandhook_at \'replay\'' -l set -x -d 'Override a field: PATH=VALUE, PATH dotted (metadata.ticket) or a JSON pointer; VALUE is JSON when it parses, else a string (repeatable)'
complete -c blandhook -n '__blandhook_at \'replay\'' -l fresh-ids -d 'New call_id and c_id (UUIDv4) for every delivery, shared by one call\'s phases'
complete -c blandhook -n '__blandhook_at \'replay\'' -l header -s H -x -d 'Extra header \'Name: value\' (repeatable)'
complete -c blandhook -n '__blandhook_at \'replay\'' -l repeat -x -d 'Send each input K times'
complete -c blandhook -n '__blandhook_at \'replay\'' -l jobs -s j -x -d 'Deliveries in flight at once (order kept per call)'
complete -c blandhook -n '__blandhook_at \'replay\'' -l scenario -x -a 'single two-phase out-of-order duplicate signature-variants bad-signature no-signature' -d 'What to send per input (repeatable; default single)'
complete -c blandhook -n '__blandhook_at \'replay\'' -l phase-delay -x -d 'Wait between the phases of two-phase/out-of-order (Bland: 30 to 60 s)'
complete -c blandhook -n '__blandhook_at \'replay\'' -l delivery-timeout -x -d 'Time one delivery attempt may take, connect to answer'
complete -c blandhook -n '__blandhook_at \'replay\'' -l retries -x -d 'Retries after a network error, timeout, 5xx or 429 (0 to 20; our policy: Bland documents none)'
complete -c blandhook -n '__blandhook_at \'replay\'' -l retry-backoff -x -d 'Wait before the first retry'
complete -c blandhook -n '__blandhook_at \'replay\'' -l retry-multiplier -x -d 'Growth of the wait per retry (1 to 100)'
complete -c blandhook -n '__blandhook_at \'replay\'' -l retry-max-backoff -x -d 'Longest wait between retries'
complete -c blandhook -n '__blandhook_at \'replay\'' -l follow-redirects -d 'Follow 3xx answers'
complete -c blandhook -n '__blandhook_at \'replay\'' -l insecure -s k -d 'Do not verify the target\'s TLS certificate'
complete -c blandhook -n '__blandhook_at \'replay\'' -l cacert -r -F -d 'CA bundle to verify the target with'
complete -c blandhook -n '__blandhook_at \'replay\'' -l expect-answer-status -x -d 'Accepted HTTP statuses: 200, 2xx, 200,204 or 200-299 (default 2xx)'
complete -c blandhook -n '__blandhook_at \'replay\'' -l expect-body-contains -x -d 'Text the answer body must contain (repeatable)'
complete -c blandhook -n '__blandhook_at \'replay\'' -l expect-refusal -x -d 'Statuses for bad-signature/no-signature (default 401,403)'
complete -c blandhook -n '__blandhook_at \'replay\'' -l expect-answer -x -d 'Check the answer body: \'POINTER == JSON\', \'POINTER exists\', … (repeatable)'
complete -c blandhook -n '__blandhook_at \'replay\'' -l expect-header -x -d 'Header the answer must carry: \'Name: value\' or \'Name\' (repeatable)'
complete -c blandhook -n '__blandhook_at \'replay\'' -l expect-latency -x -d 'Check the run\'s latency: \'p99 < 500ms\', \'p50 <= 20ms\', \'max < 2s\' (repeatable)'
complete -c blandhook -n '__blandhook_at \'replay\'' -l probe -x -d 'URL to GET what the handler stored for a call; {call_id} is replaced. Turns on the scenarios\' oracles'
complete -c blandhook -n '__blandhook_at \'replay\'' -l probe-cmd -x -d 'Shell command printing what the handler stored (BLANDHOOK_CALL_ID, BLANDHOOK_CASE, BLANDHOOK_SCENARIO in its environment)'
complete -c blandhook -n '__blandhook_at \'replay\'' -l probe-header -x -d 'Header for --probe requests, \'Name: value\' (repeatable)'
complete -c blandhook -n '__blandhook_at \'replay\'' -l settle -x -d 'Read the state until two reads agree, for at most this long (0: read once)'
complete -c blandhook -n '__blandhook_at \'replay\'' -l ignore -x -d 'JSON pointer the oracles leave out, e.g. /updated_at or /rows/*/id (repeatable)'
complete -c blandhook -n '__blandhook_at \'replay\'' -l expect-state -x -d 'Check the stored state: \'POINTER == JSON\', \'POINTER exists\', \'POINTER absent\', \'POINTER contains V\', \'POINTER length == N\' (repeatable)'
complete -c blandhook -n '__blandhook_at \'replay\'' -l log -x -d 'Capture log that capture:ID inputs come from (default: $XDG_STATE_HOME/blandhook/captures.ndjson)'
complete -c blandhook -n '__blandhook_at \'replay\'' -l manifest -r -F -d 'JSON suite: inputs with scenario, overrides and expectations'
complete -c blandhook -n '__blandhook_at \'replay\'' -l report -r -F -a 'junit: json:' -d 'Write a report: junit:FILE or json:FILE, FILE - for stdout (repeatable)'
complete -c blandhook -n '__blandhook_at \'replay\'' -l quiet -s q -d 'Print only failures and the summary'
complete -c blandhook -n '__blandhook_at \'replay\'' -l verbose -s v -d 'List every passing case (by default only the first 40 are, then failures)'
complete -c blandhook -n '__blandhook_at \'replay\'' -a 'builtin:all citations-event completed-inbound completed-outbound delayed-citations delayed-post-transfer error-busy error-call-failed error-database error-number-not-found error-spam-blocked error-temporarily-unavailable error-unable-to-start error-unknown evals-event live-event multiple-event no-answer post-transfer-transcript-event voicemail warm-transfer' -d 'Fixture files, directories (recursive, name order), built-in fixtures (NAME, builtin:NAME, builtin:all), capture:ID from the capture log, capture logs, or - for stdin'
complete -c blandhook -n '__blandhook_at \'replay\'' -F
complete -c blandhook -n '__blandhook_at \'call\'' -a get -d 'Print a call from Bland\'s API (GET /v1/calls/{id}), or save it as a fixture'
complete -c blandhook -n '__blandhook_at \'call\'' -a resend -d 'Ask Bland to send a call\'s post-call webhook again (POST /v1/postcall/webhooks/resend)'
complete -c blandhook -n '__blandhook_at \'call\'' -l help -s h -d 'Print this help message and exit'
complete -c blandhook -n '__blandhook_at \'call\'' -l to -x -d 'Number to call, E.164 (+15551234567); required to call'
complete -c blandhook -n '__blandhook_at \'call\'' -l task -x -d 'What the agent should do (or --pathway-id)'
complete -c blandhook -n '__blandhook_at \'call\'' -l pathway-id -x -d 'Conversational pathway to run instead of --task'
complete -c blandhook -n '__blandhook_at \'call\'' -l voice -x -d 'Voice name or id'
complete -c blandhook -n '__blandhook_at \'call\'' -l first-sentence -x -d 'The agent\'s opening sentence'
complete -c blandhook -n '__blandhook_at \'call\'' -l from -x -d 'Caller ID, E.164, one of your Bland numbers'
complete -c blandhook -n '__blandhook_at \'call\'' -l record -d 'Record the call (recording_url in the webhook)'
complete -c blandhook -n '__blandhook_at \'call\'' -l metadata -x -d 'JSON object echoed in the webhook'
complete -c blandhook -n '__blandhook_at \'call\'' -l request-data -x -d 'JSON object of variables for the agent (request_data)'
complete -c blandhook -n '__blandhook_at \'call\'' -l webhook-events -x -a 'queue call latency webhook tool dynamic_data citations evals post_transfer_transcript' -d 'Comma-separated webhook_events: queue,call,latency,webhook,tool,dynamic_data,citations,evals,post_transfer_transcript'
complete -c blandhook -n '__blandhook_at \'call\'' -l webhook -x -d 'Where Bland sends the post-call webhook'
complete -c blandhook -n '__blandhook_at \'call\'' -l api-key -x -d 'Bland API key (never printed) (default: $BLAND_API_KEY; prefer it or --api-key-file: other local users see command lines)'
complete -c blandhook -n '__blandhook_at \'call\'' -l api-key-file -r -F -d 'Read the API key from this file (its last line break is ignored; - reads stdin)'
complete -c blandhook -n '__blandhook_at \'call\'' -l api-url -x -d 'Bland API base URL (or the emulator\'s)'
complete -c blandhook -n '__blandhook_at \'call\'' -l max-duration -x -d 'Longest call in minutes (a cost guard; Bland\'s default is 30)'
complete -c blandhook -n '__blandhook_at \'call\'' -l dry-run -d 'Print the exact request (key redacted) and send nothing'
complete -c blandhook -n '__blandhook_at \'call\'' -l wait -d 'Poll the call until it is done, showing queued -> started -> completed'
complete -c blandhook -n '__blandhook_at \'call\'' -l timeout -x -d 'Give up waiting after this long (exit 4)'
complete -c blandhook -n '__blandhook_at \'call\'' -l listen -d 'Catch the post-call webhook on an embedded listener and check it'
complete -c blandhook -n '__blandhook_at \'call\'' -l listen-host -x -d 'Address the embedded listener binds'
complete -c blandhook -n '__blandhook_at \'call\'' -l listen-port -x -d 'Port of the embedded listener, 0 = any'
complete -c blandhook -n '__blandhook_at \'call\'' -l public-url -x -d 'The webhook URL Bland should use: a tunnel to the listener'
complete -c blandhook -n '__blandhook_at \'call\'' -l secret -x -d 'Webhook signing secret to check signatures with (default: $BLAND_WEBHOOK_SECRET; prefer it or --secret-file: other local users see command lines)'
complete -c blandhook -n '__blandhook_at \'call\'' -l secret-file -r -F -d 'Read the webhook secret from this file (its last line break is ignored; - reads stdin)'
complete -c blandhook -n '__blandhook_at \'call\'' -l expect-call-status -x -a 'completed failed busy no-answer canceled unknown any' -d 'The call status the check requires (\'any\' for none)'
complete -c blandhook -n '__blandhook_at \'call\'' -l expect-delayed -d 'Require the delayed webhook (corrected_transcript, citations)'
complete -c blandhook -n '__blandhook_at \'call\'' -l check-delivery -d 'Read the delivery log and require a 2xx recorded for the webhook'
complete -c blandhook -n '__blandhook_at \'call\'' -l json -d 'Print the result as one JSON object'
complete -c blandhook -n '__blandhook_at \'call\'' -l report -r -F -a 'junit:' -d 'Write a report: junit:FILE'
complete -c blandhook -n '__blandhook_at \'call\'' -l insecure -s k -d 'Skip TLS verification of the API'
complete -c blandhook -n '__blandhook_at \'call\'' -l probe -x -d 'URL to GET what your handler stored for the call once it is done; {call_id} is replaced'
complete -c blandhook -n '__blandhook_at \'call\'' -l probe-cmd -x -d 'Shell command printing what your handler stored (BLANDHOOK_CALL_ID in its environment)'
complete -c blandhook -n '__blandhook_at \'call\'' -l probe-header -x -d 'Header for --probe requests, \'Name: value\' (repeatable)'
complete -c blandhook -n '__blandhook_at \'call\'' -l settle -x -d 'Wait this long at most for the stored state to appear and stop changing'
complete -c blandhook -n '__blandhook_at \'call\'' -l expect-state -x -d 'Check the stored state: \'POINTER == JSON\', \'POINTER exists\', … (repeatable)'
complete -c blandhook -n '__blandhook_at \'call get\'' -l help -s h -d 'Print this help message and exit'
complete -c blandhook -n '__blandhook_at \'call get\'' -l as -x -a 'json fixture' -d 'json: the call details as Bland answers; fixture: the post-call webhook body built from them'
complete -c blandhook -n '__blandhook_at \'call get\'' -l output -s o -x -d 'Write to FILE (mode 0600) instead of stdout; never replaces a file'
complete -c blandhook -n '__blandhook_at \'call get\'' -l force -d 'Let --output replace an existing file'
complete -c blandhook -n '__blandhook_at \'call resend\'' -l help -s h -d 'Print this help message and exit'
complete -c blandhook -n '__blandhook_at \'inbound\'' -a list -d 'List the account\'s inbound numbers with their webhooks (GET /v1/inbound)'
complete -c blandhook -n '__blandhook_at \'inbound\'' -a show -d 'Print one number\'s settings as JSON (GET /v1/inbound/{number})'
complete -c blandhook -n '__blandhook_at \'inbound\'' -a set-webhook -d 'Set (or --clear) a number\'s post-call webhook URL (POST /v1/inbound/{number})'
complete -c blandhook -n '__blandhook_at \'inbound\'' -a restore -d 'Put back numbers that `listen --inbound-number` pointed at a listener which is gone'
complete -c blandhook -n '__blandhook_at \'inbound\'' -l help -s h -d 'Print this help message and exit'
complete -c blandhook -n '__blandhook_at \'inbound list\'' -l help -s h -d 'Print this help message and exit'
complete -c blandhook -n '__blandhook_at \'inbound list\'' -l json -d 'Print Bland\'s inbound_numbers array as JSON'
complete -c blandhook -n '__blandhook_at \'inbound list\'' -l api-key -x -d 'Bland API key (never printed) (default: $BLAND_API_KEY; prefer it or --api-key-file: other local users see command lines)'
complete -c blandhook -n '__blandhook_at \'inbound list\'' -l api-key-file -r -F -d 'Read the API key from this file (its last line break is ignored; - reads stdin)'
complete -c blandhook -n '__blandhook_at \'inbound list\'' -l api-url -x -d 'Bland API base URL (or the emulator\'s)'
complete -c blandhook -n '__blandhook_at \'inbound list\'' -l insecure -s k -d 'Skip TLS verification of the API'
complete -c blandhook -n '__blandhook_at \'inbound show\'' -l help -s h -d 'Print this help message and exit'
complete -c blandhook -n '__blandhook_at \'inbound show\'' -l api-key -x -d 'Bland API key (never printed) (default: $BLAND_API_KEY; prefer it or --api-key-file: other local users see command lines)'
complete -c blandhook -n '__blandhook_at \'inbound show\'' -l api-key-file -r -F -d 'Read the API key from this file (its last line break is ignored; - reads stdin)'
complete -c blandhook -n '__blandhook_at \'inbound show\'' -l api-url -x -d 'Bland API base URL (or the emulator\'s)'
complete -c blandhook -n '__blandhook_at \'inbound show\'' -l insecure -s k -d 'Skip TLS verification of the API'
complete -c blandhook -n '__blandhook_at \'inbound set-webhook\'' -l help -s h -d 'Print this help message and exit'
complete -c blandhook -n '__blandhook_at \'inbound set-webhook\'' -l clear -d 'Remove the number\'s webhook'
complete -c blandhook -n '__blandhook_at \'inbound set-webhook\'' -l events -x -a 'queue call latency webhook tool dynamic_data citations evals post_transfer_transcript' -d 'Comma-separated webhook_events: queue,call,latency,webhook,tool,dynamic_data,citations,evals,post_transfer_transcript'
complete -c blandhook -n '__blandhook_at \'inbound set-webhook\'' -l metadata -x -d 'JSON object sent with the number\'s calls'
complete -c blandhook -n '__blandhook_at \'inbound set-webhook\'' -l api-key -x -d 'Bland API key (never printed) (default: $BLAND_API_KEY; prefer it or --api-key-file: other local users see command lines)'
complete -c blandhook -n '__blandhook_at \'inbound set-webhook\'' -l api-key-file -r -F -d 'Read the API key from this file (its last line break is ignored; - reads stdin)'
complete -c blandhook -n '__blandhook_at \'inbound set-webhook\'' -l api-url -x -d 'Bland API base URL (or the emulator\'s)'
complete -c blandhook -n '__blandhook_at \'inbound set-webhook\'' -l insecure -s k -d 'Skip TLS verification of the API'
complete -c blandhook -n '__blandhook_at \'inbound restore\'' -l help -s h -d 'Print this help message and exit'
complete -c blandhook -n '__blandhook_at \'inbound restore\'' -l all -d 'Also restore numbers whose listener still runs'
complete -c blandhook -n '__blandhook_at \'inbound restore\'' -l api-key -x -d 'Bland API key (never printed) (default: $BLAND_API_KEY; prefer it or --api-key-file: other local users see command lines)'
complete -c blandhook -n '__blandhook_at \'inbound restore\'' -l api-key-file -r -F -d 'Read the API key from this file (its last line break is ignored; - reads stdin)'
complete -c blandhook -n '__blandhook_at \'inbound restore\'' -l api-url -x -d 'Bland API base URL (or the emulator\'s)'
complete -c blandhook -n '__blandhook_at \'inbound restore\'' -l insecure -s k -d 'Skip TLS verification of the API'
complete -c blandhook -n '__blandhook_at \'deliver\'' -l help -s h -d 'Print this help message and exit'
complete -c blandhook -n '__blandhook_at \'deliver\'' -l to -x -d 'The URL to send the webhooks to'
complete -c blandhook -n '__blandhook_at \'deliver\'' -l json -d 'Print Bland\'s answer as JSON'
complete -c blandhook -n '__blandhook_at \'deliver\'' -l api-key -x -d 'Bland API key (never printed) (default: $BLAND_API_KEY; prefer it or --api-key-file: other local users see command lines)'
complete -c blandhook -n '__blandhook_at \'deliver\'' -l api-key-file -r -F -d 'Read the API key from this file (its last line break is ignored; - reads stdin)'
complete -c blandhook -n '__blandhook_at \'deliver\'' -l api-url -x -d 'Bland API base URL (or the emulator\'s)'
complete -c blandhook -n '__blandhook_at \'deliver\'' -l insecure -s k -d 'Skip TLS verification of the API'
complete -c blandhook -n '__blandhook_at \'emulate\'' -l help -s h -d 'Print this help message and exit'
complete -c blandhook -n '__blandhook_at \'emulate\'' -l host -x -d 'Address to bind'
complete -c blandhook -n '__blandhook_at \'emulate\'' -l port -s p -x -d 'Port to bind; 0 picks a free one'
complete -c blandhook -n '__blandhook_at \'emulate\'' -l api-key -x -d 'Require this key in the authorization header (raw or \'Bearer KEY\') (default: $BLAND_API_KEY; prefer it or --api-key-file: other local users see command lines)'
complete -c blandhook -n '__blandhook_at \'emulate\'' -l api-key-file -r -F -d 'Read the API key from this file (its last line break is ignored; - reads stdin)'
complete -c blandhook -n '__blandhook_at \'emulate\'' -l secret -x -d 'Sign webhooks with this secret (X-Webhook-Signature) (default: $BLAND_WEBHOOK_SECRET; prefer it or --secret-file: other local users see command lines)'
complete -c blandhook -n '__blandhook_at \'emulate\'' -l secret-file -r -F -d 'Read the webhook secret from this file (its last line break is ignored; - reads stdin)'
complete -c blandhook -n '__blandhook_at \'emulate\'' -l call-duration -x -d 'Wall-clock time from queued to hang-up (queued for the first fifth)'
complete -c blandhook -n '__blandhook_at \'emulate\'' -l webhook-delay -x -d 'Wait between hang-up and the post-call webhook (Bland: up to a minute)'
complete -c blandhook -n '__blandhook_at \'emulate\'' -l citations-delay -x -d 'Extra wait for citations: the delayed webhook or the citations event'
complete -c blandhook -n '__blandhook_at \'emulate\'' -l delay-webhook -d 'With \'citations\' in webhook_events send one delayed post-call webhook (corrected_transcript, citations) instead of a separate citations event'
complete -c blandhook -n '__blandhook_at \'emulate\'' -l strict-webhooks -d 'Accept only https:// webhook URLs, as Bland does'
complete -c blandhook -n '__blandhook_at \'emulate\'' -l delivery-timeout -x -d 'Time one delivery attempt may take, connect to answer'
complete -c blandhook -n '__blandhook_at \'emulate\'' -l retries -x -d 'Retries after a network error, timeout, 5xx or 429 (0 to 20; our policy: Bland documents none)'
complete -c blandhook -n '__blandhook_at \'emulate\'' -l retry-backoff -x -d 'Wait before the first retry'
complete -c blandhook -n '__blandhook_at \'emulate\'' -l retry-multiplier -x -d 'Growth of the wait per retry (1 to 100)'
complete -c blandhook -n '__blandhook_at \'emulate\'' -l retry-max-backoff -x -d 'Longest wait between retries'
complete -c blandhook -n '__blandhook_at \'emulate\'' -l workers -x -d 'Deliveries in flight at once'
complete -c blandhook -n '__blandhook_at \'emulate\'' -l per-receiver -x -d 'Deliveries in flight at once to one receiver (origin)'
complete -c blandhook -n '__blandhook_at \'emulate\'' -l quiet -s q -d 'Print only the readiness and summary lines'
complete -c blandhook -n '__blandhook_at \'fixtures\'' -a list -d 'List the built-in fixtures: name, kind, modelled?, description'
complete -c blandhook -n '__blandhook_at \'fixtures\'' -a show -d 'Print a built-in fixture\'s exact bytes'
complete -c blandhook -n '__blandhook_at \'fixtures\'' -a validate -d 'Validate payload files against the schema of their kind (exit 1 on errors, 5 when a file is unreadable or not JSON)'
complete -c blandhook -n '__blandhook_at \'fixtures\'' -a schema -d 'Print the JSON Schema of a payload kind (default post-call)'
complete -c blandhook -n '__blandhook_at \'fixtures\'' -l help -s h -d 'Print this help message and exit'
complete -c blandhook -n '__blandhook_at \'fixtures list\'' -l help -s h -d 'Print this help message and exit'
complete -c blandhook -n '__blandhook_at \'fixtures list\'' -l json -d 'Print the list as JSON'
complete -c blandhook -n '__blandhook_at \'fixtures show\'' -l help -s h -d 'Print this help message and exit'
complete -c blandhook -n '__blandhook_at \'fixtures show\'' -a 'citations-event completed-inbound completed-outbound delayed-citations delayed-post-transfer error-busy error-call-failed error-database error-number-not-found error-spam-blocked error-temporarily-unavailable error-unable-to-start error-unknown evals-event live-event multiple-event no-answer post-transfer-transcript-event voicemail warm-transfer' -d 'Fixture name (see \'fixtures list\')'
complete -c blandhook -n '__blandhook_at \'fixtures validate\'' -l help -s h -d 'Print this help message and exit'
complete -c blandhook -n '__blandhook_at \'fixtures validate\'' -l kind -x -a 'post-call delayed-post-call citations-event post-transfer-transcript-event multiple-event evals-event live-event' -d 'Validate as this kind instead of the one the body looks like'
complete -c blandhook -n '__blandhook_at \'fixtures validate\'' -l json -d 'Print the findings as JSON'
complete -c blandhook -n '__blandhook_at \'fixtures validate\'' -F
complete -c blandhook -n '__blandhook_at \'fixtures schema\'' -l help -s h -d 'Print this help message and exit'
complete -c blandhook -n '__blandhook_at \'fixtures schema\'' -a 'post-call delayed-post-call citations-event post-transfer-transcript-event multiple-event evals-event live-event' -d 'Payload kind'
complete -c blandhook -n '__blandhook_at \'sign\'' -l help -s h -d 'Print this help message and exit'
complete -c blandhook -n '__blandhook_at \'sign\'' -l secret -s s -x -d 'Webhook signing secret (default: $BLAND_WEBHOOK_SECRET; prefer it or --secret-file: other local users see command lines)'
complete -c blandhook -n '__blandhook_at \'sign\'' -l secret-file -r -F -d 'Read the webhook secret from this file (its last line break is ignored; - reads stdin)'
complete -c blandhook -n '__blandhook_at \'sign\'' -l canonical -d 'Sign the compact JSON.stringify(JSON.parse(body)) re-serialisation, as Bland\'s example receiver hashes it, instead of the raw bytes'
complete -c blandhook -n '__blandhook_at \'sign\'' -F
complete -c blandhook -n '__blandhook_at \'verify\'' -l help -s h -d 'Print this help message and exit'
complete -c blandhook -n '__blandhook_at \'verify\'' -l secret -s s -x -d 'Webhook signing secret (default: $BLAND_WEBHOOK_SECRET; prefer it or --secret-file: other local users see command lines)'
complete -c blandhook -n '__blandhook_at \'verify\'' -l secret-file -r -F -d 'Read the webhook secret from this file (its last line break is ignored; - reads stdin)'
complete -c blandhook -n '__blandhook_at \'verify\'' -l signature -s S -x -d 'The X-Webhook-Signature value received (hex, either case)'
complete -c blandhook -n '__blandhook_at \'verify\'' -l json -d 'Print {file, valid, matched, verdict} as JSON for machines'
complete -c blandhook -n '__blandhook_at \'verify\'' -F
complete -c blandhook -n '__blandhook_at \'completions\'' -l help -s h -d 'Print this help message and exit'
complete -c blandhook -n '__blandhook_at \'completions\'' -a 'bash zsh fish' -d 'The shell to complete for'
