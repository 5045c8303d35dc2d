# misuse_errors.py: what CPython raises when threading and queue are misused, message for message.
#   python3 tests/python/misuse_errors.py
#   gilsim run tests/python/misuse_errors.py --engine sim
import queue
import threading


def attempt(label, action):
    try:
        action()
    except Exception as e:
        print(f"{label}: {type(e).__name__}: {e}")
    else:
        print(f"{label}: no error")


lock = threading.Lock()
attempt("release an unlocked lock", lock.release)
attempt("release an un-acquired RLock", threading.RLock().release)
t = threading.Thread(target=lambda: None)
attempt("join before start", t.join)
t.start()
attempt("start twice", t.start)
t.join()
attempt("join the current thread", threading.current_thread().join)
q = queue.Queue()
attempt("task_done too many times", q.task_done)
cond = threading.Condition()
attempt("notify without the lock", cond.notify)
attempt("wait without the lock", cond.wait)
attempt("a negative semaphore", lambda: threading.Semaphore(-1))
attempt("Queue.get(timeout=-1)", lambda: q.get(timeout=-1))
attempt("acquire(False, timeout=1)", lambda: lock.acquire(False, 1))

# Output under CPython 3.11, and under gilsim on both engines:
# expect: release an unlocked lock: RuntimeError: release unlocked lock
# expect: release an un-acquired RLock: RuntimeError: cannot release un-acquired lock
# expect: join before start: RuntimeError: cannot join thread before it is started
# expect: start twice: RuntimeError: threads can only be started once
# expect: join the current thread: RuntimeError: cannot join current thread
# expect: task_done too many times: ValueError: task_done() called too many times
# expect: notify without the lock: RuntimeError: cannot notify on un-acquired lock
# expect: wait without the lock: RuntimeError: cannot wait on un-acquired lock
# expect: a negative semaphore: ValueError: semaphore initial value must be >= 0
# expect: Queue.get(timeout=-1): ValueError: 'timeout' must be a non-negative number
# expect: acquire(False, timeout=1): ValueError: can't specify a timeout for a non-blocking call
