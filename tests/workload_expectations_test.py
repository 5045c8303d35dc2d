#!/usr/bin/env python3
"""Each workload's stated expectation (its header comment) holds, on the virtual-time engine.

Usage: python3 tests/workload_expectations_test.py GILSIM_BINARY REPO_ROOT [--filter SUBSTR]

Every case runs `GILSIM_BINARY run -q workloads/NAME.py --engine sim --cores N ...` with small
-D sizes, parses the numbers the script prints and asserts what the header promises: CPU-bound
threads ~1.0x under a GIL and ~2x without one on 2 cores, I/O-bound pools ~N x faster, the convoy
effect under modern and not under io-priority, lost updates, and so on. The sim engine is
deterministic (virtual time, a fixed seed), so each case is one run and the bounds, though kept
generous, are about the model and never about the load on the host.

A case marked `known_bug` asserts the header's expectation too, but a failure there is reported
as XFAIL (a bug of the engine, described in `known_bug`) and does not fail the test; if such a
case passes, it is reported as XPASS and fails the test, so that the mark gets removed.
Every workload in workloads/ must have at least one case.
Prints `ok`, `FAIL`, `XFAIL` or `XPASS` per case, then a count; exits 1 on any FAIL or XPASS.
"""

import os
import re
import signal
import subprocess
import sys
import time

import workload_args

TIMEOUT_S = 60
NUMBER = r"([-+]?\d+(?:\.\d+)?)"

class Failed(Exception):
    pass


def expect(cond, what):
    if not cond:
        raise Failed(what)


def between(value, lo, hi, what):
    expect(lo <= value <= hi, "%s = %s, expected between %s and %s" % (what, value, lo, hi))


def numbers(out, pattern, what):
    """All matches of `pattern` (a regex with groups of NUMBER) as tuples of floats."""
    found = [tuple(float(g) for g in m.groups()) for m in re.finditer(pattern, out)]
    expect(found, "no line matching %r (%s) in the output" % (pattern, what))
    return found


def one(out, pattern, what):
    found = numbers(out, pattern, what)
    return found[0] if len(found[0]) > 1 else found[0][0]


# --- what each header states --------------------------------------------------------------------

def speedups(out):
    """{threads: speedup} from `threads N: elapsed X s, speedup Y` lines."""
    return {int(n): s for n, _, s in numbers(
        out, r"threads " + NUMBER + r": elapsed " + NUMBER + r" s, speedup " + NUMBER, "speedup")}


def no_speedup(out):
    for n, s in speedups(out).items():
        between(s, 0.9, 1.1, "speedup with %d threads" % n)


def speedup_two_cores(out):
    s = speedups(out)
    between(s[2], 1.8, 2.1, "speedup with 2 threads")
    between(s[4], 1.8, 2.1, "speedup with 4 threads (2 cores)")


def slower_than_one(out):
    s = speedups(out)
    expect(s[2] < 0.9, "legacy on 2 cores: speedup with 2 threads %s, expected < 0.9" % s[2])


def split_elapsed(lo, hi, what):
    def check(out):
        between(one(out, r"threads \d+: elapsed " + NUMBER + " s", "elapsed"), lo, hi, what)
    return check


def hello(out):
    primes = [k for k in range(2, 30) if all(k % d for d in range(2, k))]
    expect("primes below 30 : %s" % primes in out, "primes below 30 missing or wrong")
    expect("fib(20) = 6765" in out, "fib(20) = 6765 missing")
    expect("0.1 + 0.2 = 0.30000000000000004 and 7 // -2 = -4" in out, "floats or // wrong")


def io_bound(out):
    single = one(out, r"single_threaded time\(sec\): " + NUMBER, "single")
    multi = one(out, r"multi_threaded time\(sec\): " + NUMBER, "multi")
    between(single, 127 * 5 / 1000.0, 127 * 5 / 1000.0 * 1.05, "single_threaded s (127 x 5 ms)")
    expect(single / multi >= 7.5, "speedup %.2f, expected >= 7.5 with 8 workers" % (single / multi))
    expect("count: 127" in out, "count of 127 missing")


def cpu_vs_io(cpu_lo, cpu_hi):
    def check(out):
        cpu = one(out, r"CPU-bound: .* speedup " + NUMBER, "CPU-bound")
        io = one(out, r"I/O-bound: .* speedup " + NUMBER, "I/O-bound")
        between(cpu, cpu_lo, cpu_hi, "CPU-bound speedup, 4 threads")
        between(io, 3.8, 4.05, "I/O-bound speedup, 4 threads")
    return check


