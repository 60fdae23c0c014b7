#!/usr/bin/env bash
# blandcli_compat: the official `bland` CLI (npm bland-cli) pointed at `blandhook emulate` with
# BLAND_BASE_URL runs every `bland call` subcommand (send --wait, list, get, stop, events,
# recording, analyze), reads the delivery log with `bland postcall get` and sets an inbound
# number's webhook with `bland number update`; each check looks at what the CLI prints.
# Usage: compat.sh PATH/TO/blandhook
set -euo pipefail

BLANDHOOK=${1:?usage: compat.sh PATH/TO/blandhook}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

failures=0
passed=0
check() { # check NAME CONDITION-EXIT-CODE
  if [ "$2" -eq 0 ]; then echo "ok   $1"; passed=$((passed + 1)); else echo "FAIL $1"; failures=$((failures + 1)); fi
}

if [ ! -x "$HERE/node_modules/.bin/bland" ]; then
  (cd "$HERE" && timeout 300 npm ci --no-audit --no-fund --loglevel=error)
fi
BLAND="$HERE/node_modules/.bin/bland"

# Waits for the readiness line of a background blandhook and prints its port.
port_of() {
  local file=$1
  for _ in $(seq 1 100); do
    if grep -qo 'http://127.0.0.1:[0-9]*' "$file" 2>/dev/null; then
      grep -o 'http://127.0.0.1:[0-9]*' "$file" | head -1 | sed 's/.*://'
      return 0
    fi
    sleep 0.1
  done
  echo "no readiness line in $file:" >&2
  cat "$file" >&2
  return 1
}

"$BLANDHOOK" emulate --port 0 --api-key compat-key --secret compat-secret --call-duration 1s \
  >"$WORK/emulate.out" 2>&1 &
PIDS+=($!)
# --json: one whole capture a line (the terminal line shortens the call_id to fit 100 columns).
"$BLANDHOOK" listen --port 0 --no-save --json --secret compat-secret >"$WORK/listen.out" 2>&1 &
PIDS+=($!)
EMULATE_PORT=$(port_of "$WORK/emulate.out")
LISTEN_PORT=$(port_of "$WORK/listen.out")

# bland-cli keeps its profile under $HOME; give it an empty one.
export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config"
mkdir -p "$XDG_CONFIG_HOME"
export BLAND_BASE_URL="http://127.0.0.1:$EMULATE_PORT" BLAND_API_KEY=compat-key
# From here on a failing command is a failed check, not the end of the script.
set +e
# Prints one field (a.b.0.c) of the JSON document on stdin, "(not JSON)" when it is not JSON.
json_field() {
  node -e '
    let text = "";
    process.stdin.on("data", (d) => (text += d)).on("end", () => {
      let value;
      try { value = JSON.parse(text); } catch { console.log("(not JSON)"); return; }
      for (const key of process.argv[1].split(".")) value = value == null ? undefined : value[key];
      console.log(typeof value === "object" ? JSON.stringify(value) : String(value));
    });' "$1"
}

# 1. A completed call, placed and awaited by Bland's own client.
timeout 60 "$BLAND" call send +15555550100 --task "Confirm the appointment" \
  --webhook "http://127.0.0.1:$LISTEN_PORT/hook" --wait >"$WORK/send.out" 2>&1
check "bland call send --wait exits 0" $?
CALL_ID=$(grep -o 'Call initiated ([0-9a-f-]*)' "$WORK/send.out" | sed 's/.*(\(.*\))/\1/' || true)
[ -n "$CALL_ID" ]; check "bland call send prints the emulator's call_id" $?
grep -q 'Call completed' "$WORK/send.out"; check "bland call send --wait sees the call complete" $?
grep -q 'Agent:' "$WORK/send.out"; check "bland call send --wait streams the transcript" $?

timeout 60 "$BLAND" call get "$CALL_ID" --json >"$WORK/get.json" 2>"$WORK/get.err"
[ "$(json_field call_id <"$WORK/get.json")" = "$CALL_ID" ]; check "bland call get returns the call" $?
[ "$(json_field completed <"$WORK/get.json")" = "true" ]; check "bland call get: completed true" $?
[ "$(json_field status <"$WORK/get.json")" = "completed" ]; check "bland call get: status completed" $?
[ "$(json_field to <"$WORK/get.json")" = "+15555550100" ]; check "bland call get: to is the number called" $?

timeout 60 "$BLAND" call get "$CALL_ID" >"$WORK/get.txt" 2>&1
grep -q 'Status *completed' "$WORK/get.txt"; check "bland call get shows Status completed" $?

