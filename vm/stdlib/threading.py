"""threading for gilsim: CPython 3.11's Lib/threading.py, over gilsim's _thread primitives.

The structure, names and messages are CPython's; what gilsim has no use for is left out (profile
and trace hooks, _shutdown's locks, weak references, fork handling). The engine calls _shutdown()
when the main thread's module ends, as CPython's Py_FinalizeEx does: it runs the hooks of
_register_atexit (concurrent.futures stops its idle workers there) and joins the non-daemon
threads; the engine then stops the daemon threads that are left. Every wait ends in a
primitive of _thread (a lock's acquire with a timeout, a thread's join), which releases the GIL
and is recorded by the engine as `blocked`; _set_role names each primitive lock after the object
it serves, so a deadlock report says "Condition #2", not "Lock #7" (docs/stdlib.md §4).
No generators and no weak references: only the language of docs/language.md.
"""

import _thread
from time import monotonic as _time
from time import sleep as _sleep

__all__ = ["get_ident", "active_count", "Condition", "current_thread", "enumerate", "main_thread",
           "Event", "Lock", "RLock", "Semaphore", "BoundedSemaphore", "Thread", "Barrier",
           "BrokenBarrierError", "Timer", "ThreadError", "TIMEOUT_MAX", "get_native_id"]

_allocate_lock = _thread.allocate_lock
get_ident = _thread.get_ident
get_native_id = _thread.get_native_id
ThreadError = _thread.error
TIMEOUT_MAX = _thread.TIMEOUT_MAX
Lock = _allocate_lock

# Small numbers for deadlock reports and traces ("Condition #2"), one counter per kind of object.
_object_numbers = {}
_numbers_lock = _allocate_lock()


def _number(kind):
    with _numbers_lock:
        n = _object_numbers.get(kind, 0) + 1
        _object_numbers[kind] = n
    return f"{kind} #{n}"


def _named(lock, kind):
    # kind: "RLock" (numbered here), or a role numbered already ("Queue #1")
    _thread._set_role(lock, kind if " #" in kind else _number(kind))
    return lock


class _RLock:
    """A reentrant lock: the thread that holds it may take it again; it must release it as often."""

    def __init__(self):
        self._block = _named(_allocate_lock(), "RLock")
        self._owner = None
        self._count = 0

    def __repr__(self):
        return "<%s threading.%s object owner=%r count=%d at %s>" % (
            "locked" if self._block.locked() else "unlocked", type(self).__name__, self._owner,
            self._count, hex(id(self)))

    def acquire(self, blocking=True, timeout=-1):
        me = get_ident()
        if self._owner == me:
            self._count += 1
            return 1
        rc = self._block.acquire(blocking, timeout)
        if rc:
            self._owner = me
            self._count = 1
        return rc

    __enter__ = acquire

    def release(self):
        if self._owner != get_ident():
            raise RuntimeError("cannot release un-acquired lock")
        self._count = count = self._count - 1
        if not count:
            self._owner = None
            self._block.release()

    def __exit__(self, t, v, tb):
        self.release()

    # Used by Condition.wait: give the lock up completely, then take it back as it was.
    def _acquire_restore(self, state):
        self._block.acquire()
        self._count, self._owner = state

    def _release_save(self):
        if self._count == 0:
            raise RuntimeError("cannot release un-acquired lock")
        count = self._count
        self._count = 0
        owner = self._owner
        self._owner = None
        self._block.release()
        return (count, owner)

    def _is_owned(self):
        return self._owner == get_ident()


def RLock():
    return _RLock()



