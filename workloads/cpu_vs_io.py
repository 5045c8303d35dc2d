# cpu_vs_io.py: why threads speed up I/O-bound Python and not CPU-bound Python.
#   gilsim run workloads/cpu_vs_io.py                      (the GIL of CPython 3.2-3.12)
#   gilsim run workloads/cpu_vs_io.py --policy none        (free-threaded: no GIL)
#   gilsim run workloads/cpu_vs_io.py -D threads=8
# It times the same work done by one thread and by a pool of `threads` threads (default 4):
#   CPU-bound: counting, `n` steps in all (default 20M). Under a GIL only one thread runs bytecode
#     at a time, so the pool is no faster (CPython 3.11 on a 2-core machine: 1.00x). With
#     --policy none it is about 2x on 2 cores.
#   I/O-bound: `waits` waits of 25 ms (default 40). A thread waiting on I/O releases the GIL, so
#     the waits overlap and the pool is about `threads` times faster (CPython 3.11: 7.9x with 8
#     threads).
# The table after the run shows where each thread's time went: running, waiting for the GIL, in I/O.
# Expect CPU-bound ~1.0x and I/O-bound ~`threads`x (4.0x with the default 4) under any GIL.
#   gilsim --engine sim --cores 2 (the same every run): CPU 0.380 s / 0.382 s, 1.0x;
#                         I/O 1.003 s / 0.251 s, 4.0x; --policy none: CPU 2.0x, I/O 4.0x

import time
from threading import Thread

from gilsim import io, param


def count(n):
    i = 0
    while i < n:
        i += 1


def wait_for_io(n):
    for k in range(n):
        io(25)


def timed(work, total, workers):
    t0 = time.perf_counter()
    pool = [Thread(target=work, args=(total // workers,)) for k in range(workers)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return time.perf_counter() - t0


workers = param("threads", 4)
n = param("n", 20000000)
waits = param("waits", 40)
cpu_one = timed(count, n, 1)
cpu_many = timed(count, n, workers)
io_one = timed(wait_for_io, waits, 1)
io_many = timed(wait_for_io, waits, workers)
print("CPU-bound: 1 thread", round(cpu_one, 3), "s;", workers, "threads", round(cpu_many, 3), "s; speedup", round(cpu_one / cpu_many, 2))
print("I/O-bound: 1 thread", round(io_one, 3), "s;", workers, "threads", round(io_many, 3), "s; speedup", round(io_one / io_many, 2))
