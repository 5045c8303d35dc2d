"""The gilsim module for CPython: the simulator-only calls, made real enough to run the same file.

Under `gilsim run` a program imports these names from gilsim's own `gilsim` module, where they are
simulated work and annotations drawn in every output. Under CPython this file stands in for it, so
the program runs unchanged (no install needed):

    PYTHONPATH=tools/python python3 prog.py [-D NAME=VALUE]...

    from gilsim import io, native, native_hold, mark, span, counter, param, now_ms

What each call becomes here (times in milliseconds, int or float, >= 0, as in gilsim):

  io(ms)              time.sleep(ms / 1000): blocking with the GIL released.
  native(ms)          hashlib.sha256 over ~ms worth of a large buffer: C code that releases the
                      GIL (hashlib does for data > 2047 bytes) and keeps a core busy.
  native_hold(ms)     sum(range(n)) for ~ms: one C-level call that keeps the GIL throughout.
                      Both are calibrated (bytes or items per ms) on their first use, or at once
                      with calibrate().
  mark(label)         nothing (gilsim: an instant on the thread's track).
  span(name)          a context manager that does nothing (gilsim: a named slice on the track).
  counter(name, n)    nothing (gilsim: a counter track).
                      All three check their arguments as gilsim does (a str label; a finite
                      int or float value), with the same errors, so a mistake shows here too.
  param(name, d)      the value of `-D name=VALUE` in sys.argv (an int if it reads as one, else a
                      float, else a str), else d. The first -D for a name wins, as in gilsim.
  now_ms()            milliseconds since this module was imported (or since start_clock()), a float.
  thread_name()       threading.current_thread().name.

tools/gilsim_shim.py, which runs the older .gil scripts under CPython (their calls are builtins,
not imports), is built on this module; so is `gilsim compare --cpython`.
"""

import hashlib
import sys
import threading
import time

__all__ = ["io", "native", "native_hold", "mark", "span", "counter", "param", "now_ms",
           "thread_name", "calibrate"]

_t0 = time.perf_counter()
_params = None  # name -> value; read from sys.argv on first use unless set_params() gave them
_calibration = None
_calibration_lock = threading.Lock()


def parse_value(text):
    """A -D value as gilsim reads it: an int, else a float, else the string."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def params_from_argv(argv):
    """The -D NAME=VALUE (or -DNAME=VALUE) pairs of argv; the first one for a name wins."""
    found = {}
    i = 0
    while i < len(argv):
        a = argv[i]
        text = None
        if a in ("-D", "--define") and i + 1 < len(argv):
            text = argv[i + 1]
            i += 1
        elif a.startswith("-D") and len(a) > 2:
            text = a[2:]
        if text is not None and "=" in text:
            name, _, value = text.partition("=")
            found.setdefault(name, parse_value(value))
        i += 1
    return found


def set_params(params):
    """Used by the shim, which parses its own command line."""
    global _params
    _params = dict(params)


def start_clock():
    """now_ms() counts from here (the shim calls it just before the script's first line)."""
    global _t0
    _t0 = time.perf_counter()


class Calibration:
    """Units of C-level work per millisecond, measured once (best of a few runs)."""

    def __init__(self):
        self.buf = memoryview(bytes(8 << 20))  # 8 MiB of zeros: a few ms of sha256
        self.hash_per_ms = self._rate(lambda n: hashlib.sha256(self.buf[:n]).digest(), 1 << 20)
        self.sum_per_ms = self._rate(lambda n: sum(range(n)), 100000)

    @staticmethod
    def _rate(work, n):
        work(n)  # warm up
        best = 0.0
        for _ in range(5):
            t0 = time.perf_counter()
            work(n)
            dt = (time.perf_counter() - t0) * 1000.0
            best = max(best, n / max(dt, 1e-6))
        return best


def calibrate():
    """Measures native()'s and native_hold()'s rates now rather than on their first call."""
    global _calibration
    with _calibration_lock:
        if _calibration is None:
            _calibration = Calibration()
        return _calibration


def _duration(name, ms):
    if isinstance(ms, bool) or not isinstance(ms, (int, float)):
        raise TypeError(f"{name}() argument must be a number of milliseconds, not "
                        f"'{type(ms).__name__}'")
    if not ms >= 0 or ms == float("inf"):
        raise ValueError(f"{name}() duration must be non-negative and finite")
    return ms


def io(ms):
    """Blocking I/O for ms milliseconds: the GIL is released."""
    time.sleep(_duration("io", ms) / 1000.0)


def native(ms):
    """ms of C code that releases the GIL and keeps a core busy."""
    ms = _duration("native", ms)
    calib = calibrate()
    left = int(calib.hash_per_ms * ms)
    size = len(calib.buf)
    while left > 0:  # each digest releases the GIL for its whole chunk
        n = min(left, size)
        hashlib.sha256(calib.buf[:n]).digest()
        left -= n


def native_hold(ms):
    """ms of C code that keeps the GIL throughout."""
    ms = _duration("native_hold", ms)
    sum(range(int(calibrate().sum_per_ms * ms)))  # one C call: no eval-breaker check inside


def _label(value, fn, which="argument"):
    """A label, checked as gilsim checks it (CPython's words for a str argument)."""
    if not isinstance(value, str):
        raise TypeError(f"{fn}() {which} must be str, not {type(value).__name__}")
    return value


def mark(label):
    """An instant annotation in gilsim's outputs; nothing under CPython."""
    _label(label, "mark")


class span:
    """`with span("parse"):` a named slice on the thread's track in gilsim; nothing here."""

    def __init__(self, name):
        self.name = _label(name, "span")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def counter(name, value):
    """A sample of a counter track in gilsim's outputs; nothing under CPython."""
    _label(name, "counter", "argument 1")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"counter() value must be a number, not '{type(value).__name__}'")
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("counter() value must be finite")


def param(name, default):
    """The value given with -D name=VALUE, else default."""
    global _params
    if _params is None:
        _params = params_from_argv(sys.argv[1:])
    return _params.get(name, default)


def now_ms():
    """Monotonic milliseconds since the start, a float."""
    return (time.perf_counter() - _t0) * 1000.0


def thread_name():
    """The running thread's name."""
    return threading.current_thread().name
