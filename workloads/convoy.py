# convoy.py: the convoy effect. A thread doing short I/O round trips next to CPU-bound threads.
#   gilsim run workloads/convoy.py                        (modern: ~one switch interval per op)
#   gilsim run workloads/convoy.py --policy io-priority   (the bpo-7946 fix: near its speed alone)
#   gilsim run workloads/convoy.py --policy legacy        (Python <= 3.1: slowed, far less than modern)
#   gilsim run workloads/convoy.py -D cpu=2 --switch-interval 1ms
#   PYTHONPATH=tools/python python3 workloads/convoy.py  (real CPython 3.x: the convoy)
# For `duration` ms (default 1000) the main thread does as many I/O round trips as it can, each a
# blocking io(`op_ms`) (default 0.04 ms, like a loopback socket echo), first alone, then next to
# `cpu` threads (default 1) that compute without blocking. It prints ops, ops/s and ms per op.
# Every op releases the GIL; back from the wait the thread must take it again from the computing
# thread. Under modern (CPython 3.2+) it waits a full switch interval (5 ms) before it even asks
# the holder to drop, so each op costs ~5 ms (with 2 CPU threads ~10-15 ms: it waits its turn):
# ~40x slower than alone here (reference table A3: 69x with sleep(0), 127x with a socket echo).
# io-priority lets a thread back from I/O preempt the holder at once.
# (The CPython and threads-engine figures were measured on the earlier form of this file,
# convoy.gil: the same work written with gilsim's builtins (spawn(), Queue(), Lock()) for
# threading and queue; the --engine sim figures are this file's.)
# Measured with these defaults on the project's 2-core VM, shared with other work (median of 3
# runs; timings vary from run to run):
#   CPython 3.11:         alone 8,060 ops/s (0.124 ms/op: sleep() has a 50 us timer slack);
#                         1 CPU thread 191 ops/s (5.23 ms/op), slowdown 42x (reference A3: 69x)
#                         2 CPU threads (-D cpu=2) 58 ops/s (17 ms/op; 10-13 in other runs), 139x
#   gilsim modern:        alone 7,980 ops/s (0.125 ms/op); 1 CPU thread 191 ops/s (5.24 ms/op), 42x
#                         2 CPU threads 96 ops/s (10.4 ms/op), 87x
#   gilsim io-priority:   1 CPU thread 6,740 ops/s (0.148 ms/op), 1.1x
#   gilsim legacy:        1 CPU thread 6,360 ops/s (0.157 ms/op), 1.3x
#   gilsim gvl:           1 CPU thread 9.9 ops/s (101 ms/op: one 100 ms quantum per op), 860x
#   gilsim --engine sim --cores 2 -D duration=200 (every run): alone 0.110 ms/op; modern
#                         5.20 ms/op, 47x; -D cpu=2 10.2 ms/op, 93x; io-priority 1.2x; none 1.0x;
#                         gvl 101 ms/op; legacy 0.89 ms/op, 8.1x (on every release of the GIL the
#                         I/O thread must win a race against the holder re-taking it; it loses most)

import time
from threading import Thread

from gilsim import io, param


def burn(n):
    i = 0
    while i < n:
        i += 1


def spin(flag):
    while flag[0]:
        burn(10000)


def round_trips(ms, op_ms):
    ops = 0
    t0 = time.perf_counter() * 1000
    end = t0 + ms
    t = t0
    while t < end:
        io(op_ms)
        ops += 1
        t = time.perf_counter() * 1000
    return ops, t - t0


def report(label, ops, ms):
    secs = ms / 1000.0
    print(label, "ops", str(ops) + ", ops/s", str(round(ops / secs, 1)) + ", ms per op", round(ms / ops, 3))
    return ops / secs


duration = param("duration", 1000)
op_ms = param("op_ms", 0.04)
cpu = param("cpu", 1)
for k in range(10):
    burn(10)
alone = report("alone:", *round_trips(duration, op_ms))
flag = [True]
pool = [Thread(target=spin, args=(flag,)) for k in range(cpu)]
for t in pool:
    t.start()
busy = report("with " + str(cpu) + " CPU threads:", *round_trips(duration, op_ms))
flag[0] = False
for t in pool:
    t.join()
print("slowdown:", round(alone / busy, 1))
