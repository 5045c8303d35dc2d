#!/usr/bin/env python3
"""Every workload runs under gilsim and under real CPython alike.

Usage: python3 tests/workloads_test.py GILSIM_BINARY REPO_ROOT [--filter SUBSTR]

For every REPO_ROOT/workloads/*.py and *.gil (sorted by name), runs `GILSIM_BINARY run -q FILE
-D ...` and, under CPython, a program as its header says to run it,
`PYTHONPATH=tools/python python3 FILE -D ...` (its gilsim module is tools/python/gilsim.py), an
older .gil script through `python3 tools/gilsim_shim.py FILE -D ...`, with the small sizes of
SMALL below (so that each run takes well under 2 s), and requires of both: exit status 0, and
output of the same *shape*:
the same number of lines, and line by line the same words once every number is replaced by `#`
("threads 2: elapsed 0.61 s" and "threads 2: elapsed 0.58 s" match). Timings are not checked:
the machine is shared and they are asserted elsewhere. A workload missing from SMALL runs with
its defaults (and the test says so).
Prints `ok NAME` or `FAIL NAME: reason` per workload, then `N passed, M failed`; exits 1 on any
failure or when no workload was found.
"""

import os
import re
import signal
import subprocess
import sys
import time

import workload_args

TIMEOUT_S = 60

# Small sizes per workload: each run well under ~2 s under gilsim and under CPython.
SMALL = {
    "ccbench_bandwidth": ["duration=60", "threads=1"],
    "ccbench_latency": ["interval=10", "duration=60", "threads=1"],
    "ccbench_throughput": ["duration=40", "threads=2"],
    "convoy": ["duration=100"],
    "cpu_bound": ["n=2000000", "threads=2"],
    "cpu_vs_io": ["threads=8"],
    "hello": ["n=30"],
    "io_bound": ["requests=16", "latency=5", "workers=4"],
    "mixed": ["tasks=20", "cpu_ms=1", "io_ms=2"],
    "native_hold": ["calls=8", "ms=5", "threads=2"],
    "native_release": ["calls=8", "ms=5", "threads=2"],
    "processes": ["n=2000000"],
    "producer_consumer": ["items=50", "fetch_ms=1", "work=2000"],
    "race_counter": ["n=20000", "threads=2"],
    "split_work": ["n=2000000", "threads=2"],
    "thread_pool": ["inputs=8", "io_ms=5", "work=20000", "workers=4"],
}

NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def shape(text):
    return [NUMBER.sub("#", line).split() for line in text.splitlines()]


def run(argv, cwd, env=None):
    """(exit status or a reason string, stdout, stderr, seconds)."""
    t0 = time.monotonic()
    try:
        p = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, start_new_session=True, env=env)
    except OSError as e:
        return "cannot start: %s" % e, "", "", 0.0
    try:
        out, err = p.communicate(timeout=TIMEOUT_S)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        out, err = p.communicate()
        rc = "timed out after %d s" % TIMEOUT_S
    return rc, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), time.monotonic() - t0


def last_line(text):
    lines = [l for l in text.splitlines() if l.strip()]
    return lines[-1] if lines else "(nothing on stderr)"


def check(gilsim, shim, root, path, defines):
    d = []
    for nv in defines:
        d += ["-D", nv]
    g_rc, g_out, g_err, g_s = run([gilsim, "run", "-q", path] + d, root)
    if path.endswith(".py"):
        env = dict(os.environ, PYTHONPATH=os.path.join(root, "tools", "python"))
        p_rc, p_out, p_err, p_s = run([sys.executable, path] + d, root, env)
        cpython = "python3"
    else:
        p_rc, p_out, p_err, p_s = run([sys.executable, shim, path] + d, root)
        cpython = "python3 + shim"
    times = "(gilsim %.1f s, python3 %.1f s)" % (g_s, p_s)
    if g_rc != 0:
        return "gilsim: exit %s: %s" % (g_rc, last_line(g_err)), times
    if p_rc != 0:
        return "%s: exit %s: %s" % (cpython, p_rc, last_line(p_err)), times
    gs, ps = shape(g_out), shape(p_out)
    if not gs:
        return "no output", times
    if len(gs) != len(ps):
        return "gilsim printed %d lines, python3 %d" % (len(gs), len(ps)), times
    for i, (a, b) in enumerate(zip(gs, ps)):
        if a != b:
            return ("line %d differs in shape:\n    gilsim:  %s\n    python3: %s"
                    % (i + 1, g_out.splitlines()[i], p_out.splitlines()[i])), times
    return None, times


def main():
    parsed = workload_args.parse(sys.argv[1:])
    if parsed is None:
        print(__doc__)
        return 2
    gilsim, root, filt = parsed
    shim = os.path.join(root, "tools", "gilsim_shim.py")
    wdir = os.path.join(root, "workloads")
    files = sorted(f for f in os.listdir(wdir) if f.endswith((".py", ".gil"))) if os.path.isdir(wdir) else []
    if filt:
        files = [f for f in files if filt in f]
    passed = failed = 0
    for file in files:
        name = os.path.splitext(file)[0]
        defines = SMALL.get(name)
        note = ""
        if defines is None:
            defines, note = [], " (no small sizes in workloads_test.py: ran with the defaults)"
        # Run from the repository root, so that file names in tracebacks read as in the docs.
        reason, times = check(gilsim, shim, root, "workloads/" + file, defines)
        if reason is None:
            passed += 1
            print("ok %s %s%s" % (name, times, note))
        else:
            failed += 1
            print("FAIL %s: %s %s%s" % (name, reason, times, note))
        sys.stdout.flush()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not files else 0


if __name__ == "__main__":
    sys.exit(main())
