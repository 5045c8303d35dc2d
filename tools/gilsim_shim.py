#!/usr/bin/env python3
"""Run a gilsim script under real CPython, with the simulation builtins made real.

Usage: python3 tools/gilsim_shim.py SCRIPT [-D NAME=VALUE]... [--switch-interval D]
                                     [--wall-file F]

A program (SCRIPT.py, tests/python/) is run as it is, as `python3 SCRIPT` would run it, as
`__main__` (so multiprocessing finds its functions): it imports what it uses, and its
simulator-only calls come from `from gilsim import ...`, i.e. tools/python/gilsim.py, which the
shim puts on sys.path and hands the -D values to. Nothing else is injected.

An older script (SCRIPT.gil, workloads/) calls gilsim's builtins without importing them; the shim
injects them into the script's globals and runs the script's own source (compiled with its real
file name, so tracebacks name it). Standard library only. What each builtin becomes:

  spawn(f, *args)          threading.Thread(target=f, args=args), started; the Thread is returned
                           (.join()). Its name is Python's default, "Thread-N (f)", as in gilsim.
  spawn_process(f, *args)  a multiprocessing Process (start method "fork"), started, returned
                           (.join()). In the child thread_name() is "MainThread", as in gilsim.
  io(ms), sleep(ms)        time.sleep(ms / 1000): blocking with the GIL released.
  native(ms), native_hold(ms), now_ms(), param(name, default), thread_name()
                           the gilsim module's (tools/python/gilsim.py): calibrated C-level work
                           that releases / keeps the GIL, ms since the script's first line, the
                           -D value, threading.current_thread().name. The calibration runs once,
                           before the script starts.
  Lock(), Queue()          threading.Lock, queue.Queue (put / get / empty as they are).
  print(*values)           writes each line in one piece, so lines of threads never interleave.

--switch-interval D (e.g. 5ms, 100us, 0.001s) calls sys.setswitchinterval, like gilsim's flag.
--wall-file F writes, once every thread and process has finished, "wall_s SECONDS" (from the
script's first line to the end of its last thread, as gilsim measures a run: the interpreter's
start-up and the calibration are left out) and "python VERSION" to F (used by gilsim compare).

Exit status as gilsim: 0 success; 1 an error in any thread or process (CPython alone would exit
0 when only a spawned thread failed); 2 a usage error or a script that does not compile.

What it cannot model: Lock and Queue objects are not shared across spawn_process (fork copies
threading and queue objects; gilsim shares them like multiprocessing's), so give a process its
inputs as arguments and let it print its results. native/native_hold are calibrated once on an
idle core, so they take longer when the cores are busy. In a child process thread numbering
restarts at Thread-1, as in gilsim (a bare fork would go on counting).
"""

import itertools
import multiprocessing
import os
import queue
import runpy
import sys
import threading
import time
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "python"))
import gilsim  # noqa: E402  (tools/python/gilsim.py: the module the scripts import)

USAGE = ("usage: python3 tools/gilsim_shim.py SCRIPT [-D NAME=VALUE]... [--switch-interval D]"
         " [--wall-file F]")


def usage_error(msg):
    print("gilsim_shim: " + msg, file=sys.stderr)
    print(USAGE, file=sys.stderr)
    sys.exit(2)


def parse_duration(text):
    for unit, scale in (("us", 1e-6), ("ms", 1e-3), ("s", 1.0)):
        if text.endswith(unit):
            try:
                return float(text[: -len(unit)]) * scale
            except ValueError:
                break
    usage_error("bad duration %r (give a unit: 5ms, 100us, 0.5s)" % text)


def parse_args(argv):
    script, params, interval, wall_file = None, {}, None, None
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("-h", "--help"):
            print(__doc__)
            sys.exit(0)
        if a in ("-D", "--define", "--switch-interval", "--wall-file"):
            if i + 1 >= len(argv):
                usage_error(a + " needs a value")
            val = argv[i + 1]
            i += 2
        elif a.startswith("-D") and len(a) > 2:
            a, val = "-D", a[2:]
            i += 1
        elif a.startswith("-"):
            usage_error("unknown option " + a)
        else:
            if script is not None:
                usage_error("more than one script given")
            script = a
            i += 1
            continue
        if a == "--switch-interval":
            interval = parse_duration(val)
        elif a == "--wall-file":
            wall_file = val
        elif "=" not in val:
            usage_error("-D expects NAME=VALUE, got %r" % val)
        else:
            name, _, value = val.partition("=")
            params.setdefault(name, gilsim.parse_value(value))
    if script is None:
        usage_error("no script given")
    return script, params, interval, wall_file


