#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "tests/engine_support.h"
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
  testing::Harness fresh("pass\n");
  ThreadState& ts = h ? h->ts : fresh.ts;
  auto n = static_cast<int>(args.size());
  return f.fn_kw ? f.fn_kw(ts, args.data(), n, KwArgs{}) : f.fn(ts, args.data(), n);
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

TEST_CASE("math: fsum is exact as CPython's; modf, frexp, prod, isclose's tolerances") {
  CHECK(
      testing::run_ok("import math\n"
                      "print(math.fsum([0.1] * 10), math.fsum([1e100, 1.0, -1e100, 1e-100, 1e50, "
                      "-1.0, -1e50]))\n"
                      "print(math.modf(-2.5), math.frexp(-0.0), math.prod([2, 3], start=4))\n"
                      "print(math.isclose(1.0, 1.1, rel_tol=0.2), math.isclose(1, 1.05, "
                      "abs_tol=0.1), math.isclose(1, 1.05))\n"
                      "print(math.gamma(5), math.erf(1), math.exp2(10))\n"
                      "print(math.ulp(1.0), math.dist((0, 0), (3, 4)), math.nextafter(1, 2))\n") ==
      "1.0 1e-100\n(-0.5, -2.0) (-0.0, 0) 24\nTrue True False\n"
      "24.0 0.8427007929497149 1024.0\n"
      "2.220446049250313e-16 5.0 1.0000000000000002\n");
  CHECK(error_of("math", "atanh", {i(1)}) == "ValueError: math domain error");
  CHECK(error_of("math", "gamma", {i(0)}) == "ValueError: math domain error");
  CHECK(error_of("math", "log1p", {i(-1)}) == "ValueError: math domain error");
  CHECK(error_of("math", "fsum", {i(3)}) == "TypeError: 'int' object is not iterable");
  CHECK(testing::run_failing("import math\nmath.fsum([1e308, 1e308])\n").message ==
        "intermediate overflow in fsum");
  CHECK(testing::run_failing("import math\nmath.isclose(1, 2, rel_tol=-1)\n").message ==
        "tolerances must be non-negative");
}

TEST_CASE("_random: CPython's Mersenne Twister, seeding and getrandbits, bit for bit") {
  // The numbers CPython 3.11 prints for the same calls.
  CHECK(testing::run_ok("import random\nrandom.seed(42)\nprint(random.random())\n"
                        "print(random.getrandbits(40))\nr = random.Random(7)\nprint(r.random())\n"
                        "s = r.getstate()\na = r.random()\nr.setstate(s)\nprint(r.random() == a)\n"
                        "print(len(s[1]), s[1][-1])\n") ==
        "0.6394267984578837\n811856239313\n0.32383276483316237\nTrue\n625 2\n");
  // 1000 draws cross the regeneration of the 624 words.
  CHECK(testing::run_ok("import random\nr = random.Random(1)\nfor _ in range(1000):\n"
                        "    x = r.random()\nprint(x)\n") == "0.7062615472551386\n");
  CHECK(testing::run_failing("import random\nrandom.getrandbits(-1)\n").message ==
        "number of bits must be non-negative");
  CHECK(testing::run_failing("import random\nrandom.setstate((3, (1, 2), None))\n").message ==
        "state vector is the wrong size");
  CHECK(testing::run_failing("import random\nrandom.choice([])\n").message ==
        "Cannot choose from an empty sequence");
}

TEST_CASE("sys: setrecursionlimit moves the frame limit; exit raises SystemExit with its code") {
  CHECK(
      testing::run_ok("import sys\nsys.setrecursionlimit(50)\n"
                      "def f(n):\n    return f(n + 1)\n"
                      "try:\n    f(0)\nexcept RecursionError as e:\n    print(e)\n"
                      "print(sys.getrecursionlimit())\n"
                      "try:\n    sys.exit(3)\nexcept SystemExit as e:\n    print(e.code, e.args)\n"
                      "try:\n    sys.exit()\nexcept SystemExit as e:\n    print(e.code, e.args)\n"
                      "print(sys.stdout.write('abc\\n'))\n"
                      "print(sys.version_info[:2] >= (3, 11), sys.version_info.major, "
                      "tuple(sys.version_info)[:3])\n") ==
      "maximum recursion depth exceeded\n50\n3 (3,)\nNone ()\nabc\n4\nTrue 3 (3, 11, 0)\n");
  CHECK(testing::run_failing("import sys\nsys.setrecursionlimit(0)\n").message ==
        "recursion limit must be greater or equal than 1");
  CHECK(testing::run_failing("def f():\n    import sys\n    sys.setrecursionlimit(2)\nf()\n")
            .message ==
        "cannot set the recursion limit to 2 at the recursion depth 3: the limit "
        "is too low");
  CHECK(testing::run_failing("import sys\nsys.stdout.write(3)\n").message ==
        "write() argument must be str, not int");
}

