#include "gil/engine.h"

#include "gil/sim_engine.h"
#include "gil/thread_engine.h"
#include "vm/containers.h"
#include "vm/objects.h"
#include "vm/pyformat.h"

namespace gilsim {

Value define_value(const std::string& text) {
  if (auto i = parse_int(text)) return Value::integer(*i);
  if (auto f = parse_float(text)) return Value::floating(*f);
  return make_str(text);
}

Value copy_container_for_process(const Value& v, std::unordered_map<const Obj*, Value>& done);

// Lists are deep-copied; immutable values, functions and the engine's Lock and Queue objects
// (which behave like multiprocessing's) are shared.
Value copy_for_process(const Value& v, std::unordered_map<const Obj*, Value>& done) {
  if (v.is(ObjType::Tuple) || v.is(ObjType::Dict) || v.is(ObjType::Set))
    return copy_container_for_process(v, done);
  if (!v.is(ObjType::List)) return v;
  auto it = done.find(v.as_obj());
  if (it != done.end()) return it->second;
  Value copy = make_list();
  done.emplace(v.as_obj(), copy);
  std::vector<Value> items;
  {
    ListGuard g(*v.as<ListObj>(), true);  // another thread may be using it (under `none`)
    items = v.as<ListObj>()->items;
  }
  for (const Value& item : items) copy.as<ListObj>()->items.push_back(copy_for_process(item, done));
  return copy;
}

// Tuples (which may hold lists), dicts and sets are copied like lists: each interpreter of
// spawn_process has its own GIL, so it must not share a mutable object with another.
Value copy_container_for_process(const Value& v, std::unordered_map<const Obj*, Value>& done) {
  auto it = done.find(v.as_obj());
  if (it != done.end()) return it->second;
  if (v.is(ObjType::Tuple)) {
    std::vector<Value> items;
    for (const Value& item : v.as<TupleObj>()->items) items.push_back(copy_for_process(item, done));
    Value copy = make_tuple(std::move(items));
    done.emplace(v.as_obj(), copy);
    return copy;
  }
  if (v.is(ObjType::Set)) {
    Value copy = make_set();
    done.emplace(v.as_obj(), copy);
    std::vector<Value> keys;
    {
      ContainerGuard g(v.as<SetObj>()->mu, true);
      for (const auto& slot : v.as<SetObj>()->table.slots())
        if (!slot.key.is_unset()) keys.push_back(slot.key);
    }
    for (auto& k : keys) copy.as<SetObj>()->table.add(copy_for_process(k, done), hash_value(k));
    return copy;
  }
  Value copy = make_dict();
  done.emplace(v.as_obj(), copy);
  std::vector<HashTable::Entry> entries;
  {
    ContainerGuard g(v.as<DictObj>()->mu, true);
    for (const auto& e : v.as<DictObj>()->table.entries())
      if (!e.key.is_unset()) entries.push_back({e.hash, e.key, e.value});
  }
  for (auto& e : entries)
    copy.as<DictObj>()->table.set(copy_for_process(e.key, done), e.hash,
                                  copy_for_process(e.value, done));
  return copy;
}

const std::vector<std::string>& engine_names() {
  static const std::vector<std::string> names = {"threads", "sim"};
  return names;
}

std::unique_ptr<Engine> make_engine(const EngineOptions& options) {
  if (options.engine == "threads") return std::make_unique<ThreadEngine>(options);
  if (options.engine == "sim") return std::make_unique<SimEngine>(options);
  return nullptr;
}

}  // namespace gilsim
