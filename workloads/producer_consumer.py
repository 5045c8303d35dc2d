# producer_consumer.py: a pipeline of threads joined by a Queue, shut down with sentinels.
#   gilsim run workloads/producer_consumer.py             (modern)
#   gilsim run workloads/producer_consumer.py -D producers=4 -D consumers=1
#   gilsim run workloads/producer_consumer.py --policy none
#   PYTHONPATH=tools/python python3 workloads/producer_consumer.py
# `producers` threads (default 2) each make `items` items (default 500): every item costs a
# blocking wait of `fetch_ms` ms (default 2: say, reading a record), then goes on a shared Queue.
# `consumers` threads (default 2) take items off the Queue and process each with `work` loop
# iterations of Python CPU work (default 30000), until they get a None: after joining the
# producers, the main thread puts one sentinel per consumer. Each consumer adds up what it saw
# in its own slot of a list; the script checks that the sums match what was produced.
# The producers' waits overlap (they release the GIL), so producing takes ~items x fetch_ms,
# not producers x that; the consumers' CPU work is serialized by the GIL and keeps up only while
# its total fits in the same time. The queue's get() blocks with the GIL released.
# Prints the items and checksums, the elapsed time and the throughput.
# (The CPython and threads-engine figures were measured on the earlier form of this file,
# producer_consumer.gil: the same work written with gilsim's builtins (spawn(), Queue(), Lock()) for
# threading and queue; the --engine sim figures are this file's.)
# Measured with these defaults on the project's 2-core VM, shared with other work (median of 3
# runs): producing alone takes 500 x ~2.1 ms = 1.05 s, and the consumers keep up (CPU per item
# ~0.6 ms in CPython, ~0.2 ms in gilsim), so the producers set the pace everywhere:
#   CPython 3.11:         elapsed 1.057 s, 946 items/s
#   gilsim modern:        elapsed 1.050 s, 952 items/s
#   gilsim none:          elapsed 1.054 s, 949 items/s
#   gilsim --engine sim -D items=100: elapsed 0.209 s (100 x 2 ms: the producers' pace)

import time
from queue import Queue
from threading import Thread

from gilsim import io, param


def burn(n):
    i = 0
    while i < n:
        i += 1


def producer(q, first, count, fetch_ms):
    for k in range(first, first + count):
        io(fetch_ms)
        q.put(k)


def consumer(q, sums, counts, slot, work):
    while True:
        item = q.get()
        if item is None:
            break
        burn(work)
        sums[slot] += item
        counts[slot] += 1


producers = param("producers", 2)
consumers = param("consumers", 2)
items = param("items", 500)
fetch_ms = param("fetch_ms", 2)
work = param("work", 30000)
for k in range(10):
    burn(10)

q = Queue()
sums = [0] * consumers
counts = [0] * consumers
t0 = time.perf_counter()
cons = [Thread(target=consumer, args=(q, sums, counts, c, work)) for c in range(consumers)]
for t in cons:
    t.start()
prods = [Thread(target=producer, args=(q, p * items, items, fetch_ms)) for p in range(producers)]
for t in prods:
    t.start()
for t in prods:
    t.join()
for c in range(consumers):
    q.put(None)        # one sentinel per consumer: each stops at the first it gets
for t in cons:
    t.join()
secs = time.perf_counter() - t0
total = producers * items
expected = total * (total - 1) // 2
print("producers", producers, "x", items, "items, consumers", consumers)
print("consumed", sum(counts), "items, checksum expected", expected, "got", sum(sums))
print("elapsed", round(secs, 3), "s,", round(total / secs, 1), "items/s")
