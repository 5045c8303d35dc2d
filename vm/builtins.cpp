#include "vm/builtins.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <system_error>

#include "vm/bytes.h"
#include "vm/classes.h"
#include "vm/data_builtins.h"
#include "vm/errors.h"
#include "vm/generators.h"
#include "vm/interpreter.h"
#include "vm/iterators.h"
#include "vm/memory_budget.h"
#include "vm/native_module.h"
#include "vm/operations.h"
#include "vm/pyformat.h"
#include "vm/sim_objects.h"
#include "vm/thread_state.h"

namespace gilsim {

namespace {

Host& host_of(ThreadState& ts) { return ts.interp.host(); }

std::int64_t as_index(const Value& v) {
  if (!v.is_intlike())
    raise("TypeError",
          fmt::format("'{}' object cannot be interpreted as an integer", type_name(v)));
  return v.as_int();
}

// A duration the engines can represent: the sim engine's clock counts picoseconds in 64 bits
// (about 106 days), so no duration may take a run's clock past kMaxClockMs, on either engine
// alike. As CPython's time.sleep: NaN and negative are a ValueError, too large an OverflowError.
double as_ms(ThreadState& ts, const Value& v, const char* fn) {
  if (!v.is_number())
    raise("TypeError", fmt::format("{}() takes a duration in milliseconds (int or float), not '{}'",
                                   fn, type_name(v)));
  double ms = v.to_double();
  if (std::isnan(ms))
    raise("ValueError", fmt::format("{}() duration must be a number, not NaN", fn));
  if (ms < 0.0) raise("ValueError", fmt::format("{}() duration must be non-negative", fn));
  if (!(ms <= kMaxClockMs - host_of(ts).now_ms(ts)))
    raise("OverflowError",
          fmt::format("{}() duration too large: a run's clock cannot pass 100 days ({:.0f} ms)", fn,
                      kMaxClockMs));
  return ms;
}

// ---- plain builtins ----
// print(*objects, sep=' ', end='\n', flush=False): one write, so lines from threads never mix.
Value b_print(ThreadState& ts, Value* args, int n, const KwArgs& kw) {
  check_keywords("print", kw, {"sep", "end", "flush", "file"});
  auto text_of = [&](const char* name, const char* fallback) {
    const Value* v = kw.find(name);
    if (!v || v->is_none()) return std::string(fallback);
    if (!v->is(ObjType::Str))
      raise("TypeError", fmt::format("{} must be None or a string, not {}", name, type_name(*v)));
    return v->as<StrObj>()->text;
  };
  std::string sep = text_of("sep", " "), end = text_of("end", "\n");
  std::string line;
  for (int i = 0; i < n; ++i) {
    if (i) line += sep;
    line += to_str(ts, args[i]);
  }
  line += end;
  // print(..., file=f) is f.write(text) (sys.stderr, sys.stdout: vm/stdlib/sys.py), in one call.
  if (const Value* file = kw.find("file"); file && !file->is_none()) {
    call_nested(ts, get_attribute(ts, *file, "write"), {make_str(std::move(line))});
    return Value::none();
  }
  host_of(ts).write_output(ts, line);
  if (const Value* flush = kw.find("flush"); flush && truthy(ts, *flush))
    host_of(ts).flush_output(ts);
  return Value::none();
}

Value b_len(ThreadState& ts, Value* args, int) { return Value::integer(length(ts, args[0])); }

Value b_repr(ThreadState& ts, Value* args, int) { return new_str(ts, to_repr(ts, args[0])); }

Value b_str(ThreadState& ts, Value* args, int n) {
  if (n == 0) return make_str("");
  if (args[0].is(ObjType::Str)) return args[0];
  return new_str(ts, to_str(ts, args[0]));
}

Value b_bool(ThreadState& ts, Value* args, int n) {
  return Value::boolean(n > 0 && truthy(ts, args[0]));
}

Value b_int(ThreadState&, Value* args, int n) {
  if (n == 0) return Value::integer(0);
  const Value& v = args[0];
  if (v.is_intlike()) return Value::integer(v.as_int());
  if (v.is_float()) {
    return Value::integer(int_of_float(std::trunc(v.as_float())));
  }
  if (v.is(ObjType::Str)) {
    const std::string& text = v.as<StrObj>()->text;
    if (auto parsed = parse_int(text)) return Value::integer(*parsed);
    // A well-formed decimal that does not fit: Python would make a big int (docs/language.md §2).
    if (parse_float(text) && text.find_first_of(".eEiInN") == std::string::npos)
      raise("OverflowError", "integer overflow: the result does not fit in 64 bits");
    raise("ValueError", fmt::format("invalid literal for int() with base 10: {}",
                                    repr_string(v.as<StrObj>()->text)));
  }
  raise(
      "TypeError",
      fmt::format("int() argument must be a string, a bytes-like object or a real number, not '{}'",
                  type_name(v)));
}

Value b_float(ThreadState&, Value* args, int n) {
  if (n == 0) return Value::floating(0.0);
  const Value& v = args[0];
  if (v.is_number()) return Value::floating(v.to_double());
  if (v.is(ObjType::Str)) {
    if (auto parsed = parse_float(v.as<StrObj>()->text)) return Value::floating(*parsed);
    raise("ValueError",
          fmt::format("could not convert string to float: {}", repr_string(v.as<StrObj>()->text)));
  }
  raise("TypeError",
        fmt::format("float() argument must be a string or a real number, not '{}'", type_name(v)));
}

Value b_abs(ThreadState&, Value* args, int) {
  const Value& v = args[0];
  if (v.is_intlike())
    return Value::integer(v.as_int() < 0 ? checked_sub(0, v.as_int()) : v.as_int());
  if (v.is_float()) return Value::floating(std::fabs(v.as_float()));
  raise("TypeError", fmt::format("bad operand type for abs(): '{}'", type_name(v)));
}

std::vector<Value> items_of(ThreadState& ts, const Value& v) {
  if (v.is(ObjType::List)) {
    auto* list = v.as<ListObj>();
    ListGuard g(*list, ts.lock_objects);
    return list->items;
  }
  if (!v.is(ObjType::Range) && !v.is(ObjType::Str)) return collect(ts, v);
  {
    std::vector<Value> out;
    std::int64_t n = length(ts, v);
    if (n > (std::int64_t{1} << 28)) raise("MemoryError", "sequence too large to materialize");
    for (std::int64_t i = 0; i < n; ++i) out.push_back(subscript(ts, v, Value::integer(i)));
    return out;
  }
}

// round(x) and round(x, n) as Python: halves go to the even neighbour, and a float is rounded on
// its exact binary value (round(2.675, 2) is 2.67), which glibc's printf also does.
Value b_round(ThreadState&, Value* args, int n) {
  const Value& x = args[0];
  if (!x.is_number())
    raise("TypeError", fmt::format("type {} doesn't define __round__ method", type_name(x)));
  if (n == 1 || args[1].is_none()) {
    if (x.is_intlike()) return Value::integer(x.as_int());
    return Value::integer(int_of_float(std::nearbyint(x.as_float())));
  }
  std::int64_t digits = as_index(args[1]);
  if (x.is_intlike()) {
    if (digits >= 0) return Value::integer(x.as_int());
    if (digits < -18) return Value::integer(0);
    std::int64_t p = 1;
    for (std::int64_t i = 0; i < -digits; ++i) p *= 10;
    std::int64_t v = x.as_int(), q = v / p, r = v % p;
    if (r < 0) {
      r += p;
      --q;
    }  // floor division
    if (2 * r > p || (2 * r == p && (q % 2 != 0))) ++q;
    return Value::integer(checked_mul(q, p));
  }
  double f = x.as_float();
  if (!std::isfinite(f) || digits > 323) return Value::floating(f);
  if (digits < -308) return Value::floating(0.0 * f);
  if (digits < 0) {
    double p = std::pow(10.0, static_cast<double>(-digits));
    return Value::floating(std::nearbyint(f / p) * p);
  }
  char buf[400];
  std::snprintf(buf, sizeof buf, "%.*f", static_cast<int>(digits), f);
  return Value::floating(std::strtod(buf, nullptr));
}

// min/max(iterable or several values, *, key=None, default=...), as CPython's.
Value min_max(ThreadState& ts, Value* args, int n, const KwArgs& kw, Op better, const char* name) {
  check_keywords(name, kw, {"key", "default"});
  const Value* key = kw.find("key");
  if (key && key->is_none()) key = nullptr;
  const Value* fallback = kw.find("default");
  if (fallback && n > 1)
    raise(
        "TypeError",
        fmt::format("Cannot specify a default for {}() with multiple positional arguments", name));
  std::vector<Value> items = n == 1 ? items_of(ts, args[0]) : std::vector<Value>(args, args + n);
  if (items.empty()) {
    if (fallback) return *fallback;
    raise("ValueError", fmt::format("{}() arg is an empty sequence", name));
  }
  Value best = items[0];
  Value best_key = key ? call_nested(ts, *key, {best}) : best;
  for (size_t i = 1; i < items.size(); ++i) {
    Value k = key ? call_nested(ts, *key, {items[i]}) : items[i];
    if (compare(ts, better, k, best_key)) {
      best = items[i];
      best_key = std::move(k);
    }
  }
  return best;
}
Value b_min(ThreadState& ts, Value* args, int n, const KwArgs& kw) {
  return min_max(ts, args, n, kw, Op::COMPARE_LT, "min");
}
Value b_max(ThreadState& ts, Value* args, int n, const KwArgs& kw) {
  return min_max(ts, args, n, kw, Op::COMPARE_GT, "max");
}

Value b_sum(ThreadState& ts, Value* args, int) {
  if (args[0].is(ObjType::Range)) {  // without building the list: sum(range(10**9)) is fine
    auto* r = args[0].as<RangeObj>();
    // In 128 bits: a partial sum may leave int64 even when the total fits (Python has big ints).
    __int128 total = 0;
    for (unsigned __int128 i = 0, n = r->count(); i < n; ++i) total += r->item(i);
    if (total < INT64_MIN || total > INT64_MAX)
      raise("OverflowError", "integer overflow: the result does not fit in 64 bits");
    return Value::integer(static_cast<std::int64_t>(total));
  }
  Value total = Value::integer(0);
  for (const Value& v : items_of(ts, args[0])) total = binary_op(ts, Op::BINARY_ADD, total, v);
  return total;
}

Value b_range(ThreadState&, Value* args, int n) {
  std::int64_t start = 0, stop, step = 1;
  if (n == 1) {
    stop = as_index(args[0]);
  } else {
    start = as_index(args[0]);
    stop = as_index(args[1]);
    if (n == 3) step = as_index(args[2]);
  }
  if (step == 0) raise("ValueError", "range() arg 3 must not be zero");
  return Value::adopt(new RangeObj(start, stop, step));
}

Value b_param(ThreadState& ts, Value* args, int) {
  if (!args[0].is(ObjType::Str))
    raise("TypeError", fmt::format("param() name must be a str, not '{}'", type_name(args[0])));
  const std::string& name = args[0].as<StrObj>()->text;
  for (const auto& [key, value] : ts.interp.params)
    if (key == name) return value;
  return args[1];
}

// ---- simulation builtins: everything that takes time goes to the host ----
Value b_io(ThreadState& ts, Value* args, int) {
  check_can_block(ts, "io()");
  host_of(ts).block(ts, Blocking::Io, as_ms(ts, args[0], "io"));
  return Value::none();
}
Value b_sleep(ThreadState& ts, Value* args, int) {
  check_can_block(ts, "sleep()");
  host_of(ts).block(ts, Blocking::Sleep, as_ms(ts, args[0], "sleep"));
  return Value::none();
}
Value b_native(ThreadState& ts, Value* args, int) {
  check_can_block(ts, "native()");
  host_of(ts).block(ts, Blocking::Native, as_ms(ts, args[0], "native"));
  return Value::none();
}
Value b_native_hold(ThreadState& ts, Value* args, int) {
  check_can_block(ts, "native_hold()");
  host_of(ts).block(ts, Blocking::NativeHold, as_ms(ts, args[0], "native_hold"));
  return Value::none();
}
Value b_now_ms(ThreadState& ts, Value*, int) { return Value::floating(host_of(ts).now_ms(ts)); }
Value b_thread_name(ThreadState& ts, Value*, int) { return make_str(ts.name); }

// Loading a C extension that has no Py_mod_gil slot: under free-threaded CPython the import turns
// the GIL on for the rest of the run (the `free-threaded` policy); elsewhere it does nothing.
Value b_import_extension(ThreadState& ts, Value* args, int) {
  if (!args[0].is(ObjType::Str))
    raise("TypeError",
          fmt::format("import_extension() name must be a str, not '{}'", type_name(args[0])));
  check_can_block(ts, "import_extension()");  // it may wait for the world to stop
  host_of(ts).enable_gil(ts);
  return Value::none();
}

Value spawn_common(ThreadState& ts, Value* args, int n, bool process, const char* name) {
  const Value& fn = args[0];
  if (fn.is(ObjType::Method)) {  // lang-func: a bound method runs as its function with self first
    auto* m = fn.as<MethodObj>();
    std::vector<Value> rest{m->self};
    rest.insert(rest.end(), args + 1, args + n);
    return host_of(ts).spawn(ts, m->fn, std::move(rest), process);
  }
  if (!fn.is(ObjType::Function))
    raise("TypeError",
          fmt::format("{}() needs a function defined with def, not '{}'", name, type_name(fn)));
  admit_spawn(ts, process);  // RuntimeError past the run's thread or process limits
  try {
    return host_of(ts).spawn(ts, fn, std::vector<Value>(args + 1, args + n), process);
  } catch (const std::system_error&) {
    // The OS refused (a ulimit, no memory for a stack): what CPython says then.
    cancel_spawn(ts, process);
    raise("RuntimeError", process ? "can't start new process" : "can't start new thread");
  } catch (...) {
    cancel_spawn(ts, process);
    throw;
  }
}
Value b_spawn(ThreadState& ts, Value* args, int n) {
  return spawn_common(ts, args, n, false, "spawn");
}
Value b_spawn_process(ThreadState& ts, Value* args, int n) {
  return spawn_common(ts, args, n, true, "spawn_process");
}
Value b_lock(ThreadState& ts, Value*, int) { return host_of(ts).make_lock(ts); }
Value b_queue(ThreadState& ts, Value*, int) { return host_of(ts).make_queue(ts); }

// ---- methods: args[0] is self ----
Value m_list_append(ThreadState& ts, Value* args, int) {
  auto* list = args[0].as<ListObj>();
  ListGuard g(*list, ts.lock_objects);
  charge_memory(ts, *list, static_cast<std::int64_t>(sizeof(Value)));
  list->items.push_back(std::move(args[1]));
  return Value::none();
}

Value m_list_pop(ThreadState& ts, Value* args, int n) {
  auto* list = args[0].as<ListObj>();
  std::int64_t index = n > 1 ? as_index(args[1]) : -1;
  ListGuard g(*list, ts.lock_objects);
  auto size = static_cast<std::int64_t>(list->items.size());
  if (size == 0) raise("IndexError", "pop from empty list");
  if (index < 0) index += size;
  if (index < 0 || index >= size) raise("IndexError", "pop index out of range");
  Value v = std::move(list->items[static_cast<size_t>(index)]);
  list->items.erase(list->items.begin() + index);
  charge_memory(ts, *list, -static_cast<std::int64_t>(sizeof(Value)));
  return v;
}

Value m_thread_join(ThreadState& ts, Value* args, int) {
  check_can_block(ts, "join()");
  host_of(ts).join(ts, args[0]);
  return Value::none();
}
// stdlib2: acquire(blocking=True, timeout=-1), as threading.Lock's (vm/modules/thread_module.cpp).
Value m_lock_acquire(ThreadState& ts, Value* args, int n, const KwArgs& kw) {
  check_keywords("acquire", kw, {"blocking", "timeout"});
  const Value* blocking = n > 1 ? &args[1] : kw.find("blocking");
  const Value* timeout = n > 2 ? &args[2] : kw.find("timeout");
  if (timeout && !timeout->is_number())
    raise("TypeError",
          fmt::format("'{}' object cannot be interpreted as an integer", type_name(*timeout)));
  return acquire_lock(ts, args[0], !blocking || truthy(ts, *blocking),
                      timeout ? timeout->to_double() : -1.0);
}
Value m_lock_release(ThreadState& ts, Value* args, int) {
  host_of(ts).lock_release(ts, args[0]);
  return Value::none();
}
// lang2: Lock.__enter__ is acquire() and returns True, Lock.__exit__(t, v, tb) is release(), as
// CPython's (a `with` on a Lock takes a fast path in BEFORE_WITH instead of these calls).
Value m_lock_enter(ThreadState& ts, Value* args, int) {
  return Value::boolean(acquire_lock_blocking(ts, args[0], "acquire()"));
}
Value m_lock_exit(ThreadState& ts, Value* args, int) {
  host_of(ts).lock_release(ts, args[0]);
  return Value::none();
}
Value m_lock_locked(ThreadState&, Value* args, int) {
  return Value::boolean(args[0].as<LockObj>()->owner >= 0);
}
Value m_queue_put(ThreadState& ts, Value* args, int) {
  host_of(ts).queue_put(ts, args[0], std::move(args[1]));
  return Value::none();
}
Value m_queue_get(ThreadState& ts, Value* args, int) {
  check_can_block(ts, "get()");
  return host_of(ts).queue_get(ts, args[0]);
}
Value m_queue_empty(ThreadState& ts, Value* args, int) {
  return Value::boolean(host_of(ts).queue_empty(ts, args[0]));
}

#define BUILTIN(var, name, fn, lo, hi) const NativeDef var{name, fn, lo, hi, false};
#define METHOD(var, name, fn, lo, hi) const NativeDef var{name, fn, lo, hi, true};

const NativeDef kPrint{"print", nullptr, 0, -1, false, b_print};
BUILTIN(kLen, "len", b_len, 1, 1)
BUILTIN(kRepr, "repr", b_repr, 1, 1)
BUILTIN(kStr, "str", b_str, 0, 1)
BUILTIN(kBool, "bool", b_bool, 0, 1)
BUILTIN(kInt, "int", b_int, 0, 1)
BUILTIN(kFloat, "float", b_float, 0, 1)
BUILTIN(kAbs, "abs", b_abs, 1, 1)
const NativeDef kMin{"min", nullptr, 1, -1, false, b_min};
const NativeDef kMax{"max", nullptr, 1, -1, false, b_max};
BUILTIN(kSum, "sum", b_sum, 1, 1)
BUILTIN(kRange, "range", b_range, 1, 3)
BUILTIN(kRound, "round", b_round, 1, 2)
BUILTIN(kParam, "param", b_param, 2, 2)
BUILTIN(kIo, "io", b_io, 1, 1)
BUILTIN(kSleep, "sleep", b_sleep, 1, 1)
BUILTIN(kNative, "native", b_native, 1, 1)
BUILTIN(kNativeHold, "native_hold", b_native_hold, 1, 1)
BUILTIN(kNowMs, "now_ms", b_now_ms, 0, 0)
BUILTIN(kThreadName, "thread_name", b_thread_name, 0, 0)
BUILTIN(kSpawn, "spawn", b_spawn, 1, -1)
BUILTIN(kSpawnProcess, "spawn_process", b_spawn_process, 1, -1)
BUILTIN(kLock, "Lock", b_lock, 0, 0)
BUILTIN(kQueue, "Queue", b_queue, 0, 0)
BUILTIN(kImportExtension, "import_extension", b_import_extension, 1, 1)

METHOD(kListAppend, "append", m_list_append, 1, 1)
METHOD(kListPop, "pop", m_list_pop, 0, 1)
METHOD(kThreadJoin, "join", m_thread_join, 0, 0)
const NativeDef kLockAcquire{"acquire", nullptr, 0, 2, true, m_lock_acquire};
METHOD(kLockRelease, "release", m_lock_release, 0, 0)
METHOD(kLockLocked, "locked", m_lock_locked, 0, 0)
METHOD(kLockEnter, "__enter__", m_lock_enter, 0, 0)
METHOD(kLockExit, "__exit__", m_lock_exit, 3, 3)
METHOD(kQueuePut, "put", m_queue_put, 1, 1)
METHOD(kQueueGet, "get", m_queue_get, 0, 0)
METHOD(kQueueEmpty, "empty", m_queue_empty, 0, 0)

// lang-data: constructors, iteration and number builtins, and the container and str methods.
BUILTIN(kTuple, "tuple", b_tuple, 0, 1)
BUILTIN(kList, "list", b_list, 0, 1)
BUILTIN(kDict, "dict", b_dict, 0, 1)
BUILTIN(kSet, "set", b_set, 0, 1)
BUILTIN(kFrozenSet, "frozenset", b_frozenset, 0, 1)
BUILTIN(kEnumerate, "enumerate", b_enumerate, 1, 2)
BUILTIN(kZip, "zip", b_zip, 0, -1)
BUILTIN(kReversed, "reversed", b_reversed, 1, 1)
BUILTIN(kMap, "map", b_map, 2, -1)
BUILTIN(kFilter, "filter", b_filter, 2, 2)
BUILTIN(kIter, "iter", b_iter, 1, 1)
BUILTIN(kNext, "next", b_next, 1, 2)
const NativeDef kSorted{"sorted", nullptr, 1, 1, false, b_sorted};
BUILTIN(kAny, "any", b_any, 1, 1)
BUILTIN(kAll, "all", b_all, 1, 1)
BUILTIN(kHash, "hash", b_hash, 1, 1)
BUILTIN(kId, "id", b_id, 1, 1)
BUILTIN(kDivmod, "divmod", b_divmod, 2, 2)
BUILTIN(kPow, "pow", b_pow, 2, 3)
BUILTIN(kFormat, "format", b_format, 1, 2)
BUILTIN(kAscii, "ascii", b_ascii, 1, 1)
BUILTIN(kChr, "chr", b_chr, 1, 1)
BUILTIN(kOrd, "ord", b_ord, 1, 1)

METHOD(kGeneratorSend, "send", m_generator_send, 1, 1)
METHOD(kBytesDecode, "decode", m_bytes_decode, 0, 1)
METHOD(kDictFromkeys, "fromkeys", m_dict_fromkeys, 1, 2)
METHOD(kGeneratorClose, "close", m_generator_close, 0, 0)
METHOD(kGeneratorThrow, "throw", m_generator_throw, 1, 3)
METHOD(kSeqCount, "count", m_seq_count, 1, 1)
METHOD(kSeqIndex, "index", m_seq_index, 1, 1)
METHOD(kListExtend, "extend", m_list_extend, 1, 1)
METHOD(kListInsert, "insert", m_list_insert, 2, 2)
METHOD(kListRemove, "remove", m_list_remove, 1, 1)
METHOD(kListReverse, "reverse", m_list_reverse, 0, 0)
const NativeDef kListSort{"sort", nullptr, 0, 0, true, m_list_sort};
METHOD(kListClear, "clear", m_list_clear, 0, 0)
METHOD(kListCopy, "copy", m_list_copy, 0, 0)
METHOD(kDictGet, "get", m_dict_get, 1, 2)
METHOD(kDictKeys, "keys", m_dict_keys, 0, 0)
METHOD(kDictValues, "values", m_dict_values, 0, 0)
METHOD(kDictItems, "items", m_dict_items, 0, 0)
METHOD(kDictPop, "pop", m_dict_pop, 1, 2)
METHOD(kDictPopitem, "popitem", m_dict_popitem, 0, 0)
METHOD(kDictSetdefault, "setdefault", m_dict_setdefault, 1, 2)
METHOD(kDictUpdate, "update", m_dict_update, 0, 1)
METHOD(kDictClear, "clear", m_dict_clear, 0, 0)
METHOD(kDictCopy, "copy", m_dict_copy, 0, 0)
METHOD(kSetAdd, "add", m_set_add, 1, 1)
METHOD(kSetDiscard, "discard", m_set_discard, 1, 1)
METHOD(kSetRemove, "remove", m_set_remove, 1, 1)
METHOD(kSetPop, "pop", m_set_pop, 0, 0)
METHOD(kSetClear, "clear", m_set_clear, 0, 0)
METHOD(kSetCopy, "copy", m_set_copy, 0, 0)
METHOD(kSetUnion, "union", m_set_union, 0, -1)
METHOD(kSetIntersection, "intersection", m_set_intersection, 0, -1)
METHOD(kSetDifference, "difference", m_set_difference, 0, -1)
METHOD(kSetSymDiff, "symmetric_difference", m_set_symmetric_difference, 1, 1)
METHOD(kSetUpdate, "update", m_set_update, 0, -1)
METHOD(kSetIssubset, "issubset", m_set_issubset, 1, 1)
METHOD(kSetIssuperset, "issuperset", m_set_issuperset, 1, 1)
METHOD(kSetIsdisjoint, "isdisjoint", m_set_isdisjoint, 1, 1)
METHOD(kStrSplit, "split", m_str_split, 0, 2)
METHOD(kStrRsplit, "rsplit", m_str_rsplit, 0, 2)
METHOD(kStrSplitlines, "splitlines", m_str_splitlines, 0, 1)
METHOD(kStrJoin, "join", m_str_join, 1, 1)
METHOD(kStrStrip, "strip", m_str_strip, 0, 1)
METHOD(kStrLstrip, "lstrip", m_str_lstrip, 0, 1)
METHOD(kStrRstrip, "rstrip", m_str_rstrip, 0, 1)
METHOD(kStrReplace, "replace", m_str_replace, 2, 3)
METHOD(kStrStartswith, "startswith", m_str_startswith, 1, 3)
METHOD(kStrEndswith, "endswith", m_str_endswith, 1, 3)
METHOD(kStrUpper, "upper", m_str_upper, 0, 0)
METHOD(kStrLower, "lower", m_str_lower, 0, 0)
METHOD(kStrTitle, "title", m_str_title, 0, 0)
METHOD(kStrCapitalize, "capitalize", m_str_capitalize, 0, 0)
METHOD(kStrFind, "find", m_str_find, 1, 3)
METHOD(kStrRfind, "rfind", m_str_rfind, 1, 3)
METHOD(kStrIndex, "index", m_str_index, 1, 3)
METHOD(kStrRindex, "rindex", m_str_rindex, 1, 3)
METHOD(kStrCount, "count", m_str_count, 1, 3)
METHOD(kStrZfill, "zfill", m_str_zfill, 1, 1)
METHOD(kStrLjust, "ljust", m_str_ljust, 1, 2)
METHOD(kStrRjust, "rjust", m_str_rjust, 1, 2)
METHOD(kStrCenter, "center", m_str_center, 1, 2)
METHOD(kStrIsdigit, "isdigit", m_str_isdigit, 0, 0)
METHOD(kStrIsalpha, "isalpha", m_str_isalpha, 0, 0)
METHOD(kStrIsalnum, "isalnum", m_str_isalnum, 0, 0)
METHOD(kStrIsspace, "isspace", m_str_isspace, 0, 0)
METHOD(kStrIsupper, "isupper", m_str_isupper, 0, 0)
METHOD(kStrIslower, "islower", m_str_islower, 0, 0)
METHOD(kStrPartition, "partition", m_str_partition, 1, 1)
METHOD(kStrRpartition, "rpartition", m_str_rpartition, 1, 1)
METHOD(kStrFormat, "format", m_str_format, 0, -1)

#undef BUILTIN
#undef METHOD

const NativeDef* const kBuiltins[] = {
    &kPrint,
    &kLen,
    &kRepr,
    &kStr,
    &kBool,
    &kInt,
    &kFloat,
    &kAbs,
    &kMin,
    &kMax,
    &kSum,
    &kRange,
    &kRound,
    &kParam,
    &kIo,
    &kSleep,
    &kNative,
    &kNativeHold,
    &kNowMs,
    &kThreadName,
    &kSpawn,
    &kSpawnProcess,
    &kLock,
    &kQueue,
    &kImportExtension,
    // lang-data
    &kTuple,
    &kList,
    &kDict,
    &kSet,
    &kFrozenSet,
    &kEnumerate,
    &kZip,
    &kReversed,
    &kMap,
    &kFilter,
    &kIter,
    &kNext,
    &kSorted,
    &kAny,
    &kAll,
    &kHash,
    &kId,
    &kDivmod,
    &kPow,
    &kFormat,
    &kAscii,
    &kChr,
    &kOrd,
};

struct MethodEntry {
  ObjType type;
  const NativeDef* def;
};
const MethodEntry kMethods[] = {
    {ObjType::Iterator, &kGeneratorSend},  // lang12: generators only (vm/generators.h)
    {ObjType::Bytes, &kBytesDecode},
    {ObjType::Iterator, &kGeneratorClose},
    {ObjType::Iterator, &kGeneratorThrow},
    {ObjType::List, &kListAppend},
    {ObjType::List, &kListPop},
    {ObjType::Thread, &kThreadJoin},
    {ObjType::Lock, &kLockAcquire},
    {ObjType::Lock, &kLockRelease},
    {ObjType::Lock, &kLockLocked},
    {ObjType::Lock, &kLockEnter},
    {ObjType::Lock, &kLockExit},
    {ObjType::Queue, &kQueuePut},
    {ObjType::Queue, &kQueueGet},
    {ObjType::Queue, &kQueueEmpty},
    // lang-data
    {ObjType::Tuple, &kSeqCount},
    {ObjType::Tuple, &kSeqIndex},
    {ObjType::List, &kSeqCount},
    {ObjType::List, &kSeqIndex},
    {ObjType::List, &kListExtend},
    {ObjType::List, &kListInsert},
    {ObjType::List, &kListRemove},
    {ObjType::List, &kListReverse},
    {ObjType::List, &kListSort},
    {ObjType::List, &kListClear},
    {ObjType::List, &kListCopy},
    {ObjType::Dict, &kDictGet},
    {ObjType::Dict, &kDictKeys},
    {ObjType::Dict, &kDictValues},
    {ObjType::Dict, &kDictItems},
    {ObjType::Dict, &kDictPop},
    {ObjType::Dict, &kDictPopitem},
    {ObjType::Dict, &kDictSetdefault},
    {ObjType::Dict, &kDictUpdate},
    {ObjType::Dict, &kDictClear},
    {ObjType::Dict, &kDictCopy},
    {ObjType::Set, &kSetAdd},
    {ObjType::Set, &kSetDiscard},
    {ObjType::Set, &kSetRemove},
    {ObjType::Set, &kSetPop},
    {ObjType::Set, &kSetClear},
    {ObjType::Set, &kSetCopy},
    {ObjType::Set, &kSetUnion},
    {ObjType::Set, &kSetIntersection},
    {ObjType::Set, &kSetDifference},
    {ObjType::Set, &kSetSymDiff},
    {ObjType::Set, &kSetUpdate},
    {ObjType::Set, &kSetIssubset},
    {ObjType::Set, &kSetIssuperset},
    {ObjType::Set, &kSetIsdisjoint},
    {ObjType::FrozenSet, &kSetCopy},
    {ObjType::FrozenSet, &kSetUnion},
    {ObjType::FrozenSet, &kSetIntersection},
    {ObjType::FrozenSet, &kSetDifference},
    {ObjType::FrozenSet, &kSetSymDiff},
    {ObjType::FrozenSet, &kSetIssubset},
    {ObjType::FrozenSet, &kSetIssuperset},
    {ObjType::FrozenSet, &kSetIsdisjoint},
    {ObjType::Str, &kStrSplit},
    {ObjType::Str, &kStrRsplit},
    {ObjType::Str, &kStrSplitlines},
    {ObjType::Str, &kStrJoin},
    {ObjType::Str, &kStrStrip},
    {ObjType::Str, &kStrLstrip},
    {ObjType::Str, &kStrRstrip},
    {ObjType::Str, &kStrReplace},
    {ObjType::Str, &kStrStartswith},
    {ObjType::Str, &kStrEndswith},
    {ObjType::Str, &kStrUpper},
    {ObjType::Str, &kStrLower},
    {ObjType::Str, &kStrTitle},
    {ObjType::Str, &kStrCapitalize},
    {ObjType::Str, &kStrFind},
    {ObjType::Str, &kStrRfind},
    {ObjType::Str, &kStrIndex},
    {ObjType::Str, &kStrRindex},
    {ObjType::Str, &kStrCount},
    {ObjType::Str, &kStrZfill},
    {ObjType::Str, &kStrLjust},
    {ObjType::Str, &kStrRjust},
    {ObjType::Str, &kStrCenter},
    {ObjType::Str, &kStrIsdigit},
    {ObjType::Str, &kStrIsalpha},
    {ObjType::Str, &kStrIsalnum},
    {ObjType::Str, &kStrIsspace},
    {ObjType::Str, &kStrIsupper},
    {ObjType::Str, &kStrIslower},
    {ObjType::Str, &kStrPartition},
    {ObjType::Str, &kStrRpartition},
    {ObjType::Str, &kStrFormat},
};

}  // namespace

const std::vector<const NativeDef*>& builtin_defs() {
  static const std::vector<const NativeDef*> defs = [] {
    std::vector<const NativeDef*> out(std::begin(kBuiltins), std::end(kBuiltins));
    for (const NativeDef* d : class_builtin_defs()) out.push_back(d);  // lang-func's (classes.cpp)
    return out;
  }();
  return defs;
}

const std::vector<std::string>& builtin_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const NativeDef* d : builtin_defs()) out.emplace_back(d->name);
    return out;
  }();
  return names;
}

