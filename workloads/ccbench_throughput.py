# ccbench_throughput.py: the throughput test of CPython's Tools/ccbench/ccbench.py, adapted.
#   gilsim run workloads/ccbench_throughput.py            (modern)
#   gilsim run workloads/ccbench_throughput.py --policy legacy
#   gilsim run workloads/ccbench_throughput.py --policy none
#   PYTHONPATH=tools/python python3 workloads/ccbench_throughput.py
# ccbench runs a task over and over in 1, 2, ... N threads for a fixed time and prints the
# iterations per second, and for N > 1 the percentage of the 1-thread speed. As there, the
# threads wait at a start gate, each runs a timed loop (batches of calls, growing while a batch
# takes < 10 ms; with several threads it yields briefly between batches, time.sleep(0.0001)),
# and the first thread past `duration` ms (default 250) tells the others to stop. Two tasks,
# standing in for ccbench's "pi calculation (Python)" and "SHA1 hashing (C)" (pidigits needs big
# ints):
#   Python: trial-division primes below 200 (pure bytecode): under a GIL ~100 % for every N.
#   C (GIL released): native(0.2), 0.2 ms of extension code that drops the GIL: ~200 % from 2
#     threads on a 2-core machine.
# `threads` (default 4) is the largest N.
# (The CPython and threads-engine figures were measured on the earlier form of this file,
# ccbench_throughput.gil: the same work written with gilsim's builtins (spawn(), Queue(), Lock()) for
# threading and queue; the --engine sim figures are this file's.)
# Measured with these defaults on the project's 2-core VM, shared with other work (median of 3
# runs; the percentages vary by ~10 points from run to run):
#   CPython 3.11:         Python 27,800 it/s at N=1, N=2..4 100/96/95 %
#                         C 4,900 it/s at N=1, N=2..4 188/177/175 %
#   gilsim modern:        Python 40,600 it/s at N=1, N=2..4 86/89/81 %
#                         C 4,950 it/s at N=1, N=2..4 189/186/189 %
#   gilsim legacy:        Python N=2..4 60/65/72 % (Python 2's GIL fights on 2 cores)
#   gilsim none:          Python N=2..4 196/186/189 %
#   gilsim --engine sim --cores 2 -D duration=100 -D threads=2: Python 91 %, C 184 %;
#                         none: Python 185 %

import time
from queue import Queue
from threading import Lock, Thread

from gilsim import native, param


def task_python():
    found = 0
    k = 2
    while k < 200:
        d = 2
        prime = True
        while d * d <= k:
            if k % d == 0:
                prime = False
                break
            d += 1
        if prime:
            found += 1
        k += 1
    return found


def task_native():
    native(0.2)


def now_ms():
    return time.perf_counter() * 1000


def timed_loop(func, start, min_ms, end_event, do_yield, results, ready, gate):
    ready.put(1)
    gate.acquire()          # the start gate: the main thread holds it until all are ready
    gate.release()
    step = 20
    niters = 0
    t1 = start[0]
    while True:
        for i in range(step):
            func()
        t2 = now_ms()
        if end_event:
            break
        niters += step
        if t2 - start[0] >= min_ms:
            end_event.append(None)
            break
        if t2 - t1 < 10:
            step = step * 3 // 2
        elif do_yield:
            time.sleep(0.0001)
        t1 = t2
    results.append((niters, now_ms() - start[0]))


def run_throughput_test(func, nthreads):
    func()
    results = []
    end_event = []
    ready = Queue()
    gate = Lock()
    start = [0.0]
    gate.acquire()
    pool = [Thread(target=timed_loop, args=(func, start, duration, end_event, nthreads > 1, results, ready, gate))
            for k in range(nthreads)]
    for t in pool:
        t.start()
    for k in range(nthreads):
        ready.get()
    start[0] = now_ms()
    gate.release()
    for t in pool:
        t.join()
    total = sum(niters for niters, ms in results)
    longest = max(ms for niters, ms in results)
    return total / (longest / 1000.0)


def run_throughput_tests(name, func):
    print(name)
    baseline = 0
    for nthreads in range(1, max_threads + 1):
        speed = run_throughput_test(func, nthreads)
        if nthreads == 1:
            baseline = speed
            print("threads=" + str(nthreads) + ":", int(speed), "iterations/s.")
        else:
            print("threads=" + str(nthreads) + ":", int(speed), "(", str(int(speed / baseline * 100)), "%)")


duration = param("duration", 250)
max_threads = param("threads", 4)
for k in range(10):
    task_python()
run_throughput_tests("Python task: primes below 200 (bytecode)", task_python)
run_throughput_tests("C task: native(0.2) (GIL released)", task_native)
