"""concurrent.futures for gilsim: CPython 3.11's Lib/concurrent/futures/_base.py and thread.py.

Future, wait, as_completed and ThreadPoolExecutor as CPython writes them: a Future is a state
guarded by a Condition, so result() and wait() are Condition waits (the GIL released, the thread
`blocked`); the pool's workers take work items off a SimpleQueue, and a new worker starts on
submit() only when no worker is idle, named "ThreadPoolExecutor-E_W" as CPython names them.
ProcessPoolExecutor runs its calls on a multiprocessing.Pool: each worker its own interpreter and
GIL. No generators (as_completed and map return iterator objects) and no weak references (the
workers hold the executor; shutdown and the end of the main thread stop them, as CPython's atexit
hook does).
"""

import _thread
import os
import threading
import queue
from time import monotonic as time

__all__ = ["FIRST_COMPLETED", "FIRST_EXCEPTION", "ALL_COMPLETED", "CancelledError",
           "TimeoutError", "InvalidStateError", "BrokenExecutor", "Future", "Executor", "wait",
           "as_completed", "ThreadPoolExecutor", "ProcessPoolExecutor"]

FIRST_COMPLETED = "FIRST_COMPLETED"
FIRST_EXCEPTION = "FIRST_EXCEPTION"
ALL_COMPLETED = "ALL_COMPLETED"
_AS_COMPLETED = "_AS_COMPLETED"

PENDING = "PENDING"
RUNNING = "RUNNING"
CANCELLED = "CANCELLED"
CANCELLED_AND_NOTIFIED = "CANCELLED_AND_NOTIFIED"
FINISHED = "FINISHED"

_STATE_TO_DESCRIPTION_MAP = {
    PENDING: "pending",
    RUNNING: "running",
    CANCELLED: "cancelled",
    CANCELLED_AND_NOTIFIED: "cancelled",
    FINISHED: "finished",
}

TimeoutError = TimeoutError  # the builtin, as in CPython 3.11


class Error(Exception):
    """Base class for all future-related exceptions."""
    pass


class CancelledError(Error):
    """The Future was cancelled."""
    pass


class InvalidStateError(Error):
    """The operation is not allowed in this state."""
    pass


class BrokenExecutor(RuntimeError):
    """Raised when a executor has become non-functional after a severe failure."""


class _Waiter:
    """Gathers the futures of a wait() or as_completed() call as they finish."""

    def __init__(self, kind, pending_calls=1, stop_on_exception=False):
        self.event = threading.Event()
        self.finished_futures = []
        self.kind = kind
        self.num_pending_calls = pending_calls
        self.stop_on_exception = stop_on_exception
        self.lock = threading.Lock()

    def _decrement_pending_calls(self):
        with self.lock:
            self.num_pending_calls -= 1
            if not self.num_pending_calls:
                self.event.set()

    def add_result(self, future):
        self.finished_futures.append(future)
        if self.kind == _AS_COMPLETED:
            self.event.set()
        else:
            self._decrement_pending_calls()

    def add_exception(self, future):
        self.finished_futures.append(future)
        if self.kind == _AS_COMPLETED:
            self.event.set()
        elif self.stop_on_exception:
            self.event.set()
        else:
            self._decrement_pending_calls()

    def add_cancelled(self, future):
        self.finished_futures.append(future)
        if self.kind == _AS_COMPLETED:
            self.event.set()
        else:
            self._decrement_pending_calls()


def _acquire_futures(fs):
    """Takes every future's lock, in a fixed order (CPython's _AcquireFutures context manager;
    gilsim's `with` takes only locks so far: the callers release in a finally)."""
    fs = sorted(fs, key=id)
    for future in fs:
        future._lock.acquire()
    return fs


def _release_futures(fs):
    for future in fs:
        future._lock.release()


def _create_and_install_waiters(fs, return_when):
    if return_when == _AS_COMPLETED:
        waiter = _Waiter(_AS_COMPLETED)
    elif return_when == FIRST_COMPLETED:
        waiter = _Waiter(FIRST_COMPLETED)
    else:
        pending_count = sum(f._state not in [CANCELLED_AND_NOTIFIED, FINISHED] for f in fs)
        if return_when == FIRST_EXCEPTION:
            waiter = _Waiter(return_when, pending_count, stop_on_exception=True)
        elif return_when == ALL_COMPLETED:
            waiter = _Waiter(return_when, pending_count)
        else:
            raise ValueError("Invalid return condition: %r" % return_when)
    for f in fs:
        f._waiters.append(waiter)
    return waiter


