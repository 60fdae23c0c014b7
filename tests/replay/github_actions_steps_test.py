#!/usr/bin/python3
"""Runs the GitHub Actions jobs of docs/replay.md locally, step by step as the runner would:
the job's env, the handler started in the background, the wait, the replay over a fixture
library, then what the publish step reads (the JUnit file) checked with junitparser.

Only two things differ from CI, both stand-ins for the team's own code: "Install blandhook" puts
the built binary on PATH instead of building it, and "Start the handler" runs tests/replay/
handler.py (verifies signatures over the raw body), or for the effects job store_handler.py (a
correct handler with a SQLite store in app.db, which the job's probe reads with the sqlite3
command-line tool). Every other step's `run:` is executed verbatim
from the document, so the example cannot rot unnoticed.

Usage: github_actions_steps_test.py BLANDHOOK SOURCE_DIR
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile

import yaml
from junitparser import JUnitXml

BLANDHOOK, SOURCE_DIR = sys.argv[1], sys.argv[2]
HERE = os.path.dirname(os.path.abspath(__file__))
HANDLER = os.path.join(HERE, "handler.py")
STORE_HANDLER = os.path.join(HERE, "store_handler.py")
STAND_INS = {"Install blandhook", "Start the handler"}


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def workflow_from_docs(file_name):
    text = open(os.path.join(SOURCE_DIR, "docs", "replay.md"), encoding="utf-8").read()
    match = re.search(r"```yaml\n(# \.github/workflows/" + re.escape(file_name) + r"\n.*?)```",
                      text, re.S)
    if not match:
        fail("docs/replay.md has no ```yaml block starting with '# .github/workflows/%s'"
             % file_name)
    return yaml.safe_load(match.group(1))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_workflow(file_name, replay_step, handler_argv, min_cases):
    """Runs the job in docs/replay.md's `file_name` block; `handler_argv(env)` stands in for the
    team's handler; the JUnit report must hold at least `min_cases` cases, all passed."""
    workflow = workflow_from_docs(file_name)
    (job_name, job), = workflow["jobs"].items()
    steps = job["steps"]
    names = [step.get("name", step.get("uses", "")) for step in steps]
    for required in ["Install blandhook", "Start the handler", "Wait for the handler",
                     replay_step, "Publish the JUnit report"]:
        if required not in names:
            fail("the job has no step named %r (steps: %s)" % (required, names))

    workspace = tempfile.mkdtemp(prefix="blandhook-gha-")
    # The team's repository: its fixture library, copied from blandhook's own.
    shutil.copytree(os.path.join(SOURCE_DIR, "fixtures"), os.path.join(workspace, "fixtures"))
    bin_dir = os.path.join(workspace, ".bin")
    os.mkdir(bin_dir)
    os.symlink(BLANDHOOK, os.path.join(bin_dir, "blandhook"))

    env = dict(os.environ)
    env.update({k: str(v) for k, v in job.get("env", {}).items()})
    # Secrets and ports are the runner's business; here a test value and a free loopback port.
    env["BLAND_WEBHOOK_SECRET"] = "whsec_github_actions_test"
    env["HANDLER_PORT"] = str(free_port())
    env["PATH"] = bin_dir + os.pathsep + env["PATH"]
    env["GITHUB_WORKSPACE"] = workspace

    handler = None
    try:
        for step in steps:
            name = step.get("name", "")
            if name == "Start the handler":
                handler = subprocess.Popen(handler_argv(env), stdout=subprocess.DEVNULL,
                                           cwd=workspace)
                continue
            if name in STAND_INS or "run" not in step:
                continue
            step_env = dict(env)
            step_env.update({k: str(v) for k, v in step.get("env", {}).items()})
            print("=== step: %s" % name, flush=True)
            result = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", step["run"]],
                                    cwd=workspace, env=step_env, timeout=300)
            if result.returncode != 0:
                fail("step %r exited %d" % (name, result.returncode))

        publish = next(step for step in steps if step.get("name") == "Publish the JUnit report")
        report_path = os.path.join(workspace, publish["with"]["report_paths"])
        if not os.path.exists(report_path):
            fail("the publish step reads %s, which the replay step did not write" % report_path)
        xml = JUnitXml.fromfile(report_path)
        fixtures = [f for f in os.listdir(os.path.join(workspace, "fixtures")) if f.endswith(".json")]
        cases = [case for suite in xml for case in suite]
        if xml.tests != len(cases) or len(cases) < (min_cases or len(fixtures)):
            fail("expected at least %d testcases, got %d"
                 % (min_cases or len(fixtures), len(cases)))
        if xml.failures or xml.errors or not all(case.is_passed for case in cases):
            fail("the handler is correct: every case should pass (%d failures, %d errors)"
                 % (xml.failures, xml.errors))
        print("ok: %d testcases in %s, all passed" % (len(cases), publish["with"]["report_paths"]))
    finally:
        if handler is not None:
            handler.kill()
            handler.wait()
        shutil.rmtree(workspace, ignore_errors=True)


def main():
    run_workflow("webhook-replay.yml", "Replay the fixture library",
                 lambda env: ["/usr/bin/python3", HANDLER, "--secret", env["BLAND_WEBHOOK_SECRET"],
                              "--port", env["HANDLER_PORT"]], 0)
    # Two post-call fixtures, every scenario: 14 cases, each oracle proven on a SQLite store.
    run_workflow("webhook-effects.yml", "Prove what the handler stores",
                 lambda env: ["/usr/bin/python3", STORE_HANDLER, "--secret",
                              env["BLAND_WEBHOOK_SECRET"], "--port", env["HANDLER_PORT"],
                              "--db", "app.db"], 14)


if __name__ == "__main__":
    main()
