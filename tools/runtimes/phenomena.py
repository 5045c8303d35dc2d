# The phenomena `gilsim fidelity` holds against the real runtimes: CPython 2.7 and 3.x, PyPy and
# gilsim run this one file (print_function and division make 2.7 print and divide as 3 does);
# phenomena.rb and phenomena.ml are Ruby's and OCaml's hand-written counterparts. The same
# `key value` lines.
#   python phenomena.py cpu THREADS WORK          prints wall_s
#   gilsim run --policy legacy --engine sim --cores 2 -q tools/runtimes/phenomena.py cpu 2 400000
#   python phenomena.py sleep0 CPU_THREADS MS     prints ops, p50_us, p90_us
#   python phenomena.py requests WORKERS N EACH_MS   prints wall_s
#   python phenomena.py procs PROCESSES WORK      prints wall_s (WORK split over forked processes)
#   python phenomena.py switches INTERVAL_MS MS   prints per_s: how often 2 CPU-bound threads take
#                                                 turns (sys.setswitchinterval where there is one)
from __future__ import division, print_function

import multiprocessing
import sys
import threading
import time

clock = getattr(time, "perf_counter", time.time)


def countdown(n):
    while n > 0:
        n -= 1


def spin(stop):
    x = 0
    while not stop[0]:
        x += 1


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def marker(k, seen, stop):
    # Runs in short bursts; a burst by another thread than the one before is a switch of the
    # lock, counted in place (seen: [the last burst's thread, bursts after a change]). Not a list
    # of every burst: it grew to millions of items, and gilsim's copy of it at each doubling (0.1 s
    # at 2 million on the project's VM, where CPython's realloc moves pages) held the lock.
    while not stop[0]:
        for i in range(100):
            pass
        if seen[0] != k:
            seen[0] = k
            seen[1] += 1


def worker(todo, lock, each):
    while True:
        with lock:
            if todo[0] == 0:
                return
            todo[0] -= 1
        time.sleep(each / 1000)


def start(target, *args):
    t = threading.Thread(target=target, args=args)
    t.start()
    return t


def main(argv):
    what = argv[1]
    if what == "cpu":
        threads, work = int(argv[2]), int(argv[3])
        t0 = clock()
        for t in [start(countdown, work // threads) for k in range(threads)]:
            t.join()
        print("wall_s", round(clock() - t0, 4))
    elif what == "sleep0":
        cpu, ms = int(argv[2]), float(argv[3])
        stop = [False]
        spinners = [start(spin, stop) for k in range(cpu)]
        lat = []
        t0 = clock()
        while (clock() - t0) * 1000 < ms:
            t = clock()
            time.sleep(0)
            lat.append(clock() - t)
        stop[0] = True
        for s in spinners:
            s.join()
        print("ops", len(lat))
        print("p50_us", round(percentile(lat, 0.5) * 1e6, 1))
        print("p90_us", round(percentile(lat, 0.9) * 1e6, 1))
    elif what == "requests":
        workers, n, each = int(argv[2]), int(argv[3]), float(argv[4])
        todo, lock = [n], threading.Lock()
        t0 = clock()
        for w in [start(worker, todo, lock, each) for k in range(workers)]:
            w.join()
        print("wall_s", round(clock() - t0, 4))
    elif what == "procs":
        procs, work = int(argv[2]), int(argv[3])
        t0 = clock()
        ps = [multiprocessing.Process(target=countdown, args=(work // procs,)) for k in range(procs)]
        for p in ps:
            p.start()
        for p in ps:
            p.join()
        print("wall_s", round(clock() - t0, 4))
    elif what == "switches":
        interval_ms, ms = float(argv[2]), float(argv[3])
        if hasattr(sys, "setswitchinterval"):
            sys.setswitchinterval(interval_ms / 1000)
        seen, stop = [None, 0], [False]
        ts = [start(marker, k, seen, stop) for k in range(2)]
        time.sleep(ms / 1000)
        stop[0] = True
        for t in ts:
            t.join()
        switches = max(seen[1] - 1, 0)  # the first burst follows no other
        print("per_s", round(switches / (ms / 1000), 1))
    else:
        sys.exit("unknown phenomenon " + what)


if __name__ == "__main__":
    main(sys.argv)
