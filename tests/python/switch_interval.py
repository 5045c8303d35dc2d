# switch_interval.py: sys.setswitchinterval, the knob of CPython 3.2+'s GIL: how long a thread may
# hold the GIL while another waits before it is asked to drop it. A smaller interval means more
# switches between CPU-bound threads; the result of correct code does not change.
#   python3 tests/python/switch_interval.py
#   gilsim run tests/python/switch_interval.py --engine sim      (the summary counts the switches)
import sys
import threading

print("default switch interval:", sys.getswitchinterval())
sys.setswitchinterval(0.001)
print("now:", sys.getswitchinterval())

counter = 0
lock = threading.Lock()


def add(n):
    global counter
    for _ in range(n):
        with lock:
            counter += 1


threads = [threading.Thread(target=add, args=(20_000,)) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("counter:", counter)
sys.setswitchinterval(0.005)
print("back to:", sys.getswitchinterval())
try:
    sys.setswitchinterval(0)
except ValueError as e:
    print("ValueError:", e)

# Output under CPython 3.11, and under gilsim on both engines:
# expect: default switch interval: 0.005
# expect: now: 0.001
# expect: counter: 80000
# expect: back to: 0.005
# expect: ValueError: switch interval must be strictly positive
