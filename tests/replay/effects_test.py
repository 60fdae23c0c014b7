#!/usr/bin/python3
"""`blandhook replay` and `blandhook call` proving what a handler stored: four small handlers with a
real SQLite store (store_handler.py), read back through --probe URL and through --probe-cmd with
the sqlite3 command-line tool. The correct handler passes every scenario; each wrong one is caught
by the oracle the issue names, with the differing JSON pointer in the terminal, JUnit and JSON
reports; broken probes are per-case errors (exit 5) and the run goes on.

Usage: effects_test.py BLANDHOOK SOURCE_DIR
"""
import json
import os
import re
import socket
import subprocess
import sys
import unittest

from junitparser import Error, Failure, JUnitXml

from handler import HandlerTest

BLANDHOOK, SOURCE_DIR = sys.argv[1], sys.argv[2]
HERE = os.path.dirname(os.path.abspath(__file__))
STORE_HANDLER = os.path.join(HERE, "store_handler.py")
HANDLER = os.path.join(HERE, "handler.py")
SECRET = "whsec_effects"
SCENARIOS = ["single", "two-phase", "out-of-order", "duplicate", "signature-variants",
             "bad-signature", "no-signature"]
# Row ids and receipt times differ between any two calls: volatile, left out of the comparison.
IGNORES = ["--ignore", "/*/id", "--ignore", "/*/updated_at"]
SQL = ("select id, call_id, status, corrected_transcript, citations, updated_at from calls "
       "where call_id = '$BLANDHOOK_CALL_ID' order by id")


def run(*args, timeout=120):
    env = dict(os.environ)
    for name in ("BLAND_WEBHOOK_SECRET", "BLAND_API_KEY", "BLAND_BASE_URL"):
        env.pop(name, None)
    return subprocess.run([BLANDHOOK, *args], capture_output=True, text=True, env=env,
                          timeout=timeout)


