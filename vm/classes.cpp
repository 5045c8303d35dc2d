#include "vm/classes.h"

#include <fmt/format.h>

#include <map>

#include "vm/builtins.h"
#include "vm/call.h"
#include "vm/containers.h"
#include "vm/descriptors.h"
#include "vm/errors.h"
#include "vm/exceptions.h"
#include "vm/generators.h"
#include "vm/interpreter.h"
#include "vm/memory_budget.h"
#include "vm/module_object.h"
#include "vm/operations.h"

namespace gilsim {

namespace {

// Reads or writes an attribute table, holding the owner's mutex when threads run without a GIL.
template <class F>
auto with_table(ThreadState& ts, std::mutex& mu, F f) {
  if (ts.lock_objects) {
    std::lock_guard g(mu);
    return f();
  }
  return f();
}

Value* find_in(AttrTable& t, std::string_view key) {
  for (auto& [k, v] : t)
    if (k == key) return &v;
  return nullptr;
}

// The built-in classes: name and base, bases first. Other type names (list, range, dict...)
// get a class with base object when first asked for.
constexpr std::pair<const char*, const char*> kHierarchy[] = {
    {"object", nullptr},
    {"BaseException", "object"},
    {"Exception", "BaseException"},
    {"ArithmeticError", "Exception"},
    {"ZeroDivisionError", "ArithmeticError"},
    {"OverflowError", "ArithmeticError"},
    {"FloatingPointError", "ArithmeticError"},
    {"LookupError", "Exception"},
    {"IndexError", "LookupError"},
    {"KeyError", "LookupError"},
    {"ValueError", "Exception"},
    {"TypeError", "Exception"},
    {"NameError", "Exception"},
    {"UnboundLocalError", "NameError"},
    {"AttributeError", "Exception"},
    {"RuntimeError", "Exception"},
    {"RecursionError", "RuntimeError"},
    {"NotImplementedError", "RuntimeError"},
    {"AssertionError", "Exception"},
    {"StopIteration", "Exception"},
    {"MemoryError", "Exception"},
    {"OSError", "Exception"},
    {"TimeoutError", "OSError"},
    {"ConnectionError", "OSError"},  // lang12: what a network example raises
    {"ImportError", "Exception"},    // stdlib2: from m import missing
    {"KeyboardInterrupt", "BaseException"},
    {"SystemExit", "BaseException"},
    {"GeneratorExit", "BaseException"},
    {"int", "object"},
    {"bool", "int"},
    {"float", "object"},
    {"str", "object"},
    {"list", "object"},
    {"type", "object"},
    // lang2: the descriptors (vm/descriptors.h)
    {"property", "object"},
    {"staticmethod", "object"},
    {"classmethod", "object"},
    {"NotImplementedType", "object"},  // NotImplemented's class (vm/dunders.h)
};

struct Registry {
  std::mutex mu;
  std::map<std::string, ClassObj*, std::less<>> classes;  // never freed: one reference kept
};
Registry& registry() {
  static Registry* r = [] {
    // Shared by every run of the process: not one run's objects, so never cleared at its end.
    RunObjects untracked(nullptr);
    auto* reg = new Registry;
    for (auto [name, base] : kHierarchy) {
      auto* c = new ClassObj(name);
      c->builtin = true;
      if (base) {
        ClassObj* b = reg->classes.at(base);
        c->base = Value::share(b);
        c->is_exception = b->is_exception || std::string_view(base) == "BaseException";
      }
      reg->classes.emplace(name, c);
    }
    reg->classes.at("BaseException")->is_exception = true;
    add_property_methods(reg->classes.at("property")->attrs);
    for (const NativeDef* d : builtin_defs())
      if (auto it = reg->classes.find(std::string_view(d->name)); it != reg->classes.end())
        it->second->ctor = d;
    return reg;
  }();
  return *r;
}

std::string class_display_name(const ClassObj* c) {
  return c->builtin ? c->name : "__main__." + c->name;
}

}  // namespace

InstanceObj::~InstanceObj() = default;

void InstanceObj::clear_refs() {
  AttrTable gone = std::move(attrs);
  attrs.clear();
  if (exc) {
    exc->args.clear();
    exc->cause = Value();
    exc->context = Value();
  }
  cls = Value();
}

void InstanceObj::traverse(std::vector<Obj*>& out) const {
  for (const auto& [name, v] : attrs) visit_ref(v, out);
  if (exc) {
    for (const Value& v : exc->args) visit_ref(v, out);
    visit_ref(exc->cause, out);
    visit_ref(exc->context, out);
  }
  visit_ref(cls, out);
}

void ClassObj::traverse(std::vector<Obj*>& out) const {
  for (const auto& [name, v] : attrs) visit_ref(v, out);
  visit_ref(base, out);
}

void ClassObj::clear_refs() {
  AttrTable gone = std::move(attrs);
  attrs.clear();
  base = Value();
}

Value ClassObj::lookup(ThreadState& ts, std::string_view key) {
  for (ClassObj* c = this; c;) {
    Value found = with_table(ts, c->mu, [&] {
      Value* v = find_in(c->attrs, key);
      return v ? *v : Value::unset();
    });
    if (!found.is_unset()) return found;
    c = c->base.is(ObjType::Class) ? c->base.as<ClassObj>() : nullptr;
  }
  return Value::unset();
}

bool ClassObj::is_subclass_of(const ClassObj* other) const {
  for (const ClassObj* c = this; c;
       c = c->base.is(ObjType::Class) ? c->base.as<ClassObj>() : nullptr)
    if (c == other) return true;
  return false;
}

ClassObj* builtin_class(std::string_view name) {
  Registry& r = registry();
  std::lock_guard g(r.mu);
  auto it = r.classes.find(name);
  if (it != r.classes.end()) return it->second;
  return nullptr;
}

ClassObj* class_of(const Value& v) {
  if (v.is(ObjType::Instance)) return v.as<InstanceObj>()->klass();
  if (v.is(ObjType::Class)) return builtin_class("type");
  std::string_view name = type_name(v);
  if (ClassObj* c = builtin_class(name)) return c;
  Registry& r = registry();
  std::lock_guard g(r.mu);
  auto* c = new ClassObj(std::string(name));
  c->builtin = true;
  c->base = Value::share(r.classes.at("object"));
  r.classes.emplace(std::string(name), c);
  return c;
}

ClassObj* as_class(const Value& v) {
  if (v.is(ObjType::Class)) return v.as<ClassObj>();
  if (v.is_native()) return builtin_class(v.as_native()->name);
  return nullptr;
}

const std::vector<std::string>& builtin_class_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (auto [name, base] : kHierarchy) {
      bool is_native = false;
      for (const NativeDef* d : builtin_defs()) is_native |= (name == std::string_view(d->name));
      if (!is_native) out.emplace_back(name);
    }
    return out;
  }();
  return names;
}

