#include "vm/exceptions.h"

#include <fmt/format.h>

#include "vm/containers.h"
#include "vm/errors.h"
#include "vm/interpreter.h"
#include "vm/operations.h"

namespace gilsim {

bool is_exception(const Value& v) {
  return v.is(ObjType::Instance) && v.as<InstanceObj>()->exc != nullptr;
}

ExceptionState& exc_state(const Value& exc) { return *exc.as<InstanceObj>()->exc; }

Value make_exception(std::string_view type, const std::string& message) {
  ClassObj* c = builtin_class(type);
  auto* inst = new InstanceObj(Value::share(c));
  inst->exc = std::make_unique<ExceptionState>();
  if (!message.empty()) inst->exc->args.push_back(make_str(message));
  return Value::adopt(inst);
}

void raise_key_error(const Value& key) {
  Value exc = make_exception("KeyError", "");
  exc_state(exc).args.push_back(key);
  throw PyRaise{std::move(exc), false};
}

void raise_stop_iteration(const Value& value) {
  Value exc = make_exception("StopIteration", "");
  if (!value.is_none()) exc_state(exc).args.push_back(value);
  throw PyRaise{std::move(exc), false};
}

Value exception_from_error(const std::string& type, const std::string& message) {
  ClassObj* c = builtin_class(type);
  if (!c || !c->is_exception) return Value::none();
  return make_exception(type, message);
}

Value exception_from_raise(ThreadState& ts, const Value& v, const char* what) {
  if (is_exception(v)) return v;
  if (ClassObj* c = as_class(v); c && c->is_exception) {
    Value init;
    Value exc = new_instance(ts, c, nullptr, 0, 0, init);
    if (!init.is_none()) call_nested(ts, init, {exc});
    return exc;
  }
  raise("TypeError", fmt::format("exceptions must derive from BaseException{}", what));
}

bool exception_matches(ThreadState& ts, const Value& exc, const Value& spec) {
  if (spec.is(ObjType::Tuple)) {
    for (const Value& s : spec.as<TupleObj>()->items)
      if (exception_matches(ts, exc, s)) return true;
    return false;
  }
  ClassObj* c = as_class(spec);
  if (!c || !c->is_exception)
    raise("TypeError", "catching classes that do not inherit from BaseException is not allowed");
  return exc.as<InstanceObj>()->klass()->is_subclass_of(c);
}

std::string exception_message(ThreadState& ts, const Value& exc) {
  Value str = find_dunder(ts, exc, "__str__");
  if (str.is(ObjType::Function)) return object_str(ts, exc);
  const auto& args = exc_state(exc).args;
  if (args.empty()) return "";
  if (args.size() == 1) {
    // KeyError.__str__ shows the key as repr() (CPython's KeyError_str).
    bool key_error = false;
    for (const ClassObj* c = exc.as<InstanceObj>()->klass(); c; c = as_class(c->base))
      key_error |= c->builtin && c->name == "KeyError";
    return key_error ? to_repr(ts, args[0]) : to_str(ts, args[0]);
  }
  std::string out = "(";
  for (size_t i = 0; i < args.size(); ++i) {
    if (i) out += ", ";
    out += to_repr(ts, args[i]);
  }
  return out + ")";
}

std::string exception_type_name(const Value& exc) { return exc.as<InstanceObj>()->klass()->name; }

bool is_stop_iteration(const Value& exc) {
  return is_exception(exc) && class_of(exc)->is_subclass_of(builtin_class("StopIteration"));
}

}  // namespace gilsim
