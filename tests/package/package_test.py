#!/usr/bin/python3
"""Builds the Debian package with cpack and installs it with dpkg into an empty root, as a user's
`dpkg -i` would on Debian 12, then checks what that user observes:

- the package's control fields (Depends computed by dpkg-shlibdeps) and its file list;
- dpkg installs it (the dependency check runs against a copy of this machine's package database,
  so every Depends must name an installed Debian 12 package), nothing else is written;
- the installed binary runs; `man -w blandhook` finds the page (MANPATH into the root) and man
  renders it;
- bash, zsh and fish load the completions from their system locations inside the root, as each
  shell finds them by default (bash-completion's and fish's XDG_DATA_DIRS, zsh's fpath), and
  offer the commands;
- lintian reports no error or warning (tolerated ones are justified in
  cmake/debian/lintian-overrides, which the package installs);
- dpkg removes and purges it without leaving a file behind.

Everything is written under one scratch directory, removed at the end (kept with KEEP=1).

Usage: package_test.py BUILD_DIR SOURCE_DIR CPACK
"""
import gzip
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from checks import check, finish  # noqa: E402

BUILD_DIR, SOURCE_DIR, CPACK = sys.argv[1], sys.argv[2], sys.argv[3]

BASH_DIR = "/usr/share/bash-completion/completions"
ZSH_DIR = "/usr/share/zsh/vendor-completions"
FISH_DIR = "/usr/share/fish/vendor_completions.d"
EXPECTED_FILES = [
    "/usr/bin/blandhook",
    "/usr/share/man/man1/blandhook.1.gz",
    BASH_DIR + "/blandhook",
    ZSH_DIR + "/_blandhook",
    FISH_DIR + "/blandhook.fish",
    "/usr/share/doc/blandhook/copyright",
    "/usr/share/doc/blandhook/changelog.Debian.gz",
    "/usr/share/doc/blandhook/changelog.gz",
    "/usr/share/blandhook/fixtures/completed-outbound.json",
    "/usr/share/blandhook/schemas/post-call.json",
]
# What each shell must offer after "blandhook " (a few commands are enough: the completion
# scripts' full behaviour is tested by tests/completions against the same committed files).
COMMANDS = {"listen", "replay", "captures", "fixtures"}



def run(argv, quiet=False, **kwargs):
    kwargs.setdefault("timeout", 300)
    result = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    if result.returncode != 0 and not quiet:
        print("$ %s\n%s%s" % (" ".join(argv), result.stdout, result.stderr), file=sys.stderr)
    return result


def build_package(scratch):
    out = os.path.join(scratch, "cpack")
    result = run([CPACK, "--config", os.path.join(BUILD_DIR, "CPackConfig.cmake"), "-G", "DEB",
                  "-B", out])
    if not check(result.returncode == 0, "cpack -G DEB exited %d" % result.returncode):
        sys.exit(1)
    debs = [f for f in os.listdir(out) if f.endswith(".deb")]
    if not check(len(debs) == 1, "cpack wrote %s, expected one .deb" % debs):
        sys.exit(1)
    return os.path.join(out, debs[0])


def control_fields(deb):
    text = run(["dpkg-deb", "--field", deb]).stdout
    fields = {}
    for line in text.splitlines():
        if line and not line.startswith(" ") and ":" in line:
            key, value = line.split(":", 1)
            fields[key] = value.strip()
    return fields


def check_control(deb):
    fields = control_fields(deb)
    print("control: %s" % fields, flush=True)
    check(fields.get("Package") == "blandhook", "Package is %r" % fields.get("Package"))
    arch = run(["dpkg", "--print-architecture"]).stdout.strip()
    check(fields.get("Architecture") == arch, "Architecture %r, expected %r"
          % (fields.get("Architecture"), arch))
    depends = [d.strip().split(" ")[0] for d in fields.get("Depends", "").split(",")]
    # dpkg-shlibdeps names the package of every shared library the binary links.
    for package in ["libc6", "libstdc++6", "libssl3", "libcpp-httplib0.11", "libfmt9",
                    "libsimdjson14"]:
        check(package in depends, "Depends lacks %s: %r" % (package, fields.get("Depends")))
    check(all("(>=" in d for d in fields.get("Depends", "").split(",")),
          "every Depends carries the minimum version dpkg-shlibdeps computed: %r"
          % fields.get("Depends"))
    contents = run(["dpkg-deb", "--contents", deb]).stdout
    paths = {line.split()[-1].lstrip(".") for line in contents.splitlines()}
    for path in EXPECTED_FILES:
        check(path in paths, "the package lacks %s" % path)
    # Stripped: no debug sections left in the shipped binary.
    extract = os.path.join(os.path.dirname(deb), "extract")
    run(["dpkg-deb", "--extract", deb, extract])
    sections = run(["readelf", "--sections", "--wide", extract + "/usr/bin/blandhook"]).stdout
    check(".debug_info" not in sections and ".symtab" not in sections,
          "/usr/bin/blandhook is not stripped")
    shutil.rmtree(extract)