bool has_attributes(const Value& v) {
  return v.is(ObjType::Instance) || v.is(ObjType::Class) || v.is(ObjType::Super) ||
         v.is(ObjType::Method) || v.is(ObjType::Module);
}

Value find_dunder(ThreadState& ts, const Value& v, std::string_view name) {
  if (!v.is(ObjType::Instance)) return Value::unset();
  return v.as<InstanceObj>()->klass()->lookup(ts, name);
}

Value special_method(ThreadState& ts, const Value& v, std::string_view name) {
  if (v.is(ObjType::Instance)) {
    Value found = v.as<InstanceObj>()->klass()->lookup(ts, name);
    if (found.is(ObjType::Function)) return Value::adopt(new MethodObj(v, std::move(found)));
    // A native class's method (gilsim.span's __enter__): bound as attribute access binds it.
    if (found.is_native() && found.as_native()->is_method)
      return Value::adopt(new BoundMethodObj(v, found.as_native()));
    return found;
  }
  if (const NativeDef* def = find_method(v, name)) return Value::adopt(new BoundMethodObj(v, def));
  return Value::unset();
}

namespace {

// BaseException.__init__(self, *args) sets args; object.__init__ takes nothing more.
Value base_init(ThreadState&, Value* args, int n) {
  if (is_exception(args[0])) {
    exc_state(args[0]).args.assign(args + 1, args + n);
  } else if (n > 1) {
    raise("TypeError", "object.__init__() takes exactly one argument (the instance to initialize)");
  }
  return Value::none();
}
const NativeDef& base_init_def() {
  static const NativeDef def{"__init__", base_init, 0, -1, true};
  return def;
}

[[noreturn]] void no_attribute(const Value& obj, const std::string& name) {
  if (obj.is(ObjType::Class))
    raise("AttributeError",
          fmt::format("type object '{}' has no attribute '{}'", obj.as<ClassObj>()->name, name));
  raise("AttributeError", fmt::format("'{}' object has no attribute '{}'", type_name(obj), name));
}

// An attribute found on a class, seen through `self` (None when looked up on the class
// `owner`): a function becomes a bound method, a builtin's method (property.setter) a bound
// builtin method, a staticmethod its function, a classmethod its function bound to the class.
// A property read through an instance sets `getter` to its fget bound to self (a call with no
// arguments) and returns Unset.
Value bind_found(ThreadState& ts, const Value& found, const Value& self, ClassObj* owner,
                 const std::string& name, Value& getter) {
  if (found.is(ObjType::Function))
    return self.is_none() ? found : Value::adopt(new MethodObj(self, found));
  if (found.is(ObjType::Instance)) {
    switch (descriptor_kind(found)) {
      case DescriptorKind::StaticMethod:
        return descriptor_function(found);
      case DescriptorKind::ClassMethod:
        return Value::adopt(new MethodObj(Value::share(owner), descriptor_function(found)));
      case DescriptorKind::Property:
        if (self.is_none()) return found;
        getter = property_accessor(found, "fget");
        if (getter.is_none()) property_missing(found, name, self, "getter");
        if (!getter.is(ObjType::Function)) return call_nested(ts, getter, {self});
        getter = Value::adopt(new MethodObj(self, std::move(getter)));
        return Value::unset();
      case DescriptorKind::None:
        break;
    }
  }
  if (found.is_native() && found.as_native()->is_method && !self.is_none())
    return Value::adopt(new BoundMethodObj(self, found.as_native()));
  return found;
}

// The instance whose table holds inst's attributes for the running thread: inst itself, or for
// a threading.local the thread's own plain instance, made on its first use and kept in inst's
// table under a name no script can spell (modules13).
InstanceObj* attrs_holder(ThreadState& ts, InstanceObj* inst) {
  if (!inst->klass()->per_thread) return inst;
  std::string key = "\x01thread " + std::to_string(ts.id);
  return with_table(ts, inst->mu, [&] {
    if (Value* own = find_in(inst->attrs, key)) return own->as<InstanceObj>();
    auto* fresh = new InstanceObj(Value::share(builtin_class("object")));
    inst->attrs.emplace_back(key, Value::adopt(fresh));
    return fresh;
  });
}

Value exception_attribute(ThreadState& ts, const Value& obj, const std::string& name, bool& ok) {
  ok = true;
  ExceptionState& st = exc_state(obj);
  if (name == "args") {
    (void)ts;
    return make_tuple(st.args);
  }
  if (name == "__cause__") return st.cause;
  if (name == "__context__") return st.context;
  // lang12: what a generator returned (yield from's value)
  if (name == "value" && class_of(obj)->is_subclass_of(builtin_class("StopIteration")))
    return st.args.empty() ? Value::none() : st.args[0];
  ok = false;
  return Value();
}

}  // namespace

