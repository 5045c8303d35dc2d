// The builtins and methods of the lang-data types: tuple, dict, set, frozenset, the iteration
// builtins (enumerate, zip, sorted, ...), and the str and list methods beyond append/pop.
// builtins.cpp lists them in its tables (data_builtins.h declares them).
#include "vm/data_builtins.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "vm/containers.h"
#include "vm/dunders.h"
#include "vm/errors.h"
#include "vm/exceptions.h"
#include "vm/interpreter.h"
#include "vm/iterators.h"
#include "vm/memory_budget.h"
#include "vm/operations.h"
#include "vm/pyformat.h"
#include "vm/strformat.h"
#include "vm/thread_state.h"

namespace gilsim {

namespace {

std::int64_t index_arg(const Value& v) {
  if (!v.is_intlike())
    raise("TypeError",
          fmt::format("'{}' object cannot be interpreted as an integer", type_name(v)));
  return v.as_int();
}

const std::string& str_arg(const Value& v, const char* fn) {
  if (!v.is(ObjType::Str))
    raise("TypeError", fmt::format("{}() argument must be str, not {}", fn, type_name(v)));
  return v.as<StrObj>()->text;
}

std::vector<Value> args_vec(Value* args, int n) { return std::vector<Value>(args, args + n); }

// Stable merge sort with Python's `<` (so that a TypeError names the types, as CPython's).
void sort_values(ThreadState& ts, std::vector<Value>& keys, std::vector<Value>& items,
                 bool reverse) {
  std::vector<size_t> order(keys.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    return reverse ? compare(ts, Op::COMPARE_LT, keys[y], keys[x])
                   : compare(ts, Op::COMPARE_LT, keys[x], keys[y]);
  });
  std::vector<Value> sorted;
  sorted.reserve(items.size());
  for (size_t i : order) sorted.push_back(std::move(items[i]));
  items = std::move(sorted);
}

// The sort keys of `items`: key(item) for each, or the items themselves when key is None.
std::vector<Value> sort_keys(ThreadState& ts, const std::vector<Value>& items, const Value* key) {
  if (!key || key->is_none()) return items;
  std::vector<Value> keys;
  keys.reserve(items.size());
  for (const Value& v : items) keys.push_back(call_nested(ts, *key, {v}));
  return keys;
}

bool reverse_flag(ThreadState& ts, const KwArgs& kw) {
  const Value* r = kw.find("reverse");
  return r && truthy(ts, *r);
}

}  // namespace

// ---- constructors ----
Value b_tuple(ThreadState& ts, Value* args, int n) {
  if (n == 0) return make_tuple();
  if (args[0].is(ObjType::Tuple)) return args[0];
  Value src = args[0];
  return new_tuple(ts, collect(ts, src));
}

Value b_list(ThreadState& ts, Value* args, int n) {
  if (n == 0) return make_list();
  Value src = args[0];
  return make_list(collect(ts, src));
}

// dict.fromkeys(iterable, value=None), reached through the `dict` builtin (find_method);
// args[0] is `dict` itself.
Value m_dict_fromkeys(ThreadState& ts, Value* args, int n) {
  Value value = n > 2 ? args[2] : Value::none();
  Value d = make_dict();
  for (auto& k : collect(ts, args[1])) dict_set(ts, d, std::move(k), value);
  return d;
}

Value b_dict(ThreadState& ts, Value* args, int n) {
  Value d = make_dict();
  if (n == 0) return d;
  Value src = args[0];
  if (src.is(ObjType::Dict)) {
    for (auto& [k, v] : dict_snapshot(ts, src)) dict_set(ts, d, k, v);
    return d;
  }
  size_t index = 0;
  for (const Value& item : collect(ts, src)) {
    if (!item.is(ObjType::Tuple) && !item.is(ObjType::List) && !item.is(ObjType::Str))
      raise("TypeError", fmt::format("cannot convert dictionary update sequence element #{} to a "
                                     "sequence",
                                     index));
    std::vector<Value> pair = collect(ts, item);
    if (pair.size() != 2)
      raise("ValueError", fmt::format("dictionary update sequence element #{} has length {}; 2 is "
                                      "required",
                                      index, pair.size()));
    dict_set(ts, d, pair[0], pair[1]);
    ++index;
  }
  return d;
}

