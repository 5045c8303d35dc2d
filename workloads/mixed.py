# mixed.py: workers that compute and then wait on I/O: threads help, up to what the GIL allows.
#   gilsim run workloads/mixed.py                         (modern: the GIL of CPython 3.2-3.12)
#   gilsim run workloads/mixed.py --policy none           (free-threaded: CPU overlaps too)
#   gilsim run workloads/mixed.py -D threads=8 -D cpu_ms=1 -D io_ms=9
#   PYTHONPATH=tools/python python3 workloads/mixed.py  (the same file under real CPython)
# `tasks` tasks (default 200), each a burst of Python CPU work (`cpu_ms` ms, default 3: a loop
# calibrated at the start) then a blocking wait of `io_ms` ms (default 6), run by 1 thread, then
# by `threads` threads (default 4) that share a task counter under a Lock. The waits overlap,
# the CPU bursts cannot (one GIL), so the speedup is at most about min(threads, (cpu + io) / cpu):
# the script prints that bound next to what it got. A thread back from I/O must win the GIL
# from a computing thread, so under modern each task can also lose up to a switch interval
# waiting (see the `wait s` column of the summary).
# (The CPython and threads-engine figures were measured on the earlier form of this file,
# mixed.gil: the same work written with gilsim's builtins (spawn(), Queue(), Lock()) for
# threading and queue; the --engine sim figures are this file's.)
# Measured with these defaults on the project's 2-core VM, shared with other work (median of 3
# runs; timings vary by 10-30 % from run to run):
#   CPython 3.11:         1 thread 1.86 s; 4 threads 0.67 s, speedup 2.8 (bound 3.0)
#   gilsim modern:        1 thread 1.94 s; 4 threads 0.69 s, speedup 3.1 (bound 3.0)
#   gilsim io-priority:   4 threads 0.76 s, speedup 2.4: the threads back from I/O preempt the one
#                         computing, so the GIL changes hands (and costs a wake-up) more often
#   gilsim none:          4 threads 0.50 s, speedup 3.7 (the CPU bursts overlap on 2 cores)
#   gilsim --engine sim --cores 2 -D tasks=40: modern 2.86 (bound 3.0); none 3.87

import time
from threading import Lock, Thread

from gilsim import io, param


def burn(n):
    i = 0
    while i < n:
        i += 1


def worker(ntasks, cpu, io_ms, state, lock):
    while True:
        with lock:
            k = state[0]
            state[0] = k + 1
        if k >= ntasks:
            break
        burn(cpu)
        io(io_ms)


def timed(workers):
    state = [0]
    lock = Lock()
    t0 = time.perf_counter()
    pool = [Thread(target=worker, args=(tasks, cpu, io_ms, state, lock)) for k in range(workers)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return time.perf_counter() - t0


tasks = param("tasks", 200)
cpu_ms = param("cpu_ms", 3)
io_ms = param("io_ms", 6)
threads = param("threads", 4)
for k in range(10):
    burn(10)
per_ms = 0
for k in range(5):                  # loop iterations per ms on this interpreter: best of 5
    t0 = time.perf_counter()
    burn(100000)
    per_ms = max(per_ms, 100000 / ((time.perf_counter() - t0) * 1000))
cpu = int(cpu_ms * per_ms)
bound = min(threads, (cpu_ms + io_ms) / cpu_ms)
print("per task: cpu", cpu_ms, "ms (" + str(cpu), "iterations), io", io_ms, "ms")
one = timed(1)
print("threads 1: elapsed", round(one, 3), "s")
many = timed(threads)
print("threads", str(threads) + ": elapsed", round(many, 3), "s, speedup", round(one / many, 2), "(bound with one GIL:", str(round(bound, 2)) + ")")
