// Values and heap objects: inline values, reference counting through copies and moves, freeing
// (including lists nested a million deep, without recursion), type names and ranges.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "test_support.h"
#include "vm/memory_budget.h"
#include "vm/objects.h"
#include "vm/sim_objects.h"
#include "vm/value.h"

namespace {

using gilsim::BoundMethodObj;
using gilsim::ListObj;
using gilsim::make_list;
using gilsim::make_str;
using gilsim::Obj;
using gilsim::ObjType;
using gilsim::RangeObj;
using gilsim::StrObj;
using gilsim::Tag;
using gilsim::type_name;
using gilsim::Value;
using gilsim::testing::run_failing;
using gilsim::testing::run_ok;

// A heap object that reports its own destruction.
struct Probe final : Obj {
  explicit Probe(int* destroyed) : Obj(ObjType::Queue), destroyed(destroyed) {}
  ~Probe() override { ++*destroyed; }
  int* destroyed;
};

constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
constexpr auto kMax = std::numeric_limits<std::int64_t>::max();

TEST_CASE("inline values carry their tag and payload") {
  static_assert(sizeof(Value) == 16);
  Value none;
  CHECK(none.is_none());
  CHECK(none.tag() == Tag::None);
  CHECK(Value::boolean(true).as_bool());
  CHECK(Value::boolean(true).is_intlike());
  CHECK(Value::boolean(true).as_int() == 1);  // bool takes part in arithmetic as 0 and 1
  CHECK_FALSE(Value::boolean(false).is_int());
  CHECK(Value::integer(kMin).as_int() == kMin);
  CHECK(Value::integer(kMax).as_int() == kMax);
  CHECK(Value::integer(-7).to_double() == -7.0);
  CHECK(Value::floating(2.5).as_float() == 2.5);
  CHECK(Value::floating(2.5).is_number());
  CHECK_FALSE(Value::floating(2.5).is_intlike());
  CHECK(Value::unset().is_unset());
  CHECK_FALSE(Value::unset().is_none());
  Value i = Value::integer(5);
  i.set_int_unchecked(6);
  CHECK(i.as_int() == 6);
}

TEST_CASE("identity is same kind and same payload") {
  CHECK(Value::integer(1).identical(Value::integer(1)));
  CHECK_FALSE(Value::integer(1).identical(Value::boolean(true)));  // 1 is not True
  CHECK_FALSE(Value::integer(0).identical(Value::floating(0.0)));
  CHECK(Value::none().identical(Value()));
  Value a = make_str("x");
  Value b = a;
  Value c = make_str("x");
  CHECK(a.identical(b));
  CHECK_FALSE(a.identical(c));  // equal text, different objects
}

TEST_CASE("type names as Python prints them") {
  CHECK(type_name(Value()) == "NoneType");
  CHECK(type_name(Value::boolean(false)) == "bool");
  CHECK(type_name(Value::integer(1)) == "int");
  CHECK(type_name(Value::floating(1)) == "float");
  CHECK(type_name(make_str("")) == "str");
  CHECK(type_name(make_list()) == "list");
  CHECK(type_name(Value::adopt(new RangeObj(0, 1, 1))) == "range");
  CHECK(type_name(Value::adopt(new gilsim::LockObj())) == "lock");
  CHECK(type_name(Value::adopt(new gilsim::QueueObj())) == "Queue");
}

TEST_CASE("reference counts follow copies, moves and assignments") {
  Value a = make_str("hello");
  Obj* o = a.as_obj();
  CHECK(o->refcount() == 1);  // the creator's reference, adopted
  {
    Value b = a;
    CHECK(o->refcount() == 2);
    Value c = std::move(b);
    CHECK(o->refcount() == 2);  // a move transfers, it does not add
    CHECK(b.is_none());
    Value d;
    d = c;
    CHECK(o->refcount() == 3);
    d = Value::integer(1);  // overwriting releases
    CHECK(o->refcount() == 2);
    c = c;  // self-assignment keeps the count
    CHECK(o->refcount() == 2);
  }
  CHECK(o->refcount() == 1);
  Value shared = Value::share(o);
  CHECK(o->refcount() == 2);
  std::vector<Value> many(100, a);
  CHECK(o->refcount() == 102);
  many.clear();
  CHECK(o->refcount() == 2);
  CHECK(a.as<StrObj>()->text == "hello");
}

TEST_CASE("the last reference frees the object, exactly once") {
  int destroyed = 0;
  {
    Value a = Value::adopt(new Probe(&destroyed));
    Value b = a;
    a = Value();
    CHECK(destroyed == 0);
    Value c = std::move(b);
    CHECK(destroyed == 0);
    c = Value::none();
    CHECK(destroyed == 1);
  }
  CHECK(destroyed == 1);
  {
    Value a = Value::adopt(new Probe(&destroyed));
    a = std::move(a);  // self-move must not free
    CHECK(destroyed == 1);
  }
  CHECK(destroyed == 2);
}

TEST_CASE("a list owns its items and a bound method its self") {
  int destroyed = 0;
  {
    Value p = Value::adopt(new Probe(&destroyed));
    Value list = make_list({p, p, Value::integer(3)});
    CHECK(p.as_obj()->refcount() == 3);
    p = Value();
    CHECK(destroyed == 0);
    Value method = Value::adopt(new BoundMethodObj(list, nullptr));
    list = Value();
    CHECK(destroyed == 0);  // the bound method keeps the list alive
  }
  CHECK(destroyed == 1);
}

TEST_CASE("freeing a deeply nested list does not recurse") {
  // 50,000 levels: a recursive destructor would need more than the 8 MiB main-thread stack.
  // (test_interpreter.cpp drops a list nested a million deep from a script.)
  int destroyed = 0;
  Value v = make_list({Value::adopt(new Probe(&destroyed))});
  for (int i = 0; i < 50000; ++i) v = make_list({std::move(v)});
  CHECK(v.as<ListObj>()->items.size() == 1);
  v = Value();  // would overflow the C++ stack if each level's destructor called the next
  CHECK(destroyed == 1);

  // A long chain of lists inside one wide list, too.
  Value wide = make_list();
  for (int i = 0; i < 100; ++i) {
    Value chain = make_list({Value::integer(i)});
    for (int k = 0; k < 1000; ++k) chain = make_list({std::move(chain)});
    wide.as<ListObj>()->items.push_back(std::move(chain));
  }
  wide = Value();
}

TEST_CASE("freeing a list leaves inner lists that others still hold intact") {
  int destroyed = 0;
  Value inner = make_list({Value::adopt(new Probe(&destroyed)), Value::integer(7)});
  Value middle = make_list({inner, make_list({inner})});
  Value outer = make_list({middle, middle});
  middle = Value();
  outer = Value();
  // inner was shared: it keeps its items, and nothing it owns was freed.
  REQUIRE(inner.as<ListObj>()->items.size() == 2);
  CHECK(inner.as<ListObj>()->items[1].as_int() == 7);
  CHECK(inner.as_obj()->refcount() == 1);
  CHECK(destroyed == 0);
  inner = Value();
  CHECK(destroyed == 1);
}

TEST_CASE("range length, including spans wider than int64") {
  CHECK(RangeObj(0, 10, 1).length() == 10);
  CHECK(RangeObj(0, 10, 3).length() == 4);
  CHECK(RangeObj(10, 0, -1).length() == 10);
  CHECK(RangeObj(10, 0, -3).length() == 4);
  CHECK(RangeObj(0, 0, 1).length() == 0);
  CHECK(RangeObj(5, 0, 1).length() == 0);
  CHECK(RangeObj(0, 5, -1).length() == 0);
  CHECK(RangeObj(kMin, kMax, kMax).length() == 3);  // stop - start overflows int64
  CHECK(RangeObj(kMax, kMin, kMin).length() == 2);
  CHECK(RangeObj(0, kMax, 1).length() == kMax);
  CHECK(run_ok("r = range(-9223372036854775807 - 1, 9223372036854775807, 9223372036854775807)\n"
               "print(len(r), r[0], r[1], 9223372036854775806 in r)\n") ==
        "3 -9223372036854775808 -1 True\n");
}

// Regression test (the bug is fixed): range indexing computes `start + i * step` in int64
// (operations.cpp, subscript), which overflows -- undefined behaviour, an abort under UBSan -- even
// when the item itself fits: range(-2**63, 2**63 - 1, 2**63 - 1)[2] is 2**63 - 2 in CPython. min(),
// max() and sum() of a range index it the same way, and the new sum(range) fast path computes
// `r->start + i * r->step` too.
TEST_CASE("indexing a range whose step times index overflows int64") {
  CHECK(run_ok("r = range(-9223372036854775807 - 1, 9223372036854775807, 9223372036854775807)\n"
               "print(r[2], r[-1], max(r), sum(r))\n") ==
        "9223372036854775806 9223372036854775806 9223372036854775806 -3\n");
}

// Regression test (the bug is fixed): RangeObj::length() narrows a 128-bit count to int64 without a
// check, so a range with more than INT64_MAX items reports a negative length: `bool(range(-1, 2**63
// - 1))` is False (CPython: True), `range(-1, 2**63 - 1)[0]` raises IndexError (CPython: -1), and
// `len()` of it returns a negative number where CPython raises "OverflowError: Python int too large
// to convert to C ssize_t".
TEST_CASE("ranges longer than INT64_MAX are non-empty and indexable") {
  CHECK(run_ok("r = range(-1, 9223372036854775807)\nprint(bool(r), r[0], r[-1], 5 in r)\n") ==
        "True -1 9223372036854775806 True\n");
  auto f = run_failing("print(len(range(-1, 9223372036854775807)))\n");
  CHECK(f.type == "OverflowError");
}

}  // namespace

TEST_CASE("objects kept alive only by reference cycles are freed when the run ends") {
  // Every charged byte is given back once the run's interpreter is gone: the lists, the dict
  // and the strs below are reachable only through cycles (a list holding itself, a dict holding
  // itself, a class whose method knows the class, a closure that calls itself), and each cycle
  // holds a charged list, so a cycle left standing keeps bytes counted.
  using namespace gilsim;
  using gilsim::testing::Harness;
  MemoryBudget* budget = nullptr;
  {
    Harness h(R"(
class A:
    items = [1, 2, 3]
    def f(self):
        return self.items

def outer():
    keep = [4, 5, 6]
    def again(n):
        return keep if n == 0 else again(n - 1)
    return again

a = [7]
a.append(a)
d = {"k": [8]}
d["me"] = d
r = outer()
print(len(A().f()), len(r(3)))
a = None
d = None
)");
    RunResult r = h.run();
    REQUIRE_FALSE(r.failure);
    CHECK(h.host.output() == "3 3\n");
    budget = &h.interp.limits->memory();
    budget->hold();
    CHECK(budget->used() > 0);
  }
  CHECK(budget->used() == 0);
  budget->unhold();
}