def mixed(gil):
    def check(out):
        s, bound = one(out, r"speedup " + NUMBER + r" \(bound with one GIL: " + NUMBER, "speedup")
        if gil:
            between(s, 0.8 * bound, 1.02 * bound, "speedup (bound %s)" % bound)
        else:
            expect(s > bound, "no GIL: speedup %s should beat the one-GIL bound %s" % (s, bound))
    return check


def convoy_ms(out):
    alone = one(out, r"alone: .* ms per op " + NUMBER, "alone")
    busy = one(out, r"with \d+ CPU threads: .* ms per op " + NUMBER, "busy")
    slowdown = one(out, r"slowdown: " + NUMBER, "slowdown")
    return alone, busy, slowdown


def convoy_modern(out):
    alone, busy, slowdown = convoy_ms(out)
    between(busy, 4.5, 6.0, "ms per op next to 1 CPU thread (a 5 ms switch interval)")
    expect(slowdown > 20, "slowdown %s, expected well over 20x" % slowdown)


def convoy_two(out):
    alone, busy, slowdown = convoy_ms(out)
    between(busy, 9.0, 16.0, "ms per op next to 2 CPU threads")


def convoy_near_alone(limit):
    def check(out):
        alone, busy, slowdown = convoy_ms(out)
        expect(slowdown <= limit, "slowdown %s, expected <= %s (near its speed alone)" % (slowdown, limit))
    return check


def convoy_gvl(out):
    alone, busy, slowdown = convoy_ms(out)
    between(busy, 90, 110, "ms per op under gvl (one 100 ms quantum)")


def lost(out):
    rows = numbers(out, r"expected " + NUMBER + r", got " + NUMBER + r", lost " + NUMBER, "lost")
    expect(len(rows) == 3, "expected 3 result lines, got %d" % len(rows))
    for e, g, l in rows:
        expect(e - g == l, "lost %s != expected %s - got %s" % (l, e, g))
    return [(l, e) for e, g, l in rows]


def race_modern(out):
    (call, e), (inplace, _), (locked, _) = lost(out)
    expect(call > 0.1 * e, "+ one(): lost %d of %d, expected > 10%%" % (call, e))
    expect(inplace == 0, "+=: lost %d, expected 0 (no safe point inside)" % inplace)
    expect(locked == 0, "with lock: lost %d, expected 0" % locked)


def race_everywhere(out):
    (call, e), (inplace, _), (locked, _) = lost(out)
    expect(call > 0, "+ one(): lost %d, expected > 0" % call)
    expect(inplace > 0, "+=: lost %d, expected > 0" % inplace)
    expect(locked == 0, "with lock: lost %d, expected 0" % locked)


def producer_consumer(out):
    consumed, expected, got = one(out, r"consumed " + NUMBER + r" items, checksum expected "
                                  + NUMBER + r" got " + NUMBER, "checksum")
    expect(consumed == 200 and expected == got, "consumed %d, checksum %d vs %d" % (consumed, expected, got))
    elapsed = one(out, r"elapsed " + NUMBER + r" s", "elapsed")
    # The producers set the pace: 100 items x 2 ms each, their waits overlapping.
    between(elapsed, 0.2, 0.22, "elapsed s (100 items x 2 ms)")


def thread_pool(crunch_lo, crunch_hi):
    def check(out):
        rows = numbers(out, r"map (?:fetch|crunch) .* speedup " + NUMBER, "speedup")
        expect(out.count("results ok: True") == 2, "results not ok")
        between(rows[0][0], 7.5, 8.05, "fetch speedup, pool of 8")
        between(rows[1][0], crunch_lo, crunch_hi, "crunch speedup")
    return check


def native_scales(cores):
    def check(out):
        s = speedups(out)
        between(s[2], 1.9, 2.05, "speedup with 2 threads")
        between(s[4], 0.95 * min(4, cores), 1.02 * min(4, cores), "speedup with 4 threads on %d cores" % cores)
    return check


def processes(out):
    rows = {(kind, int(n)): s for kind, n, s in (
        (m.group(1), m.group(2), float(m.group(3))) for m in re.finditer(
            r"(threads|processes) (\d+): elapsed [\d.]+ s, speedup " + NUMBER, out))}
    expect(len(rows) == 4, "expected 4 result lines, got %d" % len(rows))
    between(rows[("threads", 2)], 0.9, 1.1, "threads 2 speedup")
    between(rows[("processes", 1)], 0.9, 1.1, "processes 1 speedup")
    between(rows[("processes", 2)], 1.8, 2.05, "processes 2 speedup")


