"""multiprocessing for gilsim: Process, Pool, Queue, cpu_count and current_process.

A process is a new interpreter with its own globals (copied from its parent, as the fork start
method gives) and its own GIL, started by the host (_process.start: today's spawn_process). So
CPU-bound work on two processes runs in parallel under every GIL policy, as in CPython. Objects
that cross between processes (arguments, Queue items, results) are copied, as pickling copies
them. Names are CPython's: the parent is "MainProcess", children "Process-N", Pool workers
"ForkPoolWorker-N" (N counts every process the interpreter started).

Pool is written as CPython's is, smaller: worker processes take (job, index, function, args)
off one Queue and put (job, index, (ok, value)) on another; a daemon thread of the parent hands
the results to the waiting ApplyResult / MapResult objects. Waiting for a result is an Event wait:
the GIL released, the thread `blocked`. No generators: imap returns an iterator over the results.
"""

import _process
import os
import queue as _queue
import threading
import time as _time

__all__ = ["Process", "Pool", "Queue", "cpu_count", "current_process", "TimeoutError",
           "ProcessError", "active_children"]


class ProcessError(Exception):
    pass


class TimeoutError(ProcessError):
    pass


def cpu_count():
    """The number of cores (the sim engine's --cores)."""
    return os.cpu_count()


# Queue.get(timeout=) polls in sleeps of this long (the engines' queue has no timed get).
_POLL_S = 0.001

_process_counter = 0
_children = []


def _next_process_number():
    global _process_counter
    _process_counter += 1
    return _process_counter


class Process:
    """Runs target(*args, **kwargs) in a new interpreter with its own GIL."""

    def __init__(self, group=None, target=None, name=None, args=(), kwargs=None, *, daemon=None):
        assert group is None, "group argument must be None for now"
        self._target = target
        self._args = tuple(args)
        self._kwargs = dict(kwargs) if kwargs is not None else {}
        self._identity = _next_process_number()
        self._name = name if name is not None else f"Process-{self._identity}"
        self._daemonic = bool(daemon) if daemon is not None else False
        self._handle = None
        self._closed = False

    def run(self):
        if self._target:
            self._target(*self._args, **self._kwargs)

    def _bootstrap(self):
        # Runs in the child: its copy of this module's globals now describes the child.
        global _current_process, _process_counter, _children
        _current_process = self
        _process_counter = 0
        _children = []
        self.run()

    def start(self):
        if self._handle is not None:
            raise AssertionError("cannot start a process twice")
        if _current_process._daemonic:
            raise AssertionError("daemonic processes are not allowed to have children")
        self._handle = _process.start(self._bootstrap, self._name, self._daemonic)
        _children.append(self)

    def join(self, timeout=None):
        if self._handle is None:
            raise AssertionError("can only join a started process")
        # A timed join is the engine's: blocked until the deadline (virtual on the sim engine).
        _process.join(self._handle, -1 if timeout is None else max(timeout, 0))

    def is_alive(self):
        if self._handle is None:
            return False
        return _process.exitcode(self._handle) is None

    def terminate(self):
        raise NotImplementedError("Process.terminate() is not supported by gilsim")

    kill = terminate

    def close(self):
        if self.is_alive():
            raise ValueError("Cannot close a process while it is still running. "
                             "You should first call join() or terminate().")
        self._closed = True

    @property
    def exitcode(self):
        if self._handle is None:
            return None
        return _process.exitcode(self._handle)

    @property
    def pid(self):
        if self._handle is None:
            return None
        return _process.pid(self._handle)

    ident = pid

    @property
    def name(self):
        return self._name

    @name.setter
    def name(self, name):
        self._name = str(name)

    @property
    def daemon(self):
        return self._daemonic

    @daemon.setter
    def daemon(self, daemonic):
        if self._handle is not None:
            raise AssertionError("process has already started")
        self._daemonic = daemonic

    def __repr__(self):
        if self._handle is None:
            status = "initial"
        elif self.exitcode is None:
            status = "started"
        else:
            status = "stopped exitcode=%d" % self.exitcode
        return "<%s name=%r %s>" % (type(self).__name__, self._name, status)


class _MainProcess(Process):
    def __init__(self):
        self._identity = 0
        self._name = "MainProcess"
        self._daemonic = False
        self._handle = None
        self._target = None

    @property
    def pid(self):
        return os.getpid()


_current_process = _MainProcess()


def current_process():
    """The Process object of this interpreter ("MainProcess" in the parent)."""
    return _current_process


def active_children():
    return [p for p in _children if p.is_alive()]


class Queue:
    """A FIFO queue between processes: items are copied across, as pickling copies them."""

    def __init__(self, maxsize=0):
        self._q = _process.Queue()
        self._maxsize = maxsize

    def put(self, obj, block=True, timeout=None):
        self._q.put(obj)

    def get(self, block=True, timeout=None):
        if block and timeout is None:
            return self._q.get()
        # Another process may take the item between empty() and get(): get() then waits for the
        # next one, where CPython's would raise Empty once the timeout is over.
        deadline = _time.monotonic() + (max(timeout, 0) if block else 0)
        while self._q.empty():
            if _time.monotonic() >= deadline:
                raise _queue.Empty
            _time.sleep(_POLL_S)
        return self._q.get()

    def put_nowait(self, obj):
        self.put(obj, False)

    def get_nowait(self):
        return self.get(False)

    def empty(self):
        return self._q.empty()

    def qsize(self):
        # What CPython raises where the platform cannot count a semaphore (macOS): gilsim's
        # engines cannot count another interpreter's items without a wait of their own.
        raise NotImplementedError()

    def close(self):
        pass

    def join_thread(self):
        pass


