#!/usr/bin/env python3
"""The real Python programs of tests/python/ print what their `# expect:` lines say, under CPython
and (given a gilsim binary) under gilsim on each engine.

Usage: python3 tests/python_programs.py REPO_ROOT [--gilsim BINARY] [--engines threads,sim]
                                        [--filter SUBSTR] [--timeout SECS] [--gilsim-only]
                                        [--sanitized]

Every tests/python/*.py is a program as people write them (the threading docs' examples, the seed
experiment, course exercises); the simulator-only calls come from `from gilsim import ...`. Its
expected output sits in comments, in the format of the golden scripts (tests/golden_test.cpp):
  # expect: TEXT            the next stdout line is exactly TEXT (trailing blanks stripped);
                            stdout must hold exactly these lines, in order
  # expect error: LINE      the run exits 1 and the last non-empty stderr line is LINE
A program without expectations fails. Each program runs from its own directory (so
`[sys.executable, "children/square.py"]` finds the child), with a timeout (default 60 s):
  python3 PROG                                with PYTHONPATH=REPO_ROOT/tools/python (the gilsim
                                              module for CPython), always;
  python3 tools/gilsim_shim.py PROG           what `gilsim compare --cpython` runs, always;
  python3 tests/stdlib_on_cpython.py ROOT PROG  CPython with gilsim's own threading, queue and
                                              concurrent.futures (vm/stdlib/), for the programs
                                              that import only modules of VM_STDLIB_PROGRAMS;
  BINARY run -q --engine E PROG               for each engine E, when --gilsim is given.
--gilsim-only leaves out the CPython runners (ctest python_programs_gilsim; python_programs_cpython
runs those). The programs of NOT_YET_ON_GILSIM cannot run under gilsim yet, each for the reason
given: they still run (with a short timeout) and print `known NAME [engine]: reason`; one that
passes is a failure, so the list never claims more than is true. --sanitized leaves out, on the
threads engine only, the few programs of SPEED_BOUND_ON_THREADS (a sanitizer build's interpreter is
too slow for what they print), saying so.
Prints `ok   NAME [runner]` or `FAIL NAME [runner]: reason`, then `N passed, M failed`; exits 1 on
any failure or when nothing ran, 2 on bad usage. CPython 3.11 is the reference.
"""

import difflib
import os
import re
import signal
import subprocess
import sys

# The modules a program may import to be run on vm/stdlib's sources under CPython (the others are
# CPython's own there).
VM_STDLIB_PROGRAMS = {"threading", "queue", "time", "concurrent.futures", "sys", "math",
                      "random", "os", "gilsim", "multiprocessing", "subprocess"}
IMPORT_RE = re.compile(r"^\s*(?:from\s+([\w.]+)\s+import|import\s+([\w., ]+))", re.M)

# Programs gilsim cannot run yet, and why (docs/stdlib.md's status lists what is missing);
# "NAME@sim" is for one engine only.
NOT_YET_ON_GILSIM = {
}
KNOWN_TIMEOUT = 3.0

# --sanitized (ctest passes it for the asan and tsan builds, whose interpreter runs 10-50x slower):
# programs whose printed verdict rests on the interpreter running near CPython's speed on real
# threads are not run on the threads engine there (they print `skipped`); the sim engine, whose
# virtual time does not depend on the host, still runs them.
SPEED_BOUND_ON_THREADS = {
    "seed_experiment.py": "prints whether 16 threads were 10x faster; under TSan the main thread's "
                          "own 75,000 bytecodes (submitting 127 jobs) take 0.45 s of the 0.28 s "
                          "the threads need (6.6x)",
}

EXPECT = "# expect:"
EXPECT_ERROR = "# expect error:"


def expectations(path):
    out, error = [], None
    with open(path, encoding="utf-8") as f:
        for line in f:
            if EXPECT_ERROR in line:
                error = line.split(EXPECT_ERROR, 1)[1].strip()
            elif EXPECT in line:
                text = line.split(EXPECT, 1)[1]
                out.append((text[1:] if text.startswith(" ") else text).rstrip())
    return out, error


def runs_on_vm_stdlib(path):
    with open(path, encoding="utf-8") as f:
        code = "\n".join(l for l in f.read().splitlines() if not l.lstrip().startswith("#"))
    modules = set()
    for frm, names in IMPORT_RE.findall(code):
        modules.update([frm] if frm else [n.strip().split(" ")[0] for n in names.split(",")])
    return modules <= VM_STDLIB_PROGRAMS


def run(argv, cwd, env, timeout):
    """(exit code or None on timeout, stdout, stderr); a timeout kills the whole session."""
    p = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        rc = None
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
    try:
        os.killpg(p.pid, signal.SIGKILL)  # whatever it left behind
    except (ProcessLookupError, PermissionError):
        pass
    return rc, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def last_line(text):
    lines = [l.rstrip() for l in text.splitlines() if l.strip()]
    return lines[-1] if lines else ""