TEST_CASE("threading.local: attributes set, read and deleted; a subclass is per-thread too") {
  // Other threads' views: tests/python/thread_local.py, on both engines.
  CHECK(testing::run_ok("import threading\nd = threading.local()\nd.x = 1\nprint(d.x)\n"
                        "del d.x\nprint(hasattr(d, 'x'))\n"
                        "class Sub(threading.local):\n    def get(self):\n        return self.y\n"
                        "s = Sub()\ns.y = 5\nprint(s.get(), isinstance(s, threading.local))\n") ==
        "1\nFalse\n5 True\n");
  CHECK(testing::run_failing("import threading\nd = threading.local()\nprint(d.nope)\n").message ==
        "'_thread._local' object has no attribute 'nope'");
}

TEST_CASE("time: thread_time and process_time read the host's CPU clocks") {
  testing::Harness h("pass\n");
  double t0 = call("time", "thread_time", {}, &h).as_float();
  double p0 = call("time", "process_time", {}, &h).as_float();
  volatile double sink = 0;
  for (int k = 0; k < 20'000'000; ++k) sink = sink + k;  // CPU time, on this very thread
  CHECK(call("time", "thread_time", {}, &h).as_float() > t0);
  CHECK(call("time", "process_time", {}, &h).as_float() >= p0);
  CHECK(call("time", "thread_time_ns", {}, &h).is_intlike());
}

TEST_CASE("_process: its handles are checked") {
  CHECK(error_of("_process", "exitcode", {i(1)}) ==
        "TypeError: exitcode() expects a process handle, not int");
  CHECK(error_of("_process", "join", {i(1)}) ==
        "TypeError: join() expects a process handle, not int");
}

TEST_CASE("time on the sim engine: thread_time is time on a core, process_time the interpreter's") {
  const char* script = R"(
import threading, time
from gilsim import native
def sleeper():
    time.sleep(0.05)
    print("sleeper", time.thread_time() < 0.001)
def burner():
    native(30)
    print("burner", time.thread_time() >= 0.030)
ts = [threading.Thread(target=sleeper), threading.Thread(target=burner)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print("process", time.process_time() >= 0.030 + time.thread_time())
)";
  EngineOptions options;
  test::EngineRun r = test::run_on_sim("modern", script, 4, options);
  CHECK(r.err == "");
  CHECK(r.out == "burner True\nsleeper True\nprocess True\n");
  // and exactly the same figures on a second run (virtual time)
  const char* figures =
      "import time\nfrom gilsim import native\nnative(7)\n"
      "print(time.thread_time_ns(), time.process_time_ns())\n";
  CHECK(test::run_on_sim("modern", figures).out == test::run_on_sim("modern", figures).out);
}

TEST_CASE("random without a seed: the sim engine's --seed seeds it, so runs repeat") {
  // random's own generator is seeded with --seed, the next unseeded Random() with --seed + 1...
  const char* script =
      "import random\nprint(random.random() == random.Random(SEED).random())\n"
      "a, b = random.Random(), random.Random()\n"
      "print(a.random() == random.Random(SEED + 1).random(), b.random() != a.random())\n";
  for (int seed : {5, 6}) {
    EngineOptions options;
    options.sim.seed = static_cast<std::uint64_t>(seed);
    std::string text = script;
    for (int k = 0; k < 2; ++k) text.replace(text.find("SEED"), 4, std::to_string(seed));
    CHECK(test::run_on_sim("modern", text, 4, options).out == "True\nTrue True\n");
  }
}

TEST_CASE("threading.local and multiprocessing's exit codes, on both engines") {
  const char* script = R"(
import threading
from multiprocessing import Process
d = threading.local()
d.x = "main"
def w(n):
    print(n, hasattr(d, "x"))
    d.x = n
def fail():
    raise ValueError("child failing")
t = threading.Thread(target=w, args=(1,))
t.start()
t.join()
print(d.x)
p = Process(target=fail)
print(p.exitcode)
p.start()
p.join()
print(p.exitcode, p.is_alive())
)";
  for (const char* engine : {"threads", "sim"}) {
    EngineOptions options;
    options.engine = engine;
    test::EngineRun r = test::run_on_engine("modern", script, options);
    CHECK_MESSAGE(r.out == "1 False\nmain\nNone\n1 False\n", engine);
    CHECK_MESSAGE(r.err.find("ValueError: child failing") != std::string::npos, engine);
  }
}

TEST_CASE("an uncaught SystemExit: no traceback, its code is the run's exit status") {
  for (const char* engine : {"threads", "sim"}) {
    EngineOptions options;
    options.engine = engine;
    test::EngineRun r = test::run_on_engine(
        "modern",
        "import sys, threading\nt = threading.Thread(target=sys.exit, args=(4,))\nt.start()\n"
        "t.join()\nprint('main')\nsys.exit(3)\n",
        options);
    CHECK_MESSAGE(r.out == "main\n", engine);
    CHECK_MESSAGE(r.err == "", engine);
    CHECK_MESSAGE(r.record.exit_code == 3, engine);
    CHECK_MESSAGE(
        test::run_on_engine("modern", "import sys\nsys.exit()\n", options).record.exit_code == 0,
        engine);
    test::EngineRun m = test::run_on_engine("modern", "import sys\nsys.exit('bye')\n", options);
    CHECK_MESSAGE(m.record.exit_code == 1, engine);
    CHECK_MESSAGE(m.err == "bye\n", engine);
  }
}