class _AsCompleted:
    """The iterator as_completed() returns: the futures in the order they finish."""

    def __init__(self, fs, timeout):
        if timeout is not None:
            self.end_time = timeout + time()
        else:
            self.end_time = None
        self.timeout = timeout
        fs = list(dict.fromkeys(fs))
        self.total = len(fs)
        held = _acquire_futures(fs)
        try:
            self.ready = [f for f in fs if f._state in [CANCELLED_AND_NOTIFIED, FINISHED]]
            self.pending = [f for f in fs if f not in self.ready]
            self.waiter = _create_and_install_waiters(fs, _AS_COMPLETED)
        finally:
            _release_futures(held)
        self.ready.reverse()  # popped from the end, so yielded in their order

    def __iter__(self):
        return self

    def __next__(self):
        while True:
            if self.ready:
                f = self.ready.pop()
                if f in self.pending:
                    self.pending.remove(f)
                return f
            if not self.pending:
                self._uninstall()
                raise StopIteration
            if self.timeout is None:
                wait_timeout = None
            else:
                wait_timeout = self.end_time - time()
                if wait_timeout < 0:
                    self._uninstall()
                    raise TimeoutError("%d (of %d) futures unfinished" % (len(self.pending),
                                                                          self.total))
            self.waiter.event.wait(wait_timeout)
            with self.waiter.lock:
                finished = self.waiter.finished_futures
                self.waiter.finished_futures = []
                self.waiter.event.clear()
            finished.reverse()
            self.ready = finished + self.ready

    def _uninstall(self):
        for f in self.pending + self.ready:
            with f._lock:
                if self.waiter in f._waiters:
                    f._waiters.remove(self.waiter)


def as_completed(fs, timeout=None):
    """An iterator over the futures of fs, each as it completes (finished or cancelled)."""
    return _AsCompleted(fs, timeout)


class DoneAndNotDoneFutures:
    def __init__(self, done, not_done):
        self.done = done
        self.not_done = not_done

    def __iter__(self):
        return iter([self.done, self.not_done])

    def __getitem__(self, i):
        return [self.done, self.not_done][i]

    def __repr__(self):
        return f"DoneAndNotDoneFutures(done={self.done!r}, not_done={self.not_done!r})"


def wait(fs, timeout=None, return_when=ALL_COMPLETED):
    """Waits for the futures of fs; returns the sets (done, not_done)."""
    fs = set(fs)
    held = _acquire_futures(fs)
    try:
        done = set(f for f in fs if f._state in [CANCELLED_AND_NOTIFIED, FINISHED])
        not_done = fs - done
        if (return_when == FIRST_COMPLETED) and done:
            return DoneAndNotDoneFutures(done, not_done)
        elif (return_when == FIRST_EXCEPTION) and done:
            if any(f for f in done if not f.cancelled() and f._exception is not None):
                return DoneAndNotDoneFutures(done, not_done)
        if len(done) == len(fs):
            return DoneAndNotDoneFutures(done, not_done)
        waiter = _create_and_install_waiters(fs, return_when)
    finally:
        _release_futures(held)
    waiter.event.wait(timeout)
    for f in fs:
        with f._lock:
            f._waiters.remove(waiter)
    done.update(waiter.finished_futures)
    return DoneAndNotDoneFutures(done, fs - done)


