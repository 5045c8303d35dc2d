#!/usr/bin/env python3
"""gilsim fidelity: every policy whose real runtime is on this machine, held against it.

Usage (through the binary, which passes its own path as --gilsim):
  gilsim fidelity [--repeat N] [--only NAME[,NAME]] [--runtime NAME=PATH]... [--profile P]
                  [--json F] [--csv F]
  python3 tools/lab/fidelity.py --gilsim build/release/gilsim [the same options]

For each runtime found (CPython 2.7 for legacy, CPython 3.x for modern, PyPy for pypy, Ruby for
gvl-3.2, OCaml for ocaml, a free-threaded CPython for free-threaded), the same phenomena run under
the real runtime (tools/runtimes/phenomena.py for every Python, phenomena.rb and phenomena.ml
written by hand for Ruby and OCaml) and under gilsim with the matching policy
(the same phenomena.py) on both engines, the sim engine on 2 virtual cores with a machine
profile: by default (--profile calibrate) `gilsim calibrate` measures this machine before each
runtime, with that runtime's speed as the cost scale when it is a Python and `--lock semaphore`
for CPython 2.7 (its GIL on Linux); `--profile builtin` keeps the built-in calibration (the 2010
2-core Mac of Beazley's figures); `--profile FILE` uses that profile for every runtime. Each figure is
the median of --repeat runs (3; the sim engine, being exact, runs once). The table gives, per
phenomenon, the real figure, the threads engine's, the sim engine's, their ratios to the real one
and whether each is within tolerance (sim: 15 % on ratios, 20 % on latencies; threads: 25 %).
A runtime that is missing is skipped with a line saying how to install it. Standard library only.
Exit status: 0 (the table is a measurement, not a test), 2 on a usage error.
"""

import argparse
import csv
import datetime
import glob
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
HERE = os.path.join(ROOT, "tools", "runtimes")
PYENV = os.path.expanduser("~/.pyenv/versions")
INSTALL_DEBIAN = "tools/install-deps.sh --runtimes"

# (name, policy, where to look, how to install). The first hit of the glob patterns or $PATH wins.
RUNTIMES = [
    ("python2.7", "legacy", [PYENV + "/2.7*/bin/python2.7", "python2.7"],
     "pyenv install 2.7.18"),
    ("python3.13", "modern", [PYENV + "/3.13*/bin/python3.13", "python3.13"],
     "pyenv install 3.13.0"),
    ("pypy3", "pypy", ["pypy3"], INSTALL_DEBIAN),
    ("ruby", "gvl-3.2", ["ruby"], INSTALL_DEBIAN),
    ("ocaml", "ocaml", ["ocamlopt"], INSTALL_DEBIAN),
    ("python3.13t", "free-threaded", [PYENV + "/3.13*t/bin/python3.13t", "python3.13t"],
     "pyenv install 3.13t (a free-threaded build)"),
    ("lua", "lua", [],
     "no Lua with a real lua_lock is packaged (stock Lua has no threads): the policy stays a model"),
]
# Older CPython 3 releases, for --only python3.6 etc.: the same design as 3.13's.
for minor in range(6, 13):
    RUNTIMES.insert(2 + minor - 6, ("python3.%d" % minor, "modern",
                                    [PYENV + "/3.%d.*/bin/python3.%d" % (minor, minor)],
                                    "pyenv install 3.%d" % minor))
DEFAULT_ONLY = ["python2.7", "python3.13", "pypy3", "ruby", "ocaml", "python3.13t", "lua"]

# (key, what it shows, kind). kind: "ratio" (sim within 15 %), "latency" or "rate" (sim within
# 20 %). The switch rates set the interval where the runtime has one (CPython 3, gilsim's
# --switch-interval); Ruby, OCaml and Python 2.7 keep their own (quantum, tick, check interval).
PHENOMENA = [
    ("cpu2", "CPU-bound, 2 threads / 1 (time)", "ratio"),
    ("cpu4", "CPU-bound, 4 threads / 1 (time)", "ratio"),
    ("sleep0_cpu0", "sleep(0) alone, p50 per op (us)", "latency"),
    ("sleep0_cpu1", "sleep(0) next to 1 CPU thread, p50 (us)", "latency"),
    ("sleep0_cpu2", "sleep(0) next to 2 CPU threads, p50 (us)", "latency"),
    ("procs2", "CPU-bound, 2 processes / 1 (time)", "ratio"),
    ("requests8", "127 x 35 ms requests, 8 workers (s)", "latency"),
    ("requests32", "127 x 35 ms requests, 32 workers (s)", "latency"),
    ("switches5", "switches/s, 2 CPU threads, interval 5 ms", "rate"),
    ("switches1", "switches/s, 2 CPU threads, interval 1 ms", "rate"),
]
TOLERANCE = {("sim", "ratio"): 0.15, ("sim", "latency"): 0.20, ("sim", "rate"): 0.20,
             ("threads", "ratio"): 0.25, ("threads", "latency"): 0.25, ("threads", "rate"): 0.25}
