// Value: what a variable, a stack slot or a list item holds.
//
// Numbers, booleans and None are stored inline; everything else is an Obj on the heap with an
// atomic reference count, so values may be shared between script threads under every policy,
// including the truly parallel `none`: the count never tears, and an object is freed by whichever
// thread drops the last reference. Cycles (a list that contains itself) are found by the cycle
// collector (vm/cycle_collector.h), through each type's traverse(), as CPython's gc module does.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gilsim {

class Obj;
class MemoryBudget;
class ThreadState;
struct NativeDef;

enum class Tag : std::uint8_t {
  None,
  Bool,
  Int,
  Float,
  Obj,     // a reference-counted heap object
  Native,  // a builtin function or method: a static NativeDef, never freed
  Unset,   // an unassigned variable slot; never visible to scripts
};

enum class ObjType : std::uint8_t {
  Str,
  List,
  Range,
  Function,
  BoundMethod,
  Thread,
  Lock,
  Queue,
  // lang-func:
  Cell,
  Class,
  Instance,
  Method,
  Super,
  // lang-data: the data types (vm/containers.h)
  Tuple,
  Dict,
  Set,
  FrozenSet,
  DictView,  // d.keys(), d.values(), d.items()
  Iterator,  // iter(x), enumerate, zip, reversed, map, filter (vm/iterators.h)
  Slice,
  // stdlib2: an imported module (vm/module_object.h)
  Module,
  // lang12: b"..." (vm/bytes.h)
  Bytes,
};

class Obj;
// Puts a new object of a type that can hold references into the running thread's run's list
// (vm/memory_budget.h), so a reference cycle it joins is broken when the run ends.
void track_new_object(Obj& obj);
// lang12: the same for an object whose ObjType alone would not be tracked (a generator is an
// iterator that holds its frame's values).
void track_holder(Obj& obj);

// Base of every heap object. The count starts at 1: the creator owns the first reference.
class Obj {
 public:
  explicit Obj(ObjType type) : type(type) { track_new_object(*this); }
  Obj(const Obj&) = delete;
  Obj& operator=(const Obj&) = delete;
  // Gives back what the object holds of its run's memory and leaves the run's list
  // (memory_budget.h).
  virtual ~Obj();
  // Drops every reference the object holds (CPython's tp_clear): called only when its run ends,
  // on the objects a reference cycle kept alive (MemoryBudget::break_cycles). Types that hold
  // no Values keep this default.
  virtual void clear_refs() {}
  // Appends every object this one holds a reference to that clear_refs() would drop (CPython's
  // tp_traverse): the edges the cycle collector follows (vm/cycle_collector.h). Never more than
  // the references the object counts; fewer is safe (what a type leaves out counts as held from
  // outside, so it is never found to be garbage), which is why the default appends nothing.
  virtual void traverse(std::vector<Obj*>& out) const { (void)out; }

  void incref() { refs_.fetch_add(1, std::memory_order_relaxed); }
  // Adds a reference unless the count is already 0 (the object is being freed by another thread):
  // how the collector holds objects it found on the run's list without racing their destructor.
  bool try_hold() {
    std::uint32_t n = refs_.load(std::memory_order_relaxed);
    while (n != 0)
      if (refs_.compare_exchange_weak(n, n + 1, std::memory_order_relaxed)) return true;
    return false;
  }
  // acq_rel so that the freeing thread sees every write made by the other owners.
  void decref() {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }
  std::uint32_t refcount() const { return refs_.load(std::memory_order_relaxed); }

  const ObjType type;

 private:
  friend void charge_memory(ThreadState& ts, Obj& obj, std::int64_t bytes);
  friend class MemoryBudget;
  std::atomic<std::uint32_t> refs_{1};
  bool tracked_ = false;  // in its budget's list of objects (set by the constructor only)
  // The run's budget this object's bytes are charged to, and how many (vm/memory_budget.h);
  // null and 0 for objects no script thread charged.
  std::atomic<MemoryBudget*> budget_{nullptr};
  std::atomic<std::int64_t> charged_{0};
  Obj* run_prev_ = nullptr;  // the budget's list of tracked objects; GUARDED_BY(budget's mutex)
  Obj* run_next_ = nullptr;
};