def make_builtins(processes):
    def spawn(f, *args):
        t = threading.Thread(target=f, args=args)  # default name: "Thread-N (f)"
        t.start()
        return t

    def child_main(f, args):
        # A new interpreter, as gilsim models it (and as the "spawn" start method gives):
        # the main thread is "MainThread" and thread numbering starts again at Thread-1.
        threading.current_thread().name = "MainThread"
        if hasattr(threading, "_counter"):
            threading._counter = itertools.count(1).__next__
        try:
            f(*args)
        except BaseException as e:   # reported as gilsim does, without the shim's frames
            sys.stdout.flush()
            sys.stderr.write("Exception in thread MainThread:\n")
            traceback.print_exception(type(e), e, e.__traceback__.tb_next)
            sys.exit(1)

    def spawn_process(f, *args):
        sys.stdout.flush()   # else the child inherits and prints the parent's buffered output
        sys.stderr.flush()
        p = multiprocessing.get_context("fork").Process(target=child_main, args=(f, args))
        p.start()
        processes.append(p)
        return p

    def io(ms):
        time.sleep(ms / 1000.0)

    def print_line(*values):
        sys.stdout.write(" ".join(str(v) for v in values) + "\n")
        if sys.stdout.isatty():
            sys.stdout.flush()

    return {
        "spawn": spawn, "spawn_process": spawn_process, "io": io, "sleep": io,
        "native": gilsim.native, "native_hold": gilsim.native_hold, "Lock": threading.Lock,
        "Queue": queue.Queue, "now_ms": gilsim.now_ms, "param": gilsim.param,
        "thread_name": gilsim.thread_name, "print": print_line,
    }


def write_wall_file(path, wall_s):
    try:
        with open(path, "w") as f:
            f.write("wall_s %.9f\npython %s\n" % (wall_s, sys.version.split()[0]))
    except OSError as e:
        print("gilsim_shim: cannot write %s: %s" % (path, e.strerror), file=sys.stderr)


def script_frames(tb):
    """The traceback without the shim's and runpy's frames: what `python3 SCRIPT` would show."""
    def ours(name):
        return name == "<frozen runpy>" or os.path.abspath(name) in (
            os.path.abspath(__file__), os.path.abspath(runpy.__file__))

    while tb is not None and ours(tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    return tb


def main():
    script, params, interval, wall_file = parse_args(sys.argv[1:])
    try:
        with open(script, "rb") as f:
            source = f.read()
    except OSError as e:
        usage_error("cannot read %s: %s" % (script, e.strerror))
    try:
        code = compile(source, script, "exec")
    except SyntaxError as e:
        sys.stderr.write("".join(traceback.format_exception_only(type(e), e)))
        sys.exit(2)
    program = script.endswith(".py")   # a real program: runs as it is (see the docstring)

    failed = []
    default_hook = threading.excepthook

    def excepthook(args):   # as CPython's, without threading.py's own frames
        failed.append(args.thread.name if args.thread else "?")
        if args.exc_type is SystemExit or args.thread is None:
            return default_hook(args)
        tb = args.exc_traceback
        while tb is not None and tb.tb_frame.f_code.co_filename == threading.__file__:
            tb = tb.tb_next
        sys.stderr.write("Exception in thread %s:\n" % args.thread.name)
        traceback.print_exception(args.exc_type, args.exc_value, tb)

    threading.excepthook = excepthook
    if interval is not None:
        sys.setswitchinterval(interval)
    gilsim.set_params(params)
    processes = []
    if program:
        sys.path.insert(0, os.path.dirname(os.path.abspath(script)))   # as python3 SCRIPT does
    else:
        gilsim.calibrate()   # before the clock starts: a .gil script's native() is timed work
    sys.argv = [script]
    gilsim.start_clock()
    t0 = time.perf_counter()
    try:
        if program:
            runpy.run_path(script, run_name="__main__")
        else:
            g = {"__name__": "__main__", "__file__": script, "__builtins__": __builtins__}
            g.update(make_builtins(processes))
            exec(code, g)
    except SystemExit:
        raise
    except BaseException as e:   # print the script's frames only, not the shim's
        failed.append("MainThread")
        sys.stdout.flush()
        traceback.print_exception(type(e), e, script_frames(e.__traceback__))
    # The run ends when every non-daemon thread has finished, as in gilsim (and CPython's own
    # shutdown).
    me = threading.current_thread()
    for t in threading.enumerate():
        if t is not me and not t.daemon:
            t.join()
    for p in processes:
        p.join()
        if p.exitcode != 0:
            failed.append(p.name)
    wall_s = time.perf_counter() - t0
    sys.stdout.flush()
    if wall_file is not None:
        write_wall_file(wall_file, wall_s)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
