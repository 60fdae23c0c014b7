#!/usr/bin/python3
"""Runs the composite GitHub Action (action.yml) locally, step by step as the runner would: the
inputs and `${{ }}` expressions substituted, each step's `run:` executed verbatim by bash with the
step's env and working directory, GITHUB_OUTPUT / GITHUB_PATH files read back into step outputs.

The release archive the build made is served on 127.0.0.1 (the `release-url` input stands in for
the GitHub release), so the install step really downloads, checks the SHA-256 and unpacks it.
Three jobs:
  1. replay the fixture library to tests/replay/handler.py (verifies signatures): the step
     passes, the `report` output names a JUnit file with one passing case per fixture;
  2. the same handler with another secret: the step fails with exit code 1 and the outputs still
     name the report, whose cases failed;
  3. a wrong `sha256` input: the install step fails and puts nothing on PATH.
It also checks that the workflow in docs/install.md uses only inputs and outputs the action has.

Usage: action_steps_test.py ARCHIVE SOURCE_DIR
"""
import functools
import http.server
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading

import yaml
from junitparser import JUnitXml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from checks import check, finish  # noqa: E402

ARCHIVE, SOURCE_DIR = sys.argv[1], sys.argv[2]
HANDLER = os.path.join(SOURCE_DIR, "tests", "replay", "handler.py")
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")



