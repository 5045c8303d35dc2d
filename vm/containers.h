// The container types beside list: tuple, dict, set (and frozenset), the dict views, slice.
//
// This header is the C++ API other parts of the VM use to make and read them (make_tuple,
// make_dict, dict_get / dict_set / dict_delete, dict_snapshot, set_add ...); the operations
// scripts apply to them (repr, ==, subscripts, methods) live with the other types' in
// operations.cpp and builtins.cpp.
//
// Hashing follows CPython so that equal values hash equal (1 == 1.0 == True) and so that int,
// float, bool, None and tuple hashes are CPython's own numbers (hash((1, 2)) prints the same);
// str hashes are stable here but randomized per run in CPython, so scripts never print them.
// list, dict and set are unhashable (TypeError: unhashable type: 'list'); other objects hash by
// identity.
//
// Sharing rules, as for ListObj (objects.h): a tuple is immutable after creation, so any thread
// may read it; dict and set are mutable and take their own mutex when the running thread has
// ThreadState::lock_objects set (the `none` policy), through ContainerGuard. The functions below
// that take a ThreadState take that guard themselves; never call one while holding a guard on the
// same object. A set keeps CPython's table layout (open addressing, the same probe sequence and
// resize rule), so iterating a set of ints gives CPython's order; a dict keeps insertion order.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "vm/objects.h"

namespace gilsim {

class ThreadState;

// hash(v) with CPython's numbers; TypeError for unhashable values.
std::int64_t hash_value(const Value& v);
// Equality of two hashable values (dict keys, set members): numbers by value, str by text, tuples
// item by item, everything else by identity. Needs no ThreadState: hashable values are immutable.
bool keys_equal(const Value& a, const Value& b);

struct TupleObj final : Obj {
  explicit TupleObj(std::vector<Value> items) : Obj(ObjType::Tuple), items(std::move(items)) {}
  ~TupleObj() override;
  std::vector<Value> items;  // never changed after creation (but by clear_refs)
  void clear_refs() override;
  void traverse(std::vector<Obj*>& out) const override {
    for (const Value& v : items) visit_ref(v, out);
  }
};

// A dict's storage: entries in insertion order (a deleted entry keeps its place with an unset
// key until the next resize), and an open-addressing index of entry numbers, as CPython's
// compact dict.
class HashTable {
 public:
  struct Entry {
    std::int64_t hash;
    Value key;  // unset: a deleted entry
    Value value;
  };

  // The entry for key, or nullptr.
  Entry* find(const Value& key, std::int64_t hash);
  // Sets key to value; returns true if the key was new.
  bool set(Value key, std::int64_t hash, Value value);
  // Removes key; returns the removed entry's value when it was there.
  std::optional<Value> remove(const Value& key, std::int64_t hash);
  void clear();

  size_t size() const { return used_; }
  const std::vector<Entry>& entries() const { return entries_; }  // skip unset keys
  std::vector<Entry> take_entries();                              // empties the table

 private:
  std::int32_t* slot_for(const Value& key, std::int64_t hash, bool& found);
  void rebuild(size_t min_live);

  std::vector<Entry> entries_;
  std::vector<std::int32_t> index_;  // -1 empty, -2 a deleted entry's slot, else an entry number
  size_t used_ = 0;
  size_t deleted_slots_ = 0;
};

struct DictObj final : Obj {
  DictObj() : Obj(ObjType::Dict) {}
  ~DictObj() override;
  void clear_refs() override;
  void traverse(std::vector<Obj*>& out) const override {
    for (const auto& e : table.entries()) {
      visit_ref(e.key, out);  // an unset key (a deleted entry) is no object
      visit_ref(e.value, out);
    }
  }
  std::mutex mu;    // guards table when threads run without a GIL
  HashTable table;  // GUARDED_BY(mu) under the `none` policy
};

// CPython's set table (Objects/setobject.c): the slot order is the iteration order.
class SetTable {
 public:
  struct Slot {
    std::int64_t hash = 0;
    Value key = Value::unset();  // unset with hash -1: a deleted slot ("dummy")
  };
  SetTable() : slots_(8) {}
  bool contains(const Value& key, std::int64_t hash) const;
  bool add(Value key, std::int64_t hash);  // true if it was new
  bool discard(const Value& key, std::int64_t hash);
  void clear();
  size_t size() const { return used_; }
  const std::vector<Slot>& slots() const { return slots_; }  // skip unset keys
  std::vector<Slot> take_slots();