class Condition:
    """Threads wait() until another notify()es them; the waiting releases the underlying lock."""

    def __init__(self, lock=None):
        if lock is None:
            lock = RLock()
        self._lock = lock
        self.acquire = lock.acquire
        self.release = lock.release
        if hasattr(lock, "_release_save"):
            self._release_save = lock._release_save
        if hasattr(lock, "_acquire_restore"):
            self._acquire_restore = lock._acquire_restore
        if hasattr(lock, "_is_owned"):
            self._is_owned = lock._is_owned
        self._waiters = []
        self._waiter_role = _number("Condition") + " wait()"

    def __enter__(self):
        return self._lock.__enter__()

    def __exit__(self, *args):
        return self._lock.__exit__(*args)

    def __repr__(self):
        return "<Condition(%s, %d)>" % (self._lock, len(self._waiters))

    def _release_save(self):
        self._lock.release()

    def _acquire_restore(self, x):
        self._lock.acquire()

    def _is_owned(self):
        if self._lock.acquire(False):
            self._lock.release()
            return False
        return True

    def wait(self, timeout=None):
        if not self._is_owned():
            raise RuntimeError("cannot wait on un-acquired lock")
        waiter = _allocate_lock()
        _thread._set_waiter_role(waiter, self._waiter_role)  # held by us, released by notify()
        waiter.acquire()
        self._waiters.append(waiter)
        saved_state = self._release_save()
        gotit = False
        try:
            if timeout is None:
                waiter.acquire()
                gotit = True
            elif timeout > 0:
                gotit = waiter.acquire(True, timeout)
            else:
                gotit = waiter.acquire(False)
            return gotit
        finally:
            self._acquire_restore(saved_state)
            if not gotit:
                try:
                    self._waiters.remove(waiter)
                except ValueError:
                    pass

    def wait_for(self, predicate, timeout=None):
        endtime = None
        waittime = timeout
        result = predicate()
        while not result:
            if waittime is not None:
                if endtime is None:
                    endtime = _time() + waittime
                else:
                    waittime = endtime - _time()
                    if waittime <= 0:
                        break
            self.wait(waittime)
            result = predicate()
        return result

    def notify(self, n=1):
        if not self._is_owned():
            raise RuntimeError("cannot notify on un-acquired lock")
        waiters = self._waiters
        while waiters and n > 0:
            waiter = waiters[0]
            try:
                waiter.release()
            except RuntimeError:
                pass  # a waiter that timed out meanwhile
            else:
                n -= 1
            try:
                waiters.remove(waiter)
            except ValueError:
                pass

    def notify_all(self):
        self.notify(len(self._waiters))

    def notifyAll(self):
        self.notify_all()


class Semaphore:
    """A counter: acquire() waits while it is 0, release() adds to it."""

    def __init__(self, value=1):
        if value < 0:
            raise ValueError("semaphore initial value must be >= 0")
        role = _number(type(self).__name__)
        self._lock = _named(Lock(), role)
        self._cond = Condition(self._lock)
        self._cond._waiter_role = role + " acquire()"  # a deadlock report's "Semaphore #1 acquire()"
        self._value = value

    def __repr__(self):
        return "<threading.%s at %s: value=%d>" % (type(self).__name__, hex(id(self)),
                                                   self._value)

    def acquire(self, blocking=True, timeout=None):
        if not blocking and timeout is not None:
            raise ValueError("can't specify timeout for non-blocking acquire")
        rc = False
        endtime = None
        with self._lock:
            while self._value == 0:
                if not blocking:
                    break
                if timeout is not None:
                    if endtime is None:
                        endtime = _time() + timeout
                    else:
                        timeout = endtime - _time()
                        if timeout <= 0:
                            break
                self._cond.wait(timeout)
            if self._value > 0:
                self._value -= 1
                rc = True
        return rc

    __enter__ = acquire

    def release(self, n=1):
        if n < 1:
            raise ValueError("n must be one or more")
        with self._lock:
            self._value += n
            for i in range(n):
                self._cond.notify()

    def __exit__(self, t, v, tb):
        self.release()


class BoundedSemaphore(Semaphore):
    """A Semaphore that refuses to be released more often than it was acquired."""

    def __init__(self, value=1):
        Semaphore.__init__(self, value)
        self._initial_value = value

    def release(self, n=1):
        if n < 1:
            raise ValueError("n must be one or more")
        with self._lock:
            if self._value + n > self._initial_value:
                raise ValueError("Semaphore released too many times")
            self._value += n
            for i in range(n):
                self._cond.notify()


class Event:
    """A flag: wait() blocks until set() is called."""

    def __init__(self):
        role = _number("Event")
        self._lock = _named(Lock(), role)
        self._cond = Condition(self._lock)
        self._cond._waiter_role = role + " wait()"
        self._flag = False

    def __repr__(self):
        status = "set" if self._flag else "unset"
        return f"<threading.{type(self).__name__} at {id(self):#x}: {status}>"

    def is_set(self):
        return self._flag

    def isSet(self):
        return self._flag

    def set(self):
        with self._lock:
            self._flag = True
            self._cond.notify_all()

    def clear(self):
        with self._lock:
            self._flag = False

    def wait(self, timeout=None):
        with self._lock:
            signaled = self._flag
            if not signaled:
                signaled = self._cond.wait(timeout)
            return signaled


class BrokenBarrierError(RuntimeError):
    pass