def _pool_worker(inqueue, outqueue, initializer, initargs):
    if initializer is not None:
        initializer(*initargs)
    while True:
        task = inqueue.get()
        if task is None:
            break
        job, i, func, args, kwds = task
        try:
            result = (True, func(*args, **kwds))
        except Exception as e:
            result = (False, e)
        outqueue.put((job, i, result))


class ApplyResult:
    """What apply_async returns: get() waits for the call's result."""

    def __init__(self, pool, callback, error_callback):
        self._pool = pool
        self._event = threading.Event()
        self._job = pool._next_job()
        self._callback = callback
        self._error_callback = error_callback
        pool._cache[self._job] = self

    def ready(self):
        return self._event.is_set()

    def successful(self):
        if not self.ready():
            raise ValueError("{0!r} not ready".format(self))
        return self._success

    def wait(self, timeout=None):
        self._event.wait(timeout)

    def get(self, timeout=None):
        self.wait(timeout)
        if not self.ready():
            raise TimeoutError
        if self._success:
            return self._value
        raise self._value

    def _set(self, i, obj):
        self._success, self._value = obj
        if self._callback and self._success:
            self._callback(self._value)
        if self._error_callback and not self._success:
            self._error_callback(self._value)
        self._event.set()
        del self._pool._cache[self._job]


class MapResult(ApplyResult):
    """What map_async returns: the results in the order of the inputs."""

    def __init__(self, pool, length, callback, error_callback):
        ApplyResult.__init__(self, pool, callback, error_callback)
        self._success = True
        self._value = [None] * length
        self._number_left = length
        if length == 0:
            self._event.set()
            del pool._cache[self._job]

    def _set(self, i, success_result):
        self._number_left -= 1
        success, result = success_result
        if success and self._success:
            self._value[i] = result
            if self._number_left == 0:
                if self._callback:
                    self._callback(self._value)
                del self._pool._cache[self._job]
                self._event.set()
        else:
            if not success and self._success:
                self._success = False
                self._value = result
                if self._error_callback:
                    self._error_callback(self._value)
            if self._number_left == 0:
                del self._pool._cache[self._job]
                self._event.set()


class Pool:
    """A pool of worker processes, each with its own interpreter and GIL."""

    def __init__(self, processes=None, initializer=None, initargs=(), maxtasksperchild=None):
        if processes is None:
            processes = cpu_count() or 1
        if processes < 1:
            raise ValueError("Number of processes must be at least 1")
        if initializer is not None and not callable(initializer):
            raise TypeError("initializer must be a callable")
        self._processes = processes
        self._inqueue = Queue()
        self._outqueue = Queue()
        self._cache = {}
        self._job_counter = 0
        self._state = "RUN"
        self._pool = []
        for i in range(processes):
            w = Process(target=_pool_worker,
                        args=(self._inqueue, self._outqueue, initializer, initargs))
            w.name = w.name.replace("Process", "ForkPoolWorker")
            w.daemon = True
            w.start()
            self._pool.append(w)
        self._result_handler = threading.Thread(target=self._handle_results, daemon=True)
        self._result_handler.start()

    def _next_job(self):
        self._job_counter += 1
        return self._job_counter

    def _handle_results(self):
        while True:
            task = self._outqueue.get()
            if task is None:
                break
            job, i, obj = task
            cached = self._cache.get(job)
            if cached is not None:
                cached._set(i, obj)

    def _check_running(self):
        if self._state != "RUN":
            raise ValueError("Pool not running")

    def apply(self, func, args=(), kwds=None):
        return self.apply_async(func, args, kwds).get()

    def apply_async(self, func, args=(), kwds=None, callback=None, error_callback=None):
        self._check_running()
        result = ApplyResult(self, callback, error_callback)
        self._inqueue.put((result._job, 0, func, tuple(args), dict(kwds or {})))
        return result

    def map_async(self, func, iterable, chunksize=None, callback=None, error_callback=None):
        self._check_running()
        items = list(iterable)
        result = MapResult(self, len(items), callback, error_callback)
        for i, x in enumerate(items):
            self._inqueue.put((result._job, i, func, (x,), {}))
        return result

    def map(self, func, iterable, chunksize=None):
        return self.map_async(func, iterable, chunksize).get()

    def starmap_async(self, func, iterable, chunksize=None, callback=None, error_callback=None):
        self._check_running()
        items = [tuple(args) for args in iterable]
        result = MapResult(self, len(items), callback, error_callback)
        for i, args in enumerate(items):
            self._inqueue.put((result._job, i, func, args, {}))
        return result

    def starmap(self, func, iterable, chunksize=None):
        return self.starmap_async(func, iterable, chunksize).get()

    def imap(self, func, iterable, chunksize=1):
        return iter(self.map(func, iterable))

    def imap_unordered(self, func, iterable, chunksize=1):
        return iter(self.map(func, iterable))

    def close(self):
        if self._state == "RUN":
            self._state = "CLOSE"
            for w in self._pool:
                self._inqueue.put(None)

    def terminate(self):
        # The workers finish the task they are on and stop (nothing is killed mid-task); then the
        # result handler stops, so that no thread is left waiting on a queue at exit, as
        # CPython's terminate() joins its handler threads.
        self.close()
        self._stop()

    def join(self):
        if self._state == "RUN":
            raise ValueError("Pool is still running")
        self._stop()

    def _stop(self):
        if self._state == "TERMINATE":
            return
        self._state = "TERMINATE"
        for w in self._pool:
            w.join()
        self._outqueue.put(None)
        self._result_handler.join()

    def __enter__(self):
        self._check_running()
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.terminate()
