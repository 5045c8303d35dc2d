#include "vm/operations.h"

#include <fmt/format.h>

#include <cmath>
#include <cstring>

#include "vm/bytes.h"
#include "vm/classes.h"
#include "vm/containers.h"
#include "vm/data_ops.h"
#include "vm/dunders.h"
#include "vm/errors.h"
#include "vm/exceptions.h"
#include "vm/iterators.h"
#include "vm/memory_budget.h"
#include "vm/module_object.h"
#include "vm/objects.h"
#include "vm/pyformat.h"
#include "vm/slices.h"
#include "vm/strformat.h"
#include "vm/thread_state.h"

// lang2: an operand of a user class, whose special methods come first (vm/dunders.h).
#define GILSIM_UNLIKELY_INSTANCE(a, b) \
  __builtin_expect((a).is(gilsim::ObjType::Instance) || (b).is(gilsim::ObjType::Instance), 0)

namespace gilsim {

namespace {

// Nesting depth for repr and == on lists: CPython raises RecursionError near its recursion limit;
// so does gilsim, instead of overflowing the C++ stack on a list nested a million deep.
constexpr int kMaxNesting = kRecursionLimit;

}  // namespace

const char* op_symbol(Op op) {
  switch (op) {
    case Op::BINARY_ADD:
    case Op::INPLACE_ADD:
      return "+";
    case Op::BINARY_SUBTRACT:
      return "-";
    case Op::BINARY_MULTIPLY:
    case Op::INPLACE_MULTIPLY:
      return "*";
    case Op::BINARY_TRUE_DIVIDE:
      return "/";
    case Op::BINARY_FLOOR_DIVIDE:
      return "//";
    case Op::BINARY_MODULO:
      return "%";
    case Op::BINARY_POWER:
      return "** or pow()";
    case Op::BINARY_AND:
    case Op::INPLACE_AND:
      return "&";
    case Op::BINARY_OR:
    case Op::INPLACE_OR:
      return "|";
    case Op::BINARY_XOR:
    case Op::INPLACE_XOR:
      return "^";
    case Op::BINARY_LSHIFT:
      return "<<";
    case Op::BINARY_RSHIFT:
      return ">>";
    case Op::INPLACE_SUBTRACT:
      return "-";
    case Op::COMPARE_LT:
      return "<";
    case Op::COMPARE_LE:
      return "<=";
    case Op::COMPARE_GT:
      return ">";
    case Op::COMPARE_GE:
      return ">=";
    default:
      return "?";
  }
}

namespace {

[[noreturn]] void unsupported(Op op, const Value& a, const Value& b) {
  raise("TypeError", fmt::format("unsupported operand type(s) for {}: '{}' and '{}'", op_symbol(op),
                                 type_name(a), type_name(b)));
}

// ---- UTF-8: Python indexes and counts code points, gilsim stores UTF-8 bytes ----
bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

std::int64_t utf8_length(const std::string& s) {
  std::int64_t n = 0;
  for (char c : s) n += !is_continuation(c);
  return n;
}

// The code point at index i (0 <= i < length) as its own string.
std::string utf8_at(const std::string& s, std::int64_t i) {
  size_t pos = 0;
  for (std::int64_t k = 0; k < i; ++k) {
    ++pos;
    while (pos < s.size() && is_continuation(s[pos])) ++pos;
  }
  size_t end = pos + 1;
  while (end < s.size() && is_continuation(s[end])) ++end;
  return s.substr(pos, end - pos);
}

std::int64_t normalize_index(const Value& index, std::int64_t length, const char* what) {
  std::int64_t i = index.as_int();
  if (i < 0) i += length;
  if (i < 0 || i >= length) raise("IndexError", fmt::format("{} index out of range", what));
  return i;
}

Value repeat(ThreadState& ts, const Value& seq, std::int64_t n) {
  if (n < 0) n = 0;
  if (seq.is(ObjType::Tuple)) {
    const auto& xs = seq.as<TupleObj>()->items;
    if (!xs.empty() && n > (std::int64_t{1} << 28) / static_cast<std::int64_t>(xs.size()))
      raise("MemoryError", "tuple repetition result is too large");
    require_memory(ts, xs.size() * static_cast<std::uint64_t>(n) * sizeof(Value));
    std::vector<Value> items;
    items.reserve(xs.size() * static_cast<size_t>(n));
    for (std::int64_t k = 0; k < n; ++k)
      for (const auto& v : xs) items.push_back(v);
    return new_tuple(ts, std::move(items));
  }
  if (seq.is(ObjType::Str)) {
    const std::string& s = seq.as<StrObj>()->text;
    // The result's size first, in 128 bits: `'ab' * 2**62` must not wrap to a small number.
    unsigned __int128 size =
        static_cast<unsigned __int128>(s.size()) * static_cast<std::uint64_t>(n);
    if (size > (std::uint64_t{1} << 40))
      raise("MemoryError", "string repetition result is too large");
    require_memory(ts, static_cast<std::uint64_t>(size));
    std::string out;
    out.reserve(static_cast<size_t>(size));
    for (std::int64_t k = 0; k < n; ++k) out += s;
    return new_str(ts, std::move(out));
  }
  auto* list = seq.as<ListObj>();
  std::vector<Value> items;
  {
    ListGuard g(*list, ts.lock_objects);
    unsigned __int128 count =
        static_cast<unsigned __int128>(list->items.size()) * static_cast<std::uint64_t>(n);
    if (count > (std::uint64_t{1} << 36))
      raise("MemoryError", "list repetition result is too large");
    require_memory(ts, static_cast<std::uint64_t>(count) * sizeof(Value));
    items.reserve(static_cast<size_t>(count));
    for (std::int64_t k = 0; k < n; ++k)
      for (const auto& v : list->items) items.push_back(v);
  }
  return new_list(ts, std::move(items));
}

std::vector<Value> snapshot(ThreadState& ts, ListObj& list) {
  ListGuard g(list, ts.lock_objects);
  return list.items;
}

Value float_op(Op op, double x, double y) {
  switch (op) {
    case Op::BINARY_ADD:
    case Op::INPLACE_ADD:
      return Value::floating(x + y);
    case Op::BINARY_SUBTRACT:
      return Value::floating(x - y);
    case Op::BINARY_MULTIPLY:
    case Op::INPLACE_MULTIPLY:
      return Value::floating(x * y);
    case Op::BINARY_TRUE_DIVIDE:
      if (y == 0.0) raise("ZeroDivisionError", "float division by zero");
      return Value::floating(x / y);
    case Op::BINARY_FLOOR_DIVIDE:
      if (y == 0.0) raise("ZeroDivisionError", "float floor division by zero");
      return Value::floating(float_floordiv(x, y));
    case Op::BINARY_MODULO:
      if (y == 0.0) raise("ZeroDivisionError", "float modulo");
      return Value::floating(float_mod(x, y));
    case Op::BINARY_POWER: {
      if (x == 0.0 && y < 0.0)
        raise("ZeroDivisionError", "0.0 cannot be raised to a negative power");
      if (x < 0.0 && std::isfinite(y) && y != std::floor(y))
        raise("ValueError",
              "negative number raised to a fractional power (a complex result; gilsim has no "
              "complex numbers)");
      double r = std::pow(x, y);
      if (std::isinf(r) && std::isfinite(x) && std::isfinite(y))
        raise("OverflowError", "(34, 'Numerical result out of range')");
      return Value::floating(r);
    }
    default:
      return Value::none();
  }
}

Value int_op(Op op, std::int64_t a, std::int64_t b) {
  switch (op) {
    case Op::BINARY_ADD:
    case Op::INPLACE_ADD:
      return Value::integer(checked_add(a, b));
    case Op::BINARY_SUBTRACT:
      return Value::integer(checked_sub(a, b));
    case Op::BINARY_MULTIPLY:
    case Op::INPLACE_MULTIPLY:
      return Value::integer(checked_mul(a, b));
    case Op::BINARY_TRUE_DIVIDE:
      if (b == 0) raise("ZeroDivisionError", "division by zero");
      return Value::floating(static_cast<double>(a) / static_cast<double>(b));
    case Op::BINARY_FLOOR_DIVIDE: {
      if (b == 0) raise("ZeroDivisionError", "integer division or modulo by zero");
      auto q = int_floordiv(a, b);
      if (!q) raise("OverflowError", "integer overflow: the result does not fit in 64 bits");
      return Value::integer(*q);
    }
    case Op::BINARY_MODULO:
      if (b == 0) raise("ZeroDivisionError", "integer modulo by zero");
      return Value::integer(int_mod(a, b));
    case Op::BINARY_POWER: {
      if (b < 0) {
        if (a == 0) raise("ZeroDivisionError", "0.0 cannot be raised to a negative power");
        return float_op(op, static_cast<double>(a), static_cast<double>(b));
      }
      auto r = int_pow(a, b);
      if (!r) raise("OverflowError", "integer overflow: the result does not fit in 64 bits");
      return Value::integer(*r);
    }
    default:
      return Value::none();
  }
}

// Exact comparison of numbers, ints and floats mixed, as Python does: long double holds every
// int64 exactly on the platforms gilsim targets; NaN compares false.
int number_order(const Value& a, const Value& b, bool& unordered) {
  unordered = false;
  if (a.is_intlike() && b.is_intlike())
    return (a.as_int() > b.as_int()) - (a.as_int() < b.as_int());
  long double x = a.is_float() ? a.as_float() : static_cast<long double>(a.as_int());
  long double y = b.is_float() ? b.as_float() : static_cast<long double>(b.as_int());
  if (std::isnan(x) || std::isnan(y)) {
    unordered = true;
    return 0;
  }
  return (x > y) - (x < y);
}

bool equal_at(ThreadState& ts, const Value& a, const Value& b, int depth);

bool is_set_like(const Value& v) { return v.is(ObjType::Set) || v.is(ObjType::FrozenSet); }

bool set_equal(ThreadState& ts, const Value& a, const Value& b) {
  auto x = set_snapshot(ts, a);
  auto y = set_snapshot(ts, b);
  if (x.size() != y.size()) return false;
  for (const auto& k : x)
    if (!set_contains(ts, b, k)) return false;
  return true;
}

bool keys_view_equal(ThreadState& ts, const Value& a, const Value& b) {
  auto x = dict_snapshot(ts, a);
  if (x.size() != dict_size(ts, b)) return false;
  for (const auto& kv : x)
    if (!dict_get(ts, b, kv.first)) return false;
  return true;
}

// a <= b as sets: every member of a is in b.
bool subset(ThreadState& ts, const Value& a, const Value& b) {
  for (const auto& k : set_snapshot(ts, a))
    if (!set_contains(ts, b, k)) return false;
  return true;
}

// -1, 0, 1 for a < b, ==, >; raises TypeError for unorderable types.
int order_at(ThreadState& ts, Op op, const Value& a, const Value& b, int depth, bool& unordered) {
  unordered = false;
  if (a.is_number() && b.is_number()) return number_order(a, b, unordered);
  if (a.is(ObjType::Str) && b.is(ObjType::Str))
    return a.as<StrObj>()->text.compare(b.as<StrObj>()->text) < 0 ? -1
           : a.as<StrObj>()->text == b.as<StrObj>()->text         ? 0
                                                                  : 1;
  if (a.is(ObjType::Bytes) && b.is(ObjType::Bytes)) {  // by unsigned byte, as memcmp
    int c = a.as<BytesObj>()->data.compare(b.as<BytesObj>()->data);
    return (c > 0) - (c < 0);
  }
  if (a.is(ObjType::List) && b.is(ObjType::List)) {
    if (depth > kMaxNesting)
      raise("RecursionError", "maximum recursion depth exceeded in comparison");
    std::vector<Value> x = snapshot(ts, *a.as<ListObj>());
    std::vector<Value> y = snapshot(ts, *b.as<ListObj>());
    size_t n = std::min(x.size(), y.size());
    for (size_t i = 0; i < n; ++i) {
      if (equal_at(ts, x[i], y[i], depth + 1)) continue;
      return order_at(ts, op, x[i], y[i], depth + 1, unordered);
    }
    return (x.size() > y.size()) - (x.size() < y.size());
  }
  if (a.is(ObjType::Tuple) && b.is(ObjType::Tuple)) {
    if (depth > kMaxNesting)
      raise("RecursionError", "maximum recursion depth exceeded in comparison");
    const auto& x = a.as<TupleObj>()->items;
    const auto& y = b.as<TupleObj>()->items;
    size_t n = std::min(x.size(), y.size());
    for (size_t i = 0; i < n; ++i) {
      if (x[i].identical(y[i]) || equal_at(ts, x[i], y[i], depth + 1)) continue;
      return order_at(ts, op, x[i], y[i], depth + 1, unordered);
    }
    return (x.size() > y.size()) - (x.size() < y.size());
  }
  if (GILSIM_UNLIKELY_INSTANCE(a, b))
    if (auto r = instance_compare(ts, op, a, b)) {
      // order_at's callers test o against 0 for `op`: an answer for that op alone.
      bool greater_side = op == Op::COMPARE_GT || op == Op::COMPARE_GE;
      return *r == greater_side ? 1 : -1;
    }
  raise("TypeError", fmt::format("'{}' not supported between instances of '{}' and '{}'",
                                 op_symbol(op), type_name(a), type_name(b)));
}

bool equal_at(ThreadState& ts, const Value& a, const Value& b, int depth) {
  if (a.is_number() && b.is_number()) {
    bool unordered;
    return number_order(a, b, unordered) == 0 && !unordered;
  }
  if (GILSIM_UNLIKELY_INSTANCE(a, b)) {
    if (auto r = instance_compare(ts, Op::COMPARE_EQ, a, b)) return *r;
    return a.identical(b);
  }
  if (a.tag() != b.tag()) return false;
  if (!a.is_obj()) return a.identical(b);
  if (a.as_obj() == b.as_obj()) {
    // Identity implies equality for containers, as in CPython (so [nan] == [nan] via the same obj).
    return true;
  }
  if (a.as_obj()->type != b.as_obj()->type) {
    bool sa = a.is(ObjType::Set) || a.is(ObjType::FrozenSet);
    bool sb = b.is(ObjType::Set) || b.is(ObjType::FrozenSet);
    return sa && sb && set_equal(ts, a, b);
  }
  switch (a.as_obj()->type) {
    case ObjType::Str:
      return a.as<StrObj>()->text == b.as<StrObj>()->text;
    case ObjType::Bytes:
      return a.as<BytesObj>()->data == b.as<BytesObj>()->data;
    case ObjType::List: {
      if (depth > kMaxNesting)
        raise("RecursionError", "maximum recursion depth exceeded in comparison");
      std::vector<Value> x = snapshot(ts, *a.as<ListObj>());
      std::vector<Value> y = snapshot(ts, *b.as<ListObj>());
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i)
        if (!x[i].identical(y[i]) && !equal_at(ts, x[i], y[i], depth + 1)) return false;
      return true;
    }
    case ObjType::Tuple: {
      if (depth > kMaxNesting)
        raise("RecursionError", "maximum recursion depth exceeded in comparison");
      const auto& x = a.as<TupleObj>()->items;
      const auto& y = b.as<TupleObj>()->items;
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i)
        if (!x[i].identical(y[i]) && !equal_at(ts, x[i], y[i], depth + 1)) return false;
      return true;
    }
    case ObjType::Dict: {
      if (depth > kMaxNesting)
        raise("RecursionError", "maximum recursion depth exceeded in comparison");
      auto x = dict_snapshot(ts, a);
      if (x.size() != dict_size(ts, b)) return false;
      for (const auto& [k, v] : x) {
        auto other = dict_get(ts, b, k);
        if (!other || (!other->identical(v) && !equal_at(ts, v, *other, depth + 1))) return false;
      }
      return true;
    }
    case ObjType::Set:
    case ObjType::FrozenSet:
      return set_equal(ts, a, b);
    case ObjType::DictView: {
      auto* x = a.as<DictViewObj>();
      auto* y = b.as<DictViewObj>();
      if (x->kind != y->kind || x->kind == ViewKind::Values) return false;
      return equal_at(ts, x->dict, y->dict, depth + 1) ||
             (x->kind == ViewKind::Keys && keys_view_equal(ts, x->dict, y->dict));
    }
    case ObjType::Slice: {
      auto* x = a.as<SliceObj>();
      auto* y = b.as<SliceObj>();
      return equal_at(ts, x->start, y->start, depth + 1) &&
             equal_at(ts, x->stop, y->stop, depth + 1) && equal_at(ts, x->step, y->step, depth + 1);
    }
    case ObjType::Range: {
      auto* r = a.as<RangeObj>();
      auto* s = b.as<RangeObj>();
      unsigned __int128 n = r->count();
      if (n != s->count()) return false;
      if (n == 0) return true;
      if (r->start != s->start) return false;
      return n == 1 || r->step == s->step;
    }
    default:
      return false;
  }
}