Value make_set_from(ThreadState& ts, Value* args, int n, bool frozen) {
  Value s = make_set(frozen);
  if (n == 0) return s;
  Value src = args[0];
  for (Value& v : collect(ts, src)) set_add(ts, s, std::move(v));
  return s;
}
Value b_set(ThreadState& ts, Value* args, int n) { return make_set_from(ts, args, n, false); }
Value b_frozenset(ThreadState& ts, Value* args, int n) { return make_set_from(ts, args, n, true); }

// ---- iteration builtins ----
Value b_enumerate(ThreadState& ts, Value* args, int n) {
  return make_enumerate(ts, args[0], n > 1 ? index_arg(args[1]) : 0);
}
Value b_zip(ThreadState& ts, Value* args, int n) { return make_zip(ts, args_vec(args, n)); }
Value b_reversed(ThreadState& ts, Value* args, int) { return make_reversed(ts, args[0]); }
Value b_map(ThreadState& ts, Value* args, int n) {
  return make_map(ts, args[0], std::vector<Value>(args + 1, args + n));
}
Value b_filter(ThreadState& ts, Value* args, int) { return make_filter(ts, args[0], args[1]); }
Value b_iter(ThreadState& ts, Value* args, int) { return make_iterator(ts, args[0]); }
Value b_next(ThreadState& ts, Value* args, int n) {
  if (args[0].is(ObjType::Instance)) {  // lang2: __next__
    Value out;
    if (auto more = instance_next(ts, args[0], out)) {
      if (*more) return out;
      if (n > 1) return args[1];
      raise("StopIteration", "");
    }
  }
  if (!args[0].is(ObjType::Iterator))
    raise("TypeError", fmt::format("'{}' object is not an iterator", type_name(args[0])));
  Value it = args[0];
  Value fallback = n > 1 ? args[1] : Value::unset();
  Value out;
  if (iterator_next(ts, it, out)) return out;
  if (!fallback.is_unset()) return fallback;
  if (it.as<IterObj>()->generator) raise_stop_iteration(out);  // lang12: what it returned
  raise("StopIteration", "");
}

Value b_sorted(ThreadState& ts, Value* args, int, const KwArgs& kw) {
  check_keywords("sort", kw, {"key", "reverse"});
  Value src = args[0];
  std::vector<Value> items = collect(ts, src);
  std::vector<Value> keys = sort_keys(ts, items, kw.find("key"));
  sort_values(ts, keys, items, reverse_flag(ts, kw));
  return make_list(std::move(items));
}

Value b_any(ThreadState& ts, Value* args, int) {
  Value it = make_iterator(ts, args[0]);
  Value item;
  while (iterator_next(ts, it, item))
    if (truthy(ts, item)) return Value::boolean(true);
  return Value::boolean(false);
}
Value b_all(ThreadState& ts, Value* args, int) {
  Value it = make_iterator(ts, args[0]);
  Value item;
  while (iterator_next(ts, it, item))
    if (!truthy(ts, item)) return Value::boolean(false);
  return Value::boolean(true);
}

Value b_hash(ThreadState& ts, Value* args, int) {
  if (auto h = instance_hash(ts, args[0])) return Value::integer(*h);  // lang2: __hash__
  return Value::integer(hash_value(args[0]));
}
Value b_id(ThreadState&, Value* args, int) {
  const Value& v = args[0];
  if (v.is_obj())
    return Value::integer(static_cast<std::int64_t>(reinterpret_cast<std::uintptr_t>(v.as_obj())));
  return Value::integer(static_cast<std::int64_t>(hash_value(v)) & 0x7fffffffffff);
}