const NativeDef* find_method(const Value& v, std::string_view name) {
  // lang12: the one class method of a builtin type a program meets (concurrent.futures uses it)
  if (v.is_native() && v.as_native() == &kDict && name == "fromkeys") return &kDictFromkeys;
  if (!v.is_obj()) return nullptr;
  for (const MethodEntry& m : kMethods)
    if (m.type == v.as_obj()->type && name == m.def->name) return m.def;
  return nullptr;
}

void check_arity(const NativeDef& def, int nargs) {
  if (def.is_method) --nargs;
  if (nargs >= def.min_args && (def.max_args < 0 || nargs <= def.max_args)) return;
  std::string what = def.is_method ? fmt::format("{}()", def.name) : fmt::format("{}()", def.name);
  if (def.min_args == def.max_args) {
    if (def.min_args == 0)
      raise("TypeError", fmt::format("{} takes no arguments ({} given)", what, nargs));
    if (def.min_args == 1)
      raise("TypeError", fmt::format("{} takes exactly one argument ({} given)", what, nargs));
    raise("TypeError",
          fmt::format("{} takes exactly {} arguments ({} given)", what, def.min_args, nargs));
  }
  if (nargs < def.min_args)
    raise("TypeError", fmt::format("{} expected at least {} argument{}, got {}", what, def.min_args,
                                   def.min_args == 1 ? "" : "s", nargs));
  raise("TypeError", fmt::format("{} expected at most {} argument{}, got {}", what, def.max_args,
                                 def.max_args == 1 ? "" : "s", nargs));
}

}  // namespace gilsim