Value get_attribute(ThreadState& ts, const Value& obj, const std::string& name) {
  Value getter;
  Value v = load_attribute(ts, obj, name, getter);
  if (v.is_unset()) return call_nested(ts, getter, {});
  return v;
}

Value load_attribute(ThreadState& ts, const Value& obj, const std::string& name, Value& getter) {
  if (obj.is(ObjType::Module)) return module_attribute(ts, obj, name);  // stdlib2
  if (obj.is(ObjType::Instance)) {
    auto* inst = obj.as<InstanceObj>();
    // A property (a data descriptor) on the class comes before the instance's own attributes.
    if (inst->klass()->has_properties) {
      Value found = inst->klass()->lookup(ts, name);
      if (descriptor_kind(found) == DescriptorKind::Property)
        return bind_found(ts, found, obj, inst->klass(), name, getter);
    }
    InstanceObj* holder = attrs_holder(ts, inst);
    Value own = with_table(ts, holder->mu, [&] {
      Value* v = find_in(holder->attrs, name);
      return v ? *v : Value::unset();
    });
    if (!own.is_unset()) return own;
    if (inst->exc) {
      bool ok;
      Value v = exception_attribute(ts, obj, name, ok);
      if (ok) return v;
    }
    if (name == "__class__") return Value::share(inst->klass());
    Value found = inst->klass()->lookup(ts, name);
    if (found.is_unset()) no_attribute(obj, name);
    return bind_found(ts, found, obj, inst->klass(), name, getter);
  }
  if (obj.is(ObjType::Class)) {
    auto* c = obj.as<ClassObj>();
    if (name == "__name__" || name == "__qualname__") return make_str(c->name);
    if (name == "__base__") return c->base;
    Value found = c->lookup(ts, name);
    if (found.is_unset()) no_attribute(obj, name);
    return bind_found(ts, found, Value::none(), c, name, getter);
  }
  if (obj.is(ObjType::Super)) {
    auto* s = obj.as<SuperObj>();
    auto* c = s->cls.as<ClassObj>();
    Value found =
        c->base.is(ObjType::Class) ? c->base.as<ClassObj>()->lookup(ts, name) : Value::unset();
    if (found.is_unset() && name == "__init__")  // object.__init__ / BaseException.__init__
      return Value::adopt(new BoundMethodObj(s->self, &base_init_def()));
    if (found.is_unset())
      raise("AttributeError", fmt::format("'super' object has no attribute '{}'", name));
    ClassObj* owner = s->self.is(ObjType::Class) ? s->self.as<ClassObj>() : class_of(s->self);
    return bind_found(ts, found, s->self.is(ObjType::Class) ? Value::none() : s->self, owner, name,
                      getter);
  }
  if (obj.is(ObjType::Method)) {
    if (name == "__self__") return obj.as<MethodObj>()->self;
    if (name == "__func__") return obj.as<MethodObj>()->fn;
  }
  if (obj.is(ObjType::Function) && name == "__name__")
    return make_str(obj.as<FunctionObj>()->code->name);
  no_attribute(obj, name);
}

