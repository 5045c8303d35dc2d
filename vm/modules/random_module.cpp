// _random: the generator under vm/stdlib/random.py, CPython's Modules/_randommodule.c on
// vm/random_core.h. `_random.Random()` is an object with seed, random, getrandbits, getstate and
// setstate, as CPython's. Its state (the 624 words and the position, the form of getstate())
// is a list kept in the object's `_mt` attribute, so that the object is an ordinary instance
// and a process forked by spawn_process copies it as it copies any list; a draw reads one word
// of it and regenerates all 624 once every 624 draws, as the C code does.
// random.seed() (or seed(None)) seeds from the run's seed (Host::random_seed: --seed), not the
// OS's entropy, so a run repeats (docs/stdlib.md §6).
#include <fmt/format.h>

#include <mutex>
#include <vector>

#include "vm/classes.h"
#include "vm/containers.h"
#include "vm/errors.h"
#include "vm/host.h"
#include "vm/interpreter.h"
#include "vm/native_module.h"
#include "vm/random_core.h"
#include "vm/thread_state.h"

namespace gilsim {

namespace {

constexpr std::size_t kStateWords = RandomCore::kN + 1;

// The object's state list, made on first use (a Random() not yet seeded).
ListObj& state_of(ThreadState& ts, const Value& self) {
  if (!self.is(ObjType::Instance))
    raise("TypeError", "_random.Random method called on a non-Random");
  {
    auto* inst = self.as<InstanceObj>();
    std::unique_lock<std::mutex> lock(inst->mu, std::defer_lock);
    if (ts.lock_objects) lock.lock();
    for (auto& [key, v] : inst->attrs)
      if (key == "_mt" && v.is(ObjType::List) && v.as<ListObj>()->items.size() == kStateWords)
        return *v.as<ListObj>();
  }
  std::vector<Value> words;
  for (std::uint32_t w : RandomCore(0).state()) words.push_back(Value::integer(w));
  Value list = Value::adopt(new ListObj(std::move(words)));
  set_attribute(ts, self, "_mt", list);
  return *list.as<ListObj>();
}

void store(ListObj& list, const RandomCore& core) {
  std::vector<std::uint32_t> words = core.state();
  for (std::size_t i = 0; i < kStateWords; ++i) list.items[i] = Value::integer(words[i]);
}

RandomCore load(const ListObj& list) {
  std::vector<std::uint64_t> words;
  for (const Value& v : list.items) words.push_back(static_cast<std::uint64_t>(v.as_int()));
  RandomCore core;
  core.set_state(words);
  return core;
}

// One 32-bit output: the next word tempered, or (every 624 draws) the whole state regenerated.
std::uint32_t next_u32(ListObj& list) {
  auto index = static_cast<std::size_t>(list.items[RandomCore::kN].as_int());
  if (index >= static_cast<std::size_t>(RandomCore::kN)) {
    RandomCore core = load(list);
    std::uint32_t y = core.next_u32();
    store(list, core);
    return y;
  }
  auto word = static_cast<std::uint32_t>(list.items[index].as_int());
  list.items[RandomCore::kN] = Value::integer(static_cast<std::int64_t>(index + 1));
  return RandomCore::temper(word);
}

// The seed of the interpreter's n-th seeding without a seed (n from 0): the run's seed plus n, so
// that random's own generator (the first) is seed(--seed) and each Random() after it differs,
// the same on every run. The count is kept on the interpreter's Random class.
std::int64_t unseeded_seed(ThreadState& ts, const Value& self) {
  auto run_seed =  // kept well inside int64, so that adding n cannot overflow
      static_cast<std::int64_t>(ts.interp.host().random_seed() & 0x3fffffffffffffffULL);
  ClassObj* cls = self.as<InstanceObj>()->klass();
  std::unique_lock<std::mutex> lock(cls->mu, std::defer_lock);
  if (ts.lock_objects) lock.lock();
  for (auto& [key, v] : cls->attrs)
    if (key == "_unseeded") {
      v = Value::integer(v.as_int() + 1);
      return run_seed + v.as_int();
    }
  cls->attrs.emplace_back("_unseeded", Value::integer(0));
  return run_seed;
}

Value r_seed(ThreadState& ts, Value* args, int n) {
  ListObj& list = state_of(ts, args[0]);
  Value a = n > 1 ? args[1] : Value::none();
  std::int64_t seed;
  if (a.is_none()) {
    seed = unseeded_seed(ts, args[0]);
  } else if (a.is_intlike()) {
    seed = a.as_int();
  } else {
    raise("TypeError",
          fmt::format("gilsim's random.seed() takes an int or None, not '{}'", type_name(a)));
  }
  RandomCore core(seed);
  ListGuard guard(list, ts.lock_objects);
  store(list, core);
  return Value::none();
}

Value r_random(ThreadState& ts, Value* args, int) {
  ListObj& list = state_of(ts, args[0]);
  ListGuard guard(list, ts.lock_objects);
  std::uint32_t a = next_u32(list) >> 5;
  std::uint32_t b = next_u32(list) >> 6;
  return Value::floating((a * 67108864.0 + b) * (1.0 / 9007199254740992.0));
}

// getrandbits(k): CPython assembles k bits from 32-bit words, least significant word first,
// the last one cut to its k % 32 most significant bits. gilsim's ints have 63 bits of magnitude.
Value r_getrandbits(ThreadState& ts, Value* args, int) {
  if (!args[1].is_intlike())
    raise("TypeError",
          fmt::format("'{}' object cannot be interpreted as an integer", type_name(args[1])));
  std::int64_t k = args[1].as_int();
  if (k < 0) raise("ValueError", "number of bits must be non-negative");
  if (k > 63) raise("OverflowError", "getrandbits(k) with k > 63: gilsim's ints are 64-bit");
  ListObj& list = state_of(ts, args[0]);
  ListGuard guard(list, ts.lock_objects);
  if (k == 0) return Value::integer(0);
  if (k <= 32) return Value::integer(next_u32(list) >> (32 - k));
  std::uint64_t low = next_u32(list);
  std::uint64_t high = next_u32(list) >> (64 - k);
  return Value::integer(static_cast<std::int64_t>(low | (high << 32)));
}

Value r_getstate(ThreadState& ts, Value* args, int) {
  ListObj& list = state_of(ts, args[0]);
  ListGuard guard(list, ts.lock_objects);
  return make_tuple(list.items);
}

// setstate(state): a tuple of 625 ints as getstate() gives, checked as CPython checks it.
Value r_setstate(ThreadState& ts, Value* args, int) {
  const Value& state = args[1];
  if (!state.is(ObjType::Tuple)) raise("TypeError", "state vector must be a tuple");
  const std::vector<Value>& items = state.as<TupleObj>()->items;
  if (items.size() != kStateWords) raise("ValueError", "state vector is the wrong size");
  std::vector<std::uint64_t> words;
  for (const Value& v : items) {
    if (!v.is_intlike() || v.as_int() < 0)
      raise("TypeError", "state vector items must be non-negative ints");
    words.push_back(static_cast<std::uint64_t>(v.as_int()));
  }
  RandomCore core;
  if (!core.set_state(words)) raise("ValueError", "invalid state");
  ListObj& list = state_of(ts, args[0]);
  ListGuard guard(list, ts.lock_objects);
  store(list, core);
  return Value::none();
}

const NativeDef d_seed{"seed", r_seed, 0, 1, true};
const NativeDef d_random{"random", r_random, 0, 0, true};
const NativeDef d_getrandbits{"getrandbits", r_getrandbits, 1, 1, true};
const NativeDef d_getstate{"getstate", r_getstate, 0, 0, true};
const NativeDef d_setstate{"setstate", r_setstate, 1, 1, true};

// The Random class, made in each interpreter that imports _random.
Value make(ThreadState&, std::string_view name) {
  if (name != "Random") return Value::none();
  return make_native_class("Random",
                           {&d_seed, &d_random, &d_getrandbits, &d_getstate, &d_setstate});
}

}  // namespace

const NativeModule& random_module() {
  static const NativeModule m{"_random", {}, {}, {"Random"}, make};
  return m;
}

}  // namespace gilsim
