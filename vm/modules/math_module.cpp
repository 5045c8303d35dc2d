// The math module: CPython's functions on gilsim's values, with CPython's messages. Ints are
// 64-bit here, so factorial, comb, perm and lcm raise OverflowError where CPython would grow a
// big int (docs/language.md §2). fsum is CPython's exact summation (Shewchuk's partials, as
// Modules/mathmodule.c's math_fsum), so its last digit is CPython's.
#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <numeric>

#include "vm/containers.h"
#include "vm/errors.h"
#include "vm/iterators.h"
#include "vm/native_module.h"
#include "vm/operations.h"

namespace gilsim {

namespace {

double real(const Value& v) {
  if (!v.is_number()) raise("TypeError", fmt::format("must be real number, not {}", type_name(v)));
  return v.to_double();
}

std::int64_t integer(const Value& v) {
  if (!v.is_intlike())
    raise("TypeError",
          fmt::format("'{}' object cannot be interpreted as an integer", type_name(v)));
  return v.as_int();
}

[[noreturn]] void domain_error() { raise("ValueError", "math domain error"); }
[[noreturn]] void overflow() {
  raise("OverflowError", "integer overflow: the result does not fit in 64 bits");
}

// A float result: nan from finite arguments is a domain error, inf from finite ones a range error,
// as CPython's math_1 reports them.
Value checked(double r, std::initializer_list<double> args) {
  bool finite_args = true;
  for (double a : args) finite_args = finite_args && std::isfinite(a);
  if (std::isnan(r) && finite_args) domain_error();
  if (std::isinf(r) && finite_args) raise("OverflowError", "math range error");
  return Value::floating(r);
}

// floor/ceil/trunc of a float to an int, as CPython's (inf and nan cannot become ints).
Value to_int(double r) { return Value::integer(int_of_float(r)); }

std::int64_t mul(std::int64_t a, std::int64_t b) {
  std::int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) overflow();
  return r;
}

#define UNARY(NAME, EXPR)                          \
  Value m_##NAME(ThreadState&, Value* args, int) { \
    double x = real(args[0]);                      \
    return checked(EXPR, {x});                     \
  }                                                \
  const NativeDef d_##NAME{#NAME, m_##NAME, 1, 1, false};

UNARY(exp, std::exp(x))
UNARY(sin, std::sin(x))
UNARY(cos, std::cos(x))
UNARY(tan, std::tan(x))
UNARY(asin, std::asin(x))
UNARY(acos, std::acos(x))
UNARY(atan, std::atan(x))
UNARY(sinh, std::sinh(x))
UNARY(cosh, std::cosh(x))
UNARY(tanh, std::tanh(x))
UNARY(fabs, std::fabs(x))
UNARY(asinh, std::asinh(x))
UNARY(acosh, std::acosh(x))
UNARY(atanh, std::fabs(x) >= 1 ? std::nan("") : std::atanh(x))  // atanh(1): domain error
UNARY(expm1, std::expm1(x))
UNARY(erf, std::erf(x))
UNARY(erfc, std::erfc(x))
UNARY(cbrt, std::cbrt(x))
UNARY(exp2, std::exp2(x))
UNARY(degrees, x*(180.0 / std::numbers::pi))
UNARY(radians, x*(std::numbers::pi / 180.0))
#undef UNARY

Value m_sqrt(ThreadState&, Value* args, int) {
  double x = real(args[0]);
  if (x < 0) domain_error();
  return Value::floating(std::sqrt(x));
}

Value log_of(double x) {
  if (!(x > 0) && !std::isnan(x)) domain_error();
  return Value::floating(std::log(x));
}

Value m_log(ThreadState&, Value* args, int n) {
  double x = real(args[0]);
  if (n == 1) return log_of(x);
  double base = real(args[1]);
  double num = log_of(x).as_float();
  double den = log_of(base).as_float();
  if (den == 0.0) raise("ZeroDivisionError", "float division by zero");
  return Value::floating(num / den);
}

