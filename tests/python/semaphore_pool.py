# semaphore_pool.py: a Semaphore bounds how many threads use a resource at once (the docs' example:
# a connection pool of 3 for 10 threads). BoundedSemaphore refuses a release too many.
#   python3 tests/python/semaphore_pool.py
#   gilsim run tests/python/semaphore_pool.py --engine sim --timeline sem.html
import threading
import time

pool_sema = threading.Semaphore(3)
go = threading.Event()  # all ten ask at once, however slowly the threads start
lock = threading.Lock()
in_use = 0
most = 0
served = []


def use_connection(n):
    global in_use, most
    go.wait()
    with pool_sema:
        with lock:
            in_use += 1
            most = max(most, in_use)
        time.sleep(0.01)  # the query: GIL released, connection held
        with lock:
            in_use -= 1
            served.append(n)


threads = [threading.Thread(target=use_connection, args=(n,)) for n in range(10)]
for t in threads:
    t.start()
go.set()
for t in threads:
    t.join()
# How many were in at once depends on timing (3 on an idle machine); never more than 3 does not.
print("served", len(served), "clients, never more than 3 at once:", most <= 3)
print("non-blocking acquire on a free semaphore:", pool_sema.acquire(blocking=False))
pool_sema.release()
print("acquire with a timeout:", threading.Semaphore(0).acquire(timeout=0.01))

bounded = threading.BoundedSemaphore(2)
bounded.acquire()
bounded.release()
try:
    bounded.release()
except ValueError as e:
    print("ValueError:", e)

# Output under CPython 3.11, and under gilsim on both engines:
# expect: served 10 clients, never more than 3 at once: True
# expect: non-blocking acquire on a free semaphore: True
# expect: acquire with a timeout: False
# expect: ValueError: Semaphore released too many times