def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Runner:
    """What the Actions runner does for one use of a composite action."""

    def __init__(self, action, action_path, inputs, workspace, runner_temp, env):
        self.action = action
        self.action_path = action_path
        self.workspace = workspace
        self.runner_temp = runner_temp
        self.env = env
        self.inputs = {name: str(spec.get("default", ""))
                       for name, spec in action.get("inputs", {}).items()}
        for name, value in inputs.items():
            if name not in self.inputs:
                raise SystemExit("FAIL: the action has no input %r" % name)
            self.inputs[name] = value
        self.steps = {}
        self.path_entries = []

    def value(self, expression):
        parts = expression.split(".")
        if parts[0] == "inputs" and len(parts) == 2:
            return self.inputs[parts[1]]
        if expression == "github.action_path":
            return self.action_path
        if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
            return self.steps.get(parts[1], {}).get(parts[3], "")
        raise SystemExit("FAIL: the test does not know the expression %r" % expression)

    def substitute(self, text):
        return EXPRESSION.sub(lambda m: self.value(m.group(1)), str(text))

    def condition(self, text):
        match = re.fullmatch(r"\s*([\w.-]+)\s*(==|!=)\s*''\s*", text)
        if not match:
            raise SystemExit("FAIL: the test does not know the condition %r" % text)
        empty = self.value(match.group(1)) == ""
        return empty if match.group(2) == "==" else not empty

    def run(self):
        """Runs every step; returns (the failing step's name or None, the action's outputs)."""
        failed = None
        for step in self.action["runs"]["steps"]:
            name = step.get("name", step.get("id", "?"))
            if "if" in step and not self.condition(step["if"]):
                continue
            if failed is not None:
                continue  # a composite action stops at the first failing step
            output_file = os.path.join(self.runner_temp, "output-%s" % step.get("id", name))
            path_file = os.path.join(self.runner_temp, "path-%s" % step.get("id", name))
            for f in (output_file, path_file):
                open(f, "w").close()
            env = dict(self.env)
            env["PATH"] = os.pathsep.join(self.path_entries + [env["PATH"]])
            env.update({k: self.substitute(v) for k, v in step.get("env", {}).items()})
            env.update(GITHUB_OUTPUT=output_file, GITHUB_PATH=path_file,
                       GITHUB_ACTION_PATH=self.action_path, RUNNER_TEMP=self.runner_temp,
                       GITHUB_WORKSPACE=self.workspace)
            cwd = os.path.join(self.workspace,
                               self.substitute(step.get("working-directory", ".")))
            check(step.get("shell") == "bash", "step %r runs in bash" % name)
            print("=== step: %s" % name, flush=True)
            result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                                     self.substitute(step["run"])], cwd=cwd, env=env,
                                    timeout=300)
            outputs = {}
            with open(output_file) as f:
                for line in f.read().splitlines():
                    key, _, value = line.partition("=")
                    outputs[key] = value
            if "id" in step:
                self.steps[step["id"]] = outputs
            with open(path_file) as f:
                self.path_entries = f.read().split() + self.path_entries
            if result.returncode != 0:
                failed = name
        outputs = {name: self.substitute(spec["value"])
                   for name, spec in self.action.get("outputs", {}).items()}
        return failed, outputs


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(directory):
    handler = functools.partial(QuietHandler, directory=directory)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def start_handler(secret, port):
    process = subprocess.Popen(["/usr/bin/python3", HANDLER, "--secret", secret, "--port",
                                str(port)], stdout=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            threading.Event().wait(0.05)
    process.kill()
    raise SystemExit("FAIL: the handler did not start")


def job(action, scratch, name, inputs, env_extra):
    """One job: a fresh workspace with the fixture library and a fresh runner temp."""
    workspace = os.path.join(scratch, name, "workspace")
    runner_temp = os.path.join(scratch, name, "runner-temp")
    os.makedirs(runner_temp)
    shutil.copytree(os.path.join(SOURCE_DIR, "fixtures"), os.path.join(workspace, "fixtures"))
    # Where the runner checks out `uses: OWNER/blandhook@v1`: the repository at that ref.
    action_path = os.path.join(scratch, name, "_actions", "OWNER", "blandhook", "v1")
    os.makedirs(action_path)
    for f in ["action.yml", "CMakeLists.txt"]:
        shutil.copy(os.path.join(SOURCE_DIR, f), action_path)
    env = {"PATH": "/usr/bin:/bin", "HOME": os.path.join(scratch, name),
           "GITHUB_REPOSITORY": "someone/their-app"}
    env.update(env_extra)
    runner = Runner(action, action_path, inputs, workspace, runner_temp, env)
    failed, outputs = runner.run()
    return runner, failed, outputs, workspace


def check_docs(action):
    text = open(os.path.join(SOURCE_DIR, "docs", "install.md"), encoding="utf-8").read()
    match = re.search(r"```yaml\n(# \.github/workflows/[^\n]*\n.*?)```", text, re.S)
    if not check(match is not None, "docs/install.md has no workflow (```yaml # .github/...)"):
        return
    workflow = yaml.safe_load(match.group(1))
    steps = [s for jobspec in workflow["jobs"].values() for s in jobspec["steps"]]
    uses = [s for s in steps if "blandhook@" in str(s.get("uses", ""))]
    if not check(len(uses) == 1, "the docs' workflow uses the action once"):
        return
    step = uses[0]
    for key in step.get("with", {}):
        check(key in action["inputs"], "the docs pass input %r, which the action lacks" % key)
    referenced = re.findall(r"steps\.%s\.outputs\.([\w-]+)" % re.escape(step.get("id", "?")),
                            match.group(1))
    check(referenced, "the docs' workflow reads the action's outputs by its step id")
    for output in referenced:
        check(output in action["outputs"], "the docs read output %r, which the action lacks"
              % output)


def main():
    action = yaml.safe_load(open(os.path.join(SOURCE_DIR, "action.yml"), encoding="utf-8"))
    check(action["runs"]["using"] == "composite", "action.yml is a composite action")
    for name in ["version", "args"]:
        check(name in action["inputs"], "action.yml has the input %r" % name)
    check("report" in action["outputs"], "action.yml exposes the report path as an output")
    check_docs(action)

    scratch = tempfile.mkdtemp(prefix="blandhook-action-")
    server = serve(os.path.dirname(ARCHIVE))
    release_url = "http://127.0.0.1:%d" % server.server_address[1]
    secret = "whsec_action_test"
    port = free_port()
    handler = start_handler(secret, port)
    fixtures = len([f for f in os.listdir(os.path.join(SOURCE_DIR, "fixtures"))
                    if f.endswith(".json")])
    args = "replay fixtures/ --to 'http://127.0.0.1:%d/webhook'" % port
    try:
        # 1. A passing replay: version from the action's own CMakeLists.txt.
        runner, failed, outputs, workspace = job(action, scratch, "pass",
                                                 {"args": args, "release-url": release_url},
                                                 {"BLAND_WEBHOOK_SECRET": secret})
        check(failed is None, "job 1: step %r failed" % failed)
        version = re.search(r"project\(blandhook VERSION ([0-9.]+)",
                            open(os.path.join(SOURCE_DIR, "CMakeLists.txt")).read()).group(1)
        check(outputs["version"] == version, "job 1: version output %r" % outputs["version"])
        check(os.access(outputs["path"], os.X_OK), "job 1: path output %r" % outputs["path"])
        check(any(os.path.isfile(os.path.join(p, "blandhook")) for p in runner.path_entries),
              "job 1: the install step puts blandhook on PATH for later steps")
        check(outputs["exit-code"] == "0", "job 1: exit-code output %r" % outputs["exit-code"])
        report = outputs["report"]
        check(report == os.path.join(workspace, "blandhook-junit.xml"),
              "job 1: report output %r" % report)
        if check(os.path.isfile(report), "job 1: the report %r exists" % report):
            cases = [case for suite in JUnitXml.fromfile(report) for case in suite]
            check(len(cases) >= fixtures and all(case.is_passed for case in cases),
                  "job 1: %d cases for %d fixtures, all passed" % (len(cases), fixtures))

        # 2. A handler with another secret: the step fails, the outputs still say where the
        #    report is and that it failed.
        _, failed, outputs, workspace = job(
            action, scratch, "fail",
            {"args": args + " --report junit:reports/replay.xml", "release-url": release_url},
            {"BLAND_WEBHOOK_SECRET": "not-the-handler-secret"})
        check(failed == "Run blandhook", "job 2: the run step fails (failed: %r)" % failed)
        check(outputs["exit-code"] == "1", "job 2: exit-code output %r" % outputs["exit-code"])
        report = outputs["report"]
        check(report == os.path.join(workspace, "reports", "replay.xml"),
              "job 2: the report output follows args' own --report: %r" % report)
        if check(os.path.isfile(report), "job 2: the report %r exists" % report):
            check(JUnitXml.fromfile(report).failures > 0, "job 2: the report has failures")

        # 3. A wrong checksum: nothing installed.
        runner, failed, outputs, _ = job(action, scratch, "checksum",
                                         {"version": version, "release-url": release_url,
                                          "sha256": "0" * 64}, {})
        check(failed == "Install blandhook", "job 3: the install step fails (%r)" % failed)
        check(not runner.path_entries and outputs["path"] == "",
              "job 3: nothing is put on PATH after a checksum mismatch")
    finally:
        handler.kill()
        handler.wait()
        server.shutdown()
        shutil.rmtree(scratch, ignore_errors=True)
    finish("the action installs the release binary, runs replay and exposes the report")


if __name__ == "__main__":
    main()
