// The cycle collector (vm/cycle_collector.h): garbage cycles of every kind are freed during the
// run, what is still reachable (however: a global, a frame, a container, an object whose type
// does not traverse) survives, and gc.collect/enable/disable behave as CPython's.
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "test_support.h"
#include "vm/cycle_collector.h"
#include "vm/memory_budget.h"
#include "vm/run_limits.h"

namespace {

using gilsim::Limits;
using gilsim::RunLimits;
using gilsim::RunResult;
using gilsim::testing::Harness;
using gilsim::testing::run_ok;

// Each round makes garbage cycles of each kind that can hold references: a list, a dict, a set
// of a tuple, two instances, an exception, a closure, a bound method, a class and its method.
constexpr const char* kGarbageLoop = R"(
class Node:
    def __init__(self):
        self.peer = None
    def hello(self):
        return 1

def closure():
    def again():
        return again
    return again

def round(i):
    l = []
    l.append(l)
    d = {}
    d["me"] = d
    t = ([],)
    t[0].append(t)
    a = Node()
    b = Node()
    a.peer = b
    b.peer = a
    e = ValueError(i)
    e.me = e
    closure()
    a.method = a.hello
    class Local:
        def m(self):
            return self
    return i

for i in range(ROUNDS):
    round(i)
print("done")
)";

std::string garbage_loop(int rounds, const std::string& before = "") {
  std::string text = before + kGarbageLoop;
  text.replace(text.find("ROUNDS"), 6, std::to_string(rounds));
  return text;
}

// A run whose objects may hold at most `bytes`.
RunResult run_with_memory(Harness& h, std::uint64_t bytes) {
  Limits limits;
  limits.max_memory = bytes;
  h.interp.limits = std::make_shared<RunLimits>(limits);
  return h.run();
}

}  // namespace

TEST_CASE("garbage cycles are freed during the run, so a loop of them fits a small budget") {
  // 20,000 rounds of garbage cycles hold over 8 MB by the budget's rule if never freed (and
  // about 55 MB of the process's RSS).
  Harness h(garbage_loop(20000));
  RunResult r = run_with_memory(h, 4 << 20);
  REQUIRE_FALSE(r.failure);
  CHECK(h.host.output() == "done\n");
  CHECK(h.interp.limits->memory().peak() < 2 << 20);

  // The same loop with automatic collection off: the cycles pile up until MemoryError.
  Harness off(garbage_loop(20000, "import gc\ngc.disable()\n"));
  RunResult r2 = run_with_memory(off, 4 << 20);
  REQUIRE(r2.failure);
  CHECK(r2.failure->type == "MemoryError");
}

TEST_CASE("gc.collect counts what it frees; what is reachable survives") {
  std::string out = run_ok(R"(
import gc

class Node:
    def __init__(self, name):
        self.name = name
        self.peer = None

gc.disable()
print(gc.isenabled())
a = []
a.append(a)
a = None
print(gc.collect())
print(gc.collect())

# Reachable cycles, held in every way there is: a global, a live list, a frame's local, an
# iterator (a type the collector does not traverse), a generator's frame, a closure.
kept = Node("global")
kept.peer = kept
holder = [Node("in a list")]
holder[0].peer = holder[0]
inner = Node("behind an iterator")
inner.peer = inner
it = iter([inner])
inner = None

def gen():
    n = Node("in a generator")
    n.peer = n
    yield n.peer.name

g = gen()

def counter():
    box = {"n": 0}
    def bump():
        box["n"] += 1
        box["f"] = bump
        return box["n"]
    return bump

bump = counter()
bump()

def local_cycle():
    mine = Node("a frame's local")
    mine.peer = mine
    gc.collect()
    return mine.peer.name

print(local_cycle())
print(gc.collect())
print(kept.peer.name, holder[0].peer.name, next(it).peer.name, next(g), bump())
gc.enable()
print(gc.isenabled())
)");
  CHECK(out ==
        "False\n1\n0\na frame's local\n1\nglobal in a list behind an iterator in a generator 2\n"
        "True\n");
}
