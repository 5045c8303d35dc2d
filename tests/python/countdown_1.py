# countdown_1.py: David Beazley's countdown ("Understanding the Python GIL", PyCon 2010) on one
# thread: the baseline that countdown_2.py splits over two threads.
#   python3 tests/python/countdown_1.py
#   gilsim run tests/python/countdown_1.py --engine sim
# Only the work done is printed (the talk prints the elapsed time: compare it with
# `gilsim run` / `gilsim compare`, whose summary shows it).
import time

COUNT = 1_000_000


def countdown(n):
    while n > 0:
        n -= 1
    return n


start = time.perf_counter()
left = countdown(COUNT)
end = time.perf_counter()
print(f"countdown({COUNT:,}) on 1 thread: {left} left")
print("elapsed is positive:", end - start > 0)

# Output under CPython 3.11, and under gilsim on both engines:
# expect: countdown(1,000,000) on 1 thread: 0 left
# expect: elapsed is positive: True
