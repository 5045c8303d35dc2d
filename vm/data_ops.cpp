#include "vm/data_ops.h"

#include <fmt/format.h>

#include <optional>
#include <utility>
#include <vector>

#include "vm/containers.h"
#include "vm/errors.h"
#include "vm/iterators.h"
#include "vm/memory_budget.h"
#include "vm/operations.h"
#include "vm/strformat.h"
#include "vm/thread_state.h"

namespace gilsim {

Value* build_tuple(ThreadState& ts, Value* sp, std::uint32_t n) {
  std::vector<Value> items;
  items.reserve(n);
  for (Value* p = sp - n; p < sp; ++p) items.push_back(std::move(*p));
  sp -= n;
  *sp++ = new_tuple(ts, std::move(items));
  return sp;
}

// The items leave the stack before the first key is hashed: a user __hash__ or __eq__ runs as a
// nested eval run, which may grow and so move the stack.
Value build_map(ThreadState& ts, Value* first, std::uint32_t pairs) {
  std::vector<Value> items;
  items.reserve(2 * static_cast<size_t>(pairs));
  for (std::uint32_t i = 0; i < 2 * pairs; ++i) items.push_back(std::exchange(first[i], Value()));
  Value dict = make_dict();
  for (size_t i = 0; i < items.size(); i += 2)
    dict_set(ts, dict, std::move(items[i]), std::move(items[i + 1]));
  return dict;
}

Value build_set(ThreadState& ts, Value* first, std::uint32_t n) {
  std::vector<Value> items;
  items.reserve(n);
  for (std::uint32_t i = 0; i < n; ++i) items.push_back(std::exchange(first[i], Value()));
  Value set = make_set();
  for (auto& v : items) set_add(ts, set, std::move(v));
  return set;
}

Value* build_slice(Value* sp, std::uint32_t n) {
  Value step = n == 3 ? std::move(sp[-1]) : Value::none();
  Value* first = sp - n;
  Value slice =
      Value::adopt(new SliceObj(std::move(first[0]), std::move(first[1]), std::move(step)));
  while (sp > first) *--sp = Value();
  *sp++ = std::move(slice);
  return sp;
}

Value* build_string(Value* sp, std::uint32_t n) {
  std::string out;
  for (Value* p = sp - n; p < sp; ++p) out += p->as<StrObj>()->text;
  Value* first = sp - n;
  while (sp > first) *--sp = Value();
  *sp++ = make_str(std::move(out));
  return sp;
}

std::vector<Value> unpack_items(ThreadState& ts, const Value& iterable, std::uint32_t before,
                                std::uint32_t after, bool starred) {
  std::vector<Value> items;
  if (iterable.is(ObjType::List) || iterable.is(ObjType::Tuple) ||
      (starred && iterable.is(ObjType::Range))) {
    items = collect(ts, iterable);  // a range too large to hold is its MemoryError
  } else {
    std::optional<Value> it = iterator_of(ts, iterable);
    if (!it)
      raise("TypeError", fmt::format("cannot unpack non-iterable {} object", type_name(iterable)));
    // As CPython, `a, b = it` takes one item past the targets to know there are too many, and no
    // more: an endless generator is not drained.
    size_t limit = starred ? SIZE_MAX : static_cast<size_t>(before) + 1;
    Value item;
    while (items.size() < limit && iterator_next(ts, *it, item)) items.push_back(std::move(item));
  }
  size_t n = items.size();
  if (!starred) {
    if (n > before)
      raise("ValueError", fmt::format("too many values to unpack (expected {})", before));
    if (n < before)
      raise("ValueError",
            fmt::format("not enough values to unpack (expected {}, got {})", before, n));
    return items;
  }
  if (n < before + after)
    raise("ValueError", fmt::format("not enough values to unpack (expected at least {}, got {})",
                                    before + after, n));
  std::vector<Value> out;
  out.reserve(before + after + 1);
  for (size_t i = 0; i < before; ++i) out.push_back(std::move(items[i]));
  std::vector<Value> middle;
  for (size_t i = before; i < n - after; ++i) middle.push_back(std::move(items[i]));
  out.push_back(make_list(std::move(middle)));
  for (size_t i = n - after; i < n; ++i) out.push_back(std::move(items[i]));
  return out;
}

void extend_container(ThreadState& ts, Op op, const Value& target, const Value& source) {
  if (op == Op::DICT_UPDATE) {
    if (!source.is(ObjType::Dict))
      raise("TypeError", fmt::format("'{}' object is not a mapping", type_name(source)));
    for (auto& [k, v] : dict_snapshot(ts, source)) dict_set(ts, target, k, v);
    return;
  }
  std::vector<Value> items = collect(ts, source);
  if (op == Op::SET_UPDATE) {
    for (auto& v : items) set_add(ts, target, std::move(v));
    return;
  }
  auto* list = target.as<ListObj>();
  ListGuard g(*list, ts.lock_objects);
  for (auto& v : items) list->items.push_back(std::move(v));
}

Value format_field(ThreadState& ts, const Value& v, int conversion, const Value* spec) {
  Value converted = v;
  if (conversion == 1) converted = make_str(to_str(ts, v));
  if (conversion == 2) converted = make_str(to_repr(ts, v));
  if (conversion == 3) converted = make_str(ascii_of(to_repr(ts, v)));
  std::string_view spec_text = spec ? std::string_view(spec->as<StrObj>()->text) : "";
  if (spec_text.empty() && converted.is(ObjType::Str)) return converted;
  return make_str(format_value(ts, converted, spec_text));
}

}  // namespace gilsim