Value m_log2(ThreadState&, Value* args, int) {
  double x = real(args[0]);
  if (!(x > 0) && !std::isnan(x)) domain_error();
  return Value::floating(std::log2(x));
}

Value m_log10(ThreadState&, Value* args, int) {
  double x = real(args[0]);
  if (!(x > 0) && !std::isnan(x)) domain_error();
  return Value::floating(std::log10(x));
}

Value m_pow(ThreadState&, Value* args, int) {
  double x = real(args[0]);
  double y = real(args[1]);
  if (x == 0.0 && y < 0.0) domain_error();
  return checked(std::pow(x, y), {x, y});
}

Value m_atan2(ThreadState&, Value* args, int) {
  return Value::floating(std::atan2(real(args[0]), real(args[1])));
}

Value m_hypot(ThreadState&, Value* args, int n) {
  double r = 0.0;
  for (int i = 0; i < n; ++i) r = std::hypot(r, real(args[i]));
  return Value::floating(r);
}

Value m_copysign(ThreadState&, Value* args, int) {
  return Value::floating(std::copysign(real(args[0]), real(args[1])));
}

Value m_fmod(ThreadState&, Value* args, int) {
  double x = real(args[0]);
  double y = real(args[1]);
  if (y == 0.0 && !std::isnan(x)) domain_error();
  if (std::isinf(x) && !std::isnan(y)) domain_error();
  return Value::floating(std::fmod(x, y));
}

Value m_remainder(ThreadState&, Value* args, int) {
  double x = real(args[0]);
  double y = real(args[1]);
  if ((y == 0.0 || std::isinf(x)) && !std::isnan(x) && !std::isnan(y)) domain_error();
  return Value::floating(std::remainder(x, y));
}

Value m_ldexp(ThreadState&, Value* args, int) {
  double x = real(args[0]);
  std::int64_t e = integer(args[1]);
  if (e > 100000) e = 100000;  // far past the range either way; keeps the int argument small
  if (e < -100000) e = -100000;
  return checked(std::ldexp(x, static_cast<int>(e)), {x});
}

Value m_floor(ThreadState&, Value* args, int) {
  if (args[0].is_intlike()) return Value::integer(args[0].as_int());
  return to_int(std::floor(real(args[0])));
}

Value m_ceil(ThreadState&, Value* args, int) {
  if (args[0].is_intlike()) return Value::integer(args[0].as_int());
  return to_int(std::ceil(real(args[0])));
}

Value m_trunc(ThreadState&, Value* args, int) {
  if (args[0].is_intlike()) return Value::integer(args[0].as_int());
  return to_int(std::trunc(real(args[0])));
}

Value m_isqrt(ThreadState&, Value* args, int) {
  std::int64_t n = integer(args[0]);
  if (n < 0) raise("ValueError", "isqrt() argument must be nonnegative");
  auto r = static_cast<std::int64_t>(std::sqrt(static_cast<double>(n)));
  while (r > 0 && (r > n / r)) --r;  // r*r <= n, without overflowing
  while ((r + 1) <= n / (r + 1)) ++r;
  return Value::integer(r);
}

Value m_gcd(ThreadState&, Value* args, int n) {
  std::int64_t g = 0;
  for (int i = 0; i < n; ++i) {
    std::int64_t v = integer(args[i]);
    if (v == std::numeric_limits<std::int64_t>::min()) overflow();
    g = std::gcd(g, v < 0 ? -v : v);
  }
  return Value::integer(g);
}

Value m_lcm(ThreadState&, Value* args, int n) {
  std::int64_t l = 1;
  for (int i = 0; i < n; ++i) {
    std::int64_t v = integer(args[i]);
    if (v == std::numeric_limits<std::int64_t>::min()) overflow();
    v = v < 0 ? -v : v;
    if (v == 0) return Value::integer(0);
    l = mul(l / std::gcd(l, v), v);
  }
  return Value::integer(l);
}

Value m_factorial(ThreadState&, Value* args, int) {
  std::int64_t n = integer(args[0]);
  if (n < 0) raise("ValueError", "factorial() not defined for negative values");
  std::int64_t r = 1;
  for (std::int64_t i = 2; i <= n; ++i) r = mul(r, i);
  return Value::integer(r);
}