SWITCHES_MS = 500    # each switch-rate run
SLEEP0_MS = 400      # each sleep(0) run
CPU_TARGET_S = 0.25  # a 1-thread countdown's length, each runtime and engine calibrated to it


def find(patterns):
    for p in patterns:
        if "/" in p:
            hits = sorted(glob.glob(p))
            if hits:
                return hits[-1]
        elif shutil.which(p):
            return shutil.which(p)
    return None


def output_of(argv):
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError("%s exited %d: %s" % (" ".join(argv), r.returncode, r.stderr[-400:]))
    values = {}
    for line in r.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2:
            values[parts[0]] = float(parts[1])
    return values


class Target:
    """One way to run the phenomena: a real runtime, or gilsim on one engine."""

    def __init__(self, label, argv_of, repeat):
        self.label, self.argv_of, self.repeat, self.work = label, argv_of, repeat, None

    def measure(self, what, args, key):
        runs = [output_of(self.argv_of(what, args))[key] for _ in range(self.repeat)]
        return statistics.median(runs)

    def cpu_work(self):
        # Countdown steps for a ~CPU_TARGET_S run on one thread: interpreters differ 100x (PyPy).
        if self.work is None:
            work = 200000
            for _ in range(6):
                wall = output_of(self.argv_of("cpu", [1, work]))["wall_s"]
                if wall > 0.03:
                    break
                work *= 10
            self.work = max(1000, int(work * CPU_TARGET_S / max(wall, 1e-6)))
        return self.work

    def figures(self):
        out = {}
        work = self.cpu_work()
        one = self.measure("cpu", [1, work], "wall_s")
        out["cpu2"] = self.measure("cpu", [2, work], "wall_s") / one
        out["cpu4"] = self.measure("cpu", [4, work], "wall_s") / one
        out["procs2"] = (self.measure("procs", [2, work], "wall_s") /
                         self.measure("procs", [1, work], "wall_s"))
        for cpu in (0, 1, 2):
            out["sleep0_cpu%d" % cpu] = self.measure("sleep0", [cpu, SLEEP0_MS], "p50_us")
        out["requests8"] = self.measure("requests", [8, 127, 35], "wall_s")
        out["requests32"] = self.measure("requests", [32, 127, 35], "wall_s")
        for interval in (5, 1):
            out["switches%d" % interval] = self.measure("switches", [interval, SWITCHES_MS], "per_s")
        return out


def real_target(name, path, repeat, scratch):
    if name == "ruby":
        script = os.path.join(HERE, "phenomena.rb")
        return Target(name, lambda w, a: [path, script, w] + [str(x) for x in a], repeat)
    if name == "ocaml":
        exe = os.path.join(scratch, "phenomena_ml")
        src = os.path.join(scratch, "phenomena.ml")
        shutil.copy(os.path.join(HERE, "phenomena.ml"), src)
        subprocess.run([path, "-I", "+threads", "unix.cmxa", "threads.cmxa", src, "-o", exe],
                       check=True, cwd=scratch, stdout=subprocess.DEVNULL)
        return Target(name, lambda w, a: [exe, w] + [str(x) for x in a], repeat)
    script = os.path.join(HERE, "phenomena.py")
    return Target(name, lambda w, a: [path, script, w] + [str(x) for x in a], repeat)


def gilsim_target(gilsim, policy, engine, repeat, profile=None):
    # The same phenomena.py the real Pythons run (sys.setswitchinterval sets the interval of the
    # switch-rate runs under gilsim's modern policies too).
    def argv_of(what, args):
        argv = [gilsim, "run", "--policy", policy, "--engine", engine, "-q"]
        if engine == "sim":
            argv += ["--cores", "2"]
            if profile:
                argv += ["--profile", profile]
        return argv + [os.path.join(HERE, "phenomena.py"), what] + [str(x) for x in args]
    return Target("gilsim " + engine, argv_of, 1 if engine == "sim" else repeat)


def calibrated_profile(gilsim, name, path, scratch):
    """`gilsim calibrate` for this runtime: its speed as the cost scale when it is a Python, and
    its GIL's lock (a POSIX semaphore for CPython 2.7 on Linux, a mutex + condition variable for
    the others)."""
    out = os.path.join(scratch, name + ".profile.json")
    argv = [gilsim, "calibrate", "-o", out, "--rounds", "1000"]
    if name.startswith("python") or name == "pypy3":
        argv += ["--python", path]
    if name == "python2.7":
        argv += ["--lock", "semaphore"]
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return out


def version_of(name, path):
    flag = "-version" if name == "ocaml" else "--version"
    r = subprocess.run([path, flag], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True)
    return r.stdout.strip().splitlines()[0] if r.stdout.strip() else name