void repr_into(ThreadState& ts, const Value& v, std::string& out, std::vector<const Obj*>& active);

void list_repr(ThreadState& ts, ListObj* list, std::string& out, std::vector<const Obj*>& active) {
  for (const Obj* o : active)
    if (o == list) {
      out += "[...]";
      return;
    }
  if (active.size() > static_cast<size_t>(kMaxNesting))
    raise("RecursionError", "maximum recursion depth exceeded while getting the repr of an object");
  active.push_back(list);
  std::vector<Value> items = snapshot(ts, *list);
  out += '[';
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    repr_into(ts, items[i], out, active);
  }
  out += ']';
  active.pop_back();
}

// repr of the lang-data types; a dict (or set) met again inside itself prints as {...}.
void container_repr(ThreadState& ts, const Value& v, std::string& out,
                    std::vector<const Obj*>& active) {
  const Obj* self = v.as_obj();
  ObjType type = self->type;
  if (type == ObjType::Slice) {
    auto* sl = v.as<SliceObj>();
    out += "slice(";
    repr_into(ts, sl->start, out, active);
    out += ", ";
    repr_into(ts, sl->stop, out, active);
    out += ", ";
    repr_into(ts, sl->step, out, active);
    out += ')';
    return;
  }
  if (type == ObjType::Iterator) {
    out += fmt::format("<{} object at {}>", iterator_type_name(v), fmt::ptr(self));
    return;
  }
  if (type == ObjType::Dict || type == ObjType::Tuple) {
    for (const Obj* o : active)
      if (o == self) {
        out += type == ObjType::Dict ? "{...}" : "(...)";
        return;
      }
  }
  if (active.size() > static_cast<size_t>(kMaxNesting))
    raise("RecursionError", "maximum recursion depth exceeded while getting the repr of an object");
  active.push_back(self);
  auto items = [&](const std::vector<Value>& xs) {
    for (size_t i = 0; i < xs.size(); ++i) {
      if (i) out += ", ";
      repr_into(ts, xs[i], out, active);
    }
  };
  switch (type) {
    case ObjType::Tuple: {
      const auto& xs = v.as<TupleObj>()->items;
      out += '(';
      items(xs);
      if (xs.size() == 1) out += ',';
      out += ')';
      break;
    }
    case ObjType::Dict: {
      auto entries = dict_snapshot(ts, v);
      out += '{';
      for (size_t i = 0; i < entries.size(); ++i) {
        if (i) out += ", ";
        repr_into(ts, entries[i].first, out, active);
        out += ": ";
        repr_into(ts, entries[i].second, out, active);
      }
      out += '}';
      break;
    }
    case ObjType::Set:
    case ObjType::FrozenSet: {
      auto xs = set_snapshot(ts, v);
      bool frozen = type == ObjType::FrozenSet;
      if (xs.empty()) {
        out += frozen ? "frozenset()" : "set()";
        break;
      }
      out += frozen ? "frozenset({" : "{";
      items(xs);
      out += frozen ? "})" : "}";
      break;
    }
    case ObjType::DictView: {
      auto* view = v.as<DictViewObj>();
      auto entries = dict_snapshot(ts, view->dict);
      out += type_name(v);
      out += "([";
      for (size_t i = 0; i < entries.size(); ++i) {
        if (i) out += ", ";
        if (view->kind == ViewKind::Keys) {
          repr_into(ts, entries[i].first, out, active);
        } else if (view->kind == ViewKind::Values) {
          repr_into(ts, entries[i].second, out, active);
        } else {
          out += '(';
          repr_into(ts, entries[i].first, out, active);
          out += ", ";
          repr_into(ts, entries[i].second, out, active);
          out += ')';
        }
      }
      out += "])";
      break;
    }
    default:
      break;
  }
  active.pop_back();
}

