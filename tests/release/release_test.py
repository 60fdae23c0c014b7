#!/usr/bin/python3
"""The self-contained release archive, checked as a user on another Linux would see it:

- its .sha256 file matches, and it unpacks into one prefix tree (bin/, lib/blandhook/, share/);
- the binary needs nothing outside the archive but glibc: every DT_NEEDED of the binary and of
  every bundled library is bundled or glibc's, and the bundled libraries find each other
  ($ORIGIN RUNPATHs), whatever the system has; libstdc++ is inside the binary and exported, the
  bundled libstdc++.so.6 a stand-in without code;
- started with an empty environment it runs, loading its libraries from the archive;
- cpp-httplib and OpenSSL are not loaded by a command that does not need them (--version,
  fixtures list) and are loaded, from the archive, by one that does: a listener and a signed replay
  round trip, both run from the archive.

Usage: release_test.py ARCHIVE
"""
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from checks import check, finish  # noqa: E402

ARCHIVE = sys.argv[1]
GLIBC = {"libc.so.6", "libm.so.6", "ld-linux-x86-64.so.2", "libpthread.so.0", "libdl.so.2",
         "librt.so.1", "libresolv.so.2"}
LAZY = {"libcpp-httplib.so.0.11", "libssl.so.3", "libcrypto.so.3"}



def dynamic_section(path):
    out = subprocess.run(["readelf", "--dynamic", "--wide", path], capture_output=True,
                         text=True, check=True).stdout
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)
    runpath = re.findall(r"\(RUNPATH\)\s+Library runpath: \[([^\]]+)\]", out)
    return needed, runpath[0] if runpath else None


def loaded_libraries(stderr):
    """The objects ld.so initialised, from LD_DEBUG=libs output: {soname: path}."""
    loaded = {}
    for path in re.findall(r"calling init: (\S+)", stderr):
        loaded[os.path.basename(path)] = os.path.normpath(path)
    return loaded


def run(argv, env=None, **kwargs):
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, env=env, **kwargs)


