#!/usr/bin/python3
"""Runs the GitHub Actions job of docs/replay.md locally, step by step as the runner would:
the job's env, the handler started in the background, the wait, the replay over a fixture
library, then what the publish step reads (the JUnit file) checked with junitparser.

Only two things differ from CI, both stand-ins for the team's own code: "Install blandhook" puts
the built binary on PATH instead of building it, and "Start the handler" runs tests/replay/
handler.py (verifies signatures over the raw body). Every other step's `run:` is executed verbatim
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
HANDLER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "handler.py")
STAND_INS = {"Install blandhook", "Start the handler"}


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def workflow_from_docs():
    text = open(os.path.join(SOURCE_DIR, "docs", "replay.md"), encoding="utf-8").read()
    match = re.search(r"```yaml\n(# \.github/workflows/webhook-replay\.yml\n.*?)```", text, re.S)
    if not match:
        fail("docs/replay.md has no ```yaml block starting with '# .github/workflows/webhook-replay.yml'")
    return yaml.safe_load(match.group(1))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    workflow = workflow_from_docs()
    (job_name, job), = workflow["jobs"].items()
    steps = job["steps"]
    names = [step.get("name", step.get("uses", "")) for step in steps]
    for required in ["Install blandhook", "Start the handler", "Wait for the handler",
                     "Replay the fixture library", "Publish the JUnit report"]:
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
                handler = subprocess.Popen(["/usr/bin/python3", HANDLER, "--secret",
                                            env["BLAND_WEBHOOK_SECRET"], "--port",
                                            env["HANDLER_PORT"]], stdout=subprocess.DEVNULL,
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
        if xml.tests != len(cases) or len(cases) < len(fixtures):
            fail("expected at least one testcase per fixture, got %d for %d fixtures"
                 % (len(cases), len(fixtures)))
        if xml.failures or xml.errors or not all(case.is_passed for case in cases):
            fail("the handler verifies raw bodies: every case should pass (%d failures, %d errors)"
                 % (xml.failures, xml.errors))
        print("ok: %d testcases in %s, all passed" % (len(cases), publish["with"]["report_paths"]))
    finally:
        if handler is not None:
            handler.kill()
            handler.wait()
        shutil.rmtree(workspace, ignore_errors=True)


if __name__ == "__main__":
    main()