void repr_into(ThreadState& ts, const Value& v, std::string& out, std::vector<const Obj*>& active) {
  switch (v.tag()) {
    case Tag::None:
      out += "None";
      return;
    case Tag::Bool:
      out += v.as_bool() ? "True" : "False";
      return;
    case Tag::Int:
      out += std::to_string(v.as_int());
      return;
    case Tag::Float:
      out += format_float(v.as_float());
      return;
    case Tag::Native:
      out += fmt::format("<built-in function {}>", v.as_native()->name);
      return;
    case Tag::Unset:
      out += "<unset>";
      return;
    case Tag::Obj:
      break;
  }
  switch (v.as_obj()->type) {
    case ObjType::Str:
      out += repr_string(v.as<StrObj>()->text);
      return;
    case ObjType::Bytes:
      out += bytes_repr(v.as<BytesObj>()->data);
      return;
    case ObjType::List:
      list_repr(ts, v.as<ListObj>(), out, active);
      return;
    case ObjType::Tuple:
    case ObjType::Dict:
    case ObjType::Set:
    case ObjType::FrozenSet:
    case ObjType::DictView:
    case ObjType::Slice:
    case ObjType::Iterator:
      container_repr(ts, v, out, active);
      return;
    case ObjType::Range: {
      auto* r = v.as<RangeObj>();
      out += r->step == 1 ? fmt::format("range({}, {})", r->start, r->stop)
                          : fmt::format("range({}, {}, {})", r->start, r->stop, r->step);
      return;
    }
    case ObjType::Function:
      out += fmt::format("<function {}>", v.as<FunctionObj>()->code->name);
      return;
    case ObjType::BoundMethod: {
      auto* m = v.as<BoundMethodObj>();
      out += fmt::format("<built-in method {} of {} object>", m->def->name, type_name(m->self));
      return;
    }
    case ObjType::Module:
      out += module_repr(v);  // stdlib2
      return;
    default:
      out += object_repr(ts, v);  // lang-func: classes, instances, methods (vm/classes.cpp)
      return;
  }
}

}  // namespace

