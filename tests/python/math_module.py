# math_module.py: the usual functions of the math module.
#   python3 tests/python/math_module.py
#   gilsim run tests/python/math_module.py
import math

print(math.pi, math.e, math.tau, math.inf, math.isnan(math.nan))
print(math.sqrt(2), math.isqrt(99), math.floor(-2.5), math.ceil(2.1), math.trunc(-3.7))
print(math.gcd(84, 36), math.lcm(4, 6), math.factorial(10), math.comb(10, 3), math.perm(5, 2))
print(math.log(math.e), math.log(1024, 2), math.log2(8), math.log10(1000), math.exp(0))
print(math.sin(0), math.cos(0), round(math.atan2(1, 1), 12), math.hypot(3, 4), math.degrees(math.pi))
print(math.fabs(-2), math.pow(2, 10), math.fsum([0.1] * 10), math.prod([1, 2, 3, 4]))
print(math.isclose(0.1 + 0.2, 0.3), math.isfinite(1e308), math.isinf(-math.inf), math.copysign(3, -0.0))
print(math.modf(2.5), math.frexp(8.0), math.ldexp(0.5, 4), math.fmod(7, 3), math.remainder(7, 4))
try:
    math.sqrt(-1)
except ValueError as e:
    print("ValueError:", e)
print(math.asinh(1), math.acosh(2), math.atanh(0.5), math.expm1(1e-5), math.log1p(1e-5))
print(math.erf(0.5), math.erfc(0.5), math.cbrt(8), math.exp2(3), math.gamma(5))
print(math.prod(range(1, 6)), math.isclose(1.0, 1.05, rel_tol=0.1), math.dist((1, 1), (4, 5)), math.ulp(1.0) == 2 ** -52)
for bad in (lambda: math.log(-1), lambda: math.acosh(0), lambda: math.exp(1000)):
    try:
        bad()
    except (ValueError, OverflowError) as e:
        print(type(e).__name__ + ":", e)

# Output under CPython 3.11, and under gilsim on both engines:
# expect: 3.141592653589793 2.718281828459045 6.283185307179586 inf True
# expect: 1.4142135623730951 9 -3 3 -3
# expect: 12 12 3628800 120 20
# expect: 1.0 10.0 3.0 3.0 1.0
# expect: 0.0 1.0 0.785398163397 5.0 180.0
# expect: 2.0 1024.0 1.0 24
# expect: True True True -3.0
# expect: (0.5, 2.0) (0.5, 4) 8.0 1.0 -1.0
# expect: ValueError: math domain error
# expect: 0.881373587019543 1.3169578969248166 0.5493061443340548 1.0000050000166668e-05 9.999950000333332e-06
# expect: 0.5204998778130465 0.4795001221869535 2.0 8.0 24.0
# expect: 120 True 5.0 True
# expect: ValueError: math domain error
# expect: ValueError: math domain error
# expect: OverflowError: math range error