// perm(n, k) = n! / (n-k)!; comb(n, k) = perm(n, k) / k!, computed so that every step is exact.
Value m_perm(ThreadState&, Value* args, int nargs) {
  std::int64_t n = integer(args[0]);
  std::int64_t k = nargs > 1 && !args[1].is_none() ? integer(args[1]) : n;
  if (n < 0) raise("ValueError", "n must be a non-negative integer");
  if (k < 0) raise("ValueError", "k must be a non-negative integer");
  if (k > n) return Value::integer(0);
  std::int64_t r = 1;
  for (std::int64_t i = 0; i < k; ++i) r = mul(r, n - i);
  return Value::integer(r);
}

Value m_comb(ThreadState&, Value* args, int) {
  std::int64_t n = integer(args[0]);
  std::int64_t k = integer(args[1]);
  if (n < 0) raise("ValueError", "n must be a non-negative integer");
  if (k < 0) raise("ValueError", "k must be a non-negative integer");
  if (k > n) return Value::integer(0);
  if (k > n - k) k = n - k;
  std::int64_t r = 1;
  for (std::int64_t i = 1; i <= k; ++i) {
    // r * (n - k + i) / i is exact at every step; divide by the gcd first to delay overflow.
    std::int64_t num = n - k + i;
    std::int64_t g = std::gcd(r, i);
    r = mul(r / g, num / (i / g));
  }
  return Value::integer(r);
}

Value m_log1p(ThreadState&, Value* args, int) {
  double x = real(args[0]);
  if (x <= -1.0) domain_error();
  return Value::floating(std::log1p(x));
}

// gamma and lgamma: the poles (0 and the negative integers) are domain errors, as CPython's.
bool gamma_pole(double x) { return x <= 0 && std::isfinite(x) && x == std::floor(x); }
Value m_gamma(ThreadState&, Value* args, int) {
  double x = real(args[0]);
  if (gamma_pole(x) || x == -std::numeric_limits<double>::infinity()) domain_error();
  return checked(std::tgamma(x), {x});
}
Value m_lgamma(ThreadState&, Value* args, int) {
  double x = real(args[0]);
  if (gamma_pole(x)) domain_error();
  return checked(std::lgamma(x), {x});
}

Value m_modf(ThreadState&, Value* args, int) {
  double x = real(args[0]);
  if (std::isinf(x))
    return make_tuple({Value::floating(std::copysign(0.0, x)), Value::floating(x)});
  double whole;
  double frac = std::modf(x, &whole);
  return make_tuple({Value::floating(frac), Value::floating(whole)});
}

Value m_frexp(ThreadState&, Value* args, int) {
  double x = real(args[0]);
  int e = 0;
  double m = (std::isnan(x) || std::isinf(x) || x == 0) ? x : std::frexp(x, &e);
  return make_tuple({Value::floating(m), Value::integer(e)});
}

Value m_nextafter(ThreadState&, Value* args, int) {
  return Value::floating(std::nextafter(real(args[0]), real(args[1])));
}

Value m_ulp(ThreadState&, Value* args, int) {
  double x = std::fabs(real(args[0]));
  if (std::isnan(x) || std::isinf(x)) return Value::floating(x);
  double up = std::nextafter(x, std::numeric_limits<double>::infinity());
  if (std::isinf(up)) return Value::floating(x - std::nextafter(x, 0.0));
  return Value::floating(up - x);
}

// dist(p, q): the Euclidean distance of two points given as sequences of one length.
Value m_dist(ThreadState& ts, Value* args, int) {
  std::vector<Value> p = collect(ts, args[0]);
  std::vector<Value> q = collect(ts, args[1]);
  if (p.size() != q.size())
    raise("ValueError", "both points must have the same number of dimensions");
  double sum = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    double d = real(p[i]) - real(q[i]);
    sum += d * d;
  }
  return Value::floating(std::sqrt(sum));
}