# 2. The delivery log, read by Bland's client: one spawn attempt answered 200 by the listener.
for _ in $(seq 1 50); do
  timeout 60 "$BLAND" postcall get "$CALL_ID" >"$WORK/postcall.json" 2>"$WORK/postcall.err"
  grep -q '"response_code": 200' "$WORK/postcall.json" && break
  sleep 0.1
done
[ "$(json_field metadata.0.response_code <"$WORK/postcall.json")" = "200" ]; check "bland postcall get: response_code 200" $?
[ "$(json_field metadata.0.send_type <"$WORK/postcall.json")" = "spawn" ]; check "bland postcall get: send_type spawn" $?
[ "$(json_field payload.call_id <"$WORK/postcall.json")" = "$CALL_ID" ]; check "bland postcall get: payload of this call" $?
grep -q "$CALL_ID" "$WORK/listen.out"; check "the webhook reached the listener" $?

# 3. A busy number: the outcome table by last digits, seen through Bland's client.
timeout 60 "$BLAND" call send +15555550486 --task "Say hi" --wait >"$WORK/busy.out" 2>&1
BUSY_ID=$(grep -o 'Call initiated ([0-9a-f-]*)' "$WORK/busy.out" | sed 's/.*(\(.*\))/\1/' || true)
timeout 60 "$BLAND" call get "$BUSY_ID" --json >"$WORK/busy.json" 2>/dev/null
[ "$(json_field status <"$WORK/busy.json")" = "busy" ]; check "a …486 number ends busy" $?

# 4. A wrong key: 401 in Bland's shape, which the client reports as an invalid key.
BLAND_API_KEY=wrong-key timeout 60 "$BLAND" call get "$CALL_ID" >"$WORK/auth.out" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -q 'Invalid API key' "$WORK/auth.out"; check "a wrong key is refused as Bland refuses it" $?

# 5. Bland's validation: a number that is not E.164.
# Bland lists validation errors as strings, which bland-cli prints as "undefined: undefined":
# what counts here is that the call is refused, as Bland refuses it.
timeout 60 "$BLAND" call send 5551234 --task "Say hi" --json >"$WORK/invalid.out" 2>&1
rc=$?
[ $rc -ne 0 ] && ! grep -q 'Call initiated' "$WORK/invalid.out"; check "a number that is not E.164 is refused" $?

# 6. Inbound numbers: bland-cli's `number update --webhook` (a partial update, no prompt) and
# `number list`, then blandhook's `inbound show` reading what the official client set.
timeout 60 "$BLAND" number update +15555550100 --webhook https://example.com/from-bland-cli \
  >"$WORK/number.out" 2>&1
check "bland number update --webhook is accepted" $?
timeout 60 "$BLAND" number list --json >"$WORK/numbers.json" 2>/dev/null
[ "$(json_field 0.phone_number <"$WORK/numbers.json")" = "+15555550100" ]; check "bland number list shows the number" $?
"$BLANDHOOK" inbound show +15555550100 >"$WORK/inbound.json" 2>&1
[ "$(json_field webhook <"$WORK/inbound.json")" = "https://example.com/from-bland-cli" ]; check "blandhook inbound show reads the webhook bland-cli set" $?

# 7. bland call list: GET /v1/calls, the table and the JSON.
timeout 60 "$BLAND" call list >"$WORK/list.out" 2>&1
check "bland call list exits 0" $?
grep -Eq 'Showing [1-9][0-9]* of [1-9][0-9]* calls' "$WORK/list.out"; check "bland call list shows the calls" $?
grep -q "$CALL_ID" "$WORK/list.out"; check "bland call list has the completed call's row" $?
timeout 60 "$BLAND" call list --json --limit 1 --ascending >"$WORK/list.json" 2>"$WORK/list.json.err"
[ "$(json_field calls.0.call_id <"$WORK/list.json")" = "$CALL_ID" ]; check "bland call list --limit 1 --ascending: the first call" $?
[ "$(node -e 'const l=JSON.parse(require("fs").readFileSync(0));console.log(l.calls.length)' <"$WORK/list.json")" = "1" ]; check "bland call list --limit 1 returns one call" $?
timeout 60 "$BLAND" call list --status completed --json >"$WORK/list-completed.json" 2>"$WORK/list-completed.json.err"
[ "$(json_field calls.0.completed <"$WORK/list-completed.json")" = "true" ]; check "bland call list --status completed filters" $?

# 8. bland call events: GET /v1/calls/{id}/events.
timeout 60 "$BLAND" call events "$CALL_ID" >"$WORK/events.out" 2>&1
check "bland call events exits 0" $?
grep -q '\[queue\] Call enqueued' "$WORK/events.out"; check "bland call events shows the queue event" $?
grep -q '\[call\] Call ended' "$WORK/events.out"; check "bland call events shows the end of the call" $?
timeout 60 "$BLAND" call events "$CALL_ID" --json >"$WORK/events.json" 2>"$WORK/events.json.err"
[ "$(json_field 0.message <"$WORK/events.json")" = "Call enqueued" ]; check "bland call events --json lists the events" $?

