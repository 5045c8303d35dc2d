# native_release.py: extension code that releases the GIL scales with threads, GIL or not.
#   gilsim run workloads/native_release.py                (modern)
#   gilsim run workloads/native_release.py -D threads=8
#   PYTHONPATH=tools/python python3 workloads/native_release.py  (native() = hashlib.sha256)
# `calls` calls (default 100) of native(`ms`) (default 10 ms: C code such as hashlib, zlib or
# numpy that drops the GIL around its work and keeps a core busy), split over 1, 2, 4, ...
# threads up to `threads` (default 4). While one thread is inside native() another can run
# bytecode or enter native() itself, so the work runs on every core: expect ~2x on a 2-core
# machine from 2 threads on, and (in CPython) no more with 4: there are only 2 cores.
# Compare native_hold.py, where the extension keeps the GIL.
# (The CPython and threads-engine figures were measured on the earlier form of this file,
# native_release.gil: the same work written with gilsim's builtins (spawn(), Queue(), Lock()) for
# threading and queue; the --engine sim figures are this file's.)
# Measured with these defaults on the project's 2-core VM, shared with other work (median of 3):
#   CPython 3.11:         1 thread 1.02 s; 2 threads 0.51 s (2.0x); 4 threads 0.52 s (2.0x)
#   gilsim modern:        1 thread 1.00 s; 2 threads 0.50 s (2.0x); 4 threads 0.30 s (3.4x)
# gilsim's native(ms) keeps its thread busy for ms of wall-clock time, however many threads share
# the cores, so it goes on scaling past the 2 cores (4 threads: 3.4x) where real code cannot.
# Under --engine sim the cores are modelled: --cores 2 gives 2.0x at 2 and at 4 threads,
# --cores 4 gives 4.0x at 4 threads (the same every run).

import time
from threading import Thread

from gilsim import native, param


def work(ncalls, ms):
    for k in range(ncalls):
        native(ms)


def timed(workers):
    t0 = time.perf_counter()
    pool = [Thread(target=work, args=(calls // workers, ms)) for k in range(workers)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return time.perf_counter() - t0


calls = param("calls", 100)
ms = param("ms", 10)
max_threads = param("threads", 4)
base = timed(1)
print("threads 1: elapsed", round(base, 3), "s, speedup 1.0")
workers = 2
while workers <= max_threads:
    t = timed(workers)
    print("threads", str(workers) + ": elapsed", round(t, 3), "s, speedup", round(base / t, 2))
    workers = workers * 2