bool get_method(ThreadState& ts, const Value& obj, const std::string& name, Value& out) {
  if (obj.is(ObjType::Instance)) {
    auto* inst = obj.as<InstanceObj>();
    InstanceObj* holder = attrs_holder(ts, inst);
    bool own = with_table(ts, holder->mu, [&] { return find_in(holder->attrs, name) != nullptr; });
    if (!own && !inst->exc) {
      Value found = inst->klass()->lookup(ts, name);
      if (found.is(ObjType::Function)) {
        out = std::move(found);
        return true;
      }
    }
  }
  out = get_attribute(ts, obj, name);
  return false;
}

void set_attribute(ThreadState& ts, const Value& obj, const std::string& name, Value v) {
  Value setter;
  if (!store_attribute(ts, obj, name, v, setter)) call_nested(ts, setter, {std::move(v)});
}

namespace {

// The property `name` on obj's class when obj is an instance of a class that has properties.
Value class_property(ThreadState& ts, const Value& obj, const std::string& name) {
  if (!obj.is(ObjType::Instance) || !obj.as<InstanceObj>()->klass()->has_properties)
    return Value::unset();
  Value found = obj.as<InstanceObj>()->klass()->lookup(ts, name);
  return descriptor_kind(found) == DescriptorKind::Property ? found : Value::unset();
}

// A property's fset or fdel bound to obj, for the eval loop to call (false); a builtin one is
// called here (true).
bool bind_accessor(ThreadState& ts, const Value& prop, const char* which, const Value& obj,
                   const std::string& name, Value* v, Value& out) {
  Value fn = property_accessor(prop, which);
  if (fn.is_none())
    property_missing(prop, name, obj, std::string_view(which) == "fset" ? "setter" : "deleter");
  if (fn.is(ObjType::Function)) {
    out = Value::adopt(new MethodObj(obj, std::move(fn)));
    return false;
  }
  std::vector<Value> args{obj};
  if (v) args.push_back(std::move(*v));
  call_nested(ts, fn, std::move(args));
  return true;
}

// The attribute table that `verb` ("set", "delete") changes, and its mutex; CPython's errors.
AttrTable& writable_table(ThreadState& ts, const Value& obj, const std::string& name,
                          const char* verb, std::mutex*& mu) {
  if (obj.is(ObjType::Instance)) {
    InstanceObj* holder = attrs_holder(ts, obj.as<InstanceObj>());
    mu = &holder->mu;
    return holder->attrs;
  }
  if (obj.is(ObjType::Class) && !obj.as<ClassObj>()->builtin) {
    mu = &obj.as<ClassObj>()->mu;
    return obj.as<ClassObj>()->attrs;
  }
  if (obj.is(ObjType::Class))
    raise("TypeError", fmt::format("cannot {} '{}' attribute of immutable type '{}'", verb, name,
                                   obj.as<ClassObj>()->name));
  raise("AttributeError", fmt::format("'{}' object has no attribute '{}'", type_name(obj), name));
}

}  // namespace

