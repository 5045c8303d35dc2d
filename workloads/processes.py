# processes.py: one GIL per process. CPU-bound work on 2 processes runs ~2x faster on 2 cores;
# on 2 threads of one process it does not.
#   gilsim run workloads/processes.py                     (modern, each process its own GIL)
#   gilsim run workloads/processes.py --policy legacy
#   PYTHONPATH=tools/python python3 workloads/processes.py  (the same file under real CPython)
# The same total work (n loop iterations, default 80M) is done by 1 thread, by 2 threads, by 1
# process and by 2 processes (multiprocessing.Process: a new interpreter with its own globals and
# its own GIL). Each line gives the elapsed time and the speedup over 1 thread. Expect threads 2
# ~1.0x and processes 2 ~1.9x (a little under 2: starting a process costs a few ms, and the
# machine has exactly 2 cores). The children only compute: a process gets its input as arguments
# (copied, as with fork), and nothing is sent back.
# count() is called 10 times first: CPython 3.11 specialises a function's bytecode on its 8th call
# (forked children inherit it).
# Figures: `gilsim demo processes` runs this file and sets its speedups beside CPython 3.11's;
# tests/workload_expectations_test.py holds the sim engine's (every run: threads 2 1.0x,
# processes 1 1.0x, processes 2 2.0x with --engine sim --cores 2 -D n=4000000).

import time
from multiprocessing import Process
from threading import Thread

from gilsim import param


def count(n):
    i = 0
    while i < n:
        i += 1


def timed(kind, total, workers):
    t0 = time.perf_counter()
    pool = [kind(target=count, args=(total // workers,)) for k in range(workers)]
    for w in pool:
        w.start()
    for w in pool:
        w.join()
    return time.perf_counter() - t0


def report(label, workers, secs, base):
    print(label, str(workers) + ": elapsed", round(secs, 3), "s, speedup", round(base / secs, 2))


if __name__ == "__main__":
    n = param("n", 80000000)
    for k in range(10):
        count(10)
    base = timed(Thread, n, 1)
    report("threads", 1, base, base)
    report("threads", 2, timed(Thread, n, 2), base)
    report("processes", 1, timed(Process, n, 1), base)
    report("processes", 2, timed(Process, n, 2), base)