class Value {
 public:
  Value() : tag_(Tag::None), i_(0) {}
  static Value none() { return Value(); }
  static Value unset() {
    Value v;
    v.tag_ = Tag::Unset;
    return v;
  }
  static Value boolean(bool b) {
    Value v;
    v.tag_ = Tag::Bool;
    v.i_ = b ? 1 : 0;
    return v;
  }
  static Value integer(std::int64_t i) {
    Value v;
    v.tag_ = Tag::Int;
    v.i_ = i;
    return v;
  }
  static Value floating(double f) {
    Value v;
    v.tag_ = Tag::Float;
    v.f_ = f;
    return v;
  }
  // Takes over the caller's reference (a freshly made object has count 1).
  static Value adopt(Obj* o) {
    Value v;
    v.tag_ = Tag::Obj;
    v.o_ = o;
    return v;
  }
  // Adds a reference: for an object someone else keeps owning.
  static Value share(Obj* o) {
    o->incref();
    return adopt(o);
  }
  static Value native(const NativeDef* def) {
    Value v;
    v.tag_ = Tag::Native;
    v.n_ = def;
    return v;
  }

  Value(const Value& other) : tag_(other.tag_), i_(other.i_) {
    if (tag_ == Tag::Obj) o_->incref();
  }
  Value(Value&& other) noexcept : tag_(other.tag_), i_(other.i_) { other.tag_ = Tag::None; }
  Value& operator=(const Value& other) {
    if (other.tag_ == Tag::Obj) other.o_->incref();
    release();
    tag_ = other.tag_;
    i_ = other.i_;
    return *this;
  }
  Value& operator=(Value&& other) noexcept {
    if (this != &other) {
      release();
      tag_ = other.tag_;
      i_ = other.i_;
      other.tag_ = Tag::None;
    }
    return *this;
  }
  ~Value() { release(); }

  Tag tag() const { return tag_; }
  bool is_none() const { return tag_ == Tag::None; }
  bool is_bool() const { return tag_ == Tag::Bool; }
  bool is_int() const { return tag_ == Tag::Int; }
  bool is_float() const { return tag_ == Tag::Float; }
  bool is_obj() const { return tag_ == Tag::Obj; }
  bool is_native() const { return tag_ == Tag::Native; }
  bool is_unset() const { return tag_ == Tag::Unset; }
  bool is(ObjType t) const { return tag_ == Tag::Obj && o_->type == t; }
  // int or bool: Python's bool is a subclass of int and takes part in arithmetic as 0 and 1.
  bool is_intlike() const { return tag_ == Tag::Int || tag_ == Tag::Bool; }
  bool is_number() const { return is_intlike() || tag_ == Tag::Float; }

  bool as_bool() const { return i_ != 0; }
  std::int64_t as_int() const { return i_; }  // also valid for bool
  double as_float() const { return f_; }
  double to_double() const { return tag_ == Tag::Float ? f_ : static_cast<double>(i_); }
  Obj* as_obj() const { return o_; }
  template <class T>
  T* as() const {
    return static_cast<T*>(o_);
  }
  const NativeDef* as_native() const { return n_; }

  // Fast in-place update for the eval loop's int paths: the slot holds no object.
  void set_int_unchecked(std::int64_t i) {
    tag_ = Tag::Int;
    i_ = i;
  }
  // Identity, as Python's `is`: same object, or equal inline value of the same kind.
  bool identical(const Value& other) const { return tag_ == other.tag_ && i_ == other.i_; }

 private:
  void release() {
    if (tag_ == Tag::Obj) o_->decref();
  }

  Tag tag_;
  union {
    std::int64_t i_;
    double f_;
    Obj* o_;
    const NativeDef* n_;
  };
};

static_assert(sizeof(Value) == 16);

// For traverse(): appends the object `v` refers to, if any.
inline void visit_ref(const Value& v, std::vector<Obj*>& out) {
  if (v.is_obj()) out.push_back(v.as_obj());
}

// Python's name of a value's type, as error messages print it ("int", "NoneType", "list").
std::string_view type_name(const Value& v);

}  // namespace gilsim
