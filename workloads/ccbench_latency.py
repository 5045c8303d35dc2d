# ccbench_latency.py: the latency test of CPython's Tools/ccbench/ccbench.py, adapted.
#   gilsim run workloads/ccbench_latency.py               (modern: ~a switch interval)
#   gilsim run workloads/ccbench_latency.py --policy io-priority
#   gilsim run workloads/ccbench_latency.py --policy gvl  (Ruby: up to a 100 ms quantum)
#   gilsim run workloads/ccbench_latency.py --switch-interval 1ms
#   PYTHONPATH=tools/python python3 workloads/ccbench_latency.py
# ccbench runs 0, 1, ... N background threads of CPU-bound Python, while a client process sends
# a UDP "ping" every 100 ms stamped with its send time; the main thread, blocked in recv(),
# measures how late each ping is handled. Here the ping is a timer: every `interval` ms (default
# 20) the main thread blocks in io() until the next ping is due, and the latency is how late it
# runs its next bytecode after that: the time to get the GIL back from the CPU threads. (The
# pings come from no other thread, as the ccbench client is another process, with its own GIL.)
# It prints ccbench's line per N: the average latency and its standard deviation in ms, plus the
# maximum, for `duration` ms (default 500) each, N = 0 .. `threads` (default 3).
# Expect ~0 ms with no CPU thread; under modern ~5 ms (one switch interval: the waiter times out,
# asks for the GIL, gets it) from N = 1, rising with N when the GIL goes round the CPU threads
# first; under io-priority ~0; under gvl ~100 ms per CPU thread.
# (The CPython and threads-engine figures were measured on the earlier form of this file,
# ccbench_latency.gil: the same work written with gilsim's builtins (spawn(), Queue(), Lock()) for
# threading and queue; the --engine sim figures are this file's.)
# Measured with these defaults on the project's 2-core VM, shared with other work (median of 3
# runs; the averages vary by ~20 % from run to run, the maxima more):
#   CPython 3.11:         N=0 0.22 ms; N=1 5.33 ms (sd 0.1); N=2 9.0 ms (sd 6.9, max 30);
#                         N=3 12.0 ms (sd 9.9, max 37)
#   gilsim modern:        N=0 0.16 ms; N=1 5.41 ms (sd 0.4); N=2 7.5 ms (sd 3.0, max 14);
#                         N=3 14.6 ms (sd 2.7, max 18)
#   gilsim io-priority:   N=0..3 0.17 / 0.27 / 0.25 / 0.93 ms
#   gilsim gvl:           N=1 92 ms, N=2 187 ms, N=3 290 ms (a 100 ms quantum per CPU thread)
#   gilsim --engine sim --cores 2 -D threads=2 (every run): modern 0.07 / 5.16 / 7.31 ms;
#                         io-priority 0.07 / 0.09 / 0.09 ms; gvl N=1 91 ms, N=2 182 ms

import time
from threading import Thread

from gilsim import io, param


def burn(n):
    i = 0
    while i < n:
        i += 1


def cpu_loop(flag):
    while flag[0]:
        burn(2000)


def now_ms():
    return time.perf_counter() * 1000


def run_latency_test(nthreads):
    flag = [True]
    pool = [Thread(target=cpu_loop, args=(flag,)) for k in range(nthreads)]
    for t in pool:
        t.start()
    lats = []
    start = now_ms()
    due = start + interval
    while due < start + duration:
        io(max(0, due - now_ms()))   # blocked until the ping is due (the GIL released)
        lats.append(now_ms() - due)
        due = due + interval
        while due < now_ms():     # a ping missed while late: take the next one
            due = due + interval
    flag[0] = False
    for t in pool:
        t.join()
    return lats


def run_latency_tests():
    print("Background CPU task: a counting loop (Python)")
    for nthreads in range(0, max_threads + 1):
        lats = run_latency_test(nthreads)
        n = len(lats)
        avg = sum(lats) / n
        dev = (sum((x - avg) ** 2 for x in lats) / n) ** 0.5
        print("CPU threads=" + str(nthreads) + ":", round(avg, 2), "ms. (std dev:", round(dev, 2), "ms.) max", round(max(lats), 2), "ms, pings", n)


interval = param("interval", 20)
duration = param("duration", 500)
max_threads = param("threads", 3)
for k in range(10):
    burn(10)
run_latency_tests()