bool store_attribute(ThreadState& ts, const Value& obj, const std::string& name, Value& v,
                     Value& setter) {
  if (obj.is(ObjType::Module)) {  // stdlib2
    set_module_attribute(ts, obj, name, std::move(v));
    return true;
  }
  if (Value prop = class_property(ts, obj, name); !prop.is_unset())
    return bind_accessor(ts, prop, "fset", obj, name, &v, setter);
  std::mutex* mu = nullptr;
  AttrTable* table = &writable_table(ts, obj, name, "set", mu);
  if (obj.is(ObjType::Class) && descriptor_kind(v) == DescriptorKind::Property)
    obj.as<ClassObj>()->has_properties = true;
  Value old;  // released outside the lock
  with_table(ts, *mu, [&] {
    if (Value* slot = find_in(*table, name)) {
      old = std::move(*slot);
      *slot = std::move(v);
    } else {
      table->emplace_back(name, std::move(v));
    }
    return 0;
  });
  return true;
}

bool delete_attribute(ThreadState& ts, const Value& obj, const std::string& name, Value& deleter) {
  if (Value prop = class_property(ts, obj, name); !prop.is_unset())
    return bind_accessor(ts, prop, "fdel", obj, name, nullptr, deleter);
  std::mutex* mu = nullptr;
  AttrTable* table = &writable_table(ts, obj, name, "delete", mu);
  Value old;  // released outside the lock
  bool found = with_table(ts, *mu, [&] {
    for (auto it = table->begin(); it != table->end(); ++it)
      if (it->first == name) {
        old = std::move(it->second);
        table->erase(it);
        return true;
      }
    return false;
  });
  if (!found) no_attribute(obj, name);
  return true;
}

Value new_instance(ThreadState& ts, ClassObj* cls, Value* args, int npos, int nkw, Value& init) {
  init = Value::none();
  auto* inst = new InstanceObj(Value::share(cls));
  Value self = Value::adopt(inst);
  if (cls->is_exception) inst->exc = std::make_unique<ExceptionState>();
  Value found = cls->lookup(ts, "__init__");
  if (found.is(ObjType::Function)) {
    init = std::move(found);
    if (inst->exc) inst->exc->args.assign(args, args + npos);  // as BaseException.__new__ does
    return self;
  }
  if (inst->exc) {
    if (nkw) raise("TypeError", fmt::format("{}() takes no keyword arguments", cls->name));
    inst->exc->args.assign(args, args + npos);
    return self;
  }
  if (npos + nkw > 0) raise("TypeError", fmt::format("{}() takes no arguments", cls->name));
  return self;
}

