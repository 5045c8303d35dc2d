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
// (which behave like multiprocessing's) are shared.
Value copy_for_process(const Value& v, std::unordered_map<const Obj*, Value>& done) {
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
