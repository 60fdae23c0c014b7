#!/usr/bin/python3
"""Runs every shell example in README.md and docs/*.md as written, and fails on any that does not
work. The conventions (also in docs/cli.md, "Examples in these docs"):

  ```sh                 an example: run by bash -euo pipefail in a scratch directory of its own
                        (a fresh HOME too); it must exit 0. Commands it starts in the background
                        (`blandhook listen &`) are stopped when it ends.
  ```sh serve           commands that run until stopped (listen, emulate): each one is started on
                        its own, must come up and stay up, and must stop cleanly on SIGINT
  ```sh no-run: WHY     not run, for the reason given (a real Bland key, a tunnel, root); counted
                        and listed
  ```console            a transcript (`$ ` commands and their output), not run, counted

Every example sees what the docs promise a reader who followed them: `blandhook` on PATH,
BLAND_WEBHOOK_SECRET=whsec_test, and "your handler" on http://127.0.0.1:3000 (and localhost:3000):
a webhook handler that checks the signature and stores each call in SQLite, serving what it stored
at /calls/{call_id} (tests/replay/store_handler.py, the correct one). The fixed ports of the docs
(4000 listen, 4100 its inspector, 4001 emulate, 3000 the handler) are free because the test
re-runs itself in a private network namespace (unshare -rn) where loopback is its own; without
one it uses the machine's loopback and says so.

Usage: docs_examples_test.py BLANDHOOK_BINARY SOURCE_DIR [FILE.md ...]
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

SECRET = "whsec_test"
HANDLER_PORT = 3000
BLOCK_TIMEOUT = 45  # seconds; a hung example fails instead of hanging CI
SERVE_READY = 5


def in_private_network():
    return os.environ.get("BLANDHOOK_DOCS_NETNS") == "1"


def reexec_in_namespace():
    """Runs this script again in a new user + network namespace; returns its exit code, or None
    when namespaces are not available here."""
    if in_private_network() or shutil.which("unshare") is None:
        return None
    probe = subprocess.run(["unshare", "-rn", "true"], capture_output=True)
    if probe.returncode != 0:
        return None
    inner = ("ip link set lo up 2>/dev/null || /usr/sbin/ip link set lo up; "
             'exec "$@"')
    env = dict(os.environ, BLANDHOOK_DOCS_NETNS="1")
    return subprocess.run(["unshare", "-rn", "sh", "-c", inner, "sh", sys.executable] + sys.argv,
                          env=env).returncode


class Block:
    def __init__(self, path, line, info, text):
        self.path, self.line, self.info, self.text = path, line, info.strip(), text
        words = self.info.split(None, 1)
        self.language = words[0] if words else ""
        self.rest = words[1] if len(words) > 1 else ""

    def where(self):
        return f"{self.path}:{self.line}"


FENCE = re.compile(r"^(\s*)```(.*)$")
# A line that runs a blandhook command (not output such as "blandhook listening on …").
COMMAND_LINE = re.compile(r"^\s*(\$ )?blandhook (listen|captures|replay|call|emulate|fixtures|"
                          r"sign|verify|completions|inbound|deliver|help)( |$)", re.M)


def blocks_of(path, shown_as):
    lines = open(path, encoding="utf-8").read().split("\n")
    out = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, info, start = m.group(1), m.group(2), i
        body = []
        i += 1
        while i < len(lines) and not re.match(r"^\s*```\s*$", lines[i]):
            line = lines[i]
            body.append(line[len(indent):] if line.startswith(indent) else line.lstrip())
            i += 1
        i += 1
        out.append(Block(shown_as, start + 1, info, "\n".join(body) + "\n"))
    return out


def commands_of(text):
    """The commands of a block: comments dropped, continuation lines joined."""
    commands, current = [], ""
    for raw in text.split("\n"):
        line = raw.rstrip()
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        commands.append(current + line)
        current = ""
    if current:
        commands.append(current)
    return commands


def port_open(port):
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_port(port, process, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if port_open(port):
            return True
        if process.poll() is not None:
            return False
        time.sleep(0.05)
    return False


def stop_group(process, sig=signal.SIGTERM):
    """Stops the example and everything it left in the background, and waits until they are gone
    (the next example needs their ports)."""
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + 5
    while True:
        if process.poll() is None:
            time.sleep(0.02)
        else:
            try:
                os.killpg(process.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.02)
        if time.monotonic() > deadline:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()
            return


class Runner:
    def __init__(self, binary, source):
        self.binary, self.source = binary, source
        self.scratch = tempfile.mkdtemp(prefix="blandhook-docs-")
        self.count = 0
        self.failures = []
        self.passed = []
        self.skipped = []
        self.seconds = []  # (seconds, where) per block, to keep the test fast

    def env(self, home):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("BLAND_", "XDG_")) and k not in ("NO_COLOR",)}
        env.update(HOME=home, NO_COLOR="1", BLAND_WEBHOOK_SECRET=SECRET, LC_ALL="C.UTF-8",
                   PATH=os.path.dirname(os.path.abspath(self.binary)) + ":" + env.get("PATH", "/usr/bin:/bin"))
        return env

    def start_handler(self, workdir, env):
        handler = subprocess.Popen(
            [sys.executable, os.path.join(self.source, "tests/replay/store_handler.py"),
             "--secret", SECRET, "--db", os.path.join(workdir, "app.db"),
             "--mode", "correct", "--port", str(HANDLER_PORT)],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(workdir, ".handler.log"), "w"),
            env=env, start_new_session=True)
        if not wait_port(HANDLER_PORT, handler, 10):
            raise RuntimeError("the stand-in handler did not start on 127.0.0.1:%d" % HANDLER_PORT)
        return handler

    def prepare(self):
        self.count += 1
        workdir = os.path.join(self.scratch, "example-%02d" % self.count)
        home = os.path.join(workdir, ".home")
        os.makedirs(home)
        return workdir, home

    def run_block(self, block):
        workdir, home = self.prepare()
        env = self.env(home)
        handler = self.start_handler(workdir, env)
        script = os.path.join(workdir, ".example.sh")
        with open(script, "w") as out:
            out.write(block.text)
        log = os.path.join(workdir, ".output")
        try:
            # Output goes to a file, not a pipe: a server the example left in the background
            # would hold a pipe open after the example ended.
            with open(log, "w") as out:
                process = subprocess.Popen(["bash", "-euo", "pipefail", script], cwd=workdir,
                                           env=env, stdout=out, stderr=subprocess.STDOUT,
                                           stdin=subprocess.DEVNULL, start_new_session=True)
            try:
                code = process.wait(timeout=BLOCK_TIMEOUT)
            except subprocess.TimeoutExpired:
                code = "timeout after %ds" % BLOCK_TIMEOUT
            stop_group(process)
        finally:
            stop_group(handler)
        text = open(log, errors="replace").read()
        if code != 0:
            self.failures.append((block, code, text))
        else:
            self.passed.append(block)

    def run_serve(self, block):
        for command in commands_of(block.text):
            workdir, home = self.prepare()
            env = self.env(home)
            log = os.path.join(workdir, ".output")
            with open(log, "w") as out:
                process = subprocess.Popen(["bash", "-euo", "pipefail", "-c", command], cwd=workdir,
                                           env=env, stdout=out, stderr=subprocess.STDOUT,
                                           stdin=subprocess.DEVNULL, start_new_session=True)
            deadline = time.monotonic() + SERVE_READY
            # Up means: it says where it serves, or it is still running when the time is up.
            while time.monotonic() < deadline and process.poll() is None:
                if re.search(r" on https?://", open(log, errors="replace").read()):
                    break
                time.sleep(0.05)
            time.sleep(0.3)
            alive = process.poll() is None
            if alive:
                os.killpg(process.pid, signal.SIGINT)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    stop_group(process, signal.SIGKILL)
            code = process.returncode
            text = open(log, errors="replace").read()
            if not alive:
                self.failures.append((block, "exited %s before it was stopped (`%s`)" % (code, command), text))
            elif code not in (0, 130, -signal.SIGINT) or "error:" in text:
                self.failures.append((block, "stopped with %s (`%s`)" % (code, command), text))
            else:
                self.passed.append(block)

    def run(self, block):
        started = time.monotonic()
        self.dispatch(block)
        self.seconds.append((time.monotonic() - started, block.where()))

    def dispatch(self, block):
        if block.language in ("sh", "bash", "shell"):
            if block.rest.startswith("no-run"):
                reason = block.rest[len("no-run"):].lstrip(": ").strip()
                if not reason:
                    self.failures.append((block, "no-run without a reason", ""))
                else:
                    self.skipped.append((block, reason))
            elif block.rest == "serve":
                self.run_serve(block)
            elif block.rest == "":
                self.run_block(block)
            else:
                self.failures.append((block, "unknown example marker '%s'" % block.rest, ""))
        elif block.language == "console":
            self.skipped.append((block, "transcript"))
        elif block.language == "" and COMMAND_LINE.search(block.text):
            self.failures.append((block, "an untagged block holding blandhook commands: tag it "
                                  "```sh (run) or ```console (a transcript)", block.text))


def main():
    code = reexec_in_namespace()
    if code is not None:
        return code
    binary, source = sys.argv[1], sys.argv[2]
    files = sys.argv[3:] or (["README.md"] + sorted(
        os.path.join("docs", name) for name in os.listdir(os.path.join(source, "docs"))
        if name.endswith(".md")))
    if not in_private_network():
        print("docs examples: no private network namespace here (unshare -rn failed); using this "
              "machine's loopback: ports 3000, 4000, 4001 and 4100 must be free", flush=True)
    runner = Runner(binary, source)
    for name in files:
        for block in blocks_of(os.path.join(source, name), name):
            runner.run(block)
    for block, reason in runner.skipped:
        print("not run: %s (%s): %s" % (block.where(), block.language, reason))
    for block, code, output in runner.failures:
        print("\nFAILED: %s: exit %s\n--- example ---\n%s--- output ---\n%s" %
              (block.where(), code, block.text, output))
    slowest = sorted(runner.seconds, reverse=True)[:5]
    print("\nslowest: " + ", ".join("%s %.1fs" % (where, sec) for sec, where in slowest))
    print("docs examples: %d passed, %d failed, %d not run (listed above)" %
          (len(runner.passed), len(runner.failures), len(runner.skipped)))
    if not runner.failures:
        shutil.rmtree(runner.scratch, ignore_errors=True)
    else:
        print("scratch directories kept in", runner.scratch)
    return 1 if runner.failures or not runner.passed else 0


if __name__ == "__main__":
    sys.exit(main())
