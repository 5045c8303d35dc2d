"""queue for gilsim: CPython 3.11's Lib/queue.py, over gilsim's threading.

A Queue is a list guarded by one lock and three conditions on it (not_empty, not_full,
all_tasks_done), exactly as in CPython, so a get() on an empty queue, a put() on a full one and a
join() with tasks not done are Condition waits: the GIL released, the thread `blocked`, and named
in a deadlock report ("Queue #1 get()"). No heapq or deque: PriorityQueue keeps its list sorted
with a binary insertion: it pops the smallest item first, as heapq does (equal items in the order
they came, which heapq leaves open).
"""

import threading
from time import monotonic as time

__all__ = ["Empty", "Full", "Queue", "PriorityQueue", "LifoQueue", "SimpleQueue"]


class Empty(Exception):
    "Exception raised by Queue.get(block=0)/get_nowait()."
    pass


class Full(Exception):
    "Exception raised by Queue.put(block=0)/put_nowait()."
    pass


class Queue:
    """A FIFO queue; maxsize <= 0 means no bound."""

    def __init__(self, maxsize=0):
        self.maxsize = maxsize
        self._init(maxsize)
        role = threading._number("Queue")
        self.mutex = threading._named(threading.Lock(), role)
        self.not_empty = threading.Condition(self.mutex)
        self.not_full = threading.Condition(self.mutex)
        self.all_tasks_done = threading.Condition(self.mutex)
        self.not_empty._waiter_role = role + " get()"
        self.not_full._waiter_role = role + " put()"
        self.all_tasks_done._waiter_role = role + " join()"
        self.unfinished_tasks = 0

    def task_done(self):
        with self.mutex:  # the lock of self.all_tasks_done
            unfinished = self.unfinished_tasks - 1
            if unfinished <= 0:
                if unfinished < 0:
                    raise ValueError("task_done() called too many times")
                self.all_tasks_done.notify_all()
            self.unfinished_tasks = unfinished

    def join(self):
        with self.mutex:  # the lock of self.all_tasks_done
            while self.unfinished_tasks:
                self.all_tasks_done.wait()

    def qsize(self):
        with self.mutex:
            return self._qsize()

    def empty(self):
        with self.mutex:
            return not self._qsize()

    def full(self):
        with self.mutex:
            return 0 < self.maxsize <= self._qsize()

    def put(self, item, block=True, timeout=None):
        with self.mutex:  # the lock of self.not_full
            if self.maxsize > 0:
                if not block:
                    if self._qsize() >= self.maxsize:
                        raise Full
                elif timeout is None:
                    while self._qsize() >= self.maxsize:
                        self.not_full.wait()
                elif timeout < 0:
                    raise ValueError("'timeout' must be a non-negative number")
                else:
                    endtime = time() + timeout
                    while self._qsize() >= self.maxsize:
                        remaining = endtime - time()
                        if remaining <= 0.0:
                            raise Full
                        self.not_full.wait(remaining)
            self._put(item)
            self.unfinished_tasks += 1
            self.not_empty.notify()

    def get(self, block=True, timeout=None):
        with self.mutex:  # the lock of self.not_empty
            if not block:
                if not self._qsize():
                    raise Empty
            elif timeout is None:
                while not self._qsize():
                    self.not_empty.wait()
            elif timeout < 0:
                raise ValueError("'timeout' must be a non-negative number")
            else:
                endtime = time() + timeout
                while not self._qsize():
                    remaining = endtime - time()
                    if remaining <= 0.0:
                        raise Empty
                    self.not_empty.wait(remaining)
            item = self._get()
            self.not_full.notify()
            return item

    def put_nowait(self, item):
        return self.put(item, block=False)

    def get_nowait(self):
        return self.get(block=False)

    # The storage, overridden by the subclasses.
    def _init(self, maxsize):
        self.queue = []
        self._head = 0  # items before it are gone: get() is O(1), as with CPython's deque

    def _qsize(self):
        return len(self.queue) - self._head

    def _put(self, item):
        self.queue.append(item)

    def _get(self):
        item = self.queue[self._head]
        self.queue[self._head] = None
        self._head += 1
        if self._head > 32 and self._head * 2 > len(self.queue):
            self.queue = self.queue[self._head:]
            self._head = 0
        return item


class PriorityQueue(Queue):
    """Retrieves the lowest item first (items are usually (priority, data) tuples)."""

    def _init(self, maxsize):
        self.queue = []

    def _qsize(self):
        return len(self.queue)

    def _put(self, item):
        lo = 0
        hi = len(self.queue)
        while lo < hi:  # after every equal item: equal items come out in insertion order
            mid = (lo + hi) // 2
            if item < self.queue[mid]:
                hi = mid
            else:
                lo = mid + 1
        self.queue.insert(lo, item)

    def _get(self):
        return self.queue.pop(0)


class LifoQueue(Queue):
    """Retrieves the most recently added item first."""

    def _init(self, maxsize):
        self.queue = []

    def _qsize(self):
        return len(self.queue)

    def _put(self, item):
        self.queue.append(item)

    def _get(self):
        return self.queue.pop()


class SimpleQueue(Queue):
    """An unbounded FIFO queue without task tracking."""

    def __init__(self):
        Queue.__init__(self)

    def task_done(self):
        raise AttributeError("'_queue.SimpleQueue' object has no attribute 'task_done'")

    def join(self):
        raise AttributeError("'_queue.SimpleQueue' object has no attribute 'join'")
