// The heap objects scripts see: str, list, range, function, bound method.
//
// The simulation objects (Thread, Lock, Queue) are declared with the host interface they need.
// Sharing rules: str, range and function are immutable after creation, so any thread may read them.
// A list is mutable; when threads run truly in parallel (the `none` policy) every list access holds
// the list's own mutex, as free-threaded CPython's per-object critical sections do, so a script
// race can lose updates but never corrupt memory. Under a GIL the lock is skipped: the GIL already
// serializes all bytecode.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "vm/value.h"

namespace gilsim {

class ThreadState;
struct Code;

// A builtin function or method, defined statically in builtins.cpp.
// Keyword arguments of a call, as natives receive them (lang-func's call protocol): names[i]
// names values[i]; the values follow the positional arguments in the caller's array.
struct KwArgs {
  const std::string* names = nullptr;
  const Value* values = nullptr;
  int count = 0;
  // The value passed as keyword `name`, or nullptr.
  const Value* find(std::string_view name) const {
    for (int i = 0; i < count; ++i)
      if (names[i] == name) return &values[i];
    return nullptr;
  }
};

// A builtin function or method, defined statically in builtins.cpp.
struct NativeDef {
  const char* name;
  // For methods args[0] is self and nargs counts it; min/max never count self.
  Value (*fn)(ThreadState& ts, Value* args, int nargs);
  int min_args;
  int max_args;  // -1: any number
  bool is_method;
  // A builtin that takes keyword arguments sets fn_kw (then fn may be null): every call goes
  // there, with kw.count == 0 when none were given; check_keywords() names the allowed ones.
  // A builtin without fn_kw called with keywords raises "f() takes no keyword arguments".
  Value (*fn_kw)(ThreadState& ts, Value* args, int nargs, const KwArgs& kw) = nullptr;
};

// Raises CPython's TypeError for the first keyword of `kw` not in `allowed`.
void check_keywords(const char* fn, const KwArgs& kw,
                    std::initializer_list<std::string_view> allowed);

struct StrObj final : Obj {
  explicit StrObj(std::string text) : Obj(ObjType::Str), text(std::move(text)) {}
  const std::string text;
};

struct ListObj final : Obj {
  ListObj() : Obj(ObjType::List) {}
  explicit ListObj(std::vector<Value> items) : Obj(ObjType::List), items(std::move(items)) {}
  ~ListObj() override;
  void clear_refs() override;
  void traverse(std::vector<Obj*>& out) const override {
    for (const Value& v : items) visit_ref(v, out);
  }

  std::mutex mu;             // guards items, but only taken when threads run without a GIL
  std::vector<Value> items;  // GUARDED_BY(mu) under the `none` policy
};

// Takes a list's mutex only when the running thread needs it (see ThreadState::lock_objects).
class ListGuard {
 public:
  ListGuard(ListObj& list, bool active) : mu_(active ? &list.mu : nullptr) {
    if (mu_) mu_->lock();
  }
  ~ListGuard() {
    if (mu_) mu_->unlock();
  }
  ListGuard(const ListGuard&) = delete;
  ListGuard& operator=(const ListGuard&) = delete;

 private:
  std::mutex* mu_;
};

struct RangeObj final : Obj {
  RangeObj(std::int64_t start, std::int64_t stop, std::int64_t step)
      : Obj(ObjType::Range), start(start), stop(stop), step(step) {}
  // How many items: may exceed INT64_MAX (range(-1, 2**63 - 1) has 2**63 of them).
  unsigned __int128 count() const;
  // len(): OverflowError past INT64_MAX, as CPython's ssize_t conversion.
  std::int64_t length() const;
  // Item i (0 <= i < count()), computed without int64 overflow; it always fits.
  std::int64_t item(unsigned __int128 i) const {
    return static_cast<std::int64_t>(static_cast<__int128>(start) +
                                     static_cast<__int128>(i) * step);
  }
  const std::int64_t start, stop, step;
};

struct FunctionObj final : Obj {
  explicit FunctionObj(const Code* code) : Obj(ObjType::Function), code(code) {}
  const Code* const code;  // owned by the Program, which outlives every value
  // lang-func: set by the instructions that follow MAKE_FUNCTION, before any other code sees the
  // function; read-only afterwards.
  std::vector<Value> defaults;    // of the last defaults.size() positional parameters
  std::vector<Value> kwdefaults;  // one per keyword-only parameter; Unset where it has none
  std::vector<Value> closure;     // CellObjs, one per code->free_slots entry
  Value owner;                    // the class whose body defined it (zero-argument super())
  void clear_refs() override;
  void traverse(std::vector<Obj*>& out) const override {
    for (const auto* part : {&defaults, &kwdefaults, &closure})
      for (const Value& v : *part) visit_ref(v, out);
    visit_ref(owner, out);
  }
};

// lang-func: a variable shared between a function and the functions nested in it (a local that
// a closure captures). Under `none` its value is read and written holding `mu`.
struct CellObj final : Obj {
  explicit CellObj(Value v) : Obj(ObjType::Cell), value(std::move(v)) {}
  std::mutex mu;
  Value value;  // Unset until assigned; GUARDED_BY(mu) under the `none` policy
  void clear_refs() override { value = Value(); }
  void traverse(std::vector<Obj*>& out) const override { visit_ref(value, out); }
};

// `obj.method` used as a value rather than called at once.
struct BoundMethodObj final : Obj {
  BoundMethodObj(Value self, const NativeDef* def)
      : Obj(ObjType::BoundMethod), self(std::move(self)), def(def) {}
  Value self;  // never changed but by clear_refs
  const NativeDef* const def;
  void clear_refs() override { self = Value(); }
  void traverse(std::vector<Obj*>& out) const override { visit_ref(self, out); }
};

inline Value make_str(std::string text) { return Value::adopt(new StrObj(std::move(text))); }
inline Value make_list(std::vector<Value> items = {}) {
  return Value::adopt(new ListObj(std::move(items)));
}

}  // namespace gilsim