def main():
    with open(ARCHIVE + ".sha256") as f:
        expected = f.read().split()[0]
    with open(ARCHIVE, "rb") as f:
        check(hashlib.sha256(f.read()).hexdigest() == expected, "the .sha256 file does not match")

    scratch = tempfile.mkdtemp(prefix="blandhook-release-")
    try:
        with tarfile.open(ARCHIVE) as tar:
            tops = {member.name.split("/")[0] for member in tar.getmembers()}
            check(len(tops) == 1, "the archive has one top directory: %s" % tops)
            check(all(m.uid == 0 and m.gid == 0 for m in tar.getmembers()),
                  "every file in the archive is owned by 0:0")
            tar.extractall(scratch)
        prefix = os.path.join(scratch, tops.pop())
        binary = os.path.join(prefix, "bin", "blandhook")
        bundle = os.path.join(prefix, "lib", "blandhook")
        for path in ["share/man/man1/blandhook.1.gz",
                     "share/bash-completion/completions/blandhook",
                     "share/zsh/vendor-completions/_blandhook",
                     "share/fish/vendor_completions.d/blandhook.fish",
                     "share/doc/blandhook/copyright", "share/doc/blandhook/CHANGELOG.md"]:
            check(os.path.isfile(os.path.join(prefix, path)), "the archive lacks %s" % path)

        # Self-contained: every dependency is bundled or glibc's.
        bundled = sorted(f for f in os.listdir(bundle) if ".so" in f)
        print("bundled: %s" % " ".join(bundled), flush=True)
        needed, runpath = dynamic_section(binary)
        check(runpath == "$ORIGIN/../lib/blandhook", "the binary's RUNPATH is %r" % runpath)
        check(not LAZY & set(needed), "the binary links %s at start-up" % (LAZY & set(needed)))
        for name in [binary] + [os.path.join(bundle, b) for b in bundled]:
            deps, lib_runpath = dynamic_section(name)
            for dep in deps:
                check(dep in GLIBC or dep in bundled,
                      "%s needs %s, neither bundled nor glibc's" % (os.path.basename(name), dep))
            if name != binary:
                check(lib_runpath == "$ORIGIN", "%s's RUNPATH is %r" % (name, lib_runpath))
        for lib in LAZY:
            check(lib in bundled, "%s is not bundled" % lib)
        # libstdc++ lives in the binary; the bundled libstdc++.so.6 is a stand-in without code,
        # so the process has one libstdc++ whichever library asks for it.
        stand_in = run(["nm", "-D", "--defined-only", os.path.join(bundle, "libstdc++.so.6")])
        check(not re.search(r" [TW] ", stand_in.stdout),
              "the bundled libstdc++.so.6 defines functions: %s" % stand_in.stdout[:200])
        exported = run(["nm", "-D", "--defined-only", binary]).stdout
        check("_ZNSt6thread6_StateD2Ev" in exported, "the binary exports libstdc++'s symbols")
        glibc = set()
        for name in [binary] + [os.path.join(bundle, b) for b in bundled]:
            dump = run(["objdump", "-T", name]).stdout
            glibc |= set(re.findall(r"GLIBC_(\d+\.\d+)", dump))
        newest = max(glibc, key=lambda v: tuple(int(x) for x in v.split(".")))
        print("needs glibc %s or newer" % newest, flush=True)
        check(newest == "2.36", "the archive needs glibc %s; docs/install.md and action.yml say 2.36" % newest)

        # A command without HTTP: nothing of httplib or OpenSSL is loaded, the rest comes from
        # the archive, in an empty environment.
        env = {"LD_DEBUG": "libs"}
        result = run([binary, "--version"], env=env)
        check(result.returncode == 0 and result.stdout.startswith("blandhook "),
              "--version from the archive: %d %r" % (result.returncode, result.stdout))
        result = run([binary, "fixtures", "list"], env=env)
        check(result.returncode == 0 and "completed-outbound" in result.stdout,
              "fixtures list from the archive: %d" % result.returncode)
        loaded = loaded_libraries(result.stderr)
        check(not LAZY & set(loaded), "fixtures list loaded %s" % (LAZY & set(loaded)))
        for soname, path in loaded.items():
            if soname not in GLIBC:
                check(path.startswith(bundle + "/"), "%s was loaded from %s" % (soname, path))

        # A command that needs them: a listener from the archive and a signed replay to it.
        log = os.path.join(scratch, "captures.ndjson")
        listener = subprocess.Popen([binary, "listen", "--port", "0", "--secret", "release-test",
                                     "--save", log], stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, text=True,
                                    env={"HOME": scratch})
        try:
            line = listener.stdout.readline()
            match = re.search(r"http://127\.0\.0\.1:(\d+)", line)
            if check(match is not None, "the listener printed %r" % line):
                url = "http://127.0.0.1:%s/webhook" % match.group(1)
                result = run([binary, "replay", "completed-outbound", "--to", url, "--secret",
                              "release-test"], env={"LD_DEBUG": "libs", "HOME": scratch})
                check(result.returncode == 0, "replay from the archive exited %d: %s"
                      % (result.returncode, result.stdout[-500:]))
                loaded = loaded_libraries(result.stderr)
                for soname in LAZY:
                    check(loaded.get(soname, "").startswith(bundle + "/"),
                          "replay loaded %s from %r" % (soname, loaded.get(soname)))
        finally:
            listener.terminate()
            listener.wait(timeout=10)
        with open(log) as f:
            captures = f.read()
        check('"completed-outbound"' in captures or "call_id" in captures,
              "the listener from the archive captured the replayed webhook")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    finish("the release archive is self-contained and loads httplib and OpenSSL on demand")


if __name__ == "__main__":
    main()