std::int64_t checked_add(std::int64_t a, std::int64_t b) {
  std::int64_t r;
  if (__builtin_add_overflow(a, b, &r))
    raise("OverflowError", "integer overflow: the result does not fit in 64 bits");
  return r;
}
std::int64_t checked_sub(std::int64_t a, std::int64_t b) {
  std::int64_t r;
  if (__builtin_sub_overflow(a, b, &r))
    raise("OverflowError", "integer overflow: the result does not fit in 64 bits");
  return r;
}
std::int64_t checked_mul(std::int64_t a, std::int64_t b) {
  std::int64_t r;
  if (__builtin_mul_overflow(a, b, &r))
    raise("OverflowError", "integer overflow: the result does not fit in 64 bits");
  return r;
}
std::int64_t int_of_float(double integral) {
  if (std::isnan(integral)) raise("ValueError", "cannot convert float NaN to integer");
  if (std::isinf(integral)) raise("OverflowError", "cannot convert float infinity to integer");
  if (integral < -9223372036854775808.0 || integral >= 9223372036854775808.0)
    raise("OverflowError", "integer overflow: the result does not fit in 64 bits");
  return static_cast<std::int64_t>(integral);
}

bool truthy(ThreadState& ts, const Value& v) {
  switch (v.tag()) {
    case Tag::None:
      return false;
    case Tag::Bool:
    case Tag::Int:
      return v.as_int() != 0;
    case Tag::Float:
      return v.as_float() != 0.0;
    case Tag::Obj:
      break;
    default:
      return true;
  }
  switch (v.as_obj()->type) {
    case ObjType::Str:
      return !v.as<StrObj>()->text.empty();
    case ObjType::Bytes:
      return !v.as<BytesObj>()->data.empty();
    case ObjType::List: {
      ListGuard g(*v.as<ListObj>(), ts.lock_objects);
      return !v.as<ListObj>()->items.empty();
    }
    case ObjType::Range:
      return v.as<RangeObj>()->count() > 0;
    case ObjType::Tuple:
    case ObjType::Dict:
    case ObjType::Set:
    case ObjType::FrozenSet:
    case ObjType::DictView:
      return length(ts, v) > 0;
    case ObjType::Instance:
      return instance_truthy(ts, v);
    default:
      return true;
  }
}

