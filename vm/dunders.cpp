#include "vm/dunders.h"

#include <fmt/format.h>

#include "vm/classes.h"
#include "vm/errors.h"
#include "vm/exceptions.h"
#include "vm/interpreter.h"
#include "vm/iterators.h"
#include "vm/memory_budget.h"
#include "vm/operations.h"

namespace gilsim {

namespace {

// self.name(*args) when self's class defines name; nothing otherwise.
std::optional<Value> call_special(ThreadState& ts, const Value& self, const char* name,
                                  std::vector<Value> args = {}) {
  if (!self.is(ObjType::Instance)) return std::nullopt;
  Value m = find_dunder(ts, self, name);
  if (m.is_unset()) return std::nullopt;
  if (!m.is(ObjType::Function))
    raise("TypeError", fmt::format("'{}' object is not callable", type_name(m)));
  args.insert(args.begin(), self);
  return call_nested(ts, m, std::move(args));
}

struct BinaryNames {
  const char* op;
  const char* reflected;
  const char* inplace;  // null: the operation has no in-place opcode
};

BinaryNames binary_names(Op op) {
  switch (op) {
    case Op::BINARY_ADD:
    case Op::INPLACE_ADD:
      return {"__add__", "__radd__", "__iadd__"};
    case Op::BINARY_SUBTRACT:
    case Op::INPLACE_SUBTRACT:
      return {"__sub__", "__rsub__", "__isub__"};
    case Op::BINARY_MULTIPLY:
    case Op::INPLACE_MULTIPLY:
      return {"__mul__", "__rmul__", "__imul__"};
    case Op::BINARY_TRUE_DIVIDE:
      return {"__truediv__", "__rtruediv__", nullptr};
    case Op::BINARY_FLOOR_DIVIDE:
      return {"__floordiv__", "__rfloordiv__", nullptr};
    case Op::BINARY_MODULO:
      return {"__mod__", "__rmod__", nullptr};
    case Op::BINARY_POWER:
      return {"__pow__", "__rpow__", nullptr};
    case Op::BINARY_AND:
    case Op::INPLACE_AND:
      return {"__and__", "__rand__", "__iand__"};
    case Op::BINARY_OR:
    case Op::INPLACE_OR:
      return {"__or__", "__ror__", "__ior__"};
    case Op::BINARY_XOR:
    case Op::INPLACE_XOR:
      return {"__xor__", "__rxor__", "__ixor__"};
    case Op::BINARY_LSHIFT:
      return {"__lshift__", "__rlshift__", nullptr};
    case Op::BINARY_RSHIFT:
      return {"__rshift__", "__rrshift__", nullptr};
    default:
      return {nullptr, nullptr, nullptr};
  }
}

bool is_inplace(Op op) {
  return op == Op::INPLACE_ADD || op == Op::INPLACE_SUBTRACT || op == Op::INPLACE_MULTIPLY ||
         op == Op::INPLACE_AND || op == Op::INPLACE_OR || op == Op::INPLACE_XOR;
}

bool declined(const std::optional<Value>& r) { return !r || r->identical(not_implemented()); }

}  // namespace

const Value& not_implemented() {
  static const Value v = [] {
    RunObjects untracked(
        nullptr);  // shared by every run of the process: never cleared at one's end
    Value nt = Value::adopt(new InstanceObj(Value::share(builtin_class("NotImplementedType"))));
    return nt;
  }();
  return v;
}

std::optional<Value> instance_binary(ThreadState& ts, Op op, const Value& a, const Value& b) {
  BinaryNames n = binary_names(op);
  if (!n.op) return std::nullopt;
  if (is_inplace(op) && n.inplace) {
    auto r = call_special(ts, a, n.inplace, {b});
    if (!declined(r)) return r;
  }
  auto r = call_special(ts, a, n.op, {b});
  if (!declined(r)) return r;
  if (!b.is(ObjType::Instance) || (a.is(ObjType::Instance) && class_of(a) == class_of(b)))
    return std::nullopt;
  r = call_special(ts, b, n.reflected, {a});
  if (!declined(r)) return r;
  return std::nullopt;
}

std::optional<Value> instance_unary(ThreadState& ts, Op op, const Value& v) {
  const char* name = op == Op::UNARY_NEGATIVE   ? "__neg__"
                     : op == Op::UNARY_POSITIVE ? "__pos__"
                     : op == Op::UNARY_INVERT   ? "__invert__"
                                                : nullptr;
  if (!name) return std::nullopt;
  return call_special(ts, v, name);
}

std::optional<bool> instance_compare(ThreadState& ts, Op op, const Value& a, const Value& b) {
  const char* name;
  const char* reflected;
  switch (op) {
    case Op::COMPARE_EQ:
      name = reflected = "__eq__";
      break;
    case Op::COMPARE_NE:
      name = reflected = "__ne__";
      break;
    case Op::COMPARE_LT:
      name = "__lt__", reflected = "__gt__";
      break;
    case Op::COMPARE_LE:
      name = "__le__", reflected = "__ge__";
      break;
    case Op::COMPARE_GT:
      name = "__gt__", reflected = "__lt__";
      break;
    case Op::COMPARE_GE:
      name = "__ge__", reflected = "__le__";
      break;
    default:
      return std::nullopt;
  }
  auto r = call_special(ts, a, name, {b});
  if (!declined(r)) return truthy(ts, *r);
  r = call_special(ts, b, reflected, {a});
  if (!declined(r)) return truthy(ts, *r);
  if (op == Op::COMPARE_NE) {  // object.__ne__ inverts __eq__
    auto eq = instance_compare(ts, Op::COMPARE_EQ, a, b);
    if (eq) return !*eq;
  }
  if (op == Op::COMPARE_EQ || op == Op::COMPARE_NE) {
    if (a.is(ObjType::Instance) && !find_dunder(ts, a, "__eq__").is_unset()) return std::nullopt;
    if (b.is(ObjType::Instance) && !find_dunder(ts, b, "__eq__").is_unset()) return std::nullopt;
  }
  return std::nullopt;
}

bool instance_truthy(ThreadState& ts, const Value& v) {
  if (auto r = call_special(ts, v, "__bool__")) {
    if (!r->is_bool())
      raise("TypeError", fmt::format("__bool__ should return bool, returned {}", type_name(*r)));
    return r->as_bool();
  }
  if (auto n = instance_length(ts, v)) return *n > 0;
  return true;
}

std::optional<std::int64_t> instance_length(ThreadState& ts, const Value& v) {
  auto r = call_special(ts, v, "__len__");
  if (!r) return std::nullopt;
  if (!r->is_intlike())
    raise("TypeError",
          fmt::format("'{}' object cannot be interpreted as an integer", type_name(*r)));
  if (r->as_int() < 0) raise("ValueError", "__len__() should return >= 0");
  return r->as_int();
}

std::optional<bool> instance_contains(ThreadState& ts, const Value& container, const Value& item) {
  if (!container.is(ObjType::Instance)) return std::nullopt;
  if (auto r = call_special(ts, container, "__contains__", {item})) return truthy(ts, *r);
  if (find_dunder(ts, container, "__iter__").is_unset()) return std::nullopt;
  Value it = make_iterator(ts, container);
  Value x;
  while (iterator_next(ts, it, x))
    if (x.identical(item) || equal(ts, x, item)) return true;
  return false;
}

std::optional<Value> instance_getitem(ThreadState& ts, const Value& v, const Value& index) {
  return call_special(ts, v, "__getitem__", {index});
}
bool instance_setitem(ThreadState& ts, const Value& v, const Value& index, const Value& item) {
  return call_special(ts, v, "__setitem__", {index, item}).has_value();
}
bool instance_delitem(ThreadState& ts, const Value& v, const Value& index) {
  return call_special(ts, v, "__delitem__", {index}).has_value();
}

std::optional<std::int64_t> instance_hash(ThreadState& ts, const Value& v) {
  if (v.is(ObjType::Instance) && find_dunder(ts, v, "__hash__").is_none())
    raise("TypeError", fmt::format("unhashable type: '{}'", type_name(v)));
  auto r = call_special(ts, v, "__hash__");
  if (!r) return std::nullopt;
  if (!r->is_intlike()) raise("TypeError", "__hash__ method should return an integer");
  return r->as_int() == -1 ? -2 : r->as_int();
}

namespace {

// What iter() gives for an instance whose __iter__ returned an object with __next__.
struct InstanceIter final : IterObj {
  explicit InstanceIter(Value obj) : obj(std::move(obj)) {}
  const char* name() const override { return "iterator"; }
  bool next(ThreadState& ts, Value& out) override {
    auto more = instance_next(ts, obj, out);
    return more && *more;
  }
  const Value* instance() const override { return &obj; }
  Value obj;
};

}  // namespace

std::optional<Value> instance_iter(ThreadState& ts, const Value& v) {
  auto r = call_special(ts, v, "__iter__");
  if (!r) return std::nullopt;
  if (r->is(ObjType::Iterator)) return r;
  if (!r->is(ObjType::Instance) || find_dunder(ts, *r, "__next__").is_unset())
    raise("TypeError", fmt::format("iter() returned non-iterator of type '{}'", type_name(*r)));
  return Value::adopt(new InstanceIter(std::move(*r)));
}

std::optional<bool> instance_next(ThreadState& ts, const Value& v, Value& out) {
  if (!v.is(ObjType::Instance) || find_dunder(ts, v, "__next__").is_unset()) return std::nullopt;
  try {
    out = *call_special(ts, v, "__next__");
    return true;
  } catch (const PyRaise& e) {
    if (!is_stop_iteration(e.exc)) throw;
  } catch (const ScriptError& e) {
    if (e.type != "StopIteration") throw;
  }
  return false;
}

}  // namespace gilsim