def install(deb, scratch):
    """dpkg into an empty root; its database starts as a copy of this machine's, so the
    dependency check is real while nothing outside the scratch directory is touched."""
    root = os.path.join(scratch, "root")
    admin = os.path.join(scratch, "admin")
    os.makedirs(root)
    for sub in ["info", "updates", "triggers"]:
        os.makedirs(os.path.join(admin, sub))
    shutil.copy("/var/lib/dpkg/status", os.path.join(admin, "status"))
    open(os.path.join(admin, "available"), "w").close()
    dpkg = ["dpkg", "--instdir=" + root, "--admindir=" + admin,
            "--log=" + os.path.join(scratch, "dpkg.log"),
            # Container images often exclude /usr/share/{man,doc}; a user's Debian does not.
            "--path-include=*"]
    if os.geteuid() != 0:
        dpkg.append("--force-not-root")
    result = run(dpkg + ["--install", deb])
    if not check(result.returncode == 0, "dpkg --install exited %d" % result.returncode):
        sys.exit(1)
    status = run(dpkg[:3] + ["--status", "blandhook"]).stdout
    check("Status: install ok installed" in status, "dpkg does not record blandhook as installed")
    return root, dpkg


def check_binary(root):
    result = run([root + "/usr/bin/blandhook", "--version"])
    check(result.returncode == 0 and result.stdout.startswith("blandhook "),
          "the installed binary's --version: exit %d, %r" % (result.returncode, result.stdout))
    result = run([root + "/usr/bin/blandhook", "fixtures", "list"])
    check(result.returncode == 0 and "completed-outbound" in result.stdout,
          "the installed binary lists its built-in fixtures")


def check_man(root, scratch):
    env = dict(os.environ, MANPATH=root + "/usr/share/man", HOME=scratch, MANPAGER="cat",
               PAGER="cat", MANWIDTH="80", LANG="C.UTF-8")
    env.pop("MANOPT", None)
    found = run(["man", "-w", "blandhook"], env=env).stdout.strip()
    check(found == root + "/usr/share/man/man1/blandhook.1.gz",
          "man -w blandhook found %r" % found)
    page = run(["man", "blandhook"], env=env).stdout
    check("blandhook" in page and "replay" in page, "man blandhook renders the page")
    with gzip.open(root + "/usr/share/man/man1/blandhook.1.gz", "rb") as f:
        header = f.read(2)
    check(header == b".\\", "the man page is gzipped roff")


def shell_env(root, scratch):
    home = os.path.join(scratch, "home")
    os.makedirs(home, exist_ok=True)
    return dict(os.environ, HOME=home, XDG_DATA_HOME=os.path.join(home, "data"),
                XDG_CONFIG_HOME=os.path.join(home, "config"),
                XDG_CACHE_HOME=os.path.join(home, "cache"),
                # The root's /usr/share first, then the system's, as for a package installed
                # in the root: both bash-completion and fish derive their paths from this.
                XDG_DATA_DIRS=root + "/usr/share:/usr/share", ROOT=root,
                # fish completes only commands it finds on PATH.
                PATH=root + "/usr/bin:" + os.environ["PATH"])


