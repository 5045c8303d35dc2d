# pool_map.py: the first example of the multiprocessing documentation, Pool.map, and the other
# Pool calls: each worker process has its own interpreter and its own GIL, so CPU-bound work
# runs in parallel.
#   python3 tests/python/pool_map.py
#   gilsim run tests/python/pool_map.py --engine sim --cores 4
from multiprocessing import Pool


def f(x):
    return x * x


def add(a, b):
    return a + b


def burn(n):
    total = 0
    for i in range(n):
        total += i % 7
    return total


if __name__ == "__main__":
    with Pool(5) as p:
        print(p.map(f, [1, 2, 3]))
        print(p.starmap(add, [(1, 2), (3, 4), (5, 6)]))
        result = p.apply_async(f, (10,))
        print(result.get(timeout=10))
        print(list(p.imap(f, range(6))))
        print(sum(p.map(burn, [20_000] * 8)))

# Output under CPython 3.11, and under gilsim on both engines:
# expect: [1, 4, 9]
# expect: [3, 7, 11]
# expect: 100
# expect: [0, 1, 4, 9, 16, 25]
# expect: 479976