 private:
  void resize(size_t min_used);
  std::vector<Slot> slots_;
  size_t used_ = 0;
  size_t fill_ = 0;  // used + dummies
};

struct SetObj final : Obj {
  explicit SetObj(bool frozen = false) : Obj(frozen ? ObjType::FrozenSet : ObjType::Set) {}
  ~SetObj() override;
  void clear_refs() override;
  void traverse(std::vector<Obj*>& out) const override {
    for (const auto& s : table.slots()) visit_ref(s.key, out);
  }
  std::mutex mu;   // guards table when threads run without a GIL (never taken for a frozenset)
  SetTable table;  // GUARDED_BY(mu) under the `none` policy
};

enum class ViewKind : std::uint8_t { Keys, Values, Items };

// d.keys(), d.values(), d.items(): live views of the dict.
struct DictViewObj final : Obj {
  DictViewObj(Value dict, ViewKind kind)
      : Obj(ObjType::DictView), dict(std::move(dict)), kind(kind) {}
  Value dict;  // never changed but by clear_refs
  const ViewKind kind;
  void clear_refs() override { dict = Value(); }
  void traverse(std::vector<Obj*>& out) const override { visit_ref(dict, out); }
};

// slice(start, stop, step), as `a[1:2:3]` builds it; None where a bound was left out.
struct SliceObj final : Obj {
  SliceObj(Value start, Value stop, Value step)
      : Obj(ObjType::Slice),
        start(std::move(start)),
        stop(std::move(stop)),
        step(std::move(step)) {}
  const Value start, stop, step;
};

// Takes a dict's or set's mutex only when the running thread needs it (ThreadState::lock_objects).
class ContainerGuard {
 public:
  ContainerGuard(std::mutex& mu, bool active) : mu_(active ? &mu : nullptr) {
    if (mu_) mu_->lock();
  }
  ~ContainerGuard() {
    if (mu_) mu_->unlock();
  }
  ContainerGuard(const ContainerGuard&) = delete;
  ContainerGuard& operator=(const ContainerGuard&) = delete;

 private:
  std::mutex* mu_;
};

Value make_tuple(std::vector<Value> items = {});
Value make_dict();
Value make_set(bool frozen = false);

// The dict API. Keys are hashed here: an unhashable key raises TypeError.
std::optional<Value> dict_get(ThreadState& ts, const Value& dict, const Value& key);
void dict_set(ThreadState& ts, const Value& dict, Value key, Value value);
bool dict_delete(ThreadState& ts, const Value& dict, const Value& key);  // false: not there
size_t dict_size(ThreadState& ts, const Value& dict);
// A copy of the live entries, in insertion order, for iteration that may run script code.
std::vector<std::pair<Value, Value>> dict_snapshot(ThreadState& ts, const Value& dict);

// The set API (set or frozenset).
bool set_contains(ThreadState& ts, const Value& set, const Value& key);
bool set_add(ThreadState& ts, const Value& set, Value key);  // true if it was new
bool set_discard(ThreadState& ts, const Value& set, const Value& key);
std::vector<Value> set_snapshot(ThreadState& ts, const Value& set);  // in iteration order

// Frees the values of a dropped container without recursion (a tuple nested a million deep).
void release_deep(std::vector<Value> pending);

}  // namespace gilsim
