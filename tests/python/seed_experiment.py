# seed_experiment.py: the experiment this project grew from. A blog post fetched 127 GitHub users
# one by one, then on a ThreadPoolExecutor of 16 threads. Each call waits ~35 ms on the network with
# the GIL released, so the waits overlap: ~16x faster, GIL or not.
#   python3 tests/python/seed_experiment.py
#   gilsim run tests/python/seed_experiment.py                      (real threads: ~4.4 s vs ~0.3 s)
#   gilsim run tests/python/seed_experiment.py --engine sim         (the same, exactly, every run)
#   gilsim run tests/python/seed_experiment.py --timeline seed.html (where every thread's time went)
# Only what is deterministic is printed: the counts, the results, and bounds on the speedup
# (8 rounds of 16 calls instead of 127 calls: 15.9x at best; CPython 3.11 gives 14-15x here).
import time
from concurrent.futures import ThreadPoolExecutor

NAMES = [f"user{i:03d}" for i in range(127)]


def fetch(name):
    time.sleep(0.035)  # stands for one GitHub API call: the GIL is released while it waits
    return {"login": name, "repos": len(name) + int(name[-1])}


def single_threaded():
    return [fetch(name) for name in NAMES]


def multi_threaded():
    with ThreadPoolExecutor(max_workers=16) as executor:
        return list(executor.map(fetch, NAMES))


if __name__ == "__main__":
    t0 = time.perf_counter()
    one = single_threaded()
    t1 = time.perf_counter()
    many = multi_threaded()
    t2 = time.perf_counter()
    speedup = (t1 - t0) / (t2 - t1)
    print(f"fetched {len(one)} users one by one and {len(many)} with 16 threads")
    print("same results:", one == many)
    print("total repos:", sum(user["repos"] for user in many))
    print("first:", many[0], "last:", many[-1]["login"])
    print("more than 10x faster with threads:", speedup > 10)
    print("at most 16x (16 threads):", speedup <= 16)

# Output under CPython 3.11, and under gilsim on both engines:
# expect: fetched 127 users one by one and 127 with 16 threads
# expect: same results: True
# expect: total repos: 1450
# expect: first: {'login': 'user000', 'repos': 7} last: user126
# expect: more than 10x faster with threads: True
# expect: at most 16x (16 threads): True