Value binary_op(ThreadState& ts, Op op, const Value& a, const Value& b) {
  if (GILSIM_UNLIKELY_INSTANCE(a, b))  // lang2: __add__, __radd__... (vm/dunders.h)
    if (auto r = instance_binary(ts, op, a, b)) return *r;
  if (is_data_binary_op(op)) return data_binary_op(ts, op, a, b);
  if (a.is_intlike() && b.is_intlike()) return int_op(op, a.as_int(), b.as_int());
  if (a.is_number() && b.is_number()) return float_op(op, a.to_double(), b.to_double());
  bool add = op == Op::BINARY_ADD || op == Op::INPLACE_ADD;
  bool mul = op == Op::BINARY_MULTIPLY || op == Op::INPLACE_MULTIPLY;
  if ((add || mul) && (a.is(ObjType::Bytes) || b.is(ObjType::Bytes)))
    if (auto r = bytes_binary(ts, op, a, b)) return *r;
  if (add && a.is(ObjType::Str)) {
    if (!b.is(ObjType::Str))
      raise("TypeError", fmt::format("can only concatenate str (not \"{}\") to str", type_name(b)));
    const std::string& x = a.as<StrObj>()->text;
    const std::string& y = b.as<StrObj>()->text;
    require_memory(ts, x.size() + y.size());
    return new_str(ts, x + y);
  }
  if (add && a.is(ObjType::List)) {
    // list += x takes any iterable (list.__iadd__ is extend); list + x only a list.
    if (!b.is(ObjType::List) && op != Op::INPLACE_ADD)
      raise("TypeError",
            fmt::format("can only concatenate list (not \"{}\") to list", type_name(b)));
    std::vector<Value> extra =
        b.is(ObjType::List) ? snapshot(ts, *b.as<ListObj>()) : collect(ts, b);
    if (op == Op::INPLACE_ADD) {  // list += list extends in place: aliases see it
      auto* list = a.as<ListObj>();
      ListGuard g(*list, ts.lock_objects);
      charge_memory(ts, *list, static_cast<std::int64_t>(extra.size() * sizeof(Value)));
      for (auto& v : extra) list->items.push_back(std::move(v));
      return a;
    }
    std::vector<Value> items = snapshot(ts, *a.as<ListObj>());
    require_memory(ts, (items.size() + extra.size()) * sizeof(Value));
    for (auto& v : extra) items.push_back(std::move(v));
    return new_list(ts, std::move(items));
  }
  if (add && a.is(ObjType::Tuple)) {
    if (!b.is(ObjType::Tuple))
      raise("TypeError",
            fmt::format("can only concatenate tuple (not \"{}\") to tuple", type_name(b)));
    const auto& extra = b.as<TupleObj>()->items;
    require_memory(ts, (a.as<TupleObj>()->items.size() + extra.size()) * sizeof(Value));
    std::vector<Value> items = a.as<TupleObj>()->items;
    for (const auto& v : extra) items.push_back(v);
    return new_tuple(ts, std::move(items));
  }
  if (op == Op::BINARY_MODULO && a.is(ObjType::Str))
    return new_str(ts, percent_format(ts, a.as<StrObj>()->text, b));
  if (op == Op::BINARY_SUBTRACT && is_set_like(a) && is_set_like(b))
    return data_binary_op(ts, op, a, b);
  if (mul) {
    bool a_seq = a.is(ObjType::Str) || a.is(ObjType::List) || a.is(ObjType::Tuple);
    bool b_seq = b.is(ObjType::Str) || b.is(ObjType::List) || b.is(ObjType::Tuple);
    if (a_seq || b_seq) {
      const Value& seq = a_seq ? a : b;
      const Value& count = a_seq ? b : a;
      if (!count.is_intlike())
        raise("TypeError",
              fmt::format("can't multiply sequence by non-int of type '{}'", type_name(count)));
      Value result = repeat(ts, seq, count.as_int());
      if (op == Op::INPLACE_MULTIPLY && seq.is(ObjType::List) && a_seq) {
        auto* list = a.as<ListObj>();
        std::vector<Value> items = std::move(result.as<ListObj>()->items);
        ListGuard g(*list, ts.lock_objects);
        list->items = std::move(items);
        return a;
      }
      return result;
    }
  }
  unsupported(op, a, b);
}