// fsum(iterable): the correctly rounded sum, by CPython's algorithm: exact partial sums that do
// not overlap (Shewchuk), then a half-even correction of the last rounding.
Value m_fsum(ThreadState& ts, Value* args, int) {
  std::vector<double> partials;
  double special_sum = 0.0, inf_sum = 0.0;
  for (const Value& item : collect(ts, args[0])) {
    double x = real(item);
    double xsave = x;
    std::size_t i = 0;
    for (double y : partials) {
      if (std::fabs(x) < std::fabs(y)) std::swap(x, y);
      double hi = x + y;
      double lo = y - (hi - x);
      if (lo != 0.0) partials[i++] = lo;
      x = hi;
    }
    partials.resize(i);
    if (x != 0.0) {
      if (!std::isfinite(x)) {
        // a nonfinite x is an intermediate overflow (finite xsave) or an inf/nan item
        if (std::isfinite(xsave)) raise("OverflowError", "intermediate overflow in fsum");
        if (std::isinf(xsave)) inf_sum += xsave;
        special_sum += xsave;
        partials.clear();
      } else {
        partials.push_back(x);
      }
    }
  }
  if (special_sum != 0.0) {
    if (std::isnan(inf_sum)) raise("ValueError", "-inf + inf in fsum");
    return Value::floating(special_sum);
  }
  double hi = 0.0;
  std::size_t n = partials.size();
  if (n > 0) {
    hi = partials[--n];
    double lo = 0;
    while (n > 0) {
      double x = hi;
      double y = partials[--n];
      hi = x + y;
      double yr = hi - x;
      lo = y - yr;
      if (lo != 0.0) break;
    }
    if (n > 0 && ((lo < 0.0 && partials[n - 1] < 0.0) || (lo > 0.0 && partials[n - 1] > 0.0))) {
      double y = lo * 2.0;
      double x = hi + y;
      double yr = x - hi;
      if (y == yr) hi = x;
    }
  }
  return Value::floating(hi);
}

// prod(iterable, *, start=1): the product with `*`, so ints stay ints.
Value m_prod(ThreadState& ts, Value* args, int, const KwArgs& kw) {
  check_keywords("prod", kw, {"start"});
  const Value* start = kw.find("start");
  Value total = start ? *start : Value::integer(1);
  for (const Value& v : collect(ts, args[0])) total = binary_op(ts, Op::BINARY_MULTIPLY, total, v);
  return total;
}

Value m_isfinite(ThreadState&, Value* args, int) {
  return Value::boolean(std::isfinite(real(args[0])));
}
Value m_isinf(ThreadState&, Value* args, int) { return Value::boolean(std::isinf(real(args[0]))); }
Value m_isnan(ThreadState&, Value* args, int) { return Value::boolean(std::isnan(real(args[0]))); }

// isclose(a, b, *, rel_tol=1e-09, abs_tol=0.0), as CPython's.
Value m_isclose(ThreadState&, Value* args, int, const KwArgs& kw) {
  check_keywords("isclose", kw, {"rel_tol", "abs_tol"});
  double a = real(args[0]);
  double b = real(args[1]);
  const Value* rel = kw.find("rel_tol");
  const Value* abs = kw.find("abs_tol");
  double rel_tol = rel ? real(*rel) : 1e-09;
  double abs_tol = abs ? real(*abs) : 0.0;
  if (rel_tol < 0.0 || abs_tol < 0.0) raise("ValueError", "tolerances must be non-negative");
  if (a == b) return Value::boolean(true);
  if (std::isinf(a) || std::isinf(b)) return Value::boolean(false);
  double diff = std::fabs(b - a);
  return Value::boolean(diff <= std::fabs(rel_tol * b) || diff <= std::fabs(rel_tol * a) ||
                        diff <= abs_tol);
}