# 9. bland call analyze: POST /v1/calls/analyze, printed as Analysis Results.
timeout 60 "$BLAND" call analyze "$CALL_ID" >"$WORK/analyze.out" 2>&1
check "bland call analyze exits 0" $?
grep -q 'Analysis Results' "$WORK/analyze.out" && ! grep -q 'Error' "$WORK/analyze.out"; check "bland call analyze shows results, no error" $?
grep -Eq 'status +completed' "$WORK/analyze.out"; check "bland call analyze: status completed" $?
timeout 60 "$BLAND" call analyze "$CALL_ID" --json >"$WORK/analyze.json" 2>"$WORK/analyze.json.err"
[ "$(json_field citations.0.call_id <"$WORK/analyze.json")" = "$CALL_ID" ]; check "bland call analyze --json: citations of this call" $?
timeout 60 "$BLAND" call analyze "$BUSY_ID" >"$WORK/analyze-busy.out" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -q 'never connected' "$WORK/analyze-busy.out"; check "bland call analyze of a busy call: no citation data" $?

# 10. bland call recording: the URL points at the emulator, which serves a WAV file.
timeout 60 "$BLAND" call send +15555550100 --task "Record this" --record --wait >"$WORK/rec-send.out" 2>&1
REC_ID=$(grep -o 'Call initiated ([0-9a-f-]*)' "$WORK/rec-send.out" | sed 's/.*(\(.*\))/\1/' || true)
timeout 60 "$BLAND" call recording "$REC_ID" >"$WORK/recording.out" 2>&1
check "bland call recording exits 0" $?
REC_URL=$(grep -o "http://127.0.0.1:$EMULATE_PORT/v1/recordings/[0-9a-f-]*\.wav" "$WORK/recording.out" || true)
[ -n "$REC_URL" ]; check "bland call recording prints the emulator's URL" $?
node -e '
  fetch(process.argv[1]).then(async (r) => {
    const b = Buffer.from(await r.arrayBuffer());
    process.exit(r.ok && b.toString("latin1", 0, 4) === "RIFF" && b.toString("latin1", 8, 12) === "WAVE" ? 0 : 1);
  }).catch(() => process.exit(1));' "$REC_URL"
check "the recording URL serves a WAV file" $?
timeout 60 "$BLAND" call recording "$CALL_ID" >"$WORK/no-recording.out" 2>&1
grep -q 'No recording available' "$WORK/no-recording.out"; check "bland call recording of an unrecorded call says so" $?

# 11. bland call stop: a call still in progress is ended (an emulator whose calls last 5 minutes,
# so that the call is surely still running when the CLI, slow to start, asks).
"$BLANDHOOK" emulate --port 0 --api-key compat-key --call-duration 300s >"$WORK/emulate-long.out" 2>&1 &
PIDS+=($!)
LONG_URL="http://127.0.0.1:$(port_of "$WORK/emulate-long.out")"
BLAND_BASE_URL=$LONG_URL timeout 60 "$BLAND" call send +15555550100 --task "Hang on" --json \
  >"$WORK/stop-send.json" 2>/dev/null
STOP_ID=$(json_field call_id <"$WORK/stop-send.json")
BLAND_BASE_URL=$LONG_URL timeout 60 "$BLAND" call stop "$STOP_ID" >"$WORK/stop.out" 2>&1
check "bland call stop exits 0" $?
grep -q "Call $STOP_ID stopped" "$WORK/stop.out"; check "bland call stop says the call stopped" $?
BLAND_BASE_URL=$LONG_URL timeout 60 "$BLAND" call get "$STOP_ID" --json >"$WORK/stopped.json" 2>/dev/null
[ "$(json_field completed <"$WORK/stopped.json")" = "true" ]; check "a stopped call is completed" $?
[ "$(json_field status <"$WORK/stopped.json")" = "canceled" ]; check "a call stopped before it started is canceled" $?

echo "$passed passed, $failures failed"
if [ "$failures" -ne 0 ]; then
  echo "--- emulate output"; cat "$WORK/emulate.out"
  for f in send.out get.json postcall.json busy.json auth.out invalid.out number.out numbers.json \
    inbound.json list.out events.out analyze.out analyze-busy.out recording.out stop.out; do
    echo "--- $f"; cat "$WORK/$f" 2>/dev/null
  done
  exit 1
fi
