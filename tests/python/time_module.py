# time_module.py: the clocks of the time module and sleep. time.sleep releases the GIL; sleep(0)
# just lets another thread run. perf_counter and monotonic never go back; the _ns forms are ints.
#   python3 tests/python/time_module.py
#   gilsim run tests/python/time_module.py --engine sim     (virtual time: the same every run)
import threading
import time

t0 = time.perf_counter()
m0 = time.monotonic()
n0 = time.perf_counter_ns()
time.sleep(0.02)
t1 = time.perf_counter()
print("slept at least 20 ms:", t1 - t0 >= 0.02, time.monotonic() - m0 >= 0.02)
print("ns clocks are ints:", isinstance(n0, int), isinstance(time.monotonic_ns(), int), isinstance(time.time_ns(), int))
print("perf_counter_ns agrees:", time.perf_counter_ns() - n0 >= 20_000_000)
print("wall clock after 2001:", time.time() > 1e9)
print("process_time and thread_time are floats:", isinstance(time.process_time(), float), isinstance(time.thread_time(), float))

# A sleeping thread holds no GIL: three threads sleeping 50 ms each sleep at the same time. (Each
# notes when its sleep began and ended, and the three spans share a moment: on a loaded machine a
# total time would also count how late the threads started.)
spans = []
gate = threading.Barrier(3)

def nap():
    gate.wait()
    began = time.perf_counter()
    time.sleep(0.05)
    spans.append((began, time.perf_counter()))

threads = [threading.Thread(target=nap) for _ in range(3)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("three 50 ms sleeps overlap:", max(b for b, e in spans) < min(e for b, e in spans))

# sleep(0) yields: a thread spinning on a flag with sleep(0) lets the setter run.
flag = []


def setter():
    flag.append(True)


s = threading.Thread(target=setter)
s.start()
while not flag:
    time.sleep(0)
s.join()
print("sleep(0) let the other thread run:", flag)
try:
    time.sleep(-1)
except ValueError as e:
    print("ValueError:", e)

# Output under CPython 3.11, and under gilsim on both engines:
# expect: slept at least 20 ms: True True
# expect: ns clocks are ints: True True True
# expect: perf_counter_ns agrees: True
# expect: wall clock after 2001: True
# expect: process_time and thread_time are floats: True True
# expect: three 50 ms sleeps overlap: True
# expect: sleep(0) let the other thread run: [True]
# expect: ValueError: sleep length must be non-negative