class Barrier:
    """`parties` threads wait() until all of them have arrived, then all go on."""

    def __init__(self, parties, action=None, timeout=None):
        role = _number("Barrier")
        self._lock = _named(Lock(), role)
        self._cond = Condition(self._lock)
        self._cond._waiter_role = role + " wait()"
        self._action = action
        self._timeout = timeout
        self._parties = parties
        self._state = 0  # 0 filling, 1 draining, -1 resetting, -2 broken
        self._count = 0

    def __repr__(self):
        if self.broken:
            return f"<threading.{type(self).__name__} at {id(self):#x}: broken>"
        return (f"<threading.{type(self).__name__} at {id(self):#x}: "
                f"waiters={self.n_waiting}/{self.parties}>")

    def wait(self, timeout=None):
        if timeout is None:
            timeout = self._timeout
        with self._lock:
            self._enter()
            index = self._count
            self._count += 1
            try:
                if index + 1 == self._parties:
                    self._release()
                else:
                    self._wait(timeout)
                return index
            finally:
                self._count -= 1
                self._exit()

    def _enter(self):
        while self._state in (-1, 1):
            self._cond.wait()
        if self._state < 0:
            raise BrokenBarrierError
        assert self._state == 0

    def _release(self):
        try:
            if self._action:
                self._action()
            self._state = 1
            self._cond.notify_all()
        except:
            self._break()
            raise

    def _wait(self, timeout):
        if not self._cond.wait_for(lambda: self._state != 0, timeout):
            self._break()
            raise BrokenBarrierError
        if self._state < 0:
            raise BrokenBarrierError
        assert self._state == 1

    def _exit(self):
        if self._count == 0:
            if self._state in (-1, 1):
                self._state = 0
                self._cond.notify_all()

    def reset(self):
        with self._lock:
            if self._count > 0:
                if self._state == 0:
                    self._state = -1
                elif self._state == -2:
                    self._state = -1
            else:
                self._state = 0
            self._cond.notify_all()

    def abort(self):
        with self._lock:
            self._break()

    def _break(self):
        self._state = -2
        self._cond.notify_all()

    @property
    def parties(self):
        return self._parties

    @property
    def n_waiting(self):
        if self._state == 0:
            return self._count
        return 0

    @property
    def broken(self):
        return self._state == -2


# Threads by ident, as CPython keeps them: started and not yet finished.
_active_limbo_lock = _named(_allocate_lock(), "threading registry")
_active = {}
_limbo = {}
_counter = 0


def _newname(name_template="Thread-%d"):
    global _counter
    with _active_limbo_lock:
        _counter += 1
        n = _counter
    return name_template % n


class Thread:
    """A thread of control: start() runs run() (by default target(*args, **kwargs)) in it.

    name, ident and native_id are plain attributes here (CPython's are properties): reading and
    assigning them works the same, but a name assigned after start() does not rename the
    thread's track in the trace.
    """

    _initialized = False

    def __init__(self, group=None, target=None, name=None, args=(), kwargs=None, *, daemon=None):
        assert group is None, "group argument must be None for now"
        if kwargs is None:
            kwargs = {}
        if name:
            name = str(name)
        else:
            name = _newname("Thread-%d")
            if target is not None:
                try:
                    name += f" ({target.__name__})"
                except AttributeError:
                    pass
        self._target = target
        self.name = name
        self._args = args
        self._kwargs = kwargs
        if daemon is not None:
            self._daemonic = daemon
        else:
            self._daemonic = current_thread().daemon
        self.ident = None
        self.native_id = None
        self._handle = None
        self._started = Event()
        self._is_stopped = False
        self._initialized = True

    def __repr__(self):
        assert self._initialized, "Thread.__init__() was not called"
        status = "initial"
        if self._started.is_set():
            status = "started"
        if self._is_stopped:
            status = "stopped"
        if self.daemon:
            status += " daemon"
        if self.ident is not None:
            status += " %s" % self.ident
        return "<%s(%s, %s)>" % (type(self).__name__, self.name, status)

    def start(self):
        if not self._initialized:
            raise RuntimeError("thread.__init__() not called")
        if self._started.is_set():
            raise RuntimeError("threads can only be started once")
        with _active_limbo_lock:
            _limbo[id(self)] = self
        # The new thread runs _bootstrap, which registers it and calls run().
        self._handle = _thread._start(self._bootstrap, self.name, self.daemon)
        self.ident = self.native_id = _thread._ident(self._handle)
        self._started.wait()

    def run(self):
        try:
            if self._target is not None:
                self._target(*self._args, **self._kwargs)
        finally:
            # Drop the references, as CPython does: a finished thread keeps nothing alive.
            self._target = self._args = self._kwargs = None

    def _bootstrap(self):
        self.ident = self.native_id = get_ident()  # before start() has it back from the host
        with _active_limbo_lock:
            _active[self.ident] = self
            _limbo.pop(id(self), None)
        self._started.set()
        try:
            # An exception goes on to the host, which prints "Exception in thread NAME:" and the
            # traceback, as gilsim does for every thread.
            self.run()
        finally:
            with _active_limbo_lock:
                self._is_stopped = True
                _active.pop(self.ident, None)

    def join(self, timeout=None):
        if not self._initialized:
            raise RuntimeError("Thread.__init__() not called")
        if not self._started.is_set():
            raise RuntimeError("cannot join thread before it is started")
        if self is current_thread():
            raise RuntimeError("cannot join current thread")
        if timeout is None:
            _thread._join(self._handle)
        else:
            _thread._join(self._handle, max(timeout, 0))

    def is_alive(self):
        assert self._initialized, "Thread.__init__() not called"
        return self._started.is_set() and not self._is_stopped

    @property
    def daemon(self):
        return self._daemonic

    @daemon.setter
    def daemon(self, daemonic):
        if not self._initialized:
            raise RuntimeError("Thread.__init__() not called")
        if self._started.is_set():
            raise RuntimeError("cannot set daemon status of active thread")
        self._daemonic = daemonic

    def isDaemon(self):
        return self.daemon

    def setDaemon(self, daemonic):
        self.daemon = daemonic

    def getName(self):
        return self.name

    def setName(self, name):
        self.name = str(name)


