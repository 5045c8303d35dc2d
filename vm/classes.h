// Classes and instances (lang-func, issue 12 part B): user classes with single inheritance, the
// built-in classes (object, int, str, the exception hierarchy...), bound methods and super().
//
// A class keeps its attributes (methods, class attributes) in a small ordered table; an instance
// keeps its own. Under the `none` policy each table is read and written holding the object's
// mutex, like lists. The built-in classes are created once per process and never freed.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vm/objects.h"
#include "vm/thread_state.h"

namespace gilsim {

using AttrTable = std::vector<std::pair<std::string, Value>>;

struct ClassObj final : Obj {
  explicit ClassObj(std::string name) : Obj(ObjType::Class), name(std::move(name)) {}
  std::string name;
  Value base;  // the base ClassObj; None for object
  std::mutex mu;
  AttrTable attrs;                  // GUARDED_BY(mu) under `none`
  bool builtin = false;             // defined by gilsim: printed without "__main__."
  bool is_exception = false;        // BaseException or a subclass of it
  const NativeDef* ctor = nullptr;  // a built-in type's constructor (int(...), str(...))
  bool has_properties = false;      // lang2: a property on it or a base (looked up first)
  // modules13: _thread._local (threading.local) and its subclasses: an instance's attributes
  // are the running thread's own (per_thread_table in classes.cpp).
  bool per_thread = false;
  void clear_refs() override;
  void traverse(std::vector<Obj*>& out) const override;

  // The attribute along the base chain, or Unset.
  Value lookup(ThreadState& ts, std::string_view key);
  bool is_subclass_of(const ClassObj* other) const;
};

// The state an exception instance carries besides its attributes.
struct ExceptionState {
  std::vector<Value> args;
  Value cause;    // raise ... from cause
  Value context;  // the exception being handled when this one was raised
  bool suppress_context = false;
  std::vector<TracebackEntry> traceback;  // outermost first
};

struct InstanceObj final : Obj {
  explicit InstanceObj(Value cls) : Obj(ObjType::Instance), cls(std::move(cls)) {}
  ~InstanceObj() override;
  void clear_refs() override;
  void traverse(std::vector<Obj*>& out) const override;
  Value cls;  // never changed but by clear_refs
  std::mutex mu;
  AttrTable attrs;                      // GUARDED_BY(mu) under `none`
  std::unique_ptr<ExceptionState> exc;  // set for exceptions
  ClassObj* klass() const { return cls.as<ClassObj>(); }
};

// A script function bound to its instance: obj.method used as a value.
struct MethodObj final : Obj {
  MethodObj(Value self, Value fn)
      : Obj(ObjType::Method), self(std::move(self)), fn(std::move(fn)) {}
  Value self, fn;  // never changed but by clear_refs
  void clear_refs() override {
    self = Value();
    fn = Value();
  }
  void traverse(std::vector<Obj*>& out) const override {
    visit_ref(self, out);
    visit_ref(fn, out);
  }
};

// super(): attribute lookup starting after `cls` in self's class chain.
struct SuperObj final : Obj {
  SuperObj(Value cls, Value self)
      : Obj(ObjType::Super), cls(std::move(cls)), self(std::move(self)) {}
  Value cls, self;  // never changed but by clear_refs
  void clear_refs() override {
    cls = Value();
    self = Value();
  }
  void traverse(std::vector<Obj*>& out) const override {
    visit_ref(cls, out);
    visit_ref(self, out);
  }
};

// The built-in class of that name (object, int, ValueError...), or null for an unknown name.
ClassObj* builtin_class(std::string_view name);
// The class of any value: a user instance's class, or the built-in class of its type.
ClassObj* class_of(const Value& v);
// The class a value stands for in isinstance/except: a ClassObj, or a builtin such as int.
ClassObj* as_class(const Value& v);

// Builtins this part adds (isinstance, type, super, ...) and the names of the built-in classes
// bound as globals after the builtins (see Interp's constructor).
const std::vector<const NativeDef*>& class_builtin_defs();
const std::vector<std::string>& builtin_class_names();

// Attribute access on class-based values; false from has_attributes() means "not one of those".
bool has_attributes(const Value& v);
Value get_attribute(ThreadState& ts, const Value& obj, const std::string& name);
void set_attribute(ThreadState& ts, const Value& obj, const std::string& name, Value v);
// lang2: the eval loop's forms, which leave a property's accessor to the caller to run as a
// frame: load_attribute returns Unset with `getter` set (a bound method to call without
// arguments); store_attribute and delete_attribute return false with `setter` / `deleter` set
// (bound to obj: call the setter with v, the deleter without arguments).
Value load_attribute(ThreadState& ts, const Value& obj, const std::string& name, Value& getter);
bool store_attribute(ThreadState& ts, const Value& obj, const std::string& name, Value& v,
                     Value& setter);
bool delete_attribute(ThreadState& ts, const Value& obj, const std::string& name, Value& deleter);
// For LOAD_METHOD: a plain function found on the class, to be called with obj as self (true),
// or any other attribute value in `out` (false).
bool get_method(ThreadState& ts, const Value& obj, const std::string& name, Value& out);

// Instance creation for a class call; returns the instance and sets init to a script __init__
// to run with it (None when there is none).
Value new_instance(ThreadState& ts, ClassObj* cls, Value* args, int npos, int nkw, Value& init);

// BUILD_CLASS: names the namespace class, sets its base and its functions' owner.
Value finish_class(ThreadState& ts, Value ns, const Value* bases, int nbases);

// repr() and str() of class-based values (calling __repr__ / __str__ when defined).
std::string object_repr(ThreadState& ts, const Value& v);
std::string object_str(ThreadState& ts, const Value& v);

// The dunder `name` on v's class, or Unset.
Value find_dunder(ThreadState& ts, const Value& v, std::string_view name);

// lang2: the special method `name` of v bound to v, looked up on its type as CPython does (a
// script function on an instance's class, or a builtin type's native method), or Unset.
Value special_method(ThreadState& ts, const Value& v, std::string_view name);

}  // namespace gilsim
