#!/usr/bin/env python3
"""Runs a program under CPython with gilsim's own modules (threading, queue, random, ...).

Usage: python3 tests/stdlib_on_cpython.py REPO_ROOT PROGRAM

gilsim's modules are Python sources (vm/stdlib/, docs/stdlib.md §4) written over a few primitives
of its `_thread` and `_process` modules. This runner loads those sources into CPython in place of
CPython's own threading, queue, concurrent.futures, random, multiprocessing and subprocess, over
stand-ins of the primitives (below) made of CPython's modules, and runs PROGRAM as
`python3 PROGRAM` would. A tests/python program that prints its `# expect:` lines this way shows
the sources right before gilsim's VM runs them (tests/python_programs.py runs it as the
"vm-stdlib" runner for the programs that import nothing else).

As in gilsim, the run ends when every non-daemon thread has finished (after the hooks registered
with _register_atexit, which stop idle pool workers), an exception in a thread prints
"Exception in thread NAME:" and its traceback, and makes the exit status 1.
"""

import _thread as _real
import builtins
import os
import runpy
import sys
import traceback
import types

# CPython's own modules, loaded before gilsim's replace them in sys.modules: the stand-ins below
# are made of them, and they keep their references to each other.
import multiprocessing as _mp
import multiprocessing.connection  # noqa: F401  (multiprocessing imports these lazily)
import multiprocessing.context  # noqa: F401
import multiprocessing.popen_fork  # noqa: F401
import multiprocessing.process  # noqa: F401
import multiprocessing.queues  # noqa: F401
import multiprocessing.reduction  # noqa: F401
import multiprocessing.synchronize  # noqa: F401
import multiprocessing.util  # noqa: F401
import queue as _real_queue
import subprocess as _real_subprocess
import threading as _cpython_threading

SOURCES = [("threading", "threading.py"), ("queue", "queue.py"),
           ("concurrent.futures", os.path.join("concurrent", "futures.py")), ("random", "random.py"),
           ("multiprocessing", "multiprocessing.py"), ("subprocess", "subprocess.py")]


def make_thread_module():
    """The primitives gilsim's `_thread` offers (docs/stdlib.md §5), made of CPython's."""
    m = types.ModuleType("_thread")
    m.allocate_lock = _real.allocate_lock
    m.get_ident = _real.get_ident
    m.get_native_id = _real.get_native_id
    m.error = _real.error
    m.TIMEOUT_MAX = _real.TIMEOUT_MAX
    m._local = _real._local
    roles = {}
    records = {}  # ident -> {"done": lock held until the thread ends, "name", "daemon"}
    atexit = []
    failed = []
    records_lock = _real.allocate_lock()

    def _set_role(lock, role):
        if not hasattr(lock, "acquire"):
            raise TypeError("_set_role() needs a lock")
        roles[id(lock)] = role

    def _set_waiter_role(lock, role):
        _set_role(lock, role)

    def _start(fn, name, daemon):
        done = _real.allocate_lock()
        done.acquire()
        ready = _real.allocate_lock()
        ready.acquire()
        box = {}

        def boot():
            me = _real.get_ident()
            with records_lock:
                records[me] = {"done": done, "name": name, "daemon": daemon}
            box["ident"] = me
            ready.release()
            try:
                fn()
            except BaseException as e:
                if not isinstance(e, SystemExit):
                    failed.append(name)
                    sys.stdout.flush()
                    with records_lock:
                        shown = records[me]["name"]
                    sys.stderr.write(f"Exception in thread {shown}:\n")
                    tb = e.__traceback__
                    while tb is not None and tb.tb_frame.f_code.co_filename.startswith(VM_STDLIB):
                        tb = tb.tb_next
                    traceback.print_exception(type(e), e, tb)
            finally:
                done.release()

        _real.start_new_thread(boot, ())
        ready.acquire()
        return box["ident"]

    def _ident(handle):
        return handle

    def _join(ident, timeout=-1):
        done = records[ident]["done"]
        if not done.acquire(True, timeout):
            return False
        done.release()
        return True

    def _finished(ident):
        return not records[ident]["done"].locked()

    def _set_name(ident, name):
        with records_lock:
            records[ident]["name"] = name

    def _name(ident=None):
        ident = _real.get_ident() if ident is None else ident
        return records[ident]["name"] if ident in records else f"Dummy-{ident}"

    def _report_exception(message, exc):
        sys.stderr.write(message + "\n")
        traceback.print_exception(type(exc), exc, exc.__traceback__)

    def _register_atexit(fn):
        atexit.append(fn)

    def _end_of_main():
        """What the host does when the main thread's module ends; returns the exit status."""
        for fn in atexit:
            fn()
        while True:
            with records_lock:
                left = [r for r in records.values() if not r["daemon"] and r["done"].locked()]
            if not left:
                break
            left[0]["done"].acquire()
            left[0]["done"].release()
        return 1 if failed else 0

    for f in (_set_role, _set_waiter_role, _start, _ident, _join, _finished, _set_name, _name, _report_exception,
              _register_atexit, _end_of_main):
        setattr(m, f.__name__, f)
    return m