class Future:
    """The result of an asynchronous call."""

    def __init__(self):
        # CPython's is Condition() over an RLock; nothing here takes it twice, and gilsim's `with`
        # takes only locks so far, so it is over a Lock the methods take with `with self._lock`.
        self._lock = threading._named(threading.Lock(), "Future")
        self._condition = threading.Condition(self._lock)
        self._condition._waiter_role = threading._number("Future") + " result()"
        self._state = PENDING
        self._result = None
        self._exception = None
        self._waiters = []
        self._done_callbacks = []

    def _invoke_callbacks(self):
        for callback in self._done_callbacks:
            try:
                callback(self)
            except Exception as e:
                _thread._report_exception("exception calling callback for %r" % self, e)

    def __repr__(self):
        with self._lock:
            if self._state == FINISHED:
                if self._exception:
                    return "<%s at %#x state=%s raised %s>" % (
                        type(self).__name__, id(self),
                        _STATE_TO_DESCRIPTION_MAP[self._state],
                        type(self._exception).__name__)
                else:
                    return "<%s at %#x state=%s returned %s>" % (
                        type(self).__name__, id(self),
                        _STATE_TO_DESCRIPTION_MAP[self._state],
                        type(self._result).__name__)
            return "<%s at %#x state=%s>" % (type(self).__name__, id(self),
                                             _STATE_TO_DESCRIPTION_MAP[self._state])

    def cancel(self):
        with self._lock:
            if self._state in [RUNNING, FINISHED]:
                return False
            if self._state in [CANCELLED, CANCELLED_AND_NOTIFIED]:
                return True
            self._state = CANCELLED
            self._condition.notify_all()
        self._invoke_callbacks()
        return True

    def cancelled(self):
        with self._lock:
            return self._state in [CANCELLED, CANCELLED_AND_NOTIFIED]

    def running(self):
        with self._lock:
            return self._state == RUNNING

    def done(self):
        with self._lock:
            return self._state in [CANCELLED, CANCELLED_AND_NOTIFIED, FINISHED]

    def __get_result(self):
        if self._exception:
            raise self._exception
        return self._result

    def add_done_callback(self, fn):
        with self._lock:
            if self._state not in [CANCELLED, CANCELLED_AND_NOTIFIED, FINISHED]:
                self._done_callbacks.append(fn)
                return
        try:
            fn(self)
        except Exception as e:
            _thread._report_exception("exception calling callback for %r" % self, e)

    def result(self, timeout=None):
        with self._lock:
            if self._state in [CANCELLED, CANCELLED_AND_NOTIFIED]:
                raise CancelledError()
            elif self._state == FINISHED:
                return self.__get_result()
            self._condition.wait(timeout)
            if self._state in [CANCELLED, CANCELLED_AND_NOTIFIED]:
                raise CancelledError()
            elif self._state == FINISHED:
                return self.__get_result()
            else:
                raise TimeoutError()

    def exception(self, timeout=None):
        with self._lock:
            if self._state in [CANCELLED, CANCELLED_AND_NOTIFIED]:
                raise CancelledError()
            elif self._state == FINISHED:
                return self._exception
            self._condition.wait(timeout)
            if self._state in [CANCELLED, CANCELLED_AND_NOTIFIED]:
                raise CancelledError()
            elif self._state == FINISHED:
                return self._exception
            else:
                raise TimeoutError()

    def set_running_or_notify_cancel(self):
        with self._lock:
            if self._state == CANCELLED:
                self._state = CANCELLED_AND_NOTIFIED
                for waiter in self._waiters:
                    waiter.add_cancelled(self)
                return False
            elif self._state == PENDING:
                self._state = RUNNING
                return True
            else:
                raise RuntimeError("Future in unexpected state")

    def set_result(self, result):
        with self._lock:
            if self._state in {CANCELLED, CANCELLED_AND_NOTIFIED, FINISHED}:
                raise InvalidStateError("{}: {!r}".format(self._state, self))
            self._result = result
            self._state = FINISHED
            for waiter in self._waiters:
                waiter.add_result(self)
            self._condition.notify_all()
        self._invoke_callbacks()

    def set_exception(self, exception):
        with self._lock:
            if self._state in {CANCELLED, CANCELLED_AND_NOTIFIED, FINISHED}:
                raise InvalidStateError("{}: {!r}".format(self._state, self))
            self._exception = exception
            self._state = FINISHED
            for waiter in self._waiters:
                waiter.add_exception(self)
            self._condition.notify_all()
        self._invoke_callbacks()


class _MapIterator:
    """The iterator Executor.map returns: the results in the order of the inputs."""

    def __init__(self, fs, timeout):
        self.fs = fs
        self.fs.reverse()  # popped from the end
        self.end_time = None if timeout is None else timeout + time()

    def __iter__(self):
        return self

    def __next__(self):
        if not self.fs:
            raise StopIteration
        try:
            if self.end_time is None:
                return self.fs.pop().result()
            return self.fs.pop().result(self.end_time - time())
        except BaseException:
            for future in self.fs:
                future.cancel()
            raise


class Executor:
    """The interface of ThreadPoolExecutor and ProcessPoolExecutor."""

    def submit(self, fn, *args, **kwargs):
        raise NotImplementedError()

    def map(self, fn, *iterables, timeout=None, chunksize=1):
        fs = [self.submit(fn, *args) for args in zip(*iterables)]
        # gilsim's `for` and list() do not call __next__ on objects yet (docs/stdlib.md §6): the
        # results are collected here, in order, then iterated; an exception or a timeout is
        # raised by map() itself rather than when its result is reached.
        results = []
        it = _MapIterator(fs, timeout)
        while it.fs:
            results.append(it.__next__())
        return iter(results)

    def shutdown(self, wait=True, *, cancel_futures=False):
        pass

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.shutdown(wait=True)
        return False


