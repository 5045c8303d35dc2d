#include "gil/core/process_copy.h"

#include <utility>
#include <vector>

#include "vm/classes.h"
#include "vm/containers.h"
#include "vm/objects.h"

namespace gilsim {

namespace {

// The objects a process gets its own copy of, as a fork copies them: each interpreter of
// spawn_process has its own GIL, so it must not share a mutable object with another. A tuple is
// copied too (it may hold a list); a hashable key (of a dict or a set) is immutable all the way
// down, so it is shared. An instance is copied with its attributes (a child's `box.v = 1` is not
// seen by its parent), but for a threading.local, whose attributes live per thread.
bool copied_for_process(const Value& v) {
  if (v.is(ObjType::Instance)) return !v.as<InstanceObj>()->klass()->per_thread;
  return v.is(ObjType::List) || v.is(ObjType::Tuple) || v.is(ObjType::Dict) || v.is(ObjType::Set);
}

// An empty copy of `v`'s type; a tuple's items are filled in later, by the worklist.
Value empty_copy(const Value& v) {
  if (v.is(ObjType::List)) return make_list();
  if (v.is(ObjType::Tuple))
    return make_tuple(std::vector<Value>(v.as<TupleObj>()->items.size(), Value::none()));
  if (v.is(ObjType::Dict)) return make_dict();
  if (v.is(ObjType::Instance)) {
    auto* copy = new InstanceObj(v.as<InstanceObj>()->cls);
    if (v.as<InstanceObj>()->exc) copy->exc = std::make_unique<ExceptionState>();
    return Value::adopt(copy);
  }
  return make_set();
}

}  // namespace

// Lists, tuples, dicts, sets and instances are deep-copied; immutable values, functions, classes
// and the engine's Lock and Queue objects (which behave like multiprocessing's) are shared. With a
// worklist rather than recursion: a list nested a million deep crosses without touching the C++
// stack's depth, and nothing is thrown (a queue item is copied while the engine wakes its getter,
// where no error can be raised).
Value copy_for_process(const Value& v, std::unordered_map<const Obj*, Value>& done) {
  if (!copied_for_process(v)) return v;
  if (auto it = done.find(v.as_obj()); it != done.end()) return it->second;
  std::vector<std::pair<Value, Value>> pending;  // original, its (not yet filled) copy
  // The copy of one item: itself when shared, else a copy made once (filled when popped).
  auto copy_of = [&](const Value& item) -> Value {
    if (!copied_for_process(item)) return item;
    if (auto it = done.find(item.as_obj()); it != done.end()) return it->second;
    Value copy = empty_copy(item);
    done.emplace(item.as_obj(), copy);
    pending.emplace_back(item, copy);
    return copy;
  };
  Value root = copy_of(v);
  while (!pending.empty()) {
    auto [original, copy] = std::move(pending.back());
    pending.pop_back();
    if (original.is(ObjType::List)) {
      std::vector<Value> items;
      {
        ListGuard g(*original.as<ListObj>(), true);  // another thread may be using it (`none`)
        items = original.as<ListObj>()->items;
      }
      auto& out = copy.as<ListObj>()->items;
      out.reserve(items.size());
      for (const Value& item : items) out.push_back(copy_of(item));
    } else if (original.is(ObjType::Tuple)) {
      const auto& items = original.as<TupleObj>()->items;  // never changed after creation
      auto& out = copy.as<TupleObj>()->items;
      for (size_t i = 0; i < items.size(); ++i) out[i] = copy_of(items[i]);
    } else if (original.is(ObjType::Instance)) {
      auto* from = original.as<InstanceObj>();
      AttrTable attrs;
      std::unique_ptr<ExceptionState> exc;
      {
        ContainerGuard g(from->mu, true);
        attrs = from->attrs;
        if (from->exc) exc = std::make_unique<ExceptionState>(*from->exc);
      }
      auto* to = copy.as<InstanceObj>();
      for (auto& [name, value] : attrs) to->attrs.emplace_back(name, copy_of(value));
      if (exc) {
        for (Value& a : exc->args) a = copy_of(a);
        exc->cause = copy_of(exc->cause);
        exc->context = copy_of(exc->context);
        to->exc = std::move(exc);
      }
    } else if (original.is(ObjType::Dict)) {
      std::vector<HashTable::Entry> entries;
      {
        ContainerGuard g(original.as<DictObj>()->mu, true);
        for (const auto& e : original.as<DictObj>()->table.entries())
          if (!e.key.is_unset()) entries.push_back(e);
      }
      for (auto& e : entries)
        copy.as<DictObj>()->table.set(std::move(e.key), e.hash, copy_of(e.value));
    } else {
      std::vector<SetTable::Slot> slots;
      {
        ContainerGuard g(original.as<SetObj>()->mu, true);
        for (const auto& slot : original.as<SetObj>()->table.slots())
          if (!slot.key.is_unset()) slots.push_back(slot);
      }
      for (auto& slot : slots) copy.as<SetObj>()->table.add(std::move(slot.key), slot.hash);
    }
  }
  return root;
}

}  // namespace gilsim