class Timer(Thread):
    """Calls function(*args, **kwargs) after `interval` seconds, unless cancel() came first."""

    def __init__(self, interval, function, args=None, kwargs=None):
        Thread.__init__(self)
        self.interval = interval
        self.function = function
        self.args = args if args is not None else []
        self.kwargs = kwargs if kwargs is not None else {}
        self.finished = Event()

    def cancel(self):
        self.finished.set()

    def run(self):
        self.finished.wait(self.interval)
        if not self.finished.is_set():
            self.function(*self.args, **self.kwargs)
        self.finished.set()


class _MainThread(Thread):
    def __init__(self):
        Thread.__init__(self, name="MainThread", daemon=False)
        self.ident = self.native_id = get_ident()
        self._started._flag = True
        with _active_limbo_lock:
            _active[self.ident] = self


class _DummyThread(Thread):
    """A thread this module did not start (the builtin spawn()'s): it is still a Thread here."""

    def __init__(self):
        Thread.__init__(self, name=_thread._name(), daemon=False)
        self.ident = self.native_id = get_ident()
        self._started._flag = True
        with _active_limbo_lock:
            _active[self.ident] = self

    def is_alive(self):
        return True  # asked from the thread itself: current_thread() made it

    def join(self, timeout=None):
        raise RuntimeError("cannot join a dummy thread")


# Called by the engine on the main thread once its module has returned (Py_FinalizeEx's
# wait_for_thread_shutdown), as CPython 3.11's _shutdown: the atexit hooks, newest first, then a
# join of every non-daemon thread still alive, those started meanwhile included.
_SHUTTING_DOWN = False
_threading_atexits = []


def _register_atexit(func, *arg, **kwargs):
    """Calls func(*arg, **kwargs) at shutdown, before the non-daemon threads are joined."""
    if _SHUTTING_DOWN:
        raise RuntimeError("can't register atexit after shutdown")
    _threading_atexits.append((func, arg, kwargs))


def _shutdown():
    global _SHUTTING_DOWN
    if _main_thread._is_stopped:
        return
    _SHUTTING_DOWN = True
    i = len(_threading_atexits)
    while i > 0:
        i -= 1
        func, arg, kwargs = _threading_atexits[i]
        func(*arg, **kwargs)
    me = get_ident()
    if _main_thread.ident == me:
        _main_thread._is_stopped = True
    while True:
        with _active_limbo_lock:
            pending = [t for t in list(_active.values()) + list(_limbo.values())
                       if not t.daemon and t.ident != me and not isinstance(t, _DummyThread)
                       and not t._is_stopped]
        if not pending:
            break
        for t in pending:
            t.join()


def current_thread():
    """The Thread object of the calling thread."""
    try:
        return _active[get_ident()]
    except KeyError:
        return _DummyThread()


def main_thread():
    """The Thread object of the interpreter's first thread."""
    return _main_thread


def active_count():
    """The number of Thread objects alive now (the main thread included)."""
    with _active_limbo_lock:
        return len(_active) + len(_limbo)


def enumerate():
    """The Thread objects alive now."""
    with _active_limbo_lock:
        return list(_active.values()) + list(_limbo.values())


# One dict of attributes per thread, as CPython's _thread._local; gilsim's _thread has none yet
# (docs/stdlib.md), so threading.local exists only where the primitive does.
if hasattr(_thread, "_local"):
    local = _thread._local

_main_thread = _MainThread()