Value b_divmod(ThreadState& ts, Value* args, int) {
  Value q = binary_op(ts, Op::BINARY_FLOOR_DIVIDE, args[0], args[1]);
  Value r = binary_op(ts, Op::BINARY_MODULO, args[0], args[1]);
  return make_tuple({std::move(q), std::move(r)});
}
Value b_pow(ThreadState& ts, Value* args, int n) {
  if (n == 3) {
    if (!args[0].is_intlike() || !args[1].is_intlike() || !args[2].is_intlike())
      raise("TypeError", "pow() 3rd argument not allowed unless all arguments are integers");
    std::int64_t base = args[0].as_int(), exp = args[1].as_int(), mod = args[2].as_int();
    if (mod == 0) raise("ValueError", "pow() 3rd argument cannot be 0");
    if (exp < 0) raise("ValueError", "base is not invertible for the given modulus");
    __int128 result = 1, b = int_mod(base, mod);
    while (exp > 0) {
      if (exp & 1) result = (result * b) % mod;
      b = (b * b) % mod;
      exp >>= 1;
    }
    return Value::integer(int_mod(static_cast<std::int64_t>(result), mod));
  }
  return binary_op(ts, Op::BINARY_POWER, args[0], args[1]);
}
Value b_format(ThreadState& ts, Value* args, int n) {
  std::string spec = n > 1 ? str_arg(args[1], "format") : "";
  return make_str(format_value(ts, args[0], spec));
}
Value b_ascii(ThreadState& ts, Value* args, int) {
  return make_str(ascii_of(to_repr(ts, args[0])));
}
Value b_chr(ThreadState& ts, Value* args, int) {
  std::int64_t cp = index_arg(args[0]);
  if (cp < 0 || cp > 0x10ffff) raise("ValueError", "chr() arg not in range(0x110000)");
  return make_str(format_value(ts, Value::integer(cp), "c"));
}
Value b_ord(ThreadState&, Value* args, int) {
  if (!args[0].is(ObjType::Str))
    raise("TypeError",
          fmt::format("ord() expected string of length 1, but {} found", type_name(args[0])));
  const std::string& s = args[0].as<StrObj>()->text;
  if (utf8_count(s) != 1)
    raise("TypeError",
          fmt::format("ord() expected a character, but string of length {} found", utf8_count(s)));
  auto c = static_cast<unsigned char>(s[0]);
  int extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xe ? 2 : 3;
  std::uint32_t cp = extra == 0 ? c : c & (extra == 1 ? 0x1f : extra == 2 ? 0x0f : 0x07);
  for (int k = 1; k <= extra; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[k]) & 0x3f);
  return Value::integer(cp);
}

// ---- tuple and list methods ----
std::vector<Value> sequence_items(ThreadState& ts, const Value& self) { return collect(ts, self); }

