# ccbench_bandwidth.py: the I/O bandwidth test of CPython's Tools/ccbench/ccbench.py, adapted.
#   gilsim run workloads/ccbench_bandwidth.py             (modern: the convoy effect)
#   gilsim run workloads/ccbench_bandwidth.py --policy io-priority
#   gilsim run workloads/ccbench_bandwidth.py --switch-interval 1ms
#   PYTHONPATH=tools/python python3 workloads/ccbench_bandwidth.py
# ccbench echoes 1 KiB UDP packets between the main thread and a client process as fast as it
# can, with 0, 1, ... N background threads of CPU-bound Python, and prints packets/s, and for
# N > 1 the percentage of the rate with no CPU thread. Here a packet round trip is a blocking
# io(`rtt_ms`) (default 0.04 ms, a loopback echo) plus building the reply (a `packet`-byte
# string, default 1024) and checking its size. `duration` ms (default 400) per N, N = 0 ..
# `threads` (default 2).
# Every round trip gives up the GIL, and getting it back from a CPU thread takes a switch
# interval under modern: the rate falls from thousands to ~200 packets/s (~2-3 %), and further
# with more CPU threads. io-priority keeps most of it.
# (The CPython and threads-engine figures were measured on the earlier form of this file,
# ccbench_bandwidth.gil: the same work written with gilsim's builtins (spawn(), Queue(), Lock()) for
# threading and queue; the --engine sim figures are this file's.)
# Measured with these defaults on the project's 2-core VM, shared with other work (median of 3):
#   CPython 3.11:         N=0 7,770 packets/s; N=1 188 (2.4 %); N=2 90 (1.1 %)
#   gilsim modern:        N=0 7,950 packets/s; N=1 188 (2.4 %); N=2 94 (1.2 %)
#   gilsim io-priority:   N=0 7,510 packets/s; N=1 5,980 (82 %); N=2 5,300 (73 %)
#   gilsim --engine sim --cores 2 -D duration=100: modern N=0 9,085; N=1 192 (2.1 %);
#                         N=2 98 (1.1 %); io-priority N=1 and N=2 83 %

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


def run_bandwidth_test(nthreads):
    flag = [True]
    pool = [Thread(target=cpu_loop, args=(flag,)) for k in range(nthreads)]
    for th in pool:
        th.start()
    n = 0
    got = 0
    start = time.perf_counter() * 1000
    end = start + duration
    t = start
    while t < end:
        io(rtt_ms)                  # send the packet, wait for the echo: GIL released
        reply = "x" * packet        # build the next packet
        got += len(reply)
        n += 1
        t = time.perf_counter() * 1000
    flag[0] = False
    for th in pool:
        th.join()
    return n / ((t - start) / 1000.0), got == n * packet


def run_bandwidth_tests():
    print("Background CPU task: a counting loop (Python)")
    baseline = 0
    for nthreads in range(0, max_threads + 1):
        speed, sizes_ok = run_bandwidth_test(nthreads)
        if nthreads == 0:
            baseline = speed
            print("CPU threads=" + str(nthreads) + ":", round(speed, 1), "packets/s.", "sizes ok:", sizes_ok)
        else:
            print("CPU threads=" + str(nthreads) + ":", round(speed, 1), "(", str(round(speed / baseline * 100, 1)), "%)", "sizes ok:", sizes_ok)


rtt_ms = param("rtt_ms", 0.04)
packet = param("packet", 1024)
duration = param("duration", 400)
max_threads = param("threads", 2)
for k in range(10):
    burn(10)
run_bandwidth_tests()
