#!/usr/bin/python3
"""The JUnit report of `blandhook replay`, read back by a real consumer (junitparser), for a
passing suite, a handler that re-serialises before verifying, and a dead target.

Usage: junit_report_test.py BLANDHOOK SOURCE_DIR
Run with Debian's /usr/bin/python3 (python3-junitparser belongs to it).
"""
import os
import socket
import subprocess
import sys
import unittest

import json

from junitparser import Error, Failure, JUnitXml, Skipped

from handler import HandlerTest

BLANDHOOK, SOURCE_DIR = sys.argv[1], sys.argv[2]
HANDLER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "handler.py")
SECRET = "whsec_junit"
FIXTURES = sorted(f for f in os.listdir(os.path.join(SOURCE_DIR, "fixtures")) if f.endswith(".json"))


def replay(*args):
    env = dict(os.environ)
    env.pop("BLAND_WEBHOOK_SECRET", None)
    return subprocess.run([BLANDHOOK, "replay", *args], capture_output=True, text=True, env=env,
                          timeout=120)


class JunitReport(HandlerTest):
    scratch_prefix = "blandhook-junit-"

    def handler(self, *extra):
        port = self.start_handler(HANDLER, "--secret", SECRET, *extra)
        return "http://127.0.0.1:%d/webhook" % port

    def test_a_passing_suite_has_one_testcase_per_fixture_and_scenario(self):
        url = self.handler()
        report = os.path.join(self.tmp, "replay.xml")
        result = replay(os.path.join(SOURCE_DIR, "fixtures"), "--to", url, "--secret", SECRET,
                        "--scenario", "single", "--scenario", "bad-signature", "-j", "4",
                        "--report", "junit:" + report)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        xml = JUnitXml.fromfile(report)
        cases = [case for suite in xml for case in suite]
        self.assertEqual(len(cases), 2 * len(FIXTURES))
        self.assertEqual(xml.tests, 2 * len(FIXTURES))
        self.assertEqual(xml.failures, 0)
        self.assertEqual(xml.errors, 0)
        self.assertTrue(all(case.is_passed for case in cases))
        names = {case.name for case in cases}
        for fixture in FIXTURES:
            path = os.path.join(SOURCE_DIR, "fixtures", fixture)
            self.assertIn(path, names)
            self.assertIn(path + " [bad-signature]", names)
        # Every attempt is in the report.
        self.assertIn("attempt 1: 401", cases[-1].system_out)

    def test_two_phase_over_the_fixtures_marks_what_it_does_not_apply_to_as_skipped(self):
        url = self.handler()
        report = os.path.join(self.tmp, "replay.xml")
        result = replay(os.path.join(SOURCE_DIR, "fixtures"), "--to", url, "--secret", SECRET,
                        "--scenario", "two-phase", "--report", "junit:" + report)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        applies = set()
        for fixture in FIXTURES:
            with open(os.path.join(SOURCE_DIR, "fixtures", fixture)) as f:
                body = json.load(f)
            if body.get("status") == "completed" and "concatenated_transcript" in body:
                applies.add(os.path.join(SOURCE_DIR, "fixtures", fixture) + " [two-phase]")
        xml = JUnitXml.fromfile(report)
        cases = [case for suite in xml for case in suite]
        self.assertEqual(len(cases), len(FIXTURES))
        self.assertEqual(xml.failures, 0)
        self.assertEqual(xml.errors, 0)
        for case in cases:
            if case.name in applies:
                self.assertTrue(case.is_passed, case.name)
            else:
                self.assertTrue(case.is_skipped, case.name)
                self.assertIsInstance(case.result[0], Skipped)
        self.assertEqual(sum(1 for case in cases if case.is_skipped), len(FIXTURES) - len(applies))

    def test_a_reserialising_handler_is_a_failure_naming_the_cause(self):
        url = self.handler("--reserialize")
        report = os.path.join(self.tmp, "replay.xml")
        result = replay("completed-outbound", "error-busy", "--to", url, "--secret", SECRET,
                        "--scenario", "signature-variants", "--report", "junit:" + report)
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        xml = JUnitXml.fromfile(report)
        self.assertEqual(xml.tests, 2)
        self.assertEqual(xml.failures, 2)
        for suite in xml:
            self.assertEqual(suite.failures, 1)
            for case in suite:
                self.assertFalse(case.is_passed)
                failure = case.result[0]
                self.assertIsInstance(failure, Failure)
                self.assertIn("re-serialises the body", failure.message)
                self.assertIn("pretty (401)", failure.message)

    def test_a_dead_target_is_an_error_per_case_and_the_report_is_still_written(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        report = os.path.join(self.tmp, "replay.xml")
        result = replay(os.path.join(SOURCE_DIR, "fixtures"), "--to",
                        "http://127.0.0.1:%d/webhook" % port, "--retries", "1", "--backoff",
                        "10ms", "--report", "junit:" + report)
        self.assertEqual(result.returncode, 3, result.stdout + result.stderr)
        self.assertIn("connection refused", result.stdout)
        xml = JUnitXml.fromfile(report)
        self.assertEqual(xml.tests, len(FIXTURES))
        self.assertEqual(xml.errors, len(FIXTURES))
        for suite in xml:
            for case in suite:
                error = case.result[0]
                self.assertIsInstance(error, Error)
                self.assertEqual(error.type, "unreachable")
                self.assertIn("connection refused", error.message)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
