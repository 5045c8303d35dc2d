#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "tests/test_support.h"
#include "vm/builtins.h"
#include "vm/native_module.h"

using namespace gilsim;

namespace {

const NativeDef& function(const char* module, std::string_view name) {
  const NativeModule* m = find_native_module(module);
  REQUIRE(m != nullptr);
  for (const NativeDef* f : m->functions)
    if (f->name == name) return *f;
  FAIL("no function " << name);
  throw;
}

// Calls module.name(*args) on a thread state of `h` (a fresh one when null), as the eval loop
// would.
Value call(const char* module, std::string_view name, std::vector<Value> args,
           testing::Harness* h = nullptr) {
  const NativeDef& f = function(module, name);
  if (h) return f.fn(h->ts, args.data(), static_cast<int>(args.size()));
  testing::Harness fresh("pass\n");
  return f.fn(fresh.ts, args.data(), static_cast<int>(args.size()));
}

std::string error_of(const char* module, std::string_view name, std::vector<Value> args) {
  try {
    call(module, name, std::move(args));
  } catch (const ScriptError& e) {
    return e.type + ": " + e.what();
  }
  return "no error";
}

Value i(std::int64_t v) { return Value::integer(v); }
Value f(double v) { return Value::floating(v); }

}  // namespace

TEST_CASE("math: CPython's results (tests/python/math_module.py prints them under CPython)") {
  CHECK(call("math", "sqrt", {i(2)}).as_float() == 1.4142135623730951);
  CHECK(call("math", "isqrt", {i(99)}).as_int() == 9);
  CHECK(call("math", "isqrt", {i(INT64_MAX)}).as_int() == 3037000499);
  CHECK(call("math", "floor", {f(-2.5)}).as_int() == -3);
  CHECK(call("math", "ceil", {f(2.1)}).as_int() == 3);
  CHECK(call("math", "trunc", {f(-3.7)}).as_int() == -3);
  CHECK(call("math", "gcd", {i(84), i(36)}).as_int() == 12);
  CHECK(call("math", "lcm", {i(4), i(6)}).as_int() == 12);
  CHECK(call("math", "factorial", {i(10)}).as_int() == 3628800);
  CHECK(call("math", "comb", {i(10), i(3)}).as_int() == 120);
  CHECK(call("math", "comb", {i(60), i(30)}).as_int() == 118264581564861424);
  CHECK(call("math", "perm", {i(5), i(2)}).as_int() == 20);
  CHECK(call("math", "log", {f(M_E)}).as_float() == 1.0);
  CHECK(call("math", "log", {i(1024), i(2)}).as_float() == 10.0);
  CHECK(call("math", "log2", {i(8)}).as_float() == 3.0);
  CHECK(call("math", "log10", {i(1000)}).as_float() == 3.0);
  CHECK(call("math", "hypot", {i(3), i(4)}).as_float() == 5.0);
  CHECK(call("math", "degrees", {f(M_PI)}).as_float() == 180.0);
  CHECK(call("math", "pow", {i(2), i(10)}).as_float() == 1024.0);
  CHECK(call("math", "copysign", {i(3), f(-0.0)}).as_float() == -3.0);
  CHECK(call("math", "fmod", {i(7), i(3)}).as_float() == 1.0);
  CHECK(call("math", "remainder", {i(7), i(4)}).as_float() == -1.0);
  CHECK(call("math", "ldexp", {f(0.5), i(4)}).as_float() == 8.0);
  CHECK(call("math", "isclose", {f(0.1 + 0.2), f(0.3)}).as_bool());
  CHECK(call("math", "isnan", {f(NAN)}).as_bool());
}

TEST_CASE("math: CPython's errors; 64-bit overflow where CPython grows a big int") {
  CHECK(error_of("math", "sqrt", {i(-1)}) == "ValueError: math domain error");
  CHECK(error_of("math", "log", {i(0)}) == "ValueError: math domain error");
  CHECK(error_of("math", "isqrt", {i(-1)}) == "ValueError: isqrt() argument must be nonnegative");
  CHECK(error_of("math", "factorial", {i(-1)}) ==
        "ValueError: factorial() not defined for negative values");
  CHECK(error_of("math", "gcd", {f(1.5)}) ==
        "TypeError: 'float' object cannot be interpreted as an integer");
  CHECK(error_of("math", "sqrt", {make_str("x")}) == "TypeError: must be real number, not str");
  CHECK(error_of("math", "floor", {f(INFINITY)}) ==
        "OverflowError: cannot convert float infinity to integer");
  CHECK(error_of("math", "exp", {i(1000)}) == "OverflowError: math range error");
  CHECK(error_of("math", "factorial", {i(21)}).starts_with("OverflowError: integer overflow"));
  CHECK(call("math", "factorial", {i(20)}).as_int() == 2432902008176640000);
}

TEST_CASE("native modules: found by name, with their constants") {
  const NativeModule* m = find_native_module("math");
  REQUIRE(m != nullptr);
  bool pi = false;
  for (const auto& [name, value] : m->constants)
    if (name == "pi") pi = value.as_float() == M_PI;
  CHECK(pi);
  CHECK(find_native_module("socket") == nullptr);
}

TEST_CASE("time: sleep waits through the host; the clocks read the host's clock") {
  testing::Harness h("pass\n");
  double t0 = call("time", "perf_counter", {}, &h).as_float();
  std::int64_t n0 = call("time", "monotonic_ns", {}, &h).as_int();
  CHECK(call("time", "sleep", {f(0.02)}, &h).is_none());
  double t1 = call("time", "monotonic", {}, &h).as_float();
  CHECK(t1 - t0 >= 0.02);
  CHECK(call("time", "perf_counter_ns", {}, &h).as_int() - n0 >= 20'000'000);
  CHECK(call("time", "time", {}, &h).as_float() > 1767225600.0);  // 2026-01-01 plus the run
  CHECK(call("time", "time_ns", {}, &h).as_int() > 1767225600'000'000'000);
  CHECK(call("time", "sleep", {i(0)}, &h).is_none());
}

TEST_CASE("time: CPython's errors") {
  CHECK(error_of("time", "sleep", {i(-1)}) == "ValueError: sleep length must be non-negative");
  CHECK(error_of("time", "sleep", {make_str("x")}) ==
        "TypeError: 'str' object cannot be interpreted as an integer");
  CHECK(error_of("time", "sleep", {f(NAN)}) == "ValueError: Invalid value NaN (not a number)");
}

TEST_CASE("gilsim: the simulation builtins, the very same definitions") {
  const NativeModule* m = find_native_module("gilsim");
  REQUIRE(m != nullptr);
  for (const char* name : {"io", "native", "native_hold", "param", "now_ms", "thread_name"}) {
    const NativeDef& f = function("gilsim", name);
    bool same = false;
    for (const NativeDef* b : builtin_defs()) same = same || b == &f;
    CHECK_MESSAGE(same, name);
  }
  testing::Harness h("pass\n");
  double t0 = call("gilsim", "now_ms", {}, &h).as_float();
  call("gilsim", "io", {i(5)}, &h);
  CHECK(call("gilsim", "now_ms", {}, &h).as_float() - t0 >= 5.0);
  CHECK(call("gilsim", "param", {make_str("n"), i(7)}, &h).as_int() == 7);
}
