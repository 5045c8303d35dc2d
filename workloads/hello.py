# hello.py: the language on one screen.
#   gilsim run workloads/hello.py
#   gilsim run workloads/hello.py -D n=100
#   gilsim dis workloads/hello.py          (the bytecode behind it)
# Expect: the primes below n (default 50), fib(20) = 6765, and floats printed exactly as
# Python prints them. Plain Python 3 but for param() (-D n=100), from the gilsim module
# (tools/python/gilsim.py under CPython: PYTHONPATH=tools/python python3 workloads/hello.py).

from gilsim import param


def is_prime(k):
    if k < 2:
        return False
    d = 2
    while d * d <= k:
        if k % d == 0:
            return False
        d += 1
    return True


def fib(k):
    if k < 2:
        return k
    return fib(k - 1) + fib(k - 2)


n = param("n", 50)
primes = [k for k in range(n) if is_prime(k)]
print("primes below", n, ":", primes)
print("fib(20) =", fib(20))
print("0.1 + 0.2 =", 0.1 + 0.2, "and 7 // -2 =", 7 // -2)