def verdict(want_out, want_error, rc, out, err, timeout):
    if rc is None:
        return f"timeout after {timeout} s"
    got = [l.rstrip() for l in out.splitlines()]
    problems = []
    want_rc = 1 if want_error else 0
    if rc != want_rc:
        tail = last_line(err)
        problems.append(f"exit code {rc}, expected {want_rc}" + (f"; stderr: {tail!r}" if tail else ""))
    elif want_error and last_line(err) != want_error:
        problems.append(f"last stderr line {last_line(err)!r}, expected {want_error!r}")
    if got != want_out:
        diff = list(difflib.unified_diff(want_out, got, "expected", "printed", lineterm="", n=1))
        shown = diff[2:14]
        problems.append("stdout differs:\n" + "\n".join("       " + l for l in shown) +
                        (f"\n       ... ({len(diff) - 14} more)" if len(diff) > 14 else ""))
    return "; ".join(problems) or None


def usage(msg):
    print(f"python_programs: {msg}\nusage: python3 tests/python_programs.py REPO_ROOT "
          "[--gilsim BINARY] [--engines threads,sim] [--filter SUBSTR] [--timeout SECS]",
          file=sys.stderr)
    return 2


def main(argv):
    root, gilsim, engines, filt, timeout = None, None, ["threads", "sim"], None, 60.0
    gilsim_only = sanitized = False
    it = iter(argv[1:])
    for a in it:
        if a == "--gilsim-only":
            gilsim_only = True
            continue
        if a == "--sanitized":
            sanitized = True
            continue
        if a in ("--gilsim", "--engines", "--filter", "--timeout"):
            v = next(it, None)
            if v is None:
                return usage(a + " needs a value")
            if a == "--gilsim":
                gilsim = os.path.abspath(v)
            elif a == "--engines":
                engines = [e for e in v.split(",") if e]
            elif a == "--filter":
                filt = v
            else:
                try:
                    timeout = float(v)
                except ValueError:
                    return usage("bad --timeout " + v)
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        elif a.startswith("-"):
            return usage("unknown option " + a)
        elif root is None:
            root = os.path.abspath(a)
        else:
            return usage("more than one REPO_ROOT")
    if root is None:
        return usage("no REPO_ROOT given")
    progdir = os.path.join(root, "tests", "python")
    if not os.path.isdir(progdir):
        return usage(progdir + " is not a directory")
    if gilsim and not os.access(gilsim, os.X_OK):
        return usage(gilsim + " is not an executable file")

    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.join(os.path.abspath(root), "tools", "python")
    shim = os.path.join(os.path.abspath(root), "tools", "gilsim_shim.py")
    on_vm_stdlib = os.path.join(os.path.abspath(root), "tests", "stdlib_on_cpython.py")
    runners = [("python3", lambda name: [sys.executable, name]),
               ("shim", lambda name: [sys.executable, shim, name]),
               ("vm-stdlib", lambda name: [sys.executable, on_vm_stdlib, root, name])]
    if gilsim_only:
        if not gilsim:
            return usage("--gilsim-only needs --gilsim")
        runners = []
    for e in engines if gilsim else []:
        runners.append((e, lambda name, e=e: [gilsim, "run", "-q", "--engine", e, name]))

    passed = failed = known = skipped = 0
    for name in sorted(os.listdir(progdir)):
        if not name.endswith(".py") or (filt and filt not in name):
            continue
        want_out, want_error = expectations(os.path.join(progdir, name))
        for label, argv_of in runners:
            if label == "vm-stdlib" and not runs_on_vm_stdlib(os.path.join(progdir, name)):
                continue
            if sanitized and label == "threads" and name in SPEED_BOUND_ON_THREADS:
                skipped += 1
                print(f"skipped {name} [threads] in a sanitizer build: "
                      f"{SPEED_BOUND_ON_THREADS[name]}", flush=True)
                continue
            not_yet = (NOT_YET_ON_GILSIM.get(f"{name}@{label}") or NOT_YET_ON_GILSIM.get(name)
                       if label in ("threads", "sim") else None)
            if not want_out and want_error is None:
                reason = "no expectations (add '# expect:' comments)"
            else:
                limit = KNOWN_TIMEOUT if not_yet else timeout
                rc, out, err = run(argv_of(name), progdir, env, limit)
                reason = verdict(want_out, want_error, rc, out, err, limit)
            if not_yet and reason:
                known += 1
                print(f"known {name} [{label}]: {not_yet}", flush=True)
                continue
            if not_yet:
                reason = "passes, but NOT_YET_ON_GILSIM says it cannot run: take it off the list"
            if reason:
                failed += 1
                print(f"FAIL {name} [{label}]: {reason}", flush=True)
            else:
                passed += 1
                print(f"ok   {name} [{label}]", flush=True)
    print(f"{passed} passed, {failed} failed" + (f", {known} known not to run yet" if known else "")
          + (f", {skipped} skipped (speed-bound, sanitizer build)" if skipped else ""))
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
