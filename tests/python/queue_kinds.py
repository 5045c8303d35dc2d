# queue_kinds.py: the queue module's classes and calls: Queue(maxsize=), LifoQueue, PriorityQueue,
# SimpleQueue, put/get with block= and timeout=, the *_nowait forms, qsize/empty/full, and the
# queue.Empty and queue.Full exceptions. Then a bounded queue between a fast producer and a slow
# consumer: put() blocks (GIL released) while the queue is full.
#   python3 tests/python/queue_kinds.py
#   gilsim run tests/python/queue_kinds.py --engine sim
import queue
import threading
import time

lifo = queue.LifoQueue()
prio = queue.PriorityQueue()
simple = queue.SimpleQueue()
for x in [3, 1, 2]:
    lifo.put(x)
    prio.put((x, f"job {x}"))
    simple.put(x)
print("lifo:", [lifo.get() for _ in range(3)])
print("priority:", [prio.get()[1] for _ in range(3)])
print("simple:", [simple.get() for _ in range(3)], simple.empty())

q = queue.Queue(maxsize=2)
q.put("a")
q.put_nowait("b")
print("qsize", q.qsize(), "full", q.full(), "empty", q.empty())
try:
    q.put("c", block=False)
except queue.Full:
    print("queue.Full")
try:
    q.put("c", timeout=0.01)
except queue.Full:
    print("queue.Full after the timeout")
print(q.get(), q.get_nowait())
try:
    q.get_nowait()
except queue.Empty:
    print("queue.Empty")
try:
    q.get(timeout=0.01)
except queue.Empty:
    print("queue.Empty after the timeout")

bounded = queue.Queue(maxsize=3)
depths = []


def producer():
    for i in range(20):
        bounded.put(i)  # blocks while 3 items wait
        depths.append(bounded.qsize())
    bounded.put(None)


def consumer(out):
    while True:
        item = bounded.get()
        if item is None:
            break
        time.sleep(0.001)
        out.append(item)


got = []
threads = [threading.Thread(target=producer), threading.Thread(target=consumer, args=(got,))]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("consumed in order:", got == list(range(20)), "; depth never above 3:", max(depths) <= 3)

# Output under CPython 3.11, and under gilsim on both engines:
# expect: lifo: [2, 1, 3]
# expect: priority: ['job 1', 'job 2', 'job 3']
# expect: simple: [3, 1, 2] True
# expect: qsize 2 full True empty False
# expect: queue.Full
# expect: queue.Full after the timeout
# expect: a b
# expect: queue.Empty
# expect: queue.Empty after the timeout
# expect: consumed in order: True ; depth never above 3: True