def bandwidth(lo1, hi1):
    def check(out):
        pct = [p for (p,) in numbers(out, r"\( " + NUMBER + r" %\)", "percent")]
        expect(out.count("sizes ok: True") == 3, "sizes not ok")
        between(pct[0], lo1, hi1, "rate with 1 CPU thread, % of alone")
        if hi1 < 10:
            expect(pct[1] < pct[0], "2 CPU threads (%s %%) should be worse than 1 (%s %%)" % (pct[1], pct[0]))
    return check


def latency(lo, hi):
    def check(out):
        avg = {int(n): a for n, a in numbers(out, r"CPU threads=" + NUMBER + r": " + NUMBER + " ms", "avg")}
        expect(avg[0] < 0.5, "latency with no CPU thread %s ms, expected ~0" % avg[0])
        between(avg[1], lo, hi, "latency with 1 CPU thread (ms)")
        expect(avg[2] >= avg[1] * 0.95, "latency should not fall with 2 CPU threads")
    return check


def throughput(py_lo, py_hi):
    def check(out):
        pct = [p for (p,) in numbers(out, r"\( " + NUMBER + r" %\)", "percent")]
        between(pct[0], py_lo, py_hi, "Python task, 2 threads, % of 1 thread")
        expect(pct[1] >= 170, "C task (native), 2 threads: %s %%, expected ~200" % pct[1])
    return check


# --- the cases: (workload, flags, check, known_bug) ---------------------------------------------

def d(*defines):
    out = []
    for nv in defines:
        out += ["-D", nv]
    return out


def pol(p, cores=2):
    return ["--policy", p, "--cores", str(cores)]


CPU = d("n=2000000")
CASES = [
    ("hello", d("n=30"), hello, None),
    ("cpu_bound", CPU + pol("modern"), no_speedup, None),
    ("cpu_bound", CPU + pol("fifo"), no_speedup, None),
    ("cpu_bound", CPU + pol("gvl"), no_speedup, None),
    ("cpu_bound", CPU + pol("legacy", cores=1), no_speedup, None),
    ("cpu_bound", CPU + pol("legacy"), slower_than_one, None),
    ("cpu_bound", CPU + pol("none"), speedup_two_cores, None),
    ("split_work", d("n=2000000", "threads=2") + pol("modern"),
     split_elapsed(0.037, 0.040, "2M iterations x 19 ns, one thread at a time"), None),
    ("split_work", d("n=2000000", "threads=2") + pol("none"),
     split_elapsed(0.018, 0.020, "2M iterations x 19 ns on 2 cores at once"), None),
    ("split_work", d("n=0", "requests=8", "io_ms=10", "threads=4") + pol("modern"),
     split_elapsed(0.020, 0.0215, "two 10 ms waits per thread, side by side"), None),
    ("io_bound", d("latency=5") + pol("modern"), io_bound, None),
    ("io_bound", d("latency=5") + pol("legacy"), io_bound, None),
    ("io_bound", d("latency=5") + pol("gvl"), io_bound, None),
    ("io_bound", d("latency=5") + pol("none"), io_bound, None),
    ("cpu_vs_io", pol("modern"), cpu_vs_io(0.9, 1.1), None),
    ("cpu_vs_io", pol("none"), cpu_vs_io(1.8, 2.1), None),
    ("mixed", d("tasks=40") + pol("modern"), mixed(gil=True), None),
    ("mixed", d("tasks=40") + pol("none"), mixed(gil=False), None),
    ("convoy", d("duration=200") + pol("modern"), convoy_modern, None),
    ("convoy", d("duration=200", "cpu=2") + pol("modern"), convoy_two, None),
    ("convoy", d("duration=200") + pol("io-priority"), convoy_near_alone(1.5), None),
    ("convoy", d("duration=200") + pol("none"), convoy_near_alone(1.05), None),
    ("convoy", d("duration=200") + pol("gvl"), convoy_gvl, None),
    # Python 2's GIL: the thread back from I/O must win a race for the GIL against a holder that
    # re-takes it at once; it loses most tries, but it does not wait out a switch interval.
    # (--timeout is virtual time: a safety net should it ever starve.)
    ("convoy", d("duration=200") + pol("legacy") + ["--timeout", "2s"], convoy_near_alone(15.0),
     None),
    ("race_counter", d("n=200000", "threads=2") + pol("modern"), race_modern, None),
    ("race_counter", d("n=20000", "threads=2") + pol("none"), race_everywhere, None),
    ("race_counter", d("n=50000", "threads=2") + pol("legacy"), race_everywhere, None),
    ("producer_consumer", d("items=100") + pol("modern"), producer_consumer, None),
    ("producer_consumer", d("items=100") + pol("none"), producer_consumer, None),
    ("thread_pool", d("work=100000") + pol("modern"), thread_pool(0.9, 1.1), None),
    ("thread_pool", d("work=100000") + pol("none"), thread_pool(1.8, 2.05), None),
    ("native_release", pol("modern"), native_scales(2), None),
    ("native_release", pol("modern", cores=4), native_scales(4), None),
    ("native_hold", pol("modern", cores=4), no_speedup, None),
    ("native_hold", pol("none"), native_scales(2), None),
    ("processes", d("n=4000000") + pol("modern"), processes, None),
    ("ccbench_bandwidth", d("duration=100") + pol("modern"), bandwidth(1.0, 4.0), None),
    ("ccbench_bandwidth", d("duration=100") + pol("io-priority"), bandwidth(60, 100), None),
    ("ccbench_latency", d("duration=200", "threads=2") + pol("modern"), latency(4.5, 6.5), None),
    ("ccbench_latency", d("duration=200", "threads=2") + pol("io-priority"), latency(0, 1.0), None),
    ("ccbench_latency", d("duration=400", "threads=2") + pol("gvl"), latency(80, 110), None),
    ("ccbench_throughput", d("duration=100", "threads=2") + pol("modern"), throughput(80, 110), None),
    ("ccbench_throughput", d("duration=100", "threads=2") + pol("none"), throughput(170, 205), None),
]