class _WorkItem:
    def __init__(self, future, fn, args, kwargs):
        self.future = future
        self.fn = fn
        self.args = args
        self.kwargs = kwargs

    def run(self):
        if not self.future.set_running_or_notify_cancel():
            return
        try:
            result = self.fn(*self.args, **self.kwargs)
        except BaseException as exc:
            self.future.set_exception(exc)
        else:
            self.future.set_result(result)


def _worker(executor, work_queue):
    while True:
        work_item = work_queue.get(block=True)
        if work_item is not None:
            work_item.run()
            work_item = None
            executor._idle_semaphore.release()
            continue
        # None: the executor is shutting down; tell the next worker too.
        work_queue.put(None)
        return


_global_shutdown = False
_pools = []  # the executors whose workers the end of the main thread must stop


def _python_exit():
    """At the end of the main thread, as CPython's atexit hook: every pool's workers stop."""
    global _global_shutdown
    _global_shutdown = True
    for pool in list(_pools):
        pool._work_queue.put(None)
    for pool in list(_pools):
        for t in list(pool._threads):
            t.join()


threading._register_atexit(_python_exit)
_executor_counter = 0
_counter_lock = threading.Lock()


def _next_executor_number():
    global _executor_counter
    with _counter_lock:
        n = _executor_counter
        _executor_counter += 1
    return n


class ThreadPoolExecutor(Executor):
    """Runs calls on a pool of at most max_workers threads."""

    def __init__(self, max_workers=None, thread_name_prefix="", initializer=None, initargs=()):
        if max_workers is None:
            max_workers = min(32, (os.cpu_count() or 1) + 4)
        if max_workers <= 0:
            raise ValueError("max_workers must be greater than 0")
        if initializer is not None and not callable(initializer):
            raise TypeError("initializer must be a callable")
        self._max_workers = max_workers
        self._work_queue = queue.SimpleQueue()
        self._idle_semaphore = threading.Semaphore(0)
        self._threads = set()
        self._shutdown = False
        self._shutdown_lock = threading.Lock()
        self._thread_name_prefix = (thread_name_prefix or
                                    ("ThreadPoolExecutor-%d" % _next_executor_number()))
        self._initializer = initializer
        self._initargs = initargs

    def submit(self, fn, *args, **kwargs):
        with self._shutdown_lock:
            if self._shutdown:
                raise RuntimeError("cannot schedule new futures after shutdown")
            if _global_shutdown:
                raise RuntimeError("cannot schedule new futures after interpreter shutdown")
            f = Future()
            w = _WorkItem(f, fn, args, kwargs)
            self._work_queue.put(w)
            self._adjust_thread_count()
            return f

    def _adjust_thread_count(self):
        # An idle worker takes the new item: start no thread.
        if self._idle_semaphore.acquire(timeout=0):
            return
        num_threads = len(self._threads)
        if num_threads < self._max_workers:
            thread_name = "%s_%d" % (self._thread_name_prefix or self, num_threads)
            t = threading.Thread(name=thread_name, target=self._run_worker)
            t.start()
            self._threads.add(t)
            if self not in _pools:
                _pools.append(self)

    def _run_worker(self):
        if self._initializer is not None:
            self._initializer(*self._initargs)
        _worker(self, self._work_queue)

    def shutdown(self, wait=True, *, cancel_futures=False):
        with self._shutdown_lock:
            self._shutdown = True
            if cancel_futures:
                while True:
                    try:
                        work_item = self._work_queue.get_nowait()
                    except queue.Empty:
                        break
                    if work_item is not None:
                        work_item.future.cancel()
            self._work_queue.put(None)
        if wait:
            for t in list(self._threads):
                t.join()
        if self in _pools:
            _pools.remove(self)


class ProcessPoolExecutor(Executor):
    """Runs calls on max_workers processes, each with its own interpreter and GIL."""

    def __init__(self, max_workers=None):
        import multiprocessing
        if max_workers is None:
            max_workers = os.cpu_count() or 1
        if max_workers <= 0:
            raise ValueError("max_workers must be greater than 0")
        self._max_workers = max_workers
        self._pool = multiprocessing.Pool(max_workers)
        self._shutdown = False
        self._shutdown_lock = threading.Lock()

    def submit(self, fn, *args, **kwargs):
        with self._shutdown_lock:
            if self._shutdown:
                raise RuntimeError("cannot schedule new futures after shutdown")
            f = Future()
            f.set_running_or_notify_cancel()
            self._pool.apply_async(fn, args, kwargs, callback=f.set_result,
                                   error_callback=f.set_exception)
            return f

    def shutdown(self, wait=True, *, cancel_futures=False):
        with self._shutdown_lock:
            if self._shutdown:
                return
            self._shutdown = True
        self._pool.close()
        if wait:
            self._pool.join()
