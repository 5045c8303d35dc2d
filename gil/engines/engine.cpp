#include "gil/engines/engine.h"

#include <fmt/format.h>

#include "gil/engines/sim_engine.h"
// GILSIM_THREAD_ENGINE is 0 in the playground's build (Emscripten, no OS threads): sim only.
#if GILSIM_THREAD_ENGINE
#include "gil/engines/thread_engine.h"
#endif
#include "vm/objects.h"
#include "vm/pyformat.h"

namespace gilsim {

Value define_value(const std::string& text) {
  if (auto i = parse_int(text)) return Value::integer(*i);
  if (auto f = parse_float(text)) return Value::floating(*f);
  return make_str(text);
}

std::string default_thread_name(int& counter, const Value& fn) {
  return fmt::format("Thread-{} ({})", ++counter, fn.as<FunctionObj>()->code->name);
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