namespace gilsim {

namespace {

bool set_like(const Value& v) { return v.is(ObjType::Set) || v.is(ObjType::FrozenSet); }

Value int_bitwise(Op op, std::int64_t a, std::int64_t b) {
  switch (op) {
    case Op::BINARY_AND:
    case Op::INPLACE_AND:
      return Value::integer(a & b);
    case Op::BINARY_OR:
    case Op::INPLACE_OR:
      return Value::integer(a | b);
    case Op::BINARY_XOR:
    case Op::INPLACE_XOR:
      return Value::integer(a ^ b);
    case Op::BINARY_LSHIFT: {
      if (b < 0) raise("ValueError", "negative shift count");
      if (a == 0) return Value::integer(0);
      if (b >= 63 || (a > 0 ? a > (INT64_MAX >> b) : a < (INT64_MIN >> b)))
        raise("OverflowError", "integer overflow: the result does not fit in 64 bits");
      return Value::integer(static_cast<std::int64_t>(static_cast<std::uint64_t>(a) << b));
    }
    case Op::BINARY_RSHIFT:
      if (b < 0) raise("ValueError", "negative shift count");
      return Value::integer(b >= 63 ? (a < 0 ? -1 : 0) : a >> b);  // arithmetic: floors, as Python
    default:
      return Value::integer(checked_sub(a, b));  // INPLACE_SUBTRACT on ints
  }
}

// The members of the result, in the order CPython's set operations add them.
Value set_operation(ThreadState& ts, Op op, const Value& a, const Value& b, bool in_place) {
  std::vector<Value> xs = set_snapshot(ts, a);
  std::vector<Value> ys = set_snapshot(ts, b);
  Value out = in_place ? a : make_set(a.is(ObjType::FrozenSet));
  auto add_all = [&](const std::vector<Value>& items) {
    for (const auto& v : items) set_add(ts, out, v);
  };
  switch (op) {
    case Op::BINARY_OR:
    case Op::INPLACE_OR:
      if (!in_place) add_all(xs);
      add_all(ys);
      break;
    case Op::BINARY_AND:
    case Op::INPLACE_AND: {
      std::vector<Value> keep;
      // CPython iterates the smaller set and probes the other.
      const auto& small = xs.size() > ys.size() ? ys : xs;
      const Value& other = xs.size() > ys.size() ? a : b;
      for (const auto& v : small)
        if (set_contains(ts, other, v)) keep.push_back(v);
      if (in_place) {
        for (const auto& v : xs) set_discard(ts, out, v);
        Value fresh = make_set();
        for (const auto& v : keep) set_add(ts, fresh, v);
        for (const auto& v : set_snapshot(ts, fresh)) set_add(ts, out, v);
      } else {
        add_all(keep);
      }
      break;
    }
    case Op::BINARY_SUBTRACT:
    case Op::INPLACE_SUBTRACT:
      if (in_place) {
        for (const auto& v : ys) set_discard(ts, out, v);
      } else {
        for (const auto& v : xs)
          if (!set_contains(ts, b, v)) set_add(ts, out, v);
      }
      break;
    default: {  // symmetric difference
      if (!in_place) add_all(xs);
      for (const auto& v : ys)
        if (!set_discard(ts, out, v)) set_add(ts, out, v);
      break;
    }
  }
  return out;
}

}  // namespace

bool is_data_binary_op(Op op) {
  switch (op) {
    case Op::BINARY_AND:
    case Op::BINARY_OR:
    case Op::BINARY_XOR:
    case Op::BINARY_LSHIFT:
    case Op::BINARY_RSHIFT:
    case Op::INPLACE_AND:
    case Op::INPLACE_OR:
    case Op::INPLACE_XOR:
    case Op::INPLACE_SUBTRACT:
      return true;
    default:
      return false;
  }
}

Value data_binary_op(ThreadState& ts, Op op, const Value& a, const Value& b) {
  if (a.is_intlike() && b.is_intlike()) {
    Value r = int_bitwise(op, a.as_int(), b.as_int());
    // bool & bool stays a bool, as in Python.
    if (a.is_bool() && b.is_bool() && op != Op::BINARY_LSHIFT && op != Op::BINARY_RSHIFT &&
        op != Op::INPLACE_SUBTRACT)
      return Value::boolean(r.as_int() != 0);
    return r;
  }
  bool in_place = op == Op::INPLACE_AND || op == Op::INPLACE_OR || op == Op::INPLACE_XOR ||
                  op == Op::INPLACE_SUBTRACT;
  if (set_like(a) && set_like(b) && op != Op::BINARY_LSHIFT && op != Op::BINARY_RSHIFT)
    return set_operation(ts, op, a, b, in_place && a.is(ObjType::Set));
  if ((op == Op::BINARY_OR || op == Op::INPLACE_OR) && a.is(ObjType::Dict) && b.is(ObjType::Dict)) {
    Value out = op == Op::INPLACE_OR ? a : make_dict();
    if (op != Op::INPLACE_OR)
      for (auto& [k, v] : dict_snapshot(ts, a)) dict_set(ts, out, k, v);
    for (auto& [k, v] : dict_snapshot(ts, b)) dict_set(ts, out, k, v);
    return out;
  }
  if (op == Op::INPLACE_SUBTRACT) return binary_op(ts, Op::BINARY_SUBTRACT, a, b);
  raise("TypeError", fmt::format("unsupported operand type(s) for {}: '{}' and '{}'", op_symbol(op),
                                 type_name(a), type_name(b)));
}

}  // namespace gilsim
