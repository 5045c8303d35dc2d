# thread_pool.py: a thread pool written by hand (what ThreadPoolExecutor does inside), used to map
# functions.
#   gilsim run workloads/thread_pool.py                   (modern)
#   gilsim run workloads/thread_pool.py -D workers=16
#   gilsim run workloads/thread_pool.py --policy none
#   PYTHONPATH=tools/python python3 workloads/thread_pool.py
# The pool is `workers` threads (default 8) pulling jobs (function, index, argument) off a Queue;
# a worker calls function(argument) and puts (index, result) on a result Queue. Pool.map()
# submits one job per input, collects as many results, puts each at its index (so the output
# keeps the input order, as Executor.map does), and shutdown() sends one None per worker and
# joins them.
# It maps two functions over `inputs` inputs (default 64), with a pool of 1 and of `workers`:
#   fetch(x): a blocking wait of `io_ms` ms (default 20), then 2x: I/O-bound, so ~`workers` x
#             faster with the pool.
#   crunch(x): `work` iterations of Python CPU work (default 600000): CPU-bound, so no faster
#             under a GIL (~2x faster on 2 cores with --policy none).
# and checks the results (index order included) against the expected values.
# (The CPython and threads-engine figures were measured on the earlier form of this file,
# thread_pool.gil: the same work written with gilsim's builtins (spawn(), Queue(), Lock()) for
# threading and queue; the --engine sim figures are this file's.)
# Measured with these defaults on the project's 2-core VM, shared with other work (median of 3
# runs; timings vary by 10-30 % from run to run):
#   CPython 3.11:         fetch: pool 1 1.297 s, pool 8 0.164 s, 7.9x; crunch: 0.77 s, 0.75 s, 1.0x
#   gilsim modern:        fetch: pool 1 1.289 s, pool 8 0.163 s, 7.9x; crunch: 0.25 s, 0.28 s, 0.9x
#   gilsim none:          crunch: 0.24 s / 0.12 s, 2.1x
#   gilsim --engine sim --cores 2 -D work=100000: fetch 7.96x; crunch modern 1.0x, none 1.99x

import time
from queue import Queue
from threading import Thread

from gilsim import io, param


def burn(n):
    i = 0
    while i < n:
        i += 1
    return i


def fetch(x):
    io(io_ms)
    return 2 * x


def crunch(x):
    return burn(work) + x


def worker(jobs, done):
    while True:
        job = jobs.get()
        if job is None:
            break
        f, index, arg = job
        done.put((index, f(arg)))


class Pool:
    """n worker threads taking (function, index, argument) jobs off one Queue."""

    def __init__(self, n):
        self.jobs = Queue()
        self.done = Queue()
        self.threads = [Thread(target=worker, args=(self.jobs, self.done)) for k in range(n)]
        for t in self.threads:
            t.start()

    def map(self, f, xs):
        for i, x in enumerate(xs):
            self.jobs.put((f, i, x))
        results = [None] * len(xs)
        for k in range(len(xs)):
            index, result = self.done.get()
            results[index] = result
        return results

    def shutdown(self):
        for t in self.threads:
            self.jobs.put(None)
        for t in self.threads:
            t.join()


def timed_map(f, xs, nworkers):
    t0 = time.perf_counter()
    pool = Pool(nworkers)
    results = pool.map(f, xs)
    pool.shutdown()
    return time.perf_counter() - t0, results


def compare(name, f, check, xs):
    expected = [check(x) for x in xs]
    one_s, one = timed_map(f, xs, 1)
    many_s, many = timed_map(f, xs, workers)
    ok = one == expected and many == expected
    print("map", name, "over", len(xs), "inputs: pool 1", round(one_s, 3), "s, pool", workers,
          round(many_s, 3), "s, speedup", str(round(one_s / many_s, 2)) + ", results ok:", ok)


inputs = param("inputs", 64)
workers = param("workers", 8)
io_ms = param("io_ms", 20)
work = param("work", 600000)
for k in range(10):
    burn(10)
xs = list(range(inputs))
compare("fetch", fetch, lambda x: 2 * x, xs)
compare("crunch", crunch, lambda x: work + x, xs)
