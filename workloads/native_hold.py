# native_hold.py: extension code that keeps the GIL does not scale with threads.
#   gilsim run workloads/native_hold.py                   (modern)
#   gilsim run workloads/native_hold.py --policy none     (no GIL: ~2x on 2 cores)
#   PYTHONPATH=tools/python python3 workloads/native_hold.py  (native_hold(): one sum(range(n)))
# `calls` calls (default 100) of native_hold(`ms`) (default 10 ms: C code that does not release
# the GIL, like a big sum() or sorted() of Python objects, or an extension that never calls
# Py_BEGIN_ALLOW_THREADS), split over 1, 2, 4, ... threads up to `threads` (default 4). The
# holder cannot be interrupted inside the call, not even by a drop request (no safe point in C
# code), so the calls run one at a time: ~1.0x however many threads. A thread waiting for the GIL
# waits the whole call: see the `wait s` column and the wait p99 in the summary.
# Compare native_release.py, where the extension releases the GIL.
# (The CPython and threads-engine figures were measured on the earlier form of this file,
# native_hold.gil: the same work written with gilsim's builtins (spawn(), Queue(), Lock()) for
# threading and queue; the --engine sim figures are this file's.)
# Measured with these defaults on the project's 2-core VM, shared with other work (median of 3):
#   CPython 3.11:         1 thread 0.90 s; 2 threads 1.11 s (0.9x); 4 threads 1.02 s (0.9x)
#   gilsim modern:        1 thread 1.00 s; 2 threads 1.01 s (1.0x); 4 threads 1.01 s (1.0x)
#   gilsim none:          2 threads 0.50 s (2.0x); 4 threads 0.30 s (3.3x: gilsim's native_hold
#                         is ms of wall-clock time, it does not model having only 2 cores)
#   gilsim --engine sim:  modern 1.0x at 2 and 4 threads; none --cores 2 2.0x at 2 and at 4
#                         (the sim engine models the cores)

import time
from threading import Thread

from gilsim import native_hold, param


def work(ncalls, ms):
    for k in range(ncalls):
        native_hold(ms)


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