class Effects(HandlerTest):
    scratch_prefix = "blandhook-effects-"

    def store_handler(self, mode):
        """Starts store_handler.py in `mode`; returns (webhook URL, probe URL, probe command)."""
        db = os.path.join(self.tmp, "store-%d.db" % len(self.processes))
        port = self.start_handler(STORE_HANDLER, "--secret", SECRET, "--db", db, "--mode", mode)
        base = "http://127.0.0.1:%d" % port
        # .timeout: wait for the handler's write lock instead of failing at once.
        command = 'sqlite3 -cmd ".timeout 10000" -json %s "%s"' % (db, SQL)
        return base + "/webhook", base + "/calls/{call_id}", command

    def replay(self, url, *args):
        return run("replay", "--to", url, "--secret", SECRET, "--retries", "0", *args)

    def probes(self, mode):
        """The same handler read both ways: [("url", args), ("cmd", args)]."""
        hook, probe_url, command = self.store_handler(mode)
        return hook, [("--probe URL", ["--probe", probe_url]),
                      ("--probe-cmd sqlite3", ["--probe-cmd", command])]

    def report(self, name):
        return os.path.join(self.tmp, name)

    # --- the correct handler -------------------------------------------------------------

    def test_the_correct_handler_passes_every_scenario_read_both_ways(self):
        hook, probes = self.probes("correct")
        for kind, probe in probes:
            with self.subTest(probe=kind):
                json_report = self.report("correct-%d.json" % len(kind))
                scenarios = [arg for name in SCENARIOS for arg in ("--scenario", name)]
                result = self.replay(hook, "completed-outbound", "delayed-citations", *scenarios,
                                     *probe, *IGNORES, "-j", "4",
                                     "--report", "json:" + json_report)
                self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
                self.assertIn("14 passed, 0 failed", result.stdout)
                with open(json_report) as f:
                    cases = json.load(f)["cases"]
                oracles = {check["name"] for case in cases for check in case.get("checks", [])}
                self.assertEqual(oracles, {"two-phase", "out-of-order", "duplicate",
                                           "signature-variants", "bad-signature", "no-signature"})
                for case in cases:
                    self.assertTrue(case["probes"], case["name"])
                    for check in case.get("checks", []):
                        self.assertEqual(check["result"], "passed", case)
                    for probe_read in case["probes"]:
                        self.assertTrue(probe_read["settled"], probe_read)
                        self.assertRegex(probe_read["how"], r"^(settled after \d+ reads|read once)")
                # The in-order control of out-of-order went under another call_id, and shows.
                ooo = [c for c in cases if c["scenario"] == "out-of-order"][0]
                labels = [d["label"] for d in ooo["deliveries"]]
                self.assertEqual(labels, ["delayed", "post-call", "in-order post-call",
                                          "in-order delayed"])
                self.assertNotEqual(ooo["probes"][0]["call_id"], ooo["probes"][1]["call_id"])

    def test_without_ignores_the_volatile_row_id_and_time_are_named(self):
        hook, probe_url, _ = self.store_handler("correct")
        result = self.replay(hook, "completed-outbound", "--scenario", "duplicate", "--probe",
                             probe_url)
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertIn("duplicate:", result.stdout)
        self.assertIn("/0/updated_at: expected", result.stdout)

    # --- the wrong handlers, each caught by its oracle ---------------------------------------

    def assert_caught(self, mode, scenario, oracle, pointer):
        hook, probes = self.probes(mode)
        for kind, probe in probes:
            with self.subTest(probe=kind):
                junit = self.report("%s-%s-%d.xml" % (mode, scenario, len(kind)))
                json_report = self.report("%s-%s-%d.json" % (mode, scenario, len(kind)))
                result = self.replay(hook, "completed-outbound", "--scenario", scenario, *probe,
                                     *IGNORES, "--report", "junit:" + junit,
                                     "--report", "json:" + json_report)
                self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
                self.assertIn("FAIL", result.stdout)
                self.assertRegex(result.stdout, re.escape(oracle + ":") + ".*" +
                                 re.escape(pointer + ": expected"))
                cases = [case for suite in JUnitXml.fromfile(junit) for case in suite]
                self.assertEqual(len(cases), 1)
                failure = cases[0].result[0]
                self.assertIsInstance(failure, Failure)
                self.assertIn(oracle + ":", failure.message)
                self.assertIn(pointer + ": expected", failure.message)
                with open(json_report) as f:
                    case = json.load(f)["cases"][0]
                self.assertEqual(case["outcome"], "failed")
                checks = [c for c in case["checks"] if c["name"] == oracle]
                self.assertEqual(checks[0]["result"], "failed")
                self.assertIn(pointer + ": expected", checks[0]["detail"])
                return result

    def test_a_handler_that_keeps_the_latest_body_is_caught_by_out_of_order(self):
        result = self.assert_caught("overwrite", "out-of-order", "out-of-order",
                                    "/0/corrected_transcript")
        # The answers alone were all 2xx: only the stored state tells.
        self.assertIn("delayed 200  post-call 200", result.stdout)

    def test_the_overwriting_handler_still_passes_two_phase(self):
        hook, probe_url, _ = self.store_handler("overwrite")
        result = self.replay(hook, "completed-outbound", "--scenario", "two-phase", "--probe",
                             probe_url, *IGNORES)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_a_handler_that_inserts_per_delivery_is_caught_by_duplicate(self):
        self.assert_caught("insert", "duplicate", "duplicate", "/1")

    def test_a_handler_that_stores_before_verifying_is_caught_by_bad_and_no_signature(self):
        self.assert_caught("store-first", "bad-signature", "bad-signature", "/0")
        self.assert_caught("store-first", "no-signature", "no-signature", "/0")

    def test_a_handler_that_drops_the_second_phase_is_caught_by_two_phase(self):
        # handler.py answers 200 and stores nothing: every state is "no state".
        port = self.start_handler(HANDLER, "--secret", SECRET)
        result = self.replay("http://127.0.0.1:%d/webhook" % port, "completed-outbound",
                             "--scenario", "two-phase", "--probe-cmd", "true", "--settle", "50ms")
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertIn("two-phase: the delayed phase left the state as the post-call phase left it",
                      result.stdout)
        self.assertIn("unchanged after the delivery when --settle 50ms ran out", result.stdout)

    # --- explicit expectations --------------------------------------------------------------

    def test_expect_state_passes_and_fails_on_the_stored_row(self):
        hook, probes = self.probes("correct")
        for kind, probe in probes:
            with self.subTest(probe=kind):
                ok = self.replay(hook, "completed-outbound", "--scenario", "two-phase", *probe,
                                 *IGNORES, "--expect-state", '/0/status == "completed"',
                                 "--expect-state", "/0/citations exists",
                                 "--expect-state", "'' length == 1",
                                 "--expect-state", "/1 absent")
                self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
                bad = self.replay(hook, "error-busy", *probe, "--expect-state",
                                  '/0/status == "completed"', "--expect-state",
                                  "/0/corrected_transcript contains thanks")
                self.assertEqual(bad.returncode, 1, bad.stdout + bad.stderr)
                self.assertIn('state /0/status == "completed": /0/status: expected "completed", '
                              'got "busy"', bad.stdout)
                self.assertIn("/0/corrected_transcript: expected to contain \"thanks\", got null",
                              bad.stdout)

    def test_expect_answer_header_and_latency(self):
        hook, _, _ = self.store_handler("correct")
        json_report = self.report("answer.json")
        junit = self.report("answer.xml")
        ok = self.replay(hook, "completed-outbound", "--repeat", "20", "-j", "4",
                         "--expect-answer", "/ok == true", "--expect-answer", "/call_id exists",
                         "--expect-header", "Content-Type: application/json",
                         "--expect-latency", "p99 < 30s", "--report", "json:" + json_report)
        self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
        self.assertRegex(ok.stdout, r"latency over 20 answers: p50 .* p95 .* p99 .* max ")
        self.assertIn("PASS  latency p99 < 30s: p99 ", ok.stdout)
        with open(json_report) as f:
            summary = json.load(f)["summary"]
        self.assertEqual(summary["latency"]["answers"], 20)
        self.assertLessEqual(summary["latency"]["p50_ms"], summary["latency"]["p99_ms"])
        self.assertTrue(summary["latency_checks"][0]["passed"])

        bad = self.replay(hook, "completed-outbound", "--repeat", "3", "--expect-answer",
                          "/ok == false", "--expect-header", "X-Stored: yes",
                          "--expect-latency", "p50 > 1h", "--report", "junit:" + junit)
        self.assertEqual(bad.returncode, 1, bad.stdout + bad.stderr)
        self.assertIn("the answer has no X-Stored header", bad.stdout)
        self.assertIn("FAIL  latency p50 > 1h: p50 ", bad.stdout)
        xml = JUnitXml.fromfile(junit)
        latency = [case for suite in xml if suite.name == "latency" for case in suite]
        self.assertEqual(len(latency), 1)
        self.assertIsInstance(latency[0].result[0], Failure)
        answer = self.replay(hook, "completed-outbound", "--expect-answer", "/ok == false")
        self.assertEqual(answer.returncode, 1)
        self.assertIn("answer /ok: expected false, got true", answer.stdout)

    def test_a_manifest_carries_probe_ignores_and_expectations(self):
        hook, probe_url, command = self.store_handler("insert")
        manifest = self.report("replay.json")
        with open(manifest, "w") as f:
            json.dump({"to": hook,
                       "probe": {"url": probe_url, "settle": "1s"},
                       "defaults": {"ignore": ["/*/id", "/*/updated_at"]},
                       "expect_latency": "p99 < 30s",
                       "cases": [
                           {"name": "busy call stored", "input": "error-busy",
                            "expect_state": ['/0/status == "busy"', "/1 absent"],
                            "expect": {"status": 200, "answer": "/ok == true",
                                       "headers": {"Content-Type": "application/json"}}},
                           {"name": "retry", "input": "completed-outbound",
                            "scenario": "duplicate",
                            "probe": {"command": command}}]}, f)
        result = run("replay", "--manifest", manifest, "--secret", SECRET, "--retries", "0")
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertIn("PASS   busy call stored (error-busy)", result.stdout)
        self.assertIn("FAIL   retry (completed-outbound)", result.stdout)
        self.assertIn("duplicate: the retry changed what the first delivery stored", result.stdout)
        self.assertIn("PASS  latency p99 < 30s", result.stdout)
        with open(manifest, "w") as f:
            json.dump({"to": hook, "cases": [{"input": "error-busy", "probe": {"url": 3}}]}, f)
        bad = run("replay", "--manifest", manifest)
        self.assertEqual(bad.returncode, 5, bad.stderr)
        self.assertIn('cases[0]: "probe.url" must be a string', bad.stderr)

    # --- bad input: per-case errors, the run goes on ---------------------------------------

    def test_an_unreachable_probe_is_an_error_per_case_and_the_run_goes_on(self):
        hook, _, _ = self.store_handler("correct")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            dead = s.getsockname()[1]
        junit = self.report("dead-probe.xml")
        result = self.replay(hook, "completed-outbound", "error-busy", "--probe",
                             "http://127.0.0.1:%d/calls/{call_id}" % dead,
                             "--report", "junit:" + junit)
        self.assertEqual(result.returncode, 5, result.stdout + result.stderr)
        self.assertEqual(result.stdout.count("ERROR  "), 2)
        self.assertIn("probe error: after the delivery: GET http://127.0.0.1:%d/calls/" % dead,
                      result.stdout)
        self.assertIn("got no answer: connection refused", result.stdout)
        self.assertIn("0 passed, 0 failed, 0 unreachable, 2 errors", result.stdout)
        xml = JUnitXml.fromfile(junit)
        for suite in xml:
            for case in suite:
                self.assertIsInstance(case.result[0], Error)
                self.assertEqual(case.result[0].type, "probe")

    def test_a_failing_probe_command_is_an_error_with_its_stderr(self):
        hook, _, _ = self.store_handler("correct")
        result = self.replay(hook, "completed-outbound", "error-busy", "--probe-cmd",
                             "echo 'no such table: calls' >&2; exit 3")
        self.assertEqual(result.returncode, 5, result.stdout + result.stderr)
        self.assertEqual(result.stdout.count("ERROR  "), 2)
        self.assertIn("--probe-cmd exited 3: no such table: calls", result.stdout)

    def test_a_text_answer_where_a_pointer_is_asked_is_an_error_not_a_failure(self):
        hook, _, _ = self.store_handler("correct")
        result = self.replay(hook, "completed-outbound", "--probe-cmd",
                             "echo \"stored $BLANDHOOK_CALL_ID for $BLANDHOOK_SCENARIO\"",
                             "--expect-state", "/status exists",
                             "--expect-state", "'' contains for single")
        self.assertEqual(result.returncode, 5, result.stdout + result.stderr)
        self.assertIn("ERROR  ", result.stdout)
        self.assertIn("/status cannot be read: the probe answered text, not JSON", result.stdout)

    def test_the_probe_command_gets_the_call_in_its_environment_never_in_its_text(self):
        hook, _, _ = self.store_handler("correct")
        seen = self.report("seen")
        pwned = self.report("pwned")
        hostile = "x'; touch %s; '" % pwned
        result = self.replay(hook, "error-busy", "--set", "call_id=" + hostile, "--probe-cmd",
                             'printf "%s|%s|%s\\n" "$BLANDHOOK_CALL_ID" "$BLANDHOOK_CASE" '
                             '"$BLANDHOOK_SCENARIO" >> ' + seen)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        with open(seen) as f:
            call_id, case, scenario = f.readline().rstrip("\n").split("|")
        self.assertEqual(call_id, hostile)
        self.assertIn("error-busy", case)
        self.assertEqual(scenario, "single")
        self.assertFalse(os.path.exists(pwned))

    def test_every_case_gets_a_fresh_call_id_of_its_own_with_a_probe(self):
        hook, _, _ = self.store_handler("correct")
        seen = self.report("ids")
        result = self.replay(hook, "error-busy", "--repeat", "3", "--probe-cmd",
                             'echo "$BLANDHOOK_CALL_ID" >> ' + seen)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        with open(seen) as f:
            ids = set(f.read().split())
        self.assertEqual(len(ids), 3)
        for call_id in ids:
            self.assertRegex(call_id, r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-")

    def test_expect_state_without_a_probe_is_a_usage_error(self):
        result = run("replay", "error-busy", "--to", "http://127.0.0.1:9/", "--expect-state",
                     "/0 exists")
        self.assertEqual(result.returncode, 2)
        self.assertIn("need a probe", result.stderr)
        bad = run("replay", "error-busy", "--to", "http://127.0.0.1:9/", "--probe",
                  "http://127.0.0.1:9/{call_id}", "--expect-state", "/status = 1")
        self.assertEqual(bad.returncode, 2)
        self.assertIn("blandhook: error: --expect-state: '/status = 1': unknown operator",
                      bad.stderr)

    # --- call ---------------------------------------------------------------------------------

    def test_call_reads_what_the_handler_stored_for_the_real_call(self):
        hook, probe_url, command = self.store_handler("correct")
        emulate = subprocess.Popen([BLANDHOOK, "emulate", "--port", "0", "--call-duration",
                                    "100ms", "--secret", SECRET, "--api-key", "sk-test"],
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.processes.append(emulate)
        api = None
        for line in emulate.stdout:
            match = re.search(r"Bland API on http://127\.0\.0\.1:(\d+)", line)
            if match:
                api = "http://127.0.0.1:" + match.group(1)
                break
        self.assertIsNotNone(api)
        base = ["call", "--api-url", api, "--api-key", "sk-test", "--to", "+15555550100",
                "--task", "hi", "--webhook", hook, "--wait", "--timeout", "20s"]
        ok = run(*base, "--probe", probe_url, "--settle", "10s", "--expect-state",
                 '/0/status == "completed"', "--json")
        self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
        checks = {c["name"]: c for c in json.loads(ok.stdout)["checks"]}
        self.assertTrue(checks['state /0/status == "completed"']["passed"])
        bad = run(*base, "--probe-cmd", command, "--settle", "10s", "--expect-state",
                  '/0/status == "busy"')
        self.assertEqual(bad.returncode, 1, bad.stdout + bad.stderr)
        self.assertRegex(bad.stdout, r'FAIL +state /0/status == "busy" +/0/status: expected '
                                     r'"busy", got "completed"')
        # The embedded listener keeps the webhook: a probe there would read a handler that never
        # got it, so it is refused before any call is placed.
        listening = run("call", "--api-url", api, "--api-key", "sk-test", "--to", "+15555550100",
                        "--task", "hi", "--listen", "--probe", probe_url)
        self.assertEqual(listening.returncode, 2, listening.stderr)
        self.assertIn("the webhook must go to it", listening.stderr)
        self.assertIn("hint: send it there with --webhook URL", listening.stderr)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
