# thread_api.py: the module-level functions of threading and a Thread's attributes: names, idents,
# current_thread, main_thread, active_count, enumerate, join with a timeout, is_alive.
#   python3 tests/python/thread_api.py
#   gilsim run tests/python/thread_api.py --engine sim
import threading
import time

release = threading.Event()
seen = {}


def worker(label, delay=0.0):
    me = threading.current_thread()
    seen[label] = (me.name, me is not threading.main_thread(), threading.get_ident() == me.ident)
    time.sleep(delay)
    release.wait()


print(threading.current_thread().name, threading.main_thread() is threading.current_thread())
print("active:", threading.active_count())
a = threading.Thread(target=worker, args=("a",))
b = threading.Thread(target=worker, args=("b",), kwargs={"delay": 0.001}, name="bee")
a.start()
b.start()
time.sleep(0.01)
print("active:", threading.active_count(), sorted(t.name for t in threading.enumerate()))
a.join(timeout=0.01)
print("after join(timeout): alive", a.is_alive())
release.set()
a.join()
b.join()
print("after join(): alive", a.is_alive(), b.is_alive())
print(seen["a"], seen["b"])
print("active:", threading.active_count())
print("idents differ:", a.ident != b.ident, "; native ids set:", a.native_id is not None)
print(repr(threading.main_thread()).startswith("<_MainThread(MainThread, started"))

# Output under CPython 3.11, and under gilsim on both engines:
# expect: MainThread True
# expect: active: 1
# expect: active: 3 ['MainThread', 'Thread-1 (worker)', 'bee']
# expect: after join(timeout): alive True
# expect: after join(): alive False False
# expect: ('Thread-1 (worker)', True, True) ('bee', True, True)
# expect: active: 1
# expect: idents differ: True ; native ids set: True
# expect: True
