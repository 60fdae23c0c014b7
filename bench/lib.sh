# What the bench scripts share: a scratch directory cleaned up on exit with the servers they
# started, an nginx target, a free loopback port, timing and the median/ratio arithmetic.
# Source it from a script that has run `set -euo pipefail`:
#   . "$(dirname "$0")/lib.sh"
# Everything here is a function or a variable named bench_*, except $work (the scratch directory).

# bench_scratch NAME: creates $work (/tmp/blandhook-bench-NAME-XXXXXX) and an EXIT trap that stops
# each pid in bench_pids, the nginx that bench_nginx started, and removes $work.
bench_scratch() {
    work=$(mktemp -d "/tmp/blandhook-bench-$1-XXXXXX")
    bench_pids=()
    trap bench_cleanup EXIT
}

bench_cleanup() {
    local pid
    for pid in "${bench_pids[@]:-}"; do
        if [ -n "$pid" ]; then
            kill "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
    if [ -f "$work/nginx.pid" ]; then kill "$(cat "$work/nginx.pid")" 2>/dev/null || true; fi
    rm -rf "$work"
}

# bench_free_port: a loopback port nothing listens on (the kernel's choice for port 0).
bench_free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# bench_wait_http PORT: returns once something answers HTTP on 127.0.0.1:PORT (any status).
bench_wait_http() {
    for _ in $(seq 1 100); do
        if curl -s -o /dev/null -m 1 "http://127.0.0.1:$1/_blandhook/health" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "nothing listening on $1" >&2
    return 1
}

# bench_nginx PORT WORKERS ANSWER [DIRECTIVES]: starts nginx on 127.0.0.1:PORT answering every
# request `return 200 ANSWER` (ANSWER in nginx's quoting), with its files under $work/nginx and the
# extra http-block DIRECTIVES given (buffer sizes, keep-alive); returns once it answers.
bench_nginx() {
    mkdir -p "$work/nginx"
    cat >"$work/nginx.conf" <<CONF
worker_processes $2;
pid $work/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  ${4:-}
  server { listen 127.0.0.1:$1; location / { return 200 $3; } }
}
CONF
    nginx -c "$work/nginx.conf" -p "$work/nginx"
    bench_wait_http "$1"
}

# bench_now: seconds since the epoch, to the nanosecond.
bench_now() { date +%s.%N; }

# bench_median VALUE...: the middle value (the lower middle of an even count).
bench_median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# bench_ratio A B: A/B to two decimals, with an x ("1.25x").
bench_ratio() { /usr/bin/python3 -c "print(f'{$1/$2:.2f}x')"; }