Value finish_class(ThreadState& ts, Value ns, const Value* bases, int nbases) {
  auto* c = ns.as<ClassObj>();
  if (nbases > 1) raise("TypeError", "multiple inheritance is not supported by gilsim");
  if (nbases == 1) {
    ClassObj* b = as_class(bases[0]);
    if (!b) raise("TypeError", fmt::format("bases must be classes, not '{}'", type_name(bases[0])));
    if (b->builtin && !b->is_exception && b->name != "object")
      raise("TypeError",
            fmt::format("subclassing the built-in type '{}' is not supported by gilsim", b->name));
    c->base = Value::share(b);
    c->is_exception = b->is_exception;
    c->per_thread = b->per_thread;
  } else {
    c->base = Value::share(builtin_class("object"));
  }
  with_table(ts, c->mu, [&] {
    for (auto& [k, v] : c->attrs) {
      if (v.is(ObjType::Function)) v.as<FunctionObj>()->owner = ns;
      // super() inside a property's or a classmethod's function needs the class too.
      if (descriptor_kind(v) == DescriptorKind::Property) {
        c->has_properties = true;
        for (const char* which : {"fget", "fset", "fdel"}) {
          Value f = property_accessor(v, which);
          if (f.is(ObjType::Function)) f.as<FunctionObj>()->owner = ns;
        }
      } else if (descriptor_kind(v) != DescriptorKind::None) {
        Value f = descriptor_function(v);
        if (f.is(ObjType::Function)) f.as<FunctionObj>()->owner = ns;
      }
    }
    return 0;
  });
  if (c->base.is(ObjType::Class) && c->base.as<ClassObj>()->has_properties)
    c->has_properties = true;
  // lang12: as CPython's type_new, a class that defines __eq__ and not __hash__ is unhashable.
  bool has_eq = false, has_hash = false;
  for (const auto& [k, v] : c->attrs) {
    has_eq |= k == "__eq__";
    has_hash |= k == "__hash__";
  }
  if (has_eq && !has_hash) c->attrs.emplace_back("__hash__", Value::none());
  return ns;
}

std::string object_repr(ThreadState& ts, const Value& v) {
  if (v.is(ObjType::Class))
    return fmt::format("<class '{}'>", class_display_name(v.as<ClassObj>()));
  if (v.is(ObjType::Method)) {
    auto* m = v.as<MethodObj>();
    return fmt::format("<bound method {} of {}>", m->fn.as<FunctionObj>()->code->qualname,
                       object_repr(ts, m->self));
  }
  if (v.is(ObjType::Super)) return "<super object>";
  if (v.is(ObjType::Instance)) {
    Value r = find_dunder(ts, v, "__repr__");
    if (r.is(ObjType::Function)) {
      Value s = call_nested(ts, r, {v});
      if (!s.is(ObjType::Str))
        raise("TypeError", fmt::format("__repr__ returned non-string (type {})", type_name(s)));
      return s.as<StrObj>()->text;
    }
    auto* inst = v.as<InstanceObj>();
    if (inst->exc) {
      std::string out = inst->klass()->name + "(";
      for (size_t i = 0; i < inst->exc->args.size(); ++i) {
        if (i) out += ", ";
        out += to_repr(ts, inst->exc->args[i]);
      }
      return out + ")";
    }
    return fmt::format("<{} object at {}>", class_display_name(inst->klass()),
                       static_cast<const void*>(inst));
  }
  return fmt::format("<{} object>", type_name(v));
}

std::string object_str(ThreadState& ts, const Value& v) {
  if (v.is(ObjType::Instance)) {
    Value r = find_dunder(ts, v, "__str__");
    if (r.is(ObjType::Function)) {
      Value s = call_nested(ts, r, {v});
      if (!s.is(ObjType::Str))
        raise("TypeError", fmt::format("__str__ returned non-string (type {})", type_name(s)));
      return s.as<StrObj>()->text;
    }
    if (v.as<InstanceObj>()->exc && find_dunder(ts, v, "__repr__").is_unset())
      return exception_message(ts, v);
  }
  return object_repr(ts, v);
}

