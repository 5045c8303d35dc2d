# lock_counter.py: the classic race and its fix. Four threads add 1 to a shared counter 100,000
# times each; `counter += 1` is a load, an add and a store, so without a lock updates can be lost
# (how many depends on the interpreter and the switch interval: not printed). With a Lock, none.
#   python3 tests/python/lock_counter.py
#   gilsim run tests/python/lock_counter.py --engine sim --policy none
import threading

N = 100_000
counter = 0
lock = threading.Lock()


def unsafe_add():
    global counter
    for _ in range(N):
        counter += 1


def safe_add():
    global counter
    for _ in range(N):
        with lock:
            counter += 1


def run(target):
    global counter
    counter = 0
    threads = [threading.Thread(target=target) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counter


lost = 4 * N - run(unsafe_add)
print("without a lock, updates lost >= 0:", lost >= 0)
print("with a lock:", run(safe_add))
print("lock free at the end:", not lock.locked())
print("acquire(blocking=False) on a free lock:", lock.acquire(blocking=False))
print("... and on a held one:", lock.acquire(blocking=False), "; with timeout:", lock.acquire(timeout=0.01))
lock.release()

# Output under CPython 3.11, and under gilsim on both engines:
# expect: without a lock, updates lost >= 0: True
# expect: with a lock: 400000
# expect: lock free at the end: True
# expect: acquire(blocking=False) on a free lock: True
# expect: ... and on a held one: False ; with timeout: False
