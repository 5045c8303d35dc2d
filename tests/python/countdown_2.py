# countdown_2.py: David Beazley's countdown on two threads, each counting half: under a GIL it is
# no faster than countdown_1.py (and on CPython 3.1 and earlier it was slower).
#   python3 tests/python/countdown_2.py
#   gilsim run tests/python/countdown_2.py --engine sim --cores 2
#   gilsim run tests/python/countdown_2.py --engine sim --cores 2 --policy none   (twice as fast)
from threading import Thread
import time

COUNT = 1_000_000


def countdown(n):
    while n > 0:
        n -= 1


start = time.perf_counter()
t1 = Thread(target=countdown, args=(COUNT // 2,))
t2 = Thread(target=countdown, args=(COUNT // 2,))
t1.start()
t2.start()
t1.join()
t2.join()
end = time.perf_counter()
print(t1.name, "and", t2.name, "counted", COUNT // 2, "each")
print("both finished:", not t1.is_alive() and not t2.is_alive())
print("elapsed is positive:", end - start > 0)

# Output under CPython 3.11, and under gilsim on both engines:
# expect: Thread-1 (countdown) and Thread-2 (countdown) counted 500000 each
# expect: both finished: True
# expect: elapsed is positive: True