Value unary_op(ThreadState& ts, Op op, const Value& v) {
  if (op == Op::UNARY_NOT) return Value::boolean(!truthy(ts, v));
  if (v.is(ObjType::Instance))
    if (auto r = instance_unary(ts, op, v)) return *r;
  if (op == Op::UNARY_INVERT) {
    if (v.is_intlike()) return Value::integer(~v.as_int());
    raise("TypeError", fmt::format("bad operand type for unary ~: '{}'", type_name(v)));
  }
  const char* sym = op == Op::UNARY_NEGATIVE ? "-" : "+";
  if (v.is_intlike()) {
    if (op == Op::UNARY_POSITIVE) return Value::integer(v.as_int());
    return Value::integer(checked_sub(0, v.as_int()));
  }
  if (v.is_float()) return Value::floating(op == Op::UNARY_NEGATIVE ? -v.as_float() : v.as_float());
  raise("TypeError", fmt::format("bad operand type for unary {}: '{}'", sym, type_name(v)));
}

bool equal(ThreadState& ts, const Value& a, const Value& b) { return equal_at(ts, a, b, 0); }

bool compare(ThreadState& ts, Op op, const Value& a, const Value& b) {
  if (GILSIM_UNLIKELY_INSTANCE(a, b))
    if (auto r = instance_compare(ts, op, a, b)) return *r;
  switch (op) {
    case Op::COMPARE_EQ:
      return equal(ts, a, b);
    case Op::COMPARE_NE:
      return !equal(ts, a, b);
    case Op::COMPARE_IS:
      return a.identical(b);
    case Op::COMPARE_IS_NOT:
      return !a.identical(b);
    case Op::COMPARE_IN:
    case Op::COMPARE_NOT_IN: {
      bool found = false;
      if (b.is(ObjType::Str)) {
        if (!a.is(ObjType::Str))
          raise("TypeError",
                fmt::format("'in <string>' requires string as left operand, not {}", type_name(a)));
        found = b.as<StrObj>()->text.find(a.as<StrObj>()->text) != std::string::npos;
      } else if (b.is(ObjType::Bytes)) {
        found = bytes_contains(b, a);
      } else if (b.is(ObjType::List)) {
        for (const Value& item : snapshot(ts, *b.as<ListObj>()))
          if (a.identical(item) || equal(ts, a, item)) {
            found = true;
            break;
          }
      } else if (b.is(ObjType::Tuple)) {
        for (const Value& item : b.as<TupleObj>()->items)
          if (a.identical(item) || equal(ts, a, item)) {
            found = true;
            break;
          }
      } else if (b.is(ObjType::Dict)) {
        found = dict_get(ts, b, a).has_value();
      } else if (is_set_like(b)) {
        // A set looked up in a set of frozensets, as CPython: by its frozen value.
        found = set_contains(ts, b, a);
      } else if (b.is(ObjType::DictView) || b.is(ObjType::Iterator)) {
        if (b.is(ObjType::DictView) && b.as<DictViewObj>()->kind == ViewKind::Keys) {
          found = dict_get(ts, b.as<DictViewObj>()->dict, a).has_value();
        } else {
          for (const Value& item : collect(ts, b))
            if (a.identical(item) || equal(ts, a, item)) {
              found = true;
              break;
            }
        }
      } else if (b.is(ObjType::Range)) {
        auto* r = b.as<RangeObj>();
        // Python compares by value: 2.0 in range(3) is True, 2.5 is not.
        // Every range item is an int64, so a float from -2**63 up to (not including) 2**63 is
        // the only kind that can be one; all of those convert exactly.
        bool integral = a.is_float() && a.as_float() == std::trunc(a.as_float()) &&
                        a.as_float() >= -9223372036854775808.0 &&
                        a.as_float() < 9223372036854775808.0;
        if (a.is_intlike() || integral) {
          std::int64_t x = a.is_intlike() ? a.as_int() : static_cast<std::int64_t>(a.as_float());
          bool inside =
              r->step > 0 ? (x >= r->start && x < r->stop) : (x <= r->start && x > r->stop);
          found = inside && (static_cast<__int128>(x) - r->start) % r->step == 0;
        }
      } else if (auto r = instance_contains(ts, b, a)) {
        found = *r;
      } else {
        raise("TypeError", fmt::format("argument of type '{}' is not iterable", type_name(b)));
      }
      return op == Op::COMPARE_IN ? found : !found;
    }
    default:
      break;
  }
  if (is_set_like(a) && is_set_like(b)) {
    bool a_in_b = subset(ts, a, b), b_in_a = subset(ts, b, a);
    switch (op) {
      case Op::COMPARE_LT:
        return a_in_b && !b_in_a;
      case Op::COMPARE_LE:
        return a_in_b;
      case Op::COMPARE_GT:
        return b_in_a && !a_in_b;
      default:
        return b_in_a;
    }
  }
  bool unordered;
  int o = order_at(ts, op, a, b, 0, unordered);
  if (unordered) return false;
  switch (op) {
    case Op::COMPARE_LT:
      return o < 0;
    case Op::COMPARE_LE:
      return o <= 0;
    case Op::COMPARE_GT:
      return o > 0;
    case Op::COMPARE_GE:
      return o >= 0;
    default:
      return false;
  }
}

