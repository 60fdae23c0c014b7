"""Soft checks for the Python tests (tests/package, tests/release, tests/action): each failing
check is printed at once and counted, so one run reports every problem; finish() then exits 1
when any failed, else prints the summary line."""
import sys

_failures = []


def check(condition, message):
    """Records `message` as a failure unless `condition` holds; returns `condition`."""
    if not condition:
        _failures.append(message)
        print("FAIL: " + message, file=sys.stderr, flush=True)
    return condition


def finish(summary):
    """Exits 1 after any failed check, else prints 'ok: SUMMARY'."""
    if _failures:
        print("%d check(s) failed" % len(_failures), file=sys.stderr)
        sys.exit(1)
    print("ok: " + summary)