// ---- builtins of this part ----
namespace {

bool isinstance_of(ThreadState& ts, const Value& v, const Value& spec, const char* fn) {
  if (spec.is(ObjType::Tuple)) {
    for (const Value& s : spec.as<TupleObj>()->items)
      if (isinstance_of(ts, v, s, fn)) return true;
    return false;
  }
  ClassObj* c = as_class(spec);
  if (!c)
    raise("TypeError", fmt::format("{}() arg 2 must be a type, a tuple of types, or a union", fn));
  if (std::string_view(fn) == "issubclass") {
    ClassObj* sub = as_class(v);
    if (!sub) raise("TypeError", "issubclass() arg 1 must be a class");
    return sub->is_subclass_of(c);
  }
  return class_of(v)->is_subclass_of(c);
}

Value b_isinstance(ThreadState& ts, Value* args, int) {
  return Value::boolean(isinstance_of(ts, args[0], args[1], "isinstance"));
}
Value b_issubclass(ThreadState& ts, Value* args, int) {
  return Value::boolean(isinstance_of(ts, args[0], args[1], "issubclass"));
}
Value b_type(ThreadState&, Value* args, int) { return Value::share(class_of(args[0])); }
Value b_super(ThreadState& ts, Value* args, int n) {
  if (n == 2) return Value::adopt(new SuperObj(args[0], args[1]));
  if (ts.frames.empty() || ts.frames.back().base == 0)
    raise("RuntimeError", "super(): no arguments");
  const Frame& f = ts.frames.back();
  // lang12: under a resumed generator's frame sits its resumer's state, not the function
  const Value& fn = f.kind >= kFrameGenFor ? frame_generator(ts, f).fn : ts.stack[f.base - 1];
  if (!fn.is(ObjType::Function) || fn.as<FunctionObj>()->owner.is_none())
    raise("RuntimeError", "super(): __class__ cell not found");
  if (f.code->num_params == 0) raise("RuntimeError", "super(): no arguments");
  Value self = ts.stack[f.base];
  if (self.is(ObjType::Cell)) self = self.as<CellObj>()->value;
  return Value::adopt(new SuperObj(fn.as<FunctionObj>()->owner, self));
}
Value b_hasattr(ThreadState& ts, Value* args, int) {
  if (!args[1].is(ObjType::Str)) raise("TypeError", "attribute name must be string");
  try {
    get_attribute(ts, args[0], args[1].as<StrObj>()->text);
    return Value::boolean(true);
  } catch (const ScriptError& e) {
    if (e.type != "AttributeError") throw;
    return Value::boolean(false);
  }
}
Value b_getattr(ThreadState& ts, Value* args, int n) {
  if (!args[1].is(ObjType::Str)) raise("TypeError", "attribute name must be string");
  try {
    return get_attribute(ts, args[0], args[1].as<StrObj>()->text);
  } catch (const ScriptError& e) {
    if (e.type != "AttributeError" || n < 3) throw;
    return args[2];
  }
}
Value b_setattr(ThreadState& ts, Value* args, int) {
  if (!args[1].is(ObjType::Str)) raise("TypeError", "attribute name must be string");
  set_attribute(ts, args[0], args[1].as<StrObj>()->text, args[2]);
  return Value::none();
}

const NativeDef kIsinstance{"isinstance", b_isinstance, 2, 2, false};
const NativeDef kIssubclass{"issubclass", b_issubclass, 2, 2, false};
const NativeDef kType{"type", b_type, 1, 1, false};
const NativeDef kSuper{"super", b_super, 0, 2, false};
const NativeDef kHasattr{"hasattr", b_hasattr, 2, 2, false};
const NativeDef kGetattr{"getattr", b_getattr, 2, 3, false};
const NativeDef kSetattr{"setattr", b_setattr, 3, 3, false};

}  // namespace

const std::vector<const NativeDef*>& class_builtin_defs() {
  // id() is lang-data's (data_builtins.cpp): one builtin per name.
  static const std::vector<const NativeDef*> defs = [] {
    std::vector<const NativeDef*> out{&kIsinstance, &kIssubclass, &kType,   &kSuper,
                                      &kHasattr,    &kGetattr,    &kSetattr};
    for (const NativeDef* d : descriptor_builtin_defs()) out.push_back(d);  // lang2
    return out;
  }();
  return defs;
}

}  // namespace gilsim