std::string to_repr(ThreadState& ts, const Value& v) {
  std::string out;
  std::vector<const Obj*> active;
  repr_into(ts, v, out, active);
  return out;
}

std::string to_str(ThreadState& ts, const Value& v) {
  if (v.is(ObjType::Str)) return v.as<StrObj>()->text;
  if (v.is(ObjType::Instance)) return object_str(ts, v);  // lang-func: __str__
  return to_repr(ts, v);
}

std::int64_t length(ThreadState& ts, const Value& v) {
  if (v.is(ObjType::Str)) return utf8_length(v.as<StrObj>()->text);
  if (v.is(ObjType::Bytes)) return static_cast<std::int64_t>(v.as<BytesObj>()->data.size());
  if (v.is(ObjType::List)) {
    ListGuard g(*v.as<ListObj>(), ts.lock_objects);
    return static_cast<std::int64_t>(v.as<ListObj>()->items.size());
  }
  if (v.is(ObjType::Range)) return v.as<RangeObj>()->length();
  if (v.is(ObjType::Tuple)) return static_cast<std::int64_t>(v.as<TupleObj>()->items.size());
  if (v.is(ObjType::Dict)) return static_cast<std::int64_t>(dict_size(ts, v));
  if (v.is(ObjType::DictView))
    return static_cast<std::int64_t>(dict_size(ts, v.as<DictViewObj>()->dict));
  if (is_set_like(v)) {
    auto* s = v.as<SetObj>();
    ContainerGuard g(s->mu, ts.lock_objects && v.is(ObjType::Set));
    return static_cast<std::int64_t>(s->table.size());
  }
  if (auto n = instance_length(ts, v)) return *n;
  raise("TypeError", fmt::format("object of type '{}' has no len()", type_name(v)));
}

