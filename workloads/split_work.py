# split_work.py: the same total work split over `threads` threads, one run per thread count,
# made for sweeps with `gilsim scale` (cpu_bound.py loops over thread counts itself instead).
#   gilsim scale workloads/split_work.py --param threads=1,2,4 --policy modern,none --engine sim --cores 4
#   gilsim scale workloads/split_work.py --param threads=1,2,4,8 -D n=0 -D requests=64 --engine sim
#   gilsim run workloads/split_work.py -D threads=4 --policy none
#   PYTHONPATH=tools/python python3 workloads/split_work.py -D threads=4   (under real CPython)
# Every thread first makes its share of `requests` blocking I/O calls of `io_ms` ms each (default
# none), then counts its share of `n` loop iterations of `i += 1` (default 20M); the script prints
# the elapsed time. CPU work: under a GIL the speedup over one thread stays ~1.0 whatever the
# thread count; under `none` it follows the cores (~2 and ~4 with --cores 4). I/O work (-D n=0
# -D requests=64): every policy speeds up ~linearly, as a thread waiting on I/O holds no GIL.
# (The CPython and threads-engine figures were measured on the earlier form of this file,
# split_work.gil: the same work written with gilsim's builtins (spawn(), Queue(), Lock()) for
# threading and queue; the --engine sim figures are this file's.)
# Measured on the project's 2-core VM while it was shared with other builds (load ~6; medians of 3;
# real-thread timings there vary by 30 % and more, so trust the sim figures for the shape):
#   gilsim sim, 4 cores:   modern 0.380 s, 0.382 s, 0.382 s (1.00x at 2 and 4 threads);
#                          none   0.380 s, 0.190 s, 0.095 s (2.00x, 4.00x)
#   CPython 3.11:          1 thread 0.82 s; 2 threads 0.79 s (1.04x); 4 threads 0.59 s (noise: the
#                          machine was busy; reference table A2 has 1.00x on a quiet one)
#   gilsim threads engine: modern 0.200 s, 0.245 s, 0.220 s; none 0.184 s, 0.250 s, 0.238 s (no
#                          core was free to scale on)
#   I/O, n=0 requests=64:  CPython 0.666 s, 0.340 s, 0.170 s, 0.092 s for 1, 2, 4, 8 threads;
#                          gilsim sim (modern and none) 0.645 s, 0.322 s, 0.161 s, 0.081 s
# count() is called 10 times first: CPython 3.11 specialises a function's bytecode on its 8th call.

import time
from threading import Thread

from gilsim import io, param


def count(n):
    i = 0
    while i < n:
        i += 1


def worker(work, requests, io_ms):
    for r in range(requests):
        io(io_ms)
    count(work)


threads = param("threads", 1)
n = param("n", 20000000)
requests = param("requests", 0)
io_ms = param("io_ms", 10)
for k in range(10):
    count(10)
t0 = time.perf_counter()
pool = [Thread(target=worker, args=(n // threads, requests // threads, io_ms)) for k in range(threads)]
for t in pool:
    t.start()
for t in pool:
    t.join()
print("threads", str(threads) + ": elapsed", round(time.perf_counter() - t0, 3), "s")