def check_bash(root, scratch):
    # bash-completion's own default location, from its pkg-config file.
    system_dir = run(["pkg-config", "--variable=completionsdir", "bash-completion"]).stdout.strip()
    check(system_dir == BASH_DIR, "bash-completion's completionsdir is %r" % system_dir)
    script = r'''
source /usr/share/bash-completion/bash_completion
__load_completion blandhook || { echo "no completion loaded"; exit 3; }
spec=$(complete -p blandhook) || exit 4
function=${spec#*-F }; function=${function%% *}
shopt -s extdebug
echo "source: $(declare -F "$function" | cut -d' ' -f3-)"
COMP_WORDS=(blandhook "") COMP_CWORD=1 COMP_LINE="blandhook " COMP_POINT=10
"$function" blandhook "" blandhook
printf 'candidate: %s\n' "${COMPREPLY[@]}"
'''
    out = run(["bash", "--norc", "--noprofile", "-c", script], env=shell_env(root, scratch)).stdout
    check("source: " + root + BASH_DIR + "/blandhook" in out,
          "bash loads blandhook's completion from the root's %s: %r" % (BASH_DIR, out[:300]))
    offered = {line.split(": ", 1)[1].strip() for line in out.splitlines()
               if line.startswith("candidate: ")}
    check(COMMANDS <= offered, "bash offers %s after 'blandhook ': %r" % (COMMANDS, offered))


def check_zsh(root, scratch):
    script = r'''
(( ${fpath[(Ie)%s]} )) || { echo "not in the default fpath: %s"; exit 3; }
fpath=("$ROOT"%s $fpath)
autoload -Uz compinit && compinit -u -d "$HOME/zcompdump"
echo "mapped: $_comps[blandhook]"
autoload +X _blandhook
zmodload zsh/parameter
echo "source: $functions_source[_blandhook]"
''' % (ZSH_DIR, ZSH_DIR, ZSH_DIR)
    out = run(["zsh", "-f", "-c", script], env=shell_env(root, scratch)).stdout
    check("mapped: _blandhook" in out, "zsh's compinit maps blandhook to _blandhook: %r" % out)
    check("source: " + root + ZSH_DIR + "/_blandhook" in out,
          "zsh loads _blandhook from the root's %s: %r" % (ZSH_DIR, out))


def check_fish(root, scratch):
    system_dir = run(["pkg-config", "--variable=completionsdir", "fish"]).stdout.strip()
    check(system_dir == FISH_DIR, "fish's completionsdir is %r" % system_dir)
    script = r'''
contains -- "$ROOT"%s $fish_complete_path; or begin; echo "not on fish_complete_path"; exit 3; end
complete -C"blandhook "
''' % FISH_DIR
    # fish's own configuration (share/config.fish) derives the vendor directories from
    # XDG_DATA_DIRS; the user's is in the scratch HOME, empty.
    out = run(["fish", "-c", script], env=shell_env(root, scratch)).stdout
    offered = {line.split("\t")[0] for line in out.splitlines()}
    check(COMMANDS <= offered, "fish offers %s after 'blandhook ': %r" % (COMMANDS, out[:300]))


def check_lintian(deb, scratch):
    env = dict(os.environ, HOME=os.path.join(scratch, "home"))
    # (--show-overrides is left out: lintian 2.116 then exits 2 for overridden warnings.)
    result = run(["lintian", "--fail-on", "error,warning", "--display-info",
                  deb], env=env, quiet=True)
    print("lintian:\n" + result.stdout + result.stderr, flush=True)
    check(result.returncode == 0, "lintian reports errors or warnings (exit %d)"
          % result.returncode)


def check_removal(root, dpkg):
    result = run(dpkg + ["--purge", "blandhook"])
    check(result.returncode == 0, "dpkg --purge exited %d" % result.returncode)
    left = [os.path.join(d, f) for d, _, files in os.walk(root) for f in files]
    check(not left, "files left in the root after purging: %s" % left[:10])


def main():
    scratch = tempfile.mkdtemp(prefix="blandhook-package-")
    try:
        deb = build_package(scratch)
        print("package: %s (%d bytes)" % (os.path.basename(deb), os.path.getsize(deb)), flush=True)
        check_control(deb)
        root, dpkg = install(deb, scratch)
        check_binary(root)
        check_man(root, scratch)
        check_bash(root, scratch)
        check_zsh(root, scratch)
        check_fish(root, scratch)
        check_lintian(deb, scratch)
        check_removal(root, dpkg)
    finally:
        if os.environ.get("KEEP"):
            print("kept %s" % scratch)
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    finish("the package builds, installs into an empty root, runs, and is lintian clean")


if __name__ == "__main__":
    main()