Value m_seq_count(ThreadState& ts, Value* args, int) {
  Value self = args[0], x = args[1];
  std::int64_t n = 0;
  for (const Value& v : sequence_items(ts, self)) n += v.identical(x) || equal(ts, v, x);
  return Value::integer(n);
}
Value m_seq_index(ThreadState& ts, Value* args, int) {
  Value self = args[0], x = args[1];
  auto items = sequence_items(ts, self);
  for (size_t i = 0; i < items.size(); ++i)
    if (items[i].identical(x) || equal(ts, items[i], x))
      return Value::integer(static_cast<std::int64_t>(i));
  raise("ValueError", self.is(ObjType::Tuple) ? "tuple.index(x): x not in tuple"
                                              : fmt::format("{} is not in list", to_repr(ts, x)));
}
Value m_list_extend(ThreadState& ts, Value* args, int) {
  Value self = args[0], src = args[1];
  std::vector<Value> items = collect(ts, src);
  auto* list = self.as<ListObj>();
  ListGuard g(*list, ts.lock_objects);
  for (auto& v : items) list->items.push_back(std::move(v));
  return Value::none();
}
Value m_list_insert(ThreadState& ts, Value* args, int) {
  auto* list = args[0].as<ListObj>();
  std::int64_t i = index_arg(args[1]);
  ListGuard g(*list, ts.lock_objects);
  auto n = static_cast<std::int64_t>(list->items.size());
  if (i < 0) i = std::max<std::int64_t>(0, i + n);
  if (i > n) i = n;
  list->items.insert(list->items.begin() + i, args[2]);
  return Value::none();
}
Value m_list_remove(ThreadState& ts, Value* args, int) {
  Value self = args[0], x = args[1];
  auto items = collect(ts, self);
  for (size_t i = 0; i < items.size(); ++i)
    if (items[i].identical(x) || equal(ts, items[i], x)) {
      delete_subscript(ts, self, Value::integer(static_cast<std::int64_t>(i)));
      return Value::none();
    }
  raise("ValueError", "list.remove(x): x not in list");
}
Value m_list_reverse(ThreadState& ts, Value* args, int) {
  auto* list = args[0].as<ListObj>();
  ListGuard g(*list, ts.lock_objects);
  std::reverse(list->items.begin(), list->items.end());
  return Value::none();
}
Value m_list_sort(ThreadState& ts, Value* args, int, const KwArgs& kw) {
  check_keywords("sort", kw, {"key", "reverse"});
  Value self = args[0];
  auto* list = self.as<ListObj>();
  std::vector<Value> items;
  {
    ListGuard g(*list, ts.lock_objects);
    items = std::move(list->items);
    list->items.clear();
  }
  try {
    std::vector<Value> keys = sort_keys(ts, items, kw.find("key"));
    sort_values(ts, keys, items, reverse_flag(ts, kw));
  } catch (...) {
    ListGuard g(*list, ts.lock_objects);
    list->items = std::move(items);
    throw;
  }
  ListGuard g(*list, ts.lock_objects);
  list->items = std::move(items);
  return Value::none();
}
Value m_list_clear(ThreadState& ts, Value* args, int) {
  std::vector<Value> old;
  auto* list = args[0].as<ListObj>();
  ListGuard g(*list, ts.lock_objects);
  old = std::move(list->items);
  list->items.clear();
  return Value::none();
}
Value m_list_copy(ThreadState& ts, Value* args, int) { return make_list(collect(ts, args[0])); }

// ---- dict methods ----
Value m_dict_get(ThreadState& ts, Value* args, int n) {
  if (auto v = dict_get(ts, args[0], args[1])) return *v;
  return n > 2 ? args[2] : Value::none();
}
Value m_dict_keys(ThreadState&, Value* args, int) {
  return Value::adopt(new DictViewObj(args[0], ViewKind::Keys));
}
Value m_dict_values(ThreadState&, Value* args, int) {
  return Value::adopt(new DictViewObj(args[0], ViewKind::Values));
}
Value m_dict_items(ThreadState&, Value* args, int) {
  return Value::adopt(new DictViewObj(args[0], ViewKind::Items));
}
Value m_dict_pop(ThreadState& ts, Value* args, int n) {
  std::int64_t h = hash_value(args[1]);
  auto* d = args[0].as<DictObj>();
  std::optional<Value> old;
  {
    ContainerGuard g(d->mu, ts.lock_objects);
    old = d->table.remove(args[1], h);
  }
  if (old) charge_memory(ts, *d, -dict_key_bytes());
  if (old) return *old;
  if (n > 2) return args[2];
  raise_key_error(args[1]);
}
Value m_dict_popitem(ThreadState& ts, Value* args, int) {
  auto entries = dict_snapshot(ts, args[0]);
  if (entries.empty()) raise_key_error(make_str("popitem(): dictionary is empty"));
  auto& [k, v] = entries.back();
  dict_delete(ts, args[0], k);
  return make_tuple({k, v});
}
Value m_dict_setdefault(ThreadState& ts, Value* args, int n) {
  if (auto v = dict_get(ts, args[0], args[1])) return *v;
  Value fallback = n > 2 ? args[2] : Value::none();
  dict_set(ts, args[0], args[1], fallback);
  return fallback;
}
Value m_dict_update(ThreadState& ts, Value* args, int n) {
  if (n < 2) return Value::none();
  Value self = args[0], source = args[1];
  Value other = b_dict(ts, &source, 1);
  for (auto& [k, v] : dict_snapshot(ts, other)) dict_set(ts, self, k, v);
  return Value::none();
}
Value m_dict_clear(ThreadState& ts, Value* args, int) {
  auto* d = args[0].as<DictObj>();
  std::vector<HashTable::Entry> old;
  {
    ContainerGuard g(d->mu, ts.lock_objects);
    old = d->table.take_entries();
  }
  std::int64_t gone = 0;
  for (const auto& e : old) gone += e.key.is_unset() ? 0 : 1;
  charge_memory(ts, *d, -gone * dict_key_bytes());
  return Value::none();
}
Value m_dict_copy(ThreadState& ts, Value* args, int) { return b_dict(ts, args, 1); }

