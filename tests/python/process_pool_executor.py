# process_pool_executor.py: the ProcessPoolExecutor example of the concurrent.futures docs, with
# smaller numbers: each worker is a process with its own GIL, so CPU-bound checks run in parallel.
#   python3 tests/python/process_pool_executor.py
#   gilsim run tests/python/process_pool_executor.py --engine sim --cores 4
import concurrent.futures
import math

PRIMES = [1_278_699, 1_000_003, 999_983, 1_000_033, 4_000_037]


def is_prime(n):
    if n < 2:
        return False
    if n == 2:
        return True
    if n % 2 == 0:
        return False
    sqrt_n = int(math.floor(math.sqrt(n)))
    for i in range(3, sqrt_n + 1, 2):
        if n % i == 0:
            return False
    return True


def main():
    with concurrent.futures.ProcessPoolExecutor(max_workers=2) as executor:
        for number, prime in zip(PRIMES, executor.map(is_prime, PRIMES)):
            print("%d is prime: %s" % (number, prime))
        future = executor.submit(pow, 2, 20)
        print("submit(pow, 2, 20):", future.result())


if __name__ == "__main__":
    main()

# Output under CPython 3.11, and under gilsim on both engines:
# expect: 1278699 is prime: False
# expect: 1000003 is prime: True
# expect: 999983 is prime: True
# expect: 1000033 is prime: True
# expect: 4000037 is prime: True
# expect: submit(pow, 2, 20): 1048576