def run(argv, cwd):
    """(exit status or a reason string, stdout, stderr)."""
    try:
        p = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, start_new_session=True)
    except OSError as e:
        return "cannot start: %s" % e, "", ""
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
    return rc, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def workload_files(root):
    """{name: file name} of workloads/: the programs (.py) and the older scripts (.gil)."""
    wdir = os.path.join(root, "workloads")
    return {os.path.splitext(f)[0]: f for f in sorted(os.listdir(wdir)) if f.endswith((".py", ".gil"))}


def check_case(gilsim, root, file, flags, check):
    argv = [gilsim, "run", "-q", "workloads/" + file, "--engine", "sim"] + flags
    rc, out, err = run(argv, root)
    if rc != 0:
        lines = [l for l in err.splitlines() if l.strip()]
        return "exit %s: %s" % (rc, lines[0] if lines else "(nothing on stderr)")
    try:
        check(out)
    except Failed as e:
        return "%s\n    output:\n      %s" % (e, "\n      ".join(out.splitlines()))
    except (KeyError, IndexError, ValueError) as e:
        return "output not as the header describes (%s: %s):\n      %s" % (
            type(e).__name__, e, "\n      ".join(out.splitlines()))
    return None


def main():
    parsed = workload_args.parse(sys.argv[1:])
    if parsed is None:
        print(__doc__)
        return 2
    gilsim, root, filt = parsed
    files = workload_files(root)
    names = sorted(files)
    bad = 0
    uncovered = [n for n in names if n not in {c[0] for c in CASES}]
    for n in uncovered:
        bad += 1
        print("FAIL %s: no case in workload_expectations_test.py asserts its header" % n)
    counts = {"ok": 0, "FAIL": 0, "XFAIL": 0, "XPASS": 0}
    for name, flags, check, known_bug in CASES:
        if filt and filt not in name:
            continue
        t0 = time.monotonic()
        if name not in files:
            reason = "workloads/%s.py is missing" % name
        else:
            reason = check_case(gilsim, root, files[name], flags, check)
        label = "%s %s (%.2f s)" % (name, " ".join(flags), time.monotonic() - t0)
        if known_bug:
            verdict = "XFAIL" if reason else "XPASS"
            note = ": known bug: " + known_bug + ("\n    " + reason.splitlines()[0] if reason else
                                                 " -- it passes now: remove the known_bug mark")
        else:
            verdict = "FAIL" if reason else "ok"
            note = ": " + reason if reason else ""
        counts[verdict] += 1
        print("%s %s%s" % (verdict, label, note))
        sys.stdout.flush()
    print(", ".join("%d %s" % (v, k) for k, v in counts.items()))
    return 1 if bad or counts["FAIL"] or counts["XPASS"] else 0


if __name__ == "__main__":
    sys.exit(main())
