# futures_wait.py: the rest of concurrent.futures: wait() with FIRST_COMPLETED and ALL_COMPLETED,
# Future.result(timeout=), exception(), done(), add_done_callback, shutdown(wait=), and the names
# of the pool's worker threads (thread_name_prefix).
#   python3 tests/python/futures_wait.py
#   gilsim run tests/python/futures_wait.py --engine sim
import threading
import time
from concurrent.futures import (ALL_COMPLETED, FIRST_COMPLETED, ThreadPoolExecutor,
                                TimeoutError, wait)


def nap(seconds, value):
    time.sleep(seconds)
    return value


def fail():
    raise KeyError("missing")


executor = ThreadPoolExecutor(max_workers=4)
fast = executor.submit(nap, 0.01, "fast")
slow = executor.submit(nap, 0.2, "slow")
done, not_done = wait([fast, slow], return_when=FIRST_COMPLETED)
print("first completed:", [f.result() for f in done], "still running:", len(not_done))
try:
    slow.result(timeout=0.01)
except TimeoutError:
    print("result(timeout=0.01): TimeoutError; done:", slow.done())
done, not_done = wait([fast, slow], return_when=ALL_COMPLETED)
print("all completed:", sorted(f.result() for f in done), len(not_done))

bad = executor.submit(fail)
print("exception:", repr(bad.exception()))
try:
    bad.result()
except KeyError as e:
    print("result() raises it again:", e)

called = []
f = executor.submit(nap, 0.005, 7)
f.add_done_callback(lambda fut: called.append(fut.result() * 6))
f.result()
time.sleep(0.01)
print("callback saw:", called)
executor.shutdown(wait=True)
try:
    executor.submit(nap, 0, 0)
except RuntimeError as e:
    print("RuntimeError:", e)

# Two tasks that must run at the same time (a Barrier of 2) make the pool start two workers.
meet = threading.Barrier(2)
names = []


def rendezvous():
    meet.wait()
    names.append(threading.current_thread().name)


with ThreadPoolExecutor(max_workers=2) as pool:
    list(pool.map(lambda _: rendezvous(), range(2)))
with ThreadPoolExecutor(max_workers=2, thread_name_prefix="fetcher") as pool:
    list(pool.map(lambda _: rendezvous(), range(2)))
print(sorted(names))

# Output under CPython 3.11, and under gilsim on both engines:
# expect: first completed: ['fast'] still running: 1
# expect: result(timeout=0.01): TimeoutError; done: False
# expect: all completed: ['fast', 'slow'] 0
# expect: exception: KeyError('missing')
# expect: result() raises it again: 'missing'
# expect: callback saw: [42]
# expect: RuntimeError: cannot schedule new futures after shutdown
# expect: ['ThreadPoolExecutor-1_0', 'ThreadPoolExecutor-1_1', 'fetcher_0', 'fetcher_1']