Value subscript(ThreadState& ts, const Value& container, const Value& index) {
  // An instance's __getitem__ gets the slice object, as in CPython (sys.version_info[:2]).
  if (index.is(ObjType::Slice) && !container.is(ObjType::Instance))
    return slice_of(ts, container, *index.as<SliceObj>());
  if (container.is(ObjType::Dict)) {
    if (auto v = dict_get(ts, container, index)) return *v;
    raise_key_error(index);
  }
  if (container.is(ObjType::Tuple)) {
    if (!index.is_intlike())
      raise("TypeError",
            fmt::format("tuple indices must be integers or slices, not {}", type_name(index)));
    const auto& items = container.as<TupleObj>()->items;
    std::int64_t i = normalize_index(index, static_cast<std::int64_t>(items.size()), "tuple");
    return items[static_cast<size_t>(i)];
  }
  if (container.is(ObjType::List)) {
    if (!index.is_intlike())
      raise("TypeError",
            fmt::format("list indices must be integers or slices, not {}", type_name(index)));
    auto* list = container.as<ListObj>();
    ListGuard g(*list, ts.lock_objects);
    std::int64_t i = normalize_index(index, static_cast<std::int64_t>(list->items.size()), "list");
    return list->items[static_cast<size_t>(i)];
  }
  if (container.is(ObjType::Bytes)) return bytes_item(container, index);
  if (container.is(ObjType::Str)) {
    if (!index.is_intlike())
      raise("TypeError",
            fmt::format("string indices must be integers, not '{}'", type_name(index)));
    const std::string& s = container.as<StrObj>()->text;
    std::int64_t i = normalize_index(index, utf8_length(s), "string");
    return make_str(utf8_at(s, i));
  }
  if (container.is(ObjType::Range)) {
    if (!index.is_intlike())
      raise("TypeError",
            fmt::format("range indices must be integers or slices, not {}", type_name(index)));
    auto* r = container.as<RangeObj>();
    __int128 n = static_cast<__int128>(r->count());
    __int128 i = index.as_int();
    if (i < 0) i += n;
    if (i < 0 || i >= n) raise("IndexError", "range object index out of range");
    return Value::integer(r->item(static_cast<unsigned __int128>(i)));
  }
  if (auto r = instance_getitem(ts, container, index)) return *r;
  raise("TypeError", fmt::format("'{}' object is not subscriptable", type_name(container)));
}

void store_subscript(ThreadState& ts, const Value& container, const Value& index, Value item) {
  if (container.is(ObjType::Dict)) {
    dict_set(ts, container, index, std::move(item));
    return;
  }
  if (container.is(ObjType::List) && index.is(ObjType::Slice)) {
    assign_slice(ts, container, *index.as<SliceObj>(), std::move(item));
    return;
  }
  if (!container.is(ObjType::List)) {
    if (instance_setitem(ts, container, index, item)) return;
    raise("TypeError",
          fmt::format("'{}' object does not support item assignment", type_name(container)));
  }
  if (!index.is_intlike())
    raise("TypeError",
          fmt::format("list indices must be integers or slices, not {}", type_name(index)));
  auto* list = container.as<ListObj>();
  Value old;  // released after the guard: freeing an item must not happen under the list's mutex
  {
    ListGuard g(*list, ts.lock_objects);
    std::int64_t i =
        normalize_index(index, static_cast<std::int64_t>(list->items.size()), "list assignment");
    old = std::move(list->items[static_cast<size_t>(i)]);
    list->items[static_cast<size_t>(i)] = std::move(item);
  }
}

}  // namespace gilsim

namespace gilsim {

void delete_subscript(ThreadState& ts, const Value& container, const Value& index) {
  if (container.is(ObjType::Dict)) {
    if (!dict_delete(ts, container, index)) raise_key_error(index);
    return;
  }
  if (container.is(ObjType::List)) {
    if (index.is(ObjType::Slice)) {
      delete_slice(ts, container, *index.as<SliceObj>());
      return;
    }
    if (!index.is_intlike())
      raise("TypeError",
            fmt::format("list indices must be integers or slices, not {}", type_name(index)));
    auto* list = container.as<ListObj>();
    Value old;
    ListGuard g(*list, ts.lock_objects);
    std::int64_t i =
        normalize_index(index, static_cast<std::int64_t>(list->items.size()), "list assignment");
    old = std::move(list->items[static_cast<size_t>(i)]);
    list->items.erase(list->items.begin() + i);
    return;
  }
  if (instance_delitem(ts, container, index)) return;
  raise("TypeError",
        fmt::format("'{}' object doesn't support item deletion", type_name(container)));
}

}  // namespace gilsim
