#include "gil/engine.h"

#include "gil/sim_engine.h"
// GILSIM_THREAD_ENGINE is 0 in the playground's build (Emscripten, no OS threads): sim only.
#if GILSIM_THREAD_ENGINE
#include "gil/thread_engine.h"
#endif
#include "vm/objects.h"
#include "vm/pyformat.h"

namespace gilsim {

Value define_value(const std::string& text) {
  if (auto i = parse_int(text)) return Value::integer(*i);
  if (auto f = parse_float(text)) return Value::floating(*f);
  return make_str(text);
}

// Lists are deep-copied; immutable values, functions and the engine's Lock and Queue objects
// (which behave like multiprocessing's) are shared. With a worklist rather than recursion: a list
// nested a million deep crosses without touching the C++ stack's depth, and nothing is thrown
// (a queue item is copied while the engine wakes its getter, where no error can be raised).
Value copy_for_process(const Value& v, std::unordered_map<const Obj*, Value>& done) {
  if (!v.is(ObjType::List)) return v;
  if (auto it = done.find(v.as_obj()); it != done.end()) return it->second;
  Value root = make_list();
  done.emplace(v.as_obj(), root);
  std::vector<std::pair<Value, ListObj*>> pending{{v, root.as<ListObj>()}};  // original, copy
  while (!pending.empty()) {
    auto [original, copy] = std::move(pending.back());
    pending.pop_back();
    std::vector<Value> items;
    {
      ListGuard g(*original.as<ListObj>(), true);  // another thread may be using it (under `none`)
      items = original.as<ListObj>()->items;
    }
    copy->items.reserve(items.size());
    for (Value& item : items) {
      if (!item.is(ObjType::List)) {
        copy->items.push_back(std::move(item));
      } else if (auto it = done.find(item.as_obj()); it != done.end()) {
        copy->items.push_back(it->second);
      } else {
        Value inner = make_list();
        done.emplace(item.as_obj(), inner);
        pending.emplace_back(item, inner.as<ListObj>());
        copy->items.push_back(std::move(inner));
      }
    }
  }
  return root;
}

const std::vector<std::string>& engine_names() {
  static const std::vector<std::string> names = {"threads", "sim"};
  return names;
}

std::unique_ptr<Engine> make_engine(const EngineOptions& options) {
#if GILSIM_THREAD_ENGINE
  if (options.engine == "threads") return std::make_unique<ThreadEngine>(options);
#endif
  if (options.engine == "sim") return std::make_unique<SimEngine>(options);
  return nullptr;
}

}  // namespace gilsim