def within(value, real, engine, kind):
    if real <= 0:
        return False
    return abs(value / real - 1) <= TOLERANCE[(engine, kind)]


def fmt(v):
    return "%.3g" % v if v < 1000 else "%.0f" % v


def main(argv):
    ap = argparse.ArgumentParser(prog="gilsim fidelity", description=__doc__.split("\n")[0])
    ap.add_argument("--gilsim", required=True, help="the gilsim binary")
    ap.add_argument("--repeat", type=int, default=3, help="runs per figure (median), real and threads")
    ap.add_argument("--only", default="", help="runtimes to hold, comma-separated (default: "
                    + ",".join(DEFAULT_ONLY) + "; python3.6 .. python3.12 too)")
    ap.add_argument("--runtime", action="append", default=[], metavar="NAME=PATH",
                    help="where a runtime is (python2.7=/opt/py27/bin/python, ruby=...)")
    ap.add_argument("--profile", default="calibrate", metavar="calibrate|builtin|FILE",
                    help="the sim engine's machine profile (default: calibrate this machine)")
    ap.add_argument("--json", help="write the table as JSON")
    ap.add_argument("--csv", help="write the table as CSV")
    opt = ap.parse_args(argv)
    if opt.repeat < 1:
        ap.error("--repeat must be at least 1")
    if opt.profile not in ("calibrate", "builtin") and not os.path.isfile(opt.profile):
        ap.error("--profile: no such file %s (or: calibrate, builtin)" % opt.profile)
    known = {r[0]: r for r in RUNTIMES}
    only = [n for n in opt.only.split(",") if n] or DEFAULT_ONLY
    for n in only:
        if n not in known:
            ap.error("unknown runtime %s (one of: %s)" % (n, ", ".join(sorted(known))))
    paths = {}
    for kv in opt.runtime:
        name, _, path = kv.partition("=")
        if name not in known or not path:
            ap.error("--runtime expects NAME=PATH with NAME one of: " + ", ".join(sorted(known)))
        paths[name] = path

    rows, skipped = [], []
    header = ("runtime", "policy", "phenomenon", "real", "threads", "sim", "sim/real",
              "threads/real", "within (sim, threads)")
    print("gilsim fidelity: median of %d run(s) per figure (sim: 1, exact); sim on 2 virtual cores,"
          " profile: %s" % (opt.repeat, opt.profile), flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        for name in only:
            _, policy, patterns, install = known[name]
            path = paths.get(name) or find(patterns)
            if not path:
                line = "skipped %s (policy %s): not found; %s" % (name, policy, install)
                print(line, flush=True)
                skipped.append({"runtime": name, "policy": policy, "install": install})
                continue
            version = version_of(name, path)
            print("measuring %s (%s) against policy %s ..." % (name, version, policy), flush=True)
            real = real_target(name, path, opt.repeat, scratch).figures()
            threads = gilsim_target(opt.gilsim, policy, "threads", opt.repeat).figures()
            profile = {"builtin": None, "calibrate": None}.get(opt.profile, opt.profile)
            if opt.profile == "calibrate":
                profile = calibrated_profile(opt.gilsim, name, path, scratch)
            sim = gilsim_target(opt.gilsim, policy, "sim", opt.repeat, profile).figures()
            for key, what, kind in PHENOMENA:
                r, t, s = real[key], threads[key], sim[key]
                rows.append({"runtime": name, "version": version, "policy": policy,
                             "phenomenon": key, "what": what, "kind": kind,
                             "real": r, "threads": t, "sim": s,
                             "sim_ratio": s / r if r else None,
                             "threads_ratio": t / r if r else None,
                             "sim_within": within(s, r, "sim", kind),
                             "threads_within": within(t, r, "threads", kind)})
    table = [header] + [(
        r["runtime"], r["policy"], r["what"], fmt(r["real"]), fmt(r["threads"]), fmt(r["sim"]),
        "%.2f" % r["sim_ratio"] if r["sim_ratio"] is not None else "-",
        "%.2f" % r["threads_ratio"] if r["threads_ratio"] is not None else "-",
        "%s, %s" % ("yes" if r["sim_within"] else "no", "yes" if r["threads_within"] else "no"))
        for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    print()
    for row in table:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
    doc = {"date": datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC"),
           "machine": {"cpus": os.cpu_count(), "system": platform.platform()},
           "repeat": opt.repeat, "profile": opt.profile, "tolerance": {"%s_%s" % k: v for k, v in TOLERANCE.items()},
           "rows": rows, "skipped": skipped}
    if opt.json:
        with open(opt.json, "w") as f:
            json.dump(doc, f, indent=2)
    if opt.csv:
        with open(opt.csv, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0].keys()) if rows else ["runtime"])
            w.writeheader()
            for r in rows:
                w.writerow(r)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