const NativeDef d_sqrt{"sqrt", m_sqrt, 1, 1, false};
const NativeDef d_log{"log", m_log, 1, 2, false};
const NativeDef d_log2{"log2", m_log2, 1, 1, false};
const NativeDef d_log10{"log10", m_log10, 1, 1, false};
const NativeDef d_pow{"pow", m_pow, 2, 2, false};
const NativeDef d_atan2{"atan2", m_atan2, 2, 2, false};
const NativeDef d_hypot{"hypot", m_hypot, 0, -1, false};
const NativeDef d_copysign{"copysign", m_copysign, 2, 2, false};
const NativeDef d_fmod{"fmod", m_fmod, 2, 2, false};
const NativeDef d_remainder{"remainder", m_remainder, 2, 2, false};
const NativeDef d_ldexp{"ldexp", m_ldexp, 2, 2, false};
const NativeDef d_floor{"floor", m_floor, 1, 1, false};
const NativeDef d_ceil{"ceil", m_ceil, 1, 1, false};
const NativeDef d_trunc{"trunc", m_trunc, 1, 1, false};
const NativeDef d_isqrt{"isqrt", m_isqrt, 1, 1, false};
const NativeDef d_gcd{"gcd", m_gcd, 0, -1, false};
const NativeDef d_lcm{"lcm", m_lcm, 0, -1, false};
const NativeDef d_factorial{"factorial", m_factorial, 1, 1, false};
const NativeDef d_perm{"perm", m_perm, 1, 2, false};
const NativeDef d_comb{"comb", m_comb, 2, 2, false};
const NativeDef d_isfinite{"isfinite", m_isfinite, 1, 1, false};
const NativeDef d_isinf{"isinf", m_isinf, 1, 1, false};
const NativeDef d_isnan{"isnan", m_isnan, 1, 1, false};
const NativeDef d_isclose{"isclose", nullptr, 2, 2, false, m_isclose};
const NativeDef d_log1p{"log1p", m_log1p, 1, 1, false};
const NativeDef d_gamma{"gamma", m_gamma, 1, 1, false};
const NativeDef d_lgamma{"lgamma", m_lgamma, 1, 1, false};
const NativeDef d_modf{"modf", m_modf, 1, 1, false};
const NativeDef d_frexp{"frexp", m_frexp, 1, 1, false};
const NativeDef d_nextafter{"nextafter", m_nextafter, 2, 2, false};
const NativeDef d_ulp{"ulp", m_ulp, 1, 1, false};
const NativeDef d_dist{"dist", m_dist, 2, 2, false};
const NativeDef d_fsum{"fsum", m_fsum, 1, 1, false};
const NativeDef d_prod{"prod", nullptr, 1, 1, false, m_prod};

}  // namespace

const NativeModule& math_module() {
  static const NativeModule m{
      "math",
      {&d_sqrt,  &d_isqrt,     &d_exp,   &d_log,       &d_log2,    &d_log10,     &d_pow,
       &d_sin,   &d_cos,       &d_tan,   &d_asin,      &d_acos,    &d_atan,      &d_atan2,
       &d_sinh,  &d_cosh,      &d_tanh,  &d_hypot,     &d_degrees, &d_radians,   &d_fabs,
       &d_floor, &d_ceil,      &d_trunc, &d_gcd,       &d_lcm,     &d_factorial, &d_perm,
       &d_comb,  &d_copysign,  &d_fmod,  &d_remainder, &d_ldexp,   &d_isfinite,  &d_isinf,
       &d_isnan, &d_isclose,   &d_asinh, &d_acosh,     &d_atanh,   &d_expm1,     &d_log1p,
       &d_erf,   &d_erfc,      &d_gamma, &d_lgamma,    &d_cbrt,    &d_exp2,      &d_modf,
       &d_frexp, &d_nextafter, &d_ulp,   &d_dist,      &d_fsum,    &d_prod},
      {{"pi", Value::floating(std::numbers::pi)},
       {"e", Value::floating(std::numbers::e)},
       {"tau", Value::floating(2 * std::numbers::pi)},
       {"inf", Value::floating(std::numeric_limits<double>::infinity())},
       {"nan", Value::floating(std::numeric_limits<double>::quiet_NaN())}}};
  return m;
}

}  // namespace gilsim
