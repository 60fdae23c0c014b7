#!/usr/bin/python3
"""A tiny webhook handler standing in for "the team's handler" in the replay tests and the
GitHub Actions example: verifies X-Webhook-Signature over the raw body (or, with --reserialize,
over a JSON.stringify-like re-serialisation, the mistake replay's signature-variants catches),
answers 200 {"ok":true} or 401.

Usage: handler.py --secret S [--reserialize] [--port-file FILE] [--port N]
"""
import argparse
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--secret", required=True)
    parser.add_argument("--reserialize", action="store_true")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    args = parser.parse_args()
    secret = args.secret.encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # answers in one segment: no delayed-ACK stalls

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            signed = body
            if args.reserialize:
                signed = json.dumps(json.loads(body), separators=(",", ":"),
                                    ensure_ascii=False).encode()
            expected = hmac.new(secret, signed, hashlib.sha256).hexdigest()
            given = self.headers.get("X-Webhook-Signature", "").strip().lower()
            ok = hmac.compare_digest(expected, given)
            if ok:
                answer_json(self, 200, b'{"ok":true}')
            else:
                answer_json(self, 401, b'{"error":"bad signature"}')

        def log_message(self, *unused):
            pass

    serve(Handler, args.port, args.port_file)


def answer_json(request, status, data):
    """Answers `request` (a BaseHTTPRequestHandler) with `status` and the JSON bytes `data`;
    shared with store_handler.py."""
    request.send_response(status)
    request.send_header("Content-Type", "application/json")
    request.send_header("Content-Length", str(len(data)))
    request.end_headers()
    request.wfile.write(data)


def serve(handler_class, port, port_file):
    """Serves on 127.0.0.1:`port` (0: any), writing the port to `port_file` (atomically) when
    given; shared with store_handler.py."""
    server = ThreadingHTTPServer(("127.0.0.1", port), handler_class)
    port = server.server_address[1]
    if port_file:
        with open(port_file + ".tmp", "w") as out:
            out.write(str(port))
        os.replace(port_file + ".tmp", port_file)
    print(f"listening on http://127.0.0.1:{port}", flush=True)
    server.serve_forever()


class HandlerTest(unittest.TestCase):
    """A test with a scratch directory (self.tmp) and the processes it started (self.processes),
    all stopped and removed after each test; shared by the tests that start handlers."""
    scratch_prefix = "blandhook-test-"

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix=self.scratch_prefix)
        self.processes = []

    def tearDown(self):
        for process in self.processes:
            process.kill()
            process.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start_handler(self, script, *args):
        """Starts the handler `script` (handler.py, store_handler.py) with `args` on a port of
        its choosing; returns that port."""
        port_file = os.path.join(self.tmp, "port-%d" % len(self.processes))
        process = subprocess.Popen(["/usr/bin/python3", script, *args, "--port-file", port_file],
                                   stdout=subprocess.DEVNULL)
        self.processes.append(process)
        return wait_for_port_file(process, port_file)


def wait_for_port_file(process, port_file):
    """The port a handler started with --port-file wrote (up to 10 s); shared with the tests
    that start handlers."""
    for _ in range(400):
        if os.path.exists(port_file):
            with open(port_file) as f:
                return int(f.read())
        if process.poll() is not None:
            raise RuntimeError("handler exited")
        time.sleep(0.025)
    process.kill()
    raise RuntimeError("handler did not start")


if __name__ == "__main__":
    sys.exit(main())