// ---- set methods ----
Value m_set_add(ThreadState& ts, Value* args, int) {
  set_add(ts, args[0], args[1]);
  return Value::none();
}
Value m_set_discard(ThreadState& ts, Value* args, int) {
  set_discard(ts, args[0], args[1]);
  return Value::none();
}
Value m_set_remove(ThreadState& ts, Value* args, int) {
  if (!set_discard(ts, args[0], args[1])) raise_key_error(args[1]);
  return Value::none();
}
Value m_set_pop(ThreadState& ts, Value* args, int) {
  auto items = set_snapshot(ts, args[0]);
  if (items.empty()) raise_key_error(make_str("pop from an empty set"));
  set_discard(ts, args[0], items[0]);
  return items[0];
}
Value m_set_clear(ThreadState& ts, Value* args, int) {
  auto* s = args[0].as<SetObj>();
  std::vector<SetTable::Slot> old;
  {
    ContainerGuard g(s->mu, ts.lock_objects);
    old = s->table.take_slots();
  }
  std::int64_t gone = 0;
  for (const auto& slot : old) gone += slot.key.is_unset() ? 0 : 1;
  charge_memory(ts, *s, -gone * set_key_bytes());
  return Value::none();
}
Value m_set_copy(ThreadState& ts, Value* args, int) {
  return make_set_from(ts, args, 1, args[0].is(ObjType::FrozenSet));
}
// The arguments are copied first: iterating one may run script code (a map() over a function),
// which may move the stack that `args` points into.
Value set_method_op(ThreadState& ts, Value* args, int n, Op op) {
  std::vector<Value> a(args, args + n);
  Value result = a[0].is(ObjType::FrozenSet) ? make_set_from(ts, a.data(), 1, true)
                                             : m_set_copy(ts, a.data(), 1);
  for (int i = 1; i < n; ++i) {
    Value other = make_set_from(ts, a.data() + i, 1, false);
    result = binary_op(ts, op, result, other);
  }
  return result;
}
Value m_set_union(ThreadState& ts, Value* args, int n) {
  return set_method_op(ts, args, n, Op::BINARY_OR);
}
Value m_set_intersection(ThreadState& ts, Value* args, int n) {
  return set_method_op(ts, args, n, Op::BINARY_AND);
}
Value m_set_difference(ThreadState& ts, Value* args, int n) {
  return set_method_op(ts, args, n, Op::BINARY_SUBTRACT);
}
Value m_set_symmetric_difference(ThreadState& ts, Value* args, int n) {
  return set_method_op(ts, args, n, Op::BINARY_XOR);
}
Value m_set_update(ThreadState& ts, Value* args, int n) {
  std::vector<Value> a(args, args + n);
  for (int i = 1; i < n; ++i)
    for (Value& v : collect(ts, a[i])) set_add(ts, a[0], std::move(v));
  return Value::none();
}
Value m_set_issubset(ThreadState& ts, Value* args, int) {
  Value self = args[0];
  Value other = make_set_from(ts, args + 1, 1, false);
  return Value::boolean(compare(ts, Op::COMPARE_LE, self, other));
}
Value m_set_issuperset(ThreadState& ts, Value* args, int) {
  Value self = args[0];
  Value other = make_set_from(ts, args + 1, 1, false);
  return Value::boolean(compare(ts, Op::COMPARE_GE, self, other));
}
Value m_set_isdisjoint(ThreadState& ts, Value* args, int) {
  Value self = args[0], other = args[1];
  for (const Value& v : collect(ts, other))
    if (set_contains(ts, self, v)) return Value::boolean(false);
  return Value::boolean(true);
}

}  // namespace gilsim