class _ScriptRun:
    """A child script run by the stand-in of _process.run_script, with its output kept."""

    MODES = {"inherit": None, "pipe": _real_subprocess.PIPE, "devnull": _real_subprocess.DEVNULL,
             "stdout": _real_subprocess.STDOUT}

    def __init__(self, path, argv, out_mode, err_mode):
        sys.stdout.flush()
        self.popen = _real_subprocess.Popen([sys.executable] + argv, text=True,
                                            stdout=self.MODES[out_mode],
                                            stderr=self.MODES[err_mode])
        self.pid = self.popen.pid
        self.out = self.err = None

    def join(self, timeout):
        try:
            self.out, self.err = self.popen.communicate(timeout=None if timeout < 0 else timeout)
        except _real_subprocess.TimeoutExpired:
            return False
        return True

    def exitcode(self):
        return self.popen.poll()


class _ProcessQueue:
    """The stand-in of _process.Queue (the Queue() builtin's object): put, get (waits), empty."""

    def __init__(self):
        self.q = _mp.get_context("fork").Queue()

    def put(self, item):
        self.q.put(item)

    def get(self):
        return self.q.get()

    def empty(self):
        return self.q.empty()

    def qsize(self):
        return self.q.qsize()


def make_process_module():
    """The primitives of gilsim's `_process` (docs/stdlib.md §5), made of CPython's."""
    m = types.ModuleType("_process")

    def start(fn, name, daemon):
        sys.stdout.flush()  # else the child inherits the parent's buffered output
        p = _mp.get_context("fork").Process(target=fn, name=name, daemon=daemon)
        p.start()
        return p

    def join(handle, timeout=-1):
        if isinstance(handle, _ScriptRun):
            return handle.join(timeout)
        handle.join(None if timeout < 0 else timeout)
        return handle.exitcode is not None

    def exitcode(handle):
        return handle.exitcode() if isinstance(handle, _ScriptRun) else handle.exitcode

    def pid(handle):
        return handle.pid

    def output(handle, text):
        if text:
            return handle.out, handle.err
        return tuple(None if s is None else s.encode() for s in (handle.out, handle.err))

    m.start, m.join, m.exitcode, m.pid, m.output = start, join, exitcode, pid, output
    m.run_script = _ScriptRun
    m.Queue = _ProcessQueue
    return m


def load_sources(root, thread_module):
    """Executes each vm/stdlib source as the module it replaces."""
    process_module = make_process_module()

    def importer(name, globals=None, locals=None, fromlist=(), level=0):
        if name == "_thread":
            return thread_module
        if name == "_process":
            return process_module
        return builtins.__import__(name, globals, locals, fromlist, level)

    bi = dict(builtins.__dict__, __import__=importer)
    for name, rel in SOURCES:
        path = os.path.join(root, "vm", "stdlib", rel)
        mod = types.ModuleType(name)
        mod.__file__ = path
        mod.__dict__["__builtins__"] = bi
        with open(path, encoding="utf-8") as f:
            code = compile(f.read(), path, "exec")
        sys.modules[name] = mod
        exec(code, mod.__dict__)
    import concurrent
    concurrent.futures = sys.modules["concurrent.futures"]


VM_STDLIB = ""


def main(argv):
    global VM_STDLIB
    if len(argv) != 3:
        print("usage: python3 tests/stdlib_on_cpython.py REPO_ROOT PROGRAM", file=sys.stderr)
        return 2
    root, program = os.path.abspath(argv[1]), argv[2]
    VM_STDLIB = os.path.join(root, "vm", "stdlib")
    sys.path.insert(0, os.path.join(root, "tools", "python"))
    sys.path.insert(0, os.path.dirname(os.path.abspath(program)))
    thread_module = make_thread_module()
    load_sources(root, thread_module)
    sys.argv = [program]
    status = 0
    try:
        runpy.run_path(program, run_name="__main__")
    except SystemExit as e:  # as CPython's own exit: a code that is not an int is printed
        if e.code is None or isinstance(e.code, int):
            status = e.code or 0
        else:
            sys.stdout.flush()
            print(e.code, file=sys.stderr)
            status = 1
    except BaseException as e:
        sys.stdout.flush()
        traceback.print_exception(type(e), e, e.__traceback__)
        status = 1
    # What gilsim's engine does when the main thread's module ends (gil/engines/process_exit.h): gilsim's
    # threading._shutdown runs the _register_atexit hooks and joins the non-daemon threads.
    shutdown = getattr(sys.modules.get("threading"), "_shutdown", None)
    if shutdown is not None:
        shutdown()
    status = thread_module._end_of_main() or status
    sys.stdout.flush()
    # CPython's own shutdown calls threading._shutdown: CPython's, not gilsim's a second time.
    sys.modules["threading"] = _cpython_threading
    sys.modules["multiprocessing"] = _mp
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
