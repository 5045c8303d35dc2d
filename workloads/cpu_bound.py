# cpu_bound.py: CPU-bound Python split over threads gets no faster under a GIL.
#   gilsim run workloads/cpu_bound.py                    (modern: the GIL of CPython 3.2-3.12)
#   gilsim run workloads/cpu_bound.py --policy none      (free-threaded: no GIL)
#   gilsim run workloads/cpu_bound.py -D threads=8 -D n=40000000
#   PYTHONPATH=tools/python python3 workloads/cpu_bound.py  (the same file under real CPython)
# The same total work (n loop iterations of `i += 1`, default 60M) is split over 1, 2, 4, ...
# threads, doubling up to `threads` (default 4). Each line prints the elapsed time and the speedup
# over one thread. Under a GIL only one thread runs bytecode at a time, so the speedup stays ~1.0
# (a little below when the threads fight over the GIL); with --policy none it is ~2 on 2 cores.
# count() is called 10 times first: CPython 3.11 specialises a function's bytecode on its 8th call.
# (The CPython and threads-engine figures were measured on the earlier form of this file,
# cpu_bound.gil: the same work written with gilsim's builtins (spawn(), Queue(), Lock()) for
# threading and queue; the --engine sim figures are this file's.)
# Measured with these defaults (n = 60M) on the project's 2-core VM, shared with other work
# (median of 3 runs; timings vary by 10-30 % from run to run):
#   CPython 3.11:         1 thread 1.22 s; 2 threads 1.18 s (0.99x); 4 threads 1.21 s (1.0x)
#   gilsim modern:        1 thread 0.40 s; 2 threads 0.36 s (1.04x); 4 threads 0.40 s (0.94x)
#   gilsim none:          1 thread 0.42 s; 2 threads 0.22 s (1.9x);  4 threads 0.21 s (1.95x)
#   gilsim legacy:        1 thread 0.51 s; 2 threads 0.57 s (0.89x); 4 threads 0.79 s (0.63x)
#                         (0.4-0.9x over several runs: Python 2's GIL thrashes on 2 cores; see
#                         the many short hand-offs in the summary table)
#   gilsim --engine sim --cores 2 -D n=2000000 (virtual time: the same figures every run):
#                         modern, fifo, gvl 1.0x at 2 and 4 threads; none 2.0x; legacy 0.48x
#                         (legacy --cores 1: 1.0x; the battle needs a second core)

import time
from threading import Thread

from gilsim import param


def count(n):
    i = 0
    while i < n:
        i += 1


def timed(total, workers):
    t0 = time.perf_counter()
    pool = [Thread(target=count, args=(total // workers,)) for k in range(workers)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return time.perf_counter() - t0


n = param("n", 60000000)
max_threads = param("threads", 4)
for k in range(10):
    count(10)
base = timed(n, 1)
print("threads 1: elapsed", round(base, 3), "s, speedup 1.0")
workers = 2
while workers <= max_threads:
    t = timed(n, workers)
    print("threads", str(workers) + ": elapsed", round(t, 3), "s, speedup", round(base / t, 2))
    workers = workers * 2
